/**
 * The precision table (`src/precision.ts`) against IEEE-754: each entry's constants agree with
 * one another and with its own rounding, and the readers' values derive from it. A new precision
 * gets its entry checked here without a new test.
 */
import { describe, expect, it } from 'vitest';
import { SUBNORMAL_ROUNDING } from '../src/bound/error-model.js';
import { UNIT_ROUNDOFF } from '../src/index.js';
import {
  isPrecision,
  isRepresentable,
  PRECISION_FACTS,
  PRECISIONS,
  perPrecision,
  precisionFacts,
  precisionList,
} from '../src/precision.js';
import { convertData, tensor } from '../src/tensor.js';

describe.each(PRECISIONS)('%s', (name) => {
  const f = precisionFacts(name);
  const p = f.significandBits;
  const u = f.unitRoundoff;

  it('u = 2⁻ᵖ, and the storage holds sign, exponent and p − 1 stored significand bits', () => {
    expect(u).toBe(2 ** -p);
    const exponentBits = f.bits - p;
    // e_max = 2^(exponent bits − 1) − 1; the range constants follow from it and p
    const emax = 2 ** (exponentBits - 1) - 1;
    expect(f.minNormal).toBe(2 ** (1 - emax));
    expect(f.minSubnormal).toBe(f.minNormal * 2 ** (1 - p));
    expect(f.max).toBe((2 - 2 ** (1 - p)) * 2 ** emax);
  });

  it('round: to nearest, ties to even, at 1, at the bottom of the range and at the top', () => {
    expect(f.round(1)).toBe(1);
    expect(f.round(1 + u)).toBe(1); // a tie: to the even 1
    expect(f.round(1 + 3 * u)).toBe(1 + 4 * u); // a tie: to the even 1 + 4u
    if (p < 53) expect(f.round(1 + 1.5 * u)).toBe(1 + 2 * u);
    expect(f.round(f.minSubnormal)).toBe(f.minSubnormal);
    expect(f.round(f.minSubnormal / 2)).toBe(0); // a tie: to the even 0
    expect(f.round(f.minSubnormal * 0.75)).toBe(f.minSubnormal);
    expect(f.round(-f.minNormal)).toBe(-f.minNormal);
    expect(f.round(f.max)).toBe(f.max);
    expect(f.round(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(f.round(Number.NaN)).toBeNaN();
    if (p < 53) expect(f.round(f.max * (1 + u))).toBe(Number.POSITIVE_INFINITY); // past the midpoint to 2^(e_max+1)
  });

  it('integers are exact up to 2ᵖ, and 2ᵖ + 1 is not', () => {
    expect(f.round(2 ** p - 1)).toBe(2 ** p - 1);
    expect(f.round(2 ** p)).toBe(2 ** p);
    if (p < 53) expect(isRepresentable(2 ** p + 1, name)).toBe(false);
  });

  it('the exact regime stays within the integers of the data precision', () => {
    const data = PRECISION_FACTS[f.data];
    expect(data.bits).toBeLessThanOrEqual(f.bits);
    expect(f.exactSumLimit).toBe(2 ** data.significandBits);
    expect(f.exactBiasMax).toBeLessThanOrEqual(f.exactSumLimit / 4);
  });

  it('η is half the subnormal spacing or 0; a plain float64 judge only for the narrower formats', () => {
    expect([0, f.minSubnormal / 2]).toContain(f.subnormalRounding);
    expect(f.plainFloat64Judges).toBe(p < 53);
  });

  it('toArray rounds into the array type; the array type is the format only where it holds exactly its values', () => {
    const a = f.toArray([0.1, 1 + 1.5 * u, -3]);
    expect(a).toBeInstanceOf(f.arrayType);
    expect([...a]).toEqual([f.round(0.1), f.round(1 + 1.5 * u), -3]);
    expect(f.arrayIsFormat).toBe(f.arrayType.BYTES_PER_ELEMENT * 8 === f.bits);
    expect(convertData([0.1], name)[0]).toBe(f.round(0.1));
    expect(tensor([1], [0.1], name).data[0]).toBe(f.round(0.1));
  });

  it('isRepresentable: values of the format, NaN and ±Infinity', () => {
    expect(isRepresentable(f.minSubnormal, name)).toBe(true);
    expect(isRepresentable(Number.NaN, name)).toBe(true);
    expect(isRepresentable(Number.NEGATIVE_INFINITY, name)).toBe(true);
    if (p < 53) expect(isRepresentable(1 + u, name)).toBe(false);
  });
});

describe('the table as a whole', () => {
  it('lists float16, float32 and float64, narrowest first', () => {
    expect(PRECISIONS).toEqual(['float16', 'float32', 'float64']);
    expect(precisionList()).toBe("'float16', 'float32' or 'float64'");
  });

  it('isPrecision accepts the table keys only', () => {
    for (const p of PRECISIONS) expect(isPrecision(p)).toBe(true);
    for (const v of ['bfloat16', 'toString', 'constructor', '', 32, undefined, null]) expect(isPrecision(v)).toBe(false);
  });

  it('the exported per-precision records are read from the table', () => {
    expect(UNIT_ROUNDOFF).toEqual({ float16: 2 ** -11, float32: 2 ** -24, float64: 2 ** -53 });
    expect(SUBNORMAL_ROUNDING).toEqual({ float16: 2 ** -25, float32: 0, float64: 0 });
    expect(perPrecision((f) => f.bits)).toEqual({ float16: 16, float32: 32, float64: 64 });
  });

  it('float32 and float64 agree with the platform: Math.fround and the typed arrays', () => {
    const samples = [0.1, 1 / 3, 2 ** -130, 2 ** -149 * 1.5, 3.4028235e38, -7e-46];
    for (const x of samples) expect(PRECISION_FACTS.float32.round(x)).toBe(Math.fround(x));
    expect(PRECISION_FACTS.float32.max).toBe(new Float32Array([3.4028234663852886e38])[0]);
    expect(PRECISION_FACTS.float64.max).toBe(Number.MAX_VALUE);
    expect(PRECISION_FACTS.float64.minSubnormal).toBe(Number.MIN_VALUE);
    expect(PRECISION_FACTS.float64.unitRoundoff).toBe(Number.EPSILON / 2);
  });
});
