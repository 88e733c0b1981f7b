/**
 * Fused activations, as part of the kernel contract: `attrs.activation` of conv (and of every
 * operator that takes one) is applied to each output element after the bias — y = φ(Σ w·x + b),
 * what tfjs `fused.conv2d` / `fused.matMul`, onnxruntime's `FusedConv` and XNNPACK's output
 * clamps compute. Absent means none. A kernel declares the kinds it fuses in
 * `capabilities.activations` and is never handed another.
 *
 * The error bound carries through φ (`bound/activation-bound.ts`; docs/precision.md): if the pre-activation
 * value ŷ is within B of y, then |φ(ŷ) − φ(y)| ≤ L·B for φ with Lipschitz constant L — relu,
 * relu6 and clip are monotone and 1-Lipschitz and evaluated exactly (a selection, no rounding),
 * leakyRelu is max(1, |α|)-Lipschitz and rounds once (α·ŷ), sigmoid is ¼-Lipschitz and tanh
 * 1-Lipschitz, plus an allowance for evaluating them in the kernel's precision.
 */
import { InvalidArgumentError } from './errors.js';

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
      throw new InvalidArgumentError(
        fn,
        'activation',
        a,
        `clip min and max must be numbers (not NaN), got min ${String(min)}, max ${String(max)}`,
      );
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

/** Whether φ keeps exact-regime results exact (a selection, or α a power of two or zero). */
export function activationIsExact(a: Activation | undefined): boolean {
  if (a === undefined) return true;
  if (a.kind === 'sigmoid' || a.kind === 'tanh') return false;
  if (a.kind === 'leakyRelu') return a.alpha === 0 || Number.isInteger(Math.log2(Math.abs(a.alpha)));
  return true;
}
