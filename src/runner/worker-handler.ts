/**
 * The logic of the kernel process (`kernel-process.ts`), free of any IPC so that it can
 * be tested in-process: load the kernel named by a spec, answer one operator request.
 */
import type { KernelUnderTest, Tensor } from '../contract.js';
import { KernelLoadError } from '../errors.js';
import { loadKernel } from '../kernels/load-kernel.js';
import { implementedOperators } from '../operators/index.js';
import type { WorkerReply, WorkerRequest } from './remote-kernel.js';

/**
 * Loads the kernel named by `spec` (resolved from `cwd`): the kernel and the `ready` reply, or
 * no kernel and the `load-error` reply.
 */
export async function loadForWorker(
  spec: string,
  cwd: string,
): Promise<{ kernel: KernelUnderTest; reply: WorkerReply } | { kernel: undefined; reply: WorkerReply }> {
  try {
    const kernel = await loadKernel(spec, { cwd });
    return { kernel, reply: readyReply(kernel) };
  } catch (e) {
    return {
      kernel: undefined,
      reply:
        e instanceof KernelLoadError
          ? { type: 'load-error', file: e.file, message: e.message }
          : { type: 'load-error', file: spec, message: `${spec}: ${e instanceof Error ? e.message : String(e)}` },
    };
  }
}

/** The `ready` reply for a loaded kernel: what the proxy on the other side needs to know of it. */
export function readyReply(kernel: KernelUnderTest): WorkerReply {
  return {
    type: 'ready',
    name: kernel.name,
    precision: kernel.precision,
    ...(kernel.accumulation !== undefined ? { accumulation: kernel.accumulation } : {}),
    ...(kernel.errorModel !== undefined ? { errorModel: kernel.errorModel } : {}),
    ...(kernel.errorFactor !== undefined ? { errorFactor: kernel.errorFactor } : {}),
    capabilities: kernel.capabilities === undefined ? undefined : structuredClone(kernel.capabilities),
    operators: implementedOperators(kernel),
  };
}

/**
 * Runs one request on `kernel` and sends the reply with `send` (the kernel process's `process.send`, or the page's reply):
 * the result plus the inputs as the kernel left them, or the error the kernel threw, or a
 * `DataCloneError` reply when `send` cannot send the result.
 */
export async function handleRequest(kernel: KernelUnderTest, m: WorkerRequest, send: (r: WorkerReply) => void): Promise<void> {
  const { id, inputs } = m;
  // The arrays handed to the kernel, kept here: what goes back for the mutation check is these,
  // whatever the kernel does to the tensor objects (it may swap in a clean `data` after writing).
  const handed = inputs.map((t) => (t === undefined ? undefined : handedOf(t)));
  let y: unknown;
  try {
    const fn = (kernel as unknown as Record<string, (...a: unknown[]) => unknown>)[m.op];
    if (typeof fn !== 'function') throw new TypeError(`kernel ${kernel.name} has no ${m.op}`);
    y = await fn.apply(kernel, m.attrs === undefined ? [...inputs] : [...inputs, m.attrs]);
  } catch (e) {
    send({ type: 'error', id, ...describeThrown(e) });
    return;
  }
  const returned = handed.map((h) => (h === undefined ? undefined : asLeft(h)));
  try {
    send({ type: 'result', id, y: transferable(y), inputs: returned });
  } catch (e) {
    send({
      type: 'error',
      id,
      name: 'DataCloneError',
      message: `kernel returned a value that cannot be sent from the worker (${e instanceof Error ? e.message : String(e)})`,
    });
  }
}

/** The arrays of an input as handed over (references, read back after the call). */
function handedOf(t: Tensor): { shape: readonly number[]; data: Float32Array | Float64Array } {
  return { shape: t.shape, data: t.data };
}

/** What the kernel left in the handed arrays. */
function asLeft(h: { shape: readonly number[]; data: Float32Array | Float64Array }): {
  shape: number[];
  data: Float32Array | Float64Array;
} {
  return { shape: [...h.shape], data: h.data };
}

/**
 * Name, message and stack of anything a kernel threw, as strings. An object whose `toString`,
 * `name` or `message` getter throws must not crash the worker: each read is guarded.
 */
export function describeThrown(e: unknown): { name: string; message: string; stack?: string } {
  const safe = (read: () => unknown, fallback: string): string => {
    try {
      const v = read();
      return typeof v === 'string' ? v : String(v);
    } catch {
      return fallback;
    }
  };
  if (e instanceof Error) {
    const stack = safe(() => e.stack, '');
    return {
      name: safe(() => e.name, 'Error'),
      message: safe(() => e.message, '(message cannot be read)'),
      ...(stack !== '' ? { stack } : {}),
    };
  }
  return { name: 'Error', message: `kernel threw a non-Error value: ${safe(() => String(e), 'a value that cannot be printed')}` };
}

/**
 * What to send back for a result: a tensor-like object is reduced to `{shape, data}` (a tfjs
 * tensor or a class instance cannot be cloned), with a view copied out of a larger buffer (a
 * WASM heap, say) so only its own elements cross the thread boundary. Anything else is sent
 * as is, for the runner to reject as the wrong type.
 */
export function transferable(y: unknown): unknown {
  if (typeof y !== 'object' || y === null || !('shape' in y) || !('data' in y)) return y;
  let { shape, data } = y as { shape: unknown; data: unknown };
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const view = data as Float32Array;
    if (view.byteOffset !== 0 || view.byteLength !== view.buffer.byteLength) data = view.slice();
  }
  if (Array.isArray(shape)) shape = [...shape];
  return { shape, data };
}
