/**
 * The `conv` contract (ONNX `Conv`): x `[N, C, D1..Dn]`, w `[M, C/group, k1..kn]`, b `[M]` →
 * y `[N, M, O1..On]`, n ∈ {1, 2, 3}. Cross-correlation: the kernel is not flipped.
 */
import type { Activation } from '../../activation.js';
import type { Tensor } from '../../contract.js';

/** Explicit ONNX `Conv` attributes; `auto_pad` is resolved (see `resolveAutoPad`) before a kernel sees them. */
export interface ConvAttributes {
  /** One per spatial axis, >= 1. */
  readonly strides: readonly number[];
  /** `[x1_begin, x2_begin, ..., x1_end, x2_end]`, >= 0 (ONNX order). */
  readonly pads: readonly number[];
  /** One per spatial axis, >= 1. */
  readonly dilations: readonly number[];
  /** Divides C and M. */
  readonly group: number;
  /** Fused activation applied after the bias; absent means none (only kinds in `capabilities.activations`). */
  readonly activation?: Activation;
}

/** The kernel method: `conv(x, w, b, attrs)`. */
export type ConvFunction = (x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes) => Tensor | Promise<Tensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** x `[N, C, D1..Dn]`, w `[M, C/group, k1..kn]`, b `[M]` → `[N, M, O1..On]` (ONNX `Conv`). */
    conv: ConvFunction;
  }
}
