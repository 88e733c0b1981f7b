/**
 * `main(argv, io)` called in-process (test/cli/cli.test.ts spawns the command as users run it; this
 * file drives the same entry point directly, with captured stdout/stderr).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliVersion, EXIT, helpText, main, recordedKernel } from '../../src/cli/main.js';

const FIXTURES = 'test/fixtures/kernels';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[], opts: { isTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => ((out += t), true) },
    stderr: { write: (t: string) => ((err += t), true), isTTY: opts.isTTY, columns: 100 },
    env: opts.env ?? { CI: '1' },
  });
  return { code, out, err };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-cli-inprocess-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('main: help, version, list', () => {
  it('--help prints the general usage with every built-in kernel', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain(`convcheck ${cliVersion()}: property-based verification`);
    expect(r.out).toContain('convcheck verify [options]');
    expect(r.out).toContain('convcheck replay FILE');
    expect(r.out).toMatch(/builtin:im2col\s+im2col \+ GEMM, float32/);
    expect(r.err).toBe('');
  });

  it('per-command --help prints only that command', async () => {
    const v = await run(['verify', '--help']);
    expect(v.code).toBe(0);
    expect(v.out).toBe(helpText('verify'));
    expect(v.out).toContain('--shard i/n');
    expect(v.out).not.toContain('convcheck replay FILE');
    expect((await run(['replay', '--help'])).out).toBe(helpText('replay'));
    expect((await run(['list', '--help'])).out).toBe(helpText('list'));
  });

  it('--version prints the package.json version', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${pkg.version}\n`);
  });

  it('list prints one line per property id', async () => {
    const r = await run(['list']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((l) => l.startsWith('conv-matches-reference '))).toBe(true);
    expect(lines.some((l) => l.startsWith('inputs-not-mutated '))).toBe(true);
  });
});

describe('main: usage and load errors exit 2 with one line on stderr', () => {
  it.each([
    [[], /missing command/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['verify', '--bogus'], /convcheck verify: unknown option --bogus/],
    [['verify', '--runs', 'ten'], /--runs must be an integer >= 1, got 'ten'/],
    [['verify', '--size', 'huge'], /--size must be one of small, default, large/],
    [['verify', '--shard', '3/2'], /--shard must be i\/n/],
    [['verify', '--properties', 'no-such-property'], /unknown property id 'no-such-property'/],
    [['replay'], /missing the counterexample FILE/],
  ])('%j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(EXIT.error);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err.startsWith('convcheck')).toBe(true);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an unknown built-in kernel name is a load error', async () => {
    const r = await run(['verify', '--kernel', 'builtin:nope', '--report-dir', join(dir, 'nope')]);
    expect(r.code).toBe(EXIT.error);
    expect(r.err).toMatch(/^convcheck: cannot load kernel builtin:nope.*unknown built-in kernel/);
  });

  it('a module without a default export is a load error from the worker', async () => {
    const r = await run(['verify', '--kernel', `${FIXTURES}/no-default.mjs`, '--runs', '1', '--report-dir', join(dir, 'nodefault')]);
    expect(r.code).toBe(EXIT.error);
    expect(r.err).toMatch(/cannot load kernel .*no-default\.mjs.*has no default export/);
  });

  it('a missing kernel module is a load error', async () => {
    const r = await run(['verify', '--kernel', `${FIXTURES}/does-not-exist.mjs`, '--report-dir', join(dir, 'missing')]);
    expect(r.code).toBe(EXIT.error);
    expect(r.err).toMatch(/cannot load kernel .*does-not-exist\.mjs.*file not found/);
  });
});

describe('main verify', () => {
  it('verifies builtin:im2col on a subset of properties, prints progress and the summary, writes the reports', async () => {
    const reportDir = join(dir, 'im2col');
    const r = await run([
      'verify',
      '--kernel',
      'builtin:im2col',
      '--runs',
      '5',
      '--seed',
      '7',
      '--size',
      'small',
      '--properties',
      'conv-matches-reference,output-shape',
      '--report-dir',
      reportDir,
    ]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toMatch(
      /verifying .* \(float32, elementwise error model\) from builtin:im2col: 2 properties, 5 runs, seed 7, size small/,
    );
    expect(r.err).not.toContain('(random)');
    expect(r.err).not.toContain('in its own process');
    // CI: one plain progress line per finished property, no live redraw.
    expect(r.err).toMatch(/\[1\/2\] PASS conv-matches-reference/);
    expect(r.err).toMatch(/\[2\/2\] PASS output-shape/);
    expect(r.err).not.toContain('\x1b[2K');
    // each property printed once: the progress lines above, not again in the summary
    expect(r.out).not.toMatch(/conv-matches-reference|output-shape/);
    expect(r.out).toMatch(/seed 7/);
    expect(r.out).toContain(`Reports: `);
    const files = await readdir(reportDir);
    expect(files).toEqual(expect.arrayContaining(['verification.json', 'verification.md', 'verification.html', 'junit.xml']));
    const json = JSON.parse(await readFile(join(reportDir, 'verification.json'), 'utf8')) as {
      seed: number;
      properties: Array<{ id: string }>;
    };
    expect(json.seed).toBe(7);
    expect(json.properties.map((p) => p.id)).toEqual(['conv-matches-reference', 'output-shape']);
  });

  it('without --seed picks a random seed and says so; a single property is "property"', async () => {
    const r = await run(['verify', '--runs', '2', '--size', 'small', '--properties', 'output-shape', '--report-dir', join(dir, 'random')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/1 property, 2 runs, seed \d+ \(random\)/);
  });

  it('on a TTY outside CI draws the live progress line', async () => {
    const r = await run(
      ['verify', '--runs', '3', '--seed', '1', '--size', 'small', '--properties', 'output-shape', '--report-dir', join(dir, 'tty')],
      {
        isTTY: true,
        env: {},
      },
    );
    expect(r.code).toBe(0);
    expect(r.err).toContain('\r\x1b[2K[1/1] output-shape');
    expect(r.err).toMatch(/PASS output-shape/);
  });

  it('--shard runs every n-th property and names the shard', async () => {
    const r = await run([
      'verify',
      '--runs',
      '2',
      '--seed',
      '3',
      '--size',
      'small',
      '--properties',
      'output-shape,deterministic,inputs-not-mutated',
      '--shard',
      '2/2',
      '--report-dir',
      join(dir, 'shard'),
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/1 property \(shard 2\/2\)/);
    expect(r.err).toMatch(/PASS deterministic/);
    expect(r.err).not.toContain('output-shape');
    expect(r.err).not.toContain('inputs-not-mutated');
  });

  it('a shard that selects nothing runs nothing and exits 0', async () => {
    const r = await run(['verify', '--properties', 'output-shape', '--shard', '2/2', '--report-dir', join(dir, 'empty-shard')]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/shard 2\/2 selects none of the 1 properties; nothing to run/);
  });

  it('verifies a correct module kernel in a worker', async () => {
    const r = await run([
      'verify',
      '--kernel',
      `${FIXTURES}/good.mjs`,
      '--runs',
      '3',
      '--seed',
      '5',
      '--size',
      'small',
      '--properties',
      'conv-matches-reference,dense-matches-reference',
      '--report-dir',
      join(dir, 'good'),
    ]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toMatch(/verifying fixture:good \(float64, elementwise error model, in its own process\)/);
    expect(r.err).toMatch(/PASS conv-matches-reference/);
    expect(r.err).toMatch(/PASS dense-matches-reference/);
  });

  it('a report dir that cannot be written is a usage error', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const r = await run(['verify', '--runs', '1', '--size', 'small', '--properties', 'output-shape', '--report-dir', blocker]);
    expect(r.code).toBe(EXIT.error);
    expect(r.err).toMatch(/cannot write the reports into --report-dir .*a-file/);
  });
});

describe('main verify with a failing kernel, then replay', () => {
  const reportDir = () => join(dir, 'nan');
  let failing: Run;
  let counterexample: string;

  beforeAll(async () => {
    failing = await run([
      'verify',
      '--kernel',
      `${FIXTURES}/nan.mjs`,
      '--runs',
      '5',
      '--seed',
      '11',
      '--size',
      'small',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      reportDir(),
    ]);
    const files = (await readdir(join(reportDir(), 'counterexamples'), { recursive: true })).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    counterexample = join(reportDir(), 'counterexamples', files[0]);
  });

  it('exits 1 and prints the failure recipe: problem, expected, actual, replay command', () => {
    expect(failing.code).toBe(EXIT.failed);
    expect(failing.out).toMatch(/^conv-matches-reference failed:$/m);
    expect(failing.out).toMatch(/Problem:\s+\S/);
    expect(failing.out).toMatch(/Expected:/);
    expect(failing.out).toMatch(/Actual:\s+NaN/);
    expect(failing.out).toMatch(/Replay:\s+npx convcheck replay .*counterexamples.* --kernel test\/fixtures\/kernels\/nan\.mjs/);
    expect(failing.err).toMatch(/FAIL conv-matches-reference/);
  });

  it('replaying against the same kernel still fails (exit 1)', async () => {
    const r = await run(['replay', counterexample, '--kernel', `${FIXTURES}/nan.mjs`]);
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toMatch(/FAIL: conv-matches-reference still fails on fixture:nan/);
  });

  it('replaying against a correct kernel passes (exit 0)', async () => {
    const r = await run(['replay', counterexample, '--kernel', `${FIXTURES}/good.mjs`]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/PASS: conv-matches-reference now passes on fixture:good/);
  });

  it('without --kernel, a file naming a module falls back to the default built-in kernel', async () => {
    const r = await run(['replay', counterexample]);
    expect(r.err).toMatch(/replaying against builtin:im2col \(the file names no built-in kernel; use --kernel for a module\)/);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/PASS: conv-matches-reference now passes/);
  });

  it('without --kernel, a file naming a built-in kernel replays against it', async () => {
    const data = JSON.parse(await readFile(counterexample, 'utf8')) as Record<string, unknown>;
    const file = join(dir, 'recorded-reference.json');
    await writeFile(file, JSON.stringify({ ...data, kernel: { name: 'reference', source: 'nowhere' } }));
    const r = await run(['replay', file]);
    expect(r.err).toMatch(/replaying against builtin:reference, the kernel recorded in/);
    expect(r.code).toBe(EXIT.ok);
  });

  it('replay of a missing file, a directory, a non-JSON file or a foreign JSON file exits 2', async () => {
    const missing = await run(['replay', join(dir, 'nope.json')]);
    expect(missing.code).toBe(EXIT.error);
    expect(missing.err).toMatch(/counterexample file .*nope\.json not found/);

    const asDir = await run(['replay', dir]);
    expect(asDir.code).toBe(EXIT.error);
    expect(asDir.err).toMatch(/not found/);

    const garbage = join(dir, 'garbage.json');
    await writeFile(garbage, '{ not json');
    const notJson = await run(['replay', garbage]);
    expect(notJson.code).toBe(EXIT.error);
    expect(notJson.err).toMatch(/garbage\.json: is not JSON \(/);

    const foreign = join(dir, 'foreign.json');
    await writeFile(foreign, JSON.stringify({ hello: 'world' }));
    const notOurs = await run(['replay', foreign, '--kernel', 'builtin:reference']);
    expect(notOurs.code).toBe(EXIT.error);
    expect(notOurs.err).toMatch(/^convcheck replay: .*is not a convcheck counterexample/);
  });
});

describe('recordedKernel', () => {
  it.each([
    ['{"kernel":{"source":"builtin:im2col64"}}', 'builtin:im2col64'],
    ['{"kernel":{"source":"./k.mjs","name":"im2col"}}', 'builtin:im2col'],
    ['{"kernel":"builtin:reference"}', 'builtin:reference'],
    ['{"source":"tfjs:cpu"}', 'tfjs:cpu'],
    ['{"kernel":{"source":"./k.mjs","name":"mine"}}', undefined],
    ['null', undefined],
    ['42', undefined],
    ['not json', undefined],
  ])('%s → %s', (text, expected) => {
    expect(recordedKernel(text)).toBe(expected);
  });
});

describe('main: --shapes and --time-budget', () => {
  it("--shapes runs the file's layers in the production tier and reports the cases per property", async () => {
    const file = join(dir, 'tiny-net.json');
    await writeFile(
      file,
      JSON.stringify({
        network: 'tiny',
        layers: [
          { name: 'c', op: 'conv', x: [1, 2, 6, 6], w: [3, 2, 3, 3], pads: [1, 1, 1, 1] },
          { name: 'fc', op: 'dense', x: [1, 12], w: [4, 12] },
        ],
      }),
    );
    const r = await run([
      'verify',
      '--shapes',
      file,
      '--seed',
      '1',
      '--properties',
      'conv-matches-reference,dense-matches-reference',
      '--report-dir',
      join(dir, 'shapes-out'),
    ]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toContain('size production');
    expect(r.err).toContain('each layer once per property');
    expect(r.err).toMatch(/conv-matches-reference\s+1 cases/);
    expect(r.err).toMatch(/dense-matches-reference\s+1 cases/);
  });
  it("--every-layer runs a multi-call property on a layer above the cost cap (3.7 GFLOP, VGG-16 conv3_2's geometry), which it otherwise skips saying why", async () => {
    const file = join(dir, 'big-net.json');
    await writeFile(
      file,
      JSON.stringify({
        network: 'big',
        layers: [{ name: 'conv3_2', op: 'conv', x: [1, 256, 56, 56], w: [256, 256, 3, 3], pads: [1, 1, 1, 1] }],
      }),
    );
    const capped = await run([
      'verify',
      '--shapes',
      file,
      '--seed',
      '1',
      '--properties',
      'linearity-in-x',
      '--report-dir',
      join(dir, 'big-out'),
    ]);
    expect(capped.code).toBe(EXIT.ok);
    expect(capped.err).toMatch(
      /SKIP linearity-in-x .*within its cost cap: left out 1 layer above 3 GFLOP or 33\.6 M elements in a tensor — big conv3_2 \(3\.7 GFLOP/,
    );
    const every = await run([
      'verify',
      '--shapes',
      file,
      '--every-layer',
      '--seed',
      '1',
      '--properties',
      'linearity-in-x',
      '--report-dir',
      join(dir, 'big-out'),
    ]);
    expect(every.code).toBe(EXIT.ok);
    expect(every.err).toMatch(/PASS linearity-in-x\s+1 cases/);
  });
  it('a malformed --shapes file is exit 2 with one line naming the file, the layer and the field', async () => {
    const file = join(dir, 'bad-net.json');
    await writeFile(file, JSON.stringify([{ name: 'fc', op: 'dense', x: [1, 12], w: [4, 13] }]));
    const r = await run(['verify', '--shapes', file, '--report-dir', join(dir, 'bad-out')]);
    expect(r.code).toBe(EXIT.error);
    expect(r.err).toContain(`--shapes ${file}: layer #0 (fc): x/w:`);
    const missing = await run(['verify', '--shapes', join(dir, 'nope.json')]);
    expect(missing.code).toBe(EXIT.error);
    expect(missing.err).toMatch(/nope\.json: cannot read the file \(ENOENT\)/);
    await writeFile(join(dir, 'notjson.json'), '{ layers: ');
    expect((await run(['verify', '--shapes', join(dir, 'notjson.json')])).err).toMatch(/notjson\.json: not JSON/);
    expect((await run(['verify', '--shapes', file, '--size', 'large'])).err).toMatch(
      /--shapes runs the production tier; it cannot be combined with --size large/,
    );
  });
  it('--time-budget is announced and spread over the properties', async () => {
    const r = await run([
      'verify',
      '--time-budget',
      '0.6',
      '--seed',
      '1',
      '--size',
      'small',
      '--properties',
      'output-shape,conv-matches-reference',
      '--report-dir',
      join(dir, 'budget-out'),
    ]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toContain('time budget 0.6 s');
    const report = JSON.parse(await readFile(join(dir, 'budget-out', 'verification.json'), 'utf8')) as {
      options: { timeBudgetMs: number };
      properties: Array<{ casesRun: number }>;
    };
    expect(report.options.timeBudgetMs).toBe(600);
    expect(report.properties.every((p) => p.casesRun >= 1)).toBe(true);
  });
});
