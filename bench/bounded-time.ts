/**
 * `npm run bench:bounded-time`: measures the two time bounds a CI job relies on, by running the
 * `convcheck` command as users do, at its default settings (200 runs, 5 s timeout):
 *
 * 1. a kernel that hangs — on every call, only above 2,000 input elements, or by returning a
 *    Promise that never settles — gets its failing verdict, shrunk counterexamples and all four
 *    reports within 60 s of wall time;
 * 2. SIGINT and SIGTERM sent while a call hangs end the process within 2 s, with exit 130 / 143,
 *    a partial report whose status is `interrupted` in every format and no temporary file;
 * 3. after the last property, a kernel that leaves native threads running (an onnxruntime-node
 *    module with default session options, never releasing its sessions; a kernel whose own
 *    worker blocks in native code for 30 s) does not delay the reports, and the process exits
 *    within 3 s of writing them.
 *
 * Each scenario runs once per invocation (`--repeat N` for more); the table shows every run.
 * Writes reports/bounded-time.json and reports/bounded-time.md. Exit 1 when a bound is missed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'convcheck.js');
const REPORT_FILES = ['verification.json', 'verification.md', 'verification.html', 'junit.xml'];
const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 1;

interface Row {
  scenario: string;
  bound: string;
  boundMs: number;
  measuredMs: number;
  exit: number | null;
  ok: boolean;
  detail: string;
}

function run(
  args: string[],
  stopAfter?: { marker: string; delayMs: number; signal: NodeJS.Signals },
): Promise<{ code: number | null; wallMs: number; endedAt: number; sinceSignalMs: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const t0 = performance.now();
    let signalAt = 0;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', CONVCHECK_FROM_SOURCE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let armed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stopAfter && !armed && stderr.includes(stopAfter.marker)) {
        armed = true;
        setTimeout(() => {
          signalAt = performance.now();
          child.kill(stopAfter.signal);
        }, stopAfter.delayMs);
      }
    });
    // a hard stop far beyond every bound, so a regression cannot hang the benchmark itself
    const guard = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      const end = performance.now();
      done({ code, wallMs: end - t0, endedAt: Date.now(), sinceSignalMs: signalAt > 0 ? end - signalAt : Number.NaN, stdout, stderr });
    });
  });
}

interface Report {
  status: string;
  summary: Record<string, number>;
  properties: Array<{ id: string; status: string; failure?: { kind: string; problem: string }; notes?: string[] }>;
}

function readReport(dir: string): Report | undefined {
  const f = join(dir, 'verification.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Report) : undefined;
}

const scratch = mkdtempSync(join(os.tmpdir(), 'convcheck-bounded-'));
const rows: Row[] = [];

async function hangScenario(fixture: string, what: string): Promise<void> {
  const dir = join(scratch, `${fixture}-${rows.length}`);
  const r = await run(['verify', '--kernel', `test/fixtures/kernels/${fixture}`, '--seed', '1', '--report-dir', dir]);
  const report = readReport(dir);
  const files = REPORT_FILES.filter((f) => existsSync(join(dir, f)));
  const failed = report?.properties.filter((p) => p.status === 'failed') ?? [];
  const timeouts = failed.filter((p) => p.failure?.kind === 'timeout');
  const cut = report?.properties.filter((p) => (p.notes?.length ?? 0) > 0).length ?? 0;
  const smallest = timeouts.map((p) => p.failure!.problem.split(' ').slice(0, 2).join(' ')).sort((a, b) => a.length - b.length)[0] ?? '-';
  const ok = r.code === 1 && files.length === 4 && report?.status === 'failed' && timeouts.length > 0 && r.wallMs <= 60_000;
  rows.push({
    scenario: `${what} (${fixture})`,
    bound: 'verdict + 4 reports ≤ 60 s',
    boundMs: 60_000,
    measuredMs: r.wallMs,
    exit: r.code,
    ok,
    detail: `status ${report?.status ?? 'none'}; ${failed.length} failed (${timeouts.length} timeout), ${report?.summary.passed ?? 0} passed; reports ${files.length}/4; notes on ${cut} properties; smallest timed-out case ${smallest}`,
  });
}

async function signalScenario(signal: NodeJS.Signals, expectCode: number): Promise<void> {
  const dir = join(scratch, `${signal}-${rows.length}`);
  // the first call hangs (5 s default timeout); the signal arrives 1.5 s into it
  const r = await run(['verify', '--kernel', 'test/fixtures/kernels/hangs-every-call.mjs', '--seed', '1', '--report-dir', dir], {
    marker: 'verifying fixture:hangs-every-call',
    delayMs: 1500,
    signal,
  });
  const report = readReport(dir);
  const files = REPORT_FILES.filter((f) => existsSync(join(dir, f)));
  const temps = existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.tmp'))
    : [];
  const md = existsSync(join(dir, 'verification.md')) ? readFileSync(join(dir, 'verification.md'), 'utf8') : '';
  const junit = existsSync(join(dir, 'junit.xml')) ? readFileSync(join(dir, 'junit.xml'), 'utf8') : '';
  const ok =
    r.code === expectCode &&
    r.sinceSignalMs <= 2000 &&
    report?.status === 'interrupted' &&
    files.length === 4 &&
    temps.length === 0 &&
    md.includes('— INTERRUPTED') &&
    !md.includes('PASSED') &&
    /errors="[1-9]/.test(junit);
  rows.push({
    scenario: `${signal} during a hung call`,
    bound: 'signal → exit ≤ 2 s',
    boundMs: 2000,
    measuredMs: r.sinceSignalMs,
    exit: r.code,
    ok,
    detail: `status ${report?.status ?? 'none'}; not run ${report?.summary.notRun ?? '?'} of ${report?.summary.total ?? '?'}; reports ${files.length}/4; temporary files ${temps.length}`,
  });
}

async function lingeringScenario(fixture: string, what: string): Promise<void> {
  const dir = join(scratch, `linger-${rows.length}`);
  const r = await run([
    'verify',
    '--kernel',
    `test/fixtures/kernels/${fixture}`,
    '--seed',
    '1',
    '--runs',
    '50',
    '--properties',
    'dense-matches-reference',
    '--report-dir',
    dir,
  ]);
  const json = join(dir, 'verification.json');
  const writtenAt = existsSync(json) ? statSync(json).mtimeMs : Number.NaN;
  const afterReports = r.endedAt - writtenAt;
  const report = readReport(dir);
  rows.push({
    scenario: what,
    bound: 'reports written → exit ≤ 3 s',
    boundMs: 3000,
    measuredMs: afterReports,
    exit: r.code,
    ok: r.code === 0 && report?.status === 'passed' && afterReports <= 3000,
    detail: `status ${report?.status ?? 'none'}; whole run ${(r.wallMs / 1000).toFixed(1)} s`,
  });
}

for (let i = 0; i < repeat; i++) {
  await hangScenario('hangs-every-call.mjs', 'hangs on every call');
  await hangScenario('hangs-above-2000.mjs', 'hangs above 2,000 input elements');
  await hangScenario('never-resolves-every-call.mjs', 'Promise never settles');
  await signalScenario('SIGINT', 130);
  await signalScenario('SIGTERM', 143);
  await lingeringScenario('ort-default-threads.ts', 'onnxruntime-node module, default threads, sessions never released');
  await lingeringScenario('busy-after-return.mjs', 'kernel whose own worker blocks in native code for 30 s');
}
rmSync(scratch, { recursive: true, force: true });

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '-');
const table = [
  '| scenario | bound | measured | exit | ok | details |',
  '| --- | --- | ---: | ---: | --- | --- |',
  ...rows.map((r) => `| ${r.scenario} | ${r.bound} | ${s(r.measuredMs)} | ${r.exit} | ${r.ok ? 'yes' : '**NO**'} | ${r.detail} |`),
].join('\n');
const machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`;
mkdirSync(join(ROOT, 'reports'), { recursive: true });
writeFileSync(join(ROOT, 'reports', 'bounded-time.json'), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
writeFileSync(join(ROOT, 'reports', 'bounded-time.md'), `# Bounded time to a verdict\n\n${machine}\n\n${table}\n`);
process.stdout.write(`${machine}\n\n${table}\n`);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
