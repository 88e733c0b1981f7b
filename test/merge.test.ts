/**
 * `convcheck merge`: the shards of a catalog run (`--shard 1/3 … 3/3`, same seed) merged give the
 * unsharded run's verdicts, failures, summary and coverage; shards that do not belong together are
 * refused in one line with exit code 2.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../src/cli/main.js';
import type { VerificationReport } from '../src/runner/report.js';
import { propertyFailure, propertyReason } from '../src/runner/report.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = {
    write: (t: string) => {
      out += t;
      return true;
    },
  };
  const stderr = {
    write: (t: string) => {
      err += t;
      return true;
    },
    columns: 100,
  };
  const code = await main(argv, { stdout, stderr, env: { CI: '1' } });
  return { code, out, err };
}

const readReport = async (dir: string): Promise<VerificationReport> =>
  JSON.parse(await readFile(join(dir, 'verification.json'), 'utf8')) as VerificationReport;

/** What a merge must reproduce: each property's verdict, cases and failure, in order. */
const verdicts = (r: VerificationReport) =>
  r.properties.map((p) => ({
    id: p.id,
    status: p.status,
    casesRun: p.casesRun,
    skipReason: propertyReason(p),
    kind: propertyFailure(p)?.kind,
    problem: propertyFailure(p)?.problem,
    path: propertyFailure(p)?.path,
    expected: propertyFailure(p)?.expected,
    actual: propertyFailure(p)?.actual,
  }));

// a kernel whose conv returns NaN: some properties fail, some pass, some are skipped (float64, no ConvTranspose)
const KERNEL = 'test/fixtures/kernels/nan.mjs';
const COMMON = ['--kernel', KERNEL, '--size', 'small', '--runs', '8', '--seed', '5'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-merge-'));
  const runs = [run(['verify', ...COMMON, '--report-dir', join(dir, 'all')])];
  for (const i of [1, 2, 3]) runs.push(run(['verify', ...COMMON, '--shard', `${i}/3`, '--report-dir', join(dir, `s${i}`)]));
  const codes = (await Promise.all(runs)).map((r) => r.code);
  expect(codes).toEqual([EXIT.failed, EXIT.failed, EXIT.failed, EXIT.failed]);
}, 300_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('convcheck merge', () => {
  it('--shard 1/3, 2/3, 3/3 merged equal the unsharded run: verdicts, failures, summary, coverage', async () => {
    const r = await run(['merge', join(dir, 's3'), join(dir, 's1'), join(dir, 's2'), '--report-dir', join(dir, 'merged')]);
    expect(r.code).toBe(EXIT.failed);
    const all = await readReport(join(dir, 'all'));
    const merged = await readReport(join(dir, 'merged'));
    const shards = await Promise.all([1, 2, 3].map((i) => readReport(join(dir, `s${i}`))));
    // each shard ran a third: the merge is not one shard's report passed through
    for (const s of shards) expect(s.properties.length).toBeLessThan(all.properties.length);
    expect(all.summary.failed).toBeGreaterThan(0);
    expect(verdicts(merged)).toEqual(verdicts(all));
    expect(merged.summary).toEqual(all.summary);
    expect(merged.coverage).toEqual(all.coverage);
    expect(merged.status).toBe(all.status);
    expect(merged.options).toEqual(all.options);
    expect(merged.durationMs).toBe(shards.reduce((a, s) => a + s.durationMs, 0));
    for (const f of ['verification.md', 'verification.html', 'junit.xml'])
      expect((await stat(join(dir, 'merged', f))).size).toBeGreaterThan(0);
    // every failure points at its counterexample's copy in the merged directory
    for (const p of merged.properties.filter((q) => propertyFailure(q) !== undefined)) {
      expect(propertyFailure(p)!.counterexampleFile).toContain(join('merged', 'counterexamples'));
      expect((await stat(propertyFailure(p)!.counterexampleFile!)).isFile()).toBe(true);
      expect(propertyFailure(p)!.replayCommand).toContain(propertyFailure(p)!.counterexampleFile);
    }
    const junit = await readFile(join(dir, 'merged', 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)?.length).toBe(all.summary.total);
  });

  it('refuses shards of different seeds in one line, exit 2', async () => {
    await run(['verify', ...COMMON.slice(0, -1), '6', '--shard', '2/3', '--report-dir', join(dir, 's2-seed6')]);
    const r = await run(['merge', join(dir, 's1'), join(dir, 's2-seed6'), join(dir, 's3'), '--report-dir', join(dir, 'bad')]);
    expect(r.code).toBe(EXIT.error);
    expect(r.err).toBe(
      `convcheck merge: ${join(dir, 's1')} and ${join(dir, 's2-seed6')} are shards of different runs (different seeds): seed is 5 in one and 6 in the other\n`,
    );
  }, 120_000);

  it('refuses shards of different kernels, options and convcheck versions', async () => {
    const s1 = await readReport(join(dir, 's1'));
    const variants: Array<[string, VerificationReport, RegExp]> = [
      [
        'kernel',
        { ...s1, kernel: { ...s1.kernel, name: 'other' }, options: { ...s1.options, shard: { ...s1.options.shard!, index: 2 } } },
        /different kernels\): kernel\.name is "fixture:nan" in one and "other" in the other/,
      ],
      [
        'runs',
        { ...s1, options: { ...s1.options, runs: 9, shard: { ...s1.options.shard!, index: 2 } } },
        /different options\): options\.runs is 8 in one and 9 in the other/,
      ],
      [
        'version',
        { ...s1, tool: { ...s1.tool, version: '0.0.1' }, options: { ...s1.options, shard: { ...s1.options.shard!, index: 2 } } },
        /different convcheck versions\): tool\.version is ".*" in one and "0\.0\.1" in the other/,
      ],
      [
        'count',
        { ...s1, options: { ...s1.options, shard: { ...s1.options.shard!, index: 2, count: 4 } } },
        /different options\): shard\.count is 3 in one and 4 in the other/,
      ],
    ];
    for (const [name, report, message] of variants) {
      const other = join(dir, `variant-${name}`);
      await mkdir(other, { recursive: true });
      await writeFile(join(other, 'verification.json'), JSON.stringify(report));
      const r = await run(['merge', join(dir, 's1'), other, join(dir, 's3'), '--report-dir', join(dir, 'bad')]);
      expect(r.code, name).toBe(EXIT.error);
      expect(r.err, name).toMatch(message);
      expect(r.err.trim().split('\n'), name).toHaveLength(1);
    }
  });

  it('refuses a missing shard, a shard given twice, an unsharded report and a directory without one', async () => {
    const cases: Array<[string[], string]> = [
      [[join(dir, 's1'), join(dir, 's3')], 'convcheck merge: shard 2/3 missing (got 1/3, 3/3)\n'],
      [
        [join(dir, 's1'), join(dir, 's1'), join(dir, 's2'), join(dir, 's3')],
        `convcheck merge: ${join(dir, 's1')} and ${join(dir, 's1')} are both shard 1/3\n`,
      ],
      [
        [join(dir, 's1'), join(dir, 'all')],
        `convcheck merge: ${join(dir, 'all')} is not a shard's report (it was not run with --shard i/n)\n`,
      ],
      [
        [join(dir, 'nowhere')],
        `convcheck merge: ${join(dir, 'nowhere', 'verification.json')} cannot be read (ENOENT); each DIR is a shard's --report-dir\n`,
      ],
    ];
    for (const [dirs, message] of cases) {
      const r = await run(['merge', ...dirs, '--report-dir', join(dir, 'bad')]);
      expect(r.code).toBe(EXIT.error);
      expect(r.err).toBe(message);
    }
  });
});

describe('convcheck merge: directories and files that are not shards', () => {
  it('a verification.json that is not JSON, or not a convcheck report; OUT equal to a shard; OUT not writable: exit 2, one line', async () => {
    const notJson = join(dir, 'not-json');
    await mkdir(notJson, { recursive: true });
    await writeFile(join(notJson, 'verification.json'), '{"tool":');
    const foreign = join(dir, 'foreign');
    await mkdir(foreign, { recursive: true });
    await writeFile(join(foreign, 'verification.json'), JSON.stringify({ tool: { name: 'other' }, properties: [] }));
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file where OUT should be');
    const shards = [join(dir, 's1'), join(dir, 's2'), join(dir, 's3')];
    const cases: Array<[string[], RegExp]> = [
      [[notJson, '--report-dir', join(dir, 'bad')], /^convcheck merge: .*not-json\/verification\.json is not JSON\n$/],
      [
        [foreign, '--report-dir', join(dir, 'bad')],
        /^convcheck merge: .*foreign\/verification\.json is not a convcheck verification report\n$/,
      ],
      [
        [...shards, '--report-dir', shards[1]],
        /^convcheck merge: --report-dir .*s2 is one of the shard directories; merge into another\n$/,
      ],
      [[...shards, '--report-dir', join(blocker, 'out')], /^convcheck: cannot write the reports into --report-dir .*blocker\/out: /],
    ];
    for (const [args, message] of cases) {
      const r = await run(['merge', ...args]);
      expect(r.code, args.join(' ')).toBe(EXIT.error);
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
