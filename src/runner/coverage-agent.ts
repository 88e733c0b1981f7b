/**
 * The kernel process's side of `--coverage`: V8 precise block coverage of the kernel's own
 * scripts through `node:inspector` (`Profiler.startPreciseCoverage({ callCount, detailed })`
 * before the kernel module loads; `takePreciseCoverage` after each call, which also resets the
 * counters, so each take is what that one call ran). Only the kernel's files are kept: `file:`
 * URLs outside convcheck's own `src/` and `dist/`, and outside `node_modules` unless libraries
 * are asked for. A script's source (as V8 ran it: TypeScript arrives compiled by tsx, with its
 * inline source map) goes with its first take; after that a take carries only the functions
 * that ran, which is all the runner's merge needs.
 */
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import type { FunctionCoverage, KernelCoverageOptions, ScriptCoverage } from './kernel-coverage-probe.js';

/**
 * convcheck's own source folders (`<package>/src/`, `<package>/dist/`), whose code is never the
 * kernel's; computed on first use, so importing this file does not need `node:url` (the runner is
 * imported into browser pages, where node modules are stubs that throw when called).
 */
let ownDirs: readonly string[] | undefined;
function ownDirsOf(): readonly string[] {
  if (ownDirs === undefined) {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    ownDirs = [`${root}src/`, `${root}dist/`];
  }
  return ownDirs;
}

/** True for a script URL that belongs to the kernel (see the file comment). */
export function isKernelScript(url: string, options: KernelCoverageOptions): boolean {
  if (!url.startsWith('file://')) return false;
  try {
    return isKernelPath(fileURLToPath(url), options);
  } catch {
    return false;
  }
}

/** True for an absolute file path that belongs to the kernel: not convcheck's own code, not a library unless asked. */
export function isKernelPath(path: string, options: KernelCoverageOptions): boolean {
  const p = path.replace(/\\/g, '/');
  if (ownDirsOf().some((d) => p.startsWith(d.replace(/\\/g, '/')))) return false;
  return options.libraries === true || !/\/node_modules\//.test(p);
}

/** A running coverage session in this process. */
export interface CoverageAgent {
  /** The kernel scripts' coverage since the previous take. */
  take(): Promise<ScriptCoverage[]>;
}

/** Starts precise block coverage in this process; call before the kernel module is imported. */
export async function startCoverageAgent(options: KernelCoverageOptions): Promise<CoverageAgent> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  // on from the start, so every script's source stays retrievable by its id
  await session.post('Debugger.enable');
  const sent = new Set<string>();
  return {
    async take() {
      const { result } = await session.post('Profiler.takePreciseCoverage');
      const out: ScriptCoverage[] = [];
      for (const s of result) {
        if (!isKernelScript(s.url, options)) continue;
        const first = !sent.has(s.url);
        const functions = (first ? s.functions : s.functions.filter((f) => f.ranges.some((r) => r.count > 0))) as FunctionCoverage[];
        if (!first && functions.length === 0) continue;
        let source: string | undefined;
        if (first) {
          sent.add(s.url);
          source = await scriptSource(session, s.scriptId);
        }
        out.push({ url: s.url, functions, ...(source !== undefined ? { source } : {}) });
      }
      return out;
    },
  };
}

/** The source V8 ran for a script. */
async function scriptSource(session: Session, scriptId: string): Promise<string | undefined> {
  try {
    return (await session.post('Debugger.getScriptSource', { scriptId })).scriptSource;
  } catch {
    return undefined;
  }
}
