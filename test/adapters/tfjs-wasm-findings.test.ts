/**
 * Two tfjs-backend-wasm 4.22.0 bugs found by the ConvTranspose and fused-activation properties,
 * reproduced by hand with tfjs's own ops (tfjs-backend-cpu gives the right values on the same calls).
 * These tests pin the wrong results, so they change when tfjs fixes them.
 */
import { describe, expect, it } from 'vitest';

async function on(backend: 'cpu' | 'wasm') {
  const tf = await import('@tensorflow/tfjs-core');
  if (backend === 'wasm') (await import('@tensorflow/tfjs-backend-wasm')).setThreadsCount(1);
  else await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

describe('tfjs-backend-wasm 4.22.0', () => {
  it('conv3dTranspose of x=[1,2,1,1,1] (depth 2) with a 1×1×1 kernel 2 returns [6, 0], not [6, 10]', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      const tf = await on(backend);
      const y = tf.conv3dTranspose(
        tf.tensor5d([3, 5], [1, 2, 1, 1, 1]),
        tf.tensor5d([2], [1, 1, 1, 1, 1]),
        [1, 2, 1, 1, 1],
        [1, 1, 1],
        'valid',
      );
      expect(Array.from(y.dataSync()), backend).toEqual(backend === 'cpu' ? [6, 10] : [6, 0]);
    }
  });

  it('fused.matMul({transposeB, activation: relu}) applies relu to partial sums: [−1×240, +1×240]·ones = 0 gives 240', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      const tf = await on(backend);
      const K = 480;
      const a = tf.tensor2d(
        Array.from({ length: K }, (_, i) => (i < 240 ? -1 : 1)),
        [1, K],
      );
      const b = tf.ones([1, K]) as import('@tensorflow/tfjs-core').Tensor2D;
      expect(Array.from(tf.matMul(a, b, false, true).dataSync()), `${backend} matMul`).toEqual([0]);
      const fused = tf.fused.matMul({ a, b, transposeB: true, activation: 'relu' });
      expect(Array.from(fused.dataSync()), `${backend} fused relu`).toEqual(backend === 'cpu' ? [0] : [240]);
    }
  });
});
