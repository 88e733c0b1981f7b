/**
 * Worker-thread side of `createIsolatedKernel`: loads the kernel named in `workerData.spec`,
 * answers `conv` / `dense` calls, and sends back the result plus the inputs as the kernel left
 * them (so that a kernel writing into its inputs is still seen by the runner).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ConvAttributes, KernelUnderTest, Tensor } from '../contract.js';
import { KernelLoadError } from '../errors.js';
import { loadKernel } from '../cli/load-kernel.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './isolated-kernel.js';

const port = parentPort;
if (port === null) throw new Error('kernel-worker: must be started as a worker thread (parentPort is null)');

const { spec, cwd } = workerData as WorkerData;

let kernel: KernelUnderTest;
try {
  kernel = await loadKernel(spec, { cwd });
  reply({
    type: 'ready',
    name: kernel.name,
    precision: kernel.precision,
    capabilities: kernel.capabilities === undefined ? undefined : structuredClone(kernel.capabilities),
    hasConv: typeof kernel.conv === 'function',
    hasDense: typeof kernel.dense === 'function',
  });
  port.on('message', (m: WorkerRequest) => void handle(m));
} catch (e) {
  reply(
    e instanceof KernelLoadError
      ? { type: 'load-error', file: e.file, message: e.message }
      : { type: 'load-error', file: spec, message: `${spec}: ${e instanceof Error ? e.message : String(e)}` },
  );
}

async function handle(m: WorkerRequest): Promise<void> {
  const { id, x, w, b } = m;
  let y: unknown;
  try {
    y =
      m.op === 'conv'
        ? await kernel.conv!(x, w, b, m.attrs as ConvAttributes)
        : await kernel.dense!(x, w, b);
  } catch (e) {
    reply({
      type: 'error',
      id,
      name: e instanceof Error ? e.name : 'Error',
      message: e instanceof Error ? e.message : `kernel threw a non-Error value: ${String(e)}`,
      stack: e instanceof Error ? e.stack : undefined,
    });
    return;
  }
  const inputs = { x: snapshot(x), w: snapshot(w), b: b === undefined ? undefined : snapshot(b) };
  try {
    reply({ type: 'result', id, y: transferable(y), ...inputs });
  } catch (e) {
    reply({
      type: 'error',
      id,
      name: 'DataCloneError',
      message: `kernel returned a value that cannot be sent from the worker (${e instanceof Error ? e.message : String(e)})`,
    });
  }
}

/** The input as the kernel left it (data and shape). */
function snapshot(t: Tensor): { shape: number[]; data: Float32Array | Float64Array } {
  return { shape: Array.isArray(t.shape) ? [...t.shape] : (t.shape as number[]), data: t.data };
}

/**
 * What to send back for a result: a tensor-like object is reduced to `{shape, data}` (a tfjs
 * tensor or a class instance cannot be cloned), with a view copied out of a larger buffer (a
 * WASM heap, say) so only its own elements cross the thread boundary. Anything else is sent
 * as is, for the runner to reject as the wrong type.
 */
function transferable(y: unknown): unknown {
  if (typeof y !== 'object' || y === null || !('shape' in y) || !('data' in y)) return y;
  let { shape, data } = y as { shape: unknown; data: unknown };
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const view = data as Float32Array;
    if (view.byteOffset !== 0 || view.byteLength !== view.buffer.byteLength) data = view.slice();
  }
  if (Array.isArray(shape)) shape = [...shape];
  return { shape, data };
}

function reply(r: WorkerReply): void {
  port!.postMessage(r);
}
