/**
 * Runs a kernel in a headless Chromium page, the way `isolated-kernel.ts` runs one in a process
 * of its own: the page loads the kernel (bundled with its npm imports) and answers the same
 * requests with the same handler; the slot bookkeeping, call queue and proxy kernel are the
 * shared ones of `remote-kernel.ts`. Tensors cross as binary (`wire.ts`).
 *
 * Failures never hang the run:
 * - a call that does not answer within `timeoutMs` (a hung shader, a lost `mapAsync`) rejects
 *   with a timeout; the page is closed and, since a hung GPU process would stall every page, the
 *   whole browser is replaced; the next call gets a fresh page;
 * - a page that crashes rejects the call with a `page-crash` fault, a lost WebGPU device or
 *   WebGL context with a `device-lost` fault; the next call gets a fresh page.
 * `close()` closes the pages, the browser and the server; the browser is also killed when this
 * process exits, and, because it is driven over a pipe, when this process dies.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidArgumentError, KernelLoadError } from '../errors.js';
import type { KernelHost } from '../runner/guarded-call.js';
import { KernelFault } from '../vocabulary.js';
import {
  KERNEL_COVERAGE,
  type KernelCoverageOptions,
  KernelCoverageTap,
  LOAD_SIGNATURE,
  type ScriptCoverage,
} from '../runner/kernel-coverage-probe.js';
import {
  callSignature,
  type ErrorReply,
  IsolatedCallError,
  type IsolatedKernel,
  type ReadyInfo,
  RemoteSlot,
  type ResultReply,
  type WorkerReply,
  type WorkerRequest,
  proxyKernel,
  remoteCaller,
} from '../runner/remote-kernel.js';
import { kernelRangesOfBundle } from './bundle-map.js';
import { builtinKernel } from '../kernels/registry.js';
import { BUILTIN_EXTERNALS } from './builtins.js';
import { bundleForPage } from './bundle.js';
import { findChromium } from './find-chromium.js';
import { launchChromium, type LaunchedBrowser } from './launch.js';
import type { PageOnlyReply, PageRequest } from './page-runtime.js';
import { startKernelServer, type KernelServer } from './server.js';
import { decodeMessage, encodeMessage } from './wire.js';

/** Options of `createBrowserKernel`. */
export interface BrowserKernelOptions {
  /** A call that does not answer within this many ms is abandoned and its page closed. */
  readonly timeoutMs: number;
  /** How long bundling, starting the browser and loading the kernel may take; default 120 000 ms. */
  readonly loadTimeoutMs?: number;
  /** Directory relative kernel paths are resolved against; default `process.cwd()`. */
  readonly cwd?: string;
  /** Where `CONVCHECK_CHROMIUM` is read from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** The Chromium executable; default: `findChromium(env)`. */
  readonly executable?: string;
  /** Called with each line the page logs to its console with `console.error` (diagnostics). */
  readonly onPageError?: (text: string) => void;
  /** Called with every page opened for the kernel (diagnostics and tests: Playwright's `Page`). */
  readonly onPage?: (page: import('playwright-core').Page) => void;
  /**
   * Collect V8 block coverage of the kernel's own files in the page (DevTools protocol, the
   * bundle's inline source map locating them) and the shader variants it creates
   * (`shader-probe.ts`); the kernel then carries a `KernelCoverageTap` under `KERNEL_COVERAGE`
   * for `verifyKernel`'s `coverage` option. Default: off.
   */
  readonly coverage?: KernelCoverageOptions;
}

/** Counts of what happened to pages over a browser kernel's life (for reports and tests). */
export interface BrowserKernelStats {
  pagesOpened: number;
  browsersLaunched: number;
  timeouts: number;
  crashes: number;
  devicesLost: number;
}

/** A kernel running in a browser page. */
export interface BrowserKernel extends IsolatedKernel {
  readonly stats: Readonly<BrowserKernelStats>;
  /** The Chromium executable in use. */
  readonly executable: string;
}

/** How much later than `timeoutMs` the page's own timer ends a call the guard has not ended. */
const BACKSTOP_GRACE_MS = 250;

const JS_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/** The page runtime's source file, next to this one (`.ts` from source, `.js` from dist/). */
function pageRuntimePath(): string {
  const here = fileURLToPath(import.meta.url);
  return resolve(here, '..', `page-runtime${extname(here)}`);
}

/** The generated entry module of the page, and where its imports resolve from. */
async function pageEntry(
  spec: string,
  cwd: string,
): Promise<{ entry: string; resolveDir: string; scriptPath: string; external: readonly string[] }> {
  const runtime = JSON.stringify(pageRuntimePath());
  const builtin = builtinKernel(spec);
  if (builtin?.runs === 'browser') {
    // the same recipe the Node side follows (kernels/registry.ts), as the page's entry module
    const [module, exported, ...args] = builtin.create;
    const adapter = resolve(fileURLToPath(import.meta.url), '..', '..', `${module}${extname(fileURLToPath(import.meta.url))}`);
    const call = `m.${exported}(${args.map((a) => JSON.stringify(a)).join(', ')})`;
    return {
      entry: `import { startPage } from ${runtime};\nstartPage(async () => { const m = await import(${JSON.stringify(adapter)}); return { default: () => ${call} }; }, ${JSON.stringify(spec)});\n// ${exported}\n`,
      resolveDir: resolve(adapter, '..'),
      scriptPath: resolve(adapter, '..', `.convcheck-page-${spec.replace(/[^a-z0-9]+/gi, '-')}.js`),
      external: BUILTIN_EXTERNALS,
    };
  }
  const file = isAbsolute(spec) ? spec : resolve(cwd, spec);
  if (!JS_EXTENSIONS.includes(extname(file).toLowerCase())) {
    throw new KernelLoadError(
      spec,
      `unsupported file extension '${extname(file) || '(none)'}'; a kernel module must be ${JS_EXTENSIONS.join(', ')}`,
    );
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch {
    throw new KernelLoadError(spec, 'file not found');
  }
  return {
    entry: `import { startPage } from ${runtime};\nstartPage(() => import(${JSON.stringify(file)}), ${JSON.stringify(spec)});\n`,
    resolveDir: resolve(file, '..'),
    // Served next to the module, so the page's base URL is the module's directory too.
    scriptPath: resolve(file, '..', '.convcheck-page.js'),
    external: [],
  };
}

/** The browser, shared by the pages of one kernel, relaunched after a hang. */
class BrowserSlot {
  private current: Promise<LaunchedBrowser> | undefined;
  constructor(
    private readonly executable: string,
    private readonly stats: BrowserKernelStats,
  ) {}
  get(): Promise<LaunchedBrowser> {
    if (this.current === undefined) {
      this.stats.browsersLaunched++;
      const p = launchChromium(this.executable);
      this.current = p;
      p.then(
        (b) =>
          b.browser.on('disconnected', () => {
            if (this.current === p) this.current = undefined;
          }),
        () => {
          if (this.current === p) this.current = undefined;
        },
      );
    }
    return this.current;
  }
  /** Closes the browser (killing it if it does not close); the next `get` launches another. */
  async replace(): Promise<void> {
    const p = this.current;
    this.current = undefined;
    if (p)
      await p.then(
        (b) => b.close(3000),
        () => undefined,
      );
  }
}

/** What a page needs for coverage: the tap, the bundle (its URL, text and the kernel's ranges in it). */
interface PageCoverage {
  readonly tap: KernelCoverageTap;
  /** The bundle's URL on the kernel server (what the page's coverage names it). */
  readonly url: string;
  /** The name its coverage is reported under: the `file:` URL of the bundle's path next to the module (no server address or secret in the reports). */
  readonly name: string;
  readonly source: string;
  /** Character ranges of the bundle that are the kernel's files; undefined: the whole bundle. */
  readonly ranges: ReadonlyArray<readonly [number, number]> | undefined;
}

/** How long a coverage take over the DevTools protocol may take before the call's coverage is given up. */
const TAKE_TIMEOUT_MS = 10_000;

/** One page with the kernel loaded in it. */
class PageSlot extends RemoteSlot {
  readonly id = randomBytes(8).toString('hex');
  private context: import('playwright-core').BrowserContext | undefined;
  private readonly pageErrors: string[] = [];
  private cdp: import('playwright-core').CDPSession | undefined;
  private sourceSent = false;

  constructor(
    private readonly server: KernelServer,
    browsers: BrowserSlot,
    spec: string,
    scriptPath: string,
    loadTimeoutMs: number,
    private readonly stats: BrowserKernelStats,
    onDeath: (slot: PageSlot) => void,
    onPageError: ((text: string) => void) | undefined,
    onPage: ((page: import('playwright-core').Page) => void) | undefined,
    private readonly coverage?: PageCoverage,
  ) {
    super(spec, loadTimeoutMs, onDeath as (slot: RemoteSlot) => void, () => {
      const seen = this.pageErrors.length > 0 ? ` (page errors: ${this.pageErrors.slice(0, 3).join(' | ')})` : '';
      return new KernelLoadError(spec, `did not finish loading in the browser within ${loadTimeoutMs} ms${seen}`);
    });
    const url = server.openSession(this.id, { onMessage: (body) => this.onMessage(body) }, scriptPath);
    stats.pagesOpened++;
    void (async () => {
      try {
        const { browser } = await browsers.get();
        if (this.dead) return;
        const context = await browser.newContext();
        this.context = context;
        if (this.dead) {
          await context.close().catch(() => undefined);
          return;
        }
        const page = await context.newPage();
        page.on('crash', () => {
          this.stats.crashes++;
          this.die(new KernelFault('page-crash', `the browser page running the kernel crashed during the call`));
        });
        page.on('pageerror', (e) => {
          this.pageErrors.push(`${e.name}: ${e.message}`);
          onPageError?.(`${e.name}: ${e.message}`);
        });
        page.on('console', (m) => {
          if (m.type() === 'error') onPageError?.(m.text());
        });
        onPage?.(page);
        if (this.coverage !== undefined) {
          // started before the page loads, so the module's top-level code is counted too
          this.cdp = await context.newCDPSession(page);
          await this.cdp.send('Profiler.enable');
          await this.cdp.send('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
        }
        await page.goto(this.coverage !== undefined ? `${url}?coverage` : url, { waitUntil: 'commit' });
      } catch (e) {
        const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
        this.die(
          this.loading
            ? e instanceof KernelLoadError
              ? e
              : new KernelLoadError(spec, `could not open a browser page: ${msg}`)
            : new IsolatedCallError('ERR_KERNEL_WORKER_EXIT', `browser page failed: ${msg}`),
        );
      }
    })();
  }

  private onMessage(body: Uint8Array): void {
    let m: WorkerReply | PageOnlyReply;
    try {
      m = decodeMessage(body) as WorkerReply | PageOnlyReply;
    } catch (e) {
      this.die(
        new IsolatedCallError(
          'ERR_KERNEL_WORKER_EXIT',
          `the page sent a malformed message (${e instanceof Error ? e.message : String(e)})`,
        ),
      );
      return;
    }
    if (m.type === 'ready' && this.coverage !== undefined) {
      // the coverage of loading the module comes before `ready` is handed on
      const tap = this.coverage.tap;
      const shaders = m.shaders;
      void this.takeCoverage().then((scripts) => {
        tap.emit({ signature: LOAD_SIGNATURE, scripts, ...(shaders !== undefined ? { shaders } : {}) });
        this.handleReply(m);
      });
      return;
    }
    if (m.type === 'device-lost') {
      this.stats.devicesLost++;
      void this.kill(new KernelFault('device-lost', `${m.message} (the next call runs in a fresh page)`));
    } else this.handleReply(m);
  }

  /**
   * The kernel's block coverage since the previous take: the bundle's functions that start in
   * the kernel's own files (and the bundle's top level); the bundle's source with the first.
   */
  async takeCoverage(): Promise<ScriptCoverage[]> {
    const c = this.coverage;
    if (c === undefined || this.cdp === undefined) return [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const taken = await Promise.race([
        this.cdp.send('Profiler.takePreciseCoverage'),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), TAKE_TIMEOUT_MS))),
      ]);
      const script = taken?.result.find((s) => s.url === c.url);
      if (script === undefined) return [];
      const own = (start: number) => start === 0 || c.ranges === undefined || c.ranges.some(([a, b]) => start >= a && start < b);
      const functions = script.functions.filter(
        (f) => own(f.ranges[0]?.startOffset ?? -1) && (!this.sourceSent || f.ranges.some((r) => r.count > 0)),
      );
      const first = !this.sourceSent;
      this.sourceSent = true;
      return [{ url: c.name, functions, ...(first ? { source: c.source } : {}) }];
    } catch {
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  send(req: PageRequest): void {
    this.server.send(this.id, encodeMessage(req));
  }

  /** A fault while loading (the page crashed, the device was lost) is a load error of the kernel. */
  protected override loadErrorOf(error: Error): Error {
    return error instanceof KernelFault ? new KernelLoadError(this.spec, error.message) : error;
  }

  /** Takes the page out of service (rejecting waiters with `error`) and closes it. */
  async kill(error: Error = new IsolatedCallError('ERR_KERNEL_CLOSED', 'kernel page was closed')): Promise<void> {
    this.die(error);
    this.server.closeSession(this.id);
    const ctx = this.context;
    this.context = undefined;
    if (ctx) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ctx.close().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 3000)))]);
      clearTimeout(timer);
    }
  }
}

/**
 * Loads the kernel `spec` — a module path (TypeScript allowed) or a built-in browser kernel
 * (`tfjs:webgl`, `tfjs:webgpu`, `onnxruntime:webgpu`) — in a headless Chromium page and returns
 * a proxy kernel. No Chromium → `BrowserNotFoundError`; a module that does not bundle or load →
 * `KernelLoadError`.
 * @example const k = await createBrowserKernel('./my-webgpu-kernel.ts', { timeoutMs: 30_000 }); try { … } finally { await k.close(); }
 */
export async function createBrowserKernel(spec: string, options: BrowserKernelOptions): Promise<BrowserKernel> {
  const { timeoutMs } = options;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError('createBrowserKernel', 'timeoutMs', timeoutMs, `timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const loadTimeoutMs = options.loadTimeoutMs ?? 120_000;
  const cwd = options.cwd ?? process.cwd();
  const executable = options.executable ?? findChromium(options.env ?? process.env);
  const entry = await pageEntry(spec, cwd);
  const server = await startKernelServer();
  const tap = options.coverage === undefined ? undefined : new KernelCoverageTap(options.coverage);
  let pageCoverage: PageCoverage | undefined;
  const stats: BrowserKernelStats = { pagesOpened: 0, browsersLaunched: 0, timeouts: 0, crashes: 0, devicesLost: 0 };
  const browsers = new BrowserSlot(executable, stats);
  let closed = false;
  let current: PageSlot | undefined;

  const shutdown = async () => {
    closed = true;
    const slot = current;
    current = undefined;
    await slot?.kill(new IsolatedCallError('ERR_KERNEL_CLOSED', `browser kernel '${spec}' was closed`));
    await browsers.replace();
    await server.close();
  };

  try {
    const bundle = await bundleForPage({
      entry: entry.entry,
      resolveDir: entry.resolveDir,
      urlOf: server.fileUrl,
      label: spec,
      external: entry.external,
      sourcemap: tap !== undefined,
    });
    server.setVirtualFile(entry.scriptPath, bundle, 'text/javascript');
    if (tap !== undefined) {
      const source = new TextDecoder().decode(bundle);
      pageCoverage = {
        tap,
        url: server.fileUrl(entry.scriptPath),
        name: pathToFileURL(entry.scriptPath).href,
        source,
        ranges: kernelRangesOfBundle(source, tap.options, process.cwd()),
      };
    }
  } catch (e) {
    await shutdown();
    throw e;
  }

  const onDeath = (slot: PageSlot) => {
    if (current === slot) current = undefined;
  };
  const acquire = (): PageSlot => {
    current ??= new PageSlot(
      server,
      browsers,
      spec,
      entry.scriptPath,
      loadTimeoutMs,
      stats,
      onDeath,
      options.onPageError,
      options.onPage,
      pageCoverage,
    );
    return current;
  };

  let info: ReadyInfo;
  try {
    info = await acquire().ready;
  } catch (e) {
    await shutdown();
    throw e;
  }

  // The page's own timer is a backstop for direct callers; under `verifyKernel` the guard's own
  // limit (which may be shorter) ends the call first through `host.abandon`.
  let extended: number | undefined;
  const callOperator = remoteCaller({
    acquire,
    nextLimitMs: () => {
      const ms = extended === undefined ? undefined : extended + BACKSTOP_GRACE_MS;
      extended = undefined;
      return ms;
    },
    closedError: () => (closed ? new IsolatedCallError('ERR_KERNEL_CLOSED', `browser kernel '${info.name}' is closed`) : undefined),
    timeoutMs: timeoutMs + BACKSTOP_GRACE_MS,
    onTimeout: (slot) => {
      stats.timeouts++;
      void abandon(slot, true);
      return new IsolatedCallError('ERR_KERNEL_TIMEOUT', `kernel did not return within ${timeoutMs} ms (the browser was restarted)`);
    },
    ...(tap === undefined
      ? {}
      : {
          afterReply: async (slot: PageSlot, req: WorkerRequest, reply: ResultReply | ErrorReply) => {
            const scripts = await slot.takeCoverage();
            tap.emit({ signature: callSignature(req), scripts, ...(reply.shaders !== undefined ? { shaders: reply.shaders } : {}) });
          },
        }),
  });

  /**
   * Ends the page running a call at once. A hung shader can stall the GPU process every page
   * shares, so the browser is replaced too (`replace` forgets the old one at once, so the next
   * page starts in a new browser); with `again`, the fresh page starts loading right away.
   */
  const abandon = async (slot: PageSlot | undefined, again: boolean): Promise<void> => {
    if (slot === undefined) return;
    const gone = Promise.all([
      browsers.replace(),
      slot.kill(new IsolatedCallError('ERR_KERNEL_TIMEOUT', 'the call was abandoned (timeout or interruption); the browser was restarted')),
    ]);
    if (again && !closed) acquire(); // the fresh page loads while the runner records the failure
    await gone;
  };

  /** How the runner's guard sees the page: wait for a loaded page, end a call that ran too long. */
  const host: KernelHost = {
    ready: async () => {
      if (closed) return;
      await acquire().ready;
    },
    extendNextCall: (ms: number) => {
      extended = ms;
    },
    abandon: (replace: boolean) => {
      if (replace && current !== undefined) stats.timeouts++;
      return abandon(current, replace);
    },
  };

  return proxyKernel(
    info,
    host,
    callOperator,
    shutdown,
    tap === undefined ? { stats, executable } : { stats, executable, [KERNEL_COVERAGE]: tap },
  );
}
