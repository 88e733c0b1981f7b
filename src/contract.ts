/**
 * The kernel contract shared by the built-in kernels, the adapters and every kernel a user plugs
 * in. The operator methods themselves (`conv`, `dense`, …) are declared by each operator in
 * `operators/<op>/contract.ts`, which adds its method to `KernelOperators`; this file knows no
 * operator by name.
 */
import type { KernelCapabilities } from './capabilities.js';
import type { PRECISION_FACTS } from './precision.js';

/** A dense row-major tensor. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/**
 * Numeric precision a kernel promises (storage of inputs and output); it sets the error bound it
 * is judged by. float16 tensors are carried in `Float32Array`s holding float16 values. The names
 * are the keys of the precision table (`precision.ts`), which holds every fact about each.
 */
export type Precision = keyof typeof PRECISION_FACTS;

/**
 * How a kernel's rounding error is bounded: `elementwise` by each output element's own terms
 * (direct and GEMM-based algorithms), `normwise` by the largest Σ|w·x| of its output map times the
 * kernel's `errorFactor` κ (Winograd, FFT). See `bound/error-model.ts`.
 */
export type ErrorModel = 'elementwise' | 'normwise';

/**
 * The operator methods a kernel may implement, one per operator of the table. Each operator
 * declares its own through declaration merging (`declare module '../../contract.js'`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface KernelOperators {}

/**
 * A kernel under test: a name, the precision it promises, what it supports, and any of the
 * operator methods (ONNX conventions; see each operator's contract). A float32 kernel is handed
 * `Float32Array`s, a float64 kernel `Float64Array`s, and a float16 kernel `Float32Array`s holding
 * float16 values (Node 20 has no `Float16Array`); it returns its output in a `Float32Array` too.
 */
export interface KernelUnderTest extends Partial<KernelOperators> {
  readonly name: string;
  readonly precision: Precision;
  /** Precision of the accumulation when wider than `precision` (e.g. float16 storage, float32 accumulation); default `precision`. */
  readonly accumulation?: Precision;
  /** Default `elementwise`. */
  readonly errorModel?: ErrorModel;
  /** κ ≥ 1 of the `normwise` model: a constant of the algorithm (docs/precision.md, "Deriving κ"); required with it. */
  readonly errorFactor?: number;
  readonly capabilities?: KernelCapabilities;
}
