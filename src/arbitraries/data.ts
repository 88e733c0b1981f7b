/**
 * Test data for a problem, derived deterministically from a seed, in one of three regimes:
 * - `exact`: small integers such that every partial sum is exactly representable in float32
 *   (reduction length · max|x| · max|w| + max|b| < 2²⁴), so any difference at all is a bug;
 * - `float`: float32-representable values over several magnitudes, mixed signs, sparse zeros;
 *   judged by the forward error bound in `bound/error-bound.ts`;
 * - `special`: the exact regime plus a few NaN / ±Infinity, which must propagate as IEEE-754 says.
 *
 * For float16 kernels (`precision: 'float16'`) the same regimes are scaled to binary16: exact
 * integers whose every partial sum stays below 2¹¹ (float16 has 11 significand bits), and float
 * data inside float16's normal range such that no product is subnormal and no sum overflows.
 */
import type { Precision } from '../contract.js';
import type { Regime } from '../vocabulary.js';
import { PRECISION_FACTS, type PrecisionFacts } from '../precision.js';
import { caseArray } from './case-memory.js';
import { currentDataLimits, floatShift } from './data-limits.js';
import { Prng } from './prng.js';
import { wasmFillExact, wasmFillScaled } from './wasm-fill.js';

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
  /** Whether non-finite values may go into w and b (false when padding taps exist; see docs/precision.md, the special regime). */
  readonly specialWeights: boolean;
}

/** Options of `problemData`. */
export interface DataOptions {
  /**
   * Exact regime: how many such results may later be added together exactly (e.g. 2 for
   * linearity checks, which add two outputs). Shrinks the integer range accordingly.
   */
  readonly headroom?: number;
  /** The kernel's storage precision: float16 scales the regimes to binary16 (default float32). */
  readonly precision?: Precision;
  /**
   * `x`: fill x only, leaving w and b zero — x is the same as with `all` (it is drawn first), and
   * a caller that reads only x does not pay for a layer's 10⁸ weights. Default `all`.
   */
  readonly fill?: 'x' | 'all';
}

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
/** Mixed into a case's data seed for the special values' own stream. */
const SPECIAL_STREAM = 0x5bd1e995;

/**
 * Integer ranges of the exact regime: n·B² + Bb < 2²⁴ / headroom (2¹¹ / headroom for float16).
 * When even B = 1 does not fit (float16 with long reductions), `nonzeroWeights` caps the number
 * of non-zero weights per output channel, so every sum still has at most that many non-zero terms.
 */
export function exactRanges(
  reductionLength: number,
  headroom = 1,
  precision: Precision = 'float32',
): { xw: number; bias: number; nonzeroWeights: number } {
  // a kernel whose integer sums are exact only below 2^k (its probe, `data-limits.ts`) gets that budget
  const bits = currentDataLimits().exactBits;
  const facts = PRECISION_FACTS[precision];
  const own = facts.exactSumLimit;
  const budget = (bits === undefined ? own : Math.min(own, 2 ** bits)) / headroom - 1;
  const bias = Math.max(0, Math.min(facts.exactBiasMax, Math.floor(budget / 4)));
  const n = Math.max(1, reductionLength);
  const xw = Math.max(1, Math.min(8, Math.floor(Math.sqrt((budget - bias) / n))));
  const nonzeroWeights = n * xw * xw <= budget - bias ? n : Math.floor((budget - bias) / (xw * xw));
  return { xw, bias, nonzeroWeights };
}

/** Zeroes all but `keep` randomly chosen entries of each row of `rowLength` (the weights of one output channel). */
function capNonzeros(rng: Prng, w: Float64Array, rowLength: number, keep: number): void {
  if (keep >= rowLength) return;
  for (let start = 0; start + rowLength <= w.length; start += rowLength) {
    const kept = new Map<number, number>();
    for (let i = 0; i < keep; i++) {
      const at = start + rng.int(0, rowLength - 1);
      kept.set(at, w[at]);
    }
    w.fill(0, start, start + rowLength);
    for (const [at, v] of kept) w[at] = v;
  }
}

/** Whether the bulk fills run in WebAssembly where it is available (bit-identical; off in tests that compare the two). */
let wasmFills = true;

/** Turns the WebAssembly bulk fills on or off (the JavaScript loops are their specification). */
export function useWasmFills(on: boolean): void {
  wasmFills = on;
}

/** Large fills only: the module's set-up and chunk copies are not worth it for a few values. */
const WASM_FILL_MIN = 4096;

function fillExact(rng: Prng, out: Float64Array, max: number, zeroChance: number): void {
  if (wasmFills && out.length >= WASM_FILL_MIN && wasmFillExact(rng, out, max, zeroChance)) return;
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
function fillFloat(rng: Prng, out: Float64Array, scale: Scale, spread: number, positive: boolean, zeroChance: number, shift = 0): void {
  const base = SCALES[scale] + shift;
  // 2^e for the 2·spread + 1 exponents, looked up instead of computed per element (the same
  // values and the same draws as `2 ** e`: a production layer has up to 10⁸ weights)
  const powers = Float64Array.from({ length: 2 * spread + 1 }, (_, i) => 2 ** (base - spread + i));
  if (wasmFills && out.length >= WASM_FILL_MIN && wasmFillScaled(rng, out, powers, spread, positive, zeroChance)) return;
  for (let i = 0; i < out.length; i++) {
    if (rng.chance(zeroChance)) {
      out[i] = 0;
      continue;
    }
    const e = rng.int(-spread, spread) + spread;
    const sign = positive || rng.chance(0.5) ? 1 : -1;
    out[i] = Math.fround(sign * (1 + rng.next()) * powers[e]);
  }
}

/**
 * Float data drawn in a format narrower than float32 (float16): m·2^(e) with m in [1, 2) rounded
 * to the format, per-tensor base exponents and spreads chosen so every product lies in
 * [2^e_min, 2^P) with n·2^P ≤ 2^e_max (e_min, e_max: the format's smallest normal and largest
 * power of two, −14 and 15 for float16): products are normal, and no partial sum (≤ Σ|terms|)
 * comes near the format's largest value.
 */
function fillNarrow(
  rng: Prng,
  layout: DataLayout,
  x: Float64Array,
  w: Float64Array,
  b: Float64Array | undefined,
  format: PrecisionFacts,
): void {
  const eMin = Math.log2(format.minNormal);
  const eMax = Math.floor(Math.log2(format.max));
  const P = Math.floor(eMax - Math.log2(layout.reductionLength + 2));
  const sx = rng.pick([0, 1, 2]);
  const sw = rng.pick([0, 1, 2]);
  // product exponents range over [bx + bw − sx − sw, bx + bw + sx + sw + 2)
  const lo = eMin + sx + sw;
  const hi = P - sx - sw - 2;
  const sum = rng.pick([lo, Math.max(lo, Math.min(hi, 0)), hi]);
  // each value itself normal (≥ 2^e_min) and below 2^e_max, x and w within 2¹² of each other's scale
  const bx = rng.int(Math.max(eMin + sx, sum - (eMax - 1) + sw, sum - 12), Math.min(eMax - 1 - sx, sum - eMin - sw, sum + 12));
  const bw = sum - bx;
  const positive = rng.chance(0.25);
  const zeros = rng.pick([0, 0, 0.3]);
  const fill = (out: Float64Array, base: number, spread: number) => {
    for (let i = 0; i < out.length; i++) {
      if (rng.chance(zeros)) continue;
      const sign = positive || rng.chance(0.5) ? 1 : -1;
      out[i] = format.round(sign * (1 + rng.next()) * 2 ** (base + rng.int(-spread, spread)));
    }
  };
  fill(x, bx, sx);
  fill(w, bw, sw);
  if (b) {
    // on the scale of a typical product, kept normal
    for (let i = 0; i < b.length; i++)
      b[i] = format.round((rng.chance(0.5) ? 1 : -1) * (1 + rng.next()) * 2 ** Math.max(eMin, Math.min(hi, sum + rng.int(-2, 2))));
  }
}

/** Generates the data of a problem in the given regime from `seed`. */
export function problemData(layout: DataLayout, regime: Regime, seed: number, options: DataOptions = {}): ProblemData {
  const rng = new Prng(seed);
  const x = caseArray(layout.xSize);
  const w = caseArray(layout.wSize);
  const b = layout.bSize > 0 ? caseArray(layout.bSize) : undefined;
  const precision = options.precision ?? 'float32';
  // the data are drawn in the table's data format: float16 in float16, float32 and float64
  // kernels float32-representable; a format narrower than float32 has its own float generator
  const format = PRECISION_FACTS[PRECISION_FACTS[precision].data];
  const narrow = format.bits < 32;
  if (regime === 'float' && narrow) {
    // (x and w are drawn interleaved with their scales here: `fill` does not apply)
    fillNarrow(rng, layout, x, w, b, format);
    return { x, w, b };
  }
  if (regime === 'float') {
    const xScale: Scale = rng.pick(['tiny', 'unit', 'unit', 'large'] as const);
    // never tiny × tiny: their products would underflow float32
    const wScale: Scale = xScale === 'tiny' ? rng.pick(['unit', 'large'] as const) : rng.pick(['tiny', 'unit', 'unit', 'large'] as const);
    const spread = rng.pick([0, 2, 6]);
    const positive = rng.chance(0.25);
    const zeros = rng.pick([0, 0, 0.3]);
    // a platform that loses results below 2^P (data-limits.ts) gets magnitudes raised until no
    // nonzero intermediate value can fall below it; no limit: no shift, the same data as ever
    const [dx, dw] = floatShift(SCALES[xScale] - spread, SCALES[wScale] - spread);
    fillFloat(rng, x, xScale, spread, positive, zeros, dx);
    if (options.fill === 'x') return { x, w, b };
    fillFloat(rng, w, wScale, spread, positive, zeros, dw);
    if (b) {
      // bias on the scale of a typical product, so it neither vanishes nor dominates
      const e = SCALES[xScale] + SCALES[wScale] + dx + dw;
      for (let i = 0; i < b.length; i++) b[i] = Math.fround((rng.chance(0.5) ? 1 : -1) * (1 + rng.next()) * 2 ** (e + rng.int(-4, 4)));
    }
    return { x, w, b };
  }
  const { xw, bias, nonzeroWeights } = exactRanges(layout.reductionLength, options.headroom, precision);
  const zeros = rng.pick([0, 0.1, 0.4]);
  fillExact(rng, x, xw, zeros);
  if (options.fill === 'x') return { x, w, b };
  fillExact(rng, w, xw, zeros);
  if (narrow) capNonzeros(rng, w, Math.max(1, layout.reductionLength), nonzeroWeights);
  if (b) fillExact(rng, b, bias, 0);
  if (regime === 'special') {
    const targets: Float64Array[] = [x];
    if (layout.specialWeights) {
      targets.push(w);
      if (b) targets.push(b);
    }
    // A stream of their own, placed at a fraction of the tensor's length: as the shrinker makes the
    // shapes smaller, the specials stay in the same tensor at the same relative place (x's size no
    // longer moves w's draws), so a failure that needs them keeps failing while it shrinks.
    const sr = new Prng(seed ^ SPECIAL_STREAM);
    const count = sr.int(1, 3);
    for (let i = 0; i < count; i++) {
      const t = sr.pick(targets);
      t[Math.min(t.length - 1, Math.floor(sr.next() * t.length))] = sr.pick(SPECIALS);
    }
  }
  return { x, w, b };
}
