/**
 * Metamorphic relations: two computations by the kernel under test that must agree, with no
 * reference value involved (the reference supplies only Σ|w·x|, the scale of the error bound).
 * In the float regime each side may carry its own rounding error, so the bound is the sum of both.
 */
import fc from 'fast-check';
import { withinMaxElements } from '../../arbitraries/max-elements.js';
import type { GenerationContext } from '../../property/definition.js';
import { defineProperty } from '../../property/definition.js';
import { regimes } from '../../property/cases.js';
import { judge } from '../../property/judge.js';
import {
  add,
  concatAxis0,
  concatChannels,
  cropSpatial,
  gather,
  insertAxis,
  padSpatial,
  range,
  sliceAxis0,
  sliceChannels,
  zeroInsertKernel,
} from '../../property/tensor-ops.js';
import { formatShape, sizeOf } from '../../tensor.js';
import type { CheckedKernel, Data64, Regime } from '../../vocabulary.js';
import { boundedRegime } from '../../vocabulary.js';
import { detachedFromModel } from '../../arbitraries/real-data.js';
import type { ConvCase, ConvTensors } from './cases.js';
import { convAsGiven, convCases, convTensors, coverageOf, describeConvCase, geometryOf, runConv } from './cases.js';
import type { ConvAttributes } from './contract.js';
import type { ConvSpec } from './spec.js';
import { largestTensor } from './problem.js';
import { correlationScale, scaleFor } from './correlation-scale.js';
import { convGeometryOfShapes } from './geometry.js';
import { fastReferenceConv } from './fast-reference.js'; // Σ|w·x| only, a plain sum in either reference

const both = (ctx: GenerationContext) => regimes(ctx, false);
const exactOnly = () => fc.constant<Regime>('exact');

/** lhs (the kernel on the problem as given) vs rhs (the kernel on the transformed problem). */
function relate(
  label: string,
  k: CheckedKernel,
  regime: Regime,
  lhs: Float64Array,
  rhs: Float64Array,
  t: ConvTensors,
  attrs: ConvAttributes,
  rhsTerms?: number,
  scaleFrom: ConvTensors = t,
): void {
  // Σ|w·x| scales the bound in the float regime (and for normwise kernels); otherwise equality judges
  const g = convGeometryOfShapes(t.x.shape, t.w.shape, t.b?.shape, attrs);
  const magnitude =
    boundedRegime(regime) || k.numerics.errorModel === 'normwise'
      ? fastReferenceConv(t.x, t.w, t.b, attrs).magnitude
      : new Float64Array(lhs.length);
  // normwise kernels: both sides' problems meet no input–weight pair outside scaleFrom's correlation
  const mapScale = scaleFor(k.numerics, scaleFrom.x, scaleFrom.w, scaleFrom.b, attrs);
  judge(
    label,
    k.numerics,
    regime,
    rhs,
    { shape: g.outputShape, values: lhs, magnitude, terms: g.reductionLength + (t.b ? 1 : 0), ...(mapScale ? { mapScale } : {}) },
    {
      actualTerms: rhsTerms,
      expectedFromKernel: true,
    },
  );
}

const outShapeOf = (x: readonly number[], w: readonly number[], attrs: ConvAttributes) =>
  convGeometryOfShapes(x, w, undefined, attrs).outputShape;

/** Elements of x zero-padded by the problem's pads (`explicit-padding`'s second call). */
function paddedInput(spec: ConvSpec): number {
  const r = spec.xShape.length - 2;
  return spec.xShape[0] * spec.xShape[1] * sizeOf(spec.xShape.slice(2).map((d, a) => d + spec.attrs.pads[a] + spec.attrs.pads[a + r]));
}

/** Elements of the weight with d−1 zeros between taps (`dilation-zero-inserted`'s second call). */
function zeroInsertedWeight(spec: ConvSpec): number {
  return spec.wShape[0] * spec.wShape[1] * sizeOf(spec.wShape.slice(2).map((k, a) => spec.attrs.dilations[a] * (k - 1) + 1));
}

/** Elements of the stride-1 output (`stride-subsampling`'s second call). */
function unitStrideOutput(spec: ConvSpec): number {
  return sizeOf(outShapeOf(spec.xShape, spec.wShape, { ...spec.attrs, strides: spec.attrs.strides.map(() => 1) }));
}

/** conv(x, pads) = conv(zeroPad(x, pads), no pads). */
export const explicitPadding = defineProperty({
  id: 'explicit-padding',
  statement: 'padding x with explicit zeros and convolving without padding equals the padded conv',
  needs: ['conv'],
  arbitrary: (ctx) => convCases(ctx, both(ctx), { padding: true, exercises: 'padding', derivedLargest: paddedInput }),
  async check(k, c) {
    const { t, g, y: lhs } = await convAsGiven(k, c);
    const xp = padSpatial(t.x, g.padsBegin, g.padsEnd);
    const attrs = { ...c.spec.attrs, pads: c.spec.attrs.pads.map(() => 0) };
    const rhs = await runConv(k, xp, t.w, t.b, attrs, g.outputShape);
    relate('conv(zeroPad(x)) vs padded conv', k, c.regime, lhs, rhs, t, c.spec.attrs);
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});

/** conv with stride s = conv with stride 1, keeping every s-th output. */
export const strideSubsampling = defineProperty({
  id: 'stride-subsampling',
  statement: 'conv with stride s equals the stride-1 conv subsampled at every s-th output position',
  needs: ['conv'],
  arbitrary: (ctx) => convCases(ctx, both(ctx), { stride: true, exercises: 'stride', derivedLargest: unitStrideOutput }),
  async check(k, c) {
    const { t, g, y: strided } = await convAsGiven(k, c);
    const unitAttrs = { ...c.spec.attrs, strides: g.strides.map(() => 1) };
    const unitShape = outShapeOf(c.spec.xShape, c.spec.wShape, unitAttrs);
    const unit = await runConv(k, t.x, t.w, t.b, unitAttrs, unitShape);
    const sub = gather(
      unit,
      unitShape,
      g.outSpatial.map((o, a) => range(o, 0, g.strides[a])),
    );
    relate('stride-s conv vs stride-1 conv subsampled', k, c.regime, strided, sub.data, t, c.spec.attrs);
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});

/** conv with dilation d = conv with the kernel spread out by zeros. */
export const dilationZeroInserted = defineProperty({
  id: 'dilation-zero-inserted',
  statement: 'conv with dilation d equals conv with dilation 1 and a kernel with d−1 zeros inserted between taps',
  needs: ['conv'],
  skipReason: (caps) => (caps.dilation ? undefined : 'kernel declares no dilation support'),
  arbitrary: (ctx) => convCases(ctx, both(ctx), { dilation: true, exercises: 'dilation', derivedLargest: zeroInsertedWeight }),
  async check(k, c) {
    const { t, g, y: lhs } = await convAsGiven(k, c);
    const wz = zeroInsertKernel(t.w, g.dilations);
    const rhs = await runConv(k, t.x, wz, t.b, { ...c.spec.attrs, dilations: g.dilations.map(() => 1) }, g.outputShape);
    relate(
      'dilated conv vs zero-inserted kernel',
      k,
      c.regime,
      lhs,
      rhs,
      t,
      c.spec.attrs,
      g.inChannelsPerGroup * sizeOf(wz.shape.slice(2)) + (t.b ? 1 : 0),
    );
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});

/** group g = g separate convs, concatenated along channels. */
export const groupConcat = defineProperty({
  id: 'group-concat',
  statement: 'conv with group g equals the channel-concatenation of g separate group-1 convs on the matching input and weight slices',
  needs: ['conv'],
  skipReason: (caps) => (caps.group ? undefined : 'kernel declares no group support'),
  arbitrary: (ctx) => convCases(ctx, both(ctx), { group: true, exercises: 'group' }),
  async check(k, c) {
    const { t, g, y: lhs } = await convAsGiven(k, c);
    const parts: Data64[] = [];
    const cg = g.inChannelsPerGroup;
    const mg = g.outChannelsPerGroup;
    for (let i = 0; i < g.group; i++) {
      const xs = sliceChannels(t.x, i * cg, (i + 1) * cg);
      const ws = sliceAxis0(t.w, i * mg, (i + 1) * mg);
      const bs = t.b ? sliceAxis0(t.b, i * mg, (i + 1) * mg) : undefined;
      const shape = [g.batch, mg, ...g.outSpatial];
      parts.push({ shape, data: await runConv(k, xs, ws, bs, { ...c.spec.attrs, group: 1 }, shape) });
    }
    relate('grouped conv vs concatenated per-group convs', k, c.regime, lhs, concatChannels(parts).data, t, c.spec.attrs);
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});

/** Each batch entry is computed independently. */
export const batchIndependence = defineProperty({
  id: 'batch-independence',
  statement: 'conv on a batch equals the concatenation over N of conv on a split of the batch',
  needs: ['conv'],
  arbitrary: (ctx) => fc.record({ c: convCases(ctx, both(ctx), { exercises: 'batch' }), split: fc.integer({ min: 0, max: 1_000 }) }),
  async check(k, { c, split }) {
    const { t, g, y: lhs } = await convAsGiven(k, c);
    const at = g.batch > 1 ? 1 + (split % (g.batch - 1)) : 1;
    const pieces: Data64[] = [];
    for (const [from, to] of [
      [0, at],
      [at, g.batch],
    ]) {
      if (to <= from) continue;
      const shape = [to - from, g.outChannels, ...g.outSpatial];
      pieces.push({ shape, data: await runConv(k, sliceAxis0(t.x, from, to), t.w, t.b, c.spec.attrs, shape) });
    }
    relate(`batch vs batch split at ${at}`, k, c.regime, lhs, concatAxis0(pieces).data, t, c.spec.attrs);
  },
  describe: ({ c, split }) => describeConvCase(c, ` split=${g1(c, split)}`),
  coverage: ({ c }) => coverageOf(c.spec),
});

function g1(c: ConvCase, split: number): number {
  const n = c.spec.xShape[0];
  return n > 1 ? 1 + (split % (n - 1)) : 1;
}

/** Linearity in x, linearity in w, bias additivity — exact regime, two seeds. */
function linearity(which: 'x' | 'w' | 'bias') {
  const statements = {
    x: 'conv(x1 + x2, w) = conv(x1, w) + conv(x2, w) exactly, on exact-integer data',
    w: 'conv(x, w1 + w2) = conv(x, w1) + conv(x, w2) exactly, on exact-integer data',
    bias: 'conv(x, w, b) = conv(x, w) + b broadcast over N and positions, exactly, on exact-integer data',
  } as const;
  return defineProperty({
    id: which === 'bias' ? 'bias-additivity' : `linearity-in-${which}`,
    statement: statements[which],
    needs: ['conv'],
    arbitrary: (ctx: GenerationContext) =>
      fc.record({
        c: convCases(ctx, exactOnly(), which === 'bias' ? { bias: true } : { bias: false }),
        seed2: fc.integer({ min: 0, max: 0x7fffffff }),
      }),
    async check(k: CheckedKernel, { c, seed2 }: { c: ConvCase; seed2: number }) {
      const g = geometryOf(c.spec);
      const shape = g.outputShape;
      // headroom 2: each side's sums, and their sum, stay exactly representable
      const t1 = convTensors(c, 2, k.precision);
      // the second data set only where the relation reads it: x for linearity in x, w for linearity in w
      const t2 = which === 'bias' ? t1 : convTensors({ ...c, seed: seed2 }, 2, k.precision, which === 'x' ? 'x' : 'all');
      let lhs: Float64Array;
      let rhs: Float64Array;
      if (which === 'x') {
        lhs = await runConv(k, add(t1.x, t2.x), t1.w, undefined, c.spec.attrs, shape);
        rhs = add(
          { shape, data: await runConv(k, t1.x, t1.w, undefined, c.spec.attrs, shape) },
          { shape, data: await runConv(k, t2.x, t1.w, undefined, c.spec.attrs, shape) },
        ).data;
      } else if (which === 'w') {
        lhs = await runConv(k, t1.x, add(t1.w, t2.w), undefined, c.spec.attrs, shape);
        rhs = add(
          { shape, data: await runConv(k, t1.x, t1.w, undefined, c.spec.attrs, shape) },
          { shape, data: await runConv(k, t1.x, t2.w, undefined, c.spec.attrs, shape) },
        ).data;
      } else {
        lhs = await runConv(k, t1.x, t1.w, t1.b, c.spec.attrs, shape);
        const noBias = await runConv(k, t1.x, t1.w, undefined, c.spec.attrs, shape);
        const per = g.outSpatialSize;
        rhs = noBias.map((v, i) => v + t1.b!.data[Math.floor(i / per) % g.outChannels]);
      }
      const label = statements[which].split(' exactly')[0];
      if (k.numerics.errorModel !== 'normwise') {
        judge(label, k.numerics, 'exact', rhs, { shape, values: lhs, magnitude: new Float64Array(lhs.length), terms: 0 });
        return;
      }
      // a normwise kernel is not exact on integers: each of the two or three convolutions carries its own bound
      const ref = (x: Data64, w: Data64, b: Data64 | undefined) => ({
        ...fastReferenceConv(x, w, b, c.spec.attrs),
        mapScale: correlationScale(x, w, b, c.spec.attrs),
      });
      const parts =
        which === 'x'
          ? [ref(add(t1.x, t2.x), t1.w, undefined), ref(t1.x, t1.w, undefined), ref(t2.x, t1.w, undefined)]
          : which === 'w'
            ? [ref(t1.x, add(t1.w, t2.w), undefined), ref(t1.x, t1.w, undefined), ref(t1.x, t2.w, undefined)]
            : [ref(t1.x, t1.w, t1.b), ref(t1.x, t1.w, undefined)];
      const [first, ...rest] = parts;
      judge(
        label,
        k.numerics,
        'exact',
        rhs,
        { shape, values: lhs, magnitude: first.magnitude, terms: first.termCount, mapScale: first.mapScale },
        {
          kernelComputations: rest.map((r) => ({
            magnitude: r.magnitude,
            values: r.output.data,
            terms: r.termCount,
            mapScale: r.mapScale,
          })),
        },
      );
    },
    describe: ({ c, seed2 }: { c: ConvCase; seed2: number }) => describeConvCase(c, ` seed2=${seed2}`),
    coverage: ({ c }: { c: ConvCase }) => coverageOf(c.spec),
  });
}

export const linearityInX = linearity('x');
export const linearityInW = linearity('w');
export const biasAdditivity = linearity('bias');

/** A rank-r conv equals a rank-(r+1) conv with a size-1 axis. */
export const rankEmbedding = defineProperty({
  id: 'rank-embedding',
  statement: 'a rank-1 conv equals a rank-2 conv with an extra size-1 axis (before or after), likewise rank 2 in rank 3',
  needs: ['conv'],
  skipReason: (caps) =>
    caps.spatialRanks.some((r) => r < 3 && caps.spatialRanks.includes(r + 1))
      ? undefined
      : 'kernel supports no two consecutive spatial ranks',
  arbitrary: (ctx) => {
    const ranks = ctx.capabilities.spatialRanks.filter((r) => r < 3 && ctx.capabilities.spatialRanks.includes(r + 1));
    return fc.record({ c: convCases(ctx, both(ctx), { ranks: ranks.length ? ranks : [1] }), front: fc.boolean() });
  },
  async check(k, { c, front }) {
    const { t, g, y: lhs } = await convAsGiven(k, c);
    const axis = front ? 2 : 2 + g.rank;
    const ins = (v: readonly number[], value: number, at: number) => [...v.slice(0, at), value, ...v.slice(at)];
    const a = front ? 0 : g.rank;
    const attrs: ConvAttributes = {
      strides: ins(g.strides, 1, a),
      dilations: ins(g.dilations, 1, a),
      pads: [...ins(g.padsBegin, 0, a), ...ins(g.padsEnd, 0, a)],
      group: g.group,
    };
    const rhs = await runConv(k, insertAxis(t.x, axis), insertAxis(t.w, axis), t.b, attrs, ins(g.outputShape, 1, axis));
    relate(`rank-${g.rank} conv vs rank-${g.rank + 1} conv with a size-1 axis`, k, c.regime, lhs, rhs, t, c.spec.attrs);
  },
  describe: ({ c, front }) => describeConvCase(c, ` embed=${front ? 'front' : 'back'}`),
  coverage: ({ c }) => coverageOf(c.spec),
});

/**
 * Shifting x by t·s along an axis (dropping its first t·s positions, no leading padding there)
 * shifts the output by t: conv(x)[…, o + t, …] = conv(x[…, t·s:, …])[…, o, …].
 */
export const translationEquivariance = defineProperty({
  id: 'translation-equivariance',
  statement:
    'dropping the first t·s input positions along an axis (no leading padding there) drops the first t outputs and leaves the others unchanged',
  needs: ['conv'],
  arbitrary: (ctx) => {
    const shifted = fc
      .record({ c: convCases(ctx, both(ctx)), axis: fc.integer({ min: 0, max: 2 }), shift: fc.integer({ min: 1, max: 3 }) })
      .map(({ c, axis, shift }) => {
        // lengthen the chosen axis by t·s and clear its leading pad, so the shift stays away from the border
        const r = c.spec.xShape.length - 2;
        const a = axis % r;
        const s = c.spec.attrs.strides[a];
        const xShape = c.spec.xShape.map((d, i) => (i === 2 + a ? d + shift * s : d));
        // a kernel without asymmetric pads loses the trailing pad of that axis too (the relation holds either way)
        const pads = c.spec.attrs.pads.map((p, i) => (i === a || (i === a + r && !ctx.capabilities.asymmetricPads) ? 0 : p));
        const eff = c.spec.attrs.dilations[a] * (c.spec.wShape[2 + a] - 1) + 1;
        // keep the shape valid once the leading pad is gone
        if (xShape[2 + a] - shift * s + pads[a + r] < eff) xShape[2 + a] = eff + shift * s;
        // a model layer lengthened is no longer the layer: generated float data instead of its own
        const regime = c.regime === 'real' ? ('float' as const) : c.regime;
        return { c: { ...c, regime, spec: detachedFromModel({ ...c.spec, xShape, attrs: { ...c.spec.attrs, pads } }) }, axis: a, shift };
      });
    // the lengthened problem is the one the kernel sees: it must fit maxElements too
    return withinMaxElements('translationEquivariance', shifted, ({ c }) => largestTensor(c.spec), ctx.capabilities.maxElements);
  },
  async check(k, { c, axis, shift }) {
    const { t, g, y: full } = await convAsGiven(k, c);
    const start = g.inSpatial.map((_, a) => (a === axis ? shift * g.strides[a] : 0));
    const size = g.inSpatial.map((d, a) => d - start[a]);
    const xc = cropSpatial(t.x, start, size);
    const cropShape = outShapeOf(xc.shape, c.spec.wShape, c.spec.attrs);
    const cropped = await runConv(k, xc, t.w, t.b, c.spec.attrs, cropShape);
    const kept = gather(
      full,
      g.outputShape,
      g.outSpatial.map((o, a) => (a === axis ? range(o - shift, shift) : range(o))),
    );
    relate(
      `conv on x shifted by ${shift}·${g.strides[axis]} along axis ${axis} vs conv output shifted by ${shift}`,
      k,
      c.regime,
      cropped,
      kept.data,
      { ...t, x: xc },
      c.spec.attrs,
      undefined,
      t,
    );
  },
  describe: ({ c, axis, shift }) =>
    describeConvCase(
      c,
      ` axis=${axis} shift=${shift} (x cropped to ${formatShape(c.spec.xShape.map((d, i) => (i === 2 + axis ? d - shift * c.spec.attrs.strides[axis] : d)))})`,
    ),
  coverage: ({ c }) => coverageOf(c.spec),
});
