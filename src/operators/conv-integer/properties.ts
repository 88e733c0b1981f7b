/** Properties of `convInteger`: bit-exact agreement with the reference, and the zero-point algebra. */
import fc from 'fast-check';
import { defineProperty } from '../../property/definition.js';
import { judgeIntegers } from '../../property/quantized-judge.js';
import { coverageOfQuantConv, describeQuantConvCase, quantConvCases, quantConvTensors, runConvInteger, typed } from './cases.js';
import { ELEMENT_TYPES } from '../../quantized.js';

/** convInteger equals the exact int32 accumulation, bit for bit. */
export const convIntegerMatchesReference = defineProperty({
  id: 'conv-integer-matches-reference',
  statement:
    'convInteger (ONNX ConvInteger) equals the exact int32 sum Σ(x − x_zp)(w − w_zp[m]) bit for bit, padding holding x_zp, uint8/int8 data and weights reaching both ends of their range',
  needs: ['convInteger'],
  singleCall: true,
  walksPlan: true,
  arbitrary: (ctx) => quantConvCases(ctx, { operators: ['convInteger'] }),
  async check(k, c) {
    const t = quantConvTensors(c);
    const y = await runConvInteger(k, t.x, t.w, t.xZeroPoint, t.wZeroPoint, c.spec.attrs, t.g.outputShape);
    judgeIntegers('convInteger vs exact reference', y, t.integer);
  },
  describe: (c) => describeQuantConvCase(c, false),
  coverage: (c) => coverageOfQuantConv('convInteger', c, false),
});

/**
 * Shifting x and its zero point by the same δ leaves convInteger unchanged: (x + δ) − (x_zp + δ)
 * = x − x_zp, padding included (it holds the zero point). Data are kept 64 from both ends so
 * that δ ∈ [−64, 64] stays in range.
 */
export const zeroPointShift = defineProperty({
  id: 'conv-integer-zero-point-shift',
  statement:
    'convInteger(x + δ, w, x_zp + δ, w_zp) = convInteger(x, w, x_zp, w_zp) bit for bit (only x − x_zp matters, padded positions included)',
  needs: ['convInteger'],
  arbitrary: (ctx) =>
    fc.record({ c: quantConvCases(ctx, { operators: ['convInteger'] }), delta: fc.integer({ min: -64, max: 64 }).filter((d) => d !== 0) }),
  async check(k, { c, delta }) {
    const t = quantConvTensors(c, true);
    const type = t.x.dtype as 'uint8' | 'int8';
    const shift = (d: typeof t.x) =>
      typed(
        d.shape,
        d.data.map((v) => Math.min(ELEMENT_TYPES[type].max, Math.max(ELEMENT_TYPES[type].min, v + delta))),
        type,
      );
    const y0 = await runConvInteger(k, t.x, t.w, t.xZeroPoint, t.wZeroPoint, c.spec.attrs, t.g.outputShape);
    const y1 = await runConvInteger(k, shift(t.x), t.w, shift(t.xZeroPoint), t.wZeroPoint, c.spec.attrs, t.g.outputShape);
    judgeIntegers(`convInteger with x and x_zp shifted by ${delta} vs unshifted`, y1, { shape: t.g.outputShape, values: y0 });
  },
  describe: ({ c, delta }) => `${describeQuantConvCase(c, false)} δ=${delta}`,
  coverage: ({ c }) => coverageOfQuantConv('convInteger', c, false),
});
