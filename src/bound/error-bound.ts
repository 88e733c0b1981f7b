/**
 * The forward error bound that judges a kernel's output in the float regime, and the
 * element-wise comparison that applies it.
 *
 * A dot product of n terms computed in precision u (any order, any blocking, with or without
 * FMA) satisfies |ŷ − y| ≤ γ(n)·Σ|terms|, γ(n) = n·u / (1 − n·u) (Higham, *Accuracy and Stability
 * of Numerical Algorithms*, 2nd ed., §3.1 and §4.2). Here the terms are the products w·x plus the
 * bias, so n = (C/group)·∏k + [bias]. We allow
 *
 *     bound = 2·γ(n)·(Σ|w·x| + |b|) + 2·u·|y|
 *
 * The factor 2 on γ leaves room for Winograd/FFT-style transforms and for kernels that round
 * partial sums to storage precision between blocks (each adds at most a small multiple of the
 * same term); the 2u|y| term covers a final rounding of an accumulator wider than the output
 * (e.g. a float64 accumulator stored as float32) plus the reference's own rounding. This is the
 * loosest bound the project allows; anything computed in a lower precision than promised
 * (float32 for a float64 kernel, TF32 inputs, bfloat16 accumulation) exceeds it by orders of
 * magnitude for every reduction length we generate.
 *
 * Data are generated so that no product underflows (see `arbitraries/data.ts`); with subnormal
 * products the model would need an extra absolute term.
 */
import type { Precision } from '../contract.js';
import { perPrecision } from '../precision.js';
import type { FailureHeatmap } from '../vocabulary.js';

/** Unit roundoff of each precision: 2⁻¹¹ for float16, 2⁻²⁴ for float32, 2⁻⁵³ for float64 (from the precision table). */
export const UNIT_ROUNDOFF: Readonly<Record<Precision, number>> = perPrecision((f) => f.unitRoundoff);

/** γ(n) = n·u / (1 − n·u); Infinity when n·u ≥ 1 (no bound exists). */
export function gamma(n: number, u: number): number {
  const nu = n * u;
  return nu >= 1 ? Number.POSITIVE_INFINITY : nu / (1 - nu);
}

/**
 * The bound for one output element: 2·γ(n)·magnitude + 2·u·|y| (see the module comment). A sum
 * whose terms are all zero (magnitude 0) is exact, so its first term is 0 even where γ(n) is
 * infinite (∞·0 would be NaN and reject an exact zero).
 */
export function elementBound(n: number, magnitude: number, y: number, precision: Precision): number {
  const u = UNIT_ROUNDOFF[precision];
  return (magnitude === 0 ? 0 : 2 * gamma(n, u) * magnitude) + 2 * u * Math.abs(y);
}

/** Per-element bounds of an output of `n`-term sums with the given magnitudes Σ|terms|. */
export function outputBounds(n: number, magnitude: ArrayLike<number>, expected: ArrayLike<number>, precision: Precision): Float64Array {
  const out = new Float64Array(magnitude.length);
  for (let i = 0; i < out.length; i++) out[i] = elementBound(n, magnitude[i], expected[i], precision);
  return out;
}

/** The first element that violates its bound, with everything a report needs. */
export interface Mismatch {
  readonly flatIndex: number;
  readonly expected: number;
  readonly actual: number;
  readonly error: number;
  readonly bound: number;
  /** error / bound; Infinity when the bound is 0; NaN when one side is non-finite and the other is not. */
  readonly ratio: number;
  /** Number of elements out of bound. */
  readonly count: number;
  readonly heatmap: FailureHeatmap;
}

/**
 * Compares element-wise. NaN must meet NaN, ±Infinity must meet the same infinity (NaN is not
 * equal to Infinity), and a finite expected value must meet a finite actual value within its
 * bound (`bounds` = 0 demands equality). Returns undefined when every element agrees.
 */
export function compareOutputs(
  shape: readonly number[],
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bounds: ArrayLike<number> | number,
): Mismatch | undefined {
  let first = -1;
  let count = 0;
  const ratios: Array<number | null> = new Array(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    const bound = typeof bounds === 'number' ? bounds : bounds[i];
    let ok: boolean;
    let ratio: number | null;
    if (Number.isNaN(e)) {
      ok = Number.isNaN(a);
      ratio = ok ? 0 : null;
    } else if (!Number.isFinite(e)) {
      ok = a === e;
      ratio = ok ? 0 : null;
    } else if (!Number.isFinite(a)) {
      ok = false;
      ratio = null;
    } else {
      const err = Math.abs(a - e);
      ok = err <= bound;
      ratio = err === 0 ? 0 : bound === 0 ? Number.POSITIVE_INFINITY : err / bound;
    }
    ratios[i] = ratio;
    if (!ok) {
      count++;
      if (first < 0) first = i;
    }
  }
  if (first < 0) return undefined;
  const e = expected[first];
  const a = actual[first];
  const bound = typeof bounds === 'number' ? bounds : bounds[first];
  const error = Math.abs(a - e);
  return {
    flatIndex: first,
    expected: e,
    actual: a,
    error,
    bound,
    ratio: Number.isFinite(error) ? (bound === 0 ? Number.POSITIVE_INFINITY : error / bound) : Number.NaN,
    count,
    heatmap: { shape: [...shape], ratios },
  };
}
