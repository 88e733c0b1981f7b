/**
 * The equivalences the project exists to show: FC ≡ full-extent conv, linear ≡ 1×1 conv, an FC
 * layer slides as a conv over larger inputs, and a VGG-like FC head is a fully convolutional one.
 * The FC side is computed by the kernel's own dense when it has one (else by the reference).
 * In the production tier they run the networks' real FC layers (`fc-layers.ts`), each once, with
 * fresh data per case.
 */
import fc from 'fast-check';
import { scaleFor } from '../operators/conv/correlation-scale.js';
import type { Precision, Tensor } from '../contract.js';
import { Prng } from '../arbitraries/prng.js';
import { problemData } from '../arbitraries/data.js';
import { plainAttrs, runConv } from '../operators/conv/cases.js';
import { fastReferenceConv } from '../operators/conv/fast-reference.js'; // Σ|w·x| only: the same plain sum in both
import { runDense } from '../operators/dense/cases.js';
import { fastReferenceDense } from '../operators/dense/fast-reference.js';
import { referenceDense } from '../operators/dense/reference.js';
import { fcToConv, flatten, linearToConv1x1 } from '../fc-as-conv/conversions.js';
import type { FlattenOrder } from '../fc-as-conv/conversions.js';
import { dataSeed } from '../property/cases.js';
import type { GenerationContext } from '../property/definition.js';
import { defineProperty } from '../property/definition.js';
import type { Expectation } from '../property/judge.js';
import { judge } from '../property/judge.js';
import { cropSpatial, range, relu } from '../property/tensor-ops.js';
import { PRECISION_FACTS } from '../precision.js';
import { formatShape, sizeOf } from '../tensor.js';
import type { CheckedKernel, Data64, ProductionPlan, Regime } from '../vocabulary.js';
import { cycle } from '../arbitraries/cycle.js';
import { withinMaxElements } from '../arbitraries/max-elements.js';
import type { FcHead, FcLayer, PointwiseLayer } from './fc-layers.js';
import { fcHeadsOf, fcLayersOf, pointwiseLayersOf } from './fc-layers.js';

/** Dense on the kernel if it has one, else the reference; says which for the failure message. */
async function denseOf(k: CheckedKernel, x: Data64, w: Data64, b: Data64 | undefined): Promise<{ y: Float64Array; byKernel: boolean }> {
  if (k.has('dense')) return { y: await runDense(k, x, w, b), byKernel: true };
  return { y: referenceDense(x, w, b).output.data as Float64Array, byKernel: false };
}

/**
 * A converted tensor as case data: float64 data taken as it is (the conversions return new
 * arrays, and nothing writes into case data), float32 widened. A copy of VGG-16's fc6 as a conv
 * weight was 822 MB of fresh memory per case.
 */
const asData = (t: Tensor): Data64 => ({ shape: t.shape, data: t.data instanceof Float64Array ? t.data : Float64Array.from(t.data) });

/** Shared parameters of the FC-on-a-map cases. */
interface FcCase {
  readonly rank: number;
  readonly batch: number;
  readonly channels: number;
  readonly out: number;
  /** The FC layer's window: spatial size S per axis (first `rank` used). */
  readonly window: readonly number[];
  readonly order: FlattenOrder;
  readonly hasBias: boolean;
  readonly regime: Regime;
  readonly seed: number;
  /** Production tier: the network layer the case runs. */
  readonly layer?: string;
}

/**
 * The production tier: `items` in order, once each per cycle (the plan records how many); with
 * none, `fallback` (never run: the runner skips the property).
 */
function productionCycle<T, C>(
  plan: ProductionPlan,
  items: readonly T[],
  toCase: (item: fc.Arbitrary<T>) => fc.Arbitrary<C>,
  fallback: fc.Arbitrary<C>,
): fc.Arbitrary<C> {
  plan.cycleLengths.push(items.length);
  return items.length > 0 ? toCase(cycle(items)) : fallback;
}

/** FcCases on the given FC layers: the layer's geometry, a flatten order, regime and fresh data. */
function fcCasesOn(layers: fc.Arbitrary<FcLayer>): fc.Arbitrary<FcCase> {
  return fc
    .record({
      f: layers,
      order: fc.constantFrom<FlattenOrder>('channels-first', 'channels-last'),
      regime: fc.constantFrom<Regime>('exact', 'float'),
      seed: dataSeed(),
    })
    .map(
      ({ f, order, regime, seed }): FcCase => ({
        rank: f.rank,
        batch: f.batch,
        channels: f.channels,
        out: f.out,
        window: f.window,
        order,
        hasBias: f.hasBias,
        regime,
        seed,
        layer: f.layer,
      }),
    );
}

function fcCaseArb(ctx: GenerationContext): fc.Arbitrary<FcCase> {
  if (ctx.production !== undefined) {
    return productionCycle(
      ctx.production,
      fcLayersOf(ctx.production.layers, ctx.capabilities),
      fcCasesOn,
      smallFcCaseArb({ ...ctx, size: 'small' }),
    );
  }
  return smallFcCaseArb(ctx);
}

/**
 * The largest tensor, in elements, that an FC case hands the kernel on an input of `spatial`
 * (x, the FC weight [M, C·∏S] and its conv form, the window rows [N·P, C·∏S] of a sliding FC,
 * the output): the generated cases keep it within `maxElements`.
 */
function fcLargest(c: FcCase, spatial: readonly number[], strides: readonly number[]): number {
  const S = c.window.slice(0, c.rank);
  const K = c.channels * sizeOf(S);
  const P = sizeOf(spatial.map((d, a) => Math.floor((d - S[a]) / strides[a]) + 1));
  return Math.max(c.batch * c.channels * sizeOf(spatial), c.out * K, c.batch * P * K, c.batch * c.out * P);
}

function smallFcCaseArb(ctx: GenerationContext): fc.Arbitrary<FcCase> {
  const big = ctx.size === 'small' ? 3 : ctx.size === 'default' ? 4 : 6;
  const cases = fc.record({
    rank: fc.constantFrom(...ctx.capabilities.spatialRanks),
    batch: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 1, max: big }),
    out: fc.integer({ min: 1, max: big + 2 }),
    window: fc.tuple(fc.integer({ min: 1, max: big }), fc.integer({ min: 1, max: big }), fc.integer({ min: 1, max: 3 })).map((t) => [...t]),
    order: fc.constantFrom<FlattenOrder>('channels-first', 'channels-last'),
    hasBias: fc.boolean(),
    regime: fc.constantFrom<Regime>('exact', 'float'),
    seed: dataSeed(),
  });
  return withinMaxElements(
    'fcEqualsFullExtentConv',
    cases,
    (c) =>
      fcLargest(
        c,
        c.window.slice(0, c.rank),
        c.window.map(() => 1),
      ),
    ctx.capabilities.maxElements,
  );
}

/** x `[N, C, ...D]`, FC weight `[M, C·∏S]`, bias — from the case's seed. */
function fcData(c: FcCase, spatial: readonly number[], precision: Precision) {
  const S = c.window.slice(0, c.rank);
  const K = c.channels * sizeOf(S);
  const d = problemData(
    {
      xSize: c.batch * c.channels * sizeOf(spatial),
      wSize: c.out * K,
      bSize: c.hasBias ? c.out : 0,
      reductionLength: K,
      specialWeights: false,
    },
    c.regime,
    c.seed,
    { precision },
  );
  return {
    S,
    x: { shape: [c.batch, c.channels, ...spatial], data: d.x } as Data64,
    W: { shape: [c.out, K], data: d.w } as Data64,
    b: d.b ? ({ shape: [c.out], data: d.b } as Data64) : undefined,
  };
}

const describeFc = (c: FcCase, extra: string) =>
  `x=${formatShape([c.batch, c.channels, ...c.window.slice(0, c.rank)])} fc=[${c.out},${c.channels * sizeOf(c.window.slice(0, c.rank))}] order=${c.order}${extra} bias=${c.hasBias ? 'yes' : 'no'} regime=${c.regime}${layerNote(c.layer)}`;

/** ` layer="VGG-16 fc6"` for a production case. */
const layerNote = (layer: string | undefined) => (layer === undefined ? '' : ` layer=${JSON.stringify(layer)}`);

/** How FC weights become a conv kernel; replaceable so a test can show a wrong order is caught. */
export type FcToConv = (weight: Tensor, inputShape: readonly number[], order: FlattenOrder) => Tensor;

/** Builds `fc-equals-full-extent-conv` with a given conversion (the real `fcToConv` by default). */
export function fcEqualsFullExtentConvWith(convert: FcToConv) {
  return defineProperty<FcCase>({
    id: 'fc-equals-full-extent-conv',
    statement:
      'dense(flatten(x, order), W) equals conv(x, fcToConv(W, order)) with no padding and stride 1 (output [N, M, 1, …, 1]), for both flatten orders and ranks 1–3',
    needs: ['conv'],
    arbitrary: fcCaseArb,
    async check(k, c) {
      const { S, x, W, b } = fcData(c, c.window.slice(0, c.rank), k.precision);
      const flat = asData(flatten(x, c.order));
      const dense = await denseOf(k, flat, W, b);
      const wConv = asData(convert(W, [c.channels, ...S], c.order));
      const outShape = [c.batch, c.out, ...S.map(() => 1)];
      const conv = await runConv(k, x, wConv, b, plainAttrs(c.rank), outShape);
      const ref = fastReferenceDense(flat, W, b);
      const mapScale = scaleFor(k.numerics, x, wConv, b, plainAttrs(c.rank));
      const expected: Expectation = {
        shape: outShape,
        values: dense.y,
        magnitude: ref.magnitude,
        terms: ref.termCount,
        ...(mapScale ? { mapScale } : {}),
      };
      judge(`conv(x, fcToConv(W)) vs ${dense.byKernel ? 'kernel' : 'reference'} dense(flatten(x))`, k.numerics, c.regime, conv, expected, {
        expectedFromKernel: dense.byKernel,
      });
    },
    describe: (c) => describeFc(c, ''),
  });
}

/** FC ≡ full-extent conv. */
export const fcEqualsFullExtentConv = fcEqualsFullExtentConvWith(fcToConv);

/** A case of `linear-equals-1x1-conv`. */
interface LinearCase extends Omit<PointwiseLayer, 'layer' | 'spatial'> {
  readonly variant: 'linear' | 'dense';
  /** Spatial size per axis (first `rank` used; the dense variant uses 1s). */
  readonly spatial: readonly number[];
  readonly regime: Regime;
  readonly seed: number;
  /** Production tier: the network layer the case runs. */
  readonly layer?: string;
}

/** The largest tensor of a linear case: x (and its rows), the weight, the output. */
function linearLargest(c: LinearCase): number {
  const P = c.variant === 'dense' ? 1 : sizeOf(c.spatial.slice(0, c.rank));
  return Math.max(c.batch * c.channels * P, c.out * c.channels, c.batch * c.out * P);
}

function smallLinearCases(ctx: GenerationContext): fc.Arbitrary<LinearCase> {
  const cases = fc.record({
    variant: fc.constantFrom('linear' as const, 'dense' as const),
    rank: fc.constantFrom(...ctx.capabilities.spatialRanks),
    batch: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 1, max: ctx.size === 'small' ? 4 : 40 }),
    out: fc.integer({ min: 1, max: ctx.size === 'small' ? 4 : 20 }),
    spatial: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 })).map((t) => [...t]),
    hasBias: fc.boolean(),
    regime: fc.constantFrom<Regime>('exact', 'float'),
    seed: dataSeed(),
  });
  return withinMaxElements('linearEquals1x1Conv', cases, linearLargest, ctx.capabilities.maxElements);
}

/**
 * The production tier: every plain FC layer (dense on [N, K] ≡ 1×1 conv on [N, K, 1, …]) and
 * every pointwise conv layer (a linear layer at each of its positions), once each.
 */
function productionLinearCases(ctx: GenerationContext, plan: ProductionPlan): fc.Arbitrary<LinearCase> {
  type Item = Omit<LinearCase, 'regime' | 'seed'>;
  const plain: Item[] = fcLayersOf(plan.layers, ctx.capabilities)
    .filter((f) => sizeOf(f.window) === 1)
    .map((f) => ({
      variant: 'dense',
      rank: f.rank,
      batch: f.batch,
      channels: f.channels,
      out: f.out,
      spatial: [1, 1, 1],
      hasBias: f.hasBias,
      layer: f.layer,
    }));
  const pointwise: Item[] = pointwiseLayersOf(plan.layers, ctx.capabilities).map((p) => ({
    variant: 'linear',
    rank: p.rank,
    batch: p.batch,
    channels: p.channels,
    out: p.out,
    spatial: [...p.spatial, 1, 1].slice(0, 3),
    hasBias: p.hasBias,
    layer: p.layer,
  }));
  return productionCycle(
    plan,
    [...plain, ...pointwise],
    (items) =>
      fc
        .record({ item: items, regime: fc.constantFrom<Regime>('exact', 'float'), seed: dataSeed() })
        .map(({ item, regime, seed }): LinearCase => ({ ...item, regime, seed })),
    smallLinearCases({ ...ctx, size: 'small' }),
  );
}

/** Linear at every position ≡ 1×1 conv; dense on [N, C] ≡ 1×1 conv on [N, C, 1, …]. */
export const linearEquals1x1Conv = defineProperty({
  id: 'linear-equals-1x1-conv',
  statement:
    'a linear layer [M, C] applied at every position of [N, C, D…] equals conv with linearToConv1x1(W) (stride 1, any spatial size, ranks 1–3); dense on [N, C] equals a 1×1 conv on [N, C, 1, …, 1]',
  needs: ['conv'],
  arbitrary: (ctx: GenerationContext) =>
    ctx.production !== undefined ? productionLinearCases(ctx, ctx.production) : smallLinearCases(ctx),
  async check(k, c: LinearCase) {
    const spatial = c.variant === 'dense' ? range(c.rank).map(() => 1) : c.spatial.slice(0, c.rank);
    const P = sizeOf(spatial);
    const d = problemData(
      {
        xSize: c.batch * c.channels * P,
        wSize: c.out * c.channels,
        bSize: c.hasBias ? c.out : 0,
        reductionLength: c.channels,
        specialWeights: false,
      },
      c.regime,
      c.seed,
      { precision: k.precision },
    );
    const x: Data64 = { shape: [c.batch, c.channels, ...spatial], data: d.x };
    const W: Data64 = { shape: [c.out, c.channels], data: d.w };
    const b: Data64 | undefined = d.b ? { shape: [c.out], data: d.b } : undefined;
    const w1 = asData(linearToConv1x1(W, c.rank));
    const outShape = [c.batch, c.out, ...spatial];
    const conv = await runConv(k, x, w1, b, plainAttrs(c.rank), outShape);
    // linear at every position = dense on the [N·P, C] matrix of positions, moved back to [N, M, P]
    const rows = new Float64Array(c.batch * P * c.channels);
    for (let n = 0; n < c.batch; n++)
      for (let ch = 0; ch < c.channels; ch++)
        for (let p = 0; p < P; p++) rows[(n * P + p) * c.channels + ch] = d.x[(n * c.channels + ch) * P + p];
    const dense = await denseOf(k, { shape: [c.batch * P, c.channels], data: rows }, W, b);
    const values = new Float64Array(conv.length);
    for (let n = 0; n < c.batch; n++)
      for (let m = 0; m < c.out; m++) for (let p = 0; p < P; p++) values[(n * c.out + m) * P + p] = dense.y[(n * P + p) * c.out + m];
    const ref = fastReferenceConv(x, w1, b, plainAttrs(c.rank));
    judge(
      `1×1 conv vs ${dense.byKernel ? 'kernel' : 'reference'} ${c.variant === 'dense' ? 'dense' : 'linear at every position'}`,
      k.numerics,
      c.regime,
      conv,
      {
        shape: outShape,
        values,
        magnitude: ref.magnitude,
        terms: ref.termCount,
      },
      { expectedFromKernel: dense.byKernel },
    );
  },
  describe: (c: LinearCase) =>
    `${c.variant} x=${formatShape([c.batch, c.channels, ...(c.variant === 'dense' ? [] : c.spatial.slice(0, c.rank))])} w=[${c.out},${c.channels}] rank=${c.rank} bias=${c.hasBias ? 'yes' : 'no'} regime=${c.regime}${layerNote(c.layer)}`,
});

/**
 * Every position of conv(x, fcToConv(W), stride s) over a larger input equals W applied to the
 * window at that position: y[:, :, o] = dense(flatten(x[:, :, o·s : o·s+S]), W).
 */
async function windowMap(
  x: Data64,
  S: readonly number[],
  strides: readonly number[],
  order: FlattenOrder,
  apply: (rows: Data64) => Promise<{ y: Float64Array; cols: number; byKernel: boolean }>,
): Promise<{ values: Float64Array; outShape: number[]; byKernel: boolean }> {
  const [N, C] = x.shape;
  const D = x.shape.slice(2);
  const O = D.map((d, a) => Math.floor((d - S[a]) / strides[a]) + 1);
  const P = sizeOf(O);
  const K = C * sizeOf(S);
  // one row per (n, position): the flattened window
  const rows = new Float64Array(N * P * K);
  const pos = new Array<number>(O.length).fill(0);
  for (let p = 0; p < P; p++) {
    const win = asData(
      flatten(
        cropSpatial(
          x,
          pos.map((o, a) => o * strides[a]),
          S,
        ),
        order,
      ),
    );
    for (let n = 0; n < N; n++) rows.set(win.data.subarray(n * K, (n + 1) * K), (n * P + p) * K);
    for (let a = O.length - 1; a >= 0; a--) {
      if (++pos[a] < O[a]) break;
      pos[a] = 0;
    }
  }
  const r = await apply({ shape: [N * P, K], data: rows });
  const M = r.cols;
  const values = new Float64Array(N * M * P);
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) for (let p = 0; p < P; p++) values[(n * M + m) * P + p] = r.y[(n * P + p) * M + m];
  return { values, outShape: [N, M, ...O], byKernel: r.byKernel };
}

/** LeCun's point: an FC layer on a window of size S slides as a conv over a larger input. */
export const fcSlidesAsConv = defineProperty({
  id: 'fc-slides-as-conv',
  statement:
    'an FC layer defined on windows of size S, applied as a conv with stride s to a larger input, gives a map whose every position equals the FC layer applied to that window',
  needs: ['conv'],
  arbitrary: (ctx: GenerationContext) => {
    const plan = ctx.production;
    const small = fc.record({
      base: fcCaseArb(plan === undefined ? ctx : { ...ctx, size: 'small', production: undefined }),
      extra: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 })).map((t) => [...t]),
      strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).map((t) => [...t]),
    });
    if (plan === undefined) {
      const fits = ({ base, extra, strides }: { base: FcCase; extra: number[]; strides: number[] }) =>
        fcLargest(
          base,
          base.window.slice(0, base.rank).map((s, a) => s + extra[a]),
          strides.slice(0, base.rank),
        );
      return withinMaxElements('fcSlidesAsConv', small, fits, ctx.capabilities.maxElements);
    }
    // production: each windowed FC layer slides over a map twice its window, stride 1 — VGG-16's
    // fc6 (7×7×512 → 4096) over a 14×14 map gives an 8×8 map of class scores, the FCN case
    const windowed = fcLayersOf(plan.layers, ctx.capabilities).filter((f) => sizeOf(f.window) > 1);
    return productionCycle(
      plan,
      windowed,
      (layers) => fcCasesOn(layers).map((base) => ({ base, extra: [...base.window], strides: [1, 1, 1] })),
      small,
    );
  },
  async check(k, { base: c, extra, strides: st }) {
    const spatial = c.window.slice(0, c.rank).map((s, a) => s + extra[a]);
    const strides = st.slice(0, c.rank);
    const { S, x, W, b } = fcData(c, spatial, k.precision);
    const map = await windowMap(x, S, strides, c.order, async (rows) => ({ ...(await denseOf(k, rows, W, b)), cols: c.out }));
    const wConv = asData(fcToConv(W, [c.channels, ...S], c.order));
    const attrs = { ...plainAttrs(c.rank), strides };
    const conv = await runConv(k, x, wConv, b, attrs, map.outShape);
    const ref = fastReferenceConv(x, wConv, b, attrs);
    const mapScale = scaleFor(k.numerics, x, wConv, b, attrs);
    judge(
      `conv(x, fcToConv(W), stride) vs ${map.byKernel ? 'kernel' : 'reference'} dense on each window`,
      k.numerics,
      c.regime,
      conv,
      {
        shape: map.outShape,
        values: map.values,
        magnitude: ref.magnitude,
        terms: ref.termCount,
        ...(mapScale ? { mapScale } : {}),
      },
      { expectedFromKernel: map.byKernel },
    );
  },
  describe: ({ base, extra, strides }) =>
    describeFc(
      base,
      ` input=${formatShape(base.window.slice(0, base.rank).map((s, a) => s + extra[a]))} strides=${formatShape(strides.slice(0, base.rank))}`,
    ),
});

/**
 * A VGG-like head: conv3×3+ReLU, then the FC layers — the first on a window (full-extent conv),
 * the others 1×1 convs — with ReLU between them. Small generated heads have three FC layers
 * (fc6, fc7, fc8); in the production tier `widths` gives a network's real head.
 */
interface FcnCase {
  readonly rank: number;
  readonly batch: number;
  readonly channels: number;
  readonly features: number;
  readonly window: readonly number[];
  readonly extra: readonly number[];
  readonly fc6: number;
  readonly fc7: number;
  readonly fc8: number;
  readonly order: FlattenOrder;
  readonly seed: number;
  /** Production tier: the FC layers' widths (replacing fc6, fc7, fc8) and the network layer. */
  readonly widths?: readonly number[];
  readonly layer?: string;
  /**
   * Production tier: data in {−1, 0, 1} with at most this many non-zero weights per output, so
   * every partial sum of every layer stays below 2²⁴ however long the reductions are.
   */
  readonly nonzeros?: number;
}

/** The widths of a case's FC layers. */
const widthsOf = (c: FcnCase): readonly number[] => c.widths ?? [c.fc6, c.fc7, c.fc8];

/**
 * Most non-zero weights per output (≤ 64) that keep an L-layer network with data in {−1, 0, 1}
 * exact in float32: with |input| ≤ B, a layer's |output| and every partial sum are ≤ R·B + 1.
 */
export function exactNonzeros(layers: number): number {
  for (let R = 64; R > 1; R--) {
    let B = 1;
    for (let l = 0; l < layers; l++) B = R * B + 1;
    if (B < 2 ** 24) return R;
  }
  return 1;
}

/**
 * The production tier: each network's FC head (`fcHeadsOf`: VGG-16 fc6 7×7×512 → fc7 → fc8,
 * LeNet-5 C5 → F6 → output, C3D fc6 → fc7 → fc8) behind a 3×3 conv that keeps its channel
 * count, on a map 2 larger than the window along every axis it spans (a 3×3 map of windows for
 * VGG's 9×9), batch 1.
 */
function productionFcnCases(ctx: GenerationContext, plan: ProductionPlan): fc.Arbitrary<FcnCase> {
  const heads = fcHeadsOf(plan.layers, ctx.capabilities);
  const toCase = (h: FcHead, order: FlattenOrder, seed: number): FcnCase => ({
    rank: h.rank,
    batch: 1,
    channels: h.channels,
    features: h.channels,
    window: h.window,
    extra: h.window.map((s, a) => (a < h.rank && s > 1 ? 2 : 0)),
    fc6: h.widths[0],
    fc7: h.widths[1] ?? 0,
    fc8: h.widths[2] ?? 0,
    order,
    seed,
    widths: h.widths,
    layer: h.layer,
    nonzeros: exactNonzeros(1 + h.widths.length),
  });
  return productionCycle(
    plan,
    heads,
    (items) =>
      fc
        .record({ h: items, order: fc.constantFrom<FlattenOrder>('channels-first', 'channels-last'), seed: dataSeed() })
        .map(({ h, order, seed }) => toCase(h, order, seed)),
    smallFcnCases({ ...ctx, size: 'small' }),
  );
}

/** The largest tensor of an FCN case: x, the feature map, each layer's weight, output and window rows. */
function fcnLargest(c: FcnCase): number {
  const S = c.window.slice(0, c.rank);
  const D = S.map((s, a) => s + c.extra[a]);
  const P = sizeOf(D.map((d, a) => d - S[a] + 1));
  const widths = widthsOf(c);
  const sizes = [
    c.batch * c.channels * sizeOf(D),
    c.features * c.channels * 3 ** c.rank,
    c.batch * c.features * sizeOf(D),
    c.batch * P * c.features * sizeOf(S),
  ];
  widths.forEach((m, l) => sizes.push(m * (l === 0 ? c.features * sizeOf(S) : widths[l - 1]), c.batch * m * P));
  return Math.max(...sizes);
}

function smallFcnCases(ctx: GenerationContext): fc.Arbitrary<FcnCase> {
  const cases = fc.record({
    rank: fc.constantFrom(...ctx.capabilities.spatialRanks),
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    features: fc.integer({ min: 1, max: 4 }),
    window: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map((t) => [...t]),
    extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 })).map((t) => [...t]),
    fc6: fc.integer({ min: 1, max: 6 }),
    fc7: fc.integer({ min: 1, max: 6 }),
    fc8: fc.integer({ min: 1, max: 4 }),
    order: fc.constantFrom<FlattenOrder>('channels-first', 'channels-last'),
    seed: dataSeed(),
  });
  return withinMaxElements('fcnNetwork', cases, fcnLargest, ctx.capabilities.maxElements);
}

/** `11` → `¹¹`: an exponent as superscript digits, for messages. */
const superscript = (n: number): string => String(n).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]);

/**
 * Exact regime only: integers in [−2, 2] keep every partial sum of all four layers below 2²⁴
 * for the small sizes (≤ 3·27 terms, then ≤ 4·27, 6, 6), and the production heads' sparse data
 * (`exactNonzeros`) for theirs, so conv and FC forms must agree exactly; ReLU's kink makes a
 * float-regime bound for a network far looser than for one layer.
 */
export const fcnNetwork = defineProperty({
  id: 'fcn-network',
  statement:
    'a VGG-like head (conv+ReLU, fc6 as full-extent conv, fc7/fc8 as 1×1 convs) equals the FC network on fixed-size inputs, and on larger inputs gives the map of per-window FC results',
  needs: ['conv'],
  // exact through four layers: needs a kernel that is exact on integer sums up to ~2¹⁶
  skipReason: (_caps, numerics) =>
    numerics.errorModel === 'normwise'
      ? 'the kernel declares the normwise error model: a four-layer network has no exact answer for it, and its error through ReLU layers is not bounded here'
      : PRECISION_FACTS[numerics.precision].exactSumLimit <= 2 ** 16
        ? `the network's integer sums reach ~2¹⁶, beyond ${numerics.precision}'s exact integers (2${superscript(PRECISION_FACTS[numerics.precision].significandBits)})`
        : undefined,
  arbitrary: (ctx: GenerationContext): fc.Arbitrary<FcnCase> =>
    ctx.production !== undefined ? productionFcnCases(ctx, ctx.production) : smallFcnCases(ctx),
  async check(k, c: FcnCase) {
    const r = c.rank;
    const S = c.window.slice(0, r);
    const D = S.map((s, a) => s + c.extra[a]);
    const rng = new Prng(c.seed);
    const widths = widthsOf(c);
    const R = c.nonzeros;
    // small heads: integers in [−2, 2]; production heads: {−1, 0, 1}, at most R non-zero weights per output
    const ints = (shape: number[]): Data64 => ({
      shape,
      data: Float64Array.from({ length: sizeOf(shape) }, () => (R === undefined ? rng.int(-2, 2) : rng.int(-1, 1))),
    });
    const weights = (shape: number[]): Data64 => {
      if (R === undefined) return ints(shape);
      const row = sizeOf(shape.slice(1));
      const data = new Float64Array(sizeOf(shape));
      for (let m = 0; m < shape[0]; m++)
        for (let i = 0; i < Math.min(R, row); i++) data[m * row + rng.int(0, row - 1)] = rng.chance(0.5) ? 1 : -1;
      return { shape, data };
    };
    const x = ints([c.batch, c.channels, ...D]);
    const w1 = weights([c.features, c.channels, ...S.map(() => 3)]);
    const b1 = ints([c.features]);
    const fcs = widths.map((m, l) => ({ W: weights([m, l === 0 ? c.features * sizeOf(S) : widths[l - 1]]), b: ints([m]) }));
    const same = { ...plainAttrs(r), pads: range(2 * r).map(() => 1) };
    const h = relu({ shape: [c.batch, c.features, ...D], data: await runConv(k, x, w1, b1, same, [c.batch, c.features, ...D]) });
    // convolutional form: the first FC layer as a full-extent conv, the others as 1×1 convs, ReLU between
    const O = D.map((d, a) => d - S[a] + 1);
    const at = (m: number) => [c.batch, m, ...O];
    let a: Data64 = h;
    for (let l = 0; l < fcs.length; l++) {
      const wConv = asData(l === 0 ? fcToConv(fcs[l].W, [c.features, ...S], c.order) : linearToConv1x1(fcs[l].W, r));
      const y = await runConv(k, a, wConv, fcs[l].b, plainAttrs(r), at(widths[l]));
      a = l < fcs.length - 1 ? relu({ shape: at(widths[l]), data: y }) : { shape: at(widths[l]), data: y };
    }
    // FC form, on every window of the feature map
    const map = await windowMap(
      h,
      S,
      S.map(() => 1),
      c.order,
      async (rows) => {
        let f: Data64 = rows;
        let last: { y: Float64Array; byKernel: boolean } = { y: rows.data, byKernel: false };
        for (let l = 0; l < fcs.length; l++) {
          last = await denseOf(k, f, fcs[l].W, fcs[l].b);
          f =
            l < fcs.length - 1
              ? relu({ shape: [rows.shape[0], widths[l]], data: last.y })
              : { shape: [rows.shape[0], widths[l]], data: last.y };
        }
        return { ...last, cols: widths[widths.length - 1] };
      },
    );
    judge('fully convolutional head vs FC head on each window', k.numerics, 'exact', a.data, {
      shape: map.outShape,
      values: map.values,
      magnitude: new Float64Array(map.values.length),
      terms: 0,
    });
  },
  describe: (c: FcnCase) =>
    `x=${formatShape([c.batch, c.channels, ...c.window.slice(0, c.rank).map((s, a) => s + c.extra[a])])} conv3=${c.features} window=${formatShape(c.window.slice(0, c.rank))} ` +
    `${c.widths === undefined ? `fc6=${c.fc6} fc7=${c.fc7} fc8=${c.fc8}` : `fc=${formatShape(c.widths)} nonzeros=${c.nonzeros}`} order=${c.order} regime=exact${layerNote(c.layer)}`,
});
