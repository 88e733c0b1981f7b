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
import type { ErrorModel, KernelCapabilities, KernelUnderTest, Precision, Tensor } from '../contract.js';
import { InvalidArgumentError, KernelLoadError } from '../errors.js';
import { operatorByName } from '../operators/index.js';
import { terminalSafe } from '../terminal.js';
import { KERNEL_HOST, type KernelHost } from './guarded-call.js';

/** Options of `createIsolatedKernel`. */
export interface IsolatedKernelOptions {
  /** A call that does not answer within this many ms is abandoned and its worker terminated. */
  readonly timeoutMs: number;
  /** How long loading the kernel in a worker may take; default 60 000 ms. */
  readonly loadTimeoutMs?: number;
  /** Directory relative kernel paths are resolved against; default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Receives each line the kernel prints (stdout and stderr), already terminal-safe, at most 50
   * per process; default: written to this process's stderr as `[kernel] …`.
   */
  readonly onOutput?: (line: string) => void;
}

/**
 * A kernel running in a worker thread; `close()` terminates the worker(s). It carries its
 * `KernelHost` under `KERNEL_HOST`, so the runner's guard can wait for a fresh worker before a
 * call's clock starts and terminate the worker of a call that ran past its limit.
 */
export interface IsolatedKernel extends KernelUnderTest {
  close(): Promise<void>;
  readonly [KERNEL_HOST]: KernelHost;
}

/** How long `close()` waits for a worker to end; a worker stuck in native code is then left to the process exit. */
const CLOSE_WAIT_MS = 1000;

/** A call posted to the kernel worker: `kernel[op](...inputs, attrs?)` (attrs only when defined). */
export interface WorkerRequest {
  readonly id: number;
  /** An operator method of the table (`conv`, `dense`, …). */
  readonly op: string;
  /** The tensor arguments in call order (`undefined` for an absent bias). */
  readonly inputs: ReadonlyArray<Tensor | undefined>;
  readonly attrs?: unknown;
}

interface ReturnedInput {
  readonly shape: number[];
  readonly data: Float32Array | Float64Array;
}

/** A message from the kernel worker. */
export type WorkerReply =
  | {
      readonly type: 'ready';
      readonly name: string;
      readonly precision: Precision;
      readonly accumulation?: Precision;
      readonly errorModel?: ErrorModel;
      readonly errorFactor?: number;
      readonly capabilities: KernelCapabilities | undefined;
      /** The operator methods the kernel implements. */
      readonly operators: readonly string[];
    }
  | { readonly type: 'load-error'; readonly file: string; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly y: unknown; readonly inputs: ReadonlyArray<ReturnedInput | undefined> }
  | { readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string; readonly stack?: string };

type ReadyInfo = Extract<WorkerReply, { type: 'ready' }>;

/** An error a worker call rejects with; `code` tells a timeout from a crash. */
export class IsolatedCallError extends Error {
  readonly code: 'ERR_KERNEL_TIMEOUT' | 'ERR_KERNEL_WORKER_EXIT' | 'ERR_KERNEL_CLOSED';
  constructor(code: IsolatedCallError['code'], message: string) {
    super(message);
    this.name = 'IsolatedCallError';
    this.code = code;
  }
}

interface Pending {
  resolve(r: Extract<WorkerReply, { type: 'result' }>): void;
  reject(e: Error): void;
}

/** Lines of a kernel's own output forwarded per process before the rest is only counted. */
const MAX_FORWARDED_LINES = 50;

/**
 * One kernel process and the kernel loaded in it. A child process, not a worker thread: a thread
 * that is busy in native code (a thread pool that does not stop when asked, a blocking call in
 * a worker the kernel started itself) cannot be terminated, and the process that owns it cannot
 * even exit until it returns; a process is ended with SIGKILL, at once, with its whole group.
 */
class Slot {
  readonly child: ChildProcess;
  readonly ready: Promise<ReadyInfo>;
  readonly pending = new Map<number, Pending>();
  private dead = false;
  private exited = false;
  private settleReady: { resolve(r: ReadyInfo): void; reject(e: Error): void } | undefined;
  private readonly loadTimer: NodeJS.Timeout;
  private readonly spec: string;
  private readonly onDeath: (slot: Slot) => void;
  private readonly exitedPromise: Promise<void>;

  constructor(spec: string, cwd: string, loadTimeoutMs: number, onDeath: (slot: Slot) => void, onOutput: (line: string) => void) {
    this.spec = spec;
    this.onDeath = onDeath;
    const entry = processEntry();
    this.child = fork(entry.script, [spec, cwd], {
      execArgv: entry.execArgv,
      // its own process group, so SIGKILL reaches whatever it started, and a Ctrl-C at the
      // terminal reaches only convcheck, which then ends the kernel itself
      detached: true,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.exitedPromise = new Promise((resolve) => this.child.once('exit', () => resolve()));
    forwardLines(this.child, onOutput);
    this.ready = new Promise<ReadyInfo>((resolve, reject) => (this.settleReady = { resolve, reject }));
    // A load failure that nobody awaits (a spare process) must not become an unhandled rejection.
    this.ready.catch(() => undefined);
    this.loadTimer = setTimeout(() => {
      void this.kill(
        new KernelLoadError(spec, `did not finish loading within ${loadTimeoutMs} ms (does its module loop forever at top level?)`),
      );
    }, loadTimeoutMs);

    this.child.on('message', (m: WorkerReply) => {
      switch (m.type) {
        case 'ready':
          clearTimeout(this.loadTimer);
          this.settleReady?.resolve(m);
          this.settleReady = undefined;
          break;
        case 'load-error': {
          const prefix = `${m.file}: `;
          void this.kill(new KernelLoadError(m.file, m.message.startsWith(prefix) ? m.message.slice(prefix.length) : m.message));
          break;
        }
        case 'result':
        case 'error': {
          const p = this.pending.get(m.id);
          if (p === undefined) break;
          this.pending.delete(m.id);
          if (m.type === 'result') p.resolve(m);
          else p.reject(remoteError(m));
          break;
        }
      }
    });
    this.child.on('error', (e: Error) => {
      this.die(new IsolatedCallError('ERR_KERNEL_WORKER_EXIT', `kernel process failed: ${e.name}: ${e.message}`));
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      this.die(
        this.settleReady
          ? new KernelLoadError(this.spec, `kernel process ${how} while loading the kernel`)
          : new IsolatedCallError('ERR_KERNEL_WORKER_EXIT', `kernel process ${how} during the call`),
      );
    });
  }

  /** Sends a request; throws what the serializer throws (a value that cannot be sent). */
  send(req: WorkerRequest): void {
    this.child.send(req);
  }

  /** Rejects whatever waits on this process with `error` and takes the slot out of service (once). */
  private die(error: Error): void {
    clearTimeout(this.loadTimer);
    if (this.settleReady) {
      this.settleReady.reject(error);
      this.settleReady = undefined;
    }
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    if (!this.dead) {
      this.dead = true;
      this.onDeath(this);
    }
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
 * Loads the kernel `spec` (a built-in name or a module path, as for `loadKernel`) in a worker
 * thread and returns a proxy kernel with the same name, precision, capabilities and functions.
 * A load error rejects with the worker's `KernelLoadError`.
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
  // After the first timeout we keep a loaded spare worker, so the call after a timeout does not
  // wait for a worker to start (that wait would count against the runner's own per-call timeout).
  let keepSpare = false;
  let closed = false;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();

  const onDeath = (slot: Slot) => {
    if (current === slot) current = undefined;
    if (spare === slot) spare = undefined;
  };
  const onOutput = (line: string) => (options.onOutput ?? ((l: string) => process.stderr.write(`[kernel] ${l}\n`)))(terminalSafe(line));
  const start = () => new Slot(spec, cwd, loadTimeoutMs, onDeath, onOutput);
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

  const call = (req: WorkerRequest, inputs: ReadonlyArray<Tensor | undefined>): Promise<Tensor> => {
    const run = async (): Promise<Tensor> => {
      if (closed) throw new IsolatedCallError('ERR_KERNEL_CLOSED', `isolated kernel '${info.name}' is closed`);
      const slot = acquire();
      await slot.ready;
      const reply = await new Promise<Extract<WorkerReply, { type: 'result' }>>((resolve, reject) => {
        const timer = setTimeout(() => {
          slot.pending.delete(req.id);
          keepSpare = true;
          void slot.kill();
          if (!closed) acquire(); // start the replacement now, while the runner records the failure
          reject(new IsolatedCallError('ERR_KERNEL_TIMEOUT', `kernel did not return within ${timeoutMs} ms`));
        }, timeoutMs);
        slot.pending.set(req.id, {
          resolve: (r) => (clearTimeout(timer), resolve(r)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        try {
          slot.send(req);
        } catch (e) {
          slot.pending.delete(req.id);
          clearTimeout(timer);
          reject(new InvalidArgumentError(req.op, 'inputs', undefined, `inputs cannot be sent to the kernel worker (${e instanceof Error ? e.message : String(e)})`));
        }
      });
      inputs.forEach((t, i) => {
        const back = reply.inputs[i];
        if (t !== undefined && back !== undefined) copyBack(t, back);
      });
      return reply.y as Tensor;
    };
    // Calls are serialized: one worker runs one call at a time.
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  const host: KernelHost = {
    ready: async () => {
      if (closed) return;
      await acquire().ready;
    },
    abandon: async (replace: boolean) => {
      const slot = current;
      if (slot === undefined) return;
      keepSpare ||= replace;
      const killed = slot.kill(new IsolatedCallError('ERR_KERNEL_TIMEOUT', 'the call was abandoned by the runner (timeout or interruption)'));
      if (replace && !closed) acquire(); // start the replacement now, while the runner records the failure
      await killed;
    },
  };

  /** One operator call: its tensor arguments (as the table lists them), then attrs if given. */
  const callOperator = (op: string, args: readonly unknown[]): Promise<Tensor> => {
    const n = operatorByName(op)?.inputs.length ?? args.length;
    const inputs = args.slice(0, n) as Array<Tensor | undefined>;
    const attrs = args[n];
    return call({ id: nextId++, op, inputs: inputs.map((t) => t && plain(t)), ...(attrs !== undefined ? { attrs } : {}) }, inputs);
  };

  const kernel: IsolatedKernel = {
    [KERNEL_HOST]: host,
    name: info.name,
    precision: info.precision,
    ...(info.accumulation !== undefined ? { accumulation: info.accumulation } : {}),
    ...(info.errorModel !== undefined ? { errorModel: info.errorModel } : {}),
    ...(info.errorFactor !== undefined ? { errorFactor: info.errorFactor } : {}),
    ...(info.capabilities !== undefined ? { capabilities: info.capabilities } : {}),
    ...Object.fromEntries(info.operators.map((op) => [op, (...args: unknown[]) => callOperator(op, args)])),
    close: async () => {
      closed = true;
      const slots = [current, spare].filter((s): s is Slot => s !== undefined);
      current = spare = undefined;
      const error = new IsolatedCallError('ERR_KERNEL_CLOSED', `isolated kernel '${info.name}' was closed`);
      await Promise.all(slots.map((s) => s.kill(error)));
    },
  };
  return kernel;
}

/** Just the fields a worker needs: shape and data (the caller's objects may carry more). */
function plain(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data };
}


/** Writes what the kernel left in an input back into the caller's tensor (data, and shape if it changed). */
function copyBack(target: Tensor, returned: ReturnedInput): void {
  if (returned.data.length === target.data.length) target.data.set(returned.data);
  const shape = target.shape as number[];
  const same = returned.shape.length === shape.length && returned.shape.every((d, i) => Object.is(d, shape[i]));
  if (!same && !Object.isFrozen(shape)) shape.splice(0, shape.length, ...returned.shape);
}

/** Rebuilds a kernel's exception on this side, keeping its name, message and stack. */
function remoteError(m: Extract<WorkerReply, { type: 'error' }>): Error {
  const e = new Error(m.message);
  e.name = m.name;
  if (m.stack !== undefined) e.stack = m.stack;
  return e;
}
