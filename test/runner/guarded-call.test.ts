/**
 * `GuardedKernel.call` (src/runner/guarded-call.ts) in process, for the faults a hostile kernel can
 * cause that the CLI tests reach only in a child process: an exception that cannot be printed, a
 * result whose getters throw, an input whose buffer is detached or whose shape is written, an
 * abort while the call is in flight, and a hang confirmed or not confirmed.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { CallClock, CallInterrupted, errorMessage, GuardedKernel } from '../../src/runner/guarded-call.js';
import { KernelFault } from '../../src/vocabulary.js';
import type { Data64 } from '../../src/vocabulary.js';

// dense x=[1,2] w=[1,2]: y = [x·w] = [1·3 + 2·4] = [11]
const x: Data64 = { shape: [1, 2], data: Float64Array.of(1, 2) };
const w: Data64 = { shape: [1, 2], data: Float64Array.of(3, 4) };
const inputs = [
  ['x', x],
  ['w', w],
  ['b', undefined],
] as const;

const dot = (a: Tensor, b: Tensor): Tensor => ({ shape: [1, 1], data: Float32Array.of(a.data[0] * b.data[0] + a.data[1] * b.data[1]) });
const kernel = (dense: (a: Tensor, b: Tensor) => unknown): KernelUnderTest =>
  ({ name: 'test:dense', precision: 'float32', dense }) as unknown as KernelUnderTest;
const call = (k: KernelUnderTest, options: ConstructorParameters<typeof GuardedKernel>[2] = {}, timeoutMs = 2000) =>
  new GuardedKernel(k, timeoutMs, options).call('dense', inputs, undefined, [1, 1]);

/** The KernelFault `p` rejects with. */
async function fault(p: Promise<unknown>): Promise<KernelFault> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KernelFault);
    return e as KernelFault;
  }
  throw new Error('expected a KernelFault');
}

describe('GuardedKernel.call: faults of a hostile dense kernel x=[1,2] w=[1,2]', () => {
  it('the honest kernel (control) gives [11]', async () => {
    expect(await call(kernel(dot))).toEqual(Float64Array.of(11));
  });
  it('throws an object whose toString throws: a threw fault that says it cannot be printed', async () => {
    const unprintable = {
      toString() {
        throw new Error('no');
      },
    };
    const f = await fault(
      call(
        kernel(() => {
          throw unprintable;
        }),
      ),
    );
    expect(f.kind).toBe('threw');
    expect(f.message).toBe('dense() threw a value that cannot be printed ([object Object])');
  });
  it('errorMessage of a thrown value whose every conversion throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(errorMessage(hostile)).toBe('a value that cannot be printed');
    expect(errorMessage(new RangeError('r'))).toBe('RangeError: r');
  });
  it('returns an object whose shape getter throws: wrong-type, naming the getter’s error', async () => {
    const f = await fault(
      call(
        kernel(() => ({
          get shape(): number[] {
            throw new TypeError('gone');
          },
          data: Float32Array.of(11),
        })),
      ),
    );
    expect(f.kind).toBe('wrong-type');
    expect(f.message).toBe('dense() returned an object whose shape or data cannot be read (TypeError: gone)');
  });
  it('transfers (detaches) its input’s buffer: the input was written, from element 0', async () => {
    const f = await fault(
      call(
        kernel((a, b) => {
          const y = dot(a, b);
          structuredClone(a.data.buffer, { transfer: [a.data.buffer as ArrayBuffer] });
          return y;
        }),
      ),
    );
    expect(f.kind).toBe('mutated-input');
    expect(f.message).toBe('dense() wrote into its input x (element 0 changed from 1 to undefined)');
  });
  it('writes into its input’s shape: named with both shapes', async () => {
    const f = await fault(
      call(
        kernel((a, b) => {
          (a.shape as number[]).pop();
          return dot(a, b);
        }),
      ),
    );
    expect(f.kind).toBe('mutated-input');
    expect(f.message).toBe('dense() wrote into the shape of its input x ([1,2] became [1])');
  });
});

describe('GuardedKernel.call: interrupted', () => {
  it('a signal already aborted: CallInterrupted, the kernel never called', async () => {
    let called = 0;
    const k = kernel((a, b) => {
      called++;
      return dot(a, b);
    });
    await expect(call(k, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CallInterrupted);
    expect(called).toBe(0);
  });
  it('aborted while the kernel runs: CallInterrupted at once, not a timeout', async () => {
    const controller = new AbortController();
    const never = kernel(() => new Promise(() => undefined));
    const t0 = performance.now();
    const p = call(never, { signal: controller.signal }, 60_000);
    setTimeout(() => controller.abort(), 20);
    await expect(p).rejects.toThrowError(new CallInterrupted());
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
  it('a kernel that throws after the abort: CallInterrupted, not a threw fault', async () => {
    const controller = new AbortController();
    // synchronous: the throw is seen in the same turn as the abort
    const k = kernel(() => {
      controller.abort();
      throw new Error('cancelled');
    });
    await expect(call(k, { signal: controller.signal })).rejects.toBeInstanceOf(CallInterrupted);
  });
});

describe('GuardedKernel.call: timeouts', () => {
  it('a hang is confirmed once; later calls are cut and say where the hang was confirmed', async () => {
    const clock = new CallClock(50);
    clock.property = 'dense-matches-reference';
    const never = kernel(() => new Promise(() => undefined));
    const first = await fault(call(never, { clock }, 50));
    expect(first.message).toBe('dense() did not return within 50 ms, nor within 100 ms when run again to confirm the hang');
    clock.property = 'other';
    const later = await fault(call(never, { clock }, 50));
    expect(later.kind).toBe('timeout');
    expect(later.message).toBe(
      "dense() did not return within 50 ms (not run again: the kernel's hang was confirmed earlier in dense-matches-reference)",
    );
  });
  it('confirmed earlier outside any property: no "in …"', async () => {
    const clock = new CallClock(50);
    const never = kernel(() => new Promise(() => undefined));
    await fault(call(never, { clock }, 50));
    expect((await fault(call(never, { clock }, 50))).message).toBe(
      "dense() did not return within 50 ms (not run again: the kernel's hang was confirmed earlier)",
    );
  });
  it('a call that misses its limit and then throws when run again: the throw, not a timeout', async () => {
    let calls = 0;
    const k = kernel(() => {
      calls++;
      if (calls === 1) return new Promise(() => undefined);
      throw new Error('second call');
    });
    const f = await fault(call(k, { clock: new CallClock(50) }, 50));
    expect(f.kind).toBe('threw');
    expect(f.message).toBe('dense() threw Error: second call');
  });
});

describe('CallClock.shrinkStop', () => {
  it('the run’s budget, then a property’s quarter of it', () => {
    const clock = new CallClock(1000, 8000);
    expect(clock.shrinkStop(0)).toBeUndefined();
    expect(clock.shrinkStop(1999)).toBeUndefined();
    expect(clock.shrinkStop(2000)).toBe('this property had spent its share (2000 ms) of the budget for shrinking cases that time out');
    clock.addShrinkTime(8000);
    expect(clock.shrinkStop(0)).toBe('the run had spent its 8000 ms budget for shrinking cases that time out');
  });
  it('default budget: max(10 s, 2 × timeout)', () => {
    expect(new CallClock(1000).budgetMs).toBe(10_000);
    expect(new CallClock(7000).budgetMs).toBe(14_000);
  });
});
