/**
 * The error bound itself: it must hold for every correct float32 summation (any order, blocked,
 * pairwise, FMA-like, wide accumulator) on adversarial data, and must reject arithmetic in a
 * lower precision than promised (float32 promising float64, TF32-rounded inputs, bfloat16 sums).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOutputs, elementBound, gamma, UNIT_ROUNDOFF } from '../src/bound/error-bound.js';
import { AccurateSum } from '../src/numeric/accurate-sum.js';

const f32 = Math.fround;

/** Rounds to a float with `bits` explicit mantissa bits (round to nearest even), like TF32 (10) or bfloat16 (7). */
function roundMantissa(v: number, bits: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const e = Math.floor(Math.log2(Math.abs(v)));
  const scale = 2 ** (bits - e);
  const scaled = v * scale;
  const r = Math.round(scaled);
  // ties to even
  const even = Math.abs(scaled - Math.trunc(scaled)) === 0.5 && r % 2 !== 0 ? r - Math.sign(scaled) : r;
  return even / scale;
}

type Sum = (w: number[], x: number[]) => number;

const orders: Record<string, Sum> = {
  forward: (w, x) => w.reduce((s, wi, i) => f32(s + f32(wi * x[i])), 0),
  reverse: (w, x) => w.reduceRight((s, wi, i) => f32(s + f32(wi * x[i])), 0),
  pairwise: (w, x) => {
    const rec = (lo: number, hi: number): number =>
      hi - lo === 1 ? f32(w[lo] * x[lo]) : f32(rec(lo, (lo + hi) >> 1) + rec((lo + hi) >> 1, hi));
    return w.length === 0 ? 0 : rec(0, w.length);
  },
  'blocked by 7, partials rounded': (w, x) => {
    let total = 0;
    for (let b = 0; b < w.length; b += 7) {
      let part = 0;
      for (let i = b; i < Math.min(w.length, b + 7); i++) part = f32(part + f32(w[i] * x[i]));
      total = f32(total + part);
    }
    return total;
  },
  'fma (exact product, rounded sum)': (w, x) => w.reduce((s, wi, i) => f32(s + wi * x[i]), 0),
  'float64 accumulator rounded once': (w, x) => f32(w.reduce((s, wi, i) => s + wi * x[i], 0)),
  'even/odd interleaved': (w, x) => {
    let a = 0;
    let b = 0;
    for (let i = 0; i < w.length; i++) {
      if (i % 2) a = f32(a + f32(w[i] * x[i]));
      else b = f32(b + f32(w[i] * x[i]));
    }
    return f32(a + b);
  },
};

function exact(w: number[], x: number[]): { y: number; mag: number } {
  const acc = new AccurateSum();
  w.forEach((wi, i) => acc.addProduct(wi, x[i]));
  return { y: acc.value(), mag: acc.magnitude() };
}

/**
 * Adversarial float32 data: wide exponent range, mixed signs, heavy cancellation. Values below
 * 2⁻⁶⁰ become 0 so that no product underflows (the bound, like Higham's model, assumes none;
 * the data generators of the catalog guarantee the same).
 */
const value = fc.float({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => (Math.abs(v) < 2 ** -60 ? 0 : v));
const vectors = fc
  .integer({ min: 1, max: 600 })
  .chain((n) => fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n }), fc.boolean()))
  .map(([w, x, cancel]) => {
    // cancellation: append the negated products so the true sum is tiny relative to Σ|w·x|
    if (cancel) return { w: [...w, ...w.map((v) => -v)], x: [...x, ...x] };
    return { w, x };
  });

describe('error bound 2·γ(n)·Σ|w·x| + 2u|y|', () => {
  it('γ(n) = n·u/(1−n·u) and is infinite when n·u ≥ 1', () => {
    expect(gamma(10, 2 ** -24)).toBeCloseTo((10 * 2 ** -24) / (1 - 10 * 2 ** -24), 20);
    expect(gamma(2 ** 24, 2 ** -24)).toBe(Number.POSITIVE_INFINITY);
    expect(UNIT_ROUNDOFF.float32).toBe(2 ** -24);
    expect(UNIT_ROUNDOFF.float64).toBe(2 ** -53);
  });

  for (const [name, sum] of Object.entries(orders)) {
    it(`holds for float32 summation: ${name}`, () => {
      fc.assert(
        fc.property(vectors, ({ w, x }) => {
          const wf = w.map(f32);
          const xf = x.map(f32);
          const { y, mag } = exact(wf, xf);
          const got = sum(wf, xf);
          expect(Math.abs(got - y)).toBeLessThanOrEqual(elementBound(wf.length, mag, y, 'float32'));
        }),
        { numRuns: 150, seed: 7 },
      );
    });
  }

  it('holds for float64 summation judged as float64', () => {
    fc.assert(
      fc.property(vectors, ({ w, x }) => {
        const { y, mag } = exact(w, x);
        const got = w.reduce((s, wi, i) => s + wi * x[i], 0);
        expect(Math.abs(got - y)).toBeLessThanOrEqual(elementBound(w.length, mag, y, 'float64'));
      }),
      { numRuns: 150, seed: 8 },
    );
  });

  /** Random positive-and-negative data with full float32 mantissas: rounding is certain to occur. */
  function randomData(seed: number, n: number): { w: number[]; x: number[] } {
    let s = seed >>> 0;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const v = () => f32((rnd() - 0.5) * 2 ** (Math.floor(rnd() * 8) - 4));
    return { w: Array.from({ length: n }, v), x: Array.from({ length: n }, v) };
  }

  /** Fraction of 200 dot products whose error exceeds the bound. */
  function rejectionRate(sum: Sum, precision: 'float32' | 'float64', n: number): number {
    let rejected = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { w, x } = randomData(seed, n);
      const { y, mag } = exact(w, x);
      if (Math.abs(sum(w, x) - y) > elementBound(n, mag, y, precision)) rejected++;
    }
    return rejected / 200;
  }

  it('rejects a kernel that promises float64 but computes in float32', () => {
    expect(rejectionRate(orders.forward, 'float64', 64)).toBeGreaterThan(0.95);
  });

  it('rejects TF32-rounded inputs (10-bit mantissa) in a float32 kernel', () => {
    const tf32: Sum = (w, x) =>
      orders.forward(
        w.map((v) => roundMantissa(v, 10)),
        x.map((v) => roundMantissa(v, 10)),
      );
    expect(rejectionRate(tf32, 'float32', 64)).toBeGreaterThan(0.9);
  });

  it('rejects bfloat16 accumulation (7-bit mantissa) in a float32 kernel', () => {
    const bf16: Sum = (w, x) => w.reduce((s, wi, i) => roundMantissa(s + f32(wi * x[i]), 7), 0);
    expect(rejectionRate(bf16, 'float32', 64)).toBeGreaterThan(0.9);
  });

  it('compares NaN with NaN, Infinity with the same Infinity, and never NaN with Infinity', () => {
    expect(compareOutputs([3], [Number.NaN, Infinity, -Infinity], [Number.NaN, Infinity, -Infinity], 0)).toBeUndefined();
    const m = compareOutputs([2], [1, Infinity], [1, Number.NaN], 0);
    expect(m?.flatIndex).toBe(1);
    expect(m?.heatmap.ratios[1]).toBeNull();
    expect(compareOutputs([1], [Number.NaN], [Infinity], 1e30)?.flatIndex).toBe(0);
    expect(compareOutputs([1], [Number.NaN], [5], 1e30)?.flatIndex).toBe(0);
    const exactMiss = compareOutputs([2], [1, 3], [1, 2], 0);
    expect(exactMiss).toMatchObject({ flatIndex: 1, expected: 2, actual: 3, error: 1, bound: 0, count: 1 });
    expect(exactMiss?.ratio).toBe(Number.POSITIVE_INFINITY);
  });
});
