/** Running the `convcheck` command as users run it (`node bin/convcheck.js …`), for the spawned CLI tests. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'convcheck.js');

/** The fixture kernel `name`, relative to the root. */
export const fixture = (name: string): string => join('test/fixtures/kernels', name);

/** Exit code, signal, output and wall time of one run. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/**
 * Runs `convcheck args` in the repo root with CI=true (line progress) from source. `onStderr`
 * sees the stderr text so far and the child (to send it signals).
 */
export function convcheck(args: readonly string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
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
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr, wallMs: performance.now() - t0 }));
  });
}

/** The parts of `verification.json` the CLI tests read. */
export interface JsonReport {
  status: string;
  interrupted: boolean;
  seed: number;
  seedGiven?: string;
  kernel: { name: string; source: string; precision: string };
  summary: { passed: number; failed: number; skipped: number; interrupted: number; notRun: number; total: number };
  properties: Array<{
    id: string;
    status: string;
    casesRun: number;
    skipReason?: string;
    notes?: string[];
    failure?: {
      kind: string;
      message: string;
      problem: string;
      fromDatabase?: string;
      path?: string;
      counterexampleFile?: string;
      replayCommand?: string;
    };
  }>;
}

/** Reads `verification.json` from `dir`. */
export async function readReport(dir: string): Promise<JsonReport> {
  return JSON.parse(await readFile(join(dir, 'verification.json'), 'utf8')) as JsonReport;
}
