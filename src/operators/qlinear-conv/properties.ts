/**
 * Properties of `qlinearConv`: agreement with the exact reference (±1 only inside the
 * requantization window), with dequantize → float conv → quantize, and saturation at both ends.
 */
import { defineProperty } from '../../property/definition.js';
import { judgeIntegers } from '../../property/quantized-judge.js';
import { ELEMENT_TYPES } from '../../quantized.js';
import { requantizationWindow, roundHalfEven, saturate } from '../../numeric/requantize.js';
import { referenceConv } from '../conv/reference.js';
import { PropertyViolation } from '../../property/violation.js';
import { unravel } from '../../property/judge.js';
import { coverageOfQuantConv, describeQuantConvCase, quantConvCases, quantConvTensors, runQLinearConv } from '../conv-integer/cases.js';
import type { QuantConvTensors } from '../conv-integer/cases.js';
import type { IntegerExpectation } from '../../property/quantized-judge.js';
import type { IntegerConvAttributes } from '../conv-integer/contract.js';

/** qlinearConv equals the exact requantized value, ±1 only where a tie lies inside the window. */
export const qlinearConvMatchesReference = defineProperty({
  id: 'qlinear-conv-matches-reference',
  statement:
    'qlinearConv (ONNX QLinearConv) equals saturate(round_half_even(acc·x_scale·w_scale[m]/y_scale) + y_zp) of the exact int32 acc (bias included), except ±1 where the exact value lies within γ_k of a tie (docs/quantized.md)',
  needs: ['qlinearConv'],
  singleCall: true,
  walksPlan: true,
  arbitrary: (ctx) => quantConvCases(ctx, { operators: ['qlinearConv'] }),
  async check(k, c) {
    const t = quantConvTensors(c);
    const y = await runQLinearConv(k, t, c.spec.attrs);
    judgeIntegers('qlinearConv vs exact reference', y, t.qlinear);
  },
  describe: (c) => describeQuantConvCase(c, c.spec.hasBias),
  coverage: (c) => coverageOfQuantConv('qlinearConv', c, c.spec.hasBias),
});

/**
 * The float-domain definition: dequantize x, w and b to real numbers, convolve them with the
 * trusted float64 conv, divide by y_scale, round half to even, add y_zp, saturate. With
 * power-of-two scales every step is exact (integers times powers of two below 2⁵³); otherwise the
 * float64 path's own error (below 2⁻⁴⁸ relative to |r| + Σ|terms|/y_scale) widens the window.
 */
export function dequantizedExpectation(t: QuantConvTensors, attrs: IntegerConvAttributes): IntegerExpectation {
  const g = t.g;
  const M = g.outChannels;
  const xs = t.xScale.data[0];
  const ws = (m: number) => t.wScale.data[t.wScale.data.length === 1 ? 0 : m];
  const wz = (m: number) => t.wZeroPoint.data[t.wZeroPoint.data.length === 1 ? 0 : m];
  const perM = t.w.data.length / M;
  const x = { shape: t.x.shape, data: t.x.data.map((v) => xs * (v - t.xZeroPoint.data[0])) };
  const w = { shape: t.w.shape, data: t.w.data.map((v, i) => ws(Math.floor(i / perM)) * (v - wz(Math.floor(i / perM)))) };
  const b = t.b ? { shape: t.b.shape, data: t.b.data.map((v, m) => v * xs * ws(m)) } : undefined;
  const real = referenceConv(x, w, b, attrs);
  const ys = t.yScale.data[0];
  const yz = t.yZeroPoint.data[0];
  const range = ELEMENT_TYPES[t.yType];
  const exactPath = [xs, ys, ...t.wScale.data].every((s) => Number.isInteger(Math.log2(s)));
  const values = new Float64Array(real.output.data.length);
  const alternatives = new Float64Array(values.length).fill(Number.NaN);
  for (let i = 0; i < values.length; i++) {
    const m = Math.floor(i / g.outSpatialSize) % M;
    const r = real.output.data[i] / ys;
    values[i] = saturate(roundHalfEven(r) + yz, range.min, range.max);
    const acc = r / ((xs * ws(m)) / ys); // |acc| for the window's float32-conversion term
    const slack =
      requantizationWindow(xs, ws(m), ys, acc) * Math.abs(r) + (exactPath ? 0 : 2 ** -48 * (Math.abs(r) + real.magnitude[i] / ys));
    const j = Math.floor(r);
    if (Math.abs(r - (j + 0.5)) <= slack) {
      const other = saturate((roundHalfEven(r) === j ? j + 1 : j) + yz, range.min, range.max);
      if (other !== values[i]) alternatives[i] = other;
    }
  }
  return { shape: g.outputShape, values, alternatives };
}

/** qlinearConv agrees with dequantize → float conv → quantize within the window. */
export const qlinearConvMatchesFloat = defineProperty({
  id: 'qlinear-conv-matches-dequantized-float',
  statement:
    'qlinearConv equals quantize(conv(dequantize(x), dequantize(w)) + dequantize(b)) computed in float64 (round half to even, y_zp, saturation), ±1 only inside the requantization window',
  needs: ['qlinearConv'],
  singleCall: true,
  arbitrary: (ctx) => quantConvCases(ctx, { operators: ['qlinearConv'], targets: [20, 100, 300] }),
  async check(k, c) {
    const t = quantConvTensors(c);
    const y = await runQLinearConv(k, t, c.spec.attrs);
    judgeIntegers('qlinearConv vs dequantize → float64 conv → quantize', y, dequantizedExpectation(t, c.spec.attrs));
  },
  describe: (c) => describeQuantConvCase(c, c.spec.hasBias),
  coverage: (c) => coverageOfQuantConv('qlinearConv', c, c.spec.hasBias),
});

/**
 * Outputs scaled far beyond the type (±2000 before the zero point) saturate at both ends: every
 * element whose exact value lies below the type's minimum is the minimum, above the maximum the
 * maximum, and the rest equal the reference.
 */
export const qlinearConvSaturates = defineProperty({
  id: 'qlinear-conv-saturates',
  statement:
    'qlinearConv saturates to the output type at both ends (0/255 for uint8, −128/127 for int8) when the requantized value leaves the range, and is exact elsewhere',
  needs: ['qlinearConv'],
  singleCall: true,
  arbitrary: (ctx) => quantConvCases(ctx, { operators: ['qlinearConv'], targets: [2000, 20000] }),
  async check(k, c) {
    const t = quantConvTensors(c);
    const y = await runQLinearConv(k, t, c.spec.attrs);
    const { min, max } = ELEMENT_TYPES[t.yType];
    // name a saturation failure as one, then judge the whole output
    for (let i = 0; i < y.length; i++) {
      const e = t.qlinear.values[i];
      if ((e === min || e === max) && y[i] !== e && !(t.qlinear.alternatives?.[i] === y[i])) {
        throw new PropertyViolation({
          kind: 'mismatch',
          message: `qlinearConv: output element ${i} should saturate to ${e} (the ${e === min ? 'minimum' : 'maximum'} of ${t.yType}) but is ${y[i]}`,
          index: unravel(i, t.g.outputShape),
          expected: e,
          actual: y[i],
          error: Math.abs(y[i] - e),
          bound: 0,
        });
      }
    }
    judgeIntegers('qlinearConv vs exact reference (saturating)', y, t.qlinear);
  },
  describe: (c) => describeQuantConvCase(c, c.spec.hasBias),
  coverage: (c) => coverageOfQuantConv('qlinearConv', c, c.spec.hasBias),
});
