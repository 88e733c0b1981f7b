/**
 * The judge pinned from both sides: for every precision (float16, float32, float64, float16 with
 * float32 accumulation) and both error models, an error just above the bound fails and one just
 * below it passes — in the middle of the range and at its edges (n·u near 1, y = 0, magnitude 0,
 * non-finite values). The bound is restated here from its documented formula with the unit
 * roundoffs written out, so a changed unit roundoff, factor 2 or γ formula fails these tests
 * (docs/mutation.md records that check). Ratios, first mismatch and heat map are checked exactly.
 */
import { describe, expect, it } from 'vitest';
import { compareOutputs, elementBound, gamma, outputBounds, UNIT_ROUNDOFF } from '../../src/bound/error-bound.js';
import {
  completeNumerics,
  describeNumerics,
  fftErrorFactor,
  modelBounds,
  numericFieldsProblem,
  SUBNORMAL_ROUNDING,
  WINOGRAD_F2x3,
  WINOGRAD_F4x3,
  winogradErrorFactor,
} from '../../src/bound/error-model.js';
import type { Precision } from '../../src/contract.js';
import type { NumericPromise } from '../../src/vocabulary.js';
import { documentedBound, edgeNeighbours, ETA, gammaOf, nextUp, U } from '../helpers/documented-bound.js';

const PROMISES: ReadonlyArray<{ readonly name: string; readonly precision: Precision; readonly accumulation: Precision }> = [
  { name: 'float16', precision: 'float16', accumulation: 'float16' },
  { name: 'float32', precision: 'float32', accumulation: 'float32' },
  { name: 'float64', precision: 'float64', accumulation: 'float64' },
  { name: 'float16 storage, float32 accumulation', precision: 'float16', accumulation: 'float32' },
];
const MODELS = [
  { errorModel: 'elementwise' as const, errorFactor: undefined },
  { errorModel: 'normwise' as const, errorFactor: 12 },
];

/** ε of "(1 ± ε)·bound": 2⁻²⁰ ≈ 1e-6. */
const EPS = 2 ** -20;

/**
 * Whether y + (1 ± ε)·bound, as doubles, differ from y by (1 ± ε)·bound to within ε·bound (else
 * only the neighbour check applies: the error is then about one ulp of y).
 */
function separable(y: number, bound: number): boolean {
  if (!Number.isFinite(bound) || bound <= 0) return false;
  const above = Math.abs(y + (1 + EPS) * bound - y);
  const below = Math.abs(y + (1 - EPS) * bound - y);
  return above > bound && above <= (1 + 2 * EPS) * bound && below < bound && below >= (1 - 2 * EPS) * bound;
}

/** Judges one element under `p` with the bound `modelBounds` gives it. */
function judgeOne(p: NumericPromise, n: number, magnitude: number, y: number, actual: number) {
  const bounds = modelBounds(p, n, [magnitude], [y], [1, 1]);
  return compareOutputs([1, 1], [actual], [y], bounds);
}

describe('the bound from both sides, every precision and error model', () => {
  // (n, Σ|terms|, y) per case; n·u near 1 is added per accumulation precision below
  const cases: ReadonlyArray<{ readonly name: string; readonly n: number; readonly magnitude: number; readonly y: number }> = [
    { name: 'n=100 |terms|=3·2^20 y=0.75', n: 100, magnitude: 3 * 2 ** 20, y: 0.75 },
    { name: 'n=7 |terms|=5 y=-3.5 (y term visible)', n: 7, magnitude: 5, y: -3.5 },
    { name: 'y = 0 (total cancellation)', n: 64, magnitude: 40, y: 0 },
    { name: 'magnitude 0, y = 1.5 (only the 2u|y| term)', n: 9, magnitude: 0, y: 1.5 },
    { name: 'magnitude 0, y = 0 (only η)', n: 9, magnitude: 0, y: 0 },
    { name: 'magnitude 1e-300, y = 1e-300 (tiny)', n: 3, magnitude: 1e-300, y: 1e-300 },
  ];
  for (const pr of PROMISES) {
    for (const model of MODELS) {
      const p = completeNumerics({ ...pr, ...model });
      const nearOne = 1 / U[pr.accumulation] - 1; // n·u = 1 − u: γ = 1/u − 1, the largest finite γ
      const all = [
        ...cases,
        { name: `n·u = 1 − u (n = ${nearOne}), |terms| = 2^-40, y = 2^-41`, n: nearOne, magnitude: 2 ** -40, y: 2 ** -41 },
      ];
      for (const c of all) {
        it(`${pr.name}, ${p.errorModel}: ${c.name}`, () => {
          const bound = documentedBound(p, c.n, c.magnitude, c.y);
          expect(modelBounds(p, c.n, [c.magnitude], [c.y], [1, 1])[0]).toBe(bound);
          // just inside the bound passes, the next double fails (the comparison is ≤)
          const { inside, outside } = edgeNeighbours(c.y, bound);
          expect(judgeOne(p, c.n, c.magnitude, c.y, inside)).toBeUndefined();
          expect(judgeOne(p, c.n, c.magnitude, c.y, outside)?.flatIndex).toBe(0);
          if (bound === 0) {
            expect(judgeOne(p, c.n, c.magnitude, c.y, c.y)).toBeUndefined();
            expect(judgeOne(p, c.n, c.magnitude, c.y, nextUp(c.y))?.ratio).toBe(Number.POSITIVE_INFINITY);
            return;
          }
          // (1 ± ε)·bound, on both sides of y, where doubles can tell them apart
          if (separable(c.y, bound)) {
            for (const sign of [1, -1]) {
              expect(judgeOne(p, c.n, c.magnitude, c.y, c.y + sign * (1 - EPS) * bound)).toBeUndefined();
              const m = judgeOne(p, c.n, c.magnitude, c.y, c.y + sign * (1 + EPS) * bound);
              expect(m?.count).toBe(1);
              expect(m?.ratio).toBeGreaterThan(1);
              expect(m?.ratio).toBeLessThanOrEqual(1 + 2 * EPS);
            }
          } else {
            // only float64 with the 2u|y| term alone is this close to one ulp
            expect(pr.precision).toBe('float64');
          }
        });
      }
    }
  }

  it('the separable cases are the rule: every precision but float64 separates (1 ± ε) at magnitude 0, y = 1.5', () => {
    for (const pr of PROMISES) {
      const p = completeNumerics(pr);
      expect(separable(1.5, documentedBound(p, 9, 0, 1.5))).toBe(pr.precision !== 'float64');
    }
  });

  for (const pr of PROMISES) {
    it(`${pr.name}: n·u = 1 gives no bound: any finite error passes, an infinite or NaN actual fails`, () => {
      const n = 1 / U[pr.accumulation];
      for (const model of MODELS) {
        const p = completeNumerics({ ...pr, ...model });
        expect(modelBounds(p, n, [1], [0.5], [1, 1])[0]).toBe(Number.POSITIVE_INFINITY);
        expect(judgeOne(p, n, 1, 0.5, 1e300)).toBeUndefined();
        expect(judgeOne(p, n + 1, 1, 0.5, -1e300)).toBeUndefined();
        for (const bad of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
          const m = judgeOne(p, n, 1, 0.5, bad);
          expect(m?.count).toBe(1);
          expect(m?.heatmap.ratios).toEqual([null]);
          expect(m?.ratio).toBeNaN();
        }
        // no terms to round: a sum of zeros is exact even where γ is infinite
        expect(modelBounds(p, n, [0], [0], [1, 1])[0]).toBe(ETA[pr.precision]);
        expect(judgeOne(p, n, 0, 0, 0)).toBeUndefined();
      }
    });
  }
});

describe('the constants and γ', () => {
  it('unit roundoffs are 2^-11, 2^-24, 2^-53; η is 2^-25 for float16 and 0 otherwise', () => {
    expect(UNIT_ROUNDOFF).toEqual(U);
    expect(SUBNORMAL_ROUNDING).toEqual(ETA);
  });

  it('γ(n) = n·u/(1 − n·u) exactly, and ∞ from n·u = 1 on', () => {
    expect(gamma(3, 0.25)).toBe(3); // 0.75 / 0.25
    expect(gamma(1, 0.5)).toBe(1);
    expect(gamma(2, 0.5)).toBe(Number.POSITIVE_INFINITY);
    expect(gamma(2, 0.25)).toBe(1);
    expect(gamma(0, 2 ** -24)).toBe(0);
    expect(gamma(2 ** 11 - 1, 2 ** -11)).toBe(2 ** 11 - 1);
    expect(gamma(2 ** 11 + 1, 2 ** -11)).toBe(Number.POSITIVE_INFINITY);
  });

  it('elementBound = 2·γ(n)·Σ|terms| + 2u|y| and outputBounds applies it per element', () => {
    expect(elementBound(3, 2, 0, 'float32')).toBe(2 * gammaOf(3, 2 ** -24) * 2);
    expect(elementBound(3, 0, -3, 'float32')).toBe(6 * 2 ** -24);
    expect(elementBound(3, 0, 0.5, 'float16')).toBe(2 ** -11);
    expect(elementBound(5, 7, 1.25, 'float64')).toBe(2 * gammaOf(5, 2 ** -53) * 7 + 2 * 2 ** -53 * 1.25);
    expect(elementBound(2 ** 24, 1, 1, 'float32')).toBe(Number.POSITIVE_INFINITY);
    expect(elementBound(2 ** 24, 0, 0.5, 'float32')).toBe(2 ** -24);
    const b = outputBounds(5, [7, 0, 3], [1.25, -2, 0], 'float64');
    expect(b).toBeInstanceOf(Float64Array);
    expect(Array.from(b)).toEqual([
      elementBound(5, 7, 1.25, 'float64'),
      elementBound(5, 0, -2, 'float64'),
      elementBound(5, 3, 0, 'float64'),
    ]);
    expect(outputBounds(1, [], [], 'float32').length).toBe(0);
  });
});

describe('the normwise model takes the maximum over each output map', () => {
  const p = completeNumerics({ precision: 'float32', errorModel: 'normwise', errorFactor: 3 });
  const g = gammaOf(10, 2 ** -24);

  it('x maps [1,2,2,1]: each map its own maximum; non-finite magnitudes are left out', () => {
    const mag = [1, 4, Number.POSITIVE_INFINITY, 2];
    const y = [0.5, -1, 2, 0];
    const b = modelBounds(p, 10, mag, y, [1, 2, 2, 1]);
    expect(Array.from(b)).toEqual([3 * g * 4 + 2 * 2 ** -24 * 0.5, 3 * g * 4 + 2 * 2 ** -24 * 1, 3 * g * 2 + 2 * 2 ** -24 * 2, 3 * g * 2]);
  });

  it('mapScale raises a map maximum it exceeds, and only that map', () => {
    const b = modelBounds(p, 10, [1, 4, 1, 2], [0, 0, 0, 0], [1, 2, 2], [8, 1]);
    expect(Array.from(b)).toEqual([3 * g * 8, 3 * g * 8, 3 * g * 2, 3 * g * 2]);
  });

  it('dense [N, M]: every element is its own map', () => {
    const b = modelBounds(p, 10, [1, 4, 2], [0, 0, 0], [1, 3]);
    expect(Array.from(b)).toEqual([3 * g, 12 * g, 6 * g]);
  });

  it('a map of zeros has bound 2u|y| + η even where γ is infinite', () => {
    const h = completeNumerics({ precision: 'float16', errorModel: 'normwise', errorFactor: 3 });
    expect(Array.from(modelBounds(h, 4096, [0, 0], [0, 0.5], [1, 1, 2]))).toEqual([2 ** -25, 2 ** -11 + 2 ** -25]);
  });

  it('κ applies in the normwise model only', () => {
    const e = completeNumerics({ precision: 'float32', errorFactor: 7 } as never);
    expect(e.errorFactor).toBe(1);
    expect(modelBounds(e, 10, [4], [0], [1, 1])[0]).toBe(2 * g * 4);
  });
});

describe('compareOutputs reports exactly', () => {
  it('two mismatches: the first is reported, both counted, ratios error/bound in the heat map', () => {
    const expected = [1, 2, 3, 4, 5, 0];
    const actual = [1, 2.5, 3.125, 3, 5, 0.5];
    const bounds = [0.5, 0.25, 0.25, 0.5, 0, 0];
    const m = compareOutputs([1, 2, 3], actual, expected, bounds);
    expect(m).toEqual({
      flatIndex: 1,
      expected: 2,
      actual: 2.5,
      error: 0.5,
      bound: 0.25,
      ratio: 2,
      count: 3,
      heatmap: { shape: [1, 2, 3], ratios: [0, 2, 0.5, 2, 0, Number.POSITIVE_INFINITY] },
    });
  });

  it('a single bound for every element; the error is |actual − expected| on either side', () => {
    const m = compareOutputs([4], [1, 0.75, 3, -2], [1, 1, 2, -1], 0.5);
    expect(m?.flatIndex).toBe(2);
    expect(m?.error).toBe(1);
    expect(m?.ratio).toBe(2);
    expect(m?.count).toBe(2);
    expect(m?.heatmap.ratios).toEqual([0, 0.5, 2, 2]);
    expect(compareOutputs([2], [1, 3], [1, 2.5], 0.5)).toBeUndefined();
  });

  it('a bound of −0 is a bound of 0: the ratio of a difference is +∞, never −∞', () => {
    const m = compareOutputs([2], [1, 3], [1, 2], [0, -0]);
    expect(m).toMatchObject({ flatIndex: 1, ratio: Number.POSITIVE_INFINITY });
    expect(m?.heatmap.ratios).toEqual([0, Number.POSITIVE_INFINITY]);
  });

  it('bound 0 demands equality: ratio ∞ for any difference', () => {
    const m = compareOutputs([2], [1, 2], [1, 2 + 2 ** -51], 0);
    expect(m).toMatchObject({ flatIndex: 1, error: 2 ** -51, bound: 0, ratio: Number.POSITIVE_INFINITY, count: 1 });
  });

  it('special values: NaN meets NaN, ∞ meets the same ∞, a finite expectation never meets a non-finite actual', () => {
    const expected = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1,
      1,
      Number.POSITIVE_INFINITY,
    ];
    const actual = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ];
    const m = compareOutputs([8], actual, expected, Number.POSITIVE_INFINITY);
    expect(m?.flatIndex).toBe(3);
    expect(m?.expected).toBeNaN();
    expect(m?.actual).toBe(1);
    expect(m?.error).toBeNaN();
    expect(m?.ratio).toBeNaN();
    expect(m?.count).toBe(5);
    expect(m?.heatmap.ratios).toEqual([0, 0, 0, null, null, null, null, null]);
    // an infinite actual against a finite expectation with an infinite bound
    const inf = compareOutputs([1], [Number.NEGATIVE_INFINITY], [2], [Number.POSITIVE_INFINITY]);
    expect(inf).toMatchObject({ flatIndex: 0, error: Number.POSITIVE_INFINITY, ratio: Number.NaN, count: 1 });
    expect(compareOutputs([3], expected.slice(0, 3), expected.slice(0, 3), 0)).toBeUndefined();
  });

  it('mismatches at elements 0 and 2: element 0 is reported', () => {
    expect(compareOutputs([3], [1, 0, 1], [0, 0, 0], 0.5)).toMatchObject({ flatIndex: 0, actual: 1, count: 2 });
  });

  it('the last element can be the only mismatch', () => {
    expect(compareOutputs([3], [0, 0, 1], [0, 0, 0], [1, 1, 0.5])).toMatchObject({ flatIndex: 2, ratio: 2, count: 1 });
  });
});

describe('κ of transform algorithms', () => {
  it('Winograd F(2, 3): S = 5 by hand (output 0 of a tile: shifts −1…2 give 1 + 1 + 1 + 2), L = 2r + 4α + 9 = 31 roundings, n = r² = 9', () => {
    for (const acc of ['float16', 'float32', 'float64'] as const) {
      expect(winogradErrorFactor(WINOGRAD_F2x3, acc)).toBe(Math.ceil((25 * gammaOf(31, U[acc])) / gammaOf(9, U[acc]) - 1e-9));
    }
    expect(winogradErrorFactor(WINOGRAD_F2x3)).toBe(winogradErrorFactor(WINOGRAD_F2x3, 'float32'));
    expect(winogradErrorFactor(WINOGRAD_F2x3, 'float16')).toBe(88);
    expect(winogradErrorFactor(WINOGRAD_F2x3, 'float32')).toBe(87);
    expect(winogradErrorFactor(WINOGRAD_F4x3, 'float16')).toBe(4227);
    expect(winogradErrorFactor(WINOGRAD_F4x3)).toBe(4165);
  });

  it('the trivial F(1, 1) (one product per output): S = 1, κ = L/n = 15 in float64 (the −1e-9 keeps an integer κ from rounding up)', () => {
    const direct = { AT: [[1]], G: [[1]], BT: [[1]] };
    expect(winogradErrorFactor(direct, 'float64')).toBe(15);
    // in float32, γ(15)/γ(1) = 15·(1 − u)/(1 − 15u) is visibly above 15
    expect(winogradErrorFactor(direct, 'float32')).toBe(16);
  });

  it('FFT: κ = L·(20·log₂L + 5) with L rounded up to a power of two, at least 2', () => {
    expect(fftErrorFactor(1)).toBe(2 * 25);
    expect(fftErrorFactor(2)).toBe(2 * 25);
    expect(fftErrorFactor(3)).toBe(4 * 45);
    expect(fftErrorFactor(4)).toBe(4 * 45);
    expect(fftErrorFactor(5)).toBe(8 * 65);
  });
});

describe('numeric promises', () => {
  it('completeNumerics fills accumulation, model and κ', () => {
    expect(completeNumerics({ precision: 'float16' })).toEqual({
      precision: 'float16',
      accumulation: 'float16',
      errorModel: 'elementwise',
      errorFactor: 1,
    });
    expect(completeNumerics({ precision: 'float16', accumulation: 'float32', errorModel: 'normwise', errorFactor: 5 })).toEqual({
      precision: 'float16',
      accumulation: 'float32',
      errorModel: 'normwise',
      errorFactor: 5,
    });
    expect(completeNumerics({ precision: 'float32', errorModel: 'normwise' }).errorFactor).toBe(1);
  });

  it('describeNumerics names storage, accumulation and model', () => {
    expect(describeNumerics(completeNumerics({ precision: 'float32' }))).toBe('float32, elementwise error model');
    expect(
      describeNumerics(completeNumerics({ precision: 'float16', accumulation: 'float32', errorModel: 'normwise', errorFactor: 12 })),
    ).toBe('float16 storage, float32 accumulation, normwise error model, κ = 12');
  });

  it('numericFieldsProblem names the field and the value', () => {
    expect(numericFieldsProblem({ precision: 'float32' })).toBeUndefined();
    expect(numericFieldsProblem({ precision: 'float16', accumulation: 'float32', errorModel: 'normwise', errorFactor: 1 })).toBeUndefined();
    expect(numericFieldsProblem({ precision: 'float64', accumulation: 'float64', errorModel: 'elementwise' })).toBeUndefined();
    expect(numericFieldsProblem({ precision: 'bfloat16' })).toBe(
      "kernel.precision must be 'float16', 'float32' or 'float64', got 'bfloat16'",
    );
    expect(numericFieldsProblem({})).toBe("kernel.precision must be 'float16', 'float32' or 'float64', got undefined");
    expect(numericFieldsProblem({ precision: 'x'.repeat(41) })).toBe(
      `kernel.precision must be 'float16', 'float32' or 'float64', got '${'x'.repeat(40)}…'`,
    );
    expect(numericFieldsProblem({ precision: 'x'.repeat(40) })).toBe(
      `kernel.precision must be 'float16', 'float32' or 'float64', got '${'x'.repeat(40)}'`,
    );
    expect(numericFieldsProblem({ precision: 'float32', accumulation: 32 })).toBe(
      "kernel.accumulation must be 'float16', 'float32' or 'float64', got 32",
    );
    expect(numericFieldsProblem({ precision: 'float32', accumulation: null })).toBe(
      "kernel.accumulation must be 'float16', 'float32' or 'float64', got null",
    );
    expect(numericFieldsProblem({ precision: 'float32', accumulation: 'float16' })).toBe(
      "kernel.accumulation ('float16') is narrower than kernel.precision ('float32'); declare the narrower precision as precision",
    );
    expect(numericFieldsProblem({ precision: 'float32', errorModel: 'winograd' })).toBe(
      "kernel.errorModel must be 'elementwise' or 'normwise', got 'winograd'",
    );
    expect(numericFieldsProblem({ precision: 'float32', errorModel: 'normwise' })).toBe(
      "kernel.errorFactor (κ ≥ 1) is required with errorModel 'normwise'",
    );
    expect(numericFieldsProblem({ precision: 'float32', errorModel: 'normwise', errorFactor: '3' })).toBe(
      "kernel.errorFactor must be a finite number >= 1, got '3'",
    );
    expect(numericFieldsProblem({ precision: 'float32', errorModel: 'normwise', errorFactor: Number.POSITIVE_INFINITY })).toBe(
      'kernel.errorFactor must be a finite number >= 1, got Infinity',
    );
    expect(numericFieldsProblem({ precision: 'float32', errorModel: 'normwise', errorFactor: 0.5 })).toBe(
      'kernel.errorFactor must be a finite number >= 1, got 0.5',
    );
    expect(numericFieldsProblem({ precision: 'float32', errorFactor: 2 })).toBe(
      "kernel.errorFactor (2) applies only with errorModel 'normwise'",
    );
    expect(numericFieldsProblem({ precision: 'float32', errorModel: 'elementwise', errorFactor: { k: 1 } })).toBe(
      "kernel.errorFactor (a object) applies only with errorModel 'normwise'",
    );
  });
});
