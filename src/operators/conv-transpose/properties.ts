/**
 * ConvTranspose properties: agreement with the reference; the adjoint identity with conv
 * (⟨conv(u, w), v⟩ = ⟨u, convTranspose(v, w)⟩, i.e. convTranspose is the gradient of conv); the
 * lowering to a conv over the zero-inserted, re-padded input with the kernel flipped and its
 * channel axes swapped; and the output shape.
 */
import fc from 'fast-check';
import { problemData } from '../../arbitraries/data.js';
import { withinMaxElements } from '../../arbitraries/max-elements.js';
import { regimes } from '../../property/cases.js';
import { defineProperty } from '../../property/definition.js';
import { judge } from '../../property/judge.js';
import { sizeOf } from '../../tensor.js';
import type { Data64 } from '../../vocabulary.js';
import { runConv } from '../conv/cases.js';
import { convGeometryOfShapes } from '../conv/geometry.js';
import {
  convTransposeAsGiven,
  convTransposeCases,
  convTransposeTensors,
  coverageOfTranspose,
  describeConvTransposeCase,
  geometryOfTranspose,
  referenceConvTransposeExpectation,
  runConvTranspose,
} from './cases.js';
import type { ConvTransposeCase } from './cases.js';
import { flippedSwappedKernel, loweredAttrs, zeroInsertedInput } from './lowering.js';
import { trustedConvTranspose } from './fast-reference.js';

/** convTranspose agrees with the reference. */
export const convTransposeMatchesReference = defineProperty({
  id: 'conv-transpose-matches-reference',
  statement:
    'convTranspose (ONNX semantics, output_padding at the end of each axis) agrees with the float64 reference: exactly on exact data, within 2·γ(n)·Σ|w·x|+2u|y| on float data, NaN/±Inf in x as IEEE-754 says',
  needs: ['convTranspose'],
  singleCall: true,
  walksPlan: true,
  arbitrary: (ctx) => convTransposeCases(ctx, regimes(ctx, true)),
  async check(k, c) {
    const { t, y } = await convTransposeAsGiven(k, c);
    judge('convTranspose vs reference', k.numerics, c.regime, y, referenceConvTransposeExpectation(t, c.spec.attrs, k.precision));
  },
  describe: (c) => describeConvTransposeCase(c),
  coverage: (c) => coverageOfTranspose(c.spec),
});

/**
 * The geometry of `conv-transpose-adjoint` for a case: the conv's attributes, u's shape
 * [N, M, U…] and v's shape [N, C, D…], and the outputPadding that takes v back to u's size.
 */
function adjointGeometry(c: ConvTransposeCase, extra: readonly number[]) {
  // convTranspose maps v [N, C, V] to u-space [N, M, U]; conv maps u back to v-space with the same attributes
  const g = geometryOfTranspose(c.spec);
  const padsBegin = [...g.padsBegin];
  const padsEnd = [...g.padsEnd];
  // u's size per axis: s·(D−1) + eff − pads + e, e < s absorbed by outputPadding; pads that would
  // leave no element (possible when outputPadding >= s, i.e. dilation > stride) are trimmed —
  // symmetric pads on both ends alike, so a kernel without asymmetric pads is never handed them
  const U = g.inSpatial.map((d, a) => {
    const base = g.strides[a] * (d - 1) + g.effectiveKernel[a] - padsBegin[a] - padsEnd[a];
    let excess = Math.max(0, 1 - base);
    if (excess > 0 && padsBegin[a] === padsEnd[a]) {
      const both = Math.min(padsBegin[a], Math.ceil(excess / 2));
      padsBegin[a] -= both;
      padsEnd[a] -= both;
      excess = 0;
    }
    const cut = Math.min(padsEnd[a], excess);
    padsEnd[a] -= cut;
    excess -= cut;
    padsBegin[a] -= excess;
    return g.strides[a] * (d - 1) + g.effectiveKernel[a] - padsBegin[a] - padsEnd[a] + (extra[a] % g.strides[a]);
  });
  const convAttrs = { strides: g.strides, pads: [...padsBegin, ...padsEnd], dilations: g.dilations, group: g.group };
  const uShape = [g.batch, g.outChannels, ...U];
  const cg = convGeometryOfShapes(uShape, c.spec.wShape, undefined, convAttrs, 'conv-transpose-adjoint');
  const vShape = cg.outputShape; // [N, C, D…]: the convTranspose input's shape
  const outputPadding = U.map((u, a) => (u + padsBegin[a] + padsEnd[a] - g.effectiveKernel[a]) % g.strides[a]);
  return { g, cg, convAttrs, uShape, vShape, outputPadding };
}

/**
 * ⟨conv(u, w), v⟩ = ⟨u, convTranspose(v, w)⟩ with the same strides, pads, dilations and group
 * (conv reads w [C, M/G, k…] as its weight from M to C channels), and outputPadding chosen so that
 * convTranspose gives back u's size: (U + pads − eff) mod s. Exact-integer data, so both inner
 * products are exact integers and must be equal.
 */
export const convTransposeAdjoint = defineProperty({
  id: 'conv-transpose-adjoint',
  statement:
    '⟨conv(u, w), v⟩ = ⟨u, convTranspose(v, w)⟩ exactly on exact data, for matching strides, pads, dilations and group (convTranspose is the gradient of conv with respect to its input)',
  needs: ['conv', 'convTranspose'],
  arbitrary: (ctx) =>
    withinMaxElements(
      'convTransposeAdjoint',
      fc.record({ c: convTransposeCases(ctx, fc.constant('exact' as const), false), extra: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)) }),
      // u, a tensor of its own here, may be a little larger than the ConvTranspose output
      ({ c, extra }: { c: ConvTransposeCase; extra: [number, number, number] }) => sizeOf(adjointGeometry(c, extra).uShape),
      ctx.capabilities.maxElements,
    ),
  async check(k, { c, extra }) {
    const { g, cg, convAttrs, uShape, vShape, outputPadding } = adjointGeometry(c, extra);
    const tAttrs = { ...c.spec.attrs, pads: convAttrs.pads, outputPadding };
    const w = convTransposeTensors(c, 1, k.precision).w;
    // u and v: exact-regime data sized for the longer of the two reductions
    const n = Math.max(cg.reductionLength, g.reductionLength);
    const d = problemData(
      { xSize: sizeOf(uShape), wSize: sizeOf(vShape), bSize: 0, reductionLength: n, specialWeights: false },
      'exact',
      c.seed,
      { precision: k.precision },
    );
    const u: Data64 = { shape: uShape, data: d.x };
    const v: Data64 = { shape: vShape, data: d.w };
    const convU = await runConv(k, u, w, undefined, convAttrs, vShape);
    const convTV = await runConvTranspose(k, v, w, undefined, tAttrs, uShape);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < convU.length; i++) lhs += convU[i] * v.data[i];
    for (let i = 0; i < convTV.length; i++) rhs += u.data[i] * convTV[i];
    judge('⟨conv(u, w), v⟩ vs ⟨u, convTranspose(v, w)⟩', k.numerics, 'exact', [rhs], {
      shape: [1],
      values: [lhs],
      magnitude: [0],
      terms: 0,
    });
  },
  describe: ({ c, extra }) => describeConvTransposeCase(c, ` u-extra=[${extra.slice(0, c.spec.xShape.length - 2).join(',')}]`),
  coverage: ({ c }) => coverageOfTranspose(c.spec),
});

/** convTranspose = conv over the zero-inserted, re-padded input with the flipped, axis-swapped kernel. */
export const convTransposeAsConv = defineProperty({
  id: 'conv-transpose-as-conv',
  statement:
    'convTranspose equals a stride-1 conv over the input with s−1 zeros inserted and d·(k−1)−pad (+outputPadding at the end) padding, with the kernel flipped and its channel axes swapped',
  needs: ['conv', 'convTranspose'],
  // its conv call is the lowered problem: the production cap counts that conv
  arbitrary: (ctx) => convTransposeCases(ctx, regimes(ctx, false), undefined, true),
  async check(k, c) {
    const { t, g, y } = await convTransposeAsGiven(k, c);
    const z = zeroInsertedInput(t.x, g);
    const wf = flippedSwappedKernel(t.w, g);
    const viaConv = await runConv(k, z, wf, t.b, loweredAttrs(g, undefined), g.outputShape);
    const ref = trustedConvTranspose(t.x, t.w, t.b, c.spec.attrs, k.precision);
    judge(
      'convTranspose vs conv on the zero-inserted input',
      k.numerics,
      c.regime,
      viaConv,
      { shape: g.outputShape, values: y, magnitude: ref.magnitude, terms: ref.termCount },
      {
        expectedFromKernel: true,
      },
    );
  },
  describe: (c) => describeConvTransposeCase(c),
  coverage: (c) => coverageOfTranspose(c.spec),
});

/** Output shape [N, M, s·(D−1) + outputPadding + d·(k−1)+1 − pads]. */
export const convTransposeOutputShape = defineProperty<ConvTransposeCase>({
  id: 'conv-transpose-output-shape',
  statement:
    'convTranspose returns [N, M, O1..On] with O = s·(D−1) + outputPadding + d·(k−1)+1 − pad_begin − pad_end, M = w.shape[1]·group',
  needs: ['convTranspose'],
  singleCall: true,
  arbitrary: (ctx) => convTransposeCases(ctx, fc.constant('exact' as const)),
  async check(k, c) {
    // the guarded call raises wrong-shape / wrong-type with both shapes in the message
    await convTransposeAsGiven(k, c);
  },
  describe: (c) => describeConvTransposeCase(c),
  coverage: (c) => coverageOfTranspose(c.spec),
});
