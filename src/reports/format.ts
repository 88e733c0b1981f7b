/**
 * Plain-text formatting shared by the report writers (numbers, durations, statuses, the fields
 * of a failure). Nothing here escapes: each writer escapes for its own format.
 */
import type { FailureDetail, PropertyResult, VerificationReport } from '../runner/report.js';

/** Formats a duration: `850 ms`, `12.3 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * Formats a value from a failure (expected, actual, error, bound) exactly: the shortest decimal
 * that round-trips, because the last digits are what a reader compares. Strings ("NaN",
 * "Infinity") pass through.
 */
export function formatValue(v: number | string): string {
  return typeof v === 'number' ? String(v) : v;
}

/** Formats an error/bound ratio to 4 significant digits (`12.35`, `1.235e+5`); strings pass through. */
export function formatRatio(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs >= 1e6 || abs < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** Formats a multi-index as `[0,2,3,4]`. */
export function formatIndex(index: readonly number[]): string {
  return `[${index.join(',')}]`;
}

/** The status of a property as a short word: PASS, FAIL, SKIP or STOP (interrupted while it ran). */
export function statusLabel(status: PropertyResult['status']): 'PASS' | 'FAIL' | 'SKIP' | 'STOP' {
  switch (status) {
    case 'passed':
      return 'PASS';
    case 'failed':
      return 'FAIL';
    case 'skipped':
      return 'SKIP';
    case 'interrupted':
      return 'STOP';
  }
}

/** The verdict of a report as a word: PASSED, FAILED or INTERRUPTED (never PASSED for a stopped run). */
export function verdictLabel(report: Pick<VerificationReport, 'status'>): 'PASSED' | 'FAILED' | 'INTERRUPTED' {
  switch (report.status) {
    case 'passed':
      return 'PASSED';
    case 'failed':
      return 'FAILED';
    case 'interrupted':
      return 'INTERRUPTED';
  }
}

/**
 * The counts of a report in words: `3 passed, 1 failed, 1 skipped of 5 properties`, plus
 * `, 1 interrupted, 12 not run` for a stopped run.
 */
export function formatCounts(summary: VerificationReport['summary']): string {
  const noun = summary.total === 1 ? 'property' : 'properties';
  const stopped = summary.interrupted > 0 || summary.notRun > 0 ? `, ${summary.interrupted} interrupted, ${summary.notRun} not run` : '';
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${stopped} of ${summary.total} ${noun}`;
}

/** The run's seed for humans: `-819476475 (from --seed 12065425413)` when the given seed was mapped. */
export function formatSeed(report: Pick<VerificationReport, 'seed' | 'seedGiven'>): string {
  return report.seedGiven !== undefined && report.seedGiven !== String(report.seed)
    ? `${report.seed} (from ${report.seedGiven})`
    : String(report.seed);
}

/** The note shown at the top of an interrupted run's report. */
export const INTERRUPTED_NOTE = 'interrupted — partial report';

/** The sentence under an interrupted run's headline: what ran and what did not. */
export function interruptedSentence(summary: VerificationReport['summary']): string {
  const ran = summary.total - summary.notRun - summary.interrupted;
  return (
    `The run was stopped before every property finished: ${ran} of ${summary.total} finished, ` +
    `${summary.interrupted} interrupted while running, ${summary.notRun} not run. ` +
    'This is not a pass; failures found before the stop are listed as failures.'
  );
}

/** A small tensor in one line: `[1,1,3] = [1, 2, -3]`. */
export function formatWhole(t: { readonly shape: readonly number[]; readonly values: ReadonlyArray<number | string> }): string {
  return `${formatIndex(t.shape)} = [${t.values.map((v) => formatValue(v)).join(', ')}]`;
}

/** The fields of a small failure shown whole: the failing call's inputs, the whole expected and actual outputs. */
export function wholeFields(f: FailureDetail): Array<readonly [label: string, value: string]> {
  const w = f.whole;
  if (w === undefined) return [];
  const out: Array<readonly [string, string]> = [];
  for (const i of w.call?.inputs ?? []) out.push([`Input ${i.name} of ${w.call!.method}()`, formatWhole(i)]);
  if (w.expected !== undefined) out.push(['Expected (whole)', formatWhole(w.expected)]);
  if (w.actual !== undefined) out.push(['Actual (whole)', formatWhole(w.actual)]);
  return out;
}

/**
 * The labelled fields of a failure, in reading order, omitting those that are absent. The
 * problem line and the replay command are not included: every writer gives them their own
 * place (a heading, a code block).
 */
export function failureFields(f: FailureDetail): Array<readonly [label: string, value: string]> {
  const fields: Array<readonly [string, string]> = [
    ['Kind', f.kind],
    ['Message', f.message],
  ];
  if (f.regime !== undefined) fields.push(['Regime', f.regime]);
  if (f.index !== undefined) fields.push(['First mismatch', formatIndex(f.index)]);
  if (f.expected !== undefined) fields.push(['Expected', formatValue(f.expected)]);
  if (f.actual !== undefined) fields.push(['Actual', formatValue(f.actual)]);
  if (f.error !== undefined) fields.push(['Error |actual − expected|', formatValue(f.error)]);
  if (f.bound !== undefined) fields.push(['Bound', formatValue(f.bound)]);
  if (f.errorOverBound !== undefined) fields.push(['Error / bound', formatRatio(f.errorOverBound)]);
  if (f.fromDatabase !== undefined) {
    fields.push([
      'From database',
      `${f.fromDatabase} (a saved counterexample replayed first; the seed does not reproduce it, the file does)`,
    ]);
  } else {
    fields.push(['Seed', String(f.seed)]);
  }
  if (f.path !== undefined) fields.push(['Path', f.path]);
  fields.push(...wholeFields(f));
  if (f.counterexampleFile !== undefined) fields.push(['Counterexample file', f.counterexampleFile]);
  return fields;
}
