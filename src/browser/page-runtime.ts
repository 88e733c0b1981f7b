/**
 * The kernel page's side of the browser runtime — what `runner/kernel-process.ts` is to a
 * kernel's own child process: load the kernel module, say `ready` (or `load-error`), then answer
 * each operator request with the same handler the kernel process uses (`handleRequest` in
 * `runner/worker-handler.ts`), so a kernel in a page and a kernel in its own process behave alike.
 * Messages travel as binary (`wire.ts`) over the session's WebSocket to the loopback server.
 *
 * It also watches the GPU: a WebGPU device whose `lost` promise resolves (other than by the
 * kernel's own `destroy()`), or a WebGL context that fires `webglcontextlost`, is reported as a
 * lost device for the call in flight; Node then gives the next call a fresh page.
 *
 * This file runs in the browser; it is bundled by `bundle.ts`, never imported in Node.
 */
import type { KernelUnderTest } from '../contract.js';
import { KernelLoadError } from '../errors.js';
import { validateKernel } from '../kernels/load-kernel.js';
import type { WorkerReply, WorkerRequest } from '../runner/remote-kernel.js';
import { handleRequest, readyReply } from '../runner/worker-handler.js';
import { installShaderProbe, takeShaders } from './shader-probe.js';
import { decodeMessage, encodeMessage } from './wire.js';

/** Messages only a page sends, besides the worker protocol's. */
export type PageOnlyReply = { readonly type: 'device-lost'; readonly id: number | undefined; readonly message: string };

/** A message from Node to the page: a worker request, or the end of the session. */
export type PageRequest = WorkerRequest | { readonly type: 'close' };

interface PageGlobals {
  __convcheckRpc?: string;
  navigator: { gpu?: unknown };
}

let currentId: number | undefined;
let lostReported = false;
let reportLoss: (message: string) => void = () => undefined;

/** Hooks every WebGPU device and WebGL context the kernel creates, to notice a lost device. */
function watchDevices(): void {
  const g = globalThis as unknown as Record<string, { prototype: Record<string, unknown> } | undefined>;
  const adapter = g.GPUAdapter?.prototype;
  if (adapter && typeof adapter.requestDevice === 'function') {
    const original = adapter.requestDevice as (
      this: unknown,
      ...a: unknown[]
    ) => Promise<{ lost: Promise<{ reason: string; message: string }> }>;
    adapter.requestDevice = async function (this: unknown, ...args: unknown[]) {
      const device = await original.apply(this, args);
      void device.lost.then((info) => {
        if (info.reason !== 'destroyed') reportLoss(`WebGPU device lost (${info.reason}): ${info.message}`);
      });
      return device;
    };
  }
  for (const name of ['HTMLCanvasElement', 'OffscreenCanvas']) {
    const proto = g[name]?.prototype;
    if (!proto || typeof proto.getContext !== 'function') continue;
    const original = proto.getContext as (this: EventTarget, ...a: unknown[]) => unknown;
    proto.getContext = function (this: EventTarget, ...args: unknown[]) {
      const ctx = original.apply(this, args);
      if (ctx && /^(webgl|webgl2|experimental-webgl)$/.test(String(args[0]))) {
        this.addEventListener('webglcontextlost', () => reportLoss('WebGL context lost'));
      }
      return ctx;
    };
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}

/** Loads the module's default export (a kernel, or a possibly async factory) and validates it. */
async function loadKernelFrom(load: () => Promise<Record<string, unknown>>, label: string): Promise<KernelUnderTest> {
  let mod: Record<string, unknown>;
  try {
    mod = await load();
  } catch (e) {
    throw new KernelLoadError(label, `import failed in the browser: ${describe(e)}`);
  }
  if (!('default' in mod) || mod.default === undefined) {
    throw new KernelLoadError(label, 'has no default export (export default a KernelUnderTest or a function returning one)');
  }
  let value: unknown = mod.default;
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (e) {
      throw new KernelLoadError(label, `default-export factory threw in the browser: ${describe(e)}`);
    }
  }
  return validateKernel(value, label);
}

/** The page's end of its session's WebSocket: send a message, or take Node's next one (undefined once the session is over). */
interface Channel {
  send(message: WorkerReply | PageOnlyReply): void;
  next(): Promise<PageRequest | undefined>;
}

function openChannel(url: string): Promise<Channel> {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const inbox: Array<PageRequest | undefined> = [];
  let waiting: ((m: PageRequest | undefined) => void) | undefined;
  let closed = false;
  const deliver = (m: PageRequest | undefined) => {
    if (waiting === undefined) inbox.push(m);
    else {
      const w = waiting;
      waiting = undefined;
      w(m);
    }
  };
  ws.onmessage = (e: MessageEvent) => deliver(decodeMessage(new Uint8Array(e.data as ArrayBuffer)) as PageRequest);
  ws.onclose = () => {
    closed = true;
    deliver(undefined);
  };
  const channel: Channel = {
    send(message) {
      if (!closed) ws.send(encodeMessage(message) as Uint8Array<ArrayBuffer>);
    },
    next() {
      if (inbox.length > 0) return Promise.resolve(inbox.shift());
      if (closed) return Promise.resolve(undefined);
      return new Promise((resolve) => (waiting = resolve));
    },
  };
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(channel);
    ws.onerror = () => {
      if (ws.readyState !== WebSocket.OPEN) reject(new Error(`convcheck page: cannot open the session's WebSocket (${url})`));
    };
  });
}

/**
 * Runs the page: loads the kernel with `load` and serves requests until Node closes the session.
 * `label` names the kernel in load errors (the spec given on the command line).
 */
export async function startPage(load: () => Promise<Record<string, unknown>>, label: string): Promise<void> {
  const rpc = (globalThis as unknown as PageGlobals).__convcheckRpc;
  if (rpc === undefined) throw new Error('convcheck page: no RPC endpoint (the page must be opened by convcheck)');
  const channel = await openChannel(rpc);
  const post = (message: WorkerReply | PageOnlyReply): Promise<PageRequest | undefined> => {
    channel.send(message);
    return channel.next();
  };
  reportLoss = (message) => {
    if (lostReported) return;
    lostReported = true;
    channel.send({ type: 'device-lost', id: currentId, message });
  };
  watchDevices();
  // `--coverage`: the page was opened with ?coverage; record GPU programs before the module loads
  const coverage = typeof location !== 'undefined' && new URLSearchParams(location.search).has('coverage');
  if (coverage) installShaderProbe();

  let kernel: KernelUnderTest | undefined;
  let reply: WorkerReply;
  try {
    kernel = await loadKernelFrom(load, label);
    reply = readyReply(kernel);
  } catch (e) {
    reply =
      e instanceof KernelLoadError
        ? { type: 'load-error', file: e.file, message: e.message }
        : { type: 'load-error', file: label, message: `${label}: ${describe(e)}` };
  }
  for (;;) {
    if (coverage && reply.type !== 'load-error') reply = { ...reply, shaders: takeShaders() };
    const request = await post(reply);
    if (kernel === undefined || request === undefined || 'type' in request) return;
    currentId = request.id;
    let answer: WorkerReply | undefined;
    await handleRequest(kernel, request, (r) => {
      answer ??= r;
    });
    currentId = undefined;
    reply = answer ?? { type: 'error', id: request.id, name: 'Error', message: 'the page handler sent no reply' };
  }
}
