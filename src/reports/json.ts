/** The JSON report writer: `verification.json`, the report object itself — and its reader. */
import type { PropertyResult, VerificationReport } from '../runner/report.js';
import { interruptedReason } from '../runner/report.js';
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

/**
 * A property as the file stores it. An interrupted property gets
 * `"skipReason": "interrupted after N cases"` after its status: the file's format from before
 * `PropertyResult` became a union, which readers (CI scripts, `convcheck merge`) rely on.
 */
function propertyJson(p: PropertyResult): object {
  if (p.status !== 'interrupted') return p;
  return Object.fromEntries(
    Object.entries(p).flatMap(([k, v]) =>
      k === 'status'
        ? [
            [k, v],
            ['skipReason', interruptedReason(p.casesRun)],
          ]
        : [[k, v]],
    ),
  );
}

/** Writes `verification.json`: the report, pretty-printed with two spaces and a final newline. */
export class JsonReportWriter implements ReportWriter {
  readonly format = 'json';
  readonly fileName = 'verification.json';

  render(report: VerificationReport): string {
    return `${JSON.stringify({ ...report, properties: report.properties.map(propertyJson) }, nonFiniteAsString, 2)}\n`;
  }
}

/**
 * The report a parsed `verification.json` holds: `JsonReportWriter`'s mapping undone (an
 * interrupted property's "interrupted after N cases" dropped: its `casesRun` says it).
 */
export function reportFromJson(parsed: VerificationReport): VerificationReport {
  const properties = parsed.properties.map((p) => {
    if (p.status !== 'interrupted' || !('skipReason' in p)) return p;
    const { skipReason: _written, ...result } = p as PropertyResult & { readonly skipReason: unknown };
    return result as PropertyResult;
  });
  return { ...parsed, properties };
}
