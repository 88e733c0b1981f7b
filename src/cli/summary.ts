/**
 * The text `convcheck verify` prints after a run: one line per property, the recipe of each
 * failure (problem, index, expected, actual, error, bound, seed, path, replay command), the
 * verdict and where the reports are.
 */
import { failureFields, formatCounts, formatDuration, formatSeed, statusLabel, verdictLabel } from '../reports/format.js';
import { describeNumerics } from '../bound/error-model.js';
import { propertyFailure, propertyReason, type VerificationReport } from '../runner/report.js';
import { terminalSafe } from '../terminal.js';

/** Options of `formatSummary`. */
export interface SummaryOptions {
  /**
   * List every property (default true). The CLI passes false: its progress output already
   * printed one line per property, and a CI log should show each property once.
   */
  readonly listProperties?: boolean;
}

/**
 * Formats the end-of-run summary of `report`; `reportFiles` are the paths `writeReports` returned.
 * Every value that can come from a kernel (name, messages, problem lines) is made terminal-safe.
 */
export function formatSummary(report: VerificationReport, reportFiles: readonly string[], options: SummaryOptions = {}): string {
  const list = options.listProperties ?? true;
  const lines: string[] = [];
  const idWidth = Math.max(0, ...report.properties.map((p) => p.id.length));
  const casesWidth = Math.max(0, ...report.properties.map((p) => String(p.casesRun).length));
  // With a shape budget, how many distinct shapes (GPU programs) each property exercised.
  const budgeted = report.options.shapeBudget !== undefined;
  const shapesWidth = Math.max(0, ...report.properties.map((p) => String(p.distinctShapes ?? 0).length));
  for (const p of report.properties) {
    const f = propertyFailure(p);
    const detailed = f !== undefined;
    if (list) {
      const shapes = budgeted && p.distinctShapes !== undefined ? `, ${String(p.distinctShapes).padStart(shapesWidth)} shapes` : '';
      const cases = `${String(p.casesRun).padStart(casesWidth)} cases${shapes}`;
      const reason = propertyReason(p);
      const skip = reason !== undefined ? `  (${terminalSafe(reason)})` : '';
      lines.push(`${statusLabel(p.status)}  ${p.id.padEnd(idWidth)}  ${cases}  ${formatDuration(p.durationMs)}${skip}`);
    } else if (detailed || (p.notes?.length ?? 0) > 0) {
      lines.push(`${p.id}${detailed ? ' failed' : ''}:`);
    }
    const fields: Array<readonly [string, string]> = [];
    if (detailed) {
      fields.push(['Problem', f.problem], ...failureFields(f));
      if (f.replayCommand !== undefined) fields.push(['Replay', f.replayCommand]);
    }
    for (const n of p.notes ?? []) fields.push(['Note', n]);
    if (fields.length === 0) continue;
    const w = Math.max(...fields.map(([label]) => label.length));
    for (const [label, value] of fields) lines.push(`      ${`${label}:`.padEnd(w + 1)}  ${terminalSafe(oneLine(value))}`);
  }
  if (lines.length > 0) lines.push('');
  lines.push(
    `${verdictLabel(report)}${report.status === 'interrupted' ? ' (partial report)' : ''}: ${formatCounts(report.summary)} in ${formatDuration(report.durationMs)} ` +
      `— kernel ${terminalSafe(report.kernel.name)} (${describeNumerics(report.kernel)}), seed ${terminalSafe(formatSeed(report))}`,
  );
  if (report.shapePlan !== undefined) {
    const sp = report.shapePlan;
    const ops = sp.operators.map((o) => `${o.operator} ${o.shapes} shapes, ${o.pairsCovered}/${o.pairsTotal} pairs`).join('; ');
    lines.push(`Shape plan: ${ops}; ${sp.programs} distinct call signatures (programs) in the run`);
  }
  if (reportFiles.length > 0) lines.push(`Reports: ${reportFiles.map(terminalSafe).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Quotes `s` for a POSIX shell when it holds anything beyond a safe set of characters. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
