/**
 * `verifyKernel`: runs the catalog against a kernel and returns the report the CLI writes.
 * Each property is a fast-check run (seeded, shrinking to a minimal case); previously saved
 * counterexamples for the same kernel run first.
 */
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import type { KernelUnderTest } from '../contract.js';
import { completeCapabilities } from '../capabilities.js';
import { completeNumerics } from '../bound/error-model.js';
import { beginCase, endCase, releaseCaseMemory } from '../arbitraries/case-memory.js';
import { catalog } from '../catalog/index.js';
import type { PropertyDefinition } from '../property/definition.js';
import type { ViolationDetail } from '../property/violation.js';
import { COVERAGE_DIMENSIONS } from '../property/definition.js';
import { PropertyViolation } from '../property/violation.js';
import { InvalidArgumentError } from '../errors.js';
import { buildShapePlan, implementedOperators } from '../operators/index.js';
import type { PlanDraw, ShapePlan } from '../arbitraries/shape-plan.js';
import { validateKernel } from '../kernels/load-kernel.js';
import { PRODUCTION_LAYERS } from '../models/networks.js';
import type { LayerShape, ProductionPlan } from '../vocabulary.js';
import { formatElements, formatFlops, InadmissibleCall, SIZE_TIERS } from '../vocabulary.js';
import { loadCounterexamples, saveCounterexample } from './counterexample-db.js';
import { CallClock, CallInterrupted, errorMessage, GuardedKernel, hostOf, KernelFault } from './guarded-call.js';
import { countingShapes, withShapeBudget } from './shape-budget.js';
import type {
  CoverageTable,
  FailureDetail,
  PropertyResult,
  ShapePlanSummary,
  ShardOption,
  SizeTier,
  VerificationReport,
} from './report.js';
import { resolveSeed } from './seed.js';
import { CoverageRun, type VerifyCoverageOptions } from './kernel-coverage-run.js';
import { enterDataLimits } from '../arbitraries/data-limits.js';
import { declaredSpecialValues, probeNumerics } from './numerics-probe.js';
import type { PlatformNumerics } from './platform-numerics.js';
import { unloadedModelLayer } from '../arbitraries/real-data.js';

/** Options of `verifyKernel`. */
export interface VerifyOptions {
  /** Generated cases per property (default 200). */
  readonly runs?: number;
  /**
   * Seed: any integer or string (default: random). A signed 32-bit integer is used as is, a
   * larger one modulo 2³², a string hashed (`resolveSeed`); the report records both.
   */
  readonly seed?: number | string;
  /** Property ids to run (default: the whole catalog). */
  readonly properties?: readonly string[];
  /** Per-call timeout of the kernel, ms (default 5000). */
  readonly timeoutMs?: number;
  readonly size?: SizeTier;
  /**
   * The layers the `production` tier runs (default: `PRODUCTION_LAYERS`, the built-in networks);
   * each layer runs once per property it fits, with fresh data (unless `runs` is given).
   */
  readonly layers?: readonly LayerShape[];
  /**
   * Production tier: properties that call the kernel more than once per case leave out the layers
   * above this many FLOPs, and say so in a note (default `PRODUCTION_RELATION_FLOPS`; `Infinity`:
   * no FLOP limit). Single-call properties always run every layer.
   */
  readonly productionRelationFlops?: number;
  /** Likewise for the largest tensor's elements (default `PRODUCTION_RELATION_ELEMENTS`; `Infinity`: no limit). */
  readonly productionRelationElements?: number;
  /** Recorded as `report.kernel.source` (e.g. `builtin:im2col` or the module path). */
  readonly source?: string;
  /** Failing cases are saved here and replayed first on the next run against the same kernel. */
  readonly counterexampleDir?: string;
  /** How the report prints the replay command of a saved file. */
  readonly replayCommand?: (file: string) => string;
  readonly onProgress?: (e: ProgressEvent) => void;
  /**
   * Abort → resolves at once (a call in flight is abandoned, its worker terminated) with the
   * partial report, `status: 'interrupted'`.
   */
  readonly signal?: AbortSignal;
  /** Time spent shrinking one failure before the smallest case so far is reported (default 30 s). */
  readonly shrinkBudgetMs?: number;
  /**
   * Wall time the whole run may spend shrinking cases that timed out (default max(10 s,
   * 2 × timeoutMs), at most a quarter of it per property; see `CallClock`).
   */
  readonly timeoutBudgetMs?: number;
  /**
   * Distinct shapes drawn per property; later cases re-use them with fresh data
   * (`withShapeBudget`). Default: no budget (every case draws its own shape).
   */
  readonly shapeBudget?: number;
  /**
   * Wall-clock budget for the whole run, ms: each property gets an equal share of what is left
   * when it starts (time a property leaves unused goes to the ones after it) and runs cases until
   * its share is spent — at least one case, at most `runs` (default then: `BUDGET_RUNS_CAP`). For
   * kernels whose calls are slow (GPU, production sizes); `casesRun` reports what each property got.
   */
  readonly timeBudgetMs?: number;
  /**
   * The run-wide shape plan (`arbitraries/shape-plan.ts`): `all` — every case of a planned
   * property takes a plan shape (default with a `shapeBudget`); `mixed` — the single-call
   * properties run each plan shape once on top of their random cases, the others stay random;
   * `off` — random shapes only (default without a `shapeBudget`). The production tier never plans.
   */
  readonly shapePlan?: 'all' | 'mixed' | 'off';
  /**
   * Collect the kernel's own block coverage and the shader variants it created, and put them in
   * `report.kernelCoverage` (`true`, or where to write the HTML view and lcov). The kernel must
   * come from `createIsolatedKernel` / `createBrowserKernel` with their `coverage` option.
   * Coverage only observes: the cases are the same as without it. Default: off.
   */
  readonly coverage?: boolean | VerifyCoverageOptions;
  /**
   * Coverage-guided generation (`guided.ts`): keep the cases that reached new kernel code or a
   * new shader variant and make later cases by mutating them, within the shape budget. Implies
   * `coverage`. Default: off.
   */
  readonly guided?: boolean;
  /**
   * Probe the kernel's numerics before generating (tiny products, subnormals, NaN / ±Infinity,
   * exact integer sums; `numerics-probe.ts`) and keep the data within what it handles (default
   * true). `false`: no probe calls, the data as for an IEEE-754 kernel.
   */
  readonly probeNumerics?: boolean;
  /** Recorded in the report (`options.shard`) when this run is one shard of several, for `convcheck merge`. */
  readonly shard?: ShardOption;
  /**
   * Production tier: the layers carry a model's own tensors (`--model`, `arbitraries/real-data.ts`);
   * properties that draw a data regime run them in the `real` regime (default false: generated data).
   */
  readonly realData?: boolean;
  /** Called after each counted case (not shrink attempts) with the property, the case and whether it failed (`--model`'s per-layer verdicts). */
  readonly onCase?: (property: string, c: unknown, failed: boolean) => void;
}

/**
 * The production tier's cap for properties that call the kernel more than once per case: layers
 * above 3·10⁹ FLOPs or with a tensor above 2²⁵ elements are left out of them (and named in a
 * note). Among the built-in networks: C3D's conv2a…conv4b (5.5–22 GFLOP), VGG-16's four
 * 3.7-GFLOP 3×3 convs, and VGG-16's fc6 in both its forms (10⁸ weights: drawing its data,
 * converting and checking them cost ~5 s per property) — 11 of 111 layers, 87 of the 105 conv
 * GFLOP. The whole-run times that chose this cap (10¹⁰ FLOPs, 3·10⁹ FLOPs, 3·10⁹ FLOPs or 2²⁵
 * elements) are in docs/benchmarks.md, "`--size production`: measured". The single-call
 * properties and the FC ≡ conv equivalences run every layer.
 */
export const PRODUCTION_RELATION_FLOPS = 3e9;
/** Elements of the largest tensor of a layer a multi-call property runs in the production tier (see `PRODUCTION_RELATION_FLOPS`). */
export const PRODUCTION_RELATION_ELEMENTS = 2 ** 25;

/** Per-call timeout of the production tier unless one is given: its big layers take seconds in a slow kernel. */
export const PRODUCTION_TIMEOUT_MS = 120_000;

/** Cases per property at most under a time budget when `runs` is not given. */
export const BUDGET_RUNS_CAP = 1_000_000;

/** Progress of a run. */
export type ProgressEvent =
  | { type: 'property-start'; id: string; index: number; count: number; casesTotal: number }
  | { type: 'case'; id: string; casesDone: number; casesTotal: number }
  | { type: 'property-end'; result: PropertyResult };

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

class Aborted extends Error {}

/** The data regime named in a case's one-line description. */
export function regimeOf(problem: string): FailureDetail['regime'] {
  const m = /regime=(exact|float|special|real)/.exec(problem);
  return m ? (m[1] as FailureDetail['regime']) : undefined;
}

const show = (v: number | undefined): number | string | undefined => (v === undefined || Number.isFinite(v) ? v : String(v));

function failureOf(error: unknown): ViolationDetail {
  if (error instanceof PropertyViolation) return error.detail;
  if (error instanceof KernelFault) return { kind: error.kind, message: error.message };
  return { kind: 'threw', message: `the property could not run the case: ${errorMessage(error)}` };
}

/** The `whole` field of a small failure: the failing call's inputs and the whole outputs, where small enough. */
export function wholeOf(call: GuardedKernel['lastCall'], v: ViolationDetail): Pick<FailureDetail, 'whole'> {
  if (call === undefined && v.whole === undefined) return {};
  return { whole: { ...(call !== undefined ? { call } : {}), ...(v.whole ?? {}) } };
}

/** Validates options eagerly, naming the argument and the value. */
function checkOptions(o: VerifyOptions): void {
  const fn = 'verifyKernel';
  if (o.runs !== undefined && (!Number.isInteger(o.runs) || o.runs < 1))
    throw new InvalidArgumentError(fn, 'runs', o.runs, `runs must be an integer >= 1, got ${o.runs}`);
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0))
    throw new InvalidArgumentError(fn, 'timeoutMs', o.timeoutMs, `timeoutMs must be > 0, got ${o.timeoutMs}`);
  if (o.shapeBudget !== undefined && (!Number.isInteger(o.shapeBudget) || o.shapeBudget < 1))
    throw new InvalidArgumentError(fn, 'shapeBudget', o.shapeBudget, `shapeBudget must be an integer >= 1, got ${o.shapeBudget}`);
  if (o.timeoutBudgetMs !== undefined && !(o.timeoutBudgetMs >= 0))
    throw new InvalidArgumentError(fn, 'timeoutBudgetMs', o.timeoutBudgetMs, `timeoutBudgetMs must be >= 0, got ${o.timeoutBudgetMs}`);
  if (o.shapePlan !== undefined && !['all', 'mixed', 'off'].includes(o.shapePlan))
    throw new InvalidArgumentError(
      fn,
      'shapePlan',
      o.shapePlan,
      `shapePlan must be 'all', 'mixed' or 'off', got ${JSON.stringify(o.shapePlan)}`,
    );
  if (o.timeBudgetMs !== undefined && (!Number.isFinite(o.timeBudgetMs) || o.timeBudgetMs <= 0))
    throw new InvalidArgumentError(fn, 'timeBudgetMs', o.timeBudgetMs, `timeBudgetMs must be a finite number > 0, got ${o.timeBudgetMs}`);
  if (o.size !== undefined && !SIZE_TIERS.includes(o.size))
    throw new InvalidArgumentError(
      fn,
      'size',
      o.size,
      `size must be one of ${SIZE_TIERS.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(o.size)}`,
    );
  if (o.layers !== undefined && (o.size ?? 'default') !== 'production')
    throw new InvalidArgumentError(
      fn,
      'layers',
      o.layers.length,
      `layers are run by the production tier only; pass size: 'production' (got size ${JSON.stringify(o.size ?? 'default')})`,
    );
  if (o.layers !== undefined && o.layers.length === 0) throw new InvalidArgumentError(fn, 'layers', 0, 'layers must not be empty');
  if (o.productionRelationFlops !== undefined && !(o.productionRelationFlops > 0))
    throw new InvalidArgumentError(
      fn,
      'productionRelationFlops',
      o.productionRelationFlops,
      `productionRelationFlops must be > 0, got ${o.productionRelationFlops}`,
    );
  if (o.productionRelationElements !== undefined && !(o.productionRelationElements > 0))
    throw new InvalidArgumentError(
      fn,
      'productionRelationElements',
      o.productionRelationElements,
      `productionRelationElements must be > 0, got ${o.productionRelationElements}`,
    );
  for (const id of o.properties ?? []) {
    if (!catalog.some((p) => p.id === id)) {
      throw new InvalidArgumentError(
        fn,
        'properties',
        id,
        `unknown property id ${JSON.stringify(id)} (known: ${catalog.map((p) => p.id).join(', ')})`,
      );
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
 * Runs the catalog against `kernel` and returns the verification report. The kernel object is
 * read once (`validateKernel`): its name, precision, capabilities and methods are snapshotted
 * and validated before anything runs.
 * @example const report = await verifyKernel(im2colKernel, { runs: 200, seed: 42 });
 */
export async function verifyKernel(kernel: KernelUnderTest, options: VerifyOptions = {}): Promise<VerificationReport> {
  checkOptions(options);
  const seed = resolveSeed(options.seed);
  const host = typeof kernel === 'object' && kernel !== null ? hostOf(kernel) : undefined;
  const k = validateKernel(kernel, 'verifyKernel');
  const numerics = completeNumerics(k);
  const runs = options.runs ?? (options.timeBudgetMs !== undefined ? BUDGET_RUNS_CAP : 200);
  const timeoutMs = options.timeoutMs ?? (options.size === 'production' ? PRODUCTION_TIMEOUT_MS : 5000);
  const size = options.size ?? 'default';
  const capabilities = completeCapabilities(k.capabilities);
  // the platform's numerics, probed once before anything is generated (docs/numerics.md); the probe
  // has its own clock, so a probe call that times out does not cut the properties' call limits
  const platform: PlatformNumerics | undefined =
    options.probeNumerics === false || options.signal?.aborted
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
  // one plan for the whole run, so a shape (a GPU program) serves every property that can use it
  // (the default Node run stays random: shapes cost nothing there, and 200 random draws per
  // property already meet the pairs the plan covers — measured in docs/gpu.md, "Shapes by design")
  const planMode = size === 'production' ? 'off' : (options.shapePlan ?? (options.shapeBudget !== undefined ? 'all' : 'off'));
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
      const layers = size === 'production' ? (options.layers ?? PRODUCTION_LAYERS) : undefined;
      const caps: Cap = def.singleCall
        ? {}
        : {
            maxFlops: options.productionRelationFlops ?? PRODUCTION_RELATION_FLOPS,
            maxElements: options.productionRelationElements ?? PRODUCTION_RELATION_ELEMENTS,
          };
      // a property the kernel cannot take is not planned: its generator may need what the kernel lacks
      const skip = skipReasonFor(def, k);
      const planned =
        layers && skip === undefined
          ? productionCycles(def, generation, layers, implementedOperators(k), caps, options.realData)
          : undefined;
      const cycles = planned?.cycles;
      const myRuns = options.runs ?? (cycles !== undefined && cycles > 0 ? cycles : runs);
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
      const ran =
        cycles === 0 && skip === undefined
          ? {
              result: {
                id: def.id,
                statement: def.statement,
                status: 'skipped' as const,
                skipReason: leftOutNote
                  ? `no layer of the production shapes fits this property within its cost cap: ${leftOutNote}`
                  : 'no layer of the production shapes fits this property',
                casesRun: 0,
                durationMs: 0,
              },
              interrupted: false,
            }
          : await runProperty(def, counted, {
              runs: myRuns,
              seed: seed.used,
              size,
              capabilities: generation,
              coverage,
              options,
              timeLimitMs,
              layers,
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
      const result = ran.result.casesRun === 0 ? ran : { ...ran, result: { ...ran.result, distinctShapes: shapes.size } };
      if (result.interrupted) interrupted = true;
      results.push(result.result);
      options.onProgress?.({ type: 'property-end', result: result.result });
      if (result.interrupted) break;
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
    status: interrupted ? 'interrupted' : failed > 0 ? 'failed' : 'passed',
    interrupted,
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

interface RunContext {
  readonly runs: number;
  readonly seed: number;
  readonly size: SizeTier;
  readonly capabilities: ReturnType<typeof completeCapabilities>;
  readonly coverage: CoverageCounter;
  readonly options: VerifyOptions;
  /** This property's share of the time budget, ms (undefined: no budget). */
  readonly timeLimitMs?: number;
  /** Production tier: the layers. */
  readonly layers?: readonly LayerShape[];
  /** Production tier: the cost cap of multi-call properties. */
  readonly caps?: Cap;
  /** Production tier: which layers were left out and why, for the result's notes. */
  readonly leftOutNote?: string;
  /** How this property draws from the run's shape plan (undefined: random shapes only). */
  readonly plan?: PlanDraw;
  /** Kernel coverage and guidance, when on. */
  readonly kcov?: CoverageRun;
}

/** A multi-call property's production cap (finite limits only). */
interface Cap {
  readonly maxFlops?: number;
  readonly maxElements?: number;
}

/** The plan fields of a cap: only finite limits. */
function capFields(c: Cap | undefined): Pick<ProductionPlan, 'maxFlops' | 'maxElements' | 'leftOut'> {
  const flops = c?.maxFlops !== undefined && Number.isFinite(c.maxFlops) ? { maxFlops: c.maxFlops } : {};
  const elements = c?.maxElements !== undefined && Number.isFinite(c.maxElements) ? { maxElements: c.maxElements } : {};
  return { ...flops, ...elements, ...(Object.keys(flops).length + Object.keys(elements).length > 0 ? { leftOut: [] } : {}) };
}

/** The note of a property that left out production layers above its cost cap. */
function leftOutSentence(leftOut: readonly string[], c: Cap): string {
  const limits = [
    c.maxFlops !== undefined && Number.isFinite(c.maxFlops) ? formatFlops(c.maxFlops) : undefined,
    c.maxElements !== undefined && Number.isFinite(c.maxElements) ? `${formatElements(c.maxElements)} elements in a tensor` : undefined,
  ].filter((v) => v !== undefined);
  return (
    `left out ${leftOut.length} layer${leftOut.length === 1 ? '' : 's'} above ${limits.join(' or ')} — ${leftOut.join(', ')} — ` +
    'because this property calls the kernel two or more times per layer and they would take the production run past its few minutes; ' +
    'the single-call properties (the differential ones, output-shape, inputs-not-mutated) run them (--every-layer runs them here too)'
  );
}

/**
 * How many production layers a property cycles through (undefined: its generator is not
 * layer-based, e.g. the FC ≡ conv equivalences, which generate their own cases).
 */
function productionCycles(
  def: PropertyDefinition,
  capabilities: ReturnType<typeof completeCapabilities>,
  layers: readonly LayerShape[],
  operators: readonly string[],
  caps: Cap,
  realData?: boolean,
): { cycles: number | undefined; leftOut: string[] } {
  const production: ProductionPlan = { layers, cycleLengths: [], ...capFields(caps), ...(realData ? { realData } : {}) };
  def.arbitrary({ capabilities, size: 'production', operators, production });
  const cycles = production.cycleLengths.length === 0 ? undefined : production.cycleLengths.reduce((a, b) => a + b, 0);
  return { cycles, leftOut: production.leftOut ?? [] };
}

/** Why a kernel cannot take a property, or undefined. */
export function skipReasonFor(def: PropertyDefinition, kernel: KernelUnderTest): string | undefined {
  const missing = def.needs.filter((m) => typeof (kernel as unknown as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) return `kernel has no ${missing.join(' or ')}`;
  return def.skipReason?.(completeCapabilities(kernel.capabilities), completeNumerics(kernel));
}

/**
 * Cases the capability gate kept from the kernel, for the property's notes: how many, the first
 * reasons, and the saved counterexamples the kernel's current capabilities exclude.
 */
class NotSentCases {
  /** Generated (or replayed) cases not sent; shrink candidates are not counted. */
  generated = 0;
  private shrinkCandidates = 0;
  private readonly reasons: string[] = [];
  private readonly savedFiles: Array<{ file: string; reason: string }> = [];

  add(reason: string, savedFile: string | undefined, shrinking: boolean): void {
    if (shrinking) this.shrinkCandidates++;
    else this.generated++;
    if (savedFile !== undefined) this.savedFiles.push({ file: relative(process.cwd(), savedFile) || savedFile, reason });
    else if (this.reasons.length < 3 && !this.reasons.includes(reason)) this.reasons.push(reason);
  }

  get firstReason(): string {
    return this.reasons[0] ?? this.savedFiles[0]?.reason ?? '';
  }

  notes(): string[] {
    const out = this.savedFiles.map(
      ({ file, reason }) => `saved counterexample ${file} was not replayed: the kernel's capabilities no longer cover it (${reason})`,
    );
    const fresh = this.generated - this.savedFiles.length;
    if (fresh > 0) {
      out.push(
        `${fresh} case${fresh === 1 ? ' was' : 's were'} not sent because a call fell outside the kernel's capabilities (e.g. ${this.reasons.join('; ')}); they count neither as passed nor as failed`,
      );
    }
    if (this.shrinkCandidates > 0)
      out.push(
        `${this.shrinkCandidates} shrink candidate${this.shrinkCandidates === 1 ? ' was' : 's were'} not sent because a call fell outside the kernel's capabilities`,
      );
    return out;
  }
}

/** Runs one property: fast-check with saved counterexamples first, a bounded shrink, and a failure detail. */
async function runProperty(
  def: PropertyDefinition,
  k: GuardedKernel,
  ctx: RunContext,
): Promise<{ result: PropertyResult; interrupted: boolean }> {
  const t0 = Date.now();
  const base = { id: def.id, statement: def.statement };
  const skip = skipReasonFor(def, k.kernel);
  if (skip) return { result: { ...base, status: 'skipped', skipReason: skip, casesRun: 0, durationMs: 0 }, interrupted: false };

  const { options } = ctx;
  const signal = options.signal;
  const dir = options.counterexampleDir;
  const stored = dir ? await loadCounterexamples(dir, k.kernel.name, def.id) : [];
  const shrinkBudget = options.shrinkBudgetMs ?? 30_000;
  const notes: string[] = [];
  const note = (n: string) => {
    if (!notes.includes(n)) notes.push(n);
  };
  // a saved case of a model layer replays only where that layer's tensors are loaded (`--model`)
  const saved = stored.filter((s) => {
    const why = unloadedModelLayer(s.case);
    if (why !== undefined) note(`saved counterexample ${relative(process.cwd(), s.file) || s.file} was not replayed: ${why}`);
    return why === undefined;
  });
  if (ctx.leftOutNote !== undefined) note(ctx.leftOutNote);
  let casesDone = 0;
  let calls = 0;
  let firstFailureAt = 0;
  let firstFailureCall = -1;
  let firstFailureKind: string | undefined;
  let shrinkAttempts = 0;
  // the inputs of the latest failing call: fast-check's final counterexample is the last case that failed
  let failedCall: GuardedKernel['lastCall'];
  let lastShrinkMark = 0;
  let stopShrinking: string | undefined;
  let lastProgress = 0;
  // cases not sent because a call fell outside the kernel's capabilities (the gate refused it)
  const notSent = new NotSentCases();

  let lastYield = Date.now();
  const predicate = async (c: unknown): Promise<void> => {
    // a synchronous kernel never yields: let signals and timers run every 50 ms so Ctrl-C works
    if (Date.now() - lastYield > 50) {
      await new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
      lastYield = Date.now();
    }
    const shrinking = firstFailureAt > 0;
    if (signal?.aborted) {
      // Before any failure the property has no verdict: stop the run. While shrinking, the
      // failure stands: pass the remaining candidates so fast-check ends with the smallest so far.
      if (!shrinking) throw new Aborted('interrupted');
      stopShrinking ??= 'the run was interrupted while shrinking';
      return;
    }
    if (shrinking) {
      const now = Date.now();
      if (firstFailureKind === 'timeout') {
        // shrinking a hang: its wall time (timeouts and fresh workers) comes out of the run's budget
        k.clock.addShrinkTime(now - lastShrinkMark);
        lastShrinkMark = now;
        stopShrinking ??= k.clock.shrinkStop(now - firstFailureAt);
      }
      if (stopShrinking === undefined && now - firstFailureAt > shrinkBudget)
        stopShrinking = `shrinking took longer than its ${shrinkBudget} ms budget`;
      if (stopShrinking !== undefined) return; // keep the smallest failure so far
      shrinkAttempts++;
    }
    const index = calls++;
    let counting = !shrinking; // shrink attempts are not counted as cases
    let interruptedHere = false;
    let failedHere = false;
    beginCase();
    if (counting) ctx.kcov?.beginCase(def.describe(c));
    try {
      await def.check(k, c);
    } catch (e) {
      if (e instanceof InadmissibleCall) {
        // never sent: neither a pass nor a failure (a shrink candidate it refuses is simply not a counterexample)
        counting = false;
        notSent.add(e.reason, index < saved.length ? saved[index].file : undefined, shrinking);
        throw new fc.PreconditionFailure();
      }
      if (e instanceof CallInterrupted || (signal?.aborted && !(e instanceof KernelFault) && !(e instanceof PropertyViolation))) {
        interruptedHere = true;
        if (!shrinking) throw new Aborted('interrupted');
        stopShrinking ??= 'the run was interrupted while shrinking';
        return;
      }
      if (firstFailureAt === 0) {
        firstFailureAt = lastShrinkMark = Date.now();
        firstFailureCall = index;
        firstFailureKind = e instanceof KernelFault ? e.kind : e instanceof PropertyViolation ? e.detail.kind : undefined;
      }
      failedCall = k.lastCall;
      failedHere = true;
      throw e;
    } finally {
      endCase();
      if (counting && !interruptedHere) {
        ctx.kcov?.endCase(c);
        casesDone++;
        const key = def.coverage?.(c);
        if (key) ctx.coverage.add(key);
        options.onCase?.(def.id, c, failedHere);
        const now = Date.now();
        if (options.onProgress && (now - lastProgress > 100 || casesDone === numRuns)) {
          lastProgress = now;
          options.onProgress({ type: 'case', id: def.id, casesDone, casesTotal: numRuns });
        }
      }
    }
  };

  let details: fc.RunDetails<[unknown]>;
  let numRuns = ctx.runs;
  try {
    const production: ProductionPlan | undefined = ctx.layers
      ? { layers: ctx.layers, cycleLengths: [], ...capFields(ctx.caps), ...(options.realData ? { realData: true } : {}) }
      : undefined;
    const drawn = def.arbitrary({
      capabilities: ctx.capabilities,
      size: ctx.size,
      operators: implementedOperators(k.kernel),
      ...(production ? { production } : {}),
      ...(ctx.plan ? { plan: ctx.plan } : {}),
    });
    // the production tier runs each layer once: no shape budget there (nor guidance); plan shapes are already few and shared
    const guided = ctx.kcov === undefined || production ? drawn : ctx.kcov.arbitraryFor(def.id, drawn, options.shapeBudget, ctx.runs);
    const arbitrary =
      options.shapeBudget === undefined || production || ctx.plan?.used ? guided : withShapeBudget(guided, options.shapeBudget);
    // mixed plan: the plan shapes come on top of the random cases
    if (ctx.plan?.used && ctx.plan.mode === 'mixed') {
      numRuns = ctx.runs + ctx.plan.rows;
      ctx.plan.runs = numRuns;
    }
    const property = fc.asyncProperty(arbitrary, predicate);
    details = await fc.check(property, {
      seed: ctx.seed,
      numRuns,
      examples: saved.map((s) => [s.case] as [unknown]),
      // under a time budget: stop generating when the share is spent; not a failure
      ...(ctx.timeLimitMs !== undefined ? { interruptAfterTimeLimit: ctx.timeLimitMs, markInterruptAsFailure: false } : {}),
    });
    if (casesDone === 0 && details.interrupted && ctx.timeLimitMs !== undefined && !signal?.aborted) {
      // the share was spent before the first case: every property still runs one
      details = await fc.check(property, { seed: ctx.seed, numRuns: 1 });
    }
  } catch (e) {
    // the generators give up (instead of filtering forever) when no problem fits maxElements
    if (!(e instanceof InvalidArgumentError && e.argument === 'maxElements')) throw e;
    const reason =
      `no${casesDone > 0 ? ' more' : ''} problem of this property fits the kernel's capabilities (maxElements ${ctx.capabilities.maxElements})` +
      (casesDone > 0 ? `: only ${casesDone} of ${ctx.runs} cases could be generated, and they passed` : '');
    return {
      result: { ...base, status: 'skipped', skipReason: reason, casesRun: casesDone, durationMs: Date.now() - t0 },
      interrupted: false,
    };
  }
  const durationMs = Date.now() - t0;
  if (k.clock.cut && k.clock.limitMs() < k.clock.timeoutMs && (firstFailureKind === 'timeout' || k.clock.firstTimeoutIn !== def.id)) {
    note(
      `calls were limited to ${k.clock.limitMs()} ms instead of ${k.clock.timeoutMs} ms once the kernel had timed out${k.clock.firstTimeoutIn ? ` (first in ${k.clock.firstTimeoutIn})` : ''}: ` +
        '4 times its slowest call that returned, at least 1 s, so a kernel known to hang does not cost every later call the full timeout',
    );
  }
  for (const n of notSent.notes()) note(n);
  const slow = k.clock.slowCalls.filter((c) => c.property === def.id);
  if (slow.length > 0) {
    const slowest = Math.round(Math.max(...slow.map((c) => c.tookMs)));
    note(
      `${slow.length} call${slow.length === 1 ? '' : 's'} ran past ${slow[0].limitMs} ms but returned when run again with twice the time (slowest ${slowest} ms): ` +
        'slow, not hung (a busy machine?) — not failures',
    );
  }
  if (stopShrinking !== undefined)
    note(
      `shrinking stopped after ${shrinkAttempts} attempts because ${stopShrinking}; the counterexample is the smallest found until then`,
    );
  const withNotes = notes.length > 0 ? { notes } : {};
  if (!details.failed) return { result: { ...base, status: 'passed', casesRun: casesDone, durationMs, ...withNotes }, interrupted: false };
  if (details.errorInstance instanceof Aborted || (firstFailureAt === 0 && signal?.aborted)) {
    return {
      result: {
        ...base,
        status: 'interrupted',
        skipReason: `interrupted after ${casesDone} cases`,
        casesRun: casesDone,
        durationMs,
        ...withNotes,
      },
      interrupted: true,
    };
  }
  const stoppedHere = signal?.aborted === true;
  if (details.counterexample === null && notSent.generated > 0 && !stoppedHere) {
    // fast-check gave up drawing cases because too many needed calls the kernel does not support
    return casesDone > 0
      ? { result: { ...base, status: 'passed', casesRun: casesDone, durationMs, ...withNotes }, interrupted: false }
      : {
          result: {
            ...base,
            status: 'skipped',
            skipReason: `every case needed a call outside the kernel's capabilities: ${notSent.firstReason}`,
            casesRun: 0,
            durationMs,
            ...withNotes,
          },
          interrupted: false,
        };
  }
  if (details.counterexample === null) {
    const failure: FailureDetail = {
      kind: 'threw',
      problem: '(none)',
      message: `fast-check could not complete the run (${details.numSkips} skipped cases)`,
      seed: details.seed,
    };
    return { result: { ...base, status: 'failed', casesRun: casesDone, durationMs, failure, ...withNotes }, interrupted: stoppedHere };
  }
  const c = details.counterexample[0];
  const v = failureOf(details.errorInstance);
  const problem = def.describe(c);
  // fast-check runs the saved examples first, one call each: a first failure among them came
  // from the database, and neither the seed nor the path reproduces it — the file does.
  const fromDatabase =
    firstFailureCall >= 0 && firstFailureCall < saved.length
      ? relative(process.cwd(), saved[firstFailureCall].file) || saved[firstFailureCall].file
      : undefined;
  let counterexampleFile: string | undefined;
  if (dir) {
    const file = await saveCounterexample(dir, {
      kernel: k.kernel.name,
      property: def.id,
      problem,
      seed: details.seed,
      path: details.counterexamplePath,
      case: c,
    });
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
    ...(fromDatabase === undefined ? { path: details.counterexamplePath } : { fromDatabase }),
    replayCommand: counterexampleFile
      ? (options.replayCommand?.(counterexampleFile) ?? `npx convcheck replay ${counterexampleFile}`)
      : undefined,
    counterexampleFile,
    heatmap: v.heatmap,
    ...wholeOf(failedCall, v),
  };
  return { result: { ...base, status: 'failed', casesRun: casesDone, durationMs, failure, ...withNotes }, interrupted: stoppedHere };
}
