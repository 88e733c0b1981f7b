/**
 * The data regimes scaled to float16: exact sums below 2¹¹ (every partial sum, in any order, for
 * any reduction length), float data in binary16's normal range with normal products and no
 * overflow, and every value a float16.
 */
import { describe, expect, it } from 'vitest';
import { exactRanges, problemData } from '../src/arbitraries/data.js';
import { isFloat16 } from '../src/float16.js';

const layout = (n: number, rows = 3, specialWeights = false) => ({
  xSize: n,
  wSize: rows * n,
  bSize: rows,
  reductionLength: n,
  specialWeights,
});

/** Σ|w·x| + |b| of every output: row m of w against x (the layout of a dense problem with N = 1). */
function magnitudes(n: number, d: ReturnType<typeof problemData>): number[] {
  const out: number[] = [];
  for (let m = 0; m < d.w.length / n; m++) {
    let s = Math.abs(d.b?.[m] ?? 0);
    for (let k = 0; k < n; k++) s += Math.abs(d.w[m * n + k] * d.x[k]);
    out.push(s);
  }
  return out;
}

describe('float16 exact regime', () => {
  it('keeps Σ|w·x| + |b| below 2¹¹ (so every partial sum is an exact float16 integer), also past 2¹¹ terms and with headroom', () => {
    for (const n of [1, 9, 100, 700, 2047, 2048, 5000, 20_000]) {
      for (const headroom of [1, 2]) {
        const { xw, bias, nonzeroWeights } = exactRanges(n, headroom, 'float16');
        expect(Math.min(n, nonzeroWeights) * xw * xw + bias).toBeLessThan(2 ** 11 / headroom);
        for (let seed = 0; seed < 20; seed++) {
          const d = problemData(layout(n), 'exact', seed, { precision: 'float16', headroom });
          expect(Math.max(...magnitudes(n, d))).toBeLessThan(2 ** 11 / headroom);
          expect([...d.x, ...d.w, ...d.b!].every((v) => Number.isInteger(v) && isFloat16(v))).toBe(true);
        }
      }
    }
  });

  it('is still non-trivial: long reductions keep non-zero weights in every row', () => {
    const d = problemData(layout(20_000, 2), 'exact', 3, { precision: 'float16' });
    for (let m = 0; m < 2; m++) expect(d.w.subarray(m * 20_000, (m + 1) * 20_000).some((v) => v !== 0)).toBe(true);
  });

  it('leaves the float32 exact regime unchanged (budget 2²⁴, no cap)', () => {
    expect(exactRanges(100)).toEqual({ xw: 8, bias: 64, nonzeroWeights: 100 });
  });
});

describe('float16 float regime', () => {
  it('values are normal float16s, products are normal (≥ 2⁻¹⁴), sums stay far from 65504', () => {
    const scalesSeen = new Set<number>();
    for (const n of [1, 9, 64, 600, 5000]) {
      for (let seed = 0; seed < 100; seed++) {
        const d = problemData(layout(n), 'float', seed, { precision: 'float16' });
        const all = [...d.x, ...d.w, ...d.b!];
        expect(all.every((v) => isFloat16(v) && (v === 0 || Math.abs(v) >= 2 ** -14))).toBe(true);
        let smallest = Infinity;
        for (let m = 0; m < 3; m++)
          for (let k = 0; k < n; k++) {
            const p = Math.abs(d.w[m * n + k] * d.x[k]);
            if (p !== 0) smallest = Math.min(smallest, p);
          }
        expect(smallest).toBeGreaterThanOrEqual(2 ** -14);
        expect(Math.max(...magnitudes(n, d))).toBeLessThanOrEqual(2 ** 15);
        scalesSeen.add(Math.round(Math.log2(Math.max(...d.x.map(Math.abs)) || 1)));
      }
    }
    // the magnitudes vary: small, unit and large scales all occur
    expect(Math.min(...scalesSeen)).toBeLessThan(-4);
    expect(Math.max(...scalesSeen)).toBeGreaterThan(4);
  });

  it('special regime: the float16 exact regime plus NaN/±Infinity', () => {
    let specials = 0;
    for (let seed = 0; seed < 50; seed++) {
      const d = problemData(layout(30), 'special', seed, { precision: 'float16' });
      specials += [...d.x].filter((v) => !Number.isFinite(v)).length;
      expect([...d.w, ...d.b!].every((v) => Number.isFinite(v) && Math.abs(v) <= 16)).toBe(true);
    }
    expect(specials).toBeGreaterThan(0);
  });
});
