/**
 * The `dense` contract (ONNX `Gemm(transB=1)`, PyTorch `Linear`): x `[N, K]`, w `[M, K]`,
 * b `[M]` → y = x·wᵀ + b, `[N, M]`.
 */
import type { Activation } from '../../activation.js';
import type { Tensor } from '../../contract.js';

/** Optional dense attributes. */
export interface DenseAttributes {
  /** Fused activation applied after the bias; absent means none (only kinds in `capabilities.activations`). */
  readonly activation?: Activation;
}

/** The kernel method: `dense(x, w, b, attrs?)`; `attrs` is passed only when it carries something. */
export type DenseFunction = (x: Tensor, w: Tensor, b: Tensor | undefined, attrs?: DenseAttributes) => Tensor | Promise<Tensor>;

declare module '../../contract.js' {
  interface KernelOperators {
    /** x `[N, K]`, w `[M, K]` (PyTorch `Linear` layout), b `[M]` → `[N, M]`. */
    dense: DenseFunction;
  }
}
