/**
 * `convcheck merge DIR… [--report-dir OUT]`: reads each shard's `verification.json`, joins them
 * (`runner/merge.ts`), copies every shard's saved counterexamples into `OUT/counterexamples` (the
 * failures then point at the copies) and writes the four report files into OUT.
 */
import { cp, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ReportMergeError, UsageError } from '../errors.js';
import { reportFromJson } from '../reports/json.js';
import { writeReports } from '../reports/writer.js';
import { mergeReports, type ShardReport } from '../runner/merge.js';
import { type FailureDetail, propertyFailure, type VerificationReport } from '../runner/report.js';
import type { MergeCommand } from './args.js';
import { formatSummary } from './summary.js';
import { formatLayerVerdicts } from './model.js';

/** `convcheck merge --help`. */
export const MERGE_HELP = `convcheck merge DIR... [--report-dir OUT]
  Joins the reports of the shards of one run (convcheck verify --shard i/n, each shard's
  --report-dir one DIR) into one report set in OUT (default reports): verification.json, .md,
  .html, junit.xml, the summary, the coverage table, the per-layer verdicts of a --model run,
  and every shard's counterexamples (copied into OUT/counterexamples). Refuses, in one line and
  with exit code 2, shards of different kernels, seeds, options, models or convcheck versions,
  a shard given twice and a missing shard.
  Exit code: 0 all passed, 1 a property failed, 130 a shard was interrupted, 2 error.
`;

/** The report of one shard directory, or a `ReportMergeError` saying why there is none. */
async function readShard(dir: string): Promise<ShardReport> {
  const file = join(dir, 'verification.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ReportMergeError(
      dir,
      'verification.json',
      `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); each DIR is a shard's --report-dir`,
    );
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    throw new ReportMergeError(dir, 'verification.json', `${file} is not JSON`);
  }
  const r = report as Partial<VerificationReport>;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.tool?.name !== 'convcheck' ||
    !Array.isArray(r.properties) ||
    r.options === undefined ||
    r.coverage === undefined
  ) {
    throw new ReportMergeError(dir, 'verification.json', `${file} is not a convcheck verification report`);
  }
  return { dir, report: reportFromJson(report as VerificationReport) };
}

/**
 * Where the counterexample files the shards' reports name lie after the merge: each was saved as
 * `<shard report dir>/counterexamples/<kernel>/<name>.json`, but its path in the report is relative
 * to the shard's working directory, which a merge job does not share — so it is found by its last
 * two path parts under the shard's directory, and maps to the same two parts under OUT.
 */
async function relocations(shards: readonly ShardReport[], outDir: string): Promise<Map<string, string>> {
  const moved = new Map<string, string>();
  for (const s of shards) {
    const named = [
      ...s.report.properties.map((p) => propertyFailure(p)?.counterexampleFile),
      ...(s.report.model?.layers.map((l) => l.counterexampleFile) ?? []),
    ];
    for (const f of named) {
      if (f === undefined) continue;
      const tail = join(basename(dirname(f)), basename(f));
      if (!(await exists(join(s.dir, 'counterexamples', tail)))) continue;
      const to = join(outDir, 'counterexamples', tail);
      moved.set(f, relative(process.cwd(), to) || to);
    }
  }
  return moved;
}

/** A failure pointing at its counterexample's copy. */
function relocated(f: FailureDetail, moved: ReadonlyMap<string, string>): FailureDetail {
  const to = f.counterexampleFile === undefined ? undefined : moved.get(f.counterexampleFile);
  if (to === undefined) return f;
  return {
    ...f,
    counterexampleFile: to,
    ...(f.replayCommand !== undefined ? { replayCommand: f.replayCommand.split(f.counterexampleFile!).join(to) } : {}),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Runs `convcheck merge`; resolves to the exit code (0 passed, 1 failed, 130 interrupted). */
export async function runMerge(cmd: MergeCommand, io: { readonly stdout: { write(text: string): unknown } }): Promise<number> {
  const out = resolve(cmd.reportDir);
  for (const d of cmd.dirs)
    if (resolve(d) === out)
      throw new UsageError(`convcheck merge: --report-dir ${cmd.reportDir} is one of the shard directories; merge into another`);
  const shards: ShardReport[] = [];
  for (const d of cmd.dirs) shards.push(await readShard(d));
  const merged = mergeReports(shards);
  // counterexamples: every shard's, so each failure's file and the database for the next run travel together
  for (const s of shards) {
    const from = join(s.dir, 'counterexamples');
    if (!(await exists(from))) continue;
    try {
      await cp(from, join(out, 'counterexamples'), { recursive: true });
    } catch (e) {
      // an OUT that cannot be written fails here first: the same one-line usage error as the reports' write
      throw new UsageError(`cannot write the reports into --report-dir ${cmd.reportDir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const moved = await relocations(shards, cmd.reportDir);
  const report: VerificationReport = {
    ...merged,
    properties: merged.properties.map((p) => (p.status === 'failed' ? { ...p, failure: relocated(p.failure, moved) } : p)),
    ...(merged.model !== undefined
      ? {
          model: {
            ...merged.model,
            layers: merged.model.layers.map((l) =>
              l.counterexampleFile !== undefined && moved.has(l.counterexampleFile)
                ? { ...l, counterexampleFile: moved.get(l.counterexampleFile)! }
                : l,
            ),
          },
        }
      : {}),
  };
  let files: string[];
  try {
    files = await writeReports(report, cmd.reportDir);
  } catch (e) {
    throw new UsageError(`cannot write the reports into --report-dir ${cmd.reportDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  io.stdout.write(
    `convcheck merge: ${shards.length} shard${shards.length === 1 ? '' : 's'} of ${report.kernel.name}, seed ${report.seed}\n`,
  );
  io.stdout.write(formatSummary(report, files, { listProperties: false }));
  if (report.model !== undefined) io.stdout.write(formatLayerVerdicts(report.model));
  return report.status === 'interrupted' ? 130 : report.status === 'passed' ? 0 : 1;
}
