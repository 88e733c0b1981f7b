/**
 * The `convTranspose` contract (ONNX `ConvTranspose`): x `[N, C, D1..Dn]`, w `[C, M/group, k1..kn]`,
 * b `[M]` → y `[N, M, O1..On]`, n ∈ {1, 2, 3}, with
 *
 *     Oᵢ = sᵢ·(Dᵢ − 1) + outputPaddingᵢ + dᵢ·(kᵢ − 1) + 1 − pad_beginᵢ − pad_endᵢ
 *
 * Every input element scatters w·x into the output at o = i·s − pad_begin + k·d; it is the
 * adjoint of `conv` with the same attributes (the gradient of conv with respect to its input).
 */
import type { Activation } from '../../activation.js';
import type { Tensor } from '../../contract.js';

/** Explicit ConvTranspose attributes; `resolveConvTransposePads` turns ONNX `output_shape` / `auto_pad` into them. */
export interface ConvTransposeAttributes {
  /** One per spatial axis, >= 1. */
  readonly strides: readonly number[];
  /** `[x1_begin, …, x1_end, …]` (ONNX order), >= 0: output elements cropped from each end. */
  readonly pads: readonly number[];
  /** One per spatial axis, >= 1. */
  readonly dilations: readonly number[];
  /** Divides C and M. */
  readonly group: number;
  /** Extra output elements at the end of each axis, 0 <= outputPadding < max(stride, dilation). */
  readonly outputPadding: readonly number[];
  /** Fused activation after the bias (only kinds in `capabilities.activations`). */
  readonly activation?: Activation;
}

/** The kernel method: `convTranspose(x, w, b, attrs)`. */
export type ConvTransposeFunction = (
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  attrs: ConvTransposeAttributes,
) => Tensor | Promise<Tensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** x `[N, C, D1..Dn]`, w `[C, M/group, k1..kn]`, b `[M]` → `[N, M, O1..On]` (ONNX `ConvTranspose`). */
    convTranspose: ConvTransposeFunction;
  }
}
