/**
 * The ConvTranspose shape plan (`arbitraries/shape-plan.ts`): the conv classes (`spatial-plan.ts`)
 * with ConvTranspose's extents — the input extent D by residue, the output extent
 * O = s·(D − 1) + output_padding + d·(k − 1) + 1 − pb − pe by residue — and the shrinker of plan shapes.
 */
import type { CompleteCapabilities } from '../../capabilities.js';
import type { OperatorShapePlan } from '../../arbitraries/shape-plan.js';
import type { AxisShape, PadKind, SizeFactors, SpatialParts, SpatialRow } from '../../arbitraries/spatial-plan.js';
import { padChoices, shrinkSpatialParts, spatialPlan, withResidue } from '../../arbitraries/spatial-plan.js';
import type { ConvTransposeSpec } from './spec.js';

const PLAN_MAX_ELEMENTS = 2 ** 14;
const PLAN_MAX_MACS = 2 ** 16;

/**
 * ConvTranspose axis: the input extent D has the residue asked for (D or D + 4); output_padding
 * from 0 to max(s, d) − 1; pads the padding kind's amounts; the output O ≥ 1 with the residue asked for.
 */
export function convTransposeAxisSolutions(
  k: number,
  s: number,
  d: number,
  pad: PadKind,
  outResidue: number,
  inResidue: number,
): AxisShape[] {
  const eff = d * (k - 1) + 1;
  const out: AxisShape[] = [];
  for (const D of withResidue(inResidue)) {
    for (let op = 0; op < Math.max(s, d); op++) {
      for (const [pb, pe] of padChoices(pad)) {
        const O = s * (D - 1) + op + eff - pb - pe;
        if (O >= 1 && O % 4 === outResidue) out.push({ k, s, d, padBegin: pb, padEnd: pe, input: D, output: O, outputPadding: op });
      }
    }
  }
  return out;
}

/** ConvTranspose: x = N·C·∏D, w = C·(M/group)·∏k, y = N·M·∏O; every input element scatters through every tap: N·C·(M/group)·∏k·∏D multiply-adds. */
const transposeSizes = (f: SizeFactors) => {
  const C = f.group * f.cg;
  return {
    largest: Math.max(f.batch * C * f.input, C * f.mg * f.k, f.batch * f.group * f.mg * f.output),
    macs: f.batch * C * f.mg * f.k * f.input,
  };
};

function specOf(r: SpatialRow): ConvTransposeSpec {
  const C = r.group * r.cg;
  return {
    xShape: [r.batch, C, ...r.axes.map((a) => a.input)],
    wShape: [C, r.mg, ...r.axes.map((a) => a.k)],
    attrs: {
      strides: r.axes.map((a) => a.s),
      pads: [...r.axes.map((a) => a.padBegin), ...r.axes.map((a) => a.padEnd)],
      dilations: r.axes.map((a) => a.d),
      group: r.group,
      outputPadding: r.axes.map((a) => a.outputPadding),
    },
    hasBias: r.bias,
  };
}

/**
 * The ConvTranspose plan for a kernel's capabilities, deterministic from `seed`.
 * @example convTransposeShapePlan(completeCapabilities({}), 1).specs.length
 */
export function convTransposeShapePlan(capabilities: CompleteCapabilities, seed: number): OperatorShapePlan<ConvTransposeSpec> {
  const p = spatialPlan({
    capabilities,
    seed,
    solver: convTransposeAxisSolutions,
    maxElements: PLAN_MAX_ELEMENTS,
    maxMacs: PLAN_MAX_MACS,
    sizes: transposeSizes,
  });
  return {
    operator: 'convTranspose',
    parameters: p.parameters,
    specs: p.rows.map(specOf),
    rows: p.rows.map((r) => r.classes),
    pairsCovered: p.covering.covered,
    pairsTotal: p.covering.total,
    uncovered: p.covering.uncovered,
    excluded: p.excluded,
  };
}

/** Whether every output extent is ≥ 1 and every output_padding < max(stride, dilation). */
function valid(s: ConvTransposeSpec): boolean {
  const r = s.xShape.length - 2;
  const { strides, dilations, pads, outputPadding } = s.attrs;
  return s.xShape.slice(2).every((D, a) => {
    const O = strides[a] * (D - 1) + outputPadding[a] + dilations[a] * (s.wShape[2 + a] - 1) + 1 - pads[a] - pads[a + r];
    return O >= 1 && outputPadding[a] < Math.max(strides[a], dilations[a]);
  });
}

/** Largest tensor (x, w or y) of a ConvTranspose spec. */
function largest(s: ConvTransposeSpec): number {
  const r = s.xShape.length - 2;
  const { strides, dilations, pads, outputPadding, group } = s.attrs;
  const out = s.xShape
    .slice(2)
    .reduce(
      (a, D, i) => a * (strides[i] * (D - 1) + outputPadding[i] + dilations[i] * (s.wShape[2 + i] - 1) + 1 - pads[i] - pads[i + r]),
      1,
    );
  const size = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);
  return Math.max(size(s.xShape), size(s.wShape), s.xShape[0] * s.wShape[1] * group * out);
}

/** Smaller valid ConvTranspose specs within `capabilities` and its `maxElements` (`shrinkSpatialParts`). */
export function shrinkConvTransposeSpec(s: ConvTransposeSpec, capabilities: CompleteCapabilities): ConvTransposeSpec[] {
  const [N, C, ...D] = s.xShape;
  const [, mg, ...k] = s.wShape;
  const { strides, dilations, pads, group, outputPadding } = s.attrs;
  const parts: SpatialParts = { N, group, cg: C / group, mg, D, k, strides, dilations, pads, outputPadding, bias: s.hasBias };
  const out: ConvTransposeSpec[] = [];
  for (const p of shrinkSpatialParts(parts, capabilities)) {
    const c = p.group * p.cg;
    const spec: ConvTransposeSpec = {
      xShape: [p.N, c, ...p.D],
      wShape: [c, p.mg, ...p.k],
      attrs: {
        strides: [...p.strides],
        pads: [...p.pads],
        dilations: [...p.dilations],
        group: p.group,
        outputPadding: [...(p.outputPadding ?? [])],
      },
      hasBias: p.bias,
    };
    if (valid(spec) && largest(spec) <= capabilities.maxElements) out.push(spec);
  }
  return out;
}
