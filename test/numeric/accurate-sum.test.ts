/**
 * AccurateSum (the reference's compensated dot product) against exact BigInt arithmetic: it must
 * recover what plain float64 summation loses to cancellation and to product rounding, stay
 * within Dot2's bound, propagate NaN and ±Infinity as IEEE-754 does, and report Σ|terms|.
 */
import { describe, expect, it } from 'vitest';
import { AccurateSum } from '../../src/numeric/accurate-sum.js';
import { ExactSum } from '../helpers/index.js';

/** A term: a number (added with `add`) or a pair (added with `addProduct`). */
type Term = number | readonly [number, number];

function accurate(terms: readonly Term[]): AccurateSum {
  const s = new AccurateSum();
  for (const term of terms) {
    if (typeof term === 'number') s.add(term);
    else s.addProduct(term[0], term[1]);
  }
  return s;
}

/** Plain recursive float64 summation of the same terms: what AccurateSum must improve on. */
function plain(terms: readonly Term[]): number {
  let s = 0;
  for (const term of terms) s += typeof term === 'number' ? term : term[0] * term[1];
  return s;
}

function exact(terms: readonly Term[]): ExactSum {
  const e = new ExactSum();
  for (const term of terms) {
    if (typeof term === 'number') e.add(term);
    else e.addProduct(term[0], term[1]);
  }
  return e;
}

function show(terms: readonly Term[]): string {
  return `[${terms.map((v) => (typeof v === 'number' ? String(v) : `${v[0]}·${v[1]}`)).join(', ')}]`;
}

describe('cancellation and product rounding: exact where plain float64 summation fails', () => {
  // expected: the exact sum, representable as a double (confirmed with BigInt below).
  const cases: ReadonlyArray<readonly [string, readonly Term[], number]> = [
    // 1e16 + 1 is a tie between 1e16 and 1e16 + 2 and rounds to even (1e16): plain gives 0.
    ['1e16 + 1 − 1e16', [1e16, 1, -1e16], 1],
    ['1 + 1e100 + 1 − 1e100', [1, 1e100, 1, -1e100], 2],
    ['2^53 + 1 + 1 − 2^53', [2 ** 53, 1, 1, -(2 ** 53)], 2],
    ['−1e16 + 3 + 1e16 − 1', [-1e16, 3, 1e16, -1], 2],
    // fl(0.1) + fl(0.2) − fl(0.3) is exactly 2^−55; plain float64 gives 2^−54.
    ['0.1 + 0.2 − 0.3', [0.1, 0.2, -0.3], 2 ** -55],
    // (2^27+1)² = 2^54 + 2^28 + 1 needs 55 bits; fl drops the 1, so plain gives 0.
    ['(2^27+1)² − (2^54 + 2^28)', [[2 ** 27 + 1, 2 ** 27 + 1], -(2 ** 54 + 2 ** 28)], 1],
    // (1 + 2^−30)(1 − 2^−30) = 1 − 2^−60 rounds to 1.
    ['(1 + 2^−30)(1 − 2^−30) − 1', [[1 + 2 ** -30, 1 - 2 ** -30], -1], -(2 ** -60)],
    // 3·fl(0.1) = fl(0.1) + fl(0.2) exactly, so again 2^−55.
    ['3·0.1 − 0.3', [[3, 0.1], -0.3], 2 ** -55],
    // The product's error must survive a large term that comes and goes.
    ['(2^27+1)² + 2^80 − 2^80 − (2^54 + 2^28)', [[2 ** 27 + 1, 2 ** 27 + 1], 2 ** 80, -(2 ** 80), -(2 ** 54 + 2 ** 28)], 1],
    // Large and small exponents inside the documented splitting range (|a| < 2^996).
    ['2^900(1 + 2^−30) · 2^−900(1 − 2^−30) − 1', [[2 ** 900 * (1 + 2 ** -30), 2 ** -900 * (1 - 2 ** -30)], -1], -(2 ** -60)],
    [
      '2^−500(1 + 2^−27) · 2^500(1 + 2^−27) − 1 − 2^−26',
      [[2 ** -500 * (1 + 2 ** -27), 2 ** 500 * (1 + 2 ** -27)], -1, -(2 ** -26)],
      2 ** -54,
    ],
    [
      'a·b − c·d with a·b ≈ c·d',
      [
        [2 ** 27 + 1, 2 ** 27 - 1],
        [-(2 ** 26), 2 ** 28],
      ],
      -1,
    ],
  ];

  it.each(cases)('%s', (_name, terms, expected) => {
    const e = exact(terms);
    expect(e.equals(expected), `the exact sum of ${show(terms)} is ${e.approx()}, not ${expected}`).toBe(true);
    expect(plain(terms), 'plain float64 summation gets it wrong (the case is meaningful)').not.toBe(expected);
    expect(accurate(terms).value()).toBe(expected);
  });

  it('the products above really need more than 53 bits (BigInt)', () => {
    expect((2n ** 27n + 1n) ** 2n - (2n ** 54n + 2n ** 28n)).toBe(1n);
    expect((2 ** 27 + 1) * (2 ** 27 + 1)).toBe(2 ** 54 + 2 ** 28); // the float64 product drops the 1
    // (2^30 + 1)(2^30 − 1) / 2^60 = 1 − 2^−60
    expect((2n ** 30n + 1n) * (2n ** 30n - 1n)).toBe(2n ** 60n - 1n);
    expect((1 + 2 ** -30) * (1 - 2 ** -30)).toBe(1);
    // (2^27 + 1)(2^27 − 1) = 2^54 − 1 rounds to 2^54; 2^26 · 2^28 = 2^54 exactly.
    expect((2n ** 27n + 1n) * (2n ** 27n - 1n) - 2n ** 54n).toBe(-1n);
  });
});

describe('within the Dot2 bound on ill-conditioned dot products (checked with BigInt)', () => {
  /** A 32-bit LCG: reproducible doubles without a library. */
  function lcg(seed: number) {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  }
  /** A double with a full 53-bit significand in [2^e, 2^(e+1)), random sign. */
  function fullDouble(next: () => number, e: number): number {
    const significand = 2 ** 52 + (next() % 2 ** 20) * 2 ** 32 + next(); // an integer in [2^52, 2^53)
    return (next() & 1 ? -1 : 1) * significand * 2 ** (e - 52);
  }
  /**
   * Terms a_k·b_k and −fl(a_k·b_k), interleaved with a large term that later cancels: the exact
   * sum is Σ (a_k·b_k − fl(a_k·b_k)), the product rounding errors, which plain summation loses.
   */
  function illConditioned(seed: number): Term[] {
    const next = lcg(seed);
    const terms: Term[] = [];
    const big = 2 ** 70;
    for (let k = 0; k < 8; k++) {
      const a = fullDouble(next, 10 + (next() % 20));
      const b = fullDouble(next, 10 + (next() % 20));
      terms.push([a, b]);
      if (k === 3) terms.push(big);
      terms.push(-(a * b));
    }
    terms.push(-big);
    return terms;
  }

  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('seed %d', (seed) => {
    const terms = illConditioned(seed);
    const e = exact(terms);
    const value = accurate(terms).value();
    expect(e.equals(0), 'the exact sum is not zero').toBe(false);
    expect(e.withinDot2Bound(value), `AccurateSum ${value} vs exact ${e.approx()} for ${show(terms)}`).toBe(true);
    expect(e.withinDot2Bound(plain(terms)), `plain ${plain(terms)} vs exact ${e.approx()}: the bound is tight enough to fail`).toBe(false);
  });

  it.each([
    ['0.1·0.7 + 0.3·(−0.2) + (1/3)·3 + 0.125', [[0.1, 0.7], [0.3, -0.2], [1 / 3, 3], 0.125]],
    ['0.1 + 0.2 + 0.3 + 0.4', [0.1, 0.2, 0.3, 0.4]],
    [
      '(1/3)·(1/7) + (1/5)·(1/11) − (1/13)·(1/17) (plain float64 is off by one ulp)',
      [
        [1 / 3, 1 / 7],
        [1 / 5, 1 / 11],
        [-1 / 13, 1 / 17],
      ],
    ],
  ] as const)('well conditioned: the exact sum rounded to nearest: %s', (_name, terms) => {
    const e = exact(terms as readonly Term[]);
    const value = accurate(terms as readonly Term[]).value();
    expect(e.isNearest(value), `AccurateSum ${value}, exact ≈ ${e.approx()}`).toBe(true);
  });
});

describe('NaN and ±Infinity propagate as IEEE-754 says', () => {
  const cases: ReadonlyArray<readonly [string, readonly Term[], number]> = [
    ['0·Inf = NaN', [[0, Infinity]], NaN],
    ['Inf·0 = NaN', [[Infinity, 0]], NaN],
    ['Inf − Inf = NaN', [Infinity, -Infinity], NaN],
    [
      'Inf·1 + (−1)·Inf = NaN',
      [
        [Infinity, 1],
        [-1, Infinity],
      ],
      NaN,
    ],
    [
      'overflowing products of opposite signs: Inf − Inf = NaN',
      [
        [1e200, 1e200],
        [-1e200, 1e200],
      ],
      NaN,
    ],
    ['Inf + finite = Inf', [Infinity, 1], Infinity],
    ['finite + Inf = Inf', [1, Infinity], Infinity],
    ['Inf after a compensated cancellation', [1e16, 1, -1e16, Infinity], Infinity],
    ['−Inf + finite = −Inf', [-Infinity, 5], -Infinity],
    ['(−2)·Inf = −Inf', [[-2, Infinity]], -Infinity],
    ['Inf·Inf + 1 = Inf', [[Infinity, Infinity], 1], Infinity],
    ['an overflowing product is Inf', [[1e200, 1e200], -1], Infinity],
    ['NaN + 1 = NaN', [NaN, 1], NaN],
    ['NaN·0 = NaN', [[NaN, 0]], NaN],
    ['1 + 0·NaN = NaN', [1, [0, NaN]], NaN],
    ['Inf + NaN = NaN', [Infinity, NaN], NaN],
  ];

  it.each(cases)('%s', (_name, terms, expected) => {
    expect(plain(terms), 'IEEE plain summation agrees').toBe(expected);
    expect(accurate(terms).value()).toBe(expected);
  });

  it('reset() forgets a NaN', () => {
    const s = accurate([[0, Infinity]]);
    expect(s.value()).toBeNaN();
    s.reset();
    s.add(2);
    s.addProduct(3, 4);
    expect(s.value()).toBe(14);
    expect(s.magnitude()).toBe(14);
  });
});

describe('magnitude() is Σ|terms|', () => {
  it.each([
    ['empty', [], 0, 0],
    ['3 − 4 + (−2)·5', [3, -4, [-2, 5]], -11, 17],
    [
      '3·(−7) + (−2)·(−5)',
      [
        [3, -7],
        [-2, -5],
      ],
      -11,
      31,
    ],
    ['−0.5 + 0.25·(−4)', [-0.5, [0.25, -4]], -1.5, 1.5],
    // Σ|t| = 2e16 + 1, whose nearest double is 2e16; the value is still exact.
    ['1e16 + 1 − 1e16', [1e16, 1, -1e16], 1, 2e16],
  ] as const)('%s', (_name, terms, value, magnitude) => {
    const s = accurate(terms as readonly Term[]);
    expect(s.value()).toBe(value);
    expect(s.magnitude()).toBe(magnitude);
  });

  it('is non-finite when a term is', () => {
    expect(accurate([1, [Infinity, -1]]).magnitude()).toBe(Infinity);
    expect(accurate([1, NaN]).magnitude()).toBeNaN();
    expect(accurate([[0, Infinity]]).magnitude()).toBeNaN();
  });

  it('is 0 again after reset()', () => {
    const s = accurate([5, [2, 3]]);
    expect(s.magnitude()).toBe(11);
    s.reset();
    expect(s.magnitude()).toBe(0);
    expect(s.value()).toBe(0);
  });
});
