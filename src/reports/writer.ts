/**
 * The report writers: one per format behind one interface, and `writeReports`, which renders
 * them all and writes the files into a directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VerificationReport } from '../runner/report.js';
import { HtmlReportWriter } from './html.js';
import { JsonReportWriter } from './json.js';
import { JunitReportWriter } from './junit.js';
import { MarkdownReportWriter } from './markdown.js';

/** One report format: a file name and a pure function from the report to the file's text. */
export interface ReportWriter {
  /** Short format name for selecting writers, e.g. `json`, `html`. */
  readonly format: string;
  /** File name inside the report directory, e.g. `verification.json`. */
  readonly fileName: string;
  /** Renders the whole file. Must not throw on a partial (interrupted) report. */
  render(report: VerificationReport): string;
}

/** Every report writer, in the order their files are written: JSON, Markdown, HTML, JUnit. */
export const reportWriters: readonly ReportWriter[] = [
  new JsonReportWriter(),
  new MarkdownReportWriter(),
  new HtmlReportWriter(),
  new JunitReportWriter(),
];

/**
 * Renders `report` with each writer and writes the files into `dir` (created if missing);
 * resolves to the written paths (`join(dir, fileName)`), in the writers' order.
 *
 * Every file is written to a temporary name in the same directory and then renamed over the
 * target, so a reader (or a second call from the Ctrl-C handler racing the normal one) sees
 * either the old file or the new one, never a truncated file. All files are rendered before
 * any is written, so a writer that throws leaves the directory untouched.
 * @example await writeReports(report, 'reports') // ['reports/verification.json', …]
 */
export async function writeReports(
  report: VerificationReport,
  dir: string,
  writers: readonly ReportWriter[] = reportWriters,
): Promise<string[]> {
  const files = writers.map((w) => ({ path: join(dir, w.fileName), text: w.render(report) }));
  await mkdir(dir, { recursive: true });
  // Sequential, so an interrupted process leaves the earlier (more important) files complete.
  for (const f of files) await writeAtomically(f.path, f.text);
  return files.map((f) => f.path);
}

/** Writes `text` to a unique temporary file next to `path`, then renames it to `path`. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
