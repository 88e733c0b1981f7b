/**
 * What a kernel's platform numerics allow the generated data to contain (docs/numerics.md).
 *
 * A probe of the kernel (`runner/numerics-probe.ts`) measures two limits of its arithmetic that
 * the error bound does not model, and the data generator keeps every case inside them, so that
 * they cannot change a verdict:
 *
 * - `lostBelowExponent` P: a result (product or partial sum) of magnitude below 2^P may come out
 *   as 0 or wrong (a GPU that flushes subnormals has P = −125: results below 2⁻¹²⁶ are flushed;
 *   IEEE gradual underflow: undefined, no limit). The float regime then keeps every nonzero
 *   intermediate value of every sum ≥ 2^P: each x is a multiple of 2^(eₓ−23) and each w of
 *   2^(e_w−23) (24-bit significands), so every exact product, and every rounded or fused sum of
 *   them, is a multiple of 2^(eₓ+e_w−46); with eₓ+e_w − 46 ≥ P (and the bias's 2^(e_b−23) ≥ 2^P)
 *   no nonzero value below 2^P can arise in any order, with or without FMA — the kernel computes
 *   exactly what an IEEE kernel computes and the unchanged bound applies.
 * - `exactBits` k: integer sums are exact only below 2^k (float32: 24). The exact regime keeps
 *   every Σ|w·x| + |b| below 2^k.
 *
 * The limits are set for the duration of a run (`withDataLimits`), like the case memory: the
 * catalog's generators read them through `problemData` without every property passing them on.
 * Without limits (the default, and for any kernel whose probe found IEEE behaviour) the data are
 * exactly what they were before: the same draws, the same values.
 */
import { PRECISION_FACTS } from '../precision.js';

/** Limits the generated data keep to; every field optional (absent: no limit beyond the precision's own). */
export interface DataLimits {
  /** Results of magnitude below 2^P may be lost: the float regime keeps every nonzero intermediate ≥ 2^P. */
  readonly lostBelowExponent?: number;
  /** Integer sums are exact only below 2^k: the exact regime keeps Σ|w·x| + |b| < 2^k. */
  readonly exactBits?: number;
}

let active: DataLimits = {};

/** The limits in force (an empty object outside `withDataLimits`). */
export function currentDataLimits(): DataLimits {
  return active;
}

/**
 * Runs `work` with `limits` in force for `problemData`, restoring the previous limits afterwards.
 * Runs nest; two runs in one thread at the same time would share them (convcheck runs one at a time).
 * @example await withDataLimits({ lostBelowExponent: -125 }, () => runProperties())
 */
export async function withDataLimits<T>(limits: DataLimits, work: () => Promise<T>): Promise<T> {
  const restore = enterDataLimits(limits);
  try {
    return await work();
  } finally {
    restore();
  }
}

/** Puts `limits` in force and returns the function that restores the previous ones (for a `finally`). */
export function enterDataLimits(limits: DataLimits): () => void {
  const before = active;
  active = limits;
  return () => {
    active = before;
  };
}

/** Significand bits of a float32 value minus one: x = m·2^e with m a 24-bit significand is a multiple of 2^(e−23). */
const F32_FRACTION_BITS = PRECISION_FACTS.float32.significandBits - 1;

/**
 * How far the float regime must raise the base exponents of x and w so that every product's
 * granularity 2^(eₓ+e_w−46) stays ≥ 2^P, given the lowest exponents `xLow` and `wLow` it would
 * draw: `[dx, dw]`, both ≥ 0 (0, 0 when there is no limit or it is already met). The smaller side
 * (the tiny one) rises first, so the wide range between x and w is kept as far as P allows.
 */
export function floatShift(xLow: number, wLow: number, limits: DataLimits = active): [number, number] {
  const P = limits.lostBelowExponent;
  if (P === undefined) return [0, 0];
  const deficit = P - (xLow + wLow - 2 * F32_FRACTION_BITS);
  if (deficit <= 0) return [0, 0];
  if (xLow < wLow) {
    const dx = Math.min(deficit, wLow - xLow);
    const rest = deficit - dx;
    return [dx + Math.ceil(rest / 2), Math.floor(rest / 2)];
  }
  const dw = Math.min(deficit, xLow - wLow);
  const rest = deficit - dw;
  return [Math.floor(rest / 2), dw + Math.ceil(rest / 2)];
}
