/**
 * Test data for a problem, derived deterministically from a seed, in one of three regimes:
 * - `exact`: small integers such that every partial sum is exactly representable in float32
 *   (reduction length · max|x| · max|w| + max|b| < 2²⁴), so any difference at all is a bug;
 * - `float`: float32-representable values over several magnitudes, mixed signs, sparse zeros;
 *   judged by the forward error bound in `bound/error-bound.ts`;
 * - `special`: the exact regime plus a few NaN / ±Infinity, which must propagate as IEEE-754 says.
 */
import type { Regime } from '../vocabulary.js';
import { Prng } from './prng.js';

/** Data for a conv or dense problem, as float32-representable float64 values. */
export interface ProblemData {
  readonly x: Float64Array;
  readonly w: Float64Array;
  readonly b: Float64Array | undefined;
}

/** Sizes needed to fill a problem's tensors. */
export interface DataLayout {
  readonly xSize: number;
  readonly wSize: number;
  /** Number of biases, 0 for none. */
  readonly bSize: number;
  /** Products summed per output (excluding the bias). */
  readonly reductionLength: number;
  /** Whether non-finite values may go into w and b (false when padding taps exist; see README). */
  readonly specialWeights: boolean;
}

/** Options of `problemData`. */
export interface DataOptions {
  /**
   * Exact regime: how many such results may later be added together exactly (e.g. 2 for
   * linearity checks, which add two outputs). Shrinks the integer range accordingly.
   */
  readonly headroom?: number;
}

const TWO_24 = 2 ** 24;
const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** Integer ranges of the exact regime: n·B² + Bb < 2²⁴ / headroom. */
export function exactRanges(reductionLength: number, headroom = 1): { xw: number; bias: number } {
  const budget = TWO_24 / headroom - 1;
  const bias = Math.max(0, Math.min(64, Math.floor(budget / 4)));
  const xw = Math.max(1, Math.min(8, Math.floor(Math.sqrt((budget - bias) / Math.max(1, reductionLength)))));
  return { xw, bias };
}

function fillExact(rng: Prng, out: Float64Array, max: number, zeroChance: number): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.chance(zeroChance) ? 0 : rng.int(-max, max);
}

/** Magnitude classes of the float regime, as base-2 exponents. */
const SCALES = { tiny: -100, unit: 0, large: 40 } as const;
type Scale = keyof typeof SCALES;

/**
 * Float32 values m·2^(base+e) with m uniform in [1, 2), e uniform in ±spread, optional all-positive
 * sign and sparse zeros. Tiny × unit products stay ≥ 2⁻¹²⁶ (normal), so no product underflows and
 * the error model without an underflow term applies; large × large stays far below float32's max.
 */
function fillFloat(rng: Prng, out: Float64Array, scale: Scale, spread: number, positive: boolean, zeroChance: number): void {
  const base = SCALES[scale];
  for (let i = 0; i < out.length; i++) {
    if (rng.chance(zeroChance)) {
      out[i] = 0;
      continue;
    }
    const e = base + rng.int(-spread, spread);
    const sign = positive || rng.chance(0.5) ? 1 : -1;
    out[i] = Math.fround(sign * (1 + rng.next()) * 2 ** e);
  }
}

/** Generates the data of a problem in the given regime from `seed`. */
export function problemData(layout: DataLayout, regime: Regime, seed: number, options: DataOptions = {}): ProblemData {
  const rng = new Prng(seed);
  const x = new Float64Array(layout.xSize);
  const w = new Float64Array(layout.wSize);
  const b = layout.bSize > 0 ? new Float64Array(layout.bSize) : undefined;
  if (regime === 'float') {
    const xScale: Scale = rng.pick(['tiny', 'unit', 'unit', 'large'] as const);
    // never tiny × tiny: their products would underflow float32
    const wScale: Scale = xScale === 'tiny' ? rng.pick(['unit', 'large'] as const) : rng.pick(['tiny', 'unit', 'unit', 'large'] as const);
    const spread = rng.pick([0, 2, 6]);
    const positive = rng.chance(0.25);
    const zeros = rng.pick([0, 0, 0.3]);
    fillFloat(rng, x, xScale, spread, positive, zeros);
    fillFloat(rng, w, wScale, spread, positive, zeros);
    if (b) {
      // bias on the scale of a typical product, so it neither vanishes nor dominates
      const e = SCALES[xScale] + SCALES[wScale];
      for (let i = 0; i < b.length; i++) b[i] = Math.fround((rng.chance(0.5) ? 1 : -1) * (1 + rng.next()) * 2 ** (e + rng.int(-4, 4)));
    }
    return { x, w, b };
  }
  const { xw, bias } = exactRanges(layout.reductionLength, options.headroom);
  const zeros = rng.pick([0, 0.1, 0.4]);
  fillExact(rng, x, xw, zeros);
  fillExact(rng, w, xw, zeros);
  if (b) fillExact(rng, b, bias, 0);
  if (regime === 'special') {
    const targets: Float64Array[] = [x];
    if (layout.specialWeights) {
      targets.push(w);
      if (b) targets.push(b);
    }
    const count = rng.int(1, 3);
    for (let i = 0; i < count; i++) {
      const t = rng.pick(targets);
      t[rng.int(0, t.length - 1)] = rng.pick(SPECIALS);
    }
  }
  return { x, w, b };
}
