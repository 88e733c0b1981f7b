/**
 * `verifyKernel`: runs the catalog against a kernel and returns the report the CLI writes — the
 * orchestration only: resolve the options (`options.ts`), probe the numerics, plan the shapes and
 * the production layers, run each property (`property-run.ts`), assemble the report.
 * Each property is a fast-check run (seeded, shrinking to a minimal case); previously saved
 * counterexamples for the same kernel run first.
 */
import { createRequire } from 'node:module';
import { releaseCaseMemory } from '../arbitraries/case-memory.js';
import { enterDataLimits } from '../arbitraries/data-limits.js';
import type { ShapePlan } from '../arbitraries/shape-plan.js';
import { completeNumerics } from '../bound/error-model.js';
import { completeCapabilities } from '../capabilities.js';
import { catalog } from '../catalog/index.js';
import type { KernelUnderTest } from '../contract.js';
import { validateKernel } from '../kernels/load-kernel.js';
import { buildShapePlan, implementedOperators } from '../operators/index.js';
import { CoverageCounter } from './coverage-counter.js';
import { CallClock, CallInterrupted, GuardedKernel, hostOf } from './guarded-call.js';
import { CoverageRun } from './kernel-coverage-run.js';
import { declaredSpecialValues, probeNumerics } from './numerics-probe.js';
import { type ResolvedOptions, resolveOptions, type VerifyOptions } from './options.js';
import type { PlatformNumerics } from './platform-numerics.js';
import { type Cap, leftOutSentence, productionCycles } from './production-caps.js';
import { type PropertyOutcome, runProperty, skippedResult, skipReasonFor } from './property-run.js';
import { type PropertyResult, runVerdict, type ShapePlanSummary, type VerificationReport } from './report.js';
import { countingShapes } from './shape-budget.js';

/** The package version, recorded in reports (read from package.json, the single source). */
export const VERSION: string = readVersion();

/** The version from package.json; 'unknown' where there is no package to read (a browser page). */
function readVersion(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Runs the catalog against `kernel` and returns the verification report. The kernel object is
 * read once (`validateKernel`): its name, precision, capabilities and methods are snapshotted
 * and validated before anything runs.
 * @example const report = await verifyKernel(im2colKernel, { runs: 200, seed: 42 });
 */
export async function verifyKernel(kernel: KernelUnderTest, options: VerifyOptions = {}): Promise<VerificationReport> {
  return verifyResolved(kernel, resolveOptions(options));
}

/**
 * `verifyKernel` with options already resolved (`resolveOptions`): the CLI resolves them itself,
 * knowing where the kernel runs.
 */
export async function verifyResolved(kernel: KernelUnderTest, options: ResolvedOptions): Promise<VerificationReport> {
  const { seed, timeoutMs, size, runs } = options;
  const host = typeof kernel === 'object' && kernel !== null ? hostOf(kernel) : undefined;
  const k = validateKernel(kernel, 'verifyKernel');
  const numerics = completeNumerics(k);
  const capabilities = completeCapabilities(k.capabilities);
  // the platform's numerics, probed once before anything is generated (docs/numerics.md); the probe
  // has its own clock, so a probe call that times out does not cut the properties' call limits
  const platform: PlatformNumerics | undefined =
    !options.probeNumerics || options.signal?.aborted
      ? undefined
      : // interrupted while probing: no property starts (the loop sees the signal), the report says so
        await probeNumerics(
          new GuardedKernel(k, timeoutMs, { signal: options.signal, host }),
          capabilities,
          declaredSpecialValues(k),
        ).catch((e: unknown) => {
          if (e instanceof CallInterrupted) return undefined;
          throw e;
        });
  // the special regime is generated only where the probe let it run (a narrowing, never a widening)
  const generation = platform?.specialRegime.runs === false ? { ...capabilities, specialValues: false } : capabilities;
  const selected = options.properties ? catalog.filter((p) => options.properties!.includes(p.id)) : catalog;
  const clock = new CallClock(timeoutMs, options.timeoutBudgetMs);
  const coverage = new CoverageCounter();
  const started = Date.now();
  const planMode = options.shapePlan;
  const plan = planMode === 'off' ? undefined : buildShapePlan(capabilities, seed.used, implementedOperators(k));
  const planMs = Date.now() - started;
  const programs = new Set<string>();
  const results: PropertyResult[] = [];
  let interrupted = false;
  const kcov =
    options.coverage || options.guided
      ? CoverageRun.open(kernel, options.guided === true, typeof options.coverage === 'object' ? options.coverage : {})
      : undefined;

  const restoreLimits = enterDataLimits(platform?.dataLimits ?? {});
  try {
    for (let i = 0; i < selected.length; i++) {
      const def = selected[i];
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      // production: each layer the property fits once (the generators record how many there are)
      const layers = options.layers;
      const caps: Cap = def.singleCall
        ? {}
        : { maxFlops: options.productionRelationFlops, maxElements: options.productionRelationElements };
      // a property the kernel cannot take is not planned: its generator may need what the kernel lacks
      const skip = skipReasonFor(def, k);
      const planned =
        layers && skip === undefined
          ? productionCycles(def, generation, layers, implementedOperators(k), caps, options.realData)
          : undefined;
      const cycles = planned?.cycles;
      const myRuns = options.runsPerLayer && cycles !== undefined && cycles > 0 ? cycles : runs;
      options.onProgress?.({ type: 'property-start', id: def.id, index: i, count: selected.length, casesTotal: myRuns });
      clock.property = def.id;
      // Each property counts the distinct call signatures (shapes, attributes) it exercised.
      const shapes = new Set<string>();
      const counted = new GuardedKernel(countingShapes(countingShapes(k, shapes), programs), timeoutMs, {
        clock,
        signal: options.signal,
        host,
      });
      // an equal share of the budget left, so time unused by earlier properties goes to later ones
      const timeLimitMs =
        options.timeBudgetMs === undefined
          ? undefined
          : Math.max(1, (options.timeBudgetMs - (Date.now() - started)) / (selected.length - i));
      const leftOutNote = planned && planned.leftOut.length > 0 ? leftOutSentence(planned.leftOut, caps) : undefined;
      const ran: PropertyOutcome =
        cycles === 0 && skip === undefined
          ? {
              result: skippedResult(
                def,
                leftOutNote
                  ? `no layer of the production shapes fits this property within its cost cap: ${leftOutNote}`
                  : 'no layer of the production shapes fits this property',
              ),
              interrupted: false,
            }
          : await runProperty(def, counted, {
              runs: myRuns,
              capabilities: generation,
              coverage,
              options,
              timeLimitMs,
              caps,
              leftOutNote,
              kcov,
              ...(plan && planMode !== 'off'
                ? {
                    plan: {
                      plan,
                      mode: planMode,
                      budget: options.shapeBudget,
                      offset: i,
                      singleCall: def.singleCall === true,
                      walksPlan: def.walksPlan === true,
                      used: false,
                      rows: 0,
                    },
                  }
                : {}),
            });
      kcov?.endProperty();
      const result = ran.result.casesRun === 0 ? ran.result : { ...ran.result, distinctShapes: shapes.size };
      if (ran.interrupted) interrupted = true;
      results.push(result);
      options.onProgress?.({ type: 'property-end', result });
      if (ran.interrupted) break;
    }
  } finally {
    // the cases' data arrays, kept from property to property (the same layers recur), go now
    releaseCaseMemory();
    restoreLimits();
  }
  const kernelCoverage = kcov === undefined ? undefined : await kcov.finish(k.name);
  if (options.signal?.aborted && results.length < selected.length) interrupted = true;

  const count = (s: PropertyResult['status']) => results.filter((r) => r.status === s).length;
  const failed = count('failed');
  return {
    tool: { name: 'convcheck', version: VERSION },
    kernel: {
      name: k.name,
      precision: k.precision,
      accumulation: numerics.accumulation,
      errorModel: numerics.errorModel,
      errorFactor: numerics.errorFactor,
      capabilities,
      source: options.source ?? 'api',
    },
    seed: seed.used,
    ...(seed.given !== undefined ? { seedGiven: seed.given } : {}),
    options: {
      runs,
      size,
      timeoutMs,
      properties: options.properties ? [...options.properties] : 'all',
      ...(options.shapeBudget !== undefined ? { shapeBudget: options.shapeBudget } : {}),
      ...(options.timeBudgetMs !== undefined ? { timeBudgetMs: options.timeBudgetMs } : {}),
      ...(options.shard !== undefined ? { shard: options.shard } : {}),
    },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...runVerdict(interrupted, failed),
    summary: {
      passed: count('passed'),
      failed,
      skipped: count('skipped'),
      interrupted: count('interrupted'),
      notRun: selected.length - results.length,
      total: selected.length,
    },
    properties: results,
    coverage: coverage.table(),
    ...(plan && planMode !== 'off' ? { shapePlan: planSummary(plan, planMode, programs.size, planMs) } : {}),
    ...(kernelCoverage !== undefined ? { kernelCoverage } : {}),
    ...(platform !== undefined ? { platformNumerics: platform } : {}),
  };
}

/** The report's view of the plan. */
function planSummary(plan: ShapePlan, mode: 'all' | 'mixed', programs: number, buildMs: number): ShapePlanSummary {
  return {
    mode,
    operators: plan.operators.map((o) => ({
      operator: o.operator,
      parameters: o.parameters,
      shapes: o.specs.length,
      pairsCovered: o.pairsCovered,
      pairsTotal: o.pairsTotal,
      uncovered: o.uncovered,
      excluded: o.excluded,
    })),
    programs,
    buildMs,
  };
}
