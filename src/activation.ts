/**
 * Fused activations, as part of the kernel contract: `attrs.activation` of conv (and of every
 * operator that takes one) is applied to each output element after the bias — y = φ(Σ w·x + b),
 * what tfjs `fused.conv2d` / `fused.matMul`, onnxruntime's `FusedConv` and XNNPACK's output
 * clamps compute. Absent means none. A kernel declares the kinds it fuses in
 * `capabilities.activations` and is never handed another.
 *
 * The error bound carries through φ (see the README, "Fused activations"): if the pre-activation
 * value ŷ is within B of y, then |φ(ŷ) − φ(y)| ≤ L·B for φ with Lipschitz constant L — relu,
 * relu6 and clip are monotone and 1-Lipschitz and evaluated exactly (a selection, no rounding),
 * leakyRelu is max(1, |α|)-Lipschitz and rounds once (α·ŷ), sigmoid is ¼-Lipschitz and tanh
 * 1-Lipschitz, plus an allowance for evaluating them in the kernel's precision.
 */
import { InvalidArgumentError } from './errors.js';
import type { Precision } from './contract.js';

/** A fused activation. */
export type Activation =
  | { readonly kind: 'relu' }
  | { readonly kind: 'relu6' }
  | { readonly kind: 'clip'; readonly min: number; readonly max: number }
  | { readonly kind: 'leakyRelu'; readonly alpha: number }
  | { readonly kind: 'sigmoid' }
  | { readonly kind: 'tanh' };

/** The kinds of fused activation. */
export type ActivationKind = Activation['kind'];

/** Every kind, in the order reports list them. */
export const ACTIVATION_KINDS: readonly ActivationKind[] = ['relu', 'relu6', 'clip', 'leakyRelu', 'sigmoid', 'tanh'];

/**
 * Rejects an activation that is not one of the kinds with valid parameters: clip needs finite
 * or infinite min ≤ max (neither NaN), leakyRelu a finite alpha. Undefined (none) passes.
 */
export function checkActivation(fn: string, activation: unknown): asserts activation is Activation | undefined {
  if (activation === undefined) return;
  if (activation === null || typeof activation !== 'object' || !ACTIVATION_KINDS.includes((activation as { kind: ActivationKind }).kind)) {
    throw new InvalidArgumentError(
      fn,
      'activation',
      activation,
      `activation must be one of ${ACTIVATION_KINDS.map((k) => `{kind: '${k}'}`).join(', ')} (clip with min and max, leakyRelu with alpha), got ${JSON.stringify(activation)}`,
    );
  }
  const a = activation as Activation;
  if (a.kind === 'clip') {
    const { min, max } = a;
    if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max)) {
      throw new InvalidArgumentError(fn, 'activation', a, `clip min and max must be numbers (not NaN), got min ${String(min)}, max ${String(max)}`);
    }
    if (min > max) throw new InvalidArgumentError(fn, 'activation', a, `clip min (${min}) must be <= max (${max})`);
  }
  if (a.kind === 'leakyRelu' && (typeof a.alpha !== 'number' || !Number.isFinite(a.alpha))) {
    throw new InvalidArgumentError(fn, 'activation', a, `leakyRelu alpha must be a finite number, got ${String(a.alpha)}`);
  }
}

/** φ(v) in float64 (NaN stays NaN for every kind). */
export function applyActivation(a: Activation | undefined, v: number): number {
  if (a === undefined || Number.isNaN(v)) return v;
  switch (a.kind) {
    case 'relu':
      return v > 0 ? v : 0;
    case 'relu6':
      return v > 0 ? (v < 6 ? v : 6) : 0;
    case 'clip':
      return v < a.min ? a.min : v > a.max ? a.max : v;
    case 'leakyRelu':
      return v >= 0 ? v : a.alpha * v;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh(v);
  }
}

/** Applies φ to every element of `out`, in place (one rounding to `out`'s type per element). */
export function applyActivationInPlace(a: Activation | undefined, out: Float32Array | Float64Array): void {
  if (a === undefined) return;
  for (let i = 0; i < out.length; i++) out[i] = applyActivation(a, out[i]);
}

/** One-line description: `relu`, `clip(-1,6)`, `leakyRelu(0.1)`. */
export function describeActivation(a: Activation | undefined): string {
  if (a === undefined) return 'none';
  if (a.kind === 'clip') return `clip(${a.min},${a.max})`;
  if (a.kind === 'leakyRelu') return `leakyRelu(${a.alpha})`;
  return a.kind;
}

/**
 * Units of roundoff allowed for evaluating sigmoid or tanh in the kernel's precision, as an
 * absolute error (both are bounded by 1 in magnitude). A correctly rounded evaluation needs
 * ½; library `exp`/`tanh` and the division 1/(1+e⁻ˣ) add a few ulps each, and vectorised
 * rational approximations (onnxruntime's MLAS, XNNPACK) document errors of a few ulps. 16 covers
 * those while staying 10⁵ times below the smallest wrong-activation error we generate.
 */
export const TRANSCENDENTAL_ULPS = 16;

/**
 * The bound on |φ̂(ŷ) − φ(y)| given |ŷ − y| ≤ `pre` (the pre-activation bound of that element) and
 * the exact activated value `post` = φ(y): L·pre plus the rounding of φ's own evaluation
 * (none for relu, relu6 and clip, one rounding of α·ŷ for leakyRelu, `TRANSCENDENTAL_ULPS`·u for
 * sigmoid and tanh). Twice `pre` when both sides are kernel results (`kernelOnBothSides`).
 */
export function activationBound(a: Activation | undefined, pre: number, post: number, precision: Precision): number {
  if (a === undefined) return pre;
  const u = precision === 'float16' ? 2 ** -11 : precision === 'float32' ? 2 ** -24 : 2 ** -53;
  switch (a.kind) {
    case 'relu':
    case 'relu6':
    case 'clip':
      return pre;
    case 'leakyRelu': {
      const L = Math.max(1, Math.abs(a.alpha));
      return L * pre * (1 + u) + u * Math.abs(post);
    }
    case 'sigmoid':
      return 0.25 * pre + TRANSCENDENTAL_ULPS * u;
    case 'tanh':
      return pre + TRANSCENDENTAL_ULPS * u;
  }
}

/** Whether φ keeps exact-regime results exact (a selection, or α a power of two or zero). */
export function activationIsExact(a: Activation | undefined): boolean {
  if (a === undefined) return true;
  if (a.kind === 'sigmoid' || a.kind === 'tanh') return false;
  if (a.kind === 'leakyRelu') return a.alpha === 0 || Number.isInteger(Math.log2(Math.abs(a.alpha)));
  return true;
}
