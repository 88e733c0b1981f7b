/**
 * What a property is: a stable id, a one-line statement, the generator of its cases and a check
 * written once as a function of the kernel under test, so the vitest suite, the CLI and users'
 * own suites all run the same code. Also the shared pieces the properties are built from.
 */
import fc from 'fast-check';
import type { CompleteCapabilities, ConvAttributes } from '../contract.js';
import { convGeometryOfShapes, describeConv, describeDense } from '../geometry.js';
import type { ConvGeometry } from '../geometry.js';
import { convProblem } from '../arbitraries/conv-problem.js';
import type { ConvProblemConstraints } from '../arbitraries/conv-problem.js';
import type { ProblemData } from '../arbitraries/data.js';
import { problemData } from '../arbitraries/data.js';
import { denseProblem } from '../arbitraries/dense-problem.js';
import type { ConvSpec, DenseSpec } from '../arbitraries/problem.js';
import { compareOutputs, outputBounds } from '../bound/error-bound.js';
import type { Data64, GuardedKernel } from '../runner/guarded-call.js';
import type { FailureHeatmap, FailureKind, Regime, SizeTier } from '../runner/report.js';
import { judgeError, trustedConv, trustedDense } from '../kernels/fast-reference.js';
import type { JudgeResult } from '../kernels/fast-reference.js';
import { sizeOf, stridesOf } from '../tensor.js';

/** Where a property's case was violated, before the runner adds seed, path and replay command. */
export interface ViolationDetail {
  readonly kind: FailureKind;
  readonly message: string;
  readonly index?: readonly number[];
  readonly expected?: number;
  readonly actual?: number;
  readonly error?: number;
  readonly bound?: number;
  readonly errorOverBound?: number;
  readonly heatmap?: FailureHeatmap;
}

/** Thrown by a property's check when the kernel violates it. */
export class PropertyViolation extends Error {
  readonly detail: ViolationDetail;
  constructor(detail: ViolationDetail) {
    super(detail.message);
    this.name = 'PropertyViolation';
    this.detail = detail;
  }
}

/** What a property's generator may depend on. */
export interface GenerationContext {
  readonly capabilities: CompleteCapabilities;
  readonly size: SizeTier;
}

/** Values of the coverage dimensions for one case (see `COVERAGE_DIMENSIONS`). */
export type CoverageKey = readonly string[];

/** Coverage dimensions: the parameter combinations counted across a run. */
export const COVERAGE_DIMENSIONS = ['rank', 'asymmetricPads', 'bias', 'stride>1', 'dilation>1', 'group'] as const;

/** A property of the catalog. */
export interface PropertyDefinition<C = unknown> {
  /** Stable id, e.g. `conv-matches-reference`. */
  readonly id: string;
  /** One-line statement. */
  readonly statement: string;
  /** Kernel methods the property calls; a kernel without one of them skips the property. */
  readonly needs: ReadonlyArray<'conv' | 'dense'>;
  /** A reason to skip for these capabilities, or undefined. */
  skipReason?(capabilities: CompleteCapabilities): string | undefined;
  /** The generator of cases (JSON-serialisable values). */
  arbitrary(ctx: GenerationContext): fc.Arbitrary<C>;
  /** Runs one case; throws `PropertyViolation` or `KernelFault` when the kernel violates the property. */
  check(kernel: GuardedKernel, c: C): Promise<void>;
  /** The case in one line, e.g. `x=[2,3,7,5] w=[4,3,3,2] … regime=float`. */
  describe(c: C): string;
  /** The coverage key of a case, if it has a conv geometry. */
  coverage?(c: C): CoverageKey | undefined;
}

/** Erases a property's case type for the catalog list. */
export function defineProperty<C>(p: PropertyDefinition<C>): PropertyDefinition<unknown> {
  return p as PropertyDefinition<unknown>;
}

// ---------------------------------------------------------------------------------------------
// Conv and dense cases: a spec, a data regime and a data seed.

/** A conv case: the problem, the data regime and the seed its data derive from. */
export interface ConvCase {
  readonly spec: ConvSpec;
  readonly regime: Regime;
  readonly seed: number;
}

/** A dense case. */
export interface DenseCase {
  readonly spec: DenseSpec;
  readonly regime: Regime;
  readonly seed: number;
}

/** Data seeds: any 31-bit integer. */
export const dataSeed = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 0x7fffffff });

/** Regimes a property uses: `special` only when the kernel declares special-value support. */
export function regimes(ctx: GenerationContext, withSpecial: boolean): fc.Arbitrary<Regime> {
  return withSpecial && ctx.capabilities.specialValues ? fc.constantFrom<Regime>('exact', 'float', 'special') : fc.constantFrom<Regime>('exact', 'float');
}

/** Arbitrary conv cases honouring the kernel's capabilities. */
export function convCases(ctx: GenerationContext, regime: fc.Arbitrary<Regime>, constraints: ConvProblemConstraints = {}): fc.Arbitrary<ConvCase> {
  return fc.record({ spec: convProblem({ capabilities: ctx.capabilities, size: ctx.size, ...constraints }), regime, seed: dataSeed() });
}

/** Arbitrary dense cases. */
export function denseCases(ctx: GenerationContext, regime: fc.Arbitrary<Regime>): fc.Arbitrary<DenseCase> {
  return fc.record({ spec: denseProblem({ size: ctx.size, maxElements: ctx.capabilities.maxElements }), regime, seed: dataSeed() });
}

/** The validated geometry of a conv spec. */
export function geometryOf(spec: ConvSpec): ConvGeometry {
  return convGeometryOfShapes(spec.xShape, spec.wShape, spec.hasBias ? [spec.wShape[0]] : undefined, spec.attrs, 'convcheck');
}

/** Materialised tensors of a conv case. */
export interface ConvTensors {
  readonly x: Data64;
  readonly w: Data64;
  readonly b: Data64 | undefined;
}

/** x, w and b of the given shapes, with data in `regime` derived from `seed`. */
function tensorsOf(
  spec: { readonly xShape: readonly number[]; readonly wShape: readonly number[]; readonly hasBias: boolean },
  reductionLength: number,
  specialWeights: boolean,
  regime: Regime,
  seed: number,
  headroom: number,
): ConvTensors {
  const bSize = spec.hasBias ? spec.wShape[0] : 0;
  const d: ProblemData = problemData(
    { xSize: sizeOf(spec.xShape), wSize: sizeOf(spec.wShape), bSize, reductionLength, specialWeights },
    regime,
    seed,
    { headroom },
  );
  return {
    x: { shape: spec.xShape, data: d.x },
    w: { shape: spec.wShape, data: d.w },
    b: d.b ? { shape: [bSize], data: d.b } : undefined,
  };
}

/**
 * Builds the float64 tensors of a conv case from its seed. Non-finite weights only when the
 * problem has no padding (whether padding multiplies an infinite weight is implementation-defined).
 */
export function convTensors(c: ConvCase, headroom = 1): ConvTensors {
  const noPadding = c.spec.attrs.pads.every((p) => p === 0);
  return tensorsOf(c.spec, geometryOf(c.spec).reductionLength, noPadding, c.regime, c.seed, headroom);
}

/** Builds the float64 tensors of a dense case from its seed. */
export function denseTensors(c: DenseCase, headroom = 1): ConvTensors {
  return tensorsOf(c.spec, c.spec.xShape[1], true, c.regime, c.seed, headroom);
}

/** A conv case's tensors and geometry, and the kernel's output on the problem as given. */
export async function convAsGiven(k: GuardedKernel, c: ConvCase): Promise<{ t: ConvTensors; g: ConvGeometry; y: Float64Array }> {
  const t = convTensors(c);
  const g = geometryOf(c.spec);
  return { t, g, y: await k.conv(t.x, t.w, t.b, c.spec.attrs, g.outputShape) };
}

/** One-line description of a conv case. */
export function describeConvCase(c: ConvCase, extra = ''): string {
  return `${describeConv(c.spec.xShape, c.spec.wShape, c.spec.attrs, c.spec.hasBias)}${extra} regime=${c.regime}`;
}

/** One-line description of a dense case. */
export function describeDenseCase(c: DenseCase, extra = ''): string {
  return `${describeDense(c.spec.xShape, c.spec.wShape, c.spec.hasBias)}${extra} regime=${c.regime}`;
}

/** Coverage key of a conv spec. */
export function coverageOf(spec: ConvSpec): CoverageKey {
  const r = spec.xShape.length - 2;
  const pads = spec.attrs.pads;
  const asym = pads.slice(0, r).some((p, a) => p !== pads[a + r]);
  const g = spec.attrs.group;
  const kind = g === 1 ? 'none' : g === spec.xShape[1] ? (spec.wShape[0] > g ? 'depthwise×mult' : 'depthwise') : 'grouped';
  return [
    String(r),
    asym ? 'yes' : 'no',
    spec.hasBias ? 'yes' : 'no',
    spec.attrs.strides.some((s) => s > 1) ? 'yes' : 'no',
    spec.attrs.dilations.some((d) => d > 1) ? 'yes' : 'no',
    kind,
  ];
}

// ---------------------------------------------------------------------------------------------
// Judging outputs.

/** A value to compare against: its numbers, and for the float regime Σ|terms| and term count. */
export interface Expectation {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
  /** Σ|w·x| + |b| per element (float regime), from the reference. */
  readonly magnitude: ArrayLike<number>;
  /** Terms per element (reduction length + bias). */
  readonly terms: number;
  /**
   * Set when `values` come from the plain-float64 judge (float32 kernels): its own error bound
   * γ(n)(2⁻⁵³)·Σ|terms| is added to the kernel's, so the judge can never reject a correct kernel.
   */
  readonly accumulation?: JudgeResult['accumulation'];
}

/** The trusted conv for a kernel of this precision (see `kernels/fast-reference.ts`) as an expectation. */
export function referenceConvExpectation(t: ConvTensors, attrs: ConvAttributes, precision: GuardedKernel['precision']): Expectation {
  const r = trustedConv(t.x, t.w, t.b, attrs, precision);
  return { shape: r.output.shape, values: r.output.data, magnitude: r.magnitude, terms: r.termCount, accumulation: r.accumulation };
}

/** The trusted dense for a kernel of this precision as an expectation. */
export function referenceDenseExpectation(t: ConvTensors, precision: GuardedKernel['precision']): Expectation {
  const r = trustedDense(t.x, t.w, t.b, precision);
  return { shape: r.output.shape, values: r.output.data, magnitude: r.magnitude, terms: r.termCount, accumulation: r.accumulation };
}

/** Multi-index of a flat row-major index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const s = stridesOf(shape);
  return s.map((st, i) => Math.floor(flat / st) % shape[i]);
}

/**
 * Judges `actual` (computed by the kernel) against `expected`.
 * exact / special regimes: equality (special values must match as IEEE-754 says).
 * float regime: |actual − expected| ≤ bound, where bound is the kernel's error bound for the
 * expected value — plus, when `expected` was itself computed by the kernel under test
 * (`kernelComputed` with its own term count), that computation's bound too.
 */
export function judge(
  label: string,
  precision: GuardedKernel['precision'],
  regime: Regime,
  actual: ArrayLike<number>,
  expected: Expectation,
  options: { actualTerms?: number; expectedFromKernel?: boolean } = {},
): void {
  let bounds: Float64Array | number = 0;
  if (regime === 'float') {
    const own = outputBounds(options.actualTerms ?? expected.terms, expected.magnitude, expected.values, precision);
    if (options.expectedFromKernel) {
      const other = outputBounds(expected.terms, expected.magnitude, expected.values, precision);
      for (let i = 0; i < own.length; i++) own[i] += other[i];
    }
    if (expected.accumulation === 'plain64') {
      for (let i = 0; i < own.length; i++) own[i] += judgeError('plain64', expected.terms, expected.magnitude[i], expected.values[i]);
    }
    bounds = own;
  }
  const m = compareOutputs(expected.shape, actual, expected.values, bounds);
  if (!m) return;
  const total = expected.values.length;
  throw new PropertyViolation({
    kind: 'mismatch',
    message: `${label}: ${m.count} of ${total} output element${total === 1 ? '' : 's'} ${regime === 'float' ? 'exceed the error bound' : 'differ'}`,
    index: unravel(m.flatIndex, expected.shape),
    expected: m.expected,
    actual: m.actual,
    error: m.error,
    bound: m.bound,
    errorOverBound: m.ratio,
    heatmap: m.heatmap,
  });
}

/** Picks elements of a `[N, M, ...O]` array at the positions given per spatial axis. */
export function gather(src: ArrayLike<number>, shape: readonly number[], keep: ReadonlyArray<readonly number[]>): { shape: number[]; data: Float64Array } {
  const [N, M] = shape;
  const outShape = [N, M, ...keep.map((k) => k.length)];
  const data = new Float64Array(sizeOf(outShape));
  const st = stridesOf(shape);
  const sp = keep.length;
  let o = 0;
  const walk = (n: number, m: number, axis: number, offset: number): void => {
    if (axis === sp) {
      data[o++] = src[offset];
      return;
    }
    for (const i of keep[axis]) walk(n, m, axis + 1, offset + i * st[2 + axis]);
  };
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) walk(n, m, 0, n * st[0] + m * st[1]);
  return { shape: outShape, data };
}

/** 0..n−1. */
export const range = (n: number, from = 0, step = 1): number[] => Array.from({ length: n }, (_, i) => from + i * step);

/** Conv attributes with no padding, stride 1, dilation 1, group 1 for a rank. */
export function plainAttrs(rank: number): ConvAttributes {
  return { strides: range(rank).map(() => 1), pads: range(2 * rank).map(() => 0), dilations: range(rank).map(() => 1), group: 1 };
}
