/**
 * The vitest entry: `describeKernel(kernel, options)` registers one test per catalog property,
 * so a user puts the whole catalog into their own suite with one call.
 *
 * @example
 * // my-kernel.test.ts
 * import { describeKernel } from 'convcheck/vitest';
 * import myKernel from './my-kernel.js';
 * describeKernel(myKernel, { runs: 200, seed: 42 });
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../contract.js';
import { catalog } from '../catalog/index.js';
import { skipReasonFor, verifyKernel } from './verify.js';
import type { VerifyOptions } from './verify.js';
import type { FailureDetail } from './report.js';

/** Options of `describeKernel`: those of `verifyKernel` plus a per-test timeout. */
export interface DescribeKernelOptions extends Omit<VerifyOptions, 'onProgress' | 'signal'> {
  /** vitest timeout per property, ms (default 120 000). */
  readonly testTimeoutMs?: number;
}

/** A failure as a replay recipe, for the assertion message. */
export function formatFailure(id: string, f: FailureDetail): string {
  const lines = [`${id} failed (${f.kind}): ${f.message}`, `  problem: ${f.problem}`];
  if (f.index) lines.push(`  first mismatch at [${f.index.join(',')}]: expected ${f.expected}, actual ${f.actual}, error ${f.error}, bound ${f.bound}, error/bound ${f.errorOverBound}`);
  lines.push(`  seed ${f.seed}, path ${f.path ?? '-'}`);
  if (f.replayCommand) lines.push(`  replay: ${f.replayCommand}`);
  return lines.join('\n');
}

/** Registers a `describe` block with one test per property of the catalog (skipped ones marked skipped). */
export function describeKernel(kernel: KernelUnderTest, options: DescribeKernelOptions = {}): void {
  const ids = options.properties ?? catalog.map((p) => p.id);
  describe(`convcheck: ${kernel.name}`, () => {
    for (const def of catalog.filter((p) => ids.includes(p.id))) {
      const skip = skipReasonFor(def, kernel);
      if (skip) {
        it.skip(`${def.id} (${skip})`, () => {});
        continue;
      }
      it(def.id, { timeout: options.testTimeoutMs ?? 120_000 }, async () => {
        const report = await verifyKernel(kernel, { ...options, properties: [def.id] });
        const r = report.properties[0];
        if (r.status === 'failed' && r.failure) expect.fail(formatFailure(def.id, r.failure));
        expect(r.status).toBe('passed');
        expect(r.casesRun).toBeGreaterThan(0);
      });
    }
  });
}
