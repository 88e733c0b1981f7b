/**
 * Runs a kernel in a process of its own (`kernel-process.ts`), so that a kernel that loops
 * forever, synchronously or in native code, cannot hang the verification: a call that does not
 * answer in time kills the process (and everything it started), rejects, and the next call gets
 * a fresh process (started in advance once one has been needed). Inputs written by the kernel
 * are copied back into the caller's arrays, so the runner's inputs-not-mutated check sees them.
 * The kernel's own stdout and stderr are passed on line by line through the terminal sanitizer.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidArgumentError, KernelLoadError } from '../errors.js';
import { terminalSafe } from '../terminal.js';
import type { KernelHost } from './guarded-call.js';
import { KERNEL_COVERAGE, type KernelCoverageOptions, KernelCoverageTap, LOAD_SIGNATURE } from './kernel-coverage-probe.js';
import {
  callSignature,
  IsolatedCallError,
  type IsolatedKernel,
  type ReadyInfo,
  RemoteSlot,
  type WorkerReply,
  type WorkerRequest,
  proxyKernel,
  remoteCaller,
} from './remote-kernel.js';

/** Options of `createIsolatedKernel`. */
export interface IsolatedKernelOptions {
  /** A call that does not answer within this many ms is abandoned and its process killed. */
  readonly timeoutMs: number;
  /** How long loading the kernel in its process may take; default 60 000 ms. */
  readonly loadTimeoutMs?: number;
  /** Directory relative kernel paths are resolved against; default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Receives each line the kernel prints (stdout and stderr), already terminal-safe, at most 50
   * per process; default: written to this process's stderr as `[kernel] …`.
   */
  readonly onOutput?: (line: string) => void;
  /**
   * Collect V8 block coverage of the kernel's own files in its process (`coverage-agent.ts`); the
   * kernel then carries a `KernelCoverageTap` under `KERNEL_COVERAGE` for `verifyKernel`'s
   * `coverage` option. Default: off.
   */
  readonly coverage?: KernelCoverageOptions;
}

/** How long `close()` waits for a process to end; its handles are then let go of. */
const CLOSE_WAIT_MS = 1000;

/** Lines of a kernel's own output forwarded per process before the rest is only counted. */
const MAX_FORWARDED_LINES = 50;

/**
 * One kernel process and the kernel loaded in it. A child process, not a worker thread: a thread
 * that is busy in native code (a thread pool that does not stop when asked, a blocking call in
 * a worker the kernel started itself) cannot be terminated, and the process that owns it cannot
 * even exit until it returns; a process is ended with SIGKILL, at once, with its whole group.
 */
class Slot extends RemoteSlot {
  readonly child: ChildProcess;
  private exited = false;
  private readonly exitedPromise: Promise<void>;

  constructor(
    spec: string,
    cwd: string,
    loadTimeoutMs: number,
    onDeath: (slot: Slot) => void,
    onOutput: (line: string) => void,
    tap?: KernelCoverageTap,
  ) {
    super(
      spec,
      loadTimeoutMs,
      onDeath as (slot: RemoteSlot) => void,
      () => new KernelLoadError(spec, `did not finish loading within ${loadTimeoutMs} ms (does its module loop forever at top level?)`),
    );
    const entry = processEntry();
    this.child = fork(entry.script, tap === undefined ? [spec, cwd] : [spec, cwd, JSON.stringify(tap.options)], {
      execArgv: entry.execArgv,
      // its own process group, so SIGKILL reaches whatever it started, and a Ctrl-C at the
      // terminal reaches only convcheck, which then ends the kernel itself
      detached: true,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.exitedPromise = new Promise((resolve) => this.child.once('exit', () => resolve()));
    forwardLines(this.child, onOutput);
    this.child.on('message', (m: WorkerReply) => {
      // the coverage of loading the module (its top-level code) comes with `ready`
      if (tap !== undefined && m.type === 'ready' && m.coverage !== undefined) tap.emit({ signature: LOAD_SIGNATURE, scripts: m.coverage });
      void this.handleReply(m);
    });
    this.child.on('error', (e: Error) => {
      this.die(new IsolatedCallError('ERR_KERNEL_WORKER_EXIT', `kernel process failed: ${e.name}: ${e.message}`));
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      this.die(
        this.loading
          ? new KernelLoadError(this.spec, `kernel process ${how} while loading the kernel`)
          : new IsolatedCallError('ERR_KERNEL_WORKER_EXIT', `kernel process ${how} during the call`),
      );
    });
  }

  /** Sends a request; throws what the serializer throws (a value that cannot be sent). */
  send(req: WorkerRequest): void {
    this.child.send(req);
  }

  /**
   * Takes the slot out of service (rejecting waiters with `error`) and kills the process and
   * its group with SIGKILL, waiting at most `CLOSE_WAIT_MS` for the exit to be reported. Nothing
   * of it keeps this process alive afterwards.
   */
  kill(error: Error = new IsolatedCallError('ERR_KERNEL_CLOSED', 'kernel process was terminated')): Promise<unknown> {
    this.die(error);
    if (!this.exited && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        this.child.kill('SIGKILL');
      }
    }
    // Wait (ref'd, at most CLOSE_WAIT_MS) for the exit to be reported, then let go of the handles
    // so that nothing of the process can keep this one alive.
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([this.exitedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]).finally(() => {
      clearTimeout(timer);
      this.child.unref();
      this.child.channel?.unref();
      (this.child.stdout as { unref?: () => void } | null)?.unref?.();
      (this.child.stderr as { unref?: () => void } | null)?.unref?.();
    });
  }
}

/**
 * Passes a kernel process's own stdout and stderr on, one line at a time (the callback makes
 * them terminal-safe), up to `MAX_FORWARDED_LINES`; then only counts what it drops.
 */
function forwardLines(child: ChildProcess, onOutput: (line: string) => void): void {
  let forwarded = 0;
  let dropped = 0;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (forwarded < MAX_FORWARDED_LINES) {
          forwarded++;
          onOutput(line);
        } else dropped++;
      }
      if (partial.length > 10_000) {
        dropped++;
        partial = '';
      }
    });
  }
  child.once('exit', () => {
    if (dropped > 0) onOutput(`(${dropped} more lines of kernel output not shown)`);
  });
}

/**
 * How to start the kernel process: from dist/ the compiled `kernel-process.js` next to this
 * file; from source (this file is `.ts` under tsx) `kernel-process.ts` with tsx's loader
 * (resolved from this package, not from the cwd) on its `--import`.
 */
let entryOnce: { script: string; execArgv: string[] } | undefined;
/** Worked out for the first process, not at import (so this module also imports in a browser page). */
const processEntry = (): { script: string; execArgv: string[] } =>
  (entryOnce ??= (() => {
    const here = import.meta.url;
    if (!/\.[cm]?ts$/.test(new URL(here).pathname)) return { script: fileURLToPath(new URL('./kernel-process.js', here)), execArgv: [] };
    return { script: fileURLToPath(new URL('./kernel-process.ts', here)), execArgv: ['--import', resolveTsxLoader(here)] };
  })());

/** The file URL of tsx's loader (`tsx` → `<tsx>/dist/loader.mjs`), resolved from this file. */
function resolveTsxLoader(here: string): string {
  return pathToFileURL(createRequire(here).resolve('tsx')).href;
}

/**
 * Loads the kernel `spec` (a built-in name or a module path, as for `loadKernel`) in a process
 * of its own and returns a proxy kernel with the same name, precision, capabilities and functions.
 * A load error rejects with the process's `KernelLoadError`.
 * @example const k = await createIsolatedKernel('./my-kernel.js', { timeoutMs: 5000 }); try { … } finally { await k.close(); }
 */
export async function createIsolatedKernel(spec: string, options: IsolatedKernelOptions): Promise<IsolatedKernel> {
  const { timeoutMs } = options;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError('createIsolatedKernel', 'timeoutMs', timeoutMs, `timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
  const cwd = options.cwd ?? process.cwd();

  let current: Slot | undefined;
  let spare: Slot | undefined;
  // After the first timeout we keep a loaded spare process, so the call after a timeout does not
  // wait for a process to start (that wait would count against the runner's own per-call timeout).
  let keepSpare = false;
  let closed = false;

  const onDeath = (slot: Slot) => {
    if (current === slot) current = undefined;
    if (spare === slot) spare = undefined;
  };
  const onOutput = (line: string) => (options.onOutput ?? ((l: string) => process.stderr.write(`[kernel] ${l}\n`)))(terminalSafe(line));
  const tap = options.coverage === undefined ? undefined : new KernelCoverageTap(options.coverage);
  const start = () => new Slot(spec, cwd, loadTimeoutMs, onDeath, onOutput, tap);
  const acquire = (): Slot => {
    if (current === undefined) {
      current = spare ?? start();
      spare = undefined;
    }
    if (keepSpare && spare === undefined) spare = start();
    return current;
  };

  const first = acquire();
  let info: ReadyInfo;
  try {
    info = await first.ready;
  } catch (e) {
    await first.kill();
    throw e;
  }

  // a confirming run (the guard's second try of a call that ran past its limit) may take longer
  let extended: number | undefined;
  const callOperator = remoteCaller({
    acquire,
    nextLimitMs: () => {
      const ms = extended;
      extended = undefined;
      return ms;
    },
    closedError: () => (closed ? new IsolatedCallError('ERR_KERNEL_CLOSED', `isolated kernel '${info.name}' is closed`) : undefined),
    timeoutMs,
    onTimeout: (slot) => {
      keepSpare = true;
      void slot.kill();
      if (!closed) acquire(); // start the replacement now, while the runner records the failure
      return new IsolatedCallError('ERR_KERNEL_TIMEOUT', `kernel did not return within ${timeoutMs} ms`);
    },
    ...(tap === undefined
      ? {}
      : {
          afterReply: (_slot: Slot, req: WorkerRequest, reply: WorkerReply & { type: 'result' | 'error' }) =>
            tap.emit({ signature: callSignature(req), scripts: reply.coverage ?? [] }),
        }),
  });

  const host: KernelHost = {
    ready: async () => {
      if (closed) return;
      await acquire().ready;
    },
    extendNextCall: (ms: number) => {
      extended = ms;
    },
    abandon: async (replace: boolean) => {
      const slot = current;
      if (slot === undefined) return;
      keepSpare ||= replace;
      const killed = slot.kill(
        new IsolatedCallError('ERR_KERNEL_TIMEOUT', 'the call was abandoned by the runner (timeout or interruption)'),
      );
      if (replace && !closed) acquire(); // start the replacement now, while the runner records the failure
      await killed;
    },
  };

  const close = async (): Promise<void> => {
    closed = true;
    const slots = [current, spare].filter((s): s is Slot => s !== undefined);
    current = spare = undefined;
    const error = new IsolatedCallError('ERR_KERNEL_CLOSED', `isolated kernel '${info.name}' was closed`);
    await Promise.all(slots.map((s) => s.kill(error)));
  };
  return proxyKernel(info, host, callOperator, close, tap === undefined ? {} : { [KERNEL_COVERAGE]: tap });
}
