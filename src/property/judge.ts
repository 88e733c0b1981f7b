/** Judging outputs: a value to compare against, and the comparison in each data regime. */
import type { Activation } from '../activation.js';
import { activationBound, applyActivation } from '../activation.js';
import { compareOutputs, gamma, outputBounds, UNIT_ROUNDOFF } from '../bound/error-bound.js';
import type { Precision } from '../contract.js';
import { stridesOf } from '../tensor.js';
import type { Regime } from '../vocabulary.js';
import { wholeTensor } from '../vocabulary.js';
import { PropertyViolation } from './violation.js';

/** A value to compare against: its numbers, and for the float regime Σ|terms| and term count. */
export interface Expectation {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
  /** Σ|w·x| + |b| per element (float regime), from the reference. */
  readonly magnitude: ArrayLike<number>;
  /** Terms per element (reduction length + bias). */
  readonly terms: number;
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
  const values = Float64Array.from(e.values, (v) => applyActivation(activation, v));
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

/**
 * Judges `actual` (computed by the kernel) against `expected`.
 * exact / special regimes: equality (special values must match as IEEE-754 says).
 * float regime: |actual − expected| ≤ bound, where bound is the kernel's error bound for the
 * expected value — plus, when `expected` was itself computed by the kernel under test
 * (`kernelComputed` with its own term count), that computation's bound too.
 */
export function judge(
  label: string,
  precision: Precision,
  regime: Regime,
  actual: ArrayLike<number>,
  expected: Expectation,
  options: { actualTerms?: number; expectedFromKernel?: boolean } = {},
): void {
  let bounds: Float64Array | number = 0;
  if (regime === 'float') {
    const pre = expected.preActivation ?? expected.values;
    const own = outputBounds(options.actualTerms ?? expected.terms, expected.magnitude, pre, precision);
    if (options.expectedFromKernel) {
      const other = outputBounds(expected.terms, expected.magnitude, pre, precision);
      for (let i = 0; i < own.length; i++) own[i] += other[i];
    }
    if (expected.accumulation === 'plain64') {
      for (let i = 0; i < own.length; i++) own[i] += judgeError('plain64', expected.terms, expected.magnitude[i], pre[i]);
    }
    if (expected.activation !== undefined) {
      for (let i = 0; i < own.length; i++) own[i] = activationBound(expected.activation, own[i], expected.values[i], precision);
    }
    bounds = own;
  }
  const m = compareOutputs(expected.shape, actual, expected.values, bounds);
  if (!m) return;
  const total = expected.values.length;
  const whole = { expected: wholeTensor(expected.shape, expected.values), actual: wholeTensor(expected.shape, actual) };
  throw new PropertyViolation({
    kind: 'mismatch',
    message: `${label}: ${m.count} of ${total} output element${total === 1 ? '' : 's'} ${regime === 'float' ? 'exceed the error bound' : 'differ'}`,
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
