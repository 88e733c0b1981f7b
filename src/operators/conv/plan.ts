/**
 * The conv shape plan (`arbitraries/shape-plan.ts`): a pairwise covering array of conv classes
 * under the kernel's capabilities, realised as `ConvSpec`s, and the shrinker of plan shapes.
 */
import type { CompleteCapabilities } from '../../capabilities.js';
import type { OperatorShapePlan } from '../../arbitraries/shape-plan.js';
import type { AxisShape, PadKind, SizeFactors, SpatialRow } from '../../arbitraries/spatial-plan.js';
import { padChoices, spatialPlan, withResidue } from '../../arbitraries/spatial-plan.js';
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

/**
 * Smaller valid conv specs than `s`, largest steps first, all within `capabilities` (shrinking
 * only removes: a rank the kernel lacks, asymmetric pads where it has none, stride together with
 * dilation where it refuses them are never introduced). Residue-keeping steps (− 4) come before
 * − 1 steps, so a failure tied to an extent's class mod 4 shrinks within its class.
 */
export function shrinkConvSpec(s: ConvSpec, capabilities: CompleteCapabilities): ConvSpec[] {
  const r = s.xShape.length - 2;
  const [N, , ...D] = s.xShape;
  const [M, cg, ...k] = s.wShape;
  const { strides, dilations, pads, group } = s.attrs;
  const mg = M / group;
  const make = (o: {
    N?: number;
    group?: number;
    cg?: number;
    mg?: number;
    D?: number[];
    k?: number[];
    strides?: number[];
    dilations?: number[];
    pads?: number[];
    bias?: boolean;
  }): ConvSpec => {
    const g = o.group ?? group;
    const c = o.cg ?? cg;
    return {
      xShape: [o.N ?? N, g * c, ...(o.D ?? D)],
      wShape: [g * (o.mg ?? mg), c, ...(o.k ?? k)],
      attrs: { strides: o.strides ?? strides, pads: o.pads ?? pads, dilations: o.dilations ?? dilations, group: g },
      hasBias: o.bias ?? s.hasBias,
    };
  };
  const out: ConvSpec[] = [];
  // valid, and within maxElements (a stride of 1 or smaller pads make the output larger)
  const add = (c: ConvSpec) => {
    const o = outputsOf(c);
    if (o !== undefined && Math.max(sizeOf(c.xShape), sizeOf(c.wShape), c.xShape[0] * c.wShape[0] * sizeOf(o)) <= capabilities.maxElements)
      out.push(c);
  };
  const smaller = (v: number, min: number) => [...new Set([min, v - 4, Math.floor(v / 2), v - 1])].filter((x) => x >= min && x < v);
  // rank: drop an axis (keeping the others' attributes) where the kernel takes the lower rank
  if (r > 1 && capabilities.spatialRanks.includes(r - 1)) {
    for (let a = 0; a < r; a++) {
      const drop = <T>(v: readonly T[]) => v.filter((_, i) => i !== a);
      add(
        make({
          D: drop(D),
          k: drop(k),
          strides: drop(strides),
          dilations: drop(dilations),
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
    if (strides[a] > 1) add(make({ strides: set(strides, 1) }));
    if (dilations[a] > 1) add(make({ dilations: set(dilations, 1) }));
    for (const kk of smaller(k[a], 1)) add(make({ k: set(k, kk) }));
    const pb = pads[a];
    const pe = pads[a + r];
    if (capabilities.asymmetricPads) {
      for (const p of smaller(pb, 0)) add(make({ pads: set(pads, p) }));
      for (const p of smaller(pe, 0)) add(make({ pads: pads.map((e, i) => (i === a + r ? p : e)) }));
    } else if (pb > 0) {
      for (const p of smaller(pb, 0)) add(make({ pads: pads.map((e, i) => (i === a || i === a + r ? p : e)) }));
    }
    for (const d of smaller(D[a], 1)) add(make({ D: set(D, d) }));
  }
  return out.filter((c) => sizeOf(c.xShape) > 0);
}
