/**
 * What a property is: a stable id, a one-line statement, the generator of its cases and a check
 * written once as a function of the kernel under test, so the vitest suite, the CLI and users'
 * own suites all run the same code.
 */
import type fc from 'fast-check';
import type { CompleteCapabilities } from '../capabilities.js';
import type { CheckedKernel, NumericPromise, ProductionPlan, SizeTier } from '../vocabulary.js';
import type { PlanDraw } from '../arbitraries/shape-plan.js';

/** What a property's generator may depend on. */
export interface GenerationContext {
  readonly capabilities: CompleteCapabilities;
  readonly size: SizeTier;
  /** The operator methods the kernel implements (`conv`, `dense`, …). */
  readonly operators: readonly string[];
  /** In the `production` tier: the layers to cycle through (a fresh plan per property). */
  readonly production?: ProductionPlan;
  /** The run-wide shape plan, as this property draws from it (`arbitraries/shape-plan.ts`); undefined: random shapes only. */
  readonly plan?: PlanDraw;
}

/** Values of the coverage dimensions for one case (see `COVERAGE_DIMENSIONS`). */
export type CoverageKey = readonly string[];

/**
 * Coverage dimensions: the operator, the geometry combinations counted across a run, and the
 * size classes reached (`arbitraries/sizes.ts`): C/group, the reduction length ((C/group)·∏k for
 * conv and ConvTranspose, K for dense) and the output channels M (≤64, 65–1024, >1024), the batch
 * N (1, 2–7, ≥8) and the largest tensor's element count (≤2^16, 2^16–2^24, >2^24). A column an
 * operator does not have (a dense layer's rank, pads, stride, dilation, group) is `NOT_APPLICABLE`.
 */
export const COVERAGE_DIMENSIONS = [
  'operator',
  'rank',
  'asymmetricPads',
  'bias',
  'stride>1',
  'dilation>1',
  'group',
  'C/group',
  'reduction',
  'M',
  'N',
  'elements',
] as const;

/** The value of a coverage column an operator does not have. */
export const NOT_APPLICABLE = '—';

/** A property of the catalog. */
export interface PropertyDefinition<C = unknown> {
  /** Stable id, e.g. `conv-matches-reference`. */
  readonly id: string;
  /** One-line statement. */
  readonly statement: string;
  /** Operator methods the property calls; a kernel without one of them skips the property. */
  readonly needs: readonly string[];
  /** A reason to skip for these capabilities (and this numeric promise), or undefined. */
  skipReason?(capabilities: CompleteCapabilities, numerics: NumericPromise): string | undefined;
  /** The generator of cases (JSON-serialisable values). */
  arbitrary(ctx: GenerationContext): fc.Arbitrary<C>;
  /** Runs one case; throws `PropertyViolation` or `KernelFault` when the kernel violates the property. */
  check(kernel: CheckedKernel, c: C): Promise<void>;
  /** The case in one line, e.g. `x=[2,3,7,5] w=[4,3,3,2] … regime=float`. */
  describe(c: C): string;
  /**
   * True for properties that call the kernel once per case (the differential ones, the output
   * shape, input integrity): in the production tier they run every layer, while the others leave
   * out the layers above the runner's `productionRelationFlops` and report which.
   */
  readonly singleCall?: boolean;
  /**
   * True for the differential properties (each case judged against the reference): with the
   * shape plan in `all` mode (the browser, `--shape-budget`) they walk every plan shape, so every
   * pair of classes meets the reference once; every other property takes `shapeBudget` plan shapes
   * from its place in the run (the guarded call checks shape, type and input integrity on every
   * call, so a hygiene property walking the plan again would only compile programs).
   */
  readonly walksPlan?: boolean;
  /** The coverage key of a case (along `COVERAGE_DIMENSIONS`), if it has one. */
  coverage?(c: C): CoverageKey | undefined;
}

/** Erases a property's case type for the catalog list. */
export function defineProperty<C>(p: PropertyDefinition<C>): PropertyDefinition<unknown> {
  return p as PropertyDefinition<unknown>;
}
