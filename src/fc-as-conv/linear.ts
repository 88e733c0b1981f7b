/** A linear layer applied at every spatial position — what a 1×1 conv computes. */
import type { KernelUnderTest, Tensor } from '../contract.js';
import { InvalidArgumentError } from '../errors.js';
import { referenceKernel } from '../kernels/reference.js';
import { checkTensor, formatShape, sizeOf, withPrecision } from '../tensor.js';

/** Moves channels last: [N, C, P] → [N·P, C], or back when `inverse`. */
function transposeChannels(src: Float32Array | Float64Array, N: number, C: number, P: number, inverse: boolean) {
  const dst = src instanceof Float32Array ? new Float32Array(src.length) : new Float64Array(src.length);
  for (let n = 0; n < N; n++) {
    const base = n * C * P;
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < P; p++) {
        if (inverse) dst[base + c * P + p] = src[base + p * C + c];
        else dst[base + p * C + c] = src[base + c * P + p];
      }
    }
  }
  return dst;
}

/**
 * y[n, m, p] = b[m] + Σ_c w[m, c] · x[n, c, p] for every spatial position p of x `[N, C, D...]`.
 * The per-position products are computed by `kernel.dense` (the reference by default) on the
 * `[N·∏D, C]` matrix of positions, so a kernel's dense path can be compared with its 1×1 conv.
 * @example await linear(x, w) // x [2, 3, 4, 4], w [5, 3] → [2, 5, 4, 4]
 */
export async function linear(x: Tensor, w: Tensor, b?: Tensor, kernel: KernelUnderTest = referenceKernel): Promise<Tensor> {
  const fn = 'linear';
  checkTensor(fn, 'x', x);
  checkTensor(fn, 'w', w);
  if (x.shape.length < 2) throw new InvalidArgumentError(fn, 'x', x.shape, `x must be [N, C, ...D], got ${formatShape(x.shape)}`);
  if (w.shape.length !== 2 || w.shape[1] !== x.shape[1]) {
    throw new InvalidArgumentError(
      fn,
      'w',
      w.shape,
      `w must be [M, ${x.shape[1]}] for x ${formatShape(x.shape)}, got ${formatShape(w.shape)}`,
    );
  }
  if (b !== undefined) {
    checkTensor(fn, 'b', b);
    if (b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
      throw new InvalidArgumentError(
        fn,
        'b',
        b.shape,
        `b shape ${formatShape(b.shape)} must be [${w.shape[0]}] (one bias per output channel)`,
      );
    }
  }
  if (!kernel.dense) throw new InvalidArgumentError(fn, 'kernel', kernel.name, `kernel ${kernel.name} has no dense`);
  const [N, C] = x.shape;
  const M = w.shape[0];
  const spatial = x.shape.slice(2);
  const P = sizeOf(spatial);
  // the kernel is handed arrays of the precision it promises
  const rows = withPrecision({ shape: [N * P, C], data: transposeChannels(x.data, N, C, P, false) }, kernel.precision);
  const y = await kernel.dense(rows, withPrecision(w, kernel.precision), b && withPrecision(b, kernel.precision));
  return { shape: [N, M, ...spatial], data: transposeChannels(y.data, N, M, P, true) };
}
