/**
 * Coverage-guided generation (`--guided`): mutants are made by the property's own arbitrary, so
 * they honour the kernel's capabilities; a run is deterministic from its seed; and on a kernel
 * whose bug hides behind nested branches, guidance reaches the bug where random shapes, with the
 * same budget and seed, do not (the seeds below; `npm run bench:guided` gives the rates).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeCapabilities } from '../src/capabilities.js';
import { convCases } from '../src/operators/conv/cases.js';
import { GuidedArbitrary, shapeKeyOf } from '../src/runner/guided.js';
import { createIsolatedKernel } from '../src/runner/isolated-kernel.js';
import { verifyKernel } from '../src/runner/verify.js';
import { propertyFailure } from '../src/runner/report.js';

/** Runs `numRuns` cases of a guided conv arbitrary, calling `novel(i)` for each case's feedback. */
function drive(caps: Parameters<typeof completeCapabilities>[0], seed: number, numRuns: number, novel: (i: number) => boolean) {
  const g = new GuidedArbitrary(
    convCases({ capabilities: completeCapabilities(caps), size: 'default', operators: ['conv'] }, fc.constant('float' as const)),
    { warmup: 3 },
  );
  const seen: Array<ReturnType<typeof shapeKeyOf>> = [];
  const specs: Array<{ xShape: readonly number[]; attrs: { strides: number[]; pads: number[]; dilations: number[]; group: number } }> = [];
  fc.assert(
    fc.property(g, (c) => {
      seen.push(shapeKeyOf(c));
      specs.push(c.spec as never);
      g.feedback(c, novel(seen.length - 1));
    }),
    { seed, numRuns },
  );
  return { g, seen, specs };
}

describe('guidedArbitrary', () => {
  it('mutants honour the capabilities: rank 2 only, no groups, no dilation, symmetric pads', () => {
    // every case "reached something new": the corpus grows and most later cases are mutants
    const { g, specs } = drive({ spatialRanks: [2], group: false, dilation: false, asymmetricPads: false }, 11, 300, () => true);
    expect(g.stats.mutants).toBeGreaterThan(100);
    for (const s of specs) {
      expect(s.xShape.length).toBe(4);
      expect(s.attrs.group).toBe(1);
      expect(s.attrs.dilations).toEqual([1, 1]);
      expect(s.attrs.pads.slice(0, 2)).toEqual(s.attrs.pads.slice(2));
    }
  });

  it('is deterministic from the seed and the feedback', () => {
    const novel = (i: number) => i % 3 === 0;
    const a = drive({}, 42, 80, novel);
    const b = drive({}, 42, 80, novel);
    expect(a.seen).toEqual(b.seen);
    expect(a.g.stats).toEqual(b.g.stats);
    expect(a.g.stats.mutants).toBeGreaterThan(0);
    // a different seed gives different cases
    expect(drive({}, 43, 80, novel).seen).not.toEqual(a.seen);
  });

  it('without anything new after the first case, later cases are random again (energy spent)', () => {
    const { g } = drive({}, 7, 60, (i) => i === 0);
    expect(g.stats.kept).toBe(1);
    expect(g.stats.mutants).toBeLessThanOrEqual(2);
    expect(g.stats.random).toBeGreaterThanOrEqual(58);
  });
});

describe('--guided on a bug behind two branches (test/fixtures/kernels/branch-gated-bug.mjs)', () => {
  // The bug is taken only when C % 4 == 3 and the last stride is 2. Over seeds 1–20 with 20
  // shapes, random shapes found it 7 times, guided 8 (2 seeds only guided, 1 only random:
  // `npm run bench:guided -- --seeds 20 --budget 20 --runs 20`, docs/gpu.md). Seeds 7 and 14
  // are the two where guidance reaches it and random shapes do not; the run is deterministic.
  const run = async (seed: number, guided: boolean) => {
    const k = await createIsolatedKernel('test/fixtures/kernels/branch-gated-bug.mjs', { timeoutMs: 10_000, coverage: {} });
    try {
      return await verifyKernel(k, {
        runs: 20,
        seed,
        properties: ['conv-matches-reference'],
        shapeBudget: 20,
        coverage: true,
        guided,
        // random vs guided, as measured: shapes drawn at random (not from the run's shape plan)
        shapePlan: 'off',
        shrinkBudgetMs: 1,
      });
    } finally {
      await k.close();
    }
  };
  for (const seed of [7, 14]) {
    it(`seed ${seed}, 20 shapes: random shapes never reach the buggy path, guided ones reach it and fail`, async () => {
      const random = await run(seed, false);
      expect(random.status).toBe('passed');
      expect(random.kernelCoverage!.unreachedFunctions.map((f) => f.what)).toContain('remainder3Stride2');
      const guided = await run(seed, true);
      expect(guided.status).toBe('failed');
      expect(guided.kernelCoverage!.unreachedFunctions.map((f) => f.what)).not.toContain('remainder3Stride2');
      expect(guided.kernelCoverage!.guidance![0].mutants).toBeGreaterThan(0);
      // the counterexample is in the gated class: C % 4 == 3 and the last stride 2
      const problem = propertyFailure(guided.properties[0])!.problem;
      const x = JSON.parse(/x=(\[[^\]]*\])/.exec(problem)![1]) as number[];
      const strides = JSON.parse(/strides=(\[[^\]]*\])/.exec(problem)![1]) as number[];
      expect(x[1] % 4).toBe(3);
      expect(strides[strides.length - 1]).toBe(2);
    });
  }
});
