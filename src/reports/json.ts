/** The JSON report writer: `verification.json`, the report object itself. */
import type { VerificationReport } from '../runner/report.js';
import type { ReportWriter } from './report-writer.js';

/**
 * `JSON.stringify` writes NaN and ±Infinity as `null`, which would silently lose them. The
 * report already stores non-finite values as strings where it expects them; this replacer
 * applies the same convention to any other number (e.g. `capabilities.maxElements`, which
 * defaults to Infinity, or a heat-map ratio with a zero bound), writing "NaN", "Infinity" or
 * "-Infinity".
 */
function nonFiniteAsString(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Writes `verification.json`: the report, pretty-printed with two spaces and a final newline. */
export class JsonReportWriter implements ReportWriter {
  readonly format = 'json';
  readonly fileName = 'verification.json';

  render(report: VerificationReport): string {
    return `${JSON.stringify(report, nonFiniteAsString, 2)}\n`;
  }
}
