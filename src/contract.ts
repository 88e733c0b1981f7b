/**
 * The kernel contract: ONNX `Conv` and `Gemm(transB=1)` conventions, shared by the built-in
 * kernels, the adapters and every kernel a user plugs in.
 */

/** A dense row-major tensor. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

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
}

/** What a kernel supports. Every field is optional; the default is "supported". */
export interface KernelCapabilities {
  /** Spatial ranks accepted by `conv`; default `[1, 2, 3]`. */
  spatialRanks?: readonly number[];
  group?: boolean;
  dilation?: boolean;
  /** Stride > 1 and dilation > 1 on the same call (tfjs refuses it). */
  strideWithDilation?: boolean;
  asymmetricPads?: boolean;
  /** NaN / ±Infinity propagate as IEEE-754 says. */
  specialValues?: boolean;
  /** Largest tensor (in elements) it accepts. */
  maxElements?: number;
}

/** Numeric precision a kernel promises; it sets the error bound it is judged by. */
export type Precision = 'float32' | 'float64';

/**
 * A kernel under test.
 * `conv`: x `[N, C, D1..Dn]`, w `[M, C/group, k1..kn]`, b `[M]` → `[N, M, O1..On]`, n ∈ {1, 2, 3}.
 * `dense`: x `[N, K]`, w `[M, K]` (PyTorch `Linear` layout), b `[M]` → `[N, M]`.
 * A float32 kernel is handed `Float32Array`s, a float64 kernel `Float64Array`s.
 */
export interface KernelUnderTest {
  readonly name: string;
  readonly precision: Precision;
  readonly capabilities?: KernelCapabilities;
  conv?(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Tensor | Promise<Tensor>;
  dense?(x: Tensor, w: Tensor, b: Tensor | undefined): Tensor | Promise<Tensor>;
}

/** Capabilities with every default filled in. */
export type CompleteCapabilities = Required<KernelCapabilities>;

/** Fills the defaults of `KernelCapabilities` ("supported" everywhere, ranks 1–3, no size limit). */
export function completeCapabilities(c: KernelCapabilities | undefined): CompleteCapabilities {
  return {
    spatialRanks: c?.spatialRanks ?? [1, 2, 3],
    group: c?.group ?? true,
    dilation: c?.dilation ?? true,
    strideWithDilation: c?.strideWithDilation ?? true,
    asymmetricPads: c?.asymmetricPads ?? true,
    specialValues: c?.specialValues ?? true,
    maxElements: c?.maxElements ?? Number.POSITIVE_INFINITY,
  };
}
