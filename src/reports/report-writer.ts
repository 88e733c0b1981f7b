/**
 * What a report format is, apart from the writers that implement it and from `writer.ts`, which
 * lists them: a type file never imports its implementers (no file-level import cycle).
 */
import type { VerificationReport } from '../runner/report.js';

/** One report format: a file name and a pure function from the report to the file's text. */
export interface ReportWriter {
  /** Short format name for selecting writers, e.g. `json`, `html`. */
  readonly format: string;
  /** File name inside the report directory, e.g. `verification.json`. */
  readonly fileName: string;
  /** Renders the whole file. Must not throw on a partial (interrupted) report. */
  render(report: VerificationReport): string;
}
