/** `denseProblem`: the size tiers, the bias constraint and the maxElements filter. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { denseProblem } from '../../../src/operators/dense/problem.js';
import type { DenseSpec } from '../../../src/operators/dense/spec.js';

const sample = (c: Parameters<typeof denseProblem>[0], n = 300) => fc.sample(denseProblem(c), { numRuns: n, seed: 1 });

describe('denseProblem', () => {
  it('small tier: x [N<=4, K<=8], w [M<=8, K], consistent K', () => {
    for (const s of sample({ size: 'small' })) {
      const [n, k] = s.xShape;
      const [m, k2] = s.wShape;
      expect(k2).toBe(k);
      expect(n).toBeLessThanOrEqual(4);
      expect(Math.max(m, k)).toBeLessThanOrEqual(8);
    }
  });

  it('default and large tiers include large GEMM shapes (K >= 512), large beyond the default 40', () => {
    const def = sample(undefined);
    expect(def.some((s) => s.xShape[1] >= 512 && s.xShape[0] >= 8 && s.wShape[0] >= 17)).toBe(true);
    // regular (K ≤ 40), large (K ≥ 512), or a boundary case: one of N, K, M large, the other two ≤ 17
    const boundary = (s: DenseSpec) => [s.xShape[0], s.xShape[1], s.wShape[0]].filter((v) => v > 17).length <= 1;
    expect(def.every((s) => s.xShape[1] >= 512 || s.xShape[1] <= 40 || boundary(s))).toBe(true);
    const large = sample({ size: 'large' });
    expect(large.some((s) => s.xShape[1] > 40 && s.xShape[1] < 512)).toBe(true);
  });

  it('boundary sizes: N, K and M on and around blocks, K past 1,024 and past 2^16 elements', () => {
    const def = fc.sample(denseProblem(), { numRuns: 3000, seed: 9 });
    const Ks = new Set(def.map((s) => s.xShape[1]));
    for (const k of [3, 4, 5, 63, 64, 65, 1023, 1024, 1025]) expect(Ks.has(k), `K = ${k}`).toBe(true);
    expect(def.some((s) => s.xShape[1] > 2 ** 16)).toBe(true);
    expect(def.some((s) => s.xShape[0] > 64 && s.xShape[1] <= 17)).toBe(true);
    expect(def.some((s) => s.wShape[0] > 64 && s.xShape[1] <= 17)).toBe(true);
    expect(def.filter((s) => s.xShape[1] > 1024 && s.xShape[1] % 1024 !== 0).length / def.length).toBeGreaterThan(0.05);
  });

  it('bias is random by default and fixed by the constraint', () => {
    const def = sample({ size: 'small' });
    expect(new Set(def.map((s) => s.hasBias))).toEqual(new Set([true, false]));
    expect(sample({ size: 'small', bias: true }).every((s) => s.hasBias)).toBe(true);
    expect(sample({ size: 'small', bias: false }).every((s) => !s.hasBias)).toBe(true);
  });

  it('maxElements keeps both tensors within the limit', () => {
    const specs = sample({ size: 'default', maxElements: 64 });
    expect(specs.length).toBeGreaterThan(0);
    for (const s of specs) {
      expect(s.xShape[0] * s.xShape[1]).toBeLessThanOrEqual(64);
      expect(s.wShape[0] * s.wShape[1]).toBeLessThanOrEqual(64);
    }
  });

  it('rejects an unknown size tier', () => {
    expect(() => denseProblem({ size: 'huge' as never })).toThrow(InvalidArgumentError);
    expect(() => denseProblem({ size: 'huge' as never })).toThrow(
      /size must be one of 'small', 'default', 'large', 'production', got "huge"/,
    );
  });
});
