/**
 * The counterexample database: every shrunk failure is saved as a small JSON file (the case is a
 * few numbers — its data derive from a seed), and replayed first on the next run against the same
 * kernel, so a fixed bug stays fixed. Files live under `<dir>/<kernel>/<property>-<hash>.json`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The format tag of a saved counterexample. */
export const COUNTEREXAMPLE_FORMAT = 'convcheck-counterexample/1';

/** One saved counterexample. */
export interface SavedCounterexample {
  readonly format: typeof COUNTEREXAMPLE_FORMAT;
  readonly kernel: string;
  readonly property: string;
  /** The case in one line. */
  readonly problem: string;
  /** fast-check seed and path of the run that found it. */
  readonly seed: number;
  readonly path: string;
  /** The case itself, as the property's generator produced it. */
  readonly case: unknown;
  readonly savedAt: string;
}

/** Kernel names become folder names: anything but [A-Za-z0-9._-] turns into '_'. */
export function kernelSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || '_';
}

/** Saves a counterexample; returns its path. The name hashes the case, so the same case is saved once. */
export async function saveCounterexample(dir: string, record: Omit<SavedCounterexample, 'format' | 'savedAt'>): Promise<string> {
  const folder = join(dir, kernelSlug(record.kernel));
  await mkdir(folder, { recursive: true });
  const hash = createHash('sha256').update(JSON.stringify(record.case)).digest('hex').slice(0, 12);
  const file = join(folder, `${record.property}-${hash}.json`);
  const full: SavedCounterexample = { format: COUNTEREXAMPLE_FORMAT, ...record, savedAt: new Date().toISOString() };
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(full, null, 2)}\n`);
  await rename(tmp, file);
  return file;
}

/** Reads and checks one saved counterexample file. */
export async function readCounterexample(file: string): Promise<SavedCounterexample> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<SavedCounterexample>;
  if (parsed.format !== COUNTEREXAMPLE_FORMAT || typeof parsed.property !== 'string' || parsed.case === undefined) {
    throw new Error(`${file} is not a convcheck counterexample (expected "format": "${COUNTEREXAMPLE_FORMAT}" with "property" and "case")`);
  }
  return parsed as SavedCounterexample;
}

/** Saved counterexamples of one property for one kernel (unreadable files are ignored). */
export async function loadCounterexamples(dir: string, kernel: string, property: string): Promise<SavedCounterexample[]> {
  const folder = join(dir, kernelSlug(kernel));
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const out: SavedCounterexample[] = [];
  for (const name of names.sort()) {
    if (!name.startsWith(`${property}-`) || !name.endsWith('.json')) continue;
    try {
      const r = await readCounterexample(join(folder, name));
      if (r.property === property) out.push(r);
    } catch {
      // a damaged file must not stop a run; it is simply not replayed
    }
  }
  return out;
}
