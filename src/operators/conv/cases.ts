/**
 * Conv cases (a spec, a data regime and a data seed), the guarded call, the reference as an
 * expectation, the one-line description and the coverage key.
 */
import fc from 'fast-check';
import { describeSource } from '../../arbitraries/real-data.js';
import type { Precision } from '../../contract.js';
import type { CoverageKey, GenerationContext } from '../../property/definition.js';
import type { CaseTensors } from '../../property/cases.js';
import { dataSeed, tensorsOf } from '../../property/cases.js';
import type { Expectation } from '../../property/judge.js';
import { range } from '../../property/tensor-ops.js';
import type { CheckedKernel, Data64, NumericPromise, Regime } from '../../vocabulary.js';
import { boundedRegime } from '../../vocabulary.js';
import type { ConvAttributes } from './contract.js';
import { scaleFor } from './correlation-scale.js';
import type { ConvGeometry } from './geometry.js';
import { convGeometryOfShapes, describeConv } from './geometry.js';
import type { ConvProblemConstraints } from './problem.js';
import type { ConvSpec } from './spec.js';
import { convProblem, largestTensor } from './problem.js';
import { batchBucket, elementBucket, lengthBucket } from '../../arbitraries/sizes.js';
import { sizeOf } from '../../tensor.js';
import { trustedConv } from './fast-reference.js';

/** A conv case: the problem, the data regime and the seed its data derive from. */
export interface ConvCase {
  readonly spec: ConvSpec;
  readonly regime: Regime;
  readonly seed: number;
}

/** Materialised tensors of a conv case. */
export type ConvTensors = CaseTensors;

/** The guarded `conv` call; `expectedShape` comes from the validated geometry. */
export function runConv(k: CheckedKernel, x: Data64, w: Data64, b: Data64 | undefined, attrs: ConvAttributes, expectedShape: readonly number[]): Promise<Float64Array> {
  return k.call('conv', [['x', x], ['w', w], ['b', b]], attrs, expectedShape);
}

/** Arbitrary conv cases honouring the kernel's capabilities. */
export function convCases(ctx: GenerationContext, regime: fc.Arbitrary<Regime>, constraints: ConvProblemConstraints = {}): fc.Arbitrary<ConvCase> {
  return fc.record({ spec: convProblem({ capabilities: ctx.capabilities, size: ctx.size, production: ctx.production, plan: ctx.plan, ...constraints }), regime, seed: dataSeed() });
}

/** The validated geometry of a conv spec. */
export function geometryOf(spec: ConvSpec): ConvGeometry {
  return convGeometryOfShapes(spec.xShape, spec.wShape, spec.hasBias ? [spec.wShape[0]] : undefined, spec.attrs, 'convcheck');
}

/**
 * Builds the float64 tensors of a conv case from its seed. Non-finite weights only when the
 * problem has no padding (whether padding multiplies an infinite weight is implementation-defined).
 * `fill: 'x'` draws x only (the same x), leaving w and b zero.
 */
export function convTensors(c: ConvCase, headroom = 1, precision: Precision = 'float32', fill: 'x' | 'all' = 'all'): ConvTensors {
  const noPadding = c.spec.attrs.pads.every((p) => p === 0);
  return tensorsOf(c.spec, c.spec.wShape[0], geometryOf(c.spec).reductionLength, noPadding, c.regime, c.seed, headroom, precision, fill);
}

/** A conv case's tensors and geometry, and the kernel's output on the problem as given. */
export async function convAsGiven(k: CheckedKernel, c: ConvCase): Promise<{ t: ConvTensors; g: ConvGeometry; y: Float64Array }> {
  const t = convTensors(c, 1, k.precision);
  const g = geometryOf(c.spec);
  return { t, g, y: await runConv(k, t.x, t.w, t.b, c.spec.attrs, g.outputShape) };
}

/** One-line description of a conv case. */
export function describeConvCase(c: ConvCase, extra = ''): string {
  return `${describeConv(c.spec.xShape, c.spec.wShape, c.spec.attrs, c.spec.hasBias)}${extra} regime=${c.regime}${describeSource(c.spec)}`;
}

/** Coverage key of a conv spec (see `COVERAGE_DIMENSIONS`). */
export function coverageOf(spec: ConvSpec): CoverageKey {
  const r = spec.xShape.length - 2;
  const pads = spec.attrs.pads;
  const asym = pads.slice(0, r).some((p, a) => p !== pads[a + r]);
  const g = spec.attrs.group;
  const kind = g === 1 ? 'none' : g === spec.xShape[1] ? (spec.wShape[0] > g ? 'depthwise×mult' : 'depthwise') : 'grouped';
  return [
    'conv',
    String(r),
    asym ? 'yes' : 'no',
    spec.hasBias ? 'yes' : 'no',
    spec.attrs.strides.some((s) => s > 1) ? 'yes' : 'no',
    spec.attrs.dilations.some((d) => d > 1) ? 'yes' : 'no',
    kind,
    lengthBucket(spec.xShape[1] / g),
    lengthBucket(sizeOf(spec.wShape.slice(1))),
    lengthBucket(spec.wShape[0]),
    batchBucket(spec.xShape[0]),
    elementBucket(largestTensor(spec)),
  ];
}

/**
 * The trusted conv for a kernel of this precision (see `fast-reference.ts`) as an expectation;
 * for a normwise kernel with the correlation scale of every output map (`correlation-scale.ts`).
 * Σ|w·x| only scales the float regime's bound (and a normwise kernel's in every regime): exact and
 * special data for an elementwise kernel (`regime` given) skip it.
 */
export function referenceConvExpectation(t: ConvTensors, attrs: ConvAttributes, numerics: NumericPromise, regime?: Regime): Expectation {
  const r = trustedConv(t.x, t.w, t.b, attrs, numerics.precision, { magnitude: regime === undefined || boundedRegime(regime) || numerics.errorModel === 'normwise' });
  const mapScale = scaleFor(numerics, t.x, t.w, t.b, attrs);
  return { shape: r.output.shape, values: r.output.data, magnitude: r.magnitude, terms: r.termCount, accumulation: r.accumulation, ...(mapScale ? { mapScale } : {}) };
}

/** Conv attributes with no padding, stride 1, dilation 1, group 1 for a rank. */
export function plainAttrs(rank: number): ConvAttributes {
  return { strides: range(rank).map(() => 1), pads: range(2 * rank).map(() => 0), dilations: range(rank).map(() => 1), group: 1 };
}
