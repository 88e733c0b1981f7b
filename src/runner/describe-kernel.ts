/**
 * The vitest entry: `describeKernel(kernel, options)` registers one test per catalog property,
 * so a user puts the whole catalog into their own suite with one call.
 *
 * Give the kernel as a module path (or a built-in name) and it runs as the CLI runs it: in a
 * process of its own, where a synchronous infinite loop is timed out like a Promise that never
 * settles. Given as an object, it runs in the test's own thread: a Promise that never settles
 * is still a `timeout` failure, but a synchronous infinite loop blocks vitest itself (nothing in
 * one thread can interrupt it) — pass the path to be safe against that.
 *
 * Failures are saved into `counterexampleDir` (default `reports/counterexamples`, as the CLI)
 * and the assertion message is the replay recipe, with `--kernel` naming the module.
 *
 * @example
 * // my-kernel.test.ts
 * import { describeKernel } from 'convcheck/vitest';
 * describeKernel('./src/my-kernel.ts', { runs: 200, seed: 42 });
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../contract.js';
import { catalog } from '../catalog/index.js';
import { createBuiltinKernel, inProcessKernelNames } from '../kernels/registry.js';
import { terminalSafe } from '../terminal.js';
import { createIsolatedKernel } from './isolated-kernel.js';
import { skipReasonFor } from './property-run.js';
import { verifyKernel } from './verify.js';
import { resolveOptions, type VerifyOptions } from './options.js';
import type { FailureDetail } from './report.js';

/** Options of `describeKernel`: those of `verifyKernel` plus a per-test timeout. */
export interface DescribeKernelOptions extends Omit<VerifyOptions, 'onProgress' | 'signal' | 'counterexampleDir'> {
  /** vitest timeout per property, ms (default 120 000; every property ends well within it, see `CallClock`). */
  readonly testTimeoutMs?: number;
  /** Where failing cases are saved (and replayed first next time); default `reports/counterexamples`; `false` saves nothing. */
  readonly counterexampleDir?: string | false;
}

/** A failure as a replay recipe, for the assertion message (terminal-safe: vitest prints it). */
export function formatFailure(id: string, f: FailureDetail): string {
  const lines = [`${id} failed (${f.kind}): ${f.message}`, `  problem: ${f.problem}`];
  if (f.index)
    lines.push(
      `  first mismatch at [${f.index.join(',')}]: expected ${f.expected}, actual ${f.actual}, error ${f.error}, bound ${f.bound}, error/bound ${f.errorOverBound}`,
    );
  if (f.fromDatabase !== undefined) lines.push(`  replayed from the database: ${f.fromDatabase}`);
  else lines.push(`  seed ${f.seed}, path ${f.path ?? '-'}`);
  if (f.counterexampleFile) lines.push(`  saved: ${f.counterexampleFile}`);
  if (f.replayCommand) lines.push(`  replay: ${f.replayCommand}`);
  return lines.map((l) => terminalSafe(l)).join('\n');
}

/** Quotes `s` for a POSIX shell when it holds anything beyond a safe set of characters. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Registers a `describe` block with one test per property of the catalog. `kernel` is a module
 * path or built-in name (run isolated, like the CLI) or a kernel object (run in this thread).
 * Properties the kernel cannot take are reported as skipped, with the reason.
 */
export function describeKernel(kernel: KernelUnderTest | string, options: DescribeKernelOptions = {}): void {
  const ids = options.properties ?? catalog.map((p) => p.id);
  const spec = typeof kernel === 'string' ? kernel : undefined;
  const source = spec ?? options.source;
  // In a browser page (vitest browser mode) there is no file system: no database by default.
  const inNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  const dir =
    options.counterexampleDir === false
      ? undefined
      : (options.counterexampleDir ?? (inNode ? join('reports', 'counterexamples') : undefined));
  const kernelFlag = source !== undefined ? shellQuote(source) : 'MODULE';
  const replayCommand = (file: string) =>
    `npx convcheck replay ${shellQuote(file)} --kernel ${kernelFlag}${source === undefined ? '  (MODULE: the file exporting this kernel; pass `source` to describeKernel to print it here)' : ''}`;

  let loaded: KernelUnderTest | undefined = typeof kernel === 'string' ? undefined : kernel;
  let close: (() => Promise<void>) | undefined;
  const title = typeof kernel === 'string' ? kernel : safeName(kernel);

  describe(`convcheck: ${terminalSafe(title)}`, () => {
    if (spec !== undefined) {
      beforeAll(async () => {
        if ((inProcessKernelNames as readonly string[]).includes(spec)) {
          loaded = await createBuiltinKernel(spec);
        } else {
          // the process's call timeout is the run's (resolveOptions decides its default)
          const { timeoutMs } = resolveOptions({ timeoutMs: options.timeoutMs, size: options.size }, 'own-process', 'describeKernel');
          const isolated = await createIsolatedKernel(spec, { timeoutMs });
          loaded = isolated;
          close = () => isolated.close();
        }
      }, 120_000);
      afterAll(async () => {
        await close?.();
      });
    }
    for (const def of catalog.filter((p) => ids.includes(p.id))) {
      // An object's skips are known now; a module's once it is loaded (then the test skips itself).
      const early = loaded !== undefined ? skipReasonFor(def, loaded) : undefined;
      if (early !== undefined) {
        it.skip(`${def.id} (${early})`, () => {});
        continue;
      }
      it(def.id, { timeout: options.testTimeoutMs ?? 120_000 }, async (ctx) => {
        const k = loaded;
        if (k === undefined) throw new Error(`describeKernel: kernel ${title} did not load`);
        const skip = skipReasonFor(def, k);
        if (skip !== undefined) {
          ctx.skip(skip);
          return;
        }
        const report = await verifyKernel(k, {
          ...options,
          ...(source !== undefined ? { source } : {}),
          properties: [def.id],
          counterexampleDir: dir,
          replayCommand: options.replayCommand ?? replayCommand,
        });
        const r = report.properties[0];
        if (r.status === 'failed' && r.failure) expect.fail(formatFailure(def.id, r.failure));
        expect(r.status).toBe('passed');
        expect(r.casesRun).toBeGreaterThan(0);
      });
    }
  });
}

/** The kernel's name for the describe title, read defensively (the run validates it properly). */
function safeName(k: KernelUnderTest): string {
  try {
    return typeof k.name === 'string' ? k.name : 'kernel';
  } catch {
    return 'kernel';
  }
}
