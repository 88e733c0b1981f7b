/**
 * The text `convcheck verify` prints after a run: one line per property, the recipe of each
 * failure (problem, index, expected, actual, error, bound, seed, path, replay command), the
 * verdict and where the reports are.
 */
import { failureFields, formatCounts, formatDuration, statusLabel, verdictLabel } from '../reports/format.js';
import type { VerificationReport } from '../runner/report.js';

/** Formats the end-of-run summary of `report`; `reportFiles` are the paths `writeReports` returned. */
export function formatSummary(report: VerificationReport, reportFiles: readonly string[]): string {
  const lines: string[] = [];
  const idWidth = Math.max(0, ...report.properties.map((p) => p.id.length));
  const casesWidth = Math.max(0, ...report.properties.map((p) => String(p.casesRun).length));
  for (const p of report.properties) {
    const cases = `${String(p.casesRun).padStart(casesWidth)} cases`;
    const skip = p.status === 'skipped' ? `  (${p.skipReason ?? 'skipped'})` : '';
    lines.push(`${statusLabel(p.status)}  ${p.id.padEnd(idWidth)}  ${cases}  ${formatDuration(p.durationMs)}${skip}`);
    const f = p.failure;
    if (p.status !== 'failed' || f === undefined) continue;
    const fields: Array<readonly [string, string]> = [['Problem', f.problem], ...failureFields(f)];
    if (f.replayCommand !== undefined) fields.push(['Replay', f.replayCommand]);
    const w = Math.max(...fields.map(([label]) => label.length));
    for (const [label, value] of fields) lines.push(`      ${`${label}:`.padEnd(w + 1)}  ${oneLine(value)}`);
  }
  if (report.properties.length > 0) lines.push('');
  const verdict = report.interrupted ? `INTERRUPTED (partial report), ${verdictLabel(report)} so far` : verdictLabel(report);
  lines.push(
    `${verdict}: ${formatCounts(report.summary)} in ${formatDuration(report.durationMs)} ` +
      `— kernel ${report.kernel.name} (${report.kernel.precision}), seed ${report.seed}`,
  );
  if (reportFiles.length > 0) lines.push(`Reports: ${reportFiles.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/** Quotes `s` for a POSIX shell when it holds anything beyond a safe set of characters. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
