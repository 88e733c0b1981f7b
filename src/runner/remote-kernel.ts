/**
 * What a kernel running somewhere else — a process of its own (`isolated-kernel.ts`) or a
 * browser page (`../browser/browser-kernel.ts`) — shares with every other host: the messages
 * (`WorkerRequest` out, `WorkerReply` back), the bookkeeping of one loaded instance (`RemoteSlot`:
 * waiting for `ready`, the load timer, the calls in flight, taking itself out of service once),
 * the call queue with its timeout (`remoteCaller`), and the proxy kernel the runner sees
 * (`proxyKernel`). A host supplies only how to start an instance, send to it and end it.
 */
import type { ErrorModel, KernelUnderTest, Precision, Tensor } from '../contract.js';
import type { KernelCapabilities } from '../capabilities.js';
import { InvalidArgumentError, KernelLoadError } from '../errors.js';
import { operatorByName } from '../operators/index.js';
import { KERNEL_HOST, type KernelHost } from './guarded-call.js';
import type { CallShaders, ScriptCoverage } from './kernel-coverage-probe.js';

/** A call posted to the kernel's host: `kernel[op](...inputs, attrs?)` (attrs only when defined). */
export interface WorkerRequest {
  readonly id: number;
  /** An operator method of the table (`conv`, `dense`, …). */
  readonly op: string;
  /** The tensor arguments in call order (`undefined` for an absent bias). */
  readonly inputs: ReadonlyArray<Tensor | undefined>;
  readonly attrs?: unknown;
}

/** An input as the host returns it after the call (what the kernel left in it). */
export interface ReturnedInput {
  readonly shape: number[];
  readonly data: Float32Array | Float64Array;
}

/** What a host with coverage on adds to `ready`, `result` and `error` replies (`kernel-coverage-probe.ts`). */
export interface ReplyCoverage {
  /** Block coverage of the kernel's scripts since the previous reply. */
  readonly coverage?: readonly ScriptCoverage[];
  /** The GPU programs created and used since the previous reply (a page). */
  readonly shaders?: CallShaders;
}

/** A message from the kernel's host. */
export type WorkerReply =
  | ({
      readonly type: 'ready';
      readonly name: string;
      readonly precision: Precision;
      readonly accumulation?: Precision;
      readonly errorModel?: ErrorModel;
      readonly errorFactor?: number;
      readonly capabilities: KernelCapabilities | undefined;
      /** The operator methods the kernel implements. */
      readonly operators: readonly string[];
    } & ReplyCoverage)
  | { readonly type: 'load-error'; readonly file: string; readonly message: string }
  | ({ readonly type: 'result'; readonly id: number; readonly y: unknown; readonly inputs: ReadonlyArray<ReturnedInput | undefined> } & ReplyCoverage)
  | ({ readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string; readonly stack?: string } & ReplyCoverage);

/** The `ready` message: what the kernel declared about itself. */
export type ReadyInfo = Extract<WorkerReply, { type: 'ready' }>;
/** A call's answer. */
export type ResultReply = Extract<WorkerReply, { type: 'result' }>;
/** A call's exception. */
export type ErrorReply = Extract<WorkerReply, { type: 'error' }>;

/** An error a remote call rejects with; `code` tells a timeout from a crash. */
export class IsolatedCallError extends Error {
  readonly code: 'ERR_KERNEL_TIMEOUT' | 'ERR_KERNEL_WORKER_EXIT' | 'ERR_KERNEL_CLOSED';
  constructor(code: IsolatedCallError['code'], message: string) {
    super(message);
    this.name = 'IsolatedCallError';
    this.code = code;
  }
}

/** A kernel running elsewhere; `close()` ends its host. The runner's guard reaches the host under `KERNEL_HOST`. */
export interface IsolatedKernel extends KernelUnderTest {
  close(): Promise<void>;
  readonly [KERNEL_HOST]: KernelHost;
}

interface Pending {
  resolve(r: ResultReply): void;
  reject(e: Error): void;
  /** The kernel threw (given the reply, so its coverage is not lost); default: `reject`. */
  fail?(r: ErrorReply): void;
}

/**
 * One loaded instance of the kernel in its host. Subclasses start the host, feed every message
 * to `handleReply`, and implement `send` and `kill`; this class settles `ready` (or rejects it
 * on a load error or load timeout), routes results and errors to the calls waiting for them,
 * and on `die` rejects everything still waiting and reports the death once.
 */
export abstract class RemoteSlot {
  readonly ready: Promise<ReadyInfo>;
  readonly pending = new Map<number, Pending>();
  /** Set once the slot is out of service. */
  protected dead = false;
  private settleReady: { resolve(r: ReadyInfo): void; reject(e: Error): void } | undefined;
  private readonly loadTimer: NodeJS.Timeout;

  /** `loadTimeout()` gives the error for a load that took longer than `loadTimeoutMs`. */
  protected constructor(
    protected readonly spec: string,
    loadTimeoutMs: number,
    private readonly onDeath: (slot: RemoteSlot) => void,
    loadTimeout: () => Error,
  ) {
    this.ready = new Promise<ReadyInfo>((resolve, reject) => (this.settleReady = { resolve, reject }));
    // A load failure that nobody awaits (a spare instance) must not become an unhandled rejection.
    this.ready.catch(() => undefined);
    this.loadTimer = setTimeout(() => void this.kill(loadTimeout()), loadTimeoutMs);
  }

  /** True until the kernel has reported `ready` (or the slot died). */
  protected get loading(): boolean {
    return this.settleReady !== undefined;
  }

  /** Sends a request to the host; throws what the encoder throws (a value that cannot be sent). */
  abstract send(req: WorkerRequest): void;

  /** Takes the slot out of service (rejecting waiters with `error`) and ends the host. */
  abstract kill(error?: Error): Promise<unknown>;

  /** Handles the messages every host sends; returns false for one it does not know (the subclass's own). */
  protected handleReply(m: { readonly type: string }): boolean {
    const r = m as WorkerReply;
    switch (r.type) {
      case 'ready':
        clearTimeout(this.loadTimer);
        this.settleReady?.resolve(r);
        this.settleReady = undefined;
        return true;
      case 'load-error': {
        const prefix = `${r.file}: `;
        void this.kill(new KernelLoadError(r.file, r.message.startsWith(prefix) ? r.message.slice(prefix.length) : r.message));
        return true;
      }
      case 'result':
      case 'error': {
        const p = this.pending.get(r.id);
        if (p !== undefined) {
          this.pending.delete(r.id);
          if (r.type === 'result') p.resolve(r);
          else if (p.fail) p.fail(r);
          else p.reject(remoteError(r));
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** How `error` reaches a caller still waiting for `ready` (a host may turn faults into load errors). */
  protected loadErrorOf(error: Error): Error {
    return error;
  }

  /** Rejects whatever waits on this slot with `error` and takes it out of service (reported once). */
  protected die(error: Error): void {
    clearTimeout(this.loadTimer);
    if (this.settleReady) {
      this.settleReady.reject(this.loadErrorOf(error));
      this.settleReady = undefined;
    }
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    if (!this.dead) {
      this.dead = true;
      this.onDeath(this);
    }
  }
}

/** How `remoteCaller` reaches the instances of one kernel. */
export interface RemoteCallerOptions<S extends RemoteSlot> {
  /** The instance to call (started if there is none). */
  acquire(): S;
  /** The error for a call made after `close()`, or undefined while open. */
  closedError(): Error | undefined;
  /** A call that has not answered after this many ms is ended by `onTimeout`. */
  readonly timeoutMs: number;
  /** The limit of the next call when the host was asked for longer (`KernelHost.extendNextCall`); read once per call. */
  nextLimitMs?(): number | undefined;
  /** Ends the instance running a call that ran past `timeoutMs`; returns the error the call rejects with. */
  onTimeout(slot: S): Error;
  /**
   * Called with each answer (a result, or the kernel's exception) before the call settles: where
   * a host with coverage on hands what the call ran to the runner.
   */
  afterReply?(slot: S, req: WorkerRequest, reply: ResultReply | ErrorReply): Promise<void> | void;
}

/**
 * The operator calls of a remote kernel: one at a time (a host runs one call at a time), each
 * sent to the current instance once it is ready, answered or ended by `onTimeout`; inputs the
 * kernel wrote are copied back into the caller's tensors, so the runner's inputs-not-mutated
 * check sees them. Returns `callOperator(op, args)`: the tensor arguments (as the operator
 * table lists them), then attrs if given.
 */
export function remoteCaller<S extends RemoteSlot>(o: RemoteCallerOptions<S>): (op: string, args: readonly unknown[]) => Promise<Tensor> {
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  const call = (req: WorkerRequest, inputs: ReadonlyArray<Tensor | undefined>): Promise<Tensor> => {
    const run = async (): Promise<Tensor> => {
      const closed = o.closedError();
      if (closed !== undefined) throw closed;
      const slot = o.acquire();
      await slot.ready;
      const reply = await new Promise<ResultReply>((resolve, reject) => {
        const timer = setTimeout(() => {
          slot.pending.delete(req.id);
          reject(o.onTimeout(slot));
        }, Math.max(o.timeoutMs, o.nextLimitMs?.() ?? 0));
        const after = o.afterReply;
        slot.pending.set(req.id, {
          resolve: (r) => {
            clearTimeout(timer);
            if (after === undefined) resolve(r);
            else void Promise.resolve(after(slot, req, r)).catch(() => undefined).then(() => resolve(r));
          },
          reject: (e) => (clearTimeout(timer), reject(e)),
          ...(after === undefined
            ? {}
            : {
                fail: (r: ErrorReply) => {
                  clearTimeout(timer);
                  void Promise.resolve(after(slot, req, r)).catch(() => undefined).then(() => reject(remoteError(r)));
                },
              }),
        });
        try {
          slot.send(req);
        } catch (e) {
          slot.pending.delete(req.id);
          clearTimeout(timer);
          reject(new InvalidArgumentError(req.op, 'inputs', undefined, `inputs cannot be sent to the kernel (${e instanceof Error ? e.message : String(e)})`));
        }
      });
      inputs.forEach((t, i) => {
        const back = reply.inputs[i];
        if (t !== undefined && back !== undefined) copyBack(t, back);
      });
      return reply.y as Tensor;
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };
  return (op, args) => {
    const n = operatorByName(op)?.inputs.length ?? args.length;
    const inputs = args.slice(0, n) as Array<Tensor | undefined>;
    const attrs = args[n];
    return call({ id: nextId++, op, inputs: inputs.map((t) => t && plain(t)), ...(attrs !== undefined ? { attrs } : {}) }, inputs);
  };
}

/**
 * The kernel the runner sees: the name, precision, numerics and capabilities the kernel declared
 * in `ready`, one method per operator it implements (calling `callOperator`), its host, `close`,
 * and any host-specific fields in `extra`.
 */
export function proxyKernel<E extends object>(
  info: ReadyInfo,
  host: KernelHost,
  callOperator: (op: string, args: readonly unknown[]) => Promise<Tensor>,
  close: () => Promise<void>,
  extra: E,
): IsolatedKernel & E {
  return {
    [KERNEL_HOST]: host,
    name: info.name,
    precision: info.precision,
    ...(info.accumulation !== undefined ? { accumulation: info.accumulation } : {}),
    ...(info.errorModel !== undefined ? { errorModel: info.errorModel } : {}),
    ...(info.errorFactor !== undefined ? { errorFactor: info.errorFactor } : {}),
    ...(info.capabilities !== undefined ? { capabilities: info.capabilities } : {}),
    ...Object.fromEntries(info.operators.map((op) => [op, (...args: unknown[]) => callOperator(op, args)])),
    ...extra,
    close,
  } as IsolatedKernel & E;
}

/**
 * A call's operation, input shapes and attributes in one line (`conv [1,3,5,5] [4,3,3,3] - {…}`):
 * what a GPU kernel compiles a program for.
 */
export function callSignature(req: WorkerRequest): string {
  const shapes = req.inputs.map((t) => (t === undefined ? '-' : `[${t.shape.join(',')}]`));
  return [req.op, ...shapes, ...(req.attrs !== undefined ? [JSON.stringify(req.attrs)] : [])].join(' ');
}

/** Just the fields a host needs: shape and data (the caller's objects may carry more). */
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
