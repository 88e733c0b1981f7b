/**
 * Direct-loop float16 kernels as WebGPU `shader-f16` and mobile kernels compute: float16 storage
 * with float16 or float32 accumulation — and one that promises float32 accumulation but
 * accumulates in float16.
 */
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { roundToFloat16 } from '../../src/float16.js';
import { directConv } from './fast-conv.js';

type Rounding = (v: number) => number;

/** dense as a rank-1 conv over [N, K, 1] (same arithmetic and order as conv). */
function denseVia(round: Rounding, finish: Rounding) {
  return (x: Tensor, w: Tensor, b: Tensor | undefined): Tensor => {
    const y = directConv(
      { shape: [...x.shape, 1], data: x.data },
      { shape: [...w.shape, 1], data: w.data },
      b,
      { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
      round,
    );
    return { shape: [x.shape[0], w.shape[0]], data: y.data.map(finish) };
  };
}

function kernel(name: string, round: Rounding, finish: Rounding, accumulation?: 'float32'): KernelUnderTest {
  return {
    name,
    precision: 'float16',
    ...(accumulation ? { accumulation } : {}),
    conv: (x, w, b, a) => {
      const y = directConv(x, w, b, a, round);
      return { shape: y.shape, data: y.data.map(finish) };
    },
    dense: denseVia(round, finish),
  };
}

/** float16 storage, float16 accumulation: every product and partial sum rounded to float16. */
export const float16Kernel = kernel('test:float16', roundToFloat16, (v) => v);

/** float16 storage, float32 accumulation (products of halves are exact in float32), one rounding of the result to float16. */
export const mixedKernel = kernel('test:float16-acc32', Math.fround, roundToFloat16, 'float32');

/** Declares float32 accumulation but accumulates in float16. */
export const falselyMixedKernel = kernel('test:float16-claims-acc32', roundToFloat16, (v) => v, 'float32');
