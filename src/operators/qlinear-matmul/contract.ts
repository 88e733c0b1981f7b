/**
 * The `qlinearMatMul` contract (ONNX `QLinearMatMul`, 2-D): a `[N, K]`, b `[K, M]` quantized,
 *
 *     y[n, m] = saturate(round_half_even(Σ_k (a[n, k] − a_zp)·(b[k, m] − b_zp[m]) · a_scale · b_scale[m] / y_scale) + y_zp)
 *
 * b's scale and zero point per tensor or per column (`[M]`); a's and y's per tensor. y has
 * y_zero_point's type. No bias (ONNX has none).
 */
import type { TypedTensor } from '../../quantized.js';

/** The kernel method: `qlinearMatMul(a, aScale, aZeroPoint, b, bScale, bZeroPoint, yScale, yZeroPoint)` — the ONNX input order. */
export type QLinearMatMulFunction = (
  a: TypedTensor,
  aScale: TypedTensor,
  aZeroPoint: TypedTensor,
  b: TypedTensor,
  bScale: TypedTensor,
  bZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
) => TypedTensor | Promise<TypedTensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** ONNX `QLinearMatMul`: (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) → y `[N, M]` of y_zp's type. */
    qlinearMatMul: QLinearMatMulFunction;
  }
}
