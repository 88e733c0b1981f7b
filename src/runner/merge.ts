/**
 * `mergeReports`: joins the reports of the shards of one run (`convcheck verify --shard i/n`,
 * each in its own CI job) into the report the unsharded run would have written — the property
 * results in catalog order, the summary, the coverage table (counts added), the per-layer verdicts
 * of a model run — after checking that the shards belong together: the same convcheck version,
 * kernel, seed and options (the shard aside), and every shard 1..n exactly once. Pure; the CLI
 * (`cli/merge.ts`) reads the directories, copies the counterexamples and writes the files.
 *
 * Why the merge equals the unsharded run: every property's fast-check run is seeded with the run's
 * seed alone (`verifyKernel`), not with its position in the list, so the cases a property draws do
 * not depend on which other properties share its process.
 */
import { isDeepStrictEqual } from 'node:util';
import { catalog } from '../catalog/index.js';
import { ReportMergeError } from '../errors.js';
import {
  type CoverageTable,
  type LayerVerdict,
  type ModelReport,
  type PropertyResult,
  type ReportOptions,
  runVerdict,
  type VerificationReport,
} from './report.js';

/** A shard's report and the directory it was read from (named in errors). */
export interface ShardReport {
  readonly dir: string;
  readonly report: VerificationReport;
}

/** The first field (dotted) in which two values differ, or undefined. */
function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d !== undefined) return d;
    }
  }
  return at;
}

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** The value at a dotted path (`kernel.capabilities.group`) of a report. */
function at(report: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), report);
}

/** What must be equal across shards: everything that decides which cases run and how they are judged. */
function identity(r: VerificationReport): Record<string, unknown> {
  const { shard, properties, ...options } = r.options;
  return {
    tool: r.tool,
    kernel: r.kernel,
    seed: r.seed,
    seedGiven: r.seedGiven,
    options: { ...options, ...(shard?.over === 'layers' ? { properties } : {}) },
    shard: shard === undefined ? undefined : { count: shard.count, of: shard.of, over: shard.over ?? 'properties' },
    model: r.model === undefined ? undefined : { file: r.model.file, sha256: r.model.sha256, data: r.model.data, input: r.model.input },
  };
}

/** Worst status first: a property that failed in any shard failed. */
const STATUS_ORDER: readonly PropertyResult['status'][] = ['failed', 'interrupted', 'passed', 'skipped'];

/** One property's results from several layer shards (each ran some of the model's layers) as one. */
function combineProperty(parts: readonly PropertyResult[]): PropertyResult {
  if (parts.length === 1) return parts[0];
  const status = STATUS_ORDER.find((s) => parts.some((p) => p.status === s))!;
  // the worst outcome's first part gives the failure, the skip reason or the interruption
  const worst = parts.find((p) => p.status === status)!;
  const notes = [...new Set(parts.flatMap((p) => p.notes ?? []))];
  const ran = parts.filter((p) => p.casesRun > 0);
  const shapes = parts.filter((p) => p.distinctShapes !== undefined);
  const head = { id: parts[0].id, statement: parts[0].statement };
  const counts = {
    casesRun: parts.reduce((a, p) => a + p.casesRun, 0),
    durationMs: parts.reduce((a, p) => a + p.durationMs, 0),
    ...(shapes.length > 0 && ran.length > 0 ? { distinctShapes: shapes.reduce((a, p) => a + (p.distinctShapes ?? 0), 0) } : {}),
  };
  const withNotes = notes.length > 0 ? { notes } : {};
  switch (worst.status) {
    case 'passed':
      return { ...head, status: 'passed', ...counts, ...withNotes };
    case 'failed':
      return { ...head, status: 'failed', ...counts, failure: worst.failure, ...withNotes };
    case 'skipped':
      return { ...head, status: 'skipped', skipReason: worst.skipReason, ...counts, ...withNotes };
    case 'interrupted':
      return { ...head, status: 'interrupted', ...counts, ...withNotes };
  }
}

/** Coverage tables added row by row, sorted as `verifyKernel` sorts them. */
function addCoverage(tables: readonly CoverageTable[]): CoverageTable {
  const rows = new Map<string, { values: readonly string[]; count: number }>();
  for (const t of tables) {
    for (const r of t.rows) {
      const key = r.values.join('\u0000');
      const row = rows.get(key);
      if (row) row.count += r.count;
      else rows.set(key, { values: r.values, count: r.count });
    }
  }
  const sorted = [...rows.values()].sort((a, b) => a.values.join('|').localeCompare(b.values.join('|')));
  return { dimensions: tables[0].dimensions, rows: sorted, total: tables.reduce((a, t) => a + t.total, 0) };
}

/**
 * Checks that `shards` are the shards 1..n of one run and merges their reports. Throws
 * `ReportMergeError` (one line: the two directories, the field and both values) when they are not.
 * @example mergeReports([{ dir: 'shard-1', report: r1 }, { dir: 'shard-2', report: r2 }])
 */
export function mergeReports(shards: readonly ShardReport[]): VerificationReport {
  if (shards.length === 0) throw new ReportMergeError('', 'dirs', 'no report directories given');
  for (const s of shards) {
    if (s.report.options.shard === undefined)
      throw new ReportMergeError(s.dir, 'options.shard', `${s.dir} is not a shard's report (it was not run with --shard i/n)`);
  }
  const first = shards[0];
  const base = identity(first.report);
  for (const s of shards.slice(1)) {
    const field = firstDifference(base, identity(s.report), '');
    if (field === undefined) continue;
    const path = field.slice(1);
    const what = path.startsWith('tool')
      ? 'convcheck versions'
      : path.startsWith('kernel')
        ? 'kernels'
        : path.startsWith('seed')
          ? 'seeds'
          : path.startsWith('model')
            ? 'models'
            : 'options';
    throw new ReportMergeError(
      first.dir,
      path,
      `${first.dir} and ${s.dir} are shards of different runs (different ${what}): ${path} is ${show(at(base, path))} in one and ${show(at(identity(s.report), path))} in the other`,
    );
  }
  const count = first.report.options.shard!.count;
  const byIndex = new Map<number, ShardReport>();
  for (const s of shards) {
    const i = s.report.options.shard!.index;
    const twice = byIndex.get(i);
    if (twice !== undefined)
      throw new ReportMergeError(s.dir, 'options.shard.index', `${twice.dir} and ${s.dir} are both shard ${i}/${count}`);
    byIndex.set(i, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new ReportMergeError(
      first.dir,
      'options.shard.index',
      `shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing (got ${[...byIndex.keys()]
        .sort((a, b) => a - b)
        .map((i) => `${i}/${count}`)
        .join(', ')})`,
    );
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s.report);

  const overLayers = first.report.options.shard!.over === 'layers';
  const position = (id: string) => {
    const i = catalog.findIndex((p) => p.id === id);
    return i < 0 ? catalog.length : i;
  };
  const groups = new Map<string, PropertyResult[]>();
  for (const r of ordered) for (const p of r.properties) groups.set(p.id, [...(groups.get(p.id) ?? []), p]);
  const properties = [...groups.values()].map(combineProperty).sort((a, b) => position(a.id) - position(b.id));
  const n = (s: PropertyResult['status']) => properties.filter((p) => p.status === s).length;
  // property shards split the list (totals add up); layer shards each ran the whole list
  const total = overLayers ? first.report.summary.total : ordered.reduce((a, r) => a + r.summary.total, 0);
  const interrupted = ordered.some((r) => r.interrupted);
  const failed = n('failed');
  const { shard, ...options } = first.report.options;
  const merged: ReportOptions = { ...options, properties: shard!.of === 'all' ? 'all' : [...shard!.of] };
  const models = ordered.map((r) => r.model).filter((m) => m !== undefined);
  return {
    tool: first.report.tool,
    kernel: first.report.kernel,
    seed: first.report.seed,
    ...(first.report.seedGiven !== undefined ? { seedGiven: first.report.seedGiven } : {}),
    options: merged,
    startedAt: ordered.map((r) => r.startedAt).sort()[0],
    // the shards' time added: what the run would have taken in one job
    durationMs: ordered.reduce((a, r) => a + r.durationMs, 0),
    ...runVerdict(interrupted, failed),
    summary: {
      passed: n('passed'),
      failed,
      skipped: n('skipped'),
      interrupted: n('interrupted'),
      notRun: total - properties.length,
      total,
    },
    properties,
    coverage: addCoverage(ordered.map((r) => r.coverage)),
    ...(models.length > 0 ? { model: mergeModelSections(models) } : {}),
  };
}

/** A worst error/bound for ordering: none lowest, a non-finite mismatch ("NaN") highest. */
const ratioRank = (v: number | string | undefined): number => {
  if (v === undefined) return -1;
  const n = Number(v);
  return Number.isNaN(n) ? Number.POSITIVE_INFINITY : n;
};

/** The model sections of several shards as one: each layer's verdict over every shard that ran it. */
function mergeModelSections(models: readonly ModelReport[]): ModelReport {
  const layers = new Map<number, LayerVerdict[]>();
  for (const m of models) for (const l of m.layers) layers.set(l.index, [...(layers.get(l.index) ?? []), l]);
  const merged = [...layers.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, parts]): LayerVerdict => {
      const failed = parts.find((p) => p.status === 'failed');
      const status = failed ? 'failed' : parts.some((p) => p.status === 'passed') ? 'passed' : 'not-run';
      const worst = parts
        .map((p) => p.worstErrorOverBound)
        .reduce<number | string | undefined>((a, v) => (ratioRank(v) > ratioRank(a) ? v : a), undefined);
      const cx = parts.find((p) => p.counterexampleFile !== undefined)?.counterexampleFile;
      return {
        ...parts[0],
        status,
        cases: parts.reduce((a, p) => a + p.cases, 0),
        properties: [...new Set(parts.flatMap((p) => p.properties))],
        failedProperties: [...new Set(parts.flatMap((p) => p.failedProperties))],
        ...(worst !== undefined ? { worstErrorOverBound: worst } : {}),
        ...(cx !== undefined ? { counterexampleFile: cx } : {}),
      };
    });
  return { ...models[0], layers: merged };
}
