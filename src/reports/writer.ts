/**
 * The report writers: one per format behind one interface, and `writeReports`, which renders
 * them all and writes the files into a directory.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory, writeFileAtomically } from '../fs-safe.js';
import type { VerificationReport } from '../runner/report.js';
import { HtmlReportWriter } from './html.js';
import { JsonReportWriter } from './json.js';
import { JunitReportWriter } from './junit.js';
import { MarkdownReportWriter } from './markdown.js';
import type { ReportWriter } from './report-writer.js';

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
  await ensureDirectory(dir);
  // Sequential, so an interrupted process leaves the earlier (more important) files complete.
  for (const f of files) await writeFileAtomically(f.path, f.text);
  return files.map((f) => f.path);
}

/**
 * Checks, before a run, that the reports can be written into `dir`: creates it (and its
 * parents) if missing and writes and removes a probe file. Throws the file-system error (a
 * file in the way, a read-only file system, no permission, `/proc`), so a run whose results
 * could not be saved does not start.
 */
export async function checkReportDirectory(dir: string): Promise<void> {
  await ensureDirectory(dir);
  const probe = join(dir, `.convcheck-probe-${process.pid}`);
  try {
    await writeFile(probe, '');
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}
