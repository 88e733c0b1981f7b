/**
 * The counterexample database: every shrunk failure is saved as a small JSON file (the case is a
 * few numbers — its data derive from a seed), and replayed first on the next run against the same
 * kernel, so a fixed bug stays fixed. Files live under `<dir>/<kernel>/<property>-<hash>.json`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CounterexampleFileError } from '../errors.js';
import { ensureDirectory, writeFileAtomically } from '../fs-safe.js';

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

/**
 * Kernel names become folder names: anything but [A-Za-z0-9._-] turns into '_', and a leading
 * dot too, so no name (`.`, `..`, `.hidden`) can point outside its own folder or hide it.
 */
export function kernelSlug(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\./, '_')
      .slice(0, 100) || '_'
  );
}

/** Saves a counterexample; returns its path. The name hashes the case, so the same case is saved once. */
export async function saveCounterexample(dir: string, record: Omit<SavedCounterexample, 'format' | 'savedAt'>): Promise<string> {
  const folder = join(dir, kernelSlug(record.kernel));
  await ensureDirectory(folder);
  const hash = createHash('sha256').update(JSON.stringify(record.case)).digest('hex').slice(0, 12);
  const file = join(folder, `${record.property}-${hash}.json`);
  const full: SavedCounterexample = { format: COUNTEREXAMPLE_FORMAT, ...record, savedAt: new Date().toISOString() };
  await writeFileAtomically(file, `${JSON.stringify(full, null, 2)}\n`);
  return file;
}

/** Largest tensor a saved case may describe (2²⁴ elements, 128 MiB in float64): a bigger one is damaged, not replayed. */
export const MAX_SAVED_ELEMENTS = 2 ** 24;

/**
 * Reads and checks one saved counterexample file: the format tag, a string `property`, an
 * integer `seed`, and a `case` object whose shapes (every `…Shape` field) are
 * arrays of 1 to 5+ positive integers with at most `MAX_SAVED_ELEMENTS` elements, whose `seed`
 * fields are integers and which holds no `null`. Anything else is a `CounterexampleFileError`
 * saying what is wrong, in one line.
 */
export async function readCounterexample(file: string): Promise<SavedCounterexample> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CounterexampleFileError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CounterexampleFileError(file, `is not JSON (${e instanceof Error ? e.message.replace(/\s*\n\s*/g, ' ') : 'parse error'})`);
  }
  const r = parsed as Partial<Record<keyof SavedCounterexample, unknown>>;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    r.format !== COUNTEREXAMPLE_FORMAT ||
    typeof r.property !== 'string' ||
    r.case === undefined
  ) {
    throw new CounterexampleFileError(
      file,
      `is not a convcheck counterexample (expected "format": "${COUNTEREXAMPLE_FORMAT}" with "property" and "case")`,
    );
  }
  if (typeof r.seed !== 'number' || !Number.isSafeInteger(r.seed))
    throw new CounterexampleFileError(file, `"seed" must be an integer, got ${JSON.stringify(r.seed) ?? 'nothing'}`);
  if (r.path !== undefined && typeof r.path !== 'string')
    throw new CounterexampleFileError(file, `"path" must be a string, got ${JSON.stringify(r.path)}`);
  if (r.problem !== undefined && typeof r.problem !== 'string')
    throw new CounterexampleFileError(file, `"problem" must be a string, got ${JSON.stringify(r.problem)}`);
  const problem = checkCase(r.case, 'case');
  if (problem !== undefined) throw new CounterexampleFileError(file, problem);
  return parsed as SavedCounterexample;
}

/** What is wrong with a saved case (walked recursively), or undefined. */
function checkCase(v: unknown, at: string, depth = 0): string | undefined {
  if (depth > 8) return `${at} is nested too deeply for a convcheck case`;
  if (v === null) return `${at} is null`;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${at} is not a finite number`;
  if (typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    if (v.length > 64) return `${at} has ${v.length} entries, more than any convcheck case`;
    for (let i = 0; i < v.length; i++) {
      const p = checkCase(v[i], `${at}[${i}]`, depth + 1);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (depth === 0 && Object.keys(v).length === 0) return `${at} is an empty object`;
  for (const [key, value] of Object.entries(v)) {
    const here = `${at}.${key}`;
    if (key.endsWith('Shape')) {
      if (!Array.isArray(value) || value.length < 1 || value.length > 5 || !value.every((d) => Number.isSafeInteger(d) && d >= 1)) {
        return `${here} must be an array of 1 to 5 positive integers, got ${JSON.stringify(value)}`;
      }
      const elements = value.reduce((a: number, d: number) => a * d, 1);
      if (elements > MAX_SAVED_ELEMENTS)
        return `${here} ${JSON.stringify(value)} has ${elements} elements, more than the ${MAX_SAVED_ELEMENTS} a saved case may have`;
      continue;
    }
    if (/seed\d*$/i.test(key) && !(typeof value === 'number' && Number.isSafeInteger(value))) {
      return `${here} must be an integer, got ${JSON.stringify(value)}`;
    }
    const p = checkCase(value, here, depth + 1);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** Saved counterexamples of one property for one kernel, each with its file (unreadable files are ignored). */
export async function loadCounterexamples(
  dir: string,
  kernel: string,
  property: string,
): Promise<Array<SavedCounterexample & { readonly file: string }>> {
  const folder = join(dir, kernelSlug(kernel));
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const out: Array<SavedCounterexample & { readonly file: string }> = [];
  for (const name of names.sort()) {
    if (!name.startsWith(`${property}-`) || !name.endsWith('.json')) continue;
    try {
      const file = join(folder, name);
      const r = await readCounterexample(file);
      if (r.property === property) out.push({ ...r, file });
    } catch {
      // a damaged file must not stop a run; it is simply not replayed
    }
  }
  return out;
}
