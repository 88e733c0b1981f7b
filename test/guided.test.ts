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

/** Runs `numRuns` cases of a guided conv arbitrary, calling `novel(i)` for each case's feedback. */
function drive(caps: Parameters<typeof completeCapabilities>[0], seed: number, numRuns: number, novel: (i: number) => boolean) {
  const g = new GuidedArbitrary(convCases({ capabilities: completeCapabilities(caps), size: 'default', operators: ['conv'] }, fc.constant('float' as const)), { warmup: 3 });
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
