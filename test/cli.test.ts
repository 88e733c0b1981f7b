/**
 * The command line and what it stands on: argument parsing, the kernel loader, the worker
 * isolation and the built-in registry (in-process), then `convcheck` itself, spawned as users
 * run it, against fixture kernels that are correct or broken in exactly one way.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../src/contract.js';
import { KernelLoadError, UsageError } from '../src/errors.js';
import { parseArgs, selectProperties } from '../src/cli/args.js';
import { loadKernel, validateKernel } from '../src/kernels/load-kernel.js';
import { createProgressReporter } from '../src/cli/progress.js';
import { builtinKernelNames, createBuiltinKernel, kernelLoadErrorFor } from '../src/kernels/registry.js';
import { createIsolatedKernel } from '../src/runner/isolated-kernel.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FIXTURES = 'test/fixtures/kernels';
const fixture = (name: string) => join(FIXTURES, name);

/** conv x=[1,1,3] w=[1,1,2] strides=[1] pads=[0,0] dilations=[1] group=1 bias=no → [3, 5]. */
function smallConv(): { x: Tensor; w: Tensor; attrs: { strides: number[]; pads: number[]; dilations: number[]; group: number } } {
  return {
    x: { shape: [1, 1, 3], data: new Float64Array([1, 2, 3]) },
    w: { shape: [1, 1, 2], data: new Float64Array([1, 1]) },
    attrs: { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
  };
}

async function loadError(p: Promise<unknown>): Promise<KernelLoadError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KernelLoadError);
  return e as KernelLoadError;
}

describe('parseArgs', () => {
  it('verify with no options takes the command defaults and leaves the run defaults to resolveOptions', () => {
    expect(parseArgs(['verify'])).toEqual({
      kind: 'verify',
      kernel: 'builtin:im2col',
      runs: undefined,
      seed: undefined,
      properties: undefined,
      timeoutMs: undefined,
      reportDir: 'reports',
      size: 'default',
      shard: undefined,
      browser: false,
      shapeBudget: undefined,
    });
  });

  it('verify reads every option, in both --flag value and --flag=value forms', () => {
    expect(
      parseArgs([
        'verify',
        '--kernel',
        './k.ts',
        '--runs=7',
        '--seed',
        '-5',
        '--properties',
        'a, b,,a',
        '--timeout-ms',
        '300',
        '--report-dir=out',
        '--size',
        'small',
        '--shard',
        '2/3',
        '--browser',
        '--shape-budget=4',
      ]),
    ).toEqual({
      kind: 'verify',
      kernel: './k.ts',
      runs: 7,
      seed: '-5',
      properties: ['a', 'b'],
      timeoutMs: 300,
      reportDir: 'out',
      size: 'small',
      shard: { index: 2, count: 3 },
      browser: true,
      shapeBudget: 4,
    });
  });

  it('--time-budget SECONDS: the budget decides the cases; --runs then only caps them', () => {
    expect(parseArgs(['verify', '--time-budget', '2.5'])).toMatchObject({ timeBudgetSeconds: 2.5, runs: undefined });
    expect(parseArgs(['verify', '--time-budget=90', '--runs', '40'])).toMatchObject({ timeBudgetSeconds: 90, runs: 40 });
    expect(parseArgs(['verify', '--size', 'production'])).toMatchObject({ size: 'production' });
    expect(parseArgs(['verify', '--shapes', 'm.json'])).toMatchObject({ size: 'production', shapes: 'm.json' });
    expect(parseArgs(['verify', '--size', 'production', '--every-layer'])).toMatchObject({ size: 'production', everyLayer: true });
    expect(parseArgs(['verify', '--size', 'production'])).not.toHaveProperty('everyLayer');
    expect(parseArgs(['verify'])).not.toHaveProperty('timeBudgetSeconds');
  });

  it.each([
    [['verify', '--time-budget', '0'], /--time-budget must be a number of seconds > 0 \(e.g. 60 or 2.5\), got '0'/],
    [['verify', '--time-budget', '-3'], /--time-budget must be a number of seconds > 0/],
    [['verify', '--time-budget', 'soon'], /--time-budget must be a number of seconds > 0/],
    [['verify', '--bogus'], /unknown option --bogus/],
    [['verify', '--runs', 'ten'], /--runs must be an integer >= 1, got 'ten'/],
    [['verify', '--runs', '0'], /--runs must be an integer >= 1, got '0'/],
    [['verify', '--runs', '2.5'], /--runs must be an integer/],
    [['verify', '--timeout-ms', '1e3'], /--timeout-ms must be an integer/],
    [['verify', '--seed', ' '], /--seed must not be empty/],
    [['verify', '--size', 'huge'], /--size must be one of small, default, large, production, got 'huge'/],
    [['verify', '--shapes', 'm.json', '--size', 'small'], /--shapes runs the production tier; it cannot be combined with --size small/],
    [['verify', '--shapes', ' '], /--shapes must not be empty/],
    [['verify', '--every-layer'], /--every-layer applies to the production tier \(--size production or --shapes\), not --size default/],
    [['verify', '--shard', '3/2'], /--shard must be i\/n with 1 <= i <= n/],
    [['verify', '--shard', '0/2'], /--shard must be i\/n/],
    [['verify', '--shard', 'two'], /--shard must be i\/n/],
    [['verify', '--properties', ','], /--properties needs at least one property id/],
    [['verify', '--runs'], /option --runs needs a value/],
    [['verify', '--runs', '--seed', '1'], /option --runs needs a value/],
    [['verify', 'extra'], /unexpected argument 'extra'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [[], /missing command/],
    [['replay'], /missing the counterexample FILE/],
    [['replay', 'a.json', '--runs', '3'], /unknown option --runs/],
    [['list', '--kernel', 'x'], /unknown option --kernel/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('help, version, list and replay', () => {
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['verify', '--help'])).toEqual({ kind: 'help', command: 'verify' });
    expect(parseArgs(['--version'])).toEqual({ kind: 'version' });
    expect(parseArgs(['list'])).toEqual({ kind: 'list' });
    expect(parseArgs(['replay', 'r/c.json'])).toEqual({
      kind: 'replay',
      file: 'r/c.json',
      kernel: undefined,
      timeoutMs: 5000,
      browser: false,
    });
    expect(parseArgs(['replay', 'r/c.json', '--browser'])).toMatchObject({ kind: 'replay', browser: true });
    expect(() => parseArgs(['verify', '--browser=yes'])).toThrow(/--browser takes no value/);
    expect(() => parseArgs(['verify', '--shape-budget', '0'])).toThrow(/--shape-budget must be an integer >= 1/);
  });
});

describe('selectProperties', () => {
  const known = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  it('--shard i/n takes every n-th property starting at the i-th, and the shards cover the list once', () => {
    expect(selectProperties(known, undefined, { index: 1, count: 3 })).toEqual(['a', 'd', 'g']);
    expect(selectProperties(known, undefined, { index: 2, count: 3 })).toEqual(['b', 'e']);
    const all = [1, 2, 3].flatMap((i) => selectProperties(known, undefined, { index: i, count: 3 }));
    expect(all.sort()).toEqual(known);
  });
  it('shards the --properties selection, in catalog order', () => {
    expect(selectProperties(known, ['f', 'b', 'c'], { index: 2, count: 2 })).toEqual(['c']);
    expect(selectProperties(known, ['f', 'b'], undefined)).toEqual(['b', 'f']);
  });
  it('an unknown id is a usage error naming it', () => {
    expect(() => selectProperties(known, ['a', 'zz'], undefined)).toThrow(/unknown property id 'zz'/);
  });
});

describe('loadKernel', () => {
  it('loads a JavaScript module kernel, relative to the cwd option', async () => {
    const k = await loadKernel(fixture('good.mjs'), { cwd: ROOT });
    expect(k.name).toBe('fixture:good');
    const { x, w, attrs } = smallConv();
    expect(Array.from((await k.conv!(x, w, undefined, attrs)).data)).toEqual([3, 5]);
  });

  it('loads a TypeScript module whose default export is an async factory', async () => {
    const k = await loadKernel(fixture('good-kernel.ts'), { cwd: ROOT });
    expect(k.name).toBe('fixture:ts-im2col');
    expect(k.precision).toBe('float32');
  });

  it.each([
    ['missing.mjs', /missing\.mjs: file not found/],
    ['no-default.mjs', /no-default\.mjs: has no default export .*; it exports only kernel/],
    ['wrong-object.mjs', /wrong-object\.mjs: kernel\.conv must be a function, got 'direct loops'/],
    ['bfloat16.mjs', /bfloat16\.mjs: kernel\.precision must be 'float16', 'float32' or 'float64', got 'bfloat16'/],
    ['bad-error-factor.mjs', /bad-error-factor\.mjs: kernel\.errorFactor must be a finite number >= 1, got 0\.5/],
    ['factory-throws.mjs', /factory-throws\.mjs: default-export factory threw: GPU backend not available/],
    ['naive.mjs', /naive\.mjs: has no default export .*naiveConv/],
  ])('%s → one-line KernelLoadError', async (file, message) => {
    const e = await loadError(loadKernel(fixture(file), { cwd: ROOT }));
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
    expect(e.file).toBe(fixture(file));
  });

  it('a TypeScript module that does not compile names the file, line and column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-ts-'));
    try {
      await writeFile(join(dir, 'broken.ts'), "export default { name: 'k' precision: 'float32' };\n");
      const e = await loadError(loadKernel('broken.ts', { cwd: dir }));
      expect(e.message).toMatch(/^broken\.ts: import failed: .*broken\.ts:1:\d+: ERROR: Expected/);
      expect(e.message).not.toContain('\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unsupported extension and an unknown built-in name', async () => {
    expect((await loadError(loadKernel('kernel.py', { cwd: ROOT }))).message).toMatch(/unsupported file extension '\.py'/);
    expect((await loadError(loadKernel('tfjs:webnn'))).message).toMatch(
      /tfjs:webnn: unknown built-in kernel; known kernels: builtin:reference/,
    );
  });

  it('validateKernel names the wrong field', () => {
    const ok = { name: 'k', precision: 'float64', dense: () => undefined };
    expect(validateKernel(ok, 'f.js')).toMatchObject({ name: ok.name, precision: ok.precision });
    expect(() => validateKernel(42, 'f.js')).toThrow(/f\.js: default export is 42, expected a KernelUnderTest/);
    expect(() => validateKernel({ ...ok, name: '' }, 'f.js')).toThrow(/kernel\.name must be a non-empty string, got ''/);
    expect(() => validateKernel({ name: 'k', precision: 'float32' }, 'f.js')).toThrow(/implements none of the operators/);
    expect(() => validateKernel({ ...ok, capabilities: [] }, 'f.js')).toThrow(/kernel\.capabilities must be an object/);
    expect(() => validateKernel({ ...ok, capabilities: { group: 'yes' } }, 'f.js')).toThrow(
      /capabilities\.group must be a boolean, got 'yes'/,
    );
    expect(() => validateKernel({ ...ok, capabilities: { spatialRanks: [2, 4] } }, 'f.js')).toThrow(
      /spatialRanks must be a non-empty array of spatial ranks/,
    );
    expect(() => validateKernel({ ...ok, capabilities: { maxElements: -1 } }, 'f.js')).toThrow(
      /maxElements must be an integer >= 1 .*, got -1/,
    );
    expect(() => validateKernel({ ...ok, capabilities: { asymetricPads: false } }, 'f.js')).toThrow(/unknown field 'asymetricPads'/);
  });
});

describe('registry', () => {
  it('lists the built-in kernels and creates the pure-JS ones', async () => {
    expect(builtinKernelNames).toEqual([
      'builtin:reference',
      'builtin:im2col',
      'builtin:im2col64',
      'tfjs:cpu',
      'tfjs:wasm',
      'tfjs:webgl',
      'tfjs:webgpu',
      'onnxruntime:node',
      'onnxruntime:web',
      'onnxruntime:webgpu',
      'onnxruntime:node-const',
      'onnxruntime:web-const',
      'onnxruntime:node-fp16',
      'onnxruntime:web-fp16',
    ]);
    expect((await createBuiltinKernel('builtin:reference')).precision).toBe('float64');
    expect((await createBuiltinKernel('builtin:im2col')).precision).toBe('float32');
    expect((await createBuiltinKernel('builtin:im2col64')).precision).toBe('float64');
  });

  it('a missing optional package becomes a KernelLoadError saying what to install', () => {
    const notFound = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-backend-wasm' imported from /x/tfjs.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const e = kernelLoadErrorFor('tfjs:wasm', ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'], notFound);
    expect(e.message).toBe(
      'tfjs:wasm: optional package @tensorflow/tfjs-backend-wasm is not installed; run: npm install @tensorflow/tfjs-backend-wasm',
    );
    const other = kernelLoadErrorFor('onnxruntime:node', ['onnxruntime-node'], new TypeError('bad\nthing'));
    expect(other.message).toBe('onnxruntime:node: could not be created (TypeError: bad thing)');
  });
});

describe('createIsolatedKernel', () => {
  it('proxies a module kernel: same name, precision and functions, results computed in the worker', async () => {
    const k = await createIsolatedKernel(fixture('good.mjs'), { timeoutMs: 5000, cwd: ROOT });
    try {
      expect(k.name).toBe('fixture:good');
      expect(k.precision).toBe('float64');
      expect(typeof k.conv).toBe('function');
      expect(typeof k.dense).toBe('function');
      const { x, w, attrs } = smallConv();
      const y = await k.conv!(x, w, undefined, attrs);
      expect(y.shape).toEqual([1, 1, 2]);
      expect(y.data).toBeInstanceOf(Float64Array);
      expect(Array.from(y.data)).toEqual([3, 5]);
    } finally {
      await k.close();
    }
  });

  it('a synchronous infinite loop times out, and the next call runs on a fresh worker', async () => {
    const k = await createIsolatedKernel(fixture('hangs-sync.mjs'), { timeoutMs: 300, cwd: ROOT });
    try {
      const { x, w, attrs } = smallConv();
      const t0 = performance.now();
      await expect(k.conv!(x, w, undefined, attrs)).rejects.toThrow('kernel did not return within 300 ms');
      expect(performance.now() - t0).toBeLessThan(3000);
      const y = await k.dense!(
        { shape: [1, 2], data: new Float64Array([1, 2]) },
        { shape: [1, 2], data: new Float64Array([3, 4]) },
        undefined,
      );
      expect(Array.from(y.data)).toEqual([11]);
      await expect(k.conv!(x, w, undefined, attrs)).rejects.toThrow('kernel did not return within 300 ms');
    } finally {
      await k.close();
    }
  });

  it('a Promise that never settles times out too', async () => {
    const k = await createIsolatedKernel(fixture('never-resolves.mjs'), { timeoutMs: 200, cwd: ROOT });
    try {
      const { x, w, attrs } = smallConv();
      await expect(k.conv!(x, w, undefined, attrs)).rejects.toThrow('kernel did not return within 200 ms');
    } finally {
      await k.close();
    }
  });

  it("a kernel's exception comes back as a rejection with its message", async () => {
    const k = await createIsolatedKernel(fixture('throws.mjs'), { timeoutMs: 5000, cwd: ROOT });
    try {
      const { x, w, attrs } = smallConv();
      await expect(k.conv!(x, w, undefined, attrs)).rejects.toThrow('fixture kernel refuses every conv');
    } finally {
      await k.close();
    }
  });

  it("writes into the inputs are copied back into the caller's arrays", async () => {
    const k = await createIsolatedKernel(fixture('mutates-input.mjs'), { timeoutMs: 5000, cwd: ROOT });
    try {
      const { x, w, attrs } = smallConv();
      await k.conv!(x, w, undefined, attrs);
      expect(Array.from(x.data)).toEqual([2, 2, 3]);
      expect(Array.from(w.data)).toEqual([1, 1]);
    } finally {
      await k.close();
    }
  });

  it('has only the functions the real kernel has', async () => {
    const k = await createIsolatedKernel('builtin:reference', { timeoutMs: 5000 });
    try {
      expect(k.name).toBe('builtin:reference');
      const { operatorNames } = await import('../src/operators/index.js');
      expect(Object.keys(k).sort()).toEqual(['capabilities', 'close', 'name', 'precision', ...operatorNames].sort());
    } finally {
      await k.close();
    }
  });

  it('a load error in the worker is a KernelLoadError from createIsolatedKernel', async () => {
    const e = await loadError(createIsolatedKernel(fixture('bfloat16.mjs'), { timeoutMs: 1000, cwd: ROOT }));
    expect(e.message).toBe(`${fixture('bfloat16.mjs')}: kernel.precision must be 'float16', 'float32' or 'float64', got 'bfloat16'`);
  });
});

describe('progress', () => {
  const result = { id: 'p', statement: 's', status: 'passed', casesRun: 20, durationMs: 1234 } as const;
  it('line mode prints one line per finished property', () => {
    let out = '';
    const r = createProgressReporter({ write: (s: string) => (out += s) }, { live: false });
    r.onProgress({ type: 'property-start', id: 'p', index: 1, count: 3, casesTotal: 20 });
    r.onProgress({ type: 'case', id: 'p', casesDone: 5, casesTotal: 20 });
    r.onProgress({ type: 'property-end', result });
    r.stop();
    expect(out).toBe('[2/3] PASS p  20 cases  1.23 s\n');
  });
  it('live mode redraws one line with \\r and leaves finished properties above it', () => {
    let out = '';
    let t = 0;
    const r = createProgressReporter(
      { write: (s: string) => (out += s), isTTY: true, columns: 80 },
      { live: true, now: () => t, redrawMs: 0 },
    );
    r.onProgress({ type: 'property-start', id: 'p', index: 0, count: 1, casesTotal: 20 });
    t = 500;
    r.onProgress({ type: 'case', id: 'p', casesDone: 7, casesTotal: 20 });
    r.onProgress({ type: 'property-end', result });
    r.stop();
    expect(out).toContain('\r\x1b[2K[1/1] p  0/20 cases  0 ms');
    expect(out).toContain('\r\x1b[2K[1/1] p  7/20 cases  500 ms');
    expect(out.endsWith('\r\x1b[2K[1/1] PASS p  20 cases  1.23 s\n')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The command itself, spawned as users run it (`node bin/convcheck.js …`).

const BIN = join(ROOT, 'bin', 'convcheck.js');

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `convcheck args` in the repo root. `onStderr` sees the stderr text so far and the child
 * (to send it signals). CI=true keeps progress line-based; CONVCHECK_FROM_SOURCE=1 tests the
 * source even when a (possibly stale) dist/ exists.
 */
function convcheck(args: readonly string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', CONVCHECK_FROM_SOURCE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'convcheck-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let dirCount = 0;
/** A fresh report directory under the scratch folder. */
const reportDir = () => join(scratch, `r${++dirCount}`);

interface JsonReport {
  status: string;
  interrupted: boolean;
  seed: number;
  kernel: { name: string; source: string; precision: string };
  options: { runs: number; timeoutMs: number; properties: string[] | 'all' };
  summary: { passed: number; failed: number; skipped: number; total: number };
  properties: Array<{
    id: string;
    status: string;
    casesRun: number;
    skipReason?: string;
    failure?: { kind: string; message: string; actual?: unknown; counterexampleFile?: string; replayCommand?: string };
  }>;
}

async function readReport(dir: string): Promise<JsonReport> {
  return JSON.parse(await readFile(join(dir, 'verification.json'), 'utf8')) as JsonReport;
}

/** Runs one conv property with few cases against a fixture and returns the run and its report. */
async function verifyFixture(file: string, extra: readonly string[] = []): Promise<{ run: CliRun; report: JsonReport; dir: string }> {
  const dir = reportDir();
  const run = await convcheck([
    'verify',
    '--kernel',
    fixture(file),
    '--runs',
    '5',
    '--seed',
    '7',
    '--properties',
    'conv-matches-reference',
    '--report-dir',
    dir,
    ...extra,
  ]);
  return { run, report: await readReport(dir), dir };
}

describe('convcheck verify', () => {
  it('a correct JavaScript kernel passes: exit 0, reports written, seed recorded', async () => {
    const dir = reportDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('good.mjs'),
      '--runs',
      '10',
      '--seed',
      '123',
      '--properties',
      'conv-matches-reference,dense-matches-reference,inputs-not-mutated',
      '--report-dir',
      dir,
    ]);
    expect(run.stderr).toContain('seed 123');
    expect(run.code).toBe(0);
    // each property is printed once: by the progress lines on stderr, not again on stdout
    expect(run.stderr).toMatch(/^\[1\/3\] PASS conv-matches-reference {2}10 cases/m);
    expect(run.stdout).not.toMatch(/conv-matches-reference/);
    expect(run.stdout).toMatch(/^PASSED: 3 passed, 0 failed, 0 skipped of 3 properties/m);
    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'verification.html', 'verification.json', 'verification.md']);
    const report = await readReport(dir);
    expect(report.status).toBe('passed');
    expect(report.seed).toBe(123);
    expect(report.kernel).toMatchObject({ name: 'fixture:good', source: fixture('good.mjs'), precision: 'float64' });
    expect(report.options.runs).toBe(10);
  });

  it('a TypeScript kernel module (async factory default export) is loaded through tsx and passes', async () => {
    const dir = reportDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      fixture('good-kernel.ts'),
      '--runs',
      '5',
      '--properties',
      'conv-matches-reference',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    expect((await readReport(dir)).kernel.name).toBe('fixture:ts-im2col');
  });

  it('without --seed a random seed is printed and recorded', async () => {
    const dir = reportDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      'builtin:reference',
      '--runs',
      '3',
      '--properties',
      'output-shape',
      '--report-dir',
      dir,
    ]);
    expect(run.code).toBe(0);
    const seed = Number(/seed (-?\d+) \(random\)/.exec(run.stderr)?.[1]);
    expect((await readReport(dir)).seed).toBe(seed);
  });

  it('a kernel that loops forever synchronously fails with a timeout instead of hanging the run', async () => {
    const { run, report } = await verifyFixture('hangs-sync.mjs', ['--timeout-ms', '300']);
    expect(run.code).toBe(1);
    expect(report.properties[0].failure).toMatchObject({
      kind: 'timeout',
      message: expect.stringContaining('did not return within 300 ms'),
    });
    expect(run.stderr).toMatch(/^\[1\/1\] FAIL conv-matches-reference .* — timeout$/m);
    expect(run.stdout).toMatch(/^conv-matches-reference failed:$/m);
    expect(run.stdout).toMatch(/Kind: +timeout/);
  });

  it('a kernel whose Promise never resolves fails with a timeout', async () => {
    const { run, report } = await verifyFixture('never-resolves.mjs', ['--timeout-ms', '300']);
    expect(run.code).toBe(1);
    expect(report.properties[0].failure?.kind).toBe('timeout');
  });

  it("a kernel that throws fails with kind 'threw' and the kernel's message", async () => {
    const { run, report } = await verifyFixture('throws.mjs');
    expect(run.code).toBe(1);
    expect(report.properties[0].failure).toMatchObject({
      kind: 'threw',
      message: expect.stringContaining('fixture kernel refuses every conv'),
    });
    expect(run.stdout).toContain('fixture kernel refuses every conv');
  });

  it("a kernel returning the wrong shape fails with kind 'wrong-shape'", async () => {
    const { run, report } = await verifyFixture('wrong-shape.mjs');
    expect(run.code).toBe(1);
    expect(report.properties[0].failure).toMatchObject({
      kind: 'wrong-shape',
      message: expect.stringMatching(/returned shape \[\d+,\d+\], expected/),
    });
  });

  it('a kernel returning NaN everywhere fails with a mismatch whose actual value is NaN', async () => {
    const { run, report } = await verifyFixture('nan.mjs');
    expect(run.code).toBe(1);
    expect(report.properties[0].failure).toMatchObject({ kind: 'mismatch', actual: 'NaN' });
    for (const field of [
      'Problem:',
      'First mismatch:',
      'Expected:',
      'Actual:',
      'Error |actual − expected|:',
      'Bound:',
      'Error / bound:',
      'Seed:',
      'Path:',
      'Replay:',
    ]) {
      expect(run.stdout).toContain(field);
    }
  });

  it('a kernel writing into its input is caught even though it runs in a worker', async () => {
    const { run, report } = await verifyFixture('mutates-input.mjs');
    expect(run.code).toBe(1);
    expect(report.properties[0].failure).toMatchObject({
      kind: 'mutated-input',
      message: expect.stringContaining('wrote into its input x'),
    });
  });

  it.each([
    ['no-default.mjs', /no-default\.mjs: has no default export/],
    ['missing.mjs', /missing\.mjs: file not found/],
    ['wrong-object.mjs', /wrong-object\.mjs: kernel\.conv must be a function, got 'direct loops'/],
    ['bfloat16.mjs', /bfloat16\.mjs: kernel\.precision must be 'float16', 'float32' or 'float64', got 'bfloat16'/],
    ['bad-error-factor.mjs', /bad-error-factor\.mjs: kernel\.errorFactor must be a finite number >= 1, got 0\.5/],
    [
      'syntax-error.mjs',
      /syntax-error\.mjs: import failed: SyntaxError at test\/fixtures\/kernels\/syntax-error\.mjs:5: Unexpected identifier 'conv'/,
    ],
    ['factory-throws.mjs', /factory-throws\.mjs: default-export factory threw: GPU backend not available/],
  ])('kernel %s cannot be loaded: exit 2 and one line on stderr naming the file and the problem', async (file, message) => {
    const dir = reportDir();
    const run = await convcheck(['verify', '--kernel', fixture(file), '--runs', '3', '--report-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^convcheck: cannot load kernel /);
    expect(run.stdout).toBe('');
  });

  it.each([
    [['verify', '--bogus'], /unknown option --bogus/],
    [['verify', '--runs', 'many'], /--runs must be an integer >= 1, got 'many'/],
    [['verify', '--properties', 'conv-matches-reference,no-such-property'], /unknown property id 'no-such-property'/],
    [['verify', '--size', 'xl'], /--size must be one of small, default, large/],
    [['verify', '--shard', '4/3'], /--shard must be i\/n/],
    [['verify', '--kernel', 'tfjs:webnn'], /tfjs:webnn: unknown built-in kernel/],
    [['launch'], /unknown command 'launch'/],
  ])('%j is a usage error: exit 2', async (args, message) => {
    const run = await convcheck(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('--shard i/n runs every n-th property of the selection', async () => {
    const dir = reportDir();
    const run = await convcheck([
      'verify',
      '--kernel',
      'builtin:reference',
      '--runs',
      '3',
      '--report-dir',
      dir,
      '--shard',
      '2/2',
      '--properties',
      'output-shape,deterministic,inputs-not-mutated,conv-matches-reference',
    ]);
    expect(run.code).toBe(0);
    // Catalog order: conv-matches-reference, output-shape, deterministic, inputs-not-mutated → 2nd and 4th.
    expect((await readReport(dir)).properties.map((p) => p.id)).toEqual(['output-shape', 'inputs-not-mutated']);
  });

  /** Sends `signal` (twice, `gapMs` apart, when `gapMs` is given) once stderr contains `marker`, after `delayMs`. */
  function stopWhen(marker: string, signal: NodeJS.Signals, delayMs: number, gapMs?: number) {
    let sent = false;
    const at = { ms: 0 };
    const hook = (text: string, child: ReturnType<typeof spawn>) => {
      if (sent || !text.includes(marker)) return;
      sent = true;
      setTimeout(() => {
        at.ms = performance.now();
        child.kill(signal);
        if (gapMs !== undefined) setTimeout(() => child.kill(signal), gapMs);
      }, delayMs);
    };
    return { hook, at };
  }

  /** What each of the four reports says about an interrupted run. */
  async function expectInterruptedReports(dir: string): Promise<JsonReport> {
    const report = await readReport(dir);
    expect(report.status).toBe('interrupted');
    expect(report.interrupted).toBe(true);
    const md = await readFile(join(dir, 'verification.md'), 'utf8');
    expect(md).toMatch(/^# convcheck: .* — INTERRUPTED$/m);
    expect(md).not.toContain('PASSED');
    const html = await readFile(join(dir, 'verification.html'), 'utf8');
    expect(html).toContain('<span class="verdict interrupted">INTERRUPTED</span>');
    expect(html).not.toContain('PASSED');
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="convcheck" tests="\d+" failures="\d+" errors="[1-9]\d*"/);
    expect(junit).toContain('<property name="status" value="interrupted"/>');
    // no temporary file is left behind, in the report dir or the counterexample folders
    const all = await readdir(dir, { recursive: true });
    expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    return report;
  }

  it('SIGINT (Ctrl-C) stops the run: exit 130, every report says interrupted and counts the properties not run', async () => {
    const dir = reportDir();
    const stop = stopWhen('verifying fixture:good', 'SIGINT', 1500);
    const run = await convcheck(
      [
        'verify',
        '--kernel',
        fixture('good.mjs'),
        '--runs',
        '1000000',
        '--properties',
        'conv-matches-reference,dense-matches-reference',
        '--report-dir',
        dir,
      ],
      stop.hook,
    );
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('convcheck: interrupted; stopping the kernel and writing a partial report');
    const report = await expectInterruptedReports(dir);
    expect(report.properties).toHaveLength(1);
    expect(report.properties[0]).toMatchObject({ id: 'conv-matches-reference', status: 'interrupted' });
    expect(report.properties[0].casesRun).toBeGreaterThan(0);
    expect(report.summary).toMatchObject({ passed: 0, failed: 0, interrupted: 1, notRun: 1, total: 2 });
    expect(run.stdout).toMatch(/^INTERRUPTED \(partial report\): 0 passed, 0 failed, 0 skipped, 1 interrupted, 1 not run of 2 properties/m);
  });

  it('SIGTERM during a hung call ends the run without waiting for the call: exit 143, partial report', async () => {
    const dir = reportDir();
    const stop = stopWhen('verifying fixture:hangs-sync', 'SIGTERM', 800);
    const run = await convcheck(
      [
        'verify',
        '--kernel',
        fixture('hangs-sync.mjs'),
        '--timeout-ms',
        '60000',
        '--properties',
        'conv-matches-reference,output-shape',
        '--report-dir',
        dir,
      ],
      stop.hook,
    );
    const ended = performance.now() - stop.at.ms;
    expect(run.code).toBe(143);
    expect(run.stderr).toContain('convcheck: terminated; stopping the kernel and writing a partial report');
    const report = await expectInterruptedReports(dir);
    // the kernel hangs in the numerics probe, before any property starts (docs/numerics.md)
    expect(report.properties).toEqual([]);
    expect(report.summary).toMatchObject({ interrupted: 0, notRun: 2, total: 2 });
    // the bound itself (2 s) is measured by bench/bounded-time.ts; here: not the 60 s call timeout
    expect(ended).toBeLessThan(15_000);
  });

  it('a call that timed out before the interruption stays a failure; the run is still interrupted', async () => {
    const dir = reportDir();
    const stop = stopWhen('FAIL conv-matches-reference', 'SIGINT', 300);
    const run = await convcheck(
      [
        'verify',
        '--kernel',
        fixture('hangs-sync.mjs'),
        '--timeout-ms',
        '300',
        '--runs',
        '1000000',
        '--properties',
        'conv-matches-reference,dense-matches-reference',
        '--report-dir',
        dir,
      ],
      stop.hook,
    );
    expect(run.code, `signal ${run.signal}; stderr: ${run.stderr}`).toBe(130);
    const report = await expectInterruptedReports(dir);
    expect(report.properties[0]).toMatchObject({ id: 'conv-matches-reference', status: 'failed', failure: { kind: 'timeout' } });
    expect(report.properties[1]).toMatchObject({ id: 'dense-matches-reference', status: 'interrupted' });
    expect(report.summary).toMatchObject({ failed: 1, interrupted: 1, notRun: 0 });
  });

  it('a second signal right after the first exits at once and leaves no temporary file', async () => {
    const dir = reportDir();
    const stop = stopWhen('verifying fixture:hangs-sync', 'SIGINT', 500, 20);
    const t0 = performance.now();
    const run = await convcheck(
      [
        'verify',
        '--kernel',
        fixture('hangs-sync.mjs'),
        '--timeout-ms',
        '60000',
        '--properties',
        'conv-matches-reference',
        '--report-dir',
        dir,
      ],
      stop.hook,
    );
    expect(run.code, `signal ${run.signal}; stderr: ${run.stderr}`).toBe(130);
    expect(performance.now() - t0).toBeLessThan(30_000);
    const all = await readdir(dir, { recursive: true });
    expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('convcheck replay, list, --help, --version', () => {
  it('replays a saved counterexample: still failing on the broken kernel (exit 1), passing on a fixed one (exit 0)', async () => {
    const { report } = await verifyFixture('nan.mjs');
    const failure = report.properties[0].failure!;
    const file = failure.counterexampleFile!;
    expect(failure.replayCommand).toBe(`npx convcheck replay ${file} --kernel ${fixture('nan.mjs')}`);

    const still = await convcheck(['replay', file, '--kernel', fixture('nan.mjs')]);
    expect(still.code).toBe(1);
    expect(still.stdout).toMatch(/FAIL: conv-matches-reference still fails on fixture:nan/);

    const fixed = await convcheck(['replay', file, '--kernel', fixture('good.mjs')]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/PASS: conv-matches-reference now passes on fixture:good/);
  });

  it('without --kernel, replay uses the built-in kernel recorded in the file', async () => {
    const { report } = await verifyFixture('nan.mjs');
    const saved = JSON.parse(await readFile(report.properties[0].failure!.counterexampleFile!, 'utf8')) as { kernel: string };
    const copy = join(scratch, 'recorded-builtin.json');
    await writeFile(copy, JSON.stringify({ ...saved, kernel: 'builtin:reference' }));
    const run = await convcheck(['replay', copy]);
    expect(run.stderr).toContain('replaying against builtin:reference');
    expect(run.code).toBe(0);
  });

  it('replay of a missing file is an error: exit 2', async () => {
    const run = await convcheck(['replay', join(scratch, 'nope.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/counterexample file .*nope\.json not found/);
  });

  it('replay of a file that is not a counterexample is an error naming the file: exit 2', async () => {
    const file = join(scratch, 'not-a-counterexample.json');
    await writeFile(file, '{"hello": "world"}');
    const run = await convcheck(['replay', file, '--kernel', 'builtin:reference']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not-a-counterexample\.json: is not a convcheck counterexample/);
  });

  it('a report directory that cannot be created is an error: exit 2', async () => {
    const file = join(scratch, 'a-file');
    await writeFile(file, '');
    const run = await convcheck([
      'verify',
      '--kernel',
      'builtin:reference',
      '--runs',
      '2',
      '--properties',
      'output-shape',
      '--report-dir',
      file,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write the reports into --report-dir .*a-file/);
  });

  it('list prints every property id with its statement', async () => {
    const run = await convcheck(['list']);
    expect(run.code).toBe(0);
    for (const id of [
      'conv-matches-reference',
      'dense-matches-reference',
      'fc-equals-full-extent-conv',
      'linear-equals-1x1-conv',
      'inputs-not-mutated',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^${id} +\\S`, 'm'));
    }
  });

  it('--help documents the commands, --shard and the built-in kernels; --version prints the version', async () => {
    const help = await convcheck(['--help']);
    expect(help.code).toBe(0);
    for (const s of [
      'convcheck verify',
      'convcheck replay FILE',
      'convcheck list',
      '--shard i/n',
      'every n-th property',
      'builtin:im2col',
      'tfjs:wasm',
      'onnxruntime:node',
    ]) {
      expect(help.stdout).toContain(s);
    }
    const version = await convcheck(['--version']);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});
