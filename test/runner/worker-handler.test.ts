/**
 * The kernel worker's logic (`worker-handler.ts`), run in-process: loading a kernel into the
 * `ready` / `load-error` reply, and answering conv / dense requests.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import type { WorkerReply, WorkerRequest } from '../../src/runner/remote-kernel.js';
import { handleRequest, loadForWorker, transferable } from '../../src/runner/worker-handler.js';

const cwd = process.cwd();
const fixture = (name: string) => `test/fixtures/kernels/${name}`;

const x = (): Tensor => ({ shape: [1, 1, 3], data: new Float64Array([1, 2, 3]) });
const w = (): Tensor => ({ shape: [1, 1, 2], data: new Float64Array([1, 1]) });
const attrs = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
const convRequest = (id = 1): WorkerRequest => ({ id, op: 'conv', inputs: [x(), w(), undefined], attrs });

async function answer(kernel: KernelUnderTest, m: WorkerRequest, send?: (r: WorkerReply) => void): Promise<WorkerReply[]> {
  const replies: WorkerReply[] = [];
  await handleRequest(kernel, m, send ?? ((r) => replies.push(structuredClone(r))));
  return replies;
}

describe('loadForWorker', () => {
  it('loads a module kernel and describes it in the ready reply', async () => {
    const { kernel, reply } = await loadForWorker(fixture('good.mjs'), cwd);
    expect(kernel?.name).toBe('fixture:good');
    expect(reply).toEqual({
      type: 'ready',
      name: 'fixture:good',
      precision: 'float64',
      capabilities: undefined,
      operators: ['conv', 'dense'],
    });
  });

  it('clones the capabilities of a built-in kernel into the reply', async () => {
    const { kernel, reply } = await loadForWorker('builtin:reference', cwd);
    expect(reply.type).toBe('ready');
    if (reply.type !== 'ready') return;
    if (kernel?.capabilities !== undefined) {
      expect(reply.capabilities).toEqual(kernel.capabilities);
      expect(reply.capabilities).not.toBe(kernel.capabilities);
    }
  });

  it('turns a KernelLoadError into a load-error reply naming the file', async () => {
    const { kernel, reply } = await loadForWorker(fixture('no-default.mjs'), cwd);
    expect(kernel).toBeUndefined();
    expect(reply).toMatchObject({ type: 'load-error', file: 'test/fixtures/kernels/no-default.mjs' });
    expect(reply.type === 'load-error' && reply.message).toMatch(/has no default export .*; it exports only kernel/);
  });

  it('reports a factory that throws', async () => {
    const { reply } = await loadForWorker(fixture('factory-throws.mjs'), cwd);
    expect(reply.type).toBe('load-error');
    expect(reply.type === 'load-error' && reply.message).toMatch(/default-export factory threw: GPU backend not available/);
  });
});

describe('handleRequest', () => {
  it('answers a conv call with the result and the inputs', async () => {
    const { kernel } = await loadForWorker(fixture('good.mjs'), cwd);
    const [r] = await answer(kernel!, convRequest(7));
    expect(r.type).toBe('result');
    if (r.type !== 'result') return;
    expect(r.id).toBe(7);
    expect(r.y).toEqual({ shape: [1, 1, 2], data: new Float64Array([3, 5]) });
    expect(r.inputs[0]).toEqual({ shape: [1, 1, 3], data: new Float64Array([1, 2, 3]) });
    expect(r.inputs[2]).toBeUndefined();
  });

  it('answers a dense call (with bias)', async () => {
    const { kernel } = await loadForWorker(fixture('good.mjs'), cwd);
    const b: Tensor = { shape: [1], data: new Float64Array([10]) };
    const m: WorkerRequest = {
      id: 2,
      op: 'dense',
      inputs: [{ shape: [1, 2], data: new Float64Array([1, 2]) }, { shape: [1, 2], data: new Float64Array([3, 4]) }, b],
    };
    const [r] = await answer(kernel!, m);
    expect(r).toMatchObject({ type: 'result', id: 2 });
    expect(r.type === 'result' && r.inputs[2]).toEqual({ shape: [1], data: new Float64Array([10]) });
    expect(r.type === 'result' && Array.from((r.y as Tensor).data)).toEqual([21]);
  });

  it('sends back the inputs as a mutating kernel left them', async () => {
    const { kernel } = await loadForWorker(fixture('mutates-input.mjs'), cwd);
    const [r] = await answer(kernel!, convRequest());
    expect(r.type === 'result' && Array.from(r.inputs[0]!.data)).toEqual([2, 2, 3]);
    expect(r.type === 'result' && Array.from((r.y as Tensor).data)).toEqual([3, 5]);
  });

  it('turns a thrown Error into an error reply with its name, message and stack', async () => {
    const { kernel } = await loadForWorker(fixture('throws.mjs'), cwd);
    const [r] = await answer(kernel!, convRequest(3));
    expect(r).toMatchObject({ type: 'error', id: 3, name: 'Error', message: 'fixture kernel refuses every conv' });
    expect(r.type === 'error' && r.stack).toContain('fixture kernel refuses every conv');
  });

  it('describes a thrown non-Error value', async () => {
    const kernel: KernelUnderTest = {
      name: 'throws-string',
      precision: 'float64',
      conv: () => {
        throw 'nope';
      },
    };
    const [r] = await answer(kernel, convRequest(4));
    expect(r).toEqual({ type: 'error', id: 4, name: 'Error', message: 'kernel threw a non-Error value: nope', stack: undefined });
  });

  it('sends a DataCloneError reply when the result cannot be sent', async () => {
    const kernel = { name: 'fn-result', precision: 'float64', conv: () => ({ shape: [1], data: () => 0 }) } as unknown as KernelUnderTest;
    const replies: WorkerReply[] = [];
    await handleRequest(kernel, convRequest(5), (r) => replies.push(structuredClone(r)));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ type: 'error', id: 5, name: 'DataCloneError' });
    expect(replies[0].type === 'error' && replies[0].message).toMatch(/kernel returned a value that cannot be sent from the worker \(/);
  });
});

describe('transferable', () => {
  it('passes non-tensor values through', () => {
    expect(transferable(42)).toBe(42);
    expect(transferable(null)).toBeNull();
    const o = { shape: [1] };
    expect(transferable(o)).toBe(o);
  });

  it('reduces a tensor-like object to {shape, data}, copying a view out of a larger buffer', () => {
    const heap = new Float32Array([9, 1, 2, 9]);
    const view = heap.subarray(1, 3);
    class T {
      shape = [2];
      data = view;
      dispose() {}
    }
    const r = transferable(new T()) as { shape: number[]; data: Float32Array };
    expect(r).not.toBeInstanceOf(T);
    expect(Array.from(r.data)).toEqual([1, 2]);
    expect(r.data.buffer.byteLength).toBe(8);
    const whole = new Float32Array([1, 2]);
    expect((transferable({ shape: 'odd', data: whole }) as { data: Float32Array }).data).toBe(whole);
  });
});

describe('handleRequest: requests the kernel cannot answer', () => {
  it('an operator the kernel lacks: a TypeError reply naming the kernel and the operator', async () => {
    const kernel: KernelUnderTest = {
      name: 'conv-only',
      precision: 'float64',
      conv: () => ({ shape: [1, 1, 2], data: new Float64Array(2) }),
    };
    const [r] = await answer(kernel, { id: 6, op: 'dense', inputs: [x(), w(), undefined], attrs: undefined });
    expect(r).toMatchObject({ type: 'error', id: 6, name: 'TypeError', message: 'kernel conv-only has no dense' });
  });
  it('a send that throws something other than an Error: the DataCloneError reply says what it was', async () => {
    const kernel: KernelUnderTest = { name: 'ok', precision: 'float64', conv: () => ({ shape: [1, 1, 2], data: new Float64Array(2) }) };
    const replies: WorkerReply[] = [];
    let first = true;
    await handleRequest(kernel, convRequest(7), (r) => {
      if (first) {
        first = false;
        throw 'channel closed';
      }
      replies.push(r);
    });
    expect(replies).toEqual([
      {
        type: 'error',
        id: 7,
        name: 'DataCloneError',
        message: 'kernel returned a value that cannot be sent from the worker (channel closed)',
      },
    ]);
  });
});
