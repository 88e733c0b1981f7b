/**
 * float16 conversion: exhaustive over all 65,536 half patterns, and rounding checked against an
 * independent oracle (nearest neighbour in the sorted table of every finite half, ties to the even
 * pattern) on every midpoint, its float64 neighbours, overflow and subnormals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FLOAT16_MAX,
  FLOAT16_MIN_NORMAL,
  FLOAT16_MIN_SUBNORMAL,
  float16Bits,
  float16FromBits,
  isFloat16,
  roundToFloat16,
  toFloat16Array,
} from '../src/float16.js';
import { tensor, withPrecision, zeros } from '../src/tensor.js';

/** Half → float32 by bit manipulation (the classic widening), independent of `float16FromBits`. */
function halfToFloat32ByBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  let exp = (h >>> 10) & 0x1f;
  let frac = h & 0x3ff;
  let bits: number;
  if (exp === 0x1f) bits = sign | 0x7f800000 | (frac << 13);
  else if (exp === 0) {
    if (frac === 0) bits = sign;
    else {
      // normalise the subnormal
      exp = 1;
      while ((frac & 0x400) === 0) {
        frac <<= 1;
        exp--;
      }
      frac &= 0x3ff;
      bits = sign | ((exp - 15 + 127) << 23) | (frac << 13);
    }
  } else bits = sign | ((exp - 15 + 127) << 23) | (frac << 13);
  const u = new Uint32Array([bits >>> 0]);
  return new Float32Array(u.buffer)[0];
}

/** Positive finite halves in increasing order: patterns 0x0000 … 0x7bff are monotonic in value. */
const POSITIVE = Array.from({ length: 0x7c00 }, (_, h) => float16FromBits(h));
const TABLE = [...POSITIVE, 65536];

/** Oracle: nearest entry of POSITIVE (2¹⁶ standing in for overflow, pattern 0x7c00, even), ties to the even pattern. */
function oracle(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1;
  const table = TABLE;
  let lo = 0;
  let hi = table.length - 1;
  if (a >= table[hi]) return sign * Number.POSITIVE_INFINITY;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid] <= a) lo = mid;
    else hi = mid;
  }
  const dl = a - table[lo];
  const dh = table[hi] - a;
  const pick = dl < dh ? lo : dh < dl ? hi : lo % 2 === 0 ? lo : hi;
  const v = pick === table.length - 1 ? Number.POSITIVE_INFINITY : table[pick];
  return sign * v;
}

describe('float16 patterns (all 65,536)', () => {
  it('decode like the bit-level widening, round-trip through float16Bits, and are fixed points of the rounding', () => {
    let nans = 0;
    for (let h = 0; h < 0x10000; h++) {
      const v = float16FromBits(h);
      const byBits = halfToFloat32ByBits(h);
      if (Number.isNaN(byBits)) {
        expect(v).toBeNaN();
        expect(isFloat16(v)).toBe(true);
        nans++;
        continue;
      }
      expect(Object.is(v, byBits), `pattern 0x${h.toString(16)}`).toBe(true);
      expect(float16Bits(v)).toBe(h);
      expect(Object.is(roundToFloat16(v), v)).toBe(true);
      expect(Math.fround(v)).toBe(v); // every half is a float32
      expect(isFloat16(v)).toBe(true);
    }
    expect(nans).toBe(2 * 1023);
  });

  it('decode known values', () => {
    expect(float16FromBits(0x3c00)).toBe(1);
    expect(float16FromBits(0xc000)).toBe(-2);
    expect(float16FromBits(0x7bff)).toBe(FLOAT16_MAX);
    expect(float16FromBits(0x0400)).toBe(FLOAT16_MIN_NORMAL);
    expect(float16FromBits(0x0001)).toBe(FLOAT16_MIN_SUBNORMAL);
    expect(float16FromBits(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16FromBits(0x3555)).toBe(0.333251953125);
    expect(float16FromBits(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(float16FromBits(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(float16FromBits(0x8000), -0)).toBe(true);
    expect(float16Bits(Number.NaN)).toBe(0x7e00);
  });
});

describe('roundToFloat16 (round to nearest, ties to even)', () => {
  it('every midpoint between neighbouring halves ties to the even pattern; one float64 ulp either side goes to the nearer', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const lo = POSITIVE[h];
      const hi = POSITIVE[h + 1];
      const mid = (lo + hi) / 2; // exact in float64
      const even = h % 2 === 0 ? lo : hi;
      expect(roundToFloat16(mid), `midpoint of 0x${h.toString(16)}`).toBe(even);
      expect(roundToFloat16(-mid)).toBe(-even);
      const below = mid - Math.max(Number.MIN_VALUE, mid * 2 ** -52);
      const above = mid + Math.max(Number.MIN_VALUE, mid * 2 ** -52);
      expect(roundToFloat16(below)).toBe(lo);
      expect(roundToFloat16(above)).toBe(hi);
    }
  });

  it('overflows to ±Infinity at 65520 (the tie above 65504 goes to the even 2¹⁶), not below', () => {
    expect(roundToFloat16(65504)).toBe(65504);
    expect(roundToFloat16(65519.99999)).toBe(65504);
    expect(roundToFloat16(65520)).toBe(Number.POSITIVE_INFINITY);
    expect(roundToFloat16(-65520)).toBe(Number.NEGATIVE_INFINITY);
    expect(roundToFloat16(1e300)).toBe(Number.POSITIVE_INFINITY);
    expect(roundToFloat16(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(roundToFloat16(Number.NaN)).toBeNaN();
  });

  it('subnormals: multiples of 2⁻²⁴, ties to even, underflow to a signed zero', () => {
    expect(roundToFloat16(2 ** -25)).toBe(0); // tie between 0 (even) and 2⁻²⁴
    expect(roundToFloat16(3 * 2 ** -25)).toBe(2 * 2 ** -24); // tie between 1 and 2 → 2
    expect(roundToFloat16(2 ** -25 + 2 ** -60)).toBe(2 ** -24);
    expect(Object.is(roundToFloat16(-1e-10), -0)).toBe(true);
    expect(Object.is(roundToFloat16(-0), -0)).toBe(true);
    expect(roundToFloat16(FLOAT16_MIN_NORMAL - 2 ** -26)).toBe(FLOAT16_MIN_NORMAL); // rounds up into the normals
  });

  it('rounds once, from float64: 1 + 2⁻¹¹ + 2⁻⁴⁰ → 1 + 2⁻¹⁰ (via float32 it would tie down to 1)', () => {
    const x = 1 + 2 ** -11 + 2 ** -40;
    expect(roundToFloat16(x)).toBe(1 + 2 ** -10);
    expect(roundToFloat16(Math.fround(x))).toBe(1);
  });

  it('agrees with the table oracle on arbitrary doubles', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), (x) => {
        expect(Object.is(roundToFloat16(x), oracle(x))).toBe(true);
      }),
      { numRuns: 20000, seed: 12 },
    );
    fc.assert(
      fc.property(fc.double({ min: -70000, max: 70000 }), (x) => {
        expect(Object.is(roundToFloat16(x), oracle(x))).toBe(true);
      }),
      { numRuns: 20000, seed: 13 },
    );
    fc.assert(
      fc.property(fc.double({ min: -(2 ** -13), max: 2 ** -13 }), (x) => {
        expect(Object.is(roundToFloat16(x), oracle(x))).toBe(true);
      }),
      { numRuns: 20000, seed: 14 },
    );
  });

  it('toFloat16Array rounds every element into a Float32Array', () => {
    const a = toFloat16Array([0.1, 65520, 1 + 2 ** -11, -3e-8]);
    expect(a).toBeInstanceOf(Float32Array);
    expect(Array.from(a)).toEqual([0.0999755859375, Number.POSITIVE_INFINITY, 1, -(2 ** -24)]);
  });
});

describe("tensor(shape, data, 'float16')", () => {
  it('rounds to float16 (not float32) and carries the values in a Float32Array', () => {
    const t = tensor([2, 2], [0.1, 1 + 2 ** -11 + 2 ** -40, 70000, 2 ** -25], 'float16');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual([0.0999755859375, 1 + 2 ** -10, Number.POSITIVE_INFINITY, 0]);
  });

  it('rounds a Float32Array input too, without touching the caller’s array', () => {
    const src = new Float32Array([0.1, 1 / 3]);
    const t = tensor([2], src, 'float16');
    expect(t.data).not.toBe(src);
    expect(Array.from(t.data)).toEqual([0.0999755859375, 0.333251953125]);
    expect(src[0]).toBe(Math.fround(0.1));
  });

  it('withPrecision and zeros give float16 data as Float32Array', () => {
    const w = withPrecision(tensor([3], [0.1, 2049, -1e-9]), 'float16');
    expect(w.data).toBeInstanceOf(Float32Array);
    expect(Array.from(w.data)).toEqual([0.0999755859375, 2048, -0]);
    expect(zeros([2], 'float16').data).toBeInstanceOf(Float32Array);
  });
});
