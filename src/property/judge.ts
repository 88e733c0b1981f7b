/** Judging outputs: a value to compare against, and the comparison in each data regime. */
import type { Activation } from '../activation.js';
import { applyActivationInPlace } from '../activation.js';
import { activationBound } from '../bound/activation-bound.js';
import { compareOutputs, gamma, UNIT_ROUNDOFF } from '../bound/error-bound.js';
import { completeNumerics, modelBounds } from '../bound/error-model.js';
import type { Precision } from '../contract.js';
import { stridesOf } from '../tensor.js';
import type { NumericPromise, Regime } from '../vocabulary.js';
import { boundedRegime, wholeTensor } from '../vocabulary.js';
import { PropertyViolation } from './violation.js';
import { judgeObserver, worstErrorOverBound } from './judge-observer.js';

/** A value to compare against: its numbers, and for the float regime Σ|terms| and term count. */
export interface Expectation {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
  /** Σ|w·x| + |b| per element (float regime), from the reference. */
  readonly magnitude: ArrayLike<number>;
  /** Terms per element (reduction length + bias). */
  readonly terms: number;
  /** Normwise model only: per output map, the scale that extends the map's largest magnitude (see `modelBounds`). */
  readonly mapScale?: ArrayLike<number>;
  /**
   * Set when `values` come from the plain-float64 judge (float32 kernels): its own error bound
   * γ(n)(2⁻⁵³)·Σ|terms| is added to the kernel's, so the judge can never reject a correct kernel.
   */
  readonly accumulation?: Accumulation;
  /**
   * A fused activation: `values` are φ(pre), `preActivation` the sums before it. The bound is
   * computed for the sums and carried through φ (`activationBound`).
   */
  readonly activation?: Activation;
  readonly preActivation?: ArrayLike<number>;
}

/** `e` with a fused activation applied: values φ(e.values), bounds carried through φ. */
export function activated(e: Expectation, activation: Activation | undefined): Expectation {
  if (activation === undefined) return e;
  // a copy, then φ in place: `Float64Array.from(values, fn)` goes through the iterator protocol
  // and took 4 s of the production run's fused-activation property
  const values = Float64Array.from(e.values);
  applyActivationInPlace(activation, values);
  return { ...e, values, preActivation: e.values, activation };
}

/** How a judge accumulated: `plain64` (fast judge, float32 kernels) or `compensated` (the reference). */
export type Accumulation = 'plain64' | 'compensated';

/**
 * The judge's own error bound for one element of an n-term sum with magnitude Σ|terms|:
 * γ(n)(2⁻⁵³)·magnitude for the plain-float64 judge, and for the compensated reference
 * u₆₄·|y| + γ(n)(2⁻⁵³)²·magnitude (Ogita–Rump–Oishi, Prop. 5.5).
 */
export function judgeError(accumulation: Accumulation, n: number, magnitude: number, y: number): number {
  const g = gamma(n, UNIT_ROUNDOFF.float64);
  return accumulation === 'plain64' ? g * magnitude : UNIT_ROUNDOFF.float64 * Math.abs(y) + g * g * magnitude;
}

/** Multi-index of a flat row-major index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const s = stridesOf(shape);
  return s.map((st, i) => Math.floor(flat / st) % shape[i]);
}

/** Another computation by the kernel that went into `actual` or `expected`, whose error bound adds. */
export interface KernelComputation {
  readonly magnitude: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly terms: number;
  readonly mapScale?: ArrayLike<number>;
}

/**
 * Judges `actual` (computed by the kernel) against `expected`, by the kernel's numeric promise
 * (`bound/error-model.ts`; a bare precision means the elementwise model).
 * exact / special regimes: equality (special values must match as IEEE-754 says) — except for a
 * normwise kernel, which is judged by its bound there too (transform algorithms are not exact).
 * float regime: |actual − expected| ≤ bound, where bound is the kernel's error bound for the
 * expected value — plus, when `expected` was itself computed by the kernel under test
 * (`expectedFromKernel`), that computation's bound too, and the bounds of any further
 * `kernelComputations` combined into either side.
 */
export function judge(
  label: string,
  numerics: Precision | NumericPromise,
  regime: Regime,
  actual: ArrayLike<number>,
  expected: Expectation,
  options: { actualTerms?: number; expectedFromKernel?: boolean; kernelComputations?: readonly KernelComputation[] } = {},
): void {
  const promise = typeof numerics === 'string' ? completeNumerics({ precision: numerics }) : numerics;
  const bounded = boundedRegime(regime) || promise.errorModel === 'normwise';
  let bounds: Float64Array | number = 0;
  if (bounded) {
    const pre = expected.preActivation ?? expected.values;
    const own = modelBounds(promise, options.actualTerms ?? expected.terms, expected.magnitude, pre, expected.shape, expected.mapScale);
    const others: KernelComputation[] = [
      ...(options.expectedFromKernel ? [{ ...expected, values: pre }] : []),
      ...(options.kernelComputations ?? []),
    ];
    for (const o of others) {
      const b = modelBounds(promise, o.terms, o.magnitude, o.values, expected.shape, o.mapScale);
      for (let i = 0; i < own.length; i++) own[i] += b[i];
    }
    if (expected.accumulation === 'plain64') {
      for (let i = 0; i < own.length; i++) own[i] += judgeError('plain64', expected.terms, expected.magnitude[i], pre[i]);
    }
    if (expected.activation !== undefined) {
      for (let i = 0; i < own.length; i++) own[i] = activationBound(expected.activation, own[i], expected.values[i], promise.precision);
    }
    bounds = own;
  }
  const m = compareOutputs(expected.shape, actual, expected.values, bounds);
  judgeObserver()?.(worstErrorOverBound(actual, expected.values, bounds));
  if (!m) return;
  const total = expected.values.length;
  const whole = { expected: wholeTensor(expected.shape, expected.values), actual: wholeTensor(expected.shape, actual) };
  throw new PropertyViolation({
    kind: 'mismatch',
    message: `${label}: ${m.count} of ${total} output element${total === 1 ? '' : 's'} ${bounded ? `exceed the ${promise.errorModel === 'normwise' ? `normwise (κ = ${promise.errorFactor}) ` : ''}error bound` : 'differ'}`,
    index: unravel(m.flatIndex, expected.shape),
    expected: m.expected,
    actual: m.actual,
    error: m.error,
    bound: m.bound,
    errorOverBound: m.ratio,
    heatmap: m.heatmap,
    ...(whole.expected && whole.actual ? { whole: { expected: whole.expected, actual: whole.actual } } : {}),
  });
}
