/**
 * Findings about third-party GPU kernels (docs/findings.md, "Findings on GPU kernels"), pinned
 * by hand reproductions in the page. Each test states the right answer and asserts the observed
 * wrong one, so a fixed release makes it fail — then update docs/findings.md and the adapters.
 * Observed with @tensorflow/tfjs-backend-webgl / -webgpu 4.22.0 and onnxruntime-web 1.30.0 in
 * Chromium 156 on SwiftShader.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import { createOnnxruntimeKernel } from '../../src/adapters/onnxruntime.js';
import { createTfjsKernel } from '../../src/adapters/tfjs.js';

async function on<T>(backend: 'webgl' | 'webgpu', f: () => Promise<T>): Promise<T> {
  expect(await tf.setBackend(backend)).toBe(true);
  await tf.ready();
  return f();
}

const values = async (t: tf.Tensor) => Array.from(await t.data());

describe('tfjs-backend-webgl 4.22', () => {
  it('tf.pad of a rank-5 tensor does not compile (GLSL lessThan has no 5-component overload); rank 4 pads', async () => {
    await on('webgl', async () => {
      expect(
        await values(
          tf.pad(tf.ones([1, 1, 1, 1]), [
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 0],
          ]),
        ),
      ).toEqual([1, 0]);
      expect(() =>
        tf.pad(tf.ones([1, 1, 1, 1, 1]), [
          [0, 0],
          [0, 1],
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
      ).toThrow(/Failed to compile fragment shader/);
    });
  });
});

describe('tfjs-backend-webgl 4.22: depthwise conv', () => {
  it('tf.depthwiseConv2d returns −1e-15 where −5·5 + 5·5 = 0 is due (its packed shader starts the sum at 1e-15 and subtracts it at the end); conv2d is right', async () => {
    await on('webgl', async () => {
      const x = tf.tensor4d([-5, 5, 0], [1, 1, 3, 1]);
      const w = tf.tensor4d([5, 5], [1, 2, 1, 1]);
      expect(await values(tf.conv2d(x, w, 1, 'valid'))).toEqual([0, 25]);
      // fl(fl(1e-15 − 25) + 25) − 1e-15 = −1e-15 in float32; right: [0, 25]
      expect(await values(tf.depthwiseConv2d(x, w, 1, 'valid'))).toEqual([Math.fround(-1e-15), 25]);
      // the unpacked program (stride 3 here) has no such start value: right
      expect(await values(tf.depthwiseConv2d(x, w, 3, 'valid'))).toEqual([0]);
    });
  });

  it('tf.depthwiseConv2d returns 0 where the product is about 1e-24 (conv2d on the same values is right)', async () => {
    await on('webgl', async () => {
      const w = 1.5 * 2 ** -80; // x·w = 2.25·2⁻⁸⁰ ≈ 1.86e-24, a normal float32
      const conv2d = tf.conv2d(tf.tensor4d([1.5], [1, 1, 1, 1]), tf.tensor4d([w], [1, 1, 1, 1]), 1, 'valid');
      expect(await values(conv2d)).toEqual([Math.fround(2.25 * 2 ** -80)]);
      const depthwise = tf.depthwiseConv2d(tf.tensor4d([1.5, 1.25], [1, 1, 1, 2]), tf.tensor4d([w, w], [1, 1, 2, 1]), 1, 'valid');
      expect(await values(depthwise)).toEqual([0, 0]); // right: [1.86e-24, 1.55e-24]
      // at 2⁻⁶⁴ it is still right
      const big = tf.depthwiseConv2d(
        tf.tensor4d([1.5, 1.25], [1, 1, 1, 2]),
        tf.tensor4d([1.5 * 2 ** -64, 1.5 * 2 ** -64], [1, 1, 2, 1]),
        1,
        'valid',
      );
      expect((await values(big))[0]).toBe(Math.fround(2.25 * 2 ** -64));
    });
  });
});

describe('tfjs-backend-webgpu 4.22', () => {
  it('a [M] bias added to a conv3d output with M = 2 is lost (right: [20, 34]); the conv2d equivalent is right', async () => {
    await on('webgpu', async () => {
      const bias = tf.tensor1d([10, 20]);
      const conv2d = tf.add(tf.conv2d(tf.tensor4d([2], [1, 1, 1, 1]), tf.tensor4d([5, 7], [1, 1, 1, 2]), 1, 'valid'), bias);
      expect(await values(conv2d)).toEqual([20, 34]);
      const conv3d = tf.conv3d(tf.tensor5d([2], [1, 1, 1, 1, 1]), tf.tensor5d([5, 7], [1, 1, 1, 1, 2]), 1, 'valid');
      expect(await values(conv3d)).toEqual([10, 14]);
      expect(await values(tf.add(conv3d, bias))).not.toEqual([20, 34]);
    });
  });

  it('the tfjs:webgpu adapter therefore fails rank-3 conv with bias, shrunk to x=[1,1,1,1,1] w=[2,1,1,1,1]', async () => {
    const k = await createTfjsKernel('webgpu');
    const y = await k.conv!(
      { shape: [1, 1, 1, 1, 1], data: new Float32Array([2]) },
      { shape: [2, 1, 1, 1, 1], data: new Float32Array([5, 7]) },
      { shape: [2], data: new Float32Array([10, 20]) },
      { strides: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], dilations: [1, 1, 1], group: 1 },
    );
    expect(Array.from(y.data)).not.toEqual([20, 34]);
  });
});

describe('tfjs-backend-webgpu 4.22: matMul tiles read past the end of a row of B (docs/findings.md)', () => {
  /** x [N,1] of ones · w [M,1]ᵀ of ones with w[1] = −Infinity, through `tf.fused.matMul` (transposeB): column 0 is due to be all ones. */
  const column0 = async (N: number, M: number) => {
    const w = new Float32Array(M).fill(1);
    w[1] = Number.NEGATIVE_INFINITY;
    const y = await values(tf.fused.matMul({ a: tf.ones([N, 1]), b: tf.tensor2d(w, [M, 1]), transposeB: true }));
    return y.filter((_, i) => i % M === 0);
  };

  it('x=[16,1] w=[9,1] with w[1]=−Infinity: column 0 is NaN (right: 1); with 8 rows (72 outputs) it is right', async () => {
    await on('webgpu', async () => {
      // ≤ 128 outputs run MatMulReduceProgram, which stays inside each row: right
      expect(await column0(8, 9)).toEqual(new Array(8).fill(1));
      // more outputs run a tiled program whose inner-dimension padding multiplies x's zero padding
      // by B's next row (−Infinity): 0·(−Infinity) = NaN in every element of column 0
      expect((await column0(16, 9)).every(Number.isNaN)).toBe(true);
      // the same product with a finite neighbour is right: the zeros times a finite value vanish
      const finite = await values(tf.fused.matMul({ a: tf.ones([16, 1]), b: tf.ones([9, 1]), transposeB: true }));
      expect(finite).toEqual(new Array(144).fill(1));
    });
  });

  it('the tfjs:webgpu adapter therefore fails dense-matches-reference in the special regime, shrunk by hand to x=[16,1] w=[9,1]', async () => {
    const k = await createTfjsKernel('webgpu');
    const w = new Float32Array(9).fill(1);
    w[1] = Number.NEGATIVE_INFINITY;
    const y = await k.dense!({ shape: [16, 1], data: new Float32Array(16).fill(1) }, { shape: [9, 1], data: w }, undefined);
    expect(Number.isNaN(y.data[0])).toBe(true); // right: 1
    expect(y.data[1]).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('onnxruntime-web 1.30, WebGPU execution provider', () => {
  const conv1d = (k: Awaited<ReturnType<typeof createOnnxruntimeKernel>>, pads: number[]) =>
    k.conv!({ shape: [1, 1, 2], data: new Float32Array([2, 3]) }, { shape: [1, 1, 1], data: new Float32Array([3]) }, undefined, {
      strides: [1],
      pads,
      dilations: [1],
      group: 1,
    });

  it('Conv with padding only at the end reads real input where the padding is (right: [6, 9, 0, 0]); the WASM EP is right', async () => {
    const gpu = await createOnnxruntimeKernel('webgpu');
    const wasm = await createOnnxruntimeKernel('web');
    expect(Array.from((await conv1d(wasm, [0, 2])).data)).toEqual([6, 9, 0, 0]);
    expect(Array.from((await conv1d(gpu, [0, 2])).data)).toEqual([6, 9, 6, 9]);
    expect(Array.from((await conv1d(gpu, [1, 1])).data)).toEqual([0, 6, 9, 0]); // begin > 0: right
  });

  it("a grouped Conv (group 2, M/group = 5) computes the first channel of group 2 from group 1's input; M/group 3 and 4 and the WASM EP are right", async () => {
    const gpu = await createOnnxruntimeKernel('webgpu');
    const wasm = await createOnnxruntimeKernel('web');
    // x channels [3, −1]; w[m] = m + 1; channel m of group g is x[g]·w[m]
    const grouped = async (k: typeof gpu, perGroup: number) => {
      const M = 2 * perGroup;
      const w = Float32Array.from({ length: M }, (_, m) => m + 1);
      const y = await k.conv!({ shape: [1, 2, 1], data: new Float32Array([3, -1]) }, { shape: [M, 1, 1], data: w }, undefined, {
        strides: [1],
        pads: [0, 0],
        dilations: [1],
        group: 2,
      });
      return Array.from(y.data);
    };
    const right = (perGroup: number) => Array.from({ length: 2 * perGroup }, (_, m) => (m < perGroup ? 3 : -1) * (m + 1));
    expect(await grouped(wasm, 5)).toEqual(right(5));
    expect(await grouped(gpu, 3)).toEqual(right(3));
    expect(await grouped(gpu, 4)).toEqual(right(4));
    const y = await grouped(gpu, 5);
    expect(y[5]).toBe(18); // right: −1·6 = −6; 18 = 3·6 takes x channel 0, group 1's input
    expect([...y.slice(0, 5), ...y.slice(6)]).toEqual([...right(5).slice(0, 5), ...right(5).slice(6)]);
  });

  it('a 3-D Conv with begin ≠ end padding is rejected ("Unsupported padding parameter")', async () => {
    const gpu = await createOnnxruntimeKernel('webgpu');
    const one = { shape: [1, 1, 1, 1, 1], data: new Float32Array([1]) };
    await expect(
      Promise.resolve(gpu.conv!(one, one, undefined, { strides: [1, 1, 1], pads: [0, 0, 0, 1, 0, 0], dilations: [1, 1, 1], group: 1 })),
    ).rejects.toThrow(/Unsupported padding parameter/);
  });
});
