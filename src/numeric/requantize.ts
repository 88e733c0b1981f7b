/**
 * Requantization as ONNX defines it for `QLinearConv` / `QLinearMatMul`, computed exactly, and
 * the window inside which correct implementations may legitimately differ from it by one unit.
 *
 * ONNX: y = saturate(round(acc · (x_scale · w_scale / y_scale)) + y_zero_point), rounding half to
 * even, where acc is the exact int32 accumulation (bias included). The scales are float32 values;
 * the reference takes them as the exact binary numbers they are and rounds the exact real value
 * r = acc · x_scale · w_scale / y_scale — in float64 where that decides the rounding, else with
 * BigInt arithmetic on the scales' integer significands.
 *
 * Implementations compute r approximately, in one of two ways:
 * - onnxruntime (MLAS) and XNNPACK's fp32 requantization: the multiplier M = x_scale·w_scale/y_scale
 *   in float32 (two roundings), acc converted to float32 (a rounding when |acc| > 2²⁴), their
 *   product in float32 (one rounding), then round-half-even;
 * - gemmlowp / XNNPACK fixed point: M from its float32 value as a 31-bit significand and a shift (a
 *   relative error below 2⁻³¹ < u), acc·M exactly in 64 bits, then one rounding shift.
 * Each rounding multiplies by (1 + δ), |δ| ≤ u = 2⁻²⁴, so the computed r̂ = r·(1 + θ) with
 * |θ| ≤ γ_k = k·u/(1 − k·u) for k inexact steps (Higham, Lemma 3.1). Round-half-even of r̂ can
 * differ from that of r only if a tie t = j + ½ lies between them: |r − t| ≤ γ_k·|r|. That is
 * the window; outside it every correct implementation must give exactly the reference's value.
 * The steps are exact — k counts nothing for them — when every scale is a power of two (M then is
 * one too, and every product by it exact) and |acc| ≤ 2²⁴ (exact in float32): then the window is
 * empty and even a tie must round to even. Saturation (after rounding) is monotone and adds nothing.
 * See docs/quantized.md.
 */
import { PRECISION_FACTS } from '../precision.js';

/** u of float32: the unit roundoff of the computations the window covers. */
const U32 = PRECISION_FACTS.float32.unitRoundoff;

/** Results beyond this magnitude saturate every 8-bit type whatever the rounding: no need to round them. */
const HUGE = 2 ** 40;

/** True when `v` is a positive power of two (a normal float64). */
export function isPowerOfTwo(v: number): boolean {
  if (!(v > 0) || !Number.isFinite(v)) return false;
  const { m } = exactParts(v);
  return m === 1n << 52n;
}

/**
 * The relative window γ_k of one requantized element (see the header): k = 4 unless all three
 * scales are powers of two (float32 multiplier: product and quotient; fixed-point significand;
 * the product with acc), plus 1 when |acc| > 2²⁴ (acc converted to float32). 0 when k = 0.
 */
export function requantizationWindow(xScale: number, wScale: number, yScale: number, acc: number): number {
  return windowOf(isPowerOfTwo(xScale) && isPowerOfTwo(wScale) && isPowerOfTwo(yScale), acc);
}

/** `requantizationWindow` given whether all three scales are powers of two. */
function windowOf(powersOfTwo: boolean, acc: number): number {
  const k = (powersOfTwo ? 0 : 4) + (Math.abs(acc) > 2 ** 24 ? 1 : 0);
  return k === 0 ? 0 : (k * U32) / (1 - k * U32);
}

/** One element requantized: the reference's integer, and the other integer a correct implementation may give. */
export interface Requantized {
  /** round-half-even(r), before the zero point and saturation (±2⁴⁰ for values that saturate anyway). */
  readonly q: number;
  /** The integer on the far side of a tie within the window, or undefined when there is none. */
  readonly alt: number | undefined;
}

/** Round half to even of a float64 value. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** The significand (an integer, as BigInt) and exponent of a finite float64: v = m·2^e. */
function exactParts(v: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { m: sign * frac, e: -1074 };
  return { m: sign * (frac | (1n << 52n)), e: biased - 1075 };
}

/**
 * The sign of r − t for r = acc·xScale·wScale/yScale and t = (2·j + 1)/2, exactly (−1, 0, 1).
 * With every factor m·2^e: 2·acc·mx·mw·2^(ex+ew) vs (2j + 1)·my·2^(ey), compared as integers.
 */
function compareToTie(acc: number, xScale: number, wScale: number, yScale: number, j: number): number {
  const x = exactParts(xScale);
  const w = exactParts(wScale);
  const y = exactParts(yScale);
  let left = 2n * BigInt(acc) * x.m * w.m;
  let right = BigInt(2 * j + 1) * y.m;
  const shift = x.e + w.e - y.e;
  if (shift >= 0) left <<= BigInt(shift);
  else right <<= BigInt(-shift);
  return left > right ? 1 : left < right ? -1 : 0;
}

/**
 * acc · xScale · wScale / yScale rounded half to even, exactly, with the alternative allowed by
 * `window` (a relative width, `requantizationWindow`). The float64 estimate r̃ has relative error
 * below 2⁻⁵¹ (x_scale·w_scale is exact in float64, then two roundings); where r̃ is farther than
 * 2⁻⁴⁹·|r̃| from the nearest tie it decides the rounding, else the exact comparison does.
 */
export function requantize(acc: number, xScale: number, wScale: number, yScale: number, window: number): Requantized {
  const est = (acc * (xScale * wScale)) / yScale;
  if (Math.abs(est) > HUGE) return { q: Math.sign(est) * HUGE, alt: undefined };
  const j = Math.floor(est); // the nearest tie is j + ½ (est ∈ [j, j + 1))
  const distance = Math.abs(est - (j + 0.5));
  const slack = 2 ** -49 * Math.abs(est);
  let side: number; // sign of r − (j + ½)
  if (distance > slack) side = est > j + 0.5 ? 1 : -1;
  else side = compareToTie(acc, xScale, wScale, yScale, j);
  const q = side > 0 ? j + 1 : side < 0 ? j : j % 2 === 0 ? j : j + 1;
  if (window === 0) return { q, alt: undefined };
  const inWindow = distance <= (window + 2 ** -48) * Math.abs(est) + slack;
  return { q, alt: inWindow ? (q === j ? j + 1 : j) : undefined };
}

/** `v` clamped to [lo, hi]. */
export function saturate(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** A requantized tensor: the reference's values (zero point added, saturated) and per element the allowed alternative (NaN: none). */
export interface RequantizedTensor {
  readonly values: Float64Array;
  readonly alternatives: Float64Array;
}

/**
 * Requantizes exact accumulations laid out `[…, channels, inner]` (conv: `[N, M, O…]` with
 * `inner` = ∏O; matmul: `[N, M]` with `inner` = 1): y = saturate(q + y_zero_point) with q from
 * `requantize` and w's scale of the element's channel; the alternative likewise, NaN when there is
 * none or when it saturates to the same value.
 */
export function requantizeTensor(
  acc: ArrayLike<number>,
  channels: number,
  inner: number,
  xScale: number,
  wScales: ArrayLike<number>,
  yScale: number,
  yZeroPoint: number,
  yRange: { readonly min: number; readonly max: number },
): RequantizedTensor {
  const values = new Float64Array(acc.length);
  const alternatives = new Float64Array(acc.length).fill(Number.NaN);
  const exact = Array.from({ length: channels }, (_, c) => isPowerOfTwo(xScale) && isPowerOfTwo(wScales[c]) && isPowerOfTwo(yScale));
  for (let i = 0; i < acc.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const r = requantize(acc[i], xScale, wScales[c], yScale, windowOf(exact[c], acc[i]));
    values[i] = saturate(r.q + yZeroPoint, yRange.min, yRange.max);
    if (r.alt !== undefined) {
      const alt = saturate(r.alt + yZeroPoint, yRange.min, yRange.max);
      if (alt !== values[i]) alternatives[i] = alt;
    }
  }
  return { values, alternatives };
}
