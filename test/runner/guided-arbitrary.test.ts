/**
 * `guidedArbitrary` (src/runner/guided.ts) on a small record of integers, a boolean, a double and
 * a bigint: mutants stay inside the inner arbitrary's ranges and are new shapes; feedback for
 * values it did not make changes nothing; `shapeKeyOf` ignores data seeds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guidedArbitrary, shapeKeyOf } from '../../src/runner/guided.js';

const inner = fc.record({
  k: fc.integer({ min: 1, max: 7 }),
  on: fc.boolean(),
  scale: fc.double({ min: 0.5, max: 2, noNaN: true }),
  // convcheck's cases are JSON (shapeKeyOf serializes them): the bigint travels as text
  big: fc.bigInt({ min: 10n, max: 20n }).map(String),
  seed: fc.nat(),
});
type V = { k: number; on: boolean; scale: number; big: string; seed: number };

const valid = (v: V) =>
  Number.isInteger(v.k) &&
  v.k >= 1 &&
  v.k <= 7 &&
  typeof v.on === 'boolean' &&
  v.scale >= 0.5 &&
  v.scale <= 2 &&
  BigInt(v.big) >= 10n &&
  BigInt(v.big) <= 20n;

describe('guidedArbitrary', () => {
  it('every case reaching something new: mutants are made, each valid and a shape not drawn before', () => {
    const g = guidedArbitrary(inner, { warmup: -3 });
    fc.assert(
      fc.property(g, (v) => {
        expect(valid(v), JSON.stringify(v)).toBe(true);
        g.feedback(v, true);
      }),
      { numRuns: 40, seed: 7 },
    );
    expect(g.stats.mutants).toBeGreaterThan(0);
    expect(g.stats.kept).toBe(40);
    expect(g.stats.keptMutants).toBe(g.stats.mutants);
    expect(g.stats.random + g.stats.mutants).toBe(40);
  });
  it('six shapes in all: a mutant is never a shape already drawn (when none is left, a random case is drawn)', () => {
    const g = guidedArbitrary(fc.record({ k: fc.integer({ min: 1, max: 3 }), on: fc.boolean(), seed: fc.nat() }), { warmup: 0 });
    const seen = new Set<string>();
    let mutants = 0;
    fc.assert(
      fc.property(g, (v) => {
        const key = shapeKeyOf(v);
        if (g.stats.mutants > mutants) expect(seen.has(key), key).toBe(false);
        mutants = g.stats.mutants;
        seen.add(key);
        g.feedback(v, true);
      }),
      { numRuns: 60, seed: 11 },
    );
    expect(g.stats.mutants).toBeGreaterThan(0);
    expect(seen.size).toBe(6);
  });
  it('nothing new, ever: no mutant is made; feedback for a value it did not make is ignored', () => {
    const g = guidedArbitrary(inner);
    fc.assert(
      fc.property(g, (v) => {
        g.feedback(v, false);
        g.feedback({ ...v }, true); // an equal copy is not the case it made
        g.feedback(42, true);
        g.feedback(null, true);
      }),
      { numRuns: 20, seed: 3 },
    );
    expect(g.stats).toEqual({ random: 20, mutants: 0, kept: 0, keptMutants: 0 });
  });
  it('shapeKeyOf leaves out seed, seed2 and the regime', () => {
    expect(shapeKeyOf({ k: 3, seed: 1, seed2: 2, regime: 'exact', inner: { seed7: 9, w: [1] } })).toBe('{"k":3,"inner":{"w":[1]}}');
    expect(shapeKeyOf(undefined)).toBe('');
  });
});
