/**
 * The conv shape plan (`arbitraries/shape-plan.ts`): a pairwise covering array of conv classes
 * under the kernel's capabilities, realised as `ConvSpec`s, and the shrinker of plan shapes.
 */
import type { CompleteCapabilities } from '../../capabilities.js';
import type { OperatorShapePlan } from '../../arbitraries/shape-plan.js';
import type { AxisShape, PadKind, SizeFactors, SpatialParts, SpatialRow } from '../../arbitraries/spatial-plan.js';
import { padChoices, shrinkSpatialParts, spatialPlan, withResidue } from '../../arbitraries/spatial-plan.js';
import { sizeOf } from '../../tensor.js';
import type { ConvSpec } from './spec.js';

/**
 * Largest tensor of a plan shape, and its multiply-adds: plan shapes stay cheap for the default
 * CPU run and for a software GPU (SwiftShader computes on the CPU), and every pair of classes
 * still fits (the largest pairs, C/group and M/group both around 64, need 65·65·2 weights).
 */
export const PLAN_MAX_ELEMENTS = 2 ** 14;
export const PLAN_MAX_MACS = 2 ** 16;

/**
 * Conv axis: the output extent O has the residue asked for (O or O + 4), the pads the padding
 * kind's amounts, and the input D = (O − 1)·s + d·(k − 1) + 1 − pb − pe + slack, 0 ≤ slack < s
 * (so floor((D + pb + pe − eff)/s) + 1 = O), with D ≥ 1 and the input residue asked for.
 */
export function convAxisSolutions(k: number, s: number, d: number, pad: PadKind, outResidue: number, inResidue: number): AxisShape[] {
  const eff = d * (k - 1) + 1;
  const out: AxisShape[] = [];
  for (const O of withResidue(outResidue)) {
    for (const [pb, pe] of padChoices(pad)) {
      for (let slack = 0; slack < s; slack++) {
        const D = (O - 1) * s + eff - pb - pe + slack;
        if (D >= 1 && D % 4 === inResidue) out.push({ k, s, d, padBegin: pb, padEnd: pe, input: D, output: O, outputPadding: 0 });
      }
    }
  }
  return out; // spatialPlan sorts the ones it realises
}

/** Conv: x = N·C·∏D, w = M·(C/group)·∏k, y = N·M·∏O; N·M·(C/group)·∏k·∏O multiply-adds. */
const convSizes = (f: SizeFactors) => {
  const M = f.group * f.mg;
  return {
    largest: Math.max(f.batch * f.group * f.cg * f.input, M * f.cg * f.k, f.batch * M * f.output),
    macs: f.batch * M * f.cg * f.k * f.output,
  };
};

/** A realised row as a conv spec. */
function specOf(r: SpatialRow): ConvSpec {
  return {
    xShape: [r.batch, r.group * r.cg, ...r.axes.map((a) => a.input)],
    wShape: [r.group * r.mg, r.cg, ...r.axes.map((a) => a.k)],
    attrs: {
      strides: r.axes.map((a) => a.s),
      pads: [...r.axes.map((a) => a.padBegin), ...r.axes.map((a) => a.padEnd)],
      dilations: r.axes.map((a) => a.d),
      group: r.group,
    },
    hasBias: r.bias,
  };
}

/**
 * The conv plan for a kernel's capabilities, deterministic from `seed`.
 * @example convShapePlan(completeCapabilities({ spatialRanks: [2] }), 1).specs.length
 */
export function convShapePlan(capabilities: CompleteCapabilities, seed: number): OperatorShapePlan<ConvSpec> {
  const p = spatialPlan({
    capabilities,
    seed,
    solver: convAxisSolutions,
    maxElements: PLAN_MAX_ELEMENTS,
    maxMacs: PLAN_MAX_MACS,
    sizes: convSizes,
  });
  return {
    operator: 'conv',
    parameters: p.parameters,
    specs: p.rows.map(specOf),
    rows: p.rows.map((r) => r.classes),
    pairsCovered: p.covering.covered,
    pairsTotal: p.covering.total,
    uncovered: p.covering.uncovered,
    excluded: p.excluded,
  };
}

/** Output extents of a spec (undefined when some axis has none). */
function outputsOf(s: ConvSpec): number[] | undefined {
  const r = s.xShape.length - 2;
  const o = s.xShape
    .slice(2)
    .map(
      (D, a) =>
        Math.floor((D + s.attrs.pads[a] + s.attrs.pads[a + r] - (s.attrs.dilations[a] * (s.wShape[2 + a] - 1) + 1)) / s.attrs.strides[a]) +
        1,
    );
  return o.every((v) => v >= 1) ? o : undefined;
}

/** Smaller valid conv specs than `s`, within `capabilities` and its `maxElements` (`shrinkSpatialParts`). */
export function shrinkConvSpec(s: ConvSpec, capabilities: CompleteCapabilities): ConvSpec[] {
  const [N, , ...D] = s.xShape;
  const [M, cg, ...k] = s.wShape;
  const { strides, dilations, pads, group } = s.attrs;
  const parts: SpatialParts = { N, group, cg, mg: M / group, D, k, strides, dilations, pads, bias: s.hasBias };
  const out: ConvSpec[] = [];
  for (const p of shrinkSpatialParts(parts, capabilities)) {
    const c: ConvSpec = {
      xShape: [p.N, p.group * p.cg, ...p.D],
      wShape: [p.group * p.mg, p.cg, ...p.k],
      attrs: { strides: [...p.strides], pads: [...p.pads], dilations: [...p.dilations], group: p.group },
      hasBias: p.bias,
    };
    // valid, and within maxElements (a stride of 1 or smaller pads make the output larger)
    const o = outputsOf(c);
    if (o !== undefined && Math.max(sizeOf(c.xShape), sizeOf(c.wShape), c.xShape[0] * c.wShape[0] * sizeOf(o)) <= capabilities.maxElements)
      out.push(c);
  }
  return out.filter((c) => sizeOf(c.xShape) > 0);
}
