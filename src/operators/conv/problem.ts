/**
 * `convProblem`: fast-check arbitrary of valid conv problems. The geometry is generated first and
 * the input size is derived from it (D = max(1, eff − pads) + extra), so every problem is valid by
 * construction and nothing is filtered away (except by an explicit `maxElements`).
 */
import fc from 'fast-check';
import type { KernelCapabilities } from '../../capabilities.js';
import { completeCapabilities } from '../../capabilities.js';
import { InvalidArgumentError } from '../../errors.js';
import type { ProductionPlan, SizeTier } from '../../vocabulary.js';
import { SIZE_TIERS, withinPlan } from '../../vocabulary.js';
import { cycle } from '../../arbitraries/cycle.js';
import { convGeometryOfShapes } from './geometry.js';
import { sizeOf } from '../../tensor.js';
import { boundaryConvProblem } from './boundary.js';
import type { ConvSpec } from './spec.js';
import type { PlanDraw } from '../../arbitraries/shape-plan.js';
import { plannedSpecs } from '../../arbitraries/shape-plan.js';
import { shrinkConvSpec } from './plan.js';
import { largeThenSmall } from '../../arbitraries/large-then-small.js';
import { withinMaxElements } from '../../arbitraries/max-elements.js';

/** Constraints of `convProblem`. */
export interface ConvProblemConstraints {
  /** Never generate what the kernel declares unsupported. */
  readonly capabilities?: KernelCapabilities;
  /** `small`: tiny shapes only; `default`: mostly small, ~1 in 8 large; `large`: bigger, ~1 in 3 large. */
  readonly size?: SizeTier;
  /** Restrict spatial ranks further (intersected with the capabilities). */
  readonly ranks?: readonly number[];
  /** Force bias on (true) or off (false); default either. */
  readonly bias?: boolean;
  /** Allow group > 1 (default true, subject to capabilities). */
  readonly group?: boolean;
  /** Allow padding (default true). */
  readonly padding?: boolean;
  /** Allow stride > 1 (default true). */
  readonly stride?: boolean;
  /** Allow dilation > 1 (default true, subject to capabilities). */
  readonly dilation?: boolean;
  /**
   * Production tier: the layers to run (from `GenerationContext.production`); the cycle length is
   * recorded in the plan. Layers the constraints or capabilities exclude are left out.
   */
  readonly production?: ProductionPlan;
  /**
   * The run-wide shape plan as this property draws from it: plan shapes that meet these
   * constraints (and `exercises`, where given) instead of, or mixed with, random ones.
   */
  readonly plan?: PlanDraw;
  /** Production tier and plan: only layers / plan shapes that exercise this (padding, stride > 1, dilation > 1, group > 1, N > 1). */
  readonly exercises?: 'padding' | 'stride' | 'dilation' | 'group' | 'batch';
  /**
   * The largest tensor, in elements, of the calls a property derives from the problem (the
   * zero-padded x of `explicit-padding`, the stride-1 output of `stride-subsampling`): problems are
   * drawn only where those fit the kernel's `maxElements` too, so no derived call exceeds it.
   */
  readonly derivedLargest?: (spec: ConvSpec) => number;
}

interface CompleteConvProblemConstraints {
  production: ProductionPlan | undefined;
  plan: PlanDraw | undefined;
  exercises: ConvProblemConstraints['exercises'];
  ranks: number[];
  size: SizeTier;
  bias: boolean | undefined;
  group: boolean;
  padding: boolean;
  asymmetricPads: boolean;
  stride: boolean;
  dilation: boolean;
  strideWithDilation: boolean;
  maxElements: number;
  /** Largest tensor of the problem and of every call derived from it. */
  largest: (spec: ConvSpec) => number;
}

/** Fills defaults from the constraints and the kernel's capabilities; validates eagerly. */
export function buildCompleteConvProblemConstraints(c: ConvProblemConstraints = {}): CompleteConvProblemConstraints {
  const caps = completeCapabilities(c.capabilities);
  const ranks = caps.spatialRanks.filter((r) => (c.ranks ?? [1, 2, 3]).includes(r) && [1, 2, 3].includes(r));
  if (ranks.length === 0) {
    throw new InvalidArgumentError(
      'convProblem',
      'ranks',
      { capabilities: caps.spatialRanks, ranks: c.ranks },
      `no spatial rank in 1..3 is allowed by both the capabilities [${caps.spatialRanks.join(',')}] and the constraints [${(c.ranks ?? [1, 2, 3]).join(',')}]`,
    );
  }
  const size = c.size ?? 'default';
  if (!SIZE_TIERS.includes(size)) {
    throw new InvalidArgumentError(
      'convProblem',
      'size',
      size,
      `size must be one of ${SIZE_TIERS.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(size)}`,
    );
  }
  if (size === 'production' && c.production === undefined) {
    throw new InvalidArgumentError(
      'convProblem',
      'production',
      undefined,
      `the production tier needs the layers to run (constraints.production)`,
    );
  }
  return {
    production: c.production,
    plan: c.plan,
    exercises: c.exercises,
    ranks,
    size,
    bias: c.bias,
    group: (c.group ?? true) && caps.group,
    padding: c.padding ?? true,
    asymmetricPads: caps.asymmetricPads,
    stride: c.stride ?? true,
    dilation: (c.dilation ?? true) && caps.dilation,
    strideWithDilation: caps.strideWithDilation,
    maxElements: caps.maxElements,
    largest: c.derivedLargest === undefined ? largestTensor : (spec) => Math.max(largestTensor(spec), c.derivedLargest!(spec)),
  };
}

/** Raw generated parameters, before capability adjustments. Three axes are always generated; only the first `rank` are used. */
interface RawParams {
  rank: number;
  batch: number;
  groupKind: 'none' | 'grouped' | 'depthwise';
  groups: number;
  channelsPerGroup: number;
  outPerGroup: number;
  kernel: number[];
  stride: number[];
  dilation: number[];
  padBegin: number[];
  padEnd: number[];
  extra: number[];
  bias: boolean;
  /** When stride and dilation may not be combined: keep strides (true) or dilations (false). */
  keepStride: boolean;
}

interface Ranges {
  batch: [number, number];
  groups: [number, number];
  cg: [number, number];
  mg: [number, number];
  k: [number, number];
  s: [number, number];
  d: [number, number];
  p: [number, number];
  extra: [number, number];
}

const TIER_RANGES: Record<Exclude<SizeTier, 'production'>, Ranges> = {
  small: { batch: [1, 2], groups: [2, 3], cg: [1, 3], mg: [1, 3], k: [1, 3], s: [1, 3], d: [1, 2], p: [0, 2], extra: [0, 3] },
  default: { batch: [1, 3], groups: [2, 3], cg: [1, 4], mg: [1, 4], k: [1, 4], s: [1, 4], d: [1, 3], p: [0, 3], extra: [0, 6] },
  large: { batch: [1, 4], groups: [2, 4], cg: [1, 8], mg: [1, 8], k: [1, 5], s: [1, 4], d: [1, 3], p: [0, 4], extra: [0, 12] },
};

const int = (r: [number, number]) => fc.integer({ min: r[0], max: r[1] });
const axes = (r: [number, number]) => fc.tuple(int(r), int(r), int(r)).map((t) => [...t]);

function regularParams(c: CompleteConvProblemConstraints, r: Ranges): fc.Arbitrary<RawParams> {
  const kinds: RawParams['groupKind'][] = c.group ? ['none', 'grouped', 'depthwise'] : ['none'];
  return fc.record({
    rank: fc.constantFrom(...c.ranks),
    batch: int(r.batch),
    groupKind: fc.constantFrom(...kinds),
    groups: int(r.groups),
    channelsPerGroup: int(r.cg),
    outPerGroup: int(r.mg),
    kernel: axes(r.k),
    stride: axes(r.s),
    dilation: axes(r.d),
    padBegin: axes(r.p),
    padEnd: axes(r.p),
    extra: axes(r.extra),
    bias: fc.boolean(),
    keepStride: fc.boolean(),
  });
}

/**
 * Large shapes that reach the block tails of blocked kernels: a wide axis (≥ 64), a long
 * reduction ((C/group)·∏k from 528 to 3,200, across the 1,024 boundary), a large batch (≥ 8), or
 * many channels (M ≥ 17, C from 33 to 160, across the 64 and 128 boundaries).
 */
function largeParams(c: CompleteConvProblemConstraints): fc.Arbitrary<RawParams> {
  const lowRank = c.ranks.filter((r) => r <= 2);
  const ranks = lowRank.length > 0 ? lowRank : c.ranks;
  const base = {
    rank: fc.constantFrom(...ranks),
    groupKind: fc.constant<RawParams['groupKind']>('none'),
    groups: fc.constant<number>(1),
    dilation: fc.constant<number[]>([1, 1, 1]),
    bias: fc.boolean(),
    keepStride: fc.constant<boolean>(true),
  };
  const small = (r: [number, number]) => axes(r);
  const wide = fc
    .record({
      ...base,
      batch: int([1, 2]),
      channelsPerGroup: int([1, 3]),
      outPerGroup: int([1, 4]),
      kernel: small([1, 3]),
      stride: fc.tuple(int([1, 2]), fc.constant(1), fc.constant(1)).map((t) => [...t]),
      padBegin: small([0, 1]),
      padEnd: small([0, 1]),
      // the last used axis is wide; for rank 2 the first axis stays small
      extra: fc.tuple(largeThenSmall(64, 90, 0), int([0, 2]), int([0, 2])).map((t) => [...t]),
    })
    .map((p) => (p.rank === 1 ? p : { ...p, extra: [p.extra[1], p.extra[0], p.extra[2]] }));
  const deep = fc
    .record({
      ...base,
      batch: int([1, 2]),
      channelsPerGroup: largeThenSmall(33, 200),
      outPerGroup: int([1, 6]),
      kernel: fc.constant<number[]>([4, 4, 4]),
      stride: small([1, 2]),
      padBegin: small([0, 1]),
      padEnd: small([0, 1]),
      extra: small([0, 2]),
    })
    .map((p) => (p.rank === 1 ? { ...p, kernel: [16, 1, 1] } : p));
  const batch = fc.record({
    ...base,
    batch: largeThenSmall(8, 10),
    channelsPerGroup: int([1, 4]),
    outPerGroup: int([1, 4]),
    kernel: small([1, 3]),
    stride: small([1, 2]),
    padBegin: small([0, 1]),
    padEnd: small([0, 1]),
    extra: small([0, 3]),
  });
  const channels = fc.record({
    ...base,
    batch: int([1, 2]),
    channelsPerGroup: largeThenSmall(33, 160),
    outPerGroup: largeThenSmall(17, 24),
    kernel: small([1, 2]),
    stride: small([1, 2]),
    padBegin: small([0, 1]),
    padEnd: small([0, 1]),
    extra: small([0, 3]),
  });
  // long reductions weigh double: precision bugs (float32 accumulation past some length) need them
  return fc.oneof(
    { arbitrary: wide, weight: 1 },
    { arbitrary: deep, weight: 2 },
    { arbitrary: batch, weight: 1 },
    { arbitrary: channels, weight: 1 },
  );
}

/** Turns raw parameters into a valid spec, honouring the constraints. */
function toSpec(p: RawParams, c: CompleteConvProblemConstraints): ConvSpec {
  const rank = p.rank;
  const used = <T>(v: T[]) => v.slice(0, rank);
  let groups = 1;
  let cg = p.channelsPerGroup;
  let mg = p.outPerGroup;
  if (p.groupKind === 'grouped') groups = p.groups;
  if (p.groupKind === 'depthwise') {
    // group = C ≥ 2, so a depthwise problem is never the same as group 1
    groups = p.groups + p.channelsPerGroup - 1;
    cg = 1;
    mg = Math.min(p.outPerGroup, 3); // depth multiplier 1..3
  }
  const kernel = used(p.kernel);
  let stride = c.stride ? used(p.stride) : kernel.map(() => 1);
  let dilation = c.dilation ? used(p.dilation) : kernel.map(() => 1);
  if (!c.strideWithDilation && stride.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    if (p.keepStride) dilation = dilation.map(() => 1);
    else stride = stride.map(() => 1);
  }
  const padBegin = c.padding ? used(p.padBegin) : kernel.map(() => 0);
  const padEnd = !c.padding ? kernel.map(() => 0) : c.asymmetricPads ? used(p.padEnd) : padBegin.slice();
  const spatial = kernel.map((k, a) => {
    const eff = dilation[a] * (k - 1) + 1;
    return Math.max(1, eff - padBegin[a] - padEnd[a]) + p.extra[a];
  });
  const C = groups * cg;
  return {
    xShape: [p.batch, C, ...spatial],
    wShape: [groups * mg, cg, ...kernel],
    attrs: { strides: stride, pads: [...padBegin, ...padEnd], dilations: dilation, group: groups },
    hasBias: c.bias ?? p.bias,
  };
}

/**
 * The production tier: the plan's conv layers that the constraints and capabilities allow, in
 * order, each once per cycle (a forced bias is applied to the layer). With none left, the cycle
 * length recorded is 0 (the runner then skips the property) and small problems stand in.
 */
function productionConvProblem(c: CompleteConvProblemConstraints, plan: ProductionPlan): fc.Arbitrary<ConvSpec> {
  const specs = plan.layers
    .filter((l) => l.op === 'conv')
    // validated when the layer table was built (models/); a production layer keeps all its groups
    .filter((l) => fitsConstraints(l.spec as ConvSpec, c, Number.POSITIVE_INFINITY))
    // last: only layers the property would run count as left out
    .filter((l) => withinPlan(plan, l, convFlops(l.spec as ConvSpec), largestTensor(l.spec as ConvSpec)))
    .map((l) => l.spec as ConvSpec)
    .map((s) => (c.bias === undefined ? s : { ...s, hasBias: c.bias }));
  plan.cycleLengths.push(specs.length);
  return specs.length > 0 ? cycle(specs) : regularParams(c, TIER_RANGES.small).map((p) => toSpec(p, c));
}

/** 2·N·M·(C/group)·∏k·∏O: the FLOPs of a conv problem. */
export function convFlops(spec: ConvSpec): number {
  const g = convGeometryOfShapes(spec.xShape, spec.wShape, undefined, spec.attrs);
  return 2 * g.batch * g.outChannels * g.reductionLength * g.outSpatialSize;
}

/** Largest tensor of a conv problem (x, w or y), in elements. */
export function largestTensor(spec: ConvSpec): number {
  const out = spec.xShape.slice(2).map((d, a) => {
    const k = spec.wShape[2 + a];
    const r = spec.xShape.length - 2;
    const eff = spec.attrs.dilations[a] * (k - 1) + 1;
    return Math.floor((d + spec.attrs.pads[a] + spec.attrs.pads[a + r] - eff) / spec.attrs.strides[a]) + 1;
  });
  return Math.max(sizeOf(spec.xShape), sizeOf(spec.wShape), spec.xShape[0] * spec.wShape[0] * sizeOf(out));
}

/**
 * Arbitrary of valid conv problems covering ranks 1–3, asymmetric pads, stride and dilation
 * (alone, together, and stride > kernel extent), group / depthwise / depth multiplier, bias
 * present and absent, output size 1, kernels larger than the unpadded input and windows that
 * lie entirely in padding; plus, in the default and large tiers, a share of large shapes and of
 * boundary sizes (one dimension around a block size, 2¹⁶ / 2²⁴ elements or a texture side).
 * @example fc.sample(convProblem({ capabilities: { spatialRanks: [2] } }), 3)
 */
export function convProblem(constraints: ConvProblemConstraints = {}): fc.Arbitrary<ConvSpec> {
  const c = buildCompleteConvProblemConstraints(constraints);
  if (c.size === 'production') return productionConvProblem(c, c.production!);
  const regular = regularParams(c, TIER_RANGES[c.size]).map((p) => toSpec(p, c));
  // boundary sizes (arbitraries/sizes.ts); 2²⁴-element cases (~1 s each) are rare in the default tier
  const boundary = boundaryConvProblem({ ...c, flat24Weight: c.size === 'large' ? 10 : 0 });
  const specs =
    c.size === 'small'
      ? regular
      : fc.oneof(
          // cross-shrink: a failure found on a large or boundary shape is retried on the regular (small) ones first
          { withCrossShrink: true },
          { arbitrary: regular, weight: c.size === 'large' ? 4 : 14 },
          { arbitrary: largeParams(c).map((p) => toSpec(p, c)), weight: 3 },
          { arbitrary: boundary, weight: c.size === 'large' ? 4 : 6 },
        );
  const random = withinMaxElements('convProblem', specs, c.largest, c.maxElements);
  const caps = completeCapabilities(constraints.capabilities);
  return (
    plannedSpecs(c.plan, 'conv', {
      random,
      accept: (s) => planShapeFits(s, c),
      adjust: (s) => (c.bias === undefined ? s : { ...s, hasBias: c.bias }),
      shrink: (s) => shrinkConvSpec(s, caps),
    }) ?? random
  );
}

/** Whether a plan shape meets a property's constraints (group-concat calls the kernel once per group: at most 8 groups). */
function planShapeFits(s: ConvSpec, c: CompleteConvProblemConstraints): boolean {
  return fitsConstraints(s, c, 8);
}

/**
 * Whether a given shape (a plan shape, a production layer) meets a property's constraints: rank,
 * group, padding, stride, dilation, size, and what it exercises (a grouped shape with at most
 * `maxGroupsExercised` groups when the property exercises groups).
 */
function fitsConstraints(s: ConvSpec, c: CompleteConvProblemConstraints, maxGroupsExercised: number): boolean {
  const r = s.xShape.length - 2;
  const { strides, pads, dilations, group } = s.attrs;
  const strided = strides.some((v) => v > 1);
  const dilated = dilations.some((v) => v > 1);
  const padded = pads.some((p) => p > 0);
  const asymmetric = pads.slice(0, r).some((p, a) => p !== pads[a + r]);
  if (!c.ranks.includes(r) || (!c.group && group > 1) || (!c.padding && padded) || (!c.asymmetricPads && asymmetric)) return false;
  if ((!c.stride && strided) || (!c.dilation && dilated) || (!c.strideWithDilation && strided && dilated)) return false;
  if (c.largest(s) > c.maxElements) return false;
  switch (c.exercises) {
    case 'padding':
      return padded;
    case 'stride':
      return strided;
    case 'dilation':
      return dilated;
    case 'group':
      return group > 1 && group <= maxGroupsExercised;
    case 'batch':
      return s.xShape[0] > 1;
    default:
      return true;
  }
}
