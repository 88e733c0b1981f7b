/**
 * Launching headless Chromium for kernels: the flags, and making sure the browser never
 * outlives the process that launched it.
 *
 * Flags (all needed on a machine without a GPU):
 * - `--no-sandbox`: Chromium's sandbox cannot start as root (CI runs as root).
 * - `--enable-unsafe-swiftshader`, `--use-angle=swiftshader`: WebGL on SwiftShader (software,
 *   full float32) — Chromium otherwise refuses software WebGL.
 * - `--enable-unsafe-webgpu`, `--enable-features=Vulkan`, `--use-vulkan=swiftshader`,
 *   `--use-webgpu-adapter=swiftshader`: WebGPU through Dawn on SwiftShader's Vulkan.
 * - `--disable-background-networking --disable-component-update --disable-sync --no-first-run`:
 *   nothing reaches for the network (it is closed here, and a run must not depend on it).
 * Playwright gives every launch a fresh temporary profile (user data dir) and removes it on close.
 * The browser talks to us over a pipe, so it exits when this process dies, even by SIGKILL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { InvalidArgumentError, KernelLoadError } from '../errors.js';

type Playwright = typeof import('playwright-core');
/** A launched browser (Playwright's). */
export type Browser = import('playwright-core').Browser;

/** The command-line flags convcheck starts Chromium with (see the file comment for why). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function playwright(): Promise<Playwright> {
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new KernelLoadError(
      'playwright-core',
      `cannot be imported (${e instanceof Error ? e.message : String(e)}); run: npm install playwright-core`,
    );
  }
}

/** Pids of this process's children whose command line starts with `executable` (Linux /proc). */
function childBrowserPids(executable: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0')[0];
      if (cmd === executable) pids.push(Number(e));
    } catch {
      // the process went away meanwhile
    }
  }
  return pids;
}

/** A running Chromium and a way to end it for certain. */
export interface LaunchedBrowser {
  readonly browser: Browser;
  readonly executable: string;
  /** Closes the browser; if it does not close within `graceMs`, kills its process. */
  close(graceMs?: number): Promise<void>;
}

const live = new Set<LaunchedBrowser>();
let exitHookInstalled = false;

/** On exit (normal, `process.exit`), kill every browser still running — synchronously. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const b of live)
      for (const pid of childBrowserPids(b.executable)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
  });
}

/**
 * Launches headless Chromium with `CHROMIUM_FLAGS`. Playwright's own signal handlers are off:
 * the CLI decides what Ctrl-C means (finish the case, write the report), and closes the browser.
 * @example const b = await launchChromium(findChromium()); try { … } finally { await b.close(); }
 */
export async function launchChromium(executable: string, options: { timeoutMs?: number } = {}): Promise<LaunchedBrowser> {
  const timeout = options.timeoutMs ?? 30_000;
  if (!(timeout > 0)) throw new InvalidArgumentError('launchChromium', 'timeoutMs', timeout, `timeoutMs must be > 0, got ${timeout}`);
  const pw = await playwright();
  installExitHook();
  let browser: Browser;
  try {
    browser = await pw.chromium.launch({
      executablePath: executable,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout,
    });
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new KernelLoadError(executable, `Chromium did not start: ${first}`);
  }
  const launched: LaunchedBrowser = {
    browser,
    executable,
    async close(graceMs = 5000) {
      live.delete(launched);
      const pids = childBrowserPids(executable);
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        browser.close().then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      if (!closed) {
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    },
  };
  live.add(launched);
  return launched;
}
