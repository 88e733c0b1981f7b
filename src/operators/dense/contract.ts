/**
 * The `dense` contract (ONNX `Gemm(transB=1)`, PyTorch `Linear`): x `[N, K]`, w `[M, K]`,
 * b `[M]` → y = x·wᵀ + b, `[N, M]`.
 */
import type { Tensor } from '../../contract.js';

/** The kernel method: `dense(x, w, b)`. */
export type DenseFunction = (x: Tensor, w: Tensor, b: Tensor | undefined) => Tensor | Promise<Tensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** x `[N, K]`, w `[M, K]` (PyTorch `Linear` layout), b `[M]` → `[N, M]`. */
    dense: DenseFunction;
  }
}
