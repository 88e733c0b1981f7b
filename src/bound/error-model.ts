/**
 * What a kernel promises about its arithmetic, and the per-element bounds that promise implies.
 *
 * A kernel declares its storage `precision` (inputs and output), optionally a wider `accumulation`
 * (float16 storage with float32 accumulation is how WebGPU and mobile kernels run), and an error
 * model:
 *
 * - `elementwise` (default; direct and GEMM-based algorithms in any order and blocking): each
 *   output element i is bounded by its own terms,
 *
 *       |ŷᵢ − yᵢ| ≤ 2·γ(n, u_acc)·(Σ|w·x| + |b|)ᵢ + 2·u_store·|yᵢ| + η_store
 *
 * - `normwise` with `errorFactor` κ ≥ 1 (Winograd, FFT and other transform algorithms, whose
 *   rounding errors scale with the norms of the data rather than with each element's terms):
 *
 *       |ŷᵢ − yᵢ| ≤ κ·γ(n, u_acc)·max_{j ∈ map(i)} (Σ|w·x| + |b|)ⱼ + 2·u_store·|yᵢ| + η_store
 *
 *   where map(i) is i's output map (the same batch item and output channel: all spatial
 *   positions). The normwise bound applies in the exact regime too: a transform algorithm is not
 *   exact on integer data (F(4×4, 3×3) multiplies by 1/6 and 1/24).
 *
 * γ(n, u) = n·u/(1 − n·u) with n the terms per output (reduction length, plus one for the bias)
 * and u_acc the unit roundoff of the accumulation: the products of two float16 values are exact
 * in float32, so a float32 accumulator of float16 data commits only the float32 summation error.
 * 2·u_store·|y| is the final rounding of the accumulator into the storage precision (plus the
 * reference's own, far smaller, rounding). η_store is the absolute error of that rounding when the
 * result falls into the subnormal range of the storage format, which cancellation can reach even
 * though no product is subnormal: 2⁻²⁵ for float16 (half its subnormal spacing); 0 for float32 and
 * float64, whose generated results stay normal.
 */
import type { ErrorModel, Precision } from '../contract.js';
import type { NumericPromise } from '../vocabulary.js';
import { isPrecision, PRECISION_FACTS, perPrecision, precisionList } from '../precision.js';
import { gamma, UNIT_ROUNDOFF } from './error-bound.js';

export type { ErrorModel, NumericPromise };

/** The fields of a kernel that make up its numeric promise. */
export interface NumericFields {
  readonly precision: Precision;
  readonly accumulation?: Precision;
  readonly errorModel?: ErrorModel;
  readonly errorFactor?: number;
}

/** Fills the defaults: accumulation = precision, elementwise model, κ = 1. */
export function completeNumerics(k: NumericFields): NumericPromise {
  const errorModel = k.errorModel ?? 'elementwise';
  return {
    precision: k.precision,
    accumulation: k.accumulation ?? k.precision,
    errorModel,
    errorFactor: errorModel === 'normwise' ? (k.errorFactor ?? 1) : 1,
  };
}

/** Absolute error of one rounding into a result in the storage format's subnormal range (see the module comment). */
export const SUBNORMAL_ROUNDING: Readonly<Record<Precision, number>> = perPrecision((f) => f.subnormalRounding);

/** One line naming the promise, for reports: `float16 storage, float32 accumulation, normwise κ = 12`. */
export function describeNumerics(p: NumericPromise): string {
  const acc = p.accumulation === p.precision ? p.precision : `${p.precision} storage, ${p.accumulation} accumulation`;
  return `${acc}, ${p.errorModel === 'normwise' ? `normwise error model, κ = ${p.errorFactor}` : 'elementwise error model'}`;
}

/**
 * Per-element bounds for an output of `shape` (`[N, M, …spatial]`; `[N, M]` for dense, whose maps
 * are single elements) whose elements are `n`-term sums with magnitudes Σ|terms| and values
 * `expected`. Non-finite magnitudes (special values) are left out of a map's maximum; such
 * elements are judged by IEEE-754 rules, not by a bound. `mapScale` (one per map) extends a map's
 * maximum to positions outside it — for conv, every shift of the full stride-1 correlation
 * (`operators/conv/correlation-scale.ts`), where a transform algorithm's inputs meet its weights.
 */
export function modelBounds(
  p: NumericPromise,
  n: number,
  magnitude: ArrayLike<number>,
  expected: ArrayLike<number>,
  shape: readonly number[],
  mapScale?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(magnitude.length);
  const g = gamma(n, UNIT_ROUNDOFF[p.accumulation]);
  const us = UNIT_ROUNDOFF[p.precision];
  const eta = SUBNORMAL_ROUNDING[p.precision];
  if (p.errorModel === 'elementwise') {
    // a sum of zeros is exact: no γ term, even where γ is infinite (∞·0 would be NaN and reject an exact 0)
    for (let i = 0; i < out.length; i++) out[i] = (magnitude[i] === 0 ? 0 : 2 * g * magnitude[i]) + 2 * us * Math.abs(expected[i]) + eta;
    return out;
  }
  const mapSize = shape.length > 2 ? shape.slice(2).reduce((a, b) => a * b, 1) : 1;
  for (let start = 0; start < out.length; start += mapSize) {
    let max = mapScale ? mapScale[start / mapSize] : 0;
    for (let i = start; i < start + mapSize; i++) if (Number.isFinite(magnitude[i]) && magnitude[i] > max) max = magnitude[i];
    const scale = max === 0 ? 0 : p.errorFactor * g * max;
    for (let i = start; i < start + mapSize; i++) out[i] = scale + 2 * us * Math.abs(expected[i]) + eta;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// κ for common algorithms.

/**
 * The transform matrices of a 1-D Winograd algorithm F(m, r): y = Aᵀ[(G·g) ⊙ (Bᵀ·d)], with
 * AT `[m][α]`, G `[α][r]`, BT `[α][α]`, α = m + r − 1. The 2-D algorithm F(m×m, r×r) nests them.
 */
export interface WinogradMatrices {
  readonly AT: ReadonlyArray<readonly number[]>;
  readonly G: ReadonlyArray<readonly number[]>;
  readonly BT: ReadonlyArray<readonly number[]>;
}

/** Lavin & Gray's F(2, 3). */
export const WINOGRAD_F2x3: WinogradMatrices = {
  AT: [
    [1, 1, 1, 0],
    [0, 1, -1, -1],
  ],
  G: [
    [1, 0, 0],
    [1 / 2, 1 / 2, 1 / 2],
    [1 / 2, -1 / 2, 1 / 2],
    [0, 0, 1],
  ],
  BT: [
    [1, 0, -1, 0],
    [0, 1, 1, 0],
    [0, -1, 1, 0],
    [0, 1, 0, -1],
  ],
};

/** Lavin & Gray's F(4, 3) (interpolation points 0, ±1, ±2, ∞). */
export const WINOGRAD_F4x3: WinogradMatrices = {
  AT: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ],
  G: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  BT: [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1],
  ],
};

/**
 * κ of a 2-D Winograd algorithm F(m×m, r×r) computed in precision u (default float32), from its
 * transform matrices (docs/precision.md, "Deriving κ"). Output i of a tile is
 * Σ_c Σ_{j,k} cᵢ(j,k)·d_{c,j}·g_{c,k} with cᵢ(j,k) = Σ_a |Aᵀ_{i,a}|·|Bᵀ_{a,j}|·|G_{a,k}| bounding
 * the rounding errors' coefficients; grouping the pairs (j, k) by their shift t = j − k, each group
 * Σ_c Σ_k |d_{c,t+k}||g_{c,k}| is the Σ|w·x| of one output, at most the map's maximum. So
 *
 *     |ŷᵢ − yᵢ| ≤ γ(L)·S·max Σ|w·x|,   S = (maxᵢ Σ_t max_k cᵢ(t+k, k))²   (the 2-D tensor product),
 *
 * with L = C + 2r + 4α + 8 roundings on the longest path (two G stages of inner length r, two Bᵀ
 * and two Aᵀ stages of inner length α, each with one rounding of its constant; the ⊙ product; the
 * channel sum; the bias). With n = C·r² (+1) terms, γ(L)/γ(n) is largest at C = 1, so
 * κ = S·γ(2r + 4α + 9)/γ(r²), rounded up.
 */
export function winogradErrorFactor(mats: WinogradMatrices, accumulation: Precision = 'float32'): number {
  const m = mats.AT.length;
  const r = mats.G[0].length;
  const alpha = mats.BT.length;
  let s1 = 0;
  for (let i = 0; i < m; i++) {
    const c = (j: number, k: number) => {
      if (j < 0 || j >= alpha) return 0;
      let v = 0;
      for (let a = 0; a < alpha; a++) v += Math.abs(mats.AT[i][a]) * Math.abs(mats.BT[a][j]) * Math.abs(mats.G[a][k]);
      return v;
    };
    let s = 0;
    for (let t = -(r - 1); t < alpha; t++) {
      let best = 0;
      for (let k = 0; k < r; k++) best = Math.max(best, c(t + k, k));
      s += best;
    }
    s1 = Math.max(s1, s);
  }
  const u = UNIT_ROUNDOFF[accumulation];
  const L = 2 * r + 4 * alpha + 9;
  return Math.ceil(s1 * s1 * (gamma(L, u) / gamma(r * r, u)) - 1e-9);
}

/**
 * κ of a radix-2 FFT convolution whose transforms have `length` = L points in all (the product of
 * the padded, power-of-two sizes over the axes), t = log₂L stages (docs/precision.md, "Deriving κ"). Every
 * FFT output is a sum of all L inputs with unit-modulus coefficients, built in t butterfly stages
 * that each commit at most η = μ + γ₄(√2 + μ) ≈ 6.7u (twiddles accurate to μ = u; Higham §24.1)
 * relative to the moduli feeding them, so |ΔX_f| ≤ t·η·‖x‖₁. The spectrum product, the channel
 * sum (C terms), the inverse transform and the bias give
 *
 *     |ŷᵢ − yᵢ| ≤ (3t·η + (C + 4)·u)·Σ_c ‖x_c‖₁·‖w_c‖₁,
 *
 * and Σ_c ‖x_c‖₁‖w_c‖₁ is the sum of Σ|w·x| over all ≤ L shifts of the full correlation, at most
 * L times the map's maximum. With n ≥ C terms, κ = L·(3t·η/u + 5) = L·(20·log₂L + 5), rounded up.
 */
export function fftErrorFactor(length: number): number {
  const t = Math.ceil(Math.log2(Math.max(2, length)));
  return Math.ceil(2 ** t * (20 * t + 5));
}

// ---------------------------------------------------------------------------------------------
// Validation of the numeric fields of a kernel (at load and in `verifyKernel`).

const show = (v: unknown): string =>
  typeof v === 'string'
    ? `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`
    : typeof v === 'number' || v === undefined || v === null
      ? String(v)
      : `a ${typeof v}`;

/**
 * What is wrong with a kernel's `precision`, `accumulation`, `errorModel` and `errorFactor`, as
 * one sentence naming the field and the value, or undefined when they are valid.
 */
export function numericFieldsProblem(k: Readonly<Record<string, unknown>>): string | undefined {
  if (!isPrecision(k.precision)) return `kernel.precision must be ${precisionList()}, got ${show(k.precision)}`;
  if (k.accumulation !== undefined) {
    if (!isPrecision(k.accumulation)) return `kernel.accumulation must be ${precisionList()}, got ${show(k.accumulation)}`;
    if (PRECISION_FACTS[k.accumulation].bits < PRECISION_FACTS[k.precision].bits) {
      return `kernel.accumulation (${show(k.accumulation)}) is narrower than kernel.precision (${show(k.precision)}); declare the narrower precision as precision`;
    }
  }
  if (k.errorModel !== undefined && k.errorModel !== 'elementwise' && k.errorModel !== 'normwise') {
    return `kernel.errorModel must be 'elementwise' or 'normwise', got ${show(k.errorModel)}`;
  }
  if (k.errorModel === 'normwise') {
    if (k.errorFactor === undefined) return `kernel.errorFactor (κ ≥ 1) is required with errorModel 'normwise'`;
    if (typeof k.errorFactor !== 'number' || !Number.isFinite(k.errorFactor) || k.errorFactor < 1) {
      return `kernel.errorFactor must be a finite number >= 1, got ${show(k.errorFactor)}`;
    }
  } else if (k.errorFactor !== undefined) {
    return `kernel.errorFactor (${show(k.errorFactor)}) applies only with errorModel 'normwise'`;
  }
  return undefined;
}
