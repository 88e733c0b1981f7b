/**
 * The `convInteger` contract (ONNX `ConvInteger`): x `[N, C, D1..Dn]` (uint8 or int8),
 * w `[M, C/group, k1..kn]` (uint8 or int8), their zero points → y `[N, M, O1..On]` int32 with
 *
 *     y[n, m, o] = Σ_{c, k} (x[n, c, o·s − p + k·d] − x_zero_point) · (w[m, c, k] − w_zero_point[m])
 *
 * where a padded position holds x_zero_point (a real zero), so it adds nothing. The sum is exact
 * integer arithmetic; convcheck generates only problems whose sum fits int32
 * (`arbitraries/quantized-data.ts`). n ∈ {1, 2, 3}; every `Conv` attribute applies.
 */
import type { TypedTensor } from '../../quantized.js';

/** The `Conv` attributes (explicit pads; no fused activation). */
export interface IntegerConvAttributes {
  /** One per spatial axis, >= 1. */
  readonly strides: readonly number[];
  /** `[x1_begin, x2_begin, ..., x1_end, x2_end]`, >= 0 (ONNX order). */
  readonly pads: readonly number[];
  /** One per spatial axis, >= 1. */
  readonly dilations: readonly number[];
  /** Divides C and M. */
  readonly group: number;
}

/**
 * The kernel method: `convInteger(x, w, xZeroPoint, wZeroPoint, attrs)`. x: `Uint8Array` or
 * `Int8Array`; w likewise (the two types independent); `xZeroPoint` a scalar (`[]` or `[1]`) of
 * x's type, `wZeroPoint` a scalar or one per output channel (`[M]`) of w's type, either absent
 * meaning 0. Returns an `Int32Array` tensor.
 */
export type ConvIntegerFunction = (
  x: TypedTensor,
  w: TypedTensor,
  xZeroPoint: TypedTensor | undefined,
  wZeroPoint: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
) => TypedTensor | Promise<TypedTensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** x `[N, C, D1..Dn]` u8/s8, w `[M, C/group, k…]` u8/s8, zero points → int32 `[N, M, O1..On]` (ONNX `ConvInteger`). */
    convInteger: ConvIntegerFunction;
  }
}
