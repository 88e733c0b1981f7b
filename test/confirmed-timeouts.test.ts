/**
 * A timeout is confirmed before it is a failure: a call that runs past its limit is run once more
 * with twice the time; one that then returns was slow (a busy machine), not hung — a note, not a
 * failure. One that does not return is a `timeout` failure saying so, and from then on the
 * kernel is known to hang (later calls are cut, not confirmed).
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import type { ConvAttributes } from '../src/operators/conv/contract.js';
import { verifyKernel } from '../src/runner/verify.js';
import { propertyFailure } from '../src/runner/report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** im2col whose first `slowCalls` conv calls take `ms` before answering (correctly). */
function slowAtFirst(slowCalls: number, ms: number): KernelUnderTest {
  let n = 0;
  return {
    name: 'slow at first',
    precision: 'float32',
    async conv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes) {
      if (n++ < slowCalls) await sleep(ms);
      return im2colKernel.conv!(x, w, b, attrs);
    },
  };
}

describe('confirmed timeouts', () => {
  it('a call 1.5× over its limit is run again with twice the time: slow, noted, the property passes', async () => {
    // the first call misses 400 ms (600 ms), its confirming run (the second call) is slow too but within 800 ms
    // no numerics probe: its calls would be the slow first ones (docs/numerics.md)
    const report = await verifyKernel(slowAtFirst(2, 600), {
      seed: 1,
      runs: 20,
      timeoutMs: 400,
      properties: ['conv-matches-reference'],
      probeNumerics: false,
    });
    const p = report.properties[0];
    expect(p.status).toBe('passed');
    expect(p.casesRun).toBe(20);
    expect(p.notes?.find((n) => n.startsWith('1 call ran past 400 ms but returned when run again with twice the time'))).toMatch(
      /slow, not hung/,
    );
  }, 30_000);

  it('a call that never returns is a timeout failure once its confirming run times out too', async () => {
    const single = await verifyKernel(slowAtFirst(Number.POSITIVE_INFINITY, 1e9), {
      seed: 1,
      runs: 1,
      timeoutMs: 200,
      properties: ['output-shape'],
      shrinkBudgetMs: 0,
    });
    expect(propertyFailure(single.properties[0])?.message).toMatch(
      /did not return within 200 ms, nor within 400 ms when run again to confirm the hang/,
    );
    const report = await verifyKernel(slowAtFirst(Number.POSITIVE_INFINITY, 1e9), {
      seed: 1,
      runs: 5,
      timeoutMs: 200,
      properties: ['conv-matches-reference'],
      shrinkBudgetMs: 1000,
    });
    const p = report.properties[0];
    expect(p.status).toBe('failed');
    expect(propertyFailure(p)?.kind).toBe('timeout');
    // the first timeout was confirmed; the shrunk case's calls came after it and say so
    expect(propertyFailure(p)?.message).toMatch(
      /did not return within 200 ms \(not run again: the kernel's hang was confirmed earlier in conv-matches-reference\)/,
    );
  }, 30_000);
});
