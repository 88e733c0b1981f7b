/**
 * The judge (src/property/judge.ts): which bound each regime and option applies — checked at the
 * bound's edge (the largest passing error passes, the next double fails) — and the violation it
 * reports: message, index, expected, actual, error, bound, ratio, heat map, whole tensors.
 */
import { describe, expect, it } from 'vitest';
import { applyActivation } from '../../src/activation.js';
import { activationBound } from '../../src/bound/activation-bound.js';
import type { Activation } from '../../src/activation.js';
import { completeNumerics } from '../../src/bound/error-model.js';
import type { Expectation } from '../../src/property/judge.js';
import { activated, judge, judgeError, unravel } from '../../src/property/judge.js';
import { PropertyViolation } from '../../src/property/violation.js';
import type { Regime } from '../../src/vocabulary.js';
import { documentedBound, edgeNeighbours, gammaOf, U } from '../helpers/documented-bound.js';

/** The violation `judge` throws, or undefined when it accepts. */
function verdict(
  numerics: Parameters<typeof judge>[1],
  regime: Regime,
  actual: ArrayLike<number>,
  expected: Expectation,
  options?: Parameters<typeof judge>[5],
): PropertyViolation['detail'] | undefined {
  try {
    judge('conv-matches-reference', numerics, regime, actual, expected, options);
  } catch (e) {
    if (e instanceof PropertyViolation) return e.detail;
    throw e;
  }
  return undefined;
}

/** One element [1, 1] with value y, Σ|terms| and n terms. */
const one = (y: number, magnitude: number, terms: number, extra: Partial<Expectation> = {}): Expectation => ({
  shape: [1, 1],
  values: [y],
  magnitude: [magnitude],
  terms,
  ...extra,
});

/** Passes at the largest error within `bound`, fails at the next double. */
function expectEdge(bound: number, y: number, check: (actual: number) => PropertyViolation['detail'] | undefined): void {
  const { inside, outside } = edgeNeighbours(y, bound);
  expect(check(inside)).toBeUndefined();
  const v = check(outside);
  expect(v?.kind).toBe('mismatch');
  expect(v?.bound).toBe(bound);
}

const f16 = completeNumerics({ precision: 'float16' });
const f32 = completeNumerics({ precision: 'float32' });

describe('which bound the judge applies', () => {
  it('exact and special regimes demand equality for an elementwise kernel', () => {
    for (const regime of ['exact', 'special'] as const) {
      expect(verdict('float32', regime, [3], one(3, 3, 2))).toBeUndefined();
      const v = verdict('float32', regime, [3 + 2 ** -20], one(3, 3, 2));
      expect(v).toMatchObject({
        bound: 0,
        errorOverBound: Number.POSITIVE_INFINITY,
        message: 'conv-matches-reference: 1 of 1 output element differ',
      });
    }
  });

  it('the float regime: the documented bound, for a precision given by name or as a promise', () => {
    const bound = documentedBound(f16, 3, 4, 1.25);
    expectEdge(bound, 1.25, (a) => verdict('float16', 'float', [a], one(1.25, 4, 3)));
    expectEdge(bound, 1.25, (a) => verdict(f16, 'float', [a], one(1.25, 4, 3)));
  });

  it('a normwise kernel is bounded in the exact regime too, with κ in the message', () => {
    const p = completeNumerics({ precision: 'float32', errorModel: 'normwise', errorFactor: 3 });
    const bound = documentedBound(p, 10, 8, 2);
    expectEdge(bound, 2, (a) => verdict(p, 'exact', [a], one(2, 8, 10)));
    const v = verdict(p, 'exact', [2 + 2 * bound], one(2, 8, 10));
    expect(v?.message).toBe('conv-matches-reference: 1 of 1 output element exceed the normwise (κ = 3) error bound');
  });

  it("actualTerms replaces the expectation's term count", () => {
    expectEdge(documentedBound(f32, 50, 8, 2), 2, (a) => verdict(f32, 'float', [a], one(2, 8, 10), { actualTerms: 50 }));
  });

  it("expectedFromKernel adds the bound of the expected side's own computation", () => {
    expectEdge(2 * documentedBound(f32, 10, 8, 2), 2, (a) => verdict(f32, 'float', [a], one(2, 8, 10), { expectedFromKernel: true }));
  });

  it('kernelComputations add their bounds (their own terms, magnitudes and values)', () => {
    const extra = { magnitude: [64], values: [-5], terms: 7 };
    const bound = documentedBound(f32, 10, 8, 2) + documentedBound(f32, 7, 64, -5);
    expectEdge(bound, 2, (a) => verdict(f32, 'float', [a], one(2, 8, 10), { kernelComputations: [extra] }));
    const both = bound + documentedBound(f32, 10, 8, 2);
    expectEdge(both, 2, (a) => verdict(f32, 'float', [a], one(2, 8, 10), { kernelComputations: [extra], expectedFromKernel: true }));
  });

  it('kernelComputations carry their own mapScale in the normwise model', () => {
    const p = completeNumerics({ precision: 'float32', errorModel: 'normwise', errorFactor: 2 });
    const bound = documentedBound(p, 10, 8, 2) + documentedBound(p, 10, 8, 2, 100);
    const extra = { magnitude: [8], values: [2], terms: 10, mapScale: [100] };
    expectEdge(bound, 2, (a) => verdict(p, 'float', [a], one(2, 8, 10), { kernelComputations: [extra] }));
  });

  it("the expectation's mapScale extends its own map maximum", () => {
    const p = completeNumerics({ precision: 'float32', errorModel: 'normwise', errorFactor: 2 });
    expectEdge(documentedBound(p, 10, 8, 2, 100), 2, (a) => verdict(p, 'float', [a], one(2, 8, 10, { mapScale: [100] })));
  });

  it("a plain-float64 expectation adds the judge's own error γ(n)(2⁻⁵³)·Σ|terms|", () => {
    const bound = documentedBound(f32, 10, 2 ** 30, 2) + gammaOf(10, U.float64) * 2 ** 30;
    expectEdge(bound, 2, (a) => verdict(f32, 'float', [a], one(2, 2 ** 30, 10, { accumulation: 'plain64' })));
    // the compensated reference's error is not added
    expectEdge(documentedBound(f32, 10, 2 ** 30, 2), 2, (a) =>
      verdict(f32, 'float', [a], one(2, 2 ** 30, 10, { accumulation: 'compensated' })),
    );
  });

  it('a fused activation: the bound of the sums (2u|pre|) carried through φ', () => {
    const leaky: Activation = { kind: 'leakyRelu', alpha: -3 };
    const e = activated(one(-2, 8, 10), leaky);
    expect(e.values).toEqual(new Float64Array([6]));
    const bound = activationBound(leaky, documentedBound(f32, 10, 8, -2), 6, 'float32');
    expect(bound).toBe(3 * documentedBound(f32, 10, 8, -2) * (1 + U.float32) + U.float32 * 6);
    expectEdge(bound, 6, (a) => verdict(f32, 'float', [a], e));
    const sig = activated(one(0.5, 8, 10), { kind: 'sigmoid' });
    expectEdge(activationBound({ kind: 'sigmoid' }, documentedBound(f32, 10, 8, 0.5), sig.values[0], 'float32'), sig.values[0], (a) =>
      verdict(f32, 'float', [a], sig),
    );
  });

  it("expectedFromKernel with an activation: the expected side's bound is that of its sums (2u|pre|), not of φ(pre)", () => {
    const relu: Activation = { kind: 'relu' };
    const e = activated(one(-3, 8, 10), relu);
    expectEdge(2 * documentedBound(f16, 10, 8, -3), 0, (a) => verdict(f16, 'float', [a], e, { expectedFromKernel: true }));
  });

  it('regression: a float16 sum of 4096 zero terms (n·u ≥ 1) is judged exact, not NaN-bounded', () => {
    expect(verdict('float16', 'float', [0], one(0, 0, 4096))).toBeUndefined();
    expect(verdict('float16', 'float', [2 ** -25], one(0, 0, 4096))).toBeUndefined();
    expect(verdict('float16', 'float', [2 ** -24], one(0, 0, 4096))?.bound).toBe(2 ** -25);
  });
});

describe('what the judge reports', () => {
  const shape = [1, 2, 2, 3];
  const values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const expectation: Expectation = { shape, values, magnitude: new Array(12).fill(0), terms: 1 };

  it('two mismatches: the first is reported at its multi-index, both counted, the heat map complete', () => {
    const actual = [...values];
    actual[7] = 7.5;
    actual[10] = 12;
    const v = verdict(f32, 'exact', actual, expectation);
    expect(v).toEqual({
      kind: 'mismatch',
      message: 'conv-matches-reference: 2 of 12 output elements differ',
      index: [0, 1, 0, 1],
      expected: 7,
      actual: 7.5,
      error: 0.5,
      bound: 0,
      errorOverBound: Number.POSITIVE_INFINITY,
      heatmap: { shape, ratios: [0, 0, 0, 0, 0, 0, 0, Number.POSITIVE_INFINITY, 0, 0, Number.POSITIVE_INFINITY, 0] },
      whole: { expected: { shape, values }, actual: { shape, values: actual } },
    });
  });

  it('the float regime: ratio error/bound, "exceed the error bound", non-finite values as text in the whole tensors', () => {
    const e: Expectation = { shape: [1, 3], values: [1, 2, Number.NaN], magnitude: [0, 0, Number.NaN], terms: 1 };
    const v = verdict('float16', 'float', [1, 2 + 2 ** -7, Number.POSITIVE_INFINITY], e);
    const bound = documentedBound(f16, 1, 0, 2);
    expect(v).toMatchObject({
      message: 'conv-matches-reference: 2 of 3 output elements exceed the error bound',
      index: [0, 1],
      error: 2 ** -7,
      bound,
      errorOverBound: 2 ** -7 / bound,
      heatmap: { shape: [1, 3], ratios: [0, 2 ** -7 / bound, null] },
      whole: { expected: { shape: [1, 3], values: [1, 2, 'NaN'] }, actual: { shape: [1, 3], values: [1, 2 + 2 ** -7, 'Infinity'] } },
    });
  });

  it('an actual longer than 64 elements (a kernel that returned too much) is not attached whole', () => {
    const actual = new Array(65).fill(0);
    actual[0] = 1;
    const v = verdict(f32, 'exact', actual, { shape: [1, 2], values: [0, 0], magnitude: [0, 0], terms: 1 });
    expect(v?.index).toEqual([0, 0]);
    expect(v).not.toHaveProperty('whole');
  });

  it('outputs over 64 elements carry no whole tensors', () => {
    const n = 65;
    const e: Expectation = { shape: [1, n], values: new Array(n).fill(1), magnitude: new Array(n).fill(1), terms: 1 };
    const actual = new Array(n).fill(1);
    actual[64] = 2;
    const v = verdict(f32, 'exact', actual, e);
    expect(v?.index).toEqual([0, 64]);
    expect(v?.message).toBe('conv-matches-reference: 1 of 65 output elements differ');
    expect(v).not.toHaveProperty('whole');
  });
});

describe('helpers', () => {
  it('unravel: row-major multi-index', () => {
    expect(unravel(0, [2, 3, 4])).toEqual([0, 0, 0]);
    expect(unravel(17, [2, 3, 4])).toEqual([1, 1, 1]);
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravel(5, [6])).toEqual([5]);
  });

  it('judgeError: γ(n)·Σ|terms| for plain float64, u·|y| + γ(n)²·Σ|terms| for the compensated reference', () => {
    const g = gammaOf(100, U.float64);
    expect(judgeError('plain64', 100, 3, -7)).toBe(g * 3);
    expect(judgeError('compensated', 100, 3, -7)).toBe(U.float64 * 7 + g * g * 3);
  });

  it('activated: no activation returns the expectation itself; otherwise φ of a copy, the sums kept', () => {
    const e = one(-2, 8, 10);
    expect(activated(e, undefined)).toBe(e);
    const r = activated(e, { kind: 'relu' });
    expect(r).toEqual({
      ...e,
      values: new Float64Array([applyActivation({ kind: 'relu' }, -2)]),
      preActivation: e.values,
      activation: { kind: 'relu' },
    });
    expect(e.values).toEqual([-2]);
  });
});
