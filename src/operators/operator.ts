/**
 * What an operator is: everything that makes `conv` or `dense` what it is — its kernel method,
 * reference, cases (generator, description, coverage key) and properties — in one unit. Each
 * operator lives in its own folder and is registered once in `table.ts`; the guard, the worker,
 * the loader, the catalog and the CLI iterate the table.
 */
import type fc from 'fast-check';
import type { Activation } from '../activation.js';
import type { KernelUnderTest, Tensor } from '../contract.js';
import type { Expectation } from '../property/judge.js';
import type { CoverageKey, GenerationContext, PropertyDefinition } from '../property/definition.js';
import type { Accumulation } from '../property/judge.js';
import type { CheckedKernel, NumericPromise, Regime } from '../vocabulary.js';
import type { CompleteCapabilities } from '../capabilities.js';
import type { OperatorShapePlan } from '../arbitraries/shape-plan.js';

/** Reference output plus, per output element, Σ|terms| (the scale of its error bound). */
export interface ReferenceResult {
  readonly output: Tensor;
  readonly magnitude: Float64Array;
  /** Terms summed per output element, bias included when present. */
  readonly termCount: number;
}

/** A judge's result: the reference result plus which accumulation produced it. */
export interface JudgeResult extends ReferenceResult {
  /** `plain64`: the fast plain-float64 judge (float32 kernels); `compensated`: the reference (float64 kernels). */
  readonly accumulation: Accumulation;
}

/** The cases of an operator, as generic code (hygiene properties, the runner) uses them. */
export interface OperatorCases<C> {
  /** Cases honouring the kernel's capabilities, with data in the given regimes. */
  arbitrary(ctx: GenerationContext, regime: fc.Arbitrary<Regime>): fc.Arbitrary<C>;
  /** The kernel's output on the case as given (with a fused activation if one is given), and the shape it must have. */
  run(k: CheckedKernel, c: C, activation?: Activation): Promise<{ readonly y: Float64Array; readonly shape: readonly number[] }>;
  /** The trusted reference on the case, for a kernel with this numeric promise (data of its precision, scale of its error model; no activation). */
  expect(c: C, numerics: NumericPromise): Expectation;
  /** The same problem with data from another seed. */
  reseed(c: C, seed: number): C;
  /** The case in one line (`x=[…] w=[…] … regime=float`). */
  describe(c: C): string;
  /** Its coverage key along `COVERAGE_DIMENSIONS` (every operator of the table gives one). */
  coverage?(c: C): CoverageKey | undefined;
  /** The operator's part of the run-wide shape plan for these capabilities (`arbitraries/shape-plan.ts`), deterministic from `seed`. */
  plan?(capabilities: CompleteCapabilities, seed: number): OperatorShapePlan;
}

/** Properties of an operator, by the catalog section they run in. */
export interface OperatorProperties {
  /** Agreement with the trusted reference. */
  readonly reference: readonly PropertyDefinition[];
  /** Metamorphic relations and equivalences. */
  readonly relations: readonly PropertyDefinition[];
  /** Kernel hygiene (output shape, …). */
  readonly hygiene: readonly PropertyDefinition[];
}

/** One operator of the table. */
export interface OperatorDefinition<C = unknown> {
  /** The `KernelUnderTest` method, e.g. `conv`. */
  readonly name: string;
  /** One line for `convcheck list`: the layouts in and out. */
  readonly description: string;
  /** Tensor arguments in call order (`undefined` allowed for the optional bias). */
  readonly inputs: readonly string[];
  /** Whether its attributes take a fused `activation` (see `activation.ts`). */
  readonly fusesActivation: boolean;
  /** The trusted float64 reference of a float operator: `reference(x, w, b, attrs)`. */
  reference?(x: Tensor, w: Tensor, b: Tensor | undefined, attrs?: unknown): ReferenceResult;
  /**
   * The reference as the kernel method itself, for operators whose arguments are not
   * `(x, w, b, attrs)` (the quantized ones: typed integer tensors, scales, zero points); the
   * reference kernel exposes it as is. Default: `reference(…).output`.
   */
  kernelMethod?(...args: never[]): unknown;
  readonly cases: OperatorCases<C>;
  readonly properties: OperatorProperties;
  /**
   * The operator computed with the kernel's other operators, the way libraries lower it (e.g. a
   * transposed conv as a conv over the zero-inserted input), or undefined when the kernel lacks
   * what it needs. Kernels opt in with `withDerivedOperators`.
   */
  derive?(kernel: KernelUnderTest): ((...args: never[]) => Tensor | Promise<Tensor>) | undefined;
  /** How its layers are written in `--shapes` files and what they cost; undefined: no production layers of its own. */
  readonly layer?: LayerForm;
}

/** Erases an operator's case type for the table. */
export function defineOperator<C>(op: OperatorDefinition<C>): OperatorDefinition<unknown> {
  return op as OperatorDefinition<unknown>;
}

// ---------------------------------------------------------------------------------------------
// An operator's layers: how `models/layers.ts` reads them from a `--shapes` file and what they
// cost. Each operator with layers implements `LayerForm` in `<op>/layer.ts`; `models/` dispatches
// through the table, so adding an operator touches no switch.

/** One layer of a `--shapes` file as an operator's parser sees it, with the file's common fields already validated. */
export interface LayerInput {
  /** The layer's JSON object as written (its field names already checked against the operators' fields). */
  readonly raw: Readonly<Record<string, unknown>>;
  /** `x`, validated: integers ≥ 1. */
  readonly x: readonly number[];
  /** `w`, validated: integers ≥ 1. */
  readonly w: readonly number[];
  /** `bias` (default true). */
  readonly bias: boolean;
  /** `raw[field]` as an array of integers ≥ `min`, or a `ShapesFileError` naming the layer and the field. */
  ints(field: string, min: number): number[];
  /** Throws the `ShapesFileError` for `field` of this layer. */
  fail(field: string, value: unknown, detail: string): never;
  /** Runs `check` (a geometry constructor), turning what it throws into the `ShapesFileError` for `field`. */
  check(field: string, value: unknown, check: () => unknown): void;
}

/** What an operator's layer is made of once parsed: its problem spec, and for dense the map it flattens. */
export interface ParsedLayer {
  readonly spec: object;
  /** Dense layers: the feature map `[C, D1..Dn]` their input is flattened from (channels-first). */
  readonly flattens?: readonly number[];
}

/** An operator's layers in `--shapes` files and in the production tier. */
export interface LayerForm {
  /** The fields a layer of this operator may have beyond `name`, `op`, `x`, `w`, `bias`, `count`. */
  readonly fields: readonly string[];
  /** How messages name the operator's attributes: `conv`, `ConvTranspose`, `dense`. */
  readonly label: string;
  /** The layer's spec from its fields (see `LayerInput`); throws `ShapesFileError`s. */
  parse(input: LayerInput): ParsedLayer;
  /** Multiply-adds of one layer, ×2. */
  flops(spec: object): number;
  /** Largest tensor of the layer (x, w or y), in elements. */
  largestTensor(spec: object): number;
}
