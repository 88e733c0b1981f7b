/** scripts/compare-reports.mjs: two report trees compared with the measured fields removed. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(__dirname, '../scripts/compare-reports.mjs');

/** Writes `files` (relative path → JSON value) under a fresh directory named `name`, and returns it. */
function tree(name: string, files: Record<string, unknown>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'convcheck-compare-')), name);
  for (const [f, v] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), JSON.stringify(v));
  }
  return dir;
}

function compare(a: string, b: string) {
  const r = spawnSync(process.execPath, [SCRIPT, a, b], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout };
}

const report = (dir: string, extra: Record<string, unknown> = {}) => ({
  seed: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 10,
  properties: [{ id: 'p', status: 'failed', casesRun: 3, durationMs: 4, failure: { counterexampleFile: `${dir}/k/c.json` } }],
  shapePlan: { mode: 'all', buildMs: 3 },
  ...extra,
});

describe('compare-reports', () => {
  it('equal apart from durations, start time, plan build time, saved time and the trees’ names: exit 0', () => {
    const a = tree('before', { 'r/verification.json': report('before'), 'r/k/c.json': { case: [1], savedAt: 'x' } });
    const b = tree('after', {
      'r/verification.json': { ...report('after'), durationMs: 99, startedAt: 'later', shapePlan: { mode: 'all', buildMs: 7 } },
      'r/k/c.json': { case: [1], savedAt: 'y' },
    });
    const { code, out } = compare(a, b);
    expect(out).toContain('2 of 2 paired JSON files identical');
    expect(code).toBe(0);
  });

  it('a changed case count, a field order, a file on one side only: each printed, exit 1', () => {
    const a = tree('before', { 'r/verification.json': report('before'), 'r/k/c.json': { case: [1] } });
    const changed = report('after');
    const b = tree('after', {
      'r/verification.json': { ...changed, properties: [{ ...changed.properties[0], casesRun: 4 }] },
      'r/k/d.json': { case: [1] },
    });
    const { code, out } = compare(a, b);
    expect(out).toContain('.properties[0].casesRun: 3 → 4');
    expect(out).toMatch(/only in .*before: r\/k\/c\.json/);
    expect(out).toMatch(/only in .*after: r\/k\/d\.json/);
    expect(code).toBe(1);
    // a measured field moved (it is removed before comparing): still equal
    const { durationMs: _d, ...unmeasured } = report('after');
    const reordered = tree('after', { 'r/verification.json': { durationMs: 1, ...unmeasured }, 'r/k/c.json': { case: [1] } });
    const { seed: _, ...rest } = report('after');
    const swapped = tree('after', { 'r/verification.json': { ...rest, seed: 1 }, 'r/k/c.json': { case: [1] } });
    expect(compare(a, reordered).code).toBe(0);
    expect(compare(a, swapped)).toMatchObject({ code: 1, out: expect.stringContaining(': the same fields in another order') });
  });

  it('usage errors: exit 2', () => {
    expect(spawnSync(process.execPath, [SCRIPT, 'only-one']).status).toBe(2);
    expect(spawnSync(process.execPath, [SCRIPT, '/nonexistent-a', '/nonexistent-b']).status).toBe(2);
  });
});
