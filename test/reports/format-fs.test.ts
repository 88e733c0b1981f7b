/**
 * Small shared helpers, each value worked out by hand: durations, seeds, the whole-tensor and
 * failure fields of src/reports/format.ts; `terminalLines`; and src/fs-safe.ts (directories,
 * atomic writes, temporaries removed on a forced exit).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDirectory, removeTemporaryFiles, writeFileAtomically } from '../../src/fs-safe.js';
import { failureFields, formatDuration, formatSeed, wholeFields } from '../../src/reports/format.js';
import type { FailureDetail } from '../../src/runner/report.js';
import { terminalLines } from '../../src/terminal.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-fs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('formatDuration', () => {
  it('ms below a second, 2 decimals below 10 s, 1 below a minute, then min and zero-padded s; non-finite as is', () => {
    expect(formatDuration(849.6)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_599_600)).toBe('60 min 00 s');
    expect(formatDuration(Number.NaN)).toBe('NaN');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});

describe('formatSeed', () => {
  it('the seed alone when given as itself or not given; with what it came from otherwise', () => {
    expect(formatSeed({ seed: 42, seedGiven: undefined })).toBe('42');
    expect(formatSeed({ seed: 42, seedGiven: '42' })).toBe('42');
    expect(formatSeed({ seed: -819476475, seedGiven: '12065425413' })).toBe('-819476475 (from 12065425413)');
  });
});

describe('failure fields', () => {
  const base: FailureDetail = { kind: 'threw', problem: 'x=[1]', message: 'boom', seed: 7 };
  it('the whole call, expected and actual when given, none when absent', () => {
    expect(wholeFields(base)).toEqual([]);
    expect(
      wholeFields({
        ...base,
        whole: {
          call: { method: 'conv', inputs: [{ name: 'x', shape: [1, 1, 2], values: [1, 'NaN'] }] },
          expected: { shape: [1, 1, 1], values: [0.5] },
          actual: { shape: [1, 1, 1], values: [0.25] },
        },
      } as FailureDetail),
    ).toEqual([
      ['Input x of conv()', '[1,1,2] = [1, NaN]'],
      ['Expected (whole)', '[1,1,1] = [0.5]'],
      ['Actual (whole)', '[1,1,1] = [0.25]'],
    ]);
    expect(wholeFields({ ...base, whole: { actual: { shape: [1], values: [2] } } } as FailureDetail)).toEqual([
      ['Actual (whole)', '[1] = [2]'],
    ]);
  });
  it('a case replayed from the database names the file instead of the seed; a path is shown when present', () => {
    const fromDb = failureFields({ ...base, fromDatabase: 'db/p-1.json', path: '3:1' });
    expect(fromDb).toContainEqual([
      'From database',
      'db/p-1.json (a saved counterexample replayed first; the seed does not reproduce it, the file does)',
    ]);
    expect(fromDb.map(([l]) => l)).not.toContain('Seed');
    expect(fromDb).toContainEqual(['Path', '3:1']);
    expect(failureFields(base)).toEqual([
      ['Kind', 'threw'],
      ['Message', 'boom'],
      ['Seed', '7'],
    ]);
  });
});

describe('terminalLines', () => {
  it('escapes each line on its own and keeps the line breaks, with or without a final one', () => {
    expect(terminalLines('a\u001b[2J\nb\r\n')).toBe('a\\e[2J\nb\\r\n');
    expect(terminalLines('one\ntwo')).toBe('one\ntwo');
  });
});

describe('fs-safe', () => {
  it('ensureDirectory creates missing parents, accepts an existing directory, refuses a file on the way', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await ensureDirectory(deep);
    expect(existsSync(deep)).toBe(true);
    await ensureDirectory(deep);
    const file = join(dir, 'plain');
    await writeFile(file, 'x');
    await expect(ensureDirectory(join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(ensureDirectory(file)).rejects.toThrow(/exists and is not a directory/);
  });
  it('writeFileAtomically replaces the file whole and leaves no temporary; a failed rename removes its temporary', async () => {
    const target = join(dir, 'out.json');
    await writeFileAtomically(target, 'first');
    await writeFileAtomically(target, 'second');
    expect(await readFile(target, 'utf8')).toBe('second');
    const asDir = join(dir, 'is-a-dir');
    await ensureDirectory(join(asDir, 'inside'));
    await expect(writeFileAtomically(asDir, 'x')).rejects.toThrow();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    removeTemporaryFiles(); // nothing in flight: a no-op that must not throw
  });
});
