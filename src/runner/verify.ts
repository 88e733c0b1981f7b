/**
 * `verifyKernel`: runs the catalog against a kernel and returns the report the CLI writes.
 * Each property is a fast-check run (seeded, shrinking to a minimal case); previously saved
 * counterexamples for the same kernel run first.
 */
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import type { KernelUnderTest } from '../contract.js';
import { completeCapabilities } from '../contract.js';
import { catalog } from '../catalog/index.js';
import type { PropertyDefinition } from '../property/definition.js';
import type { ViolationDetail } from '../property/violation.js';
import { COVERAGE_DIMENSIONS } from '../property/definition.js';
import { PropertyViolation } from '../property/violation.js';
import { InvalidArgumentError } from '../errors.js';
import { implementedOperators } from '../operators/index.js';
import { loadCounterexamples, saveCounterexample } from './counterexample-db.js';
import { GuardedKernel, KernelFault } from './guarded-call.js';
import type { CoverageTable, FailureDetail, PropertyResult, SizeTier, VerificationReport } from './report.js';

/** Options of `verifyKernel`. */
export interface VerifyOptions {
  /** Generated cases per property (default 200). */
  readonly runs?: number;
  /** fast-check seed (default: random, recorded in the report). */
  readonly seed?: number;
  /** Property ids to run (default: the whole catalog). */
  readonly properties?: readonly string[];
  /** Per-call timeout of the kernel, ms (default 5000). */
  readonly timeoutMs?: number;
  readonly size?: SizeTier;
  /** Recorded as `report.kernel.source` (e.g. `builtin:im2col` or the module path). */
  readonly source?: string;
  /** Failing cases are saved here and replayed first on the next run against the same kernel. */
  readonly counterexampleDir?: string;
  /** How the report prints the replay command of a saved file. */
  readonly replayCommand?: (file: string) => string;
  readonly onProgress?: (e: ProgressEvent) => void;
  /** Abort → resolves soon with the partial report, `interrupted: true`. */
  readonly signal?: AbortSignal;
  /** Time spent shrinking one failure before the smallest case so far is reported (default 30 s). */
  readonly shrinkBudgetMs?: number;
}

/** Progress of a run. */
export type ProgressEvent =
  | { type: 'property-start'; id: string; index: number; count: number; casesTotal: number }
  | { type: 'case'; id: string; casesDone: number; casesTotal: number }
  | { type: 'property-end'; result: PropertyResult };

/** The package version, recorded in reports (read from package.json, the single source). */
export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

class Aborted extends Error {}

/** The data regime named in a case's one-line description. */
export function regimeOf(problem: string): FailureDetail['regime'] {
  const m = /regime=(exact|float|special)/.exec(problem);
  return m ? (m[1] as FailureDetail['regime']) : undefined;
}

const show = (v: number | undefined): number | string | undefined => (v === undefined || Number.isFinite(v) ? v : String(v));

function failureOf(error: unknown): ViolationDetail {
  if (error instanceof PropertyViolation) return error.detail;
  if (error instanceof KernelFault) return { kind: error.kind, message: error.message };
  const msg = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'threw', message: `the property could not run the case: ${msg}` };
}

/** Validates options eagerly, naming the argument and the value. */
function checkOptions(o: VerifyOptions): void {
  const fn = 'verifyKernel';
  if (o.runs !== undefined && (!Number.isInteger(o.runs) || o.runs < 1)) throw new InvalidArgumentError(fn, 'runs', o.runs, `runs must be an integer >= 1, got ${o.runs}`);
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0)) throw new InvalidArgumentError(fn, 'timeoutMs', o.timeoutMs, `timeoutMs must be > 0, got ${o.timeoutMs}`);
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new InvalidArgumentError(fn, 'seed', o.seed, `seed must be an integer, got ${o.seed}`);
  if (o.size !== undefined && !['small', 'default', 'large'].includes(o.size)) throw new InvalidArgumentError(fn, 'size', o.size, `size must be 'small', 'default' or 'large', got ${JSON.stringify(o.size)}`);
  for (const id of o.properties ?? []) {
    if (!catalog.some((p) => p.id === id)) {
      throw new InvalidArgumentError(fn, 'properties', id, `unknown property id ${JSON.stringify(id)} (known: ${catalog.map((p) => p.id).join(', ')})`);
    }
  }
}

/** Counts cases per coverage key. */
class CoverageCounter {
  private readonly counts = new Map<string, { values: readonly string[]; count: number }>();
  private total = 0;
  add(values: readonly string[]): void {
    const key = values.join('\u0000');
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { values, count: 1 });
    this.total++;
  }
  table(): CoverageTable {
    const rows = [...this.counts.values()].sort((a, b) => a.values.join('|').localeCompare(b.values.join('|')));
    return { dimensions: [...COVERAGE_DIMENSIONS], rows, total: this.total };
  }
}

/**
 * Runs the catalog against `kernel` and returns the verification report.
 * @example const report = await verifyKernel(im2colKernel, { runs: 200, seed: 42 });
 */
export async function verifyKernel(kernel: KernelUnderTest, options: VerifyOptions = {}): Promise<VerificationReport> {
  checkOptions(options);
  const runs = options.runs ?? 200;
  const seed = options.seed ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  const timeoutMs = options.timeoutMs ?? 5000;
  const size = options.size ?? 'default';
  const capabilities = completeCapabilities(kernel.capabilities);
  const selected = options.properties ? catalog.filter((p) => options.properties!.includes(p.id)) : catalog;
  const guarded = new GuardedKernel(kernel, timeoutMs);
  const coverage = new CoverageCounter();
  const started = Date.now();
  const results: PropertyResult[] = [];
  let interrupted = false;

  for (let i = 0; i < selected.length; i++) {
    const def = selected[i];
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    options.onProgress?.({ type: 'property-start', id: def.id, index: i, count: selected.length, casesTotal: runs });
    const result = await runProperty(def, guarded, { runs, seed, size, capabilities, coverage, options });
    if (result.interrupted) interrupted = true;
    results.push(result.result);
    options.onProgress?.({ type: 'property-end', result: result.result });
    if (result.interrupted) break;
  }

  const count = (s: PropertyResult['status']) => results.filter((r) => r.status === s).length;
  const failed = count('failed');
  return {
    tool: { name: 'convcheck', version: VERSION },
    kernel: { name: kernel.name, precision: kernel.precision, capabilities, source: options.source ?? 'api' },
    seed,
    options: { runs, size, timeoutMs, properties: options.properties ? [...options.properties] : 'all' },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    status: failed > 0 ? 'failed' : 'passed',
    interrupted,
    summary: { passed: count('passed'), failed, skipped: count('skipped'), total: results.length },
    properties: results,
    coverage: coverage.table(),
  };
}

interface RunContext {
  readonly runs: number;
  readonly seed: number;
  readonly size: SizeTier;
  readonly capabilities: ReturnType<typeof completeCapabilities>;
  readonly coverage: CoverageCounter;
  readonly options: VerifyOptions;
}

/** Why a kernel cannot take a property, or undefined. */
export function skipReasonFor(def: PropertyDefinition, kernel: KernelUnderTest): string | undefined {
  const missing = def.needs.filter((m) => typeof (kernel as unknown as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) return `kernel has no ${missing.join(' or ')}`;
  return def.skipReason?.(completeCapabilities(kernel.capabilities));
}

/** Runs one property: fast-check with saved counterexamples first, a bounded shrink, and a failure detail. */
async function runProperty(def: PropertyDefinition, k: GuardedKernel, ctx: RunContext): Promise<{ result: PropertyResult; interrupted: boolean }> {
  const t0 = Date.now();
  const base = { id: def.id, statement: def.statement };
  const skip = skipReasonFor(def, k.kernel);
  if (skip) return { result: { ...base, status: 'skipped', skipReason: skip, casesRun: 0, durationMs: 0 }, interrupted: false };

  const { options } = ctx;
  const dir = options.counterexampleDir;
  const saved = dir ? await loadCounterexamples(dir, k.kernel.name, def.id) : [];
  const shrinkBudget = options.shrinkBudgetMs ?? 30_000;
  let casesDone = 0;
  let firstFailureAt = 0;
  let lastProgress = 0;

  let lastYield = Date.now();
  const predicate = async (c: unknown): Promise<void> => {
    // a synchronous kernel never yields: let signals and timers run every 50 ms so Ctrl-C works
    if (Date.now() - lastYield > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
    if (options.signal?.aborted) throw new Aborted('interrupted');
    if (firstFailureAt > 0 && Date.now() - firstFailureAt > shrinkBudget) return; // shrink budget spent: keep the smallest failure so far
    const counting = firstFailureAt === 0; // shrink attempts are not counted as cases
    try {
      await def.check(k, c);
    } catch (e) {
      if (firstFailureAt === 0) firstFailureAt = Date.now();
      throw e;
    } finally {
      if (counting) {
        casesDone++;
        const key = def.coverage?.(c);
        if (key) ctx.coverage.add(key);
        const now = Date.now();
        if (options.onProgress && (now - lastProgress > 100 || casesDone === ctx.runs)) {
          lastProgress = now;
          options.onProgress({ type: 'case', id: def.id, casesDone, casesTotal: ctx.runs });
        }
      }
    }
  };

  const arbitrary = def.arbitrary({ capabilities: ctx.capabilities, size: ctx.size, operators: implementedOperators(k.kernel) });
  const details = await fc.check(fc.asyncProperty(arbitrary, predicate), {
    seed: ctx.seed,
    numRuns: ctx.runs,
    examples: saved.map((s) => [s.case] as [unknown]),
  });
  const durationMs = Date.now() - t0;
  if (!details.failed) return { result: { ...base, status: 'passed', casesRun: casesDone, durationMs }, interrupted: false };
  if (details.errorInstance instanceof Aborted || options.signal?.aborted) {
    return { result: { ...base, status: 'skipped', skipReason: `interrupted after ${casesDone} cases`, casesRun: casesDone, durationMs }, interrupted: true };
  }
  if (details.counterexample === null) {
    const failure: FailureDetail = { kind: 'threw', problem: '(none)', message: `fast-check could not complete the run (${details.numSkips} skipped cases)`, seed: details.seed };
    return { result: { ...base, status: 'failed', casesRun: casesDone, durationMs, failure }, interrupted: false };
  }
  const c = details.counterexample[0];
  const v = failureOf(details.errorInstance);
  const problem = def.describe(c);
  let counterexampleFile: string | undefined;
  if (dir) {
    const file = await saveCounterexample(dir, { kernel: k.kernel.name, property: def.id, problem, seed: details.seed, path: details.counterexamplePath, case: c });
    counterexampleFile = relative(process.cwd(), file) || file;
  }
  const failure: FailureDetail = {
    kind: v.kind,
    problem,
    message: v.message,
    regime: regimeOf(problem),
    index: v.index,
    expected: show(v.expected),
    actual: show(v.actual),
    error: show(v.error),
    bound: v.bound,
    errorOverBound: show(v.errorOverBound),
    seed: details.seed,
    path: details.counterexamplePath,
    replayCommand: counterexampleFile ? (options.replayCommand?.(counterexampleFile) ?? `npx convcheck replay ${counterexampleFile}`) : undefined,
    counterexampleFile,
    heatmap: v.heatmap,
  };
  return { result: { ...base, status: 'failed', casesRun: casesDone, durationMs, failure }, interrupted: false };
}
