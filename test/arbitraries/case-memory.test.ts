import { afterEach, describe, expect, it } from 'vitest';
import {
  beginCase,
  CASE_POOLED_ELEMENTS,
  caseArray,
  caseMemoryStats,
  endCase,
  onCaseEnd,
  releaseCaseMemory,
} from '../../src/arbitraries/case-memory.js';
import { problemData } from '../../src/arbitraries/data.js';
import { Prng } from '../../src/arbitraries/prng.js';

const BIG = CASE_POOLED_ELEMENTS;

/** The first index where a and b differ (Object.is), or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

afterEach(() => {
  while (caseMemoryStats().activeCases > 0) endCase();
  releaseCaseMemory();
});

describe('case memory', () => {
  it('outside a case, arrays are fresh and never pooled', () => {
    const a = caseArray(BIG);
    a[0] = 5;
    expect(caseArray(BIG)).not.toBe(a);
    expect(caseMemoryStats().freeArrays).toBe(0);
  });

  it('re-uses an array of the same length only after its case ended, zeroed', () => {
    beginCase();
    const a = caseArray(BIG);
    a.fill(7);
    // while the case runs, another request gets another array
    const b = caseArray(BIG);
    expect(b).not.toBe(a);
    endCase();
    expect(caseMemoryStats().freeArrays).toBe(2);
    beginCase();
    const c = caseArray(BIG);
    expect([a, b]).toContain(c);
    expect(firstDifference(c, new Float64Array(BIG))).toBe(-1);
    // a different length is not served from the pool
    expect(caseArray(BIG + 1)).not.toBe(a);
    endCase();
  });

  it('keeps arrays while any overlapping case still runs', () => {
    beginCase();
    const a = caseArray(BIG);
    beginCase();
    endCase();
    expect(caseMemoryStats().freeArrays).toBe(0);
    expect(caseArray(BIG)).not.toBe(a);
    endCase();
    expect(caseMemoryStats().freeArrays).toBe(2);
  });

  it('small arrays are never pooled', () => {
    beginCase();
    const a = caseArray(16);
    endCase();
    beginCase();
    expect(caseArray(16)).not.toBe(a);
    endCase();
    expect(caseMemoryStats().freeArrays).toBe(0);
  });

  it('runs the case-end hooks before arrays are re-used, and releaseCaseMemory empties the pool', () => {
    let ran = 0;
    onCaseEnd(() => ran++);
    beginCase();
    caseArray(BIG);
    endCase();
    expect(ran).toBe(1);
    releaseCaseMemory();
    expect(caseMemoryStats()).toEqual({ freeArrays: 0, freeBytes: 0, activeCases: 0 });
  });

  it('problemData in a re-used array equals problemData in a fresh one, in every regime', () => {
    // the pooled array is w: with fill 'x' it must come back all zero
    const layout = { xSize: 64, wSize: BIG, bSize: 4, reductionLength: 64, specialWeights: true };
    for (const regime of ['exact', 'float', 'special'] as const) {
      for (const fill of ['all', 'x'] as const) {
        const fresh = problemData(layout, regime, 99, { fill });
        beginCase();
        const dirty = caseArray(BIG);
        dirty.fill(Number.NaN);
        endCase();
        beginCase();
        const reused = problemData(layout, regime, 99, { fill });
        expect(reused.w).toBe(dirty);
        expect(firstDifference(reused.x, fresh.x)).toBe(-1);
        expect(firstDifference(reused.w, fresh.w)).toBe(-1);
        endCase();
      }
    }
  });
});

describe('Prng', () => {
  it('draws the mulberry32 sequence (the int32 state gives the same bits as an unsigned one)', () => {
    // mulberry32 as published, with an unsigned state, for seeds on both sides of 2³¹
    const reference = (seed: number, n: number) => {
      let state = seed >>> 0;
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        let t = (state = (state + 0x6d2b79f5) >>> 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        out.push(((t ^ (t >>> 14)) >>> 0) / 4294967296);
      }
      return out;
    };
    for (const seed of [0, 1, 12345, 0x7fffffff, 0x80000000, 0xffffffff]) {
      const r = new Prng(seed);
      expect(Array.from({ length: 1000 }, () => r.next())).toEqual(reference(seed, 1000));
    }
  });
});
