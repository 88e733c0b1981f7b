/**
 * The verification report: what `verifyKernel` returns and what the CLI writes as
 * `verification.json` (and renders as Markdown, HTML and JUnit).
 */
import type { CompleteCapabilities, Precision } from '../contract.js';
import type { FailureHeatmap, FailureKind, Regime, SizeTier } from '../vocabulary.js';

export type { SizeTier, Regime, FailureKind, FailureHeatmap } from '../vocabulary.js';

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
  /** fast-check seed and path that reproduce the shrunk case. */
  readonly seed: number;
  readonly path?: string;
  /** Shell command that replays the saved counterexample. */
  readonly replayCommand?: string;
  /** Where the counterexample was saved (relative to the working directory), if it was. */
  readonly counterexampleFile?: string;
  readonly heatmap?: FailureHeatmap;
}

/** The outcome of one property. */
export interface PropertyResult {
  readonly id: string;
  readonly statement: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped (e.g. "kernel has no dense"). */
  readonly skipReason?: string;
  readonly casesRun: number;
  readonly durationMs: number;
  readonly failure?: FailureDetail;
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

/** Options recorded in the report. */
export interface ReportOptions {
  readonly runs: number;
  readonly size: SizeTier;
  readonly timeoutMs: number;
  /** Property ids requested, or "all". */
  readonly properties: readonly string[] | 'all';
}

/** The full verification report. */
export interface VerificationReport {
  readonly tool: { readonly name: 'convcheck'; readonly version: string };
  readonly kernel: {
    readonly name: string;
    readonly precision: Precision;
    readonly capabilities: CompleteCapabilities;
    /** How it was specified: `builtin:im2col`, a module path, or "api". */
    readonly source: string;
  };
  readonly seed: number;
  readonly options: ReportOptions;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly status: 'passed' | 'failed';
  /** True when the run was interrupted (Ctrl-C) and the report is partial. */
  readonly interrupted: boolean;
  readonly summary: { readonly passed: number; readonly failed: number; readonly skipped: number; readonly total: number };
  readonly properties: readonly PropertyResult[];
  readonly coverage: CoverageTable;
}
