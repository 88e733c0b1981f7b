/** ConvTranspose cases, the guarded call, the reference as an expectation, description and coverage key. */
import fc from 'fast-check';
import { describeSource } from '../../arbitraries/real-data.js';
import type { Precision } from '../../contract.js';
import type { CoverageKey, GenerationContext } from '../../property/definition.js';
import type { CaseTensors } from '../../property/cases.js';
import { dataSeed, tensorsOf } from '../../property/cases.js';
import type { Expectation } from '../../property/judge.js';
import type { CheckedKernel, Data64, Regime } from '../../vocabulary.js';
import type { ConvTransposeAttributes } from './contract.js';
import type { ConvTransposeGeometry } from './geometry.js';
import { convTransposeGeometryOfShapes, describeConvTranspose } from './geometry.js';
import type { ConvTransposeSpec } from './spec.js';
import { convTransposeProblem, largestTransposeTensor } from './problem.js';
import { batchBucket, elementBucket, lengthBucket } from '../../arbitraries/sizes.js';
import { sizeOf } from '../../tensor.js';
import { trustedConvTranspose } from './fast-reference.js';

/** A ConvTranspose case: the problem, the data regime and the seed its data derive from. */
export interface ConvTransposeCase {
  readonly spec: ConvTransposeSpec;
  readonly regime: Regime;
  readonly seed: number;
}

/** The guarded `convTranspose` call. */
export function runConvTranspose(
  k: CheckedKernel,
  x: Data64,
  w: Data64,
  b: Data64 | undefined,
  attrs: ConvTransposeAttributes,
  expectedShape: readonly number[],
): Promise<Float64Array> {
  return k.call(
    'convTranspose',
    [
      ['x', x],
      ['w', w],
      ['b', b],
    ],
    attrs,
    expectedShape,
  );
}

/** Arbitrary cases honouring the kernel's capabilities. */
export function convTransposeCases(
  ctx: GenerationContext,
  regime: fc.Arbitrary<Regime>,
  bias?: boolean,
  costAsLoweredConv = false,
): fc.Arbitrary<ConvTransposeCase> {
  return fc.record({
    spec: convTransposeProblem({
      capabilities: ctx.capabilities,
      size: ctx.size,
      bias,
      production: ctx.production,
      costAsLoweredConv,
      plan: ctx.plan,
    }),
    regime,
    seed: dataSeed(),
  });
}

/** The validated geometry of a spec. */
export function geometryOfTranspose(spec: ConvTransposeSpec): ConvTransposeGeometry {
  return convTransposeGeometryOfShapes(
    spec.xShape,
    spec.wShape,
    spec.hasBias ? [spec.wShape[1] * spec.attrs.group] : undefined,
    spec.attrs,
    'convcheck',
  );
}

/**
 * The float64 tensors of a case. Non-finite values go only into x: inserted zeros (or skipped
 * taps) meeting an infinite weight are implementation-defined, exactly as padding is for conv.
 */
export function convTransposeTensors(c: ConvTransposeCase, headroom = 1, precision: Precision = 'float32'): CaseTensors {
  const g = geometryOfTranspose(c.spec);
  return tensorsOf(c.spec, g.outChannels, g.reductionLength, false, c.regime, c.seed, headroom, precision);
}

/** A case's tensors and geometry, and the kernel's output on it. */
export async function convTransposeAsGiven(
  k: CheckedKernel,
  c: ConvTransposeCase,
): Promise<{ t: CaseTensors; g: ConvTransposeGeometry; y: Float64Array }> {
  const t = convTransposeTensors(c, 1, k.precision);
  const g = geometryOfTranspose(c.spec);
  return { t, g, y: await runConvTranspose(k, t.x, t.w, t.b, c.spec.attrs, g.outputShape) };
}

/** The trusted ConvTranspose for a kernel of this precision (`fast-reference.ts`) as an expectation. */
export function referenceConvTransposeExpectation(t: CaseTensors, attrs: ConvTransposeAttributes, precision: Precision): Expectation {
  const r = trustedConvTranspose(t.x, t.w, t.b, attrs, precision);
  return { shape: r.output.shape, values: r.output.data, magnitude: r.magnitude, terms: r.termCount, accumulation: r.accumulation };
}

/** One-line description of a case. */
export function describeConvTransposeCase(c: ConvTransposeCase, extra = ''): string {
  return `${describeConvTranspose(c.spec.xShape, c.spec.wShape, c.spec.attrs, c.spec.hasBias)}${extra} regime=${c.regime}${describeSource(c.spec)}`;
}

/** Coverage key along `COVERAGE_DIMENSIONS`; the reduction is the most terms an output sums, (C/group)·∏k. */
export function coverageOfTranspose(spec: ConvTransposeSpec): CoverageKey {
  const r = spec.xShape.length - 2;
  const pads = spec.attrs.pads;
  const g = spec.attrs.group;
  const kind = g === 1 ? 'none' : g === spec.xShape[1] ? (spec.wShape[1] > 1 ? 'depthwise×mult' : 'depthwise') : 'grouped';
  return [
    'convTranspose',
    String(r),
    pads.slice(0, r).some((p, a) => p !== pads[a + r]) ? 'yes' : 'no',
    spec.hasBias ? 'yes' : 'no',
    spec.attrs.strides.some((s) => s > 1) ? 'yes' : 'no',
    spec.attrs.dilations.some((d) => d > 1) ? 'yes' : 'no',
    kind,
    lengthBucket(spec.xShape[1] / g),
    lengthBucket((spec.xShape[1] / g) * sizeOf(spec.wShape.slice(2))),
    lengthBucket(spec.wShape[1] * g),
    batchBucket(spec.xShape[0]),
    elementBucket(largestTransposeTensor(spec)),
  ];
}
