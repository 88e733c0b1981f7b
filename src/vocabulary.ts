/**
 * Shared vocabulary of the layers above the core: size tiers, data regimes, how a case fails,
 * the failure heat-map, the float64 data properties hand around, and the guarded kernel that
 * properties call. It lives here, at the bottom, so generators, bounds, operators, the catalog
 * and the runner can all use it while imports only run downward.
 */
import type { ErrorModel, KernelUnderTest, Precision } from './contract.js';
import type { ElementType } from './quantized.js';

/**
 * Size tier of generated problems. `production`: the exact conv and dense layers of real networks
 * (or of a user's `--shapes` file), each once per property, instead of generated geometries.
 */
export type SizeTier = 'small' | 'default' | 'large' | 'production';

/** Every size tier, in order. */
export const SIZE_TIERS: readonly SizeTier[] = ['small', 'default', 'large', 'production'];

/**
 * The problem spec of each operator's layers, by operator name (`conv: ConvSpec`, …). Empty here:
 * each operator with layers adds its entry from its own unit (`operators/<op>/layer.ts`) through
 * declaration merging, as operators add their methods to `KernelOperators`.
 */
export interface LayerSpecs {}

/** A layer of operator `Op` whose problem spec is `S` (see `LayerShape`). */
export interface LayerShapeOf<Op extends string, S> {
  readonly network: string;
  readonly name: string;
  readonly op: Op;
  readonly spec: S;
  /** How many layers of the network share this geometry. */
  readonly count: number;
  /** Dense layers: the feature map `[C, D1..Dn]` their input is flattened from (channels-first), if known. */
  readonly flattens?: readonly number[];
}

/**
 * One layer of a real network with its exact geometry (batch included), as the production tier
 * runs it: a union over the operators of `LayerSpecs`, so `op` (`conv`, `convTranspose`, `dense`)
 * tells `spec`'s type (`ConvSpec`, `ConvTransposeSpec`, `DenseSpec`). Validated when the table was
 * built (`models/`).
 */
export type LayerShape = { [Op in keyof LayerSpecs & string]: LayerShapeOf<Op, LayerSpecs[Op]> }[keyof LayerSpecs & string];

/**
 * What the production tier hands the generators: the layers, and where each generator records
 * how many layers it cycles through (so the runner runs each layer once per property).
 */
export interface ProductionPlan {
  readonly layers: readonly LayerShape[];
  readonly cycleLengths: number[];
  /**
   * Layers above this many FLOPs (2·multiply-adds) are left out, each recorded in `leftOut` as
   * `network name (F GFLOP, E elements)` (undefined: no FLOP limit). The runner sets it for properties
   * that call the kernel more than once per case, and reports what was left out.
   */
  readonly maxFlops?: number;
  /** Likewise, layers whose largest tensor (x, w or y) has more elements (`≤ 2^25` etc. in the note). */
  readonly maxElements?: number;
  readonly leftOut?: string[];
  /**
   * The layers carry their model's own tensors (`--model-data real`): properties that draw a data
   * regime (`regimes`) run them in the `real` regime; properties that need exact data draw it.
   */
  readonly realData?: boolean;
}

/** `22.2 GFLOP`, `3.5 MFLOP`, `1200 FLOP`. */
export function formatFlops(flops: number): string {
  if (flops >= 1e9) return `${Number((flops / 1e9).toFixed(1))} GFLOP`;
  if (flops >= 1e6) return `${Number((flops / 1e6).toFixed(1))} MFLOP`;
  return `${flops} FLOP`;
}

/** `103 M`, `33.6 M`, `4096`: an element count. */
export function formatElements(n: number): string {
  return n >= 1e6 ? `${Number((n / 1e6).toFixed(1))} M` : String(n);
}

/**
 * Whether a production layer of `flops` FLOPs whose largest tensor has `elements` elements runs
 * under `plan`; records it in `plan.leftOut` when not.
 */
export function withinPlan(plan: ProductionPlan, layer: LayerShape, flops: number, elements: number): boolean {
  if ((plan.maxFlops === undefined || flops <= plan.maxFlops) && (plan.maxElements === undefined || elements <= plan.maxElements))
    return true;
  const entry = `${layer.network} ${layer.name} (${formatFlops(flops)}, ${formatElements(elements)} elements)`;
  if (plan.leftOut && !plan.leftOut.includes(entry)) plan.leftOut.push(entry);
  return false;
}

/**
 * Data regime of a numeric case. `real`: the model's own weights and activations
 * (`convcheck verify --model`, `arbitraries/real-data.ts`), judged by the error bound like `float`.
 */
export type Regime = 'exact' | 'float' | 'special' | 'real';

/** Whether a regime is judged by the error bound (float data, and a model's real data) rather than by equality. */
export const boundedRegime = (regime: Regime | undefined): boolean => regime === 'float' || regime === 'real';

/** How a case failed. */
export type FailureKind =
  | 'mismatch' // a value differs from the expectation beyond the bound (or at all, in the exact regime)
  | 'threw' // the kernel threw or rejected
  | 'timeout' // the kernel did not return within the per-case timeout
  | 'wrong-shape' // the result's shape or data length is wrong
  | 'wrong-type' // the result is not a tensor, or its data is not a typed array of the right precision
  | 'mutated-input' // the kernel wrote into x, w or b
  | 'nondeterministic' // the same inputs twice gave results that are not bit-identical
  | 'page-crash' // the browser page running the kernel crashed (the next call gets a fresh page)
  | 'device-lost'; // the kernel's WebGPU device or WebGL context was lost (the next call gets a fresh page)

/** A per-output-element picture of a failure: |actual − expected| / bound, for the heat-map. */
export interface FailureHeatmap {
  /** Output shape `[N, M, O1..On]` (or `[N, M]` for dense). */
  readonly shape: readonly number[];
  /** Row-major, one entry per output element; `null` where the element is non-finite where it should not be (or vice versa). */
  readonly ratios: ReadonlyArray<number | null>;
}

/** Most elements a tensor may have to be shown whole in a failure (inputs, expected, actual). */
export const SMALL_TENSOR_ELEMENTS = 64;

/** A small tensor shown whole: shape and values, non-finite values as "NaN", "Infinity", "-Infinity". */
export interface WholeTensor {
  readonly shape: readonly number[];
  readonly values: ReadonlyArray<number | string>;
}

/** `values` as a `WholeTensor` when it has at most `SMALL_TENSOR_ELEMENTS` elements, else undefined. */
export function wholeTensor(shape: readonly number[], values: ArrayLike<number>): WholeTensor | undefined {
  if (values.length > SMALL_TENSOR_ELEMENTS) return undefined;
  return { shape: [...shape], values: Array.from(values, (v) => (Number.isFinite(v) ? v : String(v))) };
}

/** What a kernel promises about its arithmetic, every default filled in (judged by `bound/error-model.ts`). */
export interface NumericPromise {
  /** Storage precision of inputs and output. */
  readonly precision: Precision;
  /** Precision of the accumulation (default: `precision`); never narrower than it. */
  readonly accumulation: Precision;
  readonly errorModel: ErrorModel;
  /** κ of the normwise model; 1 for the elementwise model (where it is not used). */
  readonly errorFactor: number;
}

/**
 * A float64 view of tensor data handed in by a property. With `dtype` (the quantized operators'
 * integer data, int32 biases, float32 scales) the values are exact members of that type, and the
 * kernel is handed that typed array whatever its precision.
 */
export interface Data64 {
  readonly shape: readonly number[];
  readonly data: Float64Array;
  readonly dtype?: ElementType;
}

/** A kernel misbehaved: threw, timed out, returned garbage, or mutated its inputs. */
export class KernelFault extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = 'KernelFault';
    this.kind = kind;
  }
}

/**
 * A call convcheck was about to make falls outside the kernel's declared capabilities (see
 * `capability-gate.ts`): it is never sent. The runner counts the case as not sent, with the
 * reason, instead of passing or failing it.
 */
export class InadmissibleCall extends Error {
  /** Why, naming the capability and the values. */
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'InadmissibleCall';
    this.reason = reason;
  }
}

/**
 * A kernel wrapped for properties (the runner's `GuardedKernel`): float64 in and out, every call
 * guarded (timeout, result type and shape, input mutation). Operators give it typed front ends
 * (`runConv(k, …)`); properties never call the raw kernel.
 */
export interface CheckedKernel {
  readonly kernel: KernelUnderTest;
  readonly precision: Precision;
  /** The numeric promise with defaults filled in (see `bound/error-model.ts`). */
  readonly numerics: NumericPromise;
  /** Whether the kernel implements the operator method `method`. */
  has(method: string): boolean;
  /**
   * Calls `kernel[method](...tensors, attrs?)` with the named float64 inputs converted to the
   * kernel's precision (or to their `dtype`); resolves to the result as float64, checked against
   * `expectedShape` — and, with `outputType`, to be a typed array of that element type.
   */
  call(
    method: string,
    inputs: ReadonlyArray<readonly [string, Data64 | undefined]>,
    attrs: unknown,
    expectedShape: readonly number[],
    outputType?: ElementType,
  ): Promise<Float64Array>;
}
