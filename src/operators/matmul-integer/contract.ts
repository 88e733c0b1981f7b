/**
 * The `matMulInteger` contract (ONNX `MatMulInteger`, 2-D): a `[N, K]` (uint8 or int8),
 * b `[K, M]` (uint8 or int8), their zero points → y `[N, M]` int32 with
 *
 *     y[n, m] = Σ_k (a[n, k] − a_zero_point) · (b[k, m] − b_zero_point[m])
 *
 * b's zero point is per tensor or per column (`[M]`). Exact integer arithmetic; convcheck
 * generates only problems whose sum fits int32. Note the layout: b is `[K, M]` (ONNX `MatMul`),
 * the transpose of `dense`'s `[M, K]` weights.
 */
import type { TypedTensor } from '../../quantized.js';

/** The kernel method: `matMulInteger(a, b, aZeroPoint, bZeroPoint)`; zero points absent mean 0. Returns an `Int32Array` tensor. */
export type MatMulIntegerFunction = (
  a: TypedTensor,
  b: TypedTensor,
  aZeroPoint: TypedTensor | undefined,
  bZeroPoint: TypedTensor | undefined,
) => TypedTensor | Promise<TypedTensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** a `[N, K]` u8/s8, b `[K, M]` u8/s8, zero points → int32 `[N, M]` (ONNX `MatMulInteger`). */
    matMulInteger: MatMulIntegerFunction;
  }
}
