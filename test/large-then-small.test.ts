/**
 * Shrinking from large shapes: `largeThenSmall` draws from a large range but shrinks below it,
 * so a failure first seen on a wide axis, a large batch or many channels shrinks to a few
 * elements (the planted pads-at-the-wrong-end bug used to stop at x=[8,1,1]).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largeThenSmall } from '../src/arbitraries/large-then-small.js';
import { verifyKernel } from '../src/runner/verify.js';
import { loadKernel } from '../src/kernels/load-kernel.js';
import { ROOT } from './helpers/cli.js';
import { propertyFailure } from '../src/runner/report.js';

describe('largeThenSmall', () => {
  it('generates only within [min, max]', () => {
    for (const v of fc.sample(largeThenSmall(64, 90), { seed: 3, numRuns: 500 })) expect(v >= 64 && v <= 90).toBe(true);
  });

  it('shrinks below min, down to the floor', () => {
    const d = fc.check(
      fc.property(largeThenSmall(64, 90), (v) => v < 2),
      { seed: 1 },
    );
    expect(d.failed).toBe(true);
    expect(d.counterexample?.[0]).toBe(2);
    const floor0 = fc.check(
      fc.property(largeThenSmall(64, 90, 0), () => false),
      { seed: 1 },
    );
    expect(floor0.counterexample?.[0]).toBe(0);
  });

  it('a bug first found on a large shape shrinks to a one-element width: pads at the wrong end, x=[1,1,1]', async () => {
    const buggy = await loadKernel('examples/buggy-kernel.mjs', { cwd: ROOT });
    const report = await verifyKernel(buggy, { seed: 1, properties: ['conv-matches-reference'] });
    const f = propertyFailure(report.properties[0])!;
    expect(f.problem).toMatch(/^x=\[1,1,1\] w=\[1,1,1\] /);
  });
});
