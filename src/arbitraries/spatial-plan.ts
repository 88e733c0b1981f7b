/**
 * The classes and constraints shared by the spatial operators' shape plans (conv and
 * ConvTranspose): a covering-array model (`covering-array.ts`) and the realisation of each row as
 * concrete sizes. The operator supplies the per-axis solver (how input and output extents relate)
 * and turns the realised rows into its spec.
 *
 * Parameters: rank; group kind (1, grouped, depthwise, depthwise with multiplier); C/group and
 * M/group by residue mod 4 and band (≤ 4, around 8, 16, 32, 64 — for depthwise kinds the channel
 * class is C itself, since C/group is 1, and the M/group class the multiplier; a grouped conv has
 * C/group ≥ 2, so residue 1 in the smallest band is 5 there); bias; batch (1 or
 * more); and for each spatial axis — W (the last), H (the one before it, `n/a` at rank 1) and D
 * (the first of three, `n/a` below rank 3): kernel extent 1–7, stride 1–3, dilation 1–4, padding
 * (none, symmetric, begin only, end only, asymmetric), output extent mod 4 and input extent mod 4.
 */
import type { CompleteCapabilities } from '../capabilities.js';
import type { CoveringArray, CoveringModel, PartialRow } from './covering-array.js';
import { coveringArray } from './covering-array.js';
import { Prng } from './prng.js';
import { BANDS, channelCount, RESIDUES, smallestInBand } from './shape-plan.js';

/** Padding classes of one axis. */
export const PAD_KINDS = ['none', 'sym', 'begin', 'end', 'asym'] as const;
export type PadKind = (typeof PAD_KINDS)[number];

/** Group classes. */
export const GROUP_KINDS = ['1', 'grouped', 'depthwise', 'depthwise×mult'] as const;

/** One realised spatial axis. */
export interface AxisShape {
  readonly k: number;
  readonly s: number;
  readonly d: number;
  readonly padBegin: number;
  readonly padEnd: number;
  /** Input extent D. */
  readonly input: number;
  /** Output extent O. */
  readonly output: number;
  /** ConvTranspose's output_padding (0 for conv). */
  readonly outputPadding: number;
}

/** Every realisation of one axis's classes, in any order (empty: the classes cannot meet). */
export type AxisSolver = (k: number, s: number, d: number, pad: PadKind, outResidue: number, inResidue: number) => readonly AxisShape[];

/** A realised row. */
export interface SpatialRow {
  readonly rank: number;
  readonly group: number;
  /** C/group and M/group. */
  readonly cg: number;
  readonly mg: number;
  readonly batch: number;
  readonly bias: boolean;
  /** One per spatial axis, outer first. */
  readonly axes: readonly AxisShape[];
  /** The row's class labels, one per parameter. */
  readonly classes: readonly string[];
}

/** What a shape's sizes depend on: its channel factors and the products of its axes' extents. */
export interface SizeFactors {
  readonly batch: number;
  readonly group: number;
  readonly cg: number;
  readonly mg: number;
  /** ∏k, ∏D (input), ∏O (output). */
  readonly k: number;
  readonly input: number;
  readonly output: number;
}

/** The size factors of a realised row. */
export function factorsOf(r: Omit<SpatialRow, 'classes'>): SizeFactors {
  let k = 1;
  let input = 1;
  let output = 1;
  for (const a of r.axes) {
    k *= a.k;
    input *= a.input;
    output *= a.output;
  }
  return { batch: r.batch, group: r.group, cg: r.cg, mg: r.mg, k, input, output };
}

/** Options of `spatialPlan`. */
export interface SpatialPlanOptions {
  readonly capabilities: CompleteCapabilities;
  readonly seed: number;
  readonly solver: AxisSolver;
  /** Largest tensor of a plan shape (the smaller of this and the kernel's `maxElements`). */
  readonly maxElements: number;
  /** Multiply-adds of a plan shape at most (keeps the default CPU run fast). */
  readonly maxMacs: number;
  /** The largest tensor and the multiply-adds of a shape with these factors (operator-specific layouts). */
  readonly sizes: (f: SizeFactors) => { largest: number; macs: number };
}

/** Parameter indices. */
const P = { rank: 0, group: 1, cRes: 2, cBand: 3, mRes: 4, mBand: 5, bias: 6, batch: 7 } as const;
const AXIS = ['k', 's', 'd', 'pad', 'O%4', 'D%4'] as const;
const W0 = 8;
const POW8 = [1, 8, 64, 512, 4096, 32768];
const H0 = 8 + AXIS.length;
const D0 = 8 + 2 * AXIS.length;
/** The first parameter of each axis group, last axis first, and the lowest rank that has it. */
const AXES = [
  { base: W0, minRank: 1, label: 'W' },
  { base: H0, minRank: 2, label: 'H' },
  { base: D0, minRank: 3, label: 'D' },
] as const;

/** The plan's model, its covering array and the realised rows. */
export function spatialPlan(o: SpatialPlanOptions): {
  parameters: string[];
  covering: CoveringArray;
  rows: SpatialRow[];
  excluded: string[];
} {
  const caps = o.capabilities;
  const ranks = caps.spatialRanks.filter((r) => r >= 1 && r <= 3);
  const groupKinds = caps.group ? [...GROUP_KINDS] : ['1'];
  const dilations = caps.dilation ? ['1', '2', '3', '4'] : ['1'];
  const pads: PadKind[] = caps.asymmetricPads ? [...PAD_KINDS] : ['none', 'sym'];
  const excluded = [
    ...(caps.group ? [] : ['group kinds grouped, depthwise, depthwise×mult (no group support)']),
    ...(caps.dilation ? [] : ['dilation 2–4 (no dilation support)']),
    ...(caps.asymmetricPads ? [] : ['padding begin-only, end-only, asymmetric (no asymmetric pads)']),
    ...[1, 2, 3].filter((r) => !ranks.includes(r)).map((r) => `rank ${r} (not among the spatial ranks)`),
  ];
  const axisValues = [['1', '2', '3', '4', '5', '6', '7'], ['1', '2', '3'], dilations, pads, [...RESIDUES], [...RESIDUES]];
  const NA = 'n/a';
  const parameters = [
    { name: 'rank', values: ranks.map(String) },
    { name: 'group', values: groupKinds },
    { name: 'C/group%4', values: [...RESIDUES] },
    { name: 'C/group band', values: [...BANDS] },
    { name: 'M/group%4', values: [...RESIDUES] },
    { name: 'M/group band', values: [...BANDS] },
    { name: 'bias', values: ['no', 'yes'] },
    { name: 'batch', values: ['1', '≥2'] },
    ...AXIS.map((a, i) => ({ name: `${a}W`.replace('%4W', 'W%4'), values: axisValues[i] })),
    // an axis no allowed rank has keeps only `n/a`
    ...AXIS.map((a, i) => ({ name: `${a}H`.replace('%4H', 'H%4'), values: ranks.some((r) => r >= 2) ? [...axisValues[i], NA] : [NA] })),
    ...AXIS.map((a, i) => ({ name: `${a}D`.replace('%4D', 'D%4'), values: ranks.some((r) => r >= 3) ? [...axisValues[i], NA] : [NA] })),
  ];
  const naIndex = (p: number) => parameters[p].values.length - 1;
  // a solver table per axis class tuple (7·3·4·5·4·4 ≤ 6,720 tuples), and for every partial tuple
  // (unset components coded 7) the smallest input, output and kernel extent any completion has
  // (0: no completion) — exact feasibility and lower bounds of partial rows, by one lookup
  const solutions = new Map<number, readonly AxisShape[]>();
  const code = (t: ReadonlyArray<number | undefined>, base = 0): number => {
    let c = 0;
    for (let j = 0, m = 1; j < AXIS.length; j++, m *= 8) c += (t[base + j] ?? 7) * m;
    return c;
  };
  const minIn = new Int32Array(8 ** AXIS.length);
  const minOut = new Int32Array(8 ** AXIS.length);
  const minK = new Int32Array(8 ** AXIS.length);
  const sizes6 = axisValues.map((v) => v.length);
  const tuple = new Array<number>(AXIS.length).fill(0);
  const codes = new Int32Array(64);
  const ALL_UNSET = code([]);
  const walk = (i: number): void => {
    if (i === AXIS.length) {
      if (tuple[0] === 0 && tuple[2] > 0) return; // dilation > 1 on a 1-wide kernel
      const sols = o.solver(tuple[0] + 1, tuple[1] + 1, Number(dilations[tuple[2]]), pads[tuple[3]], tuple[4], tuple[5]);
      if (sols.length === 0) return;
      solutions.set(code(tuple), sols);
      let inMin = Infinity;
      let outMin = Infinity;
      for (const x of sols) {
        inMin = Math.min(inMin, x.input);
        outMin = Math.min(outMin, x.output);
      }
      const k = tuple[0] + 1;
      // the codes of the 64 partial tuples this one completes: each mask's code from a smaller mask's
      codes[0] = ALL_UNSET;
      for (let mask = 1; mask < 64; mask++) {
        const j = 31 - Math.clz32(mask);
        codes[mask] = codes[mask ^ (1 << j)] + (tuple[j] - 7) * POW8[j];
      }
      for (let mask = 0; mask < 64; mask++) {
        const c = codes[mask];
        if (minIn[c] === 0 || inMin < minIn[c]) minIn[c] = inMin;
        if (minOut[c] === 0 || outMin < minOut[c]) minOut[c] = outMin;
        if (minK[c] === 0 || k < minK[c]) minK[c] = k;
      }
      return;
    }
    for (let v = 0; v < sizes6[i]; v++) {
      tuple[i] = v;
      walk(i + 1);
    }
  };
  walk(0);
  const sorted = new Set<number>();
  /** The realisations of a full axis tuple, smallest first. */
  const solve = (t: readonly number[]): readonly AxisShape[] => {
    const c = code(t);
    const sols = solutions.get(c);
    if (sols === undefined) return [];
    if (!sorted.has(c)) {
      (sols as AxisShape[]).sort((a, b) => a.input * a.output - b.input * b.output || a.padBegin + a.padEnd - b.padBegin - b.padEnd);
      sorted.add(c);
    }
    return sols;
  };
  const num = (row: PartialRow, p: number) => row[p];
  const axisTuple = (row: PartialRow, base: number): Array<number | undefined> => AXIS.map((_, i) => num(row, base + i));
  const isNA = (row: PartialRow, p: number) => p >= H0 && row[p] === naIndex(p);
  const minRankOf = (p: number) => (p >= D0 ? 3 : p >= H0 ? 2 : 1);
  const limit = Math.min(o.maxElements, caps.maxElements);

  const chan = (res: number | undefined, band: number | undefined, min2: boolean): number =>
    res !== undefined && band !== undefined ? channelCount(res, band, min2) : Math.max(min2 ? 2 : 1, smallestInBand(band));
  /** The smallest realisation of an axis's (partial) classes: exact when all are set, else lower bounds. */
  const axisBound = (row: PartialRow, base: number, into: number[]): void => {
    if (isNA(row, base)) {
      into[0] = into[1] = into[2] = 1;
      return;
    }
    const c = code(row, base);
    if (solutions.has(c)) {
      const a = solve(axisTuple(row, base) as number[])[0];
      into[0] = a.k;
      into[1] = a.input;
      into[2] = a.output;
      return;
    }
    into[0] = Math.max(1, minK[c]);
    into[1] = Math.max(1, minIn[c]);
    into[2] = Math.max(1, minOut[c]);
  };
  const w = [1, 1, 1];
  const h = [1, 1, 1];
  const dd = [1, 1, 1];
  /** Lower bounds on a partial row's sizes (exact for a complete row): every unset class at its smallest. */
  const bound = (row: PartialRow): SizeFactors => {
    const rank = row[P.rank] === undefined ? 1 : ranks[row[P.rank]!];
    const kind = row[P.group] === undefined ? 0 : row[P.group]!;
    let group = 1;
    let cg = chan(row[P.cRes], row[P.cBand], false);
    let mg = chan(row[P.mRes], row[P.mBand], false);
    if (groupKinds[kind] === 'grouped') {
      // C/group = 1 with several groups is depthwise: a grouped conv has at least 2 channels per group
      group = 2;
      cg = chan(row[P.cRes], row[P.cBand], true);
    } else if (kind >= 2) {
      group = chan(row[P.cRes], row[P.cBand], true);
      cg = 1;
      mg = groupKinds[kind] === 'depthwise' ? 1 : chan(row[P.mRes], row[P.mBand], true);
    }
    axisBound(row, W0, w);
    if (rank > 1) axisBound(row, H0, h);
    else h[0] = h[1] = h[2] = 1;
    if (rank > 2) axisBound(row, D0, dd);
    else dd[0] = dd[1] = dd[2] = 1;
    return {
      batch: row[P.batch] === 1 ? 2 : 1,
      group,
      cg,
      mg,
      k: w[0] * h[0] * dd[0],
      input: w[1] * h[1] * dd[1],
      output: w[2] * h[2] * dd[2],
    };
  };
  /** The smallest realisation of a complete row. */
  const minimalRow = (row: readonly number[]): Omit<SpatialRow, 'classes'> => {
    const rank = ranks[row[P.rank]];
    const f = bound(row);
    const axes = AXES.filter((a) => a.minRank <= rank)
      .map((a) => solve(axisTuple(row, a.base) as number[])[0])
      .reverse();
    return { rank, group: f.group, cg: f.cg, mg: f.mg, batch: f.batch, bias: row[P.bias] === 1, axes };
  };

  const orders = parameters.map((p) => p.values.map((_, i) => i));
  const model: CoveringModel = {
    parameters,
    counts: (p, v) => !(p >= H0 && v === naIndex(p)),
    // a rank without an axis (H at rank 1, D below 3): its pairs with that axis's classes are no pairs at all
    applies: (p, v, q, u) =>
      !((p === P.rank && q >= H0 && ranks[v] < minRankOf(q)) || (q === P.rank && p >= H0 && ranks[u] < minRankOf(p))),
    // values in order: cheapest first (smaller kernels, strides, bands; outer n/a last, it fits rank 1 only)
    preference: (p) => orders[p],
    violation(row) {
      const rank = row[P.rank] === undefined ? undefined : ranks[row[P.rank]!];
      const kind = row[P.group] === undefined ? undefined : groupKinds[row[P.group]!];
      if (kind === 'depthwise' && ((row[P.mRes] !== undefined && row[P.mRes] !== 1) || (row[P.mBand] !== undefined && row[P.mBand] !== 0)))
        return 'depthwise (multiplier 1) has M/group = 1';
      for (const axis of AXES) {
        if (axis.base === W0) continue;
        for (let i = 0; i < AXIS.length; i++) {
          const v = row[axis.base + i];
          if (v === undefined) continue;
          const na = v === naIndex(axis.base + i);
          if (rank !== undefined && rank < axis.minRank !== na)
            return na ? `rank ${rank} has a ${axis.label} axis` : `rank ${rank} has no ${axis.label} axis`;
          if (rank === undefined && !na && !ranks.some((r) => r >= axis.minRank)) return `no allowed rank has a ${axis.label} axis`;
          if (i > 0 && row[axis.base] !== undefined && (row[axis.base] === naIndex(axis.base)) !== na)
            return `the ${axis.label} axis is there or not as a whole`;
        }
      }
      for (const { base } of AXES) {
        const k = row[base];
        const d = row[base + 2];
        if (isNA(row, base)) continue;
        if (k !== undefined && d !== undefined && !isNA(row, base + 2) && k === 0 && Number(dilations[d]) > 1)
          return 'dilation > 1 needs a kernel wider than 1';
        if (minK[code(row, base)] === 0)
          return 'no input extent of that residue exists for this kernel, stride, dilation, padding and output residue';
      }
      if (!caps.strideWithDilation) {
        const strided = [W0, H0, D0].some((b) => !isNA(row, b + 1) && row[b + 1] !== undefined && row[b + 1]! > 0);
        const dilated = [W0, H0, D0].some((b) => !isNA(row, b + 2) && row[b + 2] !== undefined && Number(dilations[row[b + 2]!]) > 1);
        if (strided && dilated) return 'the kernel declares no stride > 1 together with dilation > 1';
      }
      const sizes = o.sizes(bound(row));
      if (sizes.largest > limit)
        return `a tensor above ${limit} elements${limit === caps.maxElements ? " (the kernel's maxElements)" : " (the plan's size limit)"}`;
      if (sizes.macs > o.maxMacs) return `more than ${o.maxMacs} multiply-adds (the plan's cost limit)`;
      return undefined;
    },
  };
  const covering = coveringArray(model, o.seed);
  const rng = new Prng(o.seed ^ 0x1b873593);
  const rows = covering.rows.map((r) => realise(r));

  function realise(r: readonly number[]): SpatialRow {
    const minimal = minimalRow(r);
    const classes = r.map((v, p) => parameters[p].values[v]);
    // seeded variety within the classes: a larger output (by 4), other pad amounts, 3 groups
    const pickAxis = (base: number) => {
      const all = solve(axisTuple(r, base) as number[]);
      return rng.chance(0.5) ? all[0] : all[rng.int(0, Math.min(all.length, 6) - 1)];
    };
    const axes = AXES.filter((a) => a.minRank <= minimal.rank)
      .map((a) => pickAxis(a.base))
      .reverse();
    const varied = { ...minimal, group: groupKinds[r[P.group]] === 'grouped' && rng.chance(0.5) ? 3 : minimal.group, axes };
    const s = o.sizes(factorsOf(varied));
    const chosen = s.largest <= limit && s.macs <= o.maxMacs ? varied : minimal;
    return { ...chosen, classes };
  }

  return { parameters: parameters.map((p) => p.name), covering, rows, excluded };
}

/** Pad amounts of a padding kind, smallest first. */
export function padChoices(pad: PadKind): ReadonlyArray<readonly [number, number]> {
  return PAD_CHOICES[pad];
}

function padChoicesOf(pad: PadKind): ReadonlyArray<readonly [number, number]> {
  switch (pad) {
    case 'none':
      return [[0, 0]];
    case 'sym':
      return [1, 2, 3].map((p) => [p, p] as const);
    case 'begin':
      return [1, 2, 3, 4].map((p) => [p, 0] as const);
    case 'end':
      return [1, 2, 3, 4].map((p) => [0, p] as const);
    case 'asym':
      return [1, 2, 3, 4].flatMap((p) => [1, 2, 3, 4].filter((q) => q !== p).map((q) => [p, q] as const));
  }
}

const PAD_CHOICES = Object.fromEntries(PAD_KINDS.map((k) => [k, padChoicesOf(k)])) as Record<
  PadKind,
  ReadonlyArray<readonly [number, number]>
>;

/** The smallest positive count with residue `r` mod 4, and the next one. */
export function withResidue(r: number): readonly number[] {
  const first = r === 0 ? 4 : r;
  return [first, first + 4];
}

/** A conv or ConvTranspose shape as the numbers its shrinker changes (`outputPadding`: ConvTranspose only). */
export interface SpatialParts {
  readonly N: number;
  readonly group: number;
  readonly cg: number;
  readonly mg: number;
  readonly D: readonly number[];
  readonly k: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Begin pads of every axis, then end pads. */
  readonly pads: readonly number[];
  readonly outputPadding?: readonly number[];
  readonly bias: boolean;
}

/** The candidates below `v` (at least `min`): `min`, v − 4, ⌊v/2⌋, v − 1. */
function smaller(v: number, min: number): number[] {
  return [...new Set([min, v - 4, Math.floor(v / 2), v - 1])].filter((x) => x >= min && x < v);
}

/**
 * Smaller shapes than `s`, largest steps first, all within `capabilities` (shrinking only removes:
 * a rank the kernel lacks, asymmetric pads where it has none, stride together with dilation where
 * it refuses them are never introduced). Residue-keeping steps (− 4) come before − 1 steps, so a
 * failure tied to an extent's class mod 4 shrinks within its class. A ConvTranspose's
 * output_padding goes to 0 with its axis's stride or dilation (it must stay below them). The
 * operator keeps the candidates that are valid and within `maxElements`.
 */
export function shrinkSpatialParts(s: SpatialParts, capabilities: CompleteCapabilities): SpatialParts[] {
  const r = s.D.length;
  const out: SpatialParts[] = [];
  const add = (o: Partial<SpatialParts>) => out.push({ ...s, ...o });
  // rank: drop an axis (keeping the others' attributes) where the kernel takes the lower rank
  if (r > 1 && capabilities.spatialRanks.includes(r - 1)) {
    for (let a = 0; a < r; a++) {
      const drop = <T>(v: readonly T[]) => v.filter((_, i) => i !== a);
      add({
        D: drop(s.D),
        k: drop(s.k),
        strides: drop(s.strides),
        dilations: drop(s.dilations),
        pads: [...drop(s.pads.slice(0, r)), ...drop(s.pads.slice(r))],
        ...(s.outputPadding ? { outputPadding: drop(s.outputPadding) } : {}),
      });
    }
  }
  for (const N of smaller(s.N, 1)) add({ N });
  if (s.group > 1) {
    add({ group: 1 });
    for (const group of smaller(s.group, 2)) add({ group });
  }
  for (const cg of smaller(s.cg, 1)) add({ cg });
  for (const mg of smaller(s.mg, 1)) add({ mg });
  if (s.bias) add({ bias: false });
  for (let a = 0; a < r; a++) {
    const set = (v: readonly number[], x: number) => v.map((e, i) => (i === a ? x : e));
    const op = s.outputPadding;
    const opReset = op ? { outputPadding: set(op, 0) } : {};
    if (op && op[a] > 0) add(opReset);
    if (s.strides[a] > 1) add({ strides: set(s.strides, 1), ...opReset });
    if (s.dilations[a] > 1) add({ dilations: set(s.dilations, 1), ...opReset });
    for (const k of smaller(s.k[a], 1)) add({ k: set(s.k, k) });
    const pb = s.pads[a];
    const pe = s.pads[a + r];
    if (capabilities.asymmetricPads) {
      for (const p of smaller(pb, 0)) add({ pads: set(s.pads, p) });
      for (const p of smaller(pe, 0)) add({ pads: s.pads.map((e, i) => (i === a + r ? p : e)) });
    } else if (pb > 0) {
      for (const p of smaller(pb, 0)) add({ pads: s.pads.map((e, i) => (i === a || i === a + r ? p : e)) });
    }
    for (const d of smaller(s.D[a], 1)) add({ D: set(s.D, d) });
  }
  return out;
}
