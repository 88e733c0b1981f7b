/**
 * One property's run: fast-check with the saved counterexamples first, a bounded shrink
 * (`ShrinkLoop`), and the result as one case of `PropertyResult`. The case loop's state — counters,
 * the first failure, notes, the cases the capability gate kept back — lives in the fields of one
 * `PropertyRun`, which the predicate fast-check calls reads and updates.
 */
import fc from 'fast-check';
import { relative } from 'node:path';
import { beginCase, endCase } from '../arbitraries/case-memory.js';
import { unloadedModelLayer } from '../arbitraries/real-data.js';
import type { PlanDraw } from '../arbitraries/shape-plan.js';
import { completeNumerics } from '../bound/error-model.js';
import type { CompleteCapabilities } from '../capabilities.js';
import { completeCapabilities } from '../capabilities.js';
import type { KernelUnderTest } from '../contract.js';
import { InvalidArgumentError } from '../errors.js';
import { implementedOperators } from '../operators/index.js';
import type { PropertyDefinition } from '../property/definition.js';
import type { ViolationDetail } from '../property/violation.js';
import { PropertyViolation } from '../property/violation.js';
import type { ProductionPlan } from '../vocabulary.js';
import { InadmissibleCall } from '../vocabulary.js';
import { type SavedCounterexample, loadCounterexamples, saveCounterexample } from './counterexample-db.js';
import type { CoverageCounter } from './coverage-counter.js';
import { CallInterrupted, errorMessage, type GuardedKernel } from './guarded-call.js';
import { KernelFault } from '../vocabulary.js';
import type { CoverageRun } from './kernel-coverage-run.js';
import { NotSentCases } from './not-sent.js';
import type { ResolvedOptions } from './options.js';
import { type Cap, capFields } from './production-caps.js';
import type { FailureDetail, PropertyResult } from './report.js';
import { withShapeBudget } from './shape-budget.js';
import { ShrinkLoop } from './shrink.js';

/** What a property's run needs from the whole run. */
export interface RunContext {
  /** Cases to generate (the production tier: one per layer the property fits). */
  readonly runs: number;
  readonly capabilities: CompleteCapabilities;
  readonly coverage: CoverageCounter;
  readonly options: ResolvedOptions;
  /** This property's share of the time budget, ms (undefined: no budget). */
  readonly timeLimitMs?: number;
  /** Production tier: the cost cap of multi-call properties. */
  readonly caps?: Cap;
  /** Production tier: which layers were left out and why, for the result's notes. */
  readonly leftOutNote?: string;
  /** How this property draws from the run's shape plan (undefined: random shapes only). */
  readonly plan?: PlanDraw;
  /** Kernel coverage and guidance, when on. */
  readonly kcov?: CoverageRun;
}

/** A property's result, and whether the run was stopped during it. */
export interface PropertyOutcome {
  readonly result: PropertyResult;
  readonly interrupted: boolean;
}

/** Thrown by the predicate to end fast-check's run when the run is stopped before any failure. */
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

/** Why a kernel cannot take a property, or undefined. */
export function skipReasonFor(def: PropertyDefinition, kernel: KernelUnderTest): string | undefined {
  const missing = def.needs.filter((m) => typeof (kernel as unknown as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) return `kernel has no ${missing.join(' or ')}`;
  return def.skipReason?.(completeCapabilities(kernel.capabilities), completeNumerics(kernel));
}

/** A skipped property that never started (no case run). */
export function skippedResult(def: PropertyDefinition, skipReason: string): PropertyResult {
  return { id: def.id, statement: def.statement, status: 'skipped', skipReason, casesRun: 0, durationMs: 0 };
}

/** Runs one property: fast-check with saved counterexamples first, a bounded shrink, and a failure detail. */
export async function runProperty(def: PropertyDefinition, k: GuardedKernel, ctx: RunContext): Promise<PropertyOutcome> {
  const skip = skipReasonFor(def, k.kernel);
  if (skip) return { result: skippedResult(def, skip), interrupted: false };
  const dir = ctx.options.counterexampleDir;
  const stored = dir ? await loadCounterexamples(dir, k.kernel.name, def.id) : [];
  return new PropertyRun(def, k, ctx, stored).run();
}

/** The state of one property's case loop, and the steps that read and update it. */
class PropertyRun {
  private readonly t0 = Date.now();
  /** Saved counterexamples that replay (fast-check's `examples`, run first). */
  private readonly saved: ReadonlyArray<SavedCounterexample & { readonly file: string }>;
  private readonly notes: string[] = [];
  /** Counted cases (shrink candidates and cases the gate kept back are not). */
  private casesDone = 0;
  /** Predicate calls so far: the index of the next one. */
  private calls = 0;
  /** The predicate call that failed first (-1: none yet), and its kind. */
  private firstFailureCall = -1;
  private firstFailureKind: string | undefined;
  /** The inputs of the latest failing call: fast-check's final counterexample is the last case that failed. */
  private failedCall: GuardedKernel['lastCall'];
  private lastProgress = 0;
  private lastYield = Date.now();
  /** Cases to run (more than `ctx.runs` when a mixed plan adds its shapes). */
  private numRuns: number;
  /** Cases not sent because a call fell outside the kernel's capabilities (the gate refused it). */
  private readonly notSent = new NotSentCases();
  private readonly shrink: ShrinkLoop;

  constructor(
    private readonly def: PropertyDefinition,
    private readonly k: GuardedKernel,
    private readonly ctx: RunContext,
    stored: ReadonlyArray<SavedCounterexample & { readonly file: string }>,
  ) {
    // a saved case of a model layer replays only where that layer's tensors are loaded (`--model`)
    this.saved = stored.filter((s) => {
      const why = unloadedModelLayer(s.case);
      if (why !== undefined) this.note(`saved counterexample ${relative(process.cwd(), s.file) || s.file} was not replayed: ${why}`);
      return why === undefined;
    });
    if (ctx.leftOutNote !== undefined) this.note(ctx.leftOutNote);
    this.numRuns = ctx.runs;
    this.shrink = new ShrinkLoop(ctx.options.shrinkBudgetMs, k.clock);
  }

  private note(n: string): void {
    if (!this.notes.includes(n)) this.notes.push(n);
  }

  private get signal(): AbortSignal | undefined {
    return this.ctx.options.signal;
  }

  /** fast-check's run of the property, then its result. */
  async run(): Promise<PropertyOutcome> {
    const { def, ctx } = this;
    let details: fc.RunDetails<[unknown]>;
    try {
      const property = fc.asyncProperty(this.arbitrary(), (c: unknown) => this.predicate(c));
      details = await fc.check(property, {
        seed: ctx.options.seed.used,
        numRuns: this.numRuns,
        examples: this.saved.map((s) => [s.case] as [unknown]),
        // under a time budget: stop generating when the share is spent; not a failure
        ...(ctx.timeLimitMs !== undefined ? { interruptAfterTimeLimit: ctx.timeLimitMs, markInterruptAsFailure: false } : {}),
      });
      if (this.casesDone === 0 && details.interrupted && ctx.timeLimitMs !== undefined && !this.signal?.aborted) {
        // the share was spent before the first case: every property still runs one
        details = await fc.check(property, { seed: ctx.options.seed.used, numRuns: 1 });
      }
    } catch (e) {
      // the generators give up (instead of filtering forever) when no problem fits maxElements
      if (!(e instanceof InvalidArgumentError && e.argument === 'maxElements')) throw e;
      const n = this.casesDone;
      const skipReason =
        `no${n > 0 ? ' more' : ''} problem of this property fits the kernel's capabilities (maxElements ${ctx.capabilities.maxElements})` +
        (n > 0 ? `: only ${n} of ${ctx.runs} cases could be generated, and they passed` : '');
      const result: PropertyResult = {
        id: def.id,
        statement: def.statement,
        status: 'skipped',
        skipReason,
        casesRun: n,
        durationMs: Date.now() - this.t0,
      };
      return { result, interrupted: false };
    }
    return this.outcome(details);
  }

  /** The property's arbitrary, with the production layers, the plan, guidance and the shape budget applied. */
  private arbitrary(): fc.Arbitrary<unknown> {
    const { def, k, ctx } = this;
    const { options } = ctx;
    const production: ProductionPlan | undefined = options.layers
      ? { layers: options.layers, cycleLengths: [], ...capFields(ctx.caps), ...(options.realData ? { realData: true } : {}) }
      : undefined;
    const drawn = def.arbitrary({
      capabilities: ctx.capabilities,
      size: options.size,
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
      this.numRuns = ctx.runs + ctx.plan.rows;
      ctx.plan.runs = this.numRuns;
    }
    // all: a differential property walks every plan shape, even with fewer runs than shapes
    if (ctx.plan?.used && ctx.plan.mode === 'all' && ctx.plan.walksPlan) this.numRuns = Math.max(ctx.runs, ctx.plan.rows);
    return arbitrary;
  }

  /** One case (or shrink candidate): fast-check's predicate. */
  private async predicate(c: unknown): Promise<void> {
    const { def, k, ctx, shrink } = this;
    const signal = this.signal;
    // a synchronous kernel never yields: let signals and timers run every 50 ms so Ctrl-C works
    if (Date.now() - this.lastYield > 50) {
      await new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
      this.lastYield = Date.now();
    }
    const shrinking = shrink.active;
    if (signal?.aborted) {
      // Before any failure the property has no verdict: stop the run. While shrinking, the
      // failure stands: pass the remaining candidates so fast-check ends with the smallest so far.
      if (!shrinking) throw new Aborted('interrupted');
      shrink.stop('the run was interrupted while shrinking');
      return;
    }
    if (shrinking && !shrink.next()) return; // keep the smallest failure so far
    const index = this.calls++;
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
        this.notSent.add(e.reason, index < this.saved.length ? this.saved[index].file : undefined, shrinking);
        throw new fc.PreconditionFailure();
      }
      if (e instanceof CallInterrupted || (signal?.aborted && !(e instanceof KernelFault) && !(e instanceof PropertyViolation))) {
        interruptedHere = true;
        if (!shrinking) throw new Aborted('interrupted');
        shrink.stop('the run was interrupted while shrinking');
        return;
      }
      if (!shrink.active) {
        this.firstFailureCall = index;
        this.firstFailureKind = e instanceof KernelFault ? e.kind : e instanceof PropertyViolation ? e.detail.kind : undefined;
        shrink.begin(this.firstFailureKind);
      }
      this.failedCall = k.lastCall;
      failedHere = true;
      throw e;
    } finally {
      endCase();
      if (counting && !interruptedHere) this.counted(c, failedHere);
    }
  }

  /** A counted case ended: coverage, the caller's hooks, progress at most every 100 ms. */
  private counted(c: unknown, failed: boolean): void {
    const { def, ctx } = this;
    const { options } = ctx;
    ctx.kcov?.endCase(c);
    this.casesDone++;
    const key = def.coverage?.(c);
    if (key) ctx.coverage.add(key);
    options.onCase?.(def.id, c, failed);
    const now = Date.now();
    if (options.onProgress && (now - this.lastProgress > 100 || this.casesDone === this.numRuns)) {
      this.lastProgress = now;
      options.onProgress({ type: 'case', id: def.id, casesDone: this.casesDone, casesTotal: this.numRuns });
    }
  }

  /** The notes fast-check's run leaves: a cut call limit, cases kept back, slow calls, a stopped shrink. */
  private closingNotes(): void {
    const { def, k } = this;
    const clock = k.clock;
    if (clock.cut && clock.limitMs() < clock.timeoutMs && (this.firstFailureKind === 'timeout' || clock.firstTimeoutIn !== def.id)) {
      this.note(
        `calls were limited to ${clock.limitMs()} ms instead of ${clock.timeoutMs} ms once the kernel had timed out${clock.firstTimeoutIn ? ` (first in ${clock.firstTimeoutIn})` : ''}: ` +
          '4 times its slowest call that returned, at least 1 s, so a kernel known to hang does not cost every later call the full timeout',
      );
    }
    for (const n of this.notSent.notes()) this.note(n);
    const slow = clock.slowCalls.filter((c) => c.property === def.id);
    if (slow.length > 0) {
      const slowest = Math.round(Math.max(...slow.map((c) => c.tookMs)));
      this.note(
        `${slow.length} call${slow.length === 1 ? '' : 's'} ran past ${slow[0].limitMs} ms but returned when run again with twice the time (slowest ${slowest} ms): ` +
          'slow, not hung (a busy machine?) — not failures',
      );
    }
    const shrinkNote = this.shrink.note();
    if (shrinkNote !== undefined) this.note(shrinkNote);
  }

  /** The result of fast-check's run. */
  private async outcome(details: fc.RunDetails<[unknown]>): Promise<PropertyOutcome> {
    const durationMs = Date.now() - this.t0;
    this.closingNotes();
    const { def, notSent } = this;
    const signal = this.signal;
    const n = this.casesDone;
    const withNotes = this.notes.length > 0 ? { notes: this.notes } : {};
    const base = { id: def.id, statement: def.statement };
    const passed = (): PropertyOutcome => ({
      result: { ...base, status: 'passed', casesRun: n, durationMs, ...withNotes },
      interrupted: false,
    });
    if (!details.failed) return passed();
    if (details.errorInstance instanceof Aborted || (!this.shrink.active && signal?.aborted)) {
      return {
        result: { ...base, status: 'interrupted', casesRun: n, durationMs, ...withNotes },
        interrupted: true,
      };
    }
    const stoppedHere = signal?.aborted === true;
    if (details.counterexample === null && notSent.generated > 0 && !stoppedHere) {
      // fast-check gave up drawing cases because too many needed calls the kernel does not support
      if (n > 0) return passed();
      const skipReason = `every case needed a call outside the kernel's capabilities: ${notSent.firstReason}`;
      return { result: { ...base, status: 'skipped', skipReason, casesRun: 0, durationMs, ...withNotes }, interrupted: false };
    }
    const failure = await this.failure(details);
    return { result: { ...base, status: 'failed', casesRun: n, durationMs, failure, ...withNotes }, interrupted: stoppedHere };
  }

  /** The failure detail of a failed run: the shrunk counterexample, saved when there is a directory. */
  private async failure(details: fc.RunDetails<[unknown]>): Promise<FailureDetail> {
    if (details.counterexample === null) {
      return {
        kind: 'threw',
        problem: '(none)',
        message: `fast-check could not complete the run (${details.numSkips} skipped cases)`,
        seed: details.seed,
      };
    }
    const { def, k, saved } = this;
    const { options } = this.ctx;
    const c = details.counterexample[0];
    const v = failureOf(details.errorInstance);
    const problem = def.describe(c);
    // fast-check runs the saved examples first, one call each: a first failure among them came
    // from the database, and neither the seed nor the path reproduces it — the file does.
    const first = this.firstFailureCall;
    const fromDatabase = first >= 0 && first < saved.length ? relative(process.cwd(), saved[first].file) || saved[first].file : undefined;
    let counterexampleFile: string | undefined;
    const dir = options.counterexampleDir;
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
    return {
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
      ...wholeOf(this.failedCall, v),
    };
  }
}
