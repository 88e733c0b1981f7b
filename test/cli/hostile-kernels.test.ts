/**
 * The run always ends with a true verdict, whatever the kernel or the user does: hostile names,
 * fickle getters, hidden input writes, impossible capabilities, unprintable exceptions, report
 * directories that cannot be written, seeds of any size, damaged counterexample files. Each
 * case runs `convcheck` as users do, on a fixture kernel that misbehaves in exactly that way,
 * and checks the exit code, the message and what the reports say. (The 60 s and 2 s bounds on
 * hanging kernels and signals are measured by bench/bounded-time.ts, not here.)
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKernel } from '../../src/kernels/load-kernel.js';
import { resolveSeed } from '../../src/runner/seed.js';
import { verifyKernel } from '../../src/runner/verify.js';
import { terminalLines, terminalSafe } from '../../src/terminal.js';
import { convcheck, fixture, readReport, ROOT } from '../helpers/cli.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'convcheck-hostile-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
let n = 0;
const freshDir = () => join(scratch, `r${++n}`);

/** Every control character but the line feeds convcheck itself writes. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('escapes ESC, BEL, NUL, CR, LF, C1 and bidi controls visibly and leaves printable text alone', () => {
    expect(terminalSafe('a\u001b[2Jb\u0007c\u0000d\re\nf\u009bg\u202eh')).toBe('a\\e[2Jb\\ac\\0d\\re\\nf\\x9bg\\u202eh');
    expect(terminalSafe('größe × 3 — ok')).toBe('größe × 3 — ok');
    expect(terminalLines('one\u001b[31m\ntwo\n')).toBe('one\\e[31m\ntwo\n');
  });
});

describe('resolveSeed', () => {
  it('uses 32-bit integers as given, maps larger ones modulo 2³² and hashes text', () => {
    expect(resolveSeed(42)).toEqual({ used: 42, given: '42' });
    expect(resolveSeed('-2147483648')).toEqual({ used: -2147483648, given: '-2147483648' });
    expect(resolveSeed('12065425413')).toEqual({ used: -819476475, given: '12065425413' });
    expect(resolveSeed('123456789012345678901234567890').used).toBe(Number(BigInt.asIntN(32, 123456789012345678901234567890n)));
    const text = resolveSeed('main-1234');
    expect(Number.isInteger(text.used) && text.used >= -(2 ** 31) && text.used < 2 ** 31).toBe(true);
    expect(resolveSeed('main-1234')).toEqual(text);
    expect(resolveSeed('main-1235').used).not.toBe(text.used);
  });

  it.each([[Number.NaN], [1.5], [Number.POSITIVE_INFINITY], [''], [null]])('rejects %o', (seed) => {
    expect(() => resolveSeed(seed as unknown as number)).toThrow(/verifyKernel: seed must/);
  });
});

describe('convcheck verify against hostile kernels', () => {
  it('a name and messages full of control sequences cannot clear the screen or forge a line', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('hostile-name.mjs'),
      '--runs',
      '3',
      '--seed',
      '1',
      '--properties',
      'conv-matches-reference,dense-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(1);
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toMatch(RAW_CONTROL);
      expect(text).not.toMatch(/^PASS {2}forged/m);
      expect(text).not.toMatch(/^\[\d+\/\d+\] PASS forged/m);
    }
    expect(run.stderr).toContain('verifying fixture:hostile\\e[2J\\e[31m\\e]0;owned\\a\\r\\nPASS  forged-line  200 cases\\0');
    expect(run.stdout).toContain('dense refused\\e[2J PASS  forged-message  200 cases\\a');
    // the JSON report keeps the name exactly; the other writers escape for their formats
    expect((await readReport(dir)).kernel.name).toBe(
      'fixture:hostile\u001b[2J\u001b[31m\u001b]0;owned\u0007\r\nPASS  forged-line  200 cases\u0000',
    );
  });

  it("a kernel's own output reaches the terminal sanitized, prefixed and capped", async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('prints-escapes.mjs'),
      '--runs',
      '40',
      '--seed',
      '1',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(RAW_CONTROL);
    expect(run.stdout).not.toContain('forged-by-stdout');
    expect(run.stderr).toContain('[kernel] \\e[2J\\e]0;owned\\aPASS  forged-by-stdout  200 cases');
    expect(run.stderr).toContain('[kernel] \\e[31mred alert\\e[0m\\r');
    expect(run.stderr.split('\n').filter((l) => l.startsWith('[kernel] ') && !l.includes('more lines'))).toHaveLength(50);
    expect(run.stderr).toMatch(/\[kernel\] \(\d+ more lines of kernel output not shown\)/);
  });

  it('a kernel whose own worker is stuck in native code does not delay the reports or the exit', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('busy-after-return.mjs'),
      '--runs',
      '10',
      '--seed',
      '1',
      '--properties',
      'dense-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect((await readReport(dir)).status).toBe('passed');
    // its worker blocks for 30 s; a process of its own is killed with its group at once
    expect(run.wallMs).toBeLessThan(20_000);
  });

  it('getters that change their answer after validation change nothing: the kernel is read once', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('fickle-getters.mjs'),
      '--runs',
      '3',
      '--seed',
      '1',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(0);
    expect((await readReport(dir)).kernel).toMatchObject({ name: 'fixture:fickle', precision: 'float64' });
  });

  it('a kernel that writes into x.data and then swaps in a clean copy is caught (worker and in-process)', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('swaps-input.mjs'),
      '--runs',
      '5',
      '--seed',
      '2',
      '--properties',
      'conv-matches-reference,inputs-not-mutated',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(1);
    const report = await readReport(dir);
    expect(report.properties.map((p) => [p.id, p.status, p.failure?.kind])).toEqual([
      ['conv-matches-reference', 'failed', 'mutated-input'],
      ['inputs-not-mutated', 'failed', 'mutated-input'],
    ]);
    const kernel = await loadKernel(fixture('swaps-input.mjs'), { cwd: ROOT });
    const inProcess = await verifyKernel(kernel, { runs: 5, seed: 2, properties: ['inputs-not-mutated'] });
    expect(inProcess.properties[0]).toMatchObject({ status: 'failed', failure: { kind: 'mutated-input' } });
  });

  it.each([
    [
      'tiny-max-elements.mjs',
      /capabilities\.maxElements must be an integer >= 1 \(the smallest problem has one element per tensor\) or Infinity, got 1e-9/,
    ],
    ['no-ranks.mjs', /capabilities\.spatialRanks must be a non-empty array/],
  ])('impossible capabilities (%s) are a load error: exit 2, one line, nothing runs', async (file, message) => {
    const dir = freshDir();
    const run = await convcheck(['verify', '--kernel', fixture(file), '--report-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.wallMs).toBeLessThan(30_000);
  });

  it('a maxElements that most properties cannot fit skips them, saying why, instead of generating forever', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('max-elements-1.mjs'),
      '--runs',
      '5',
      '--seed',
      '1',
      '--properties',
      'group-concat,dense-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    const report = await readReport(dir);
    expect(report.properties[0]).toMatchObject({ id: 'dense-matches-reference', status: 'passed' });
    expect(report.properties[1].id).toBe('group-concat');
    expect(report.properties[1].status).toBe('skipped');
    expect(report.properties[1].skipReason).toMatch(
      /^no (more )?problem of this property fits the kernel's capabilities \(maxElements 1\)/,
    );
    expect(run.wallMs).toBeLessThan(60_000);
  });

  it('a thrown object that cannot even be printed is a threw failure, not a crashed worker', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('throws-unprintable.mjs'),
      '--runs',
      '5',
      '--seed',
      '3',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(1);
    const failure = (await readReport(dir)).properties[0].failure!;
    expect(failure.kind).toBe('threw');
    expect(failure.message).toContain('a value that cannot be printed');
    expect(run.stderr).not.toContain('crashed');
  });

  it("a kernel named '..' keeps its counterexamples in a folder of its own", async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('dotdot-name.mjs'),
      '--runs',
      '3',
      '--seed',
      '3',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(1);
    expect((await readdir(dir)).filter((f) => f.endsWith('.json') && f !== 'verification.json')).toEqual([]);
    expect(await readdir(join(dir, 'counterexamples'))).toEqual(['_.']);
  });
});

describe('convcheck verify: report directory and seeds', () => {
  it.each([
    ['/proc/convcheck-cannot-exist', /cannot write the reports into --report-dir \/proc\/convcheck-cannot-exist: /],
    ['FILE', /cannot write the reports into --report-dir .*a-file.*: .*(not a directory|ENOTDIR|EEXIST)/],
  ])('an unusable --report-dir (%s) is found before anything runs: exit 2, one line, no loop', async (where, message) => {
    let target = where;
    if (where === 'FILE') {
      target = join(scratch, 'a-file', 'sub');
      await writeFile(join(scratch, 'a-file'), 'in the way');
    }
    const run = await convcheck(['verify', '--kernel', fixture('good.mjs'), '--report-dir', target]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1); // no "verifying …" header: nothing ran
    expect(run.wallMs).toBeLessThan(20_000);
  });

  it('--seed takes a CI run id beyond 2³¹ and text; the report records the seed given and the 32-bit seed used', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      'builtin:reference',
      '--runs',
      '3',
      '--seed',
      '12065425413',
      '--properties',
      'output-shape',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('seed -819476475 (from 12065425413)');
    const report = await readReport(dir);
    expect(report).toMatchObject({ seed: -819476475, seedGiven: '12065425413' });
    expect(await readFile(join(dir, 'verification.md'), 'utf8')).toContain('**seed** -819476475 (from 12065425413)');

    const textDir = freshDir();
    const text = await convcheck([
      'verify',
      '--kernel',
      'builtin:reference',
      '--runs',
      '3',
      '--seed',
      'main-1234',
      '--properties',
      'output-shape',
      '--report-dir',
      textDir,
    ]);
    expect(text.code).toBe(0);
    expect((await readReport(textDir)).seed).toBe(resolveSeed('main-1234').used);
  });

  it('a failure replayed from the example database says so and names the file, not a seed that does not reproduce it', async () => {
    const dir = freshDir();
    const args = ['verify', '--kernel', fixture('nan.mjs'), '--runs', '5', '--properties', 'conv-matches-reference', '--report-dir', dir];
    const first = await convcheck([...args, '--seed', '11']);
    expect(first.code).toBe(1);
    const saved = (await readReport(dir)).properties[0].failure!.counterexampleFile!;
    const second = await convcheck([...args, '--seed', '99']);
    expect(second.code).toBe(1);
    const failure = (await readReport(dir)).properties[0].failure!;
    expect(failure.fromDatabase).toBe(saved);
    expect(failure.path).toBeUndefined();
    expect(second.stdout).toMatch(
      /From database: +.*nan.*conv-matches-reference-.*\.json \(a saved counterexample replayed first; the seed does not reproduce it, the file does\)/,
    );
    expect(second.stdout).not.toMatch(/^ +Seed:/m);
  });
});

describe('small failures are shown whole', () => {
  it('verify and replay print the inputs of the failing call and the whole expected and actual outputs', async () => {
    const dir = freshDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('nan.mjs'),
      '--runs',
      '20',
      '--seed',
      '3',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ +Input x of conv\(\): +\[\d+(,\d+)*\] = \[-?\d/m);
    expect(run.stdout).toMatch(/^ +Expected \(whole\): +\[/m);
    expect(run.stdout).toMatch(/^ +Actual \(whole\): +\[.*NaN/m);
    const md = await readFile(join(dir, 'verification.md'), 'utf8');
    expect(md).toContain('- **Actual (whole):** `[');
    const failure = (await readReport(dir)).properties[0].failure as {
      whole?: { actual?: { values: unknown[] } };
      counterexampleFile?: string;
    };
    expect(failure.whole?.actual?.values).toContain('NaN');
    const replay = await convcheck(['replay', failure.counterexampleFile!, '--kernel', fixture('nan.mjs')]);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/^input x +\[/m);
    expect(replay.stdout).toMatch(/^actual \(all\) +\[.*NaN/m);
  });
});

describe('convcheck replay on damaged and foreign files', () => {
  let good: Record<string, unknown>;
  beforeAll(async () => {
    const dir = freshDir();
    await convcheck([
      'verify',
      '--kernel',
      fixture('nan.mjs'),
      '--runs',
      '3',
      '--seed',
      '5',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      dir,
    ]);
    const file = (await readReport(dir)).properties[0].failure!.counterexampleFile!;
    good = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  });

  const damage: Array<[string, (g: Record<string, unknown>) => unknown, RegExp]> = [
    ['an unknown property', (g) => ({ ...g, property: 'no-such-property' }), /unknown property "no-such-property"/],
    [
      'a shape that is a string',
      (g) => ({ ...g, case: { ...(g.case as object), spec: { ...(g.case as { spec: object }).spec, xShape: '1,2,3' } } }),
      /case\.spec\.xShape must be an array of 1 to 5 positive integers, got "1,2,3"/,
    ],
    ['"case": null', (g) => ({ ...g, case: null }), /case is null/],
    [
      'a 10⁹-element shape',
      (g) => ({ ...g, case: { ...(g.case as object), spec: { ...(g.case as { spec: object }).spec, xShape: [1000, 1000, 1000] } } }),
      /has 1000000000 elements, more than the 16777216/,
    ],
    ['a null seed', (g) => ({ ...g, seed: null }), /"seed" must be an integer, got null/],
    [
      'a null data seed',
      (g) => ({ ...g, case: { ...(g.case as object), seed: null } }),
      /case\.seed is null|case\.seed must be an integer/,
    ],
    ['an empty case', (g) => ({ ...g, case: {} }), /case is an empty object/],
    [
      'a case of another property',
      (g) => ({ ...g, property: 'dense-matches-reference' }),
      /is not a dense-matches-reference case|cannot be run/,
    ],
  ];
  it.each(damage)('%s: one clear line, exit 2, no stack', async (_what, edit, message) => {
    const file = join(scratch, `damaged-${++n}.json`);
    await writeFile(file, JSON.stringify(edit(good)));
    const run = await convcheck(['replay', file, '--kernel', fixture('good.mjs')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^convcheck replay: /);
    expect(run.stderr).not.toContain('internal error');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
