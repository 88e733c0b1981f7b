/**
 * The counterexample database (src/runner/counterexample-db.ts): folder names from kernel names,
 * save/load round trips, and every CounterexampleFileError a damaged file gives.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CounterexampleFileError } from '../../src/errors.js';
import {
  COUNTEREXAMPLE_FORMAT,
  kernelSlug,
  loadCounterexamples,
  MAX_SAVED_ELEMENTS,
  readCounterexample,
  saveCounterexample,
} from '../../src/runner/counterexample-db.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-cedb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (c: unknown, property = 'matches-reference') => ({
  kernel: 'my/kernel',
  property,
  problem: 'x=[1,1,3,3]',
  seed: 42,
  path: '0:1',
  case: c,
});

describe('kernelSlug', () => {
  it('keeps [A-Za-z0-9._-], turns the rest and a leading dot into _, caps at 100 characters, never empty', () => {
    expect(kernelSlug('tfjs:cpu')).toBe('tfjs_cpu');
    expect(kernelSlug('..')).toBe('_.');
    expect(kernelSlug('.hidden')).toBe('_hidden');
    expect(kernelSlug('a/b\\c d')).toBe('a_b_c_d');
    expect(kernelSlug('')).toBe('_');
    expect(kernelSlug('k'.repeat(150))).toHaveLength(100);
  });
});

describe('save and load', () => {
  it('a saved case is loaded back for its kernel and property only; the same case is saved once', async () => {
    const c = { xShape: [1, 1, 3, 3], wShape: [1, 1, 2, 2], seed: 5, nested: { values: [1, 2.5] } };
    const file = await saveCounterexample(dir, record(c));
    expect(await saveCounterexample(dir, record(c))).toBe(file);
    expect(file.startsWith(join(dir, 'my_kernel', 'matches-reference-'))).toBe(true);
    const loaded = await loadCounterexamples(dir, 'my/kernel', 'matches-reference');
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ format: COUNTEREXAMPLE_FORMAT, case: c, seed: 42, file });
    expect(await loadCounterexamples(dir, 'my/kernel', 'deterministic')).toEqual([]);
    expect(await loadCounterexamples(dir, 'other', 'matches-reference')).toEqual([]);
  });
  it('damaged files, files of another property under a matching name, and other names are skipped, not fatal', async () => {
    const folder = join(dir, 'k2');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'p-broken.json'), '{');
    await writeFile(join(folder, 'p-other.json'), JSON.stringify({ ...record({ a: 1 }, 'q'), format: COUNTEREXAMPLE_FORMAT }));
    await writeFile(join(folder, 'p-good.json'), JSON.stringify({ ...record({ a: 1 }, 'p'), format: COUNTEREXAMPLE_FORMAT }));
    await writeFile(join(folder, 'p-notes.txt'), 'hello');
    await writeFile(join(folder, 'q-x.json'), 'hello');
    const loaded = await loadCounterexamples(dir, 'k2', 'p');
    expect(loaded.map((r) => r.file)).toEqual([join(folder, 'p-good.json')]);
  });
});

describe('readCounterexample: a damaged file is a CounterexampleFileError saying what is wrong', () => {
  const ok = { format: COUNTEREXAMPLE_FORMAT, property: 'p', seed: 1, case: { xShape: [1, 2] } };
  let n = 0;
  async function problem(content: unknown): Promise<string> {
    const file = join(dir, `bad-${n++}.json`);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    const e = await readCounterexample(file).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CounterexampleFileError);
    return (e as Error).message;
  }
  it('a good file reads back', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, JSON.stringify(ok));
    expect(await readCounterexample(file)).toEqual(ok);
  });
  it('unreadable, not JSON, not a counterexample', async () => {
    await expect(readCounterexample(join(dir, 'none.json'))).rejects.toThrow(/cannot be read \(ENOENT\)/);
    expect(await problem('{"a":')).toMatch(/is not JSON \(/);
    for (const doc of [[1], null, '"x"', { ...ok, format: 'v0' }, { ...ok, property: 3 }, { ...ok, case: undefined }])
      expect(await problem(doc)).toMatch(/is not a convcheck counterexample/);
  });
  it('seed, path and problem of the wrong type', async () => {
    expect(await problem({ ...ok, seed: 1.5 })).toMatch(/"seed" must be an integer, got 1.5/);
    expect(await problem({ ...ok, seed: undefined })).toMatch(/"seed" must be an integer, got nothing/);
    expect(await problem({ ...ok, path: 3 })).toMatch(/"path" must be a string, got 3/);
    expect(await problem({ ...ok, problem: false })).toMatch(/"problem" must be a string, got false/);
  });
  it('cases: null, non-finite, too long, too deep, empty, bad shapes, too many elements, a non-integer seed field', async () => {
    const bad = (c: unknown) => problem({ ...ok, case: c });
    expect(await bad({ a: null })).toMatch(/case\.a is null/);
    expect(await bad(null)).toMatch(/case is null/);
    expect(await problem(`{"format":"${COUNTEREXAMPLE_FORMAT}","property":"p","seed":1,"case":{"a":1e999}}`)).toMatch(
      /case\.a is not a finite number/,
    );
    expect(await bad({ a: Array.from({ length: 65 }, () => 0) })).toMatch(/case\.a has 65 entries, more than any convcheck case/);
    let deep: unknown = 1;
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(await bad(deep)).toMatch(/is nested too deeply for a convcheck case/);
    expect(await bad({})).toMatch(/case is an empty object/);
    expect(await bad([{ xShape: [0] }])).toMatch(/case\[0\]\.xShape must be an array of 1 to 5 positive integers, got \[0\]/);
    expect(await bad({ wShape: [1, 2, 3, 4, 5, 6] })).toMatch(/case\.wShape must be an array of 1 to 5/);
    expect(await bad({ wShape: 'big' })).toMatch(/case\.wShape must be an array/);
    expect(await bad({ xShape: [] })).toMatch(/case\.xShape must be an array/);
    expect(await bad({ xShape: [4096, 4096, 2] })).toMatch(
      new RegExp(`case\\.xShape \\[4096,4096,2\\] has ${2 * 4096 * 4096} elements, more than the ${MAX_SAVED_ELEMENTS}`),
    );
    expect(await bad({ inner: { dataSeed2: 'x' } })).toMatch(/case\.inner\.dataSeed2 must be an integer, got "x"/);
    expect(await bad({ Seed: 0.5 })).toMatch(/case\.Seed must be an integer/);
    const fine = join(dir, 'fine.json');
    const c = { label: 'text', flag: true, inner: {}, list: [[1, 2], { seed: 3 }] };
    await writeFile(fine, JSON.stringify({ ...ok, case: c }));
    expect((await readCounterexample(fine)).case).toEqual(c);
  });
});
