/**
 * `mergeReports` refusals that test/cli/merge.test.ts (through the CLI) does not reach: no shards at
 * all, and several shards missing (named together, plural).
 */
import { describe, expect, it } from 'vitest';
import { ReportMergeError } from '../../src/errors.js';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { mergeReports } from '../../src/runner/merge.js';
import { verifyKernel } from '../../src/runner/verify.js';

describe('mergeReports', () => {
  it('no shards: ReportMergeError on "dirs"', () => {
    expect(() => mergeReports([])).toThrow(ReportMergeError);
    expect(() => mergeReports([])).toThrow('convcheck merge: no report directories given');
  });
  it('shard 1/3 alone: shards 2/3 and 3/3 are named missing together', async () => {
    const r1 = await verifyKernel(im2colKernel, {
      runs: 1,
      seed: 2,
      size: 'small',
      properties: ['output-shape'],
      shard: { index: 1, count: 3, of: 'all' },
    });
    let e: unknown;
    try {
      mergeReports([{ dir: 's1', report: r1 }]);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ReportMergeError);
    expect((e as Error).message).toMatch(/^convcheck merge: shards 2\/3, 3\/3 missing \(got 1\/3\)/);
  });
});
