/**
 * The verification report: what `verifyKernel` returns and what the CLI writes as
 * `verification.json` (and renders as Markdown, HTML and JUnit).
 */
import type { ErrorModel, Precision } from '../contract.js';
import type { CompleteCapabilities } from '../capabilities.js';
import type { PlatformNumerics } from './platform-numerics.js';
import type { FailureHeatmap, FailureKind, Regime, SizeTier, WholeTensor } from '../vocabulary.js';
import type { KernelCoverageReport } from './kernel-coverage-summary.js';

/** Details of a property's (shrunk) counterexample. */
export interface FailureDetail {
  readonly kind: FailureKind;
  /** One line: `x=[2,3,7,5] w=[4,3,3,2] strides=[2,1] pads=[0,1,1,0] dilations=[1,2] group=1 bias=yes regime=float`. */
  readonly problem: string;
  /** Human-readable explanation (includes the kernel's own error message for `threw`). */
  readonly message: string;
  readonly regime?: Regime;
  /** First mismatching output index (multi-index into the output shape). */
  readonly index?: readonly number[];
  /** Expected and actual value at `index`; non-finite values are written as "NaN", "Infinity", "-Infinity". */
  readonly expected?: number | string;
  readonly actual?: number | string;
  /** |actual − expected|. */
  readonly error?: number | string;
  /** The error bound at `index` (0 in the exact regime). */
  readonly bound?: number;
  /** error / bound ("Infinity" when the bound is 0 and the error is not). */
  readonly errorOverBound?: number | string;
  /**
   * fast-check seed and path that reproduce the shrunk case. Absent path: the failure was not
   * found from the seed but by replaying a saved counterexample (`fromDatabase`).
   */
  readonly seed: number;
  readonly path?: string;
  /** The saved counterexample file whose case failed first (replayed from the database), if so. */
  readonly fromDatabase?: string;
  /** Shell command that replays the saved counterexample. */
  readonly replayCommand?: string;
  /** Where the counterexample was saved (relative to the working directory), if it was. */
  readonly counterexampleFile?: string;
  readonly heatmap?: FailureHeatmap;
  /**
   * A small failure shown whole (every tensor at most `SMALL_TENSOR_ELEMENTS` elements): the
   * inputs of the kernel call that failed, and the whole expected and actual outputs.
   */
  readonly whole?: {
    /** The call (`conv`, `dense`, …) and its inputs by name, as handed to the kernel (before its precision conversion). */
    readonly call?: { readonly method: string; readonly inputs: ReadonlyArray<{ readonly name: string } & WholeTensor> };
    readonly expected?: WholeTensor;
    readonly actual?: WholeTensor;
  };
}

/** What every property result carries, whatever its outcome. */
export interface PropertyResultBase {
  readonly id: string;
  readonly statement: string;
  readonly casesRun: number;
  readonly durationMs: number;
  /** Distinct kernel-call signatures (operation, shapes, attributes) the property exercised — for a GPU kernel, the programs it compiled. */
  readonly distinctShapes?: number;
  /**
   * What was cut short in this property and why, in sentences (a shrink stopped by its time
   * budget, calls limited to a shorter timeout after the kernel had already timed out, an
   * interruption during shrinking). Absent when nothing was cut.
   */
  readonly notes?: readonly string[];
}

/** Every case that ran passed. */
export interface PassedProperty extends PropertyResultBase {
  readonly status: 'passed';
}

/** A case failed: the (shrunk) counterexample. A property that had failed when the run was stopped stays failed. */
export interface FailedProperty extends PropertyResultBase {
  readonly status: 'failed';
  readonly failure: FailureDetail;
}

/** The property could not run (or not fully) on this kernel. */
export interface SkippedProperty extends PropertyResultBase {
  readonly status: 'skipped';
  /** Why (e.g. "kernel has no dense"). */
  readonly skipReason: string;
}

/**
 * The run was stopped (SIGINT / SIGTERM / an abort) while this property was running and before
 * it found a failure, so it has no verdict of its own.
 */
export interface InterruptedProperty extends PropertyResultBase {
  /**
   * Its `casesRun` cases had run when it was stopped. The JSON report adds
   * `"skipReason": "interrupted after N cases"` (its format before the union; see `reports/json.ts`).
   */
  readonly status: 'interrupted';
}

/** The outcome of one property: one case per status, each with exactly its own fields. */
export type PropertyResult = PassedProperty | FailedProperty | SkippedProperty | InterruptedProperty;

/** The reason shown beside a skipped or interrupted property (undefined for the others). */
export function propertyReason(p: PropertyResult | undefined): string | undefined {
  if (p?.status === 'skipped') return p.skipReason;
  if (p?.status === 'interrupted') return interruptedReason(p.casesRun);
  return undefined;
}

/** "interrupted after N cases": an interrupted property's reason, in the reports and the JSON file. */
export function interruptedReason(casesRun: number): string {
  return `interrupted after ${casesRun} cases`;
}

/** How often each parameter combination was exercised. */
export interface CoverageTable {
  /** Column names, e.g. ["rank", "asymmetricPads", "bias", "stride>1", "dilation>1", "group"]. */
  readonly dimensions: readonly string[];
  /** One row per combination seen, with its count; sorted by the dimension values. */
  readonly rows: ReadonlyArray<{ readonly values: readonly string[]; readonly count: number }>;
  /** Total cases counted. */
  readonly total: number;
}

/** The verdict of a run. */
export type RunStatus = RunVerdict['status'];

/**
 * The verdict of a run and its boolean twin: `passed` (every property that ran passed, skips
 * allowed), `failed` (some property failed) or `interrupted` (the run was stopped before every
 * property finished; never `passed`, whatever ran, and whatever failed before the stop is still
 * listed as failed). `interrupted` is true exactly for the last (kept for readers of the boolean).
 */
export type RunVerdict =
  | { readonly status: 'passed' | 'failed'; readonly interrupted: false }
  | { readonly status: 'interrupted'; readonly interrupted: true };

/** The verdict of a run that was or was not stopped, with `failed` properties among its results. */
export function runVerdict(interrupted: boolean, failed: number): RunVerdict {
  return interrupted ? { status: 'interrupted', interrupted: true } : { status: failed > 0 ? 'failed' : 'passed', interrupted: false };
}

/**
 * Counts of a run. `total` is the number of properties selected; `interrupted` the property
 * that was running when the run was stopped (0 or 1); `notRun` those that never started.
 * passed + failed + skipped + interrupted + notRun = total.
 */
export interface RunSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly interrupted: number;
  readonly notRun: number;
  readonly total: number;
}

/** Options recorded in the report. */
export interface ReportOptions {
  readonly runs: number;
  readonly size: SizeTier;
  readonly timeoutMs: number;
  /** Property ids requested, or "all". */
  readonly properties: readonly string[] | 'all';
  /** Distinct shapes drawn per property (later cases re-use them with fresh data), if budgeted. */
  readonly shapeBudget?: number;
  /** The wall-clock budget spread over the properties, ms, when one was given. */
  readonly timeBudgetMs?: number;
  /** This run is shard `index` of `count` (`--shard i/n`); `convcheck merge` joins the shards (`runner/merge.ts`). */
  readonly shard?: ShardOption;
}

/**
 * `--shard i/n`: the run is the `index`-th (1-based) of `count` interleaved slices of `of` — the
 * property ids requested before slicing, or "all" — or, with `over: 'layers'`, of a model's layers.
 */
export interface ShardOption {
  readonly index: number;
  readonly count: number;
  readonly of: readonly string[] | 'all';
  /** What is sliced: the properties (default) or a model's layers (`--model`). */
  readonly over?: 'properties' | 'layers';
}

/** The full verification report: its body and the run's verdict (`status`, `interrupted`). */
export type VerificationReport = ReportBody & RunVerdict;

/** The verification report apart from the verdict. */
export interface ReportBody {
  readonly tool: { readonly name: 'convcheck'; readonly version: string };
  readonly kernel: {
    readonly name: string;
    readonly precision: Precision;
    /** Precision of the accumulation (= `precision` unless the kernel declares a wider one). */
    readonly accumulation: Precision;
    /** The error model the kernel was judged by, and its κ (1 for `elementwise`). */
    readonly errorModel: ErrorModel;
    readonly errorFactor: number;
    readonly capabilities: CompleteCapabilities;
    /** How it was specified: `builtin:im2col`, a module path, or "api". */
    readonly source: string;
  };
  /** The 32-bit seed the run used (what `--seed` and `VerifyOptions.seed` reproduce). */
  readonly seed: number;
  /** The seed exactly as it was given (`--seed 12065425413`, `--seed main-1234`), when it was. */
  readonly seedGiven?: string;
  readonly options: ReportOptions;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: RunSummary;
  readonly properties: readonly PropertyResult[];
  readonly coverage: CoverageTable;
  /** The run-wide shape plan and what it covered (absent when the run drew random shapes only). */
  readonly shapePlan?: ShapePlanSummary;
  /** What of the kernel's own code and GPU programs the run reached (`--coverage`, `--guided`), when collected. */
  readonly kernelCoverage?: KernelCoverageReport;
  /** What the numerics probe found before the run, and what the run did about it (absent when not probed). */
  readonly platformNumerics?: PlatformNumerics;
  /** A `--model` run: the model and the verdict of each of its layers. */
  readonly model?: ModelReport;
}

/** The shape plan of a run (`arbitraries/shape-plan.ts`): pairs of classes covered, and the programs compiled. */
export interface ShapePlanSummary {
  /** `all`: every planned case a plan shape (browser, --shape-budget); `mixed`: single-call properties add each plan shape to their random cases. */
  readonly mode: 'all' | 'mixed';
  readonly operators: ReadonlyArray<{
    readonly operator: string;
    readonly parameters: readonly string[];
    /** Plan shapes. */
    readonly shapes: number;
    readonly pairsCovered: number;
    readonly pairsTotal: number;
    /** Pairs no shape within the capabilities and the plan's size limits can hold, each with the constraint that excludes it. */
    readonly uncovered: ReadonlyArray<{ readonly pair: string; readonly reason: string }>;
    /** Classes the capabilities leave out. */
    readonly excluded: readonly string[];
  }>;
  /** Distinct call signatures (operation, shapes, attributes) of the whole run: for a GPU kernel, the programs it compiled at most. */
  readonly programs: number;
  /** Milliseconds spent building the plan. */
  readonly buildMs: number;
}

/** The model of a `--model` run and what became of each of its nodes. */
export interface ModelReport {
  /** The model file as given. */
  readonly file: string;
  /** SHA-256 of the model file (hex); a saved counterexample names it, and replay checks it. */
  readonly sha256: string;
  /** Whose data the layers ran on: the model's own weights and activations, or generated data of the same shapes. */
  readonly data: 'real' | 'generated';
  /** The input the activations came from: the `--model-input` file, or `generated (seed N)`. */
  readonly input: string;
  /** The layers convcheck checked, in the model's node order. */
  readonly layers: readonly LayerVerdict[];
  /** Nodes of a kernel operator's type convcheck could not express, each with the reason. */
  readonly skipped: ReadonlyArray<{ readonly node: string; readonly opType: string; readonly reason: string }>;
}

/** The verdict of one model layer, over every property that ran it. */
export interface LayerVerdict {
  /** Position of the node in the graph (0-based). */
  readonly index: number;
  readonly node: string;
  /** ONNX op type (`Conv`, `Gemm`, …) and the convcheck operator it runs as (`conv`, `dense`, …). */
  readonly opType: string;
  readonly operator: string;
  /** The layer's geometry in one line (`x=[1,3,32,32] w=[8,3,3,3] …`). */
  readonly shapes: string;
  /** `failed`: some property failed on this layer; `passed`: every property that ran it passed; `not-run`: none ran it (capabilities, cost caps, another shard). */
  readonly status: 'passed' | 'failed' | 'not-run';
  /** Cases run on this layer, over all properties. */
  readonly cases: number;
  /** Properties that ran the layer, and those that failed on it. */
  readonly properties: readonly string[];
  readonly failedProperties: readonly string[];
  /** Largest |actual − expected| / bound over the layer's judged outputs ("Infinity" for an error where the bound is 0). */
  readonly worstErrorOverBound?: number | string;
  /** The saved counterexample of the first failure on this layer. */
  readonly counterexampleFile?: string;
}

/** The failure of a failed property, undefined for the others. */
export function propertyFailure(p: PropertyResult | undefined): FailureDetail | undefined {
  return p?.status === 'failed' ? p.failure : undefined;
}
