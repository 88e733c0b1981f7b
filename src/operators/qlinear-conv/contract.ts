/**
 * The `qlinearConv` contract (ONNX `QLinearConv`): quantized x, w and y with their scales and
 * zero points, and an optional int32 bias:
 *
 *     acc[n, m, o] = b[m] + Σ_{c, k} (x[…] − x_zero_point) · (w[m, c, k] − w_zero_point[m])
 *     y[n, m, o]   = saturate(round_half_even(acc · x_scale · w_scale[m] / y_scale) + y_zero_point)
 *
 * The bias is quantized with scale x_scale·w_scale[m] and zero point 0. w's scale and zero point
 * are per tensor or per output channel (`[M]`); x's and y's are per tensor. y has y_zero_point's
 * type. Padded positions hold x_zero_point. n ∈ {1, 2, 3}; every `Conv` attribute applies.
 */
import type { TypedTensor } from '../../quantized.js';
import type { IntegerConvAttributes } from '../conv-integer/contract.js';

/**
 * The kernel method: `qlinearConv(x, xScale, xZeroPoint, w, wScale, wZeroPoint, yScale,
 * yZeroPoint, b, attrs)` — the ONNX input order. Scales are `Float32Array`s, zero points have
 * their tensor's type (uint8 or int8), `b` is an `Int32Array` `[M]` or undefined. Returns a tensor
 * of y_zero_point's type.
 */
export type QLinearConvFunction = (
  x: TypedTensor,
  xScale: TypedTensor,
  xZeroPoint: TypedTensor,
  w: TypedTensor,
  wScale: TypedTensor,
  wZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
  b: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
) => TypedTensor | Promise<TypedTensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** ONNX `QLinearConv`: (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?, attrs) → y of y_zp's type. */
    qlinearConv: QLinearConvFunction;
  }
}
