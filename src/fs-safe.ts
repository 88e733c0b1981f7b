/**
 * File-system helpers every writer uses: a directory walk that cannot loop, and atomic writes
 * whose temporary files are tracked so an exit in the middle (a second Ctrl-C) removes them.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Temporary files being written right now. */
const temporaries = new Set<string>();

/**
 * Creates `dir` and its missing parents, one level at a time. Node's `mkdir(…, {recursive:
 * true})` loops forever on some paths (`/proc/foo`: the parent exists but refuses children with
 * ENOENT); this walk makes at most one attempt per path component and throws the first error.
 */
export async function ensureDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      const s = await stat(at);
      if (!s.isDirectory()) throw Object.assign(new Error(`${at} exists and is not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * Writes `text` to a unique temporary file next to `path`, then renames it over `path`, so a
 * reader sees either the old file or the new one, never a truncated one. Write and rename are
 * one synchronous step: a signal handler (which runs between tasks) never sees a temporary file
 * that a write still in flight on the thread pool could create after it was removed.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  temporaries.add(tmp);
  try {
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    temporaries.delete(tmp);
  }
}

/** Removes, synchronously, the temporary files of writes still in progress (call before a forced exit). */
export function removeTemporaryFiles(): void {
  for (const tmp of temporaries) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing more can be done on the way out
    }
  }
  temporaries.clear();
}
