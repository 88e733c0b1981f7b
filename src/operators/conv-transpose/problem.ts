/**
 * `convTransposeProblem`: fast-check arbitrary of valid ConvTranspose problems. Geometry first:
 * rank, channels, kernel, stride, dilation and outputPadding (< max(s, d)), then the input size,
 * then pads drawn within the budget s·(D−1) + outputPadding + d·(k−1) (so O ≥ 1) — every problem
 * is valid by construction and nothing is filtered (except by an explicit `maxElements`).
 */
import fc from 'fast-check';
import { withinMaxElements } from '../../arbitraries/max-elements.js';
import type { KernelCapabilities } from '../../capabilities.js';
import { completeCapabilities } from '../../capabilities.js';
import { InvalidArgumentError } from '../../errors.js';
import { sizeOf } from '../../tensor.js';
import type { ProductionPlan, SizeTier } from '../../vocabulary.js';
import { withinPlan } from '../../vocabulary.js';
import { cycle } from '../../arbitraries/cycle.js';
import { convTransposeGeometryOfShapes } from './geometry.js';
import { zeroInsertedSpatial } from './lowering.js';
import type { PlanDraw } from '../../arbitraries/shape-plan.js';
import { plannedSpecs } from '../../arbitraries/shape-plan.js';
import { shrinkConvTransposeSpec } from './plan.js';

import type { ConvTransposeSpec } from './spec.js';

/** Constraints of `convTransposeProblem`. */
export interface ConvTransposeProblemConstraints {
  /** Never generate what the kernel declares unsupported (ranks, group, dilation, asymmetric pads, stride with dilation, size). */
  readonly capabilities?: KernelCapabilities;
  readonly size?: SizeTier;
  /** Force bias on or off; default either. */
  readonly bias?: boolean;
  /**
   * Production tier (`size: 'production'`): the layers to run; the plan records how many of its
   * ConvTranspose layers the capabilities allow (0: the runner skips the property).
   */
  readonly production?: ProductionPlan;
  /**
   * The property also runs the conv over the zero-inserted input (`conv-transpose-as-conv`): the
   * production cap then counts that conv — its FLOPs, 2·N·M·(C/group)·∏k·∏O, and its input —
   * instead of the ConvTranspose's, s^rank times fewer for a stride-s layer.
   */
  readonly costAsLoweredConv?: boolean;
  /** The run-wide shape plan as this property draws from it (plan shapes instead of, or mixed with, random ones). */
  readonly plan?: PlanDraw;
}

/** 2·N·C·(M/group)·∏k·∏D: the FLOPs of a ConvTranspose problem (every input element scatters through every tap). */
export function transposeFlops(s: ConvTransposeSpec): number {
  return 2 * s.xShape[0] * s.xShape[1] * s.wShape[1] * sizeOf(s.wShape.slice(2)) * sizeOf(s.xShape.slice(2));
}

/** FLOPs and largest tensor of the stride-1 conv a ConvTranspose lowers to (`lowering.ts`): every output over every tap, and the zero-inserted input. */
export function loweredConvCost(s: ConvTransposeSpec): { flops: number; largest: number } {
  const g = convTransposeGeometryOfShapes(s.xShape, s.wShape, undefined, s.attrs);
  const flops = 2 * g.batch * g.outChannels * g.reductionLength * g.outSpatialSize;
  return { flops, largest: Math.max(largestTransposeTensor(s), g.batch * g.inChannels * sizeOf(zeroInsertedSpatial(g))) };
}

/** Largest tensor of a ConvTranspose problem (x, w or y), in elements. */
export function largestTransposeTensor(s: ConvTransposeSpec): number {
  const out = s.xShape
    .slice(2)
    .map(
      (d, a) =>
        s.attrs.strides[a] * (d - 1) +
        s.attrs.outputPadding[a] +
        s.attrs.dilations[a] * (s.wShape[2 + a] - 1) +
        1 -
        s.attrs.pads[a] -
        s.attrs.pads[a + s.xShape.length - 2],
    );
  return Math.max(sizeOf(s.xShape), sizeOf(s.wShape), s.xShape[0] * s.wShape[1] * s.attrs.group * sizeOf(out));
}

/**
 * The production tier: the plan's ConvTranspose layers the capabilities allow, in order, each
 * once per cycle (a forced bias is applied to the layer). With none left the cycle length
 * recorded is 0 and small problems stand in (never run: the runner skips the property).
 */
function productionConvTransposeProblem(
  constraints: ConvTransposeProblemConstraints,
  plan: ProductionPlan,
): fc.Arbitrary<ConvTransposeSpec> {
  const caps = completeCapabilities(constraints.capabilities);
  const specs = plan.layers
    .filter((l) => l.op === 'convTranspose')
    .filter((l) => {
      const s = l.spec as ConvTransposeSpec; // validated when the layer table was built (models/)
      const r = s.xShape.length - 2;
      const { strides, pads, dilations, group } = s.attrs;
      const strided = strides.some((v) => v > 1);
      const dilated = dilations.some((v) => v > 1);
      const asymmetric = pads.slice(0, r).some((p, a) => p !== pads[a + r]);
      if (
        !caps.spatialRanks.includes(r) ||
        (!caps.group && group > 1) ||
        (!caps.dilation && dilated) ||
        (!caps.asymmetricPads && asymmetric)
      )
        return false;
      if (!caps.strideWithDilation && strided && dilated) return false;
      return (constraints.costAsLoweredConv ? loweredConvCost(s).largest : largestTransposeTensor(s)) <= caps.maxElements;
    })
    .filter((l) => {
      const s = l.spec as ConvTransposeSpec;
      const lowered = constraints.costAsLoweredConv ? loweredConvCost(s) : undefined;
      return withinPlan(plan, l, lowered?.flops ?? transposeFlops(s), lowered?.largest ?? largestTransposeTensor(s));
    })
    .map((l) => l.spec as ConvTransposeSpec)
    .map((s) => (constraints.bias === undefined ? s : { ...s, hasBias: constraints.bias }));
  plan.cycleLengths.push(specs.length);
  return specs.length > 0 ? cycle(specs) : convTransposeProblem({ ...constraints, size: 'small', production: undefined });
}

const axis3 = (arb: fc.Arbitrary<number>) => fc.tuple(arb, arb, arb);

/**
 * Arbitrary ConvTranspose problems honouring the capabilities.
 * @example fc.sample(convTransposeProblem({ size: 'small' }), 3)
 */
export function convTransposeProblem(constraints: ConvTransposeProblemConstraints = {}): fc.Arbitrary<ConvTransposeSpec> {
  const caps = completeCapabilities(constraints.capabilities);
  const size = constraints.size ?? 'default';
  if (size === 'production') {
    if (constraints.production === undefined)
      throw new InvalidArgumentError(
        'convTransposeProblem',
        'production',
        undefined,
        'the production tier needs the layers to run (constraints.production)',
      );
    return productionConvTransposeProblem(constraints, constraints.production);
  }
  if (size !== 'small' && size !== 'default' && size !== 'large') {
    throw new InvalidArgumentError(
      'convTransposeProblem',
      'size',
      size,
      `size must be one of 'small', 'default', 'large', 'production', got ${JSON.stringify(size)}`,
    );
  }
  const ranks = caps.spatialRanks.filter((r) => r >= 1 && r <= 3);
  if (ranks.length === 0)
    throw new InvalidArgumentError('convTransposeProblem', 'capabilities', caps.spatialRanks, 'capabilities allow no spatial rank in 1..3');
  const big = size === 'small' ? 3 : size === 'default' ? 5 : 8;
  const params = fc.record({
    rank: fc.constantFrom(...ranks),
    batch: fc.integer({ min: 1, max: 3 }),
    groups: caps.group ? fc.integer({ min: 1, max: 3 }) : fc.constant(1),
    inPerGroup: fc.integer({ min: 1, max: big }),
    outPerGroup: fc.integer({ min: 1, max: big }),
    kernel: axis3(fc.integer({ min: 1, max: 4 })),
    strides: axis3(fc.integer({ min: 1, max: 4 })),
    dilations: axis3(caps.dilation ? fc.integer({ min: 1, max: 3 }) : fc.constant(1)),
    input: axis3(fc.integer({ min: 1, max: big + 1 })),
    // fractions of the allowed range, mapped below: always valid, never filtered
    outputPadding: axis3(fc.integer({ min: 0, max: 3 })),
    padBegin: axis3(fc.integer({ min: 0, max: 4 })),
    padEnd: axis3(fc.integer({ min: 0, max: 4 })),
    hasBias: constraints.bias === undefined ? fc.boolean() : fc.constant(constraints.bias),
  });
  const specs = params.map((p): ConvTransposeSpec => {
    const r = p.rank;
    const kernel = p.kernel.slice(0, r);
    const strides = p.strides.slice(0, r);
    // stride > 1 together with dilation > 1 (on any axes, as tfjs counts it) only when the kernel accepts it: else dilation is dropped
    const strided = strides.some((v) => v > 1);
    const dilations = p.dilations.slice(0, r).map((d) => (!caps.strideWithDilation && strided ? 1 : d));
    const input = p.input.slice(0, r);
    const outputPadding = p.outputPadding.slice(0, r).map((o, a) => o % Math.max(strides[a], dilations[a]));
    const budget = input.map((d, a) => strides[a] * (d - 1) + outputPadding[a] + dilations[a] * (kernel[a] - 1));
    const padsBegin = p.padBegin.slice(0, r).map((v, a) => Math.min(v, budget[a]));
    const padsEnd = p.padEnd
      .slice(0, r)
      .map((v, a) => (caps.asymmetricPads ? Math.min(v, budget[a] - padsBegin[a]) : Math.min(padsBegin[a], budget[a] - padsBegin[a])));
    // without asymmetric pads, begin = end on every axis
    const begin = caps.asymmetricPads ? padsBegin : padsBegin.map((b, a) => Math.min(b, padsEnd[a]));
    const C = p.groups * p.inPerGroup;
    return {
      xShape: [p.batch, C, ...input],
      wShape: [C, p.outPerGroup, ...kernel],
      attrs: { strides, pads: [...begin, ...padsEnd], dilations, group: p.groups, outputPadding },
      hasBias: p.hasBias,
    };
  });
  // with the lowered conv, its zero-inserted input is a call the kernel sees too
  const largest = constraints.costAsLoweredConv ? (s: ConvTransposeSpec) => loweredConvCost(s).largest : largestTransposeTensor;
  const limit = caps.maxElements;
  const random = withinMaxElements('convTransposeProblem', specs, largest, limit);
  return (
    plannedSpecs(constraints.plan, 'convTranspose', {
      random,
      accept: (s) => ranks.includes(s.xShape.length - 2) && largest(s) <= limit,
      adjust: (s) => (constraints.bias === undefined ? s : { ...s, hasBias: constraints.bias }),
      shrink: (s) => shrinkConvTransposeSpec(s, caps),
    }) ?? random
  );
}
