/**
 * An isolated kernel (src/runner/isolated-kernel.ts) under the guard, in process: a call that hangs
 * is abandoned (its process killed, a replacement started), confirmed with a longer limit on the
 * replacement, and the next call answers from a fresh process; an abort abandons the call without
 * a replacement. Fixture: test/fixtures/kernels/hangs-above-2000.mjs (spins when x has > 2000 elements).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallClock, CallInterrupted, GuardedKernel } from '../../src/runner/guarded-call.js';
import { KernelFault } from '../../src/vocabulary.js';
import { createIsolatedKernel } from '../../src/runner/isolated-kernel.js';
import type { IsolatedKernel } from '../../src/runner/remote-kernel.js';
import type { Data64 } from '../../src/vocabulary.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'kernels', 'hangs-above-2000.mjs');
let kernel: IsolatedKernel;
beforeAll(async () => {
  kernel = await createIsolatedKernel(FIXTURE, { timeoutMs: 60_000, onOutput: () => undefined });
}, 120_000);
afterAll(async () => {
  await kernel.close();
});

const dense = (k: number): ReadonlyArray<readonly [string, Data64 | undefined]> => [
  ['x', { shape: [1, k], data: new Float64Array(k).fill(1) }],
  ['w', { shape: [1, k], data: new Float64Array(k).fill(2) }],
  ['b', undefined],
];

describe('isolated kernel under the guard: dense x=[1,2001] hangs, x=[1,3] does not', () => {
  it('the hang is abandoned, confirmed at twice the limit on a fresh process, and the next call answers', async () => {
    const guard = new GuardedKernel(kernel, 1000, { clock: new CallClock(1000) });
    const t0 = performance.now();
    let fault: unknown;
    try {
      await guard.call('dense', dense(2001), undefined, [1, 1]);
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(KernelFault);
    expect((fault as KernelFault).kind).toBe('timeout');
    expect((fault as Error).message).toBe('dense() did not return within 1000 ms, nor within 2000 ms when run again to confirm the hang');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2900);
    expect(await guard.call('dense', dense(3), undefined, [1, 1])).toEqual(Float64Array.of(6));
  }, 60_000);
  it('an abort while it hangs: CallInterrupted at once, and the kernel still answers afterwards', async () => {
    const controller = new AbortController();
    const guard = new GuardedKernel(kernel, 30_000, { signal: controller.signal });
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 300);
    await expect(guard.call('dense', dense(2001), undefined, [1, 1])).rejects.toBeInstanceOf(CallInterrupted);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const after = new GuardedKernel(kernel, 30_000);
    expect(await after.call('dense', dense(2), undefined, [1, 1])).toEqual(Float64Array.of(4));
  }, 60_000);
});
