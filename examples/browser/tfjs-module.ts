/**
 * A kernel module built on TensorFlow.js's WebGL backend, as a user writes one: it imports the
 * npm packages by name (convcheck bundles them for the page from this file's location) and
 * declares what it supports. Runs in the browser:
 *
 *     npx convcheck verify --kernel examples/browser/tfjs-module.ts --browser
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import type { ConvAttributes, KernelUnderTest, Tensor } from '../../src/index.js';

export default async (): Promise<KernelUnderTest> => {
  if (!(await tf.setBackend('webgl'))) throw new Error('the WebGL backend did not initialise');
  await tf.ready();
  const f32 = (d: Float32Array | Float64Array) => (d instanceof Float32Array ? d : new Float32Array(d));
  return {
    name: 'my-tfjs-webgl-conv2d',
    precision: 'float32',
    // 2-D only, no groups; tfjs refuses stride > 1 together with dilation > 1.
    capabilities: { spatialRanks: [2], group: false, strideWithDilation: false },
    async conv(x: Tensor, w: Tensor, b: Tensor | undefined, a: ConvAttributes): Promise<Tensor> {
      const y = tf.tidy(() => {
        const xt = tf.transpose(tf.tensor4d(f32(x.data), x.shape as [number, number, number, number]), [0, 2, 3, 1]); // NCHW → NHWC
        const wt = tf.transpose(tf.tensor4d(f32(w.data), w.shape as [number, number, number, number]), [2, 3, 1, 0]); // MCkk → kkCM
        const pad: [[0, 0], [number, number], [number, number], [0, 0]] = [
          [0, 0],
          [a.pads[0], a.pads[2]],
          [a.pads[1], a.pads[3]],
          [0, 0],
        ];
        let out = tf.conv2d(
          xt as tf.Tensor4D,
          wt as tf.Tensor4D,
          a.strides as [number, number],
          pad,
          'NHWC',
          a.dilations as [number, number],
        );
        if (b) out = tf.add(out, tf.tensor1d(f32(b.data)));
        return tf.transpose(out, [0, 3, 1, 2]); // back to NCHW
      });
      try {
        return { shape: y.shape, data: (await y.data()) as Float32Array };
      } finally {
        y.dispose();
      }
    },
    async dense(x: Tensor, w: Tensor, b: Tensor | undefined): Promise<Tensor> {
      const y = tf.tidy(() => {
        const m = tf.matMul(
          tf.tensor2d(f32(x.data), x.shape as [number, number]),
          tf.tensor2d(f32(w.data), w.shape as [number, number]),
          false,
          true,
        );
        return b ? tf.add(m, tf.tensor1d(f32(b.data))) : m;
      });
      try {
        return { shape: y.shape, data: (await y.data()) as Float32Array };
      } finally {
        y.dispose();
      }
    },
  };
};
