/**
 * The ConvTranspose shape plan (`arbitraries/shape-plan.ts`): the conv classes (`spatial-plan.ts`)
 * with ConvTranspose's extents — the input extent D by residue, the output extent
 * O = s·(D − 1) + output_padding + d·(k − 1) + 1 − pb − pe by residue — and the shrinker of plan shapes.
 */
import type { CompleteCapabilities } from '../../capabilities.js';
import type { OperatorShapePlan } from '../../arbitraries/shape-plan.js';
import type { AxisShape, PadKind, SizeFactors, SpatialRow } from '../../arbitraries/spatial-plan.js';
import { padChoices, spatialPlan, withResidue } from '../../arbitraries/spatial-plan.js';
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

/** Smaller valid ConvTranspose specs within `capabilities` (see `shrinkConvSpec`). */
export function shrinkConvTransposeSpec(s: ConvTransposeSpec, capabilities: CompleteCapabilities): ConvTransposeSpec[] {
  const r = s.xShape.length - 2;
  const [N, C, ...D] = s.xShape;
  const [, mg, ...k] = s.wShape;
  const { strides, dilations, pads, group, outputPadding } = s.attrs;
  const cg = C / group;
  type Parts = {
    N?: number;
    group?: number;
    cg?: number;
    mg?: number;
    D?: number[];
    k?: number[];
    strides?: number[];
    dilations?: number[];
    pads?: number[];
    outputPadding?: number[];
    bias?: boolean;
  };
  const make = (o: Parts): ConvTransposeSpec => {
    const c = (o.group ?? group) * (o.cg ?? cg);
    return {
      xShape: [o.N ?? N, c, ...(o.D ?? D)],
      wShape: [c, o.mg ?? mg, ...(o.k ?? k)],
      attrs: {
        strides: o.strides ?? strides,
        pads: o.pads ?? pads,
        dilations: o.dilations ?? dilations,
        group: o.group ?? group,
        outputPadding: o.outputPadding ?? outputPadding,
      },
      hasBias: o.bias ?? s.hasBias,
    };
  };
  const smaller = (v: number, min: number) => [...new Set([min, v - 4, Math.floor(v / 2), v - 1])].filter((x) => x >= min && x < v);
  const out: ConvTransposeSpec[] = [];
  const add = (c: ConvTransposeSpec) => {
    if (valid(c) && largest(c) <= capabilities.maxElements) out.push(c);
  };
  if (r > 1 && capabilities.spatialRanks.includes(r - 1)) {
    for (let a = 0; a < r; a++) {
      const drop = <T>(v: readonly T[]) => v.filter((_, i) => i !== a);
      add(
        make({
          D: drop(D),
          k: drop(k),
          strides: drop(strides),
          dilations: drop(dilations),
          outputPadding: drop(outputPadding),
          pads: [...drop(pads.slice(0, r)), ...drop(pads.slice(r))],
        }),
      );
    }
  }
  for (const n of smaller(N, 1)) add(make({ N: n }));
  if (group > 1) {
    add(make({ group: 1 }));
    for (const g of smaller(group, 2)) add(make({ group: g }));
  }
  for (const c of smaller(cg, 1)) add(make({ cg: c }));
  for (const m of smaller(mg, 1)) add(make({ mg: m }));
  if (s.hasBias) add(make({ bias: false }));
  for (let a = 0; a < r; a++) {
    const set = (v: readonly number[], x: number) => v.map((e, i) => (i === a ? x : e));
    if (outputPadding[a] > 0) add(make({ outputPadding: set(outputPadding, 0) }));
    if (strides[a] > 1) add(make({ strides: set(strides, 1), outputPadding: set(outputPadding, 0) }));
    if (dilations[a] > 1) add(make({ dilations: set(dilations, 1), outputPadding: set(outputPadding, 0) }));
    for (const kk of smaller(k[a], 1)) add(make({ k: set(k, kk) }));
    if (capabilities.asymmetricPads) {
      for (const p of smaller(pads[a], 0)) add(make({ pads: set(pads, p) }));
      for (const p of smaller(pads[a + r], 0)) add(make({ pads: pads.map((e, i) => (i === a + r ? p : e)) }));
    } else if (pads[a] > 0) {
      for (const p of smaller(pads[a], 0)) add(make({ pads: pads.map((e, i) => (i === a || i === a + r ? p : e)) }));
    }
    for (const d of smaller(D[a], 1)) add(make({ D: set(D, d) }));
  }
  return out;
}
