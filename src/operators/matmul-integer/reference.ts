/**
 * The exact reference of the integer matmul family (`matMulInteger`, and the accumulation of
 * `qlinearMatMul`): a `[N, K]`, b `[K, M]` validated once, zero points subtracted, then plain
 * loops. Every partial sum is an integer below 2⁵³ (exact in float64); the int32 result is checked.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { QuantType, TypedTensor } from '../../quantized.js';
import { checkTypedTensor, zeroPoints } from '../../quantized.js';
import { formatShape } from '../../tensor.js';
import { checkInt32 } from '../conv-integer/reference.js';

/** A validated integer matmul: sizes, a and b with zero points subtracted, and the types. */
export interface CentredMatMul {
  readonly n: number;
  readonly k: number;
  readonly m: number;
  /** a − a_zero_point, `[N, K]`. */
  readonly a: Float64Array;
  /** b − b_zero_point[m], `[K, M]`. */
  readonly b: Float64Array;
  readonly aType: QuantType;
  readonly bType: QuantType;
  readonly outputShape: readonly number[];
}

/** Validates a `[N, K]`, b `[K, M]` (8-bit), a's zero point (scalar) and b's (scalar or `[M]`, one per column). */
export function centredMatMul(
  fn: string,
  a: TypedTensor,
  b: TypedTensor,
  aZeroPoint: TypedTensor | undefined,
  bZeroPoint: TypedTensor | undefined,
): CentredMatMul {
  const aType = checkTypedTensor(fn, 'a', a, ['uint8', 'int8']) as QuantType;
  const bType = checkTypedTensor(fn, 'b', b, ['uint8', 'int8']) as QuantType;
  if (a.shape.length !== 2) throw new InvalidArgumentError(fn, 'a', a.shape, `a must be [N, K] (2-D), got shape ${formatShape(a.shape)}`);
  if (b.shape.length !== 2) throw new InvalidArgumentError(fn, 'b', b.shape, `b must be [K, M] (2-D), got shape ${formatShape(b.shape)}`);
  const [n, k] = a.shape;
  const [kb, m] = b.shape;
  if (n < 1 || k < 1 || m < 1)
    throw new InvalidArgumentError(
      fn,
      'a',
      { a: a.shape, b: b.shape },
      `sizes must be >= 1: a ${formatShape(a.shape)}, b ${formatShape(b.shape)}`,
    );
  if (kb !== k)
    throw new InvalidArgumentError(
      fn,
      'b',
      b.shape,
      `b rows (${kb}) do not match a columns (${k}): a ${formatShape(a.shape)}, b ${formatShape(b.shape)}`,
    );
  const az = zeroPoints(fn, 'aZeroPoint', aZeroPoint, aType, undefined)[0];
  const bz = zeroPoints(fn, 'bZeroPoint', bZeroPoint, bType, m, 'column');
  const ac = new Float64Array(n * k);
  for (let i = 0; i < ac.length; i++) ac[i] = a.data[i] - az;
  const bc = new Float64Array(k * m);
  for (let i = 0; i < bc.length; i++) bc[i] = b.data[i] - bz[i % m];
  return { n, k, m, a: ac, b: bc, aType, bType, outputShape: [n, m] };
}

/** acc[n, m] = Σ_k a_c[n, k] · b_c[k, m], exact. */
export function accumulateMatMul(p: CentredMatMul): Float64Array {
  const out = new Float64Array(p.n * p.m);
  for (let i = 0; i < p.n; i++) {
    for (let j = 0; j < p.m; j++) {
      let acc = 0;
      for (let l = 0; l < p.k; l++) acc += p.a[i * p.k + l] * p.b[l * p.m + j];
      out[i * p.m + j] = acc;
    }
  }
  return out;
}

/** Reference `MatMulInteger`: the exact int32 result `[N, M]`. */
export function referenceMatMulInteger(
  a: TypedTensor,
  b: TypedTensor,
  aZeroPoint: TypedTensor | undefined,
  bZeroPoint: TypedTensor | undefined,
): TypedTensor {
  const p = centredMatMul('referenceMatMulInteger', a, b, aZeroPoint, bZeroPoint);
  const acc = accumulateMatMul(p);
  checkInt32('referenceMatMulInteger', acc, p.outputShape);
  return { shape: [...p.outputShape], data: Int32Array.from(acc) };
}
