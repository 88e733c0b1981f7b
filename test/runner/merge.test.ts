/**
 * `mergeReports` cases that test/cli/merge.test.ts (through the CLI) does not reach: no shards at
 * all, several shards missing (named together, plural), and one property interrupted in two shards.
 */
import { describe, expect, it } from 'vitest';
import { ReportMergeError } from '../../src/errors.js';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { mergeReports } from '../../src/runner/merge.js';
import { propertyReason, type PropertyResult, type VerificationReport } from '../../src/runner/report.js';
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
  it('a property interrupted in two layer shards: one interrupted result whose reason counts the cases of both', async () => {
    const r1 = await verifyKernel(im2colKernel, {
      runs: 1,
      seed: 2,
      size: 'small',
      properties: ['output-shape'],
      shard: { index: 1, count: 2, of: 'all' },
    });
    const stopped = (casesRun: number): PropertyResult => ({ ...r1.properties[0], status: 'interrupted', casesRun, durationMs: 1 });
    const shard = (index: number, casesRun: number): VerificationReport => ({
      ...r1,
      options: { ...r1.options, shard: { ...r1.options.shard!, index } },
      properties: [stopped(casesRun)],
    });
    const merged = mergeReports([
      { dir: 's1', report: shard(1, 3) },
      { dir: 's2', report: shard(2, 4) },
    ]);
    expect(merged.properties).toHaveLength(1);
    expect(merged.properties[0]).toMatchObject({ status: 'interrupted', casesRun: 7 });
    expect(propertyReason(merged.properties[0])).toBe('interrupted after 7 cases');
  });
});
