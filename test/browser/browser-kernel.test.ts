/**
 * Kernels in a real headless Chromium page (`createBrowserKernel`): loading TypeScript with npm
 * imports and files fetched next to the module, the hand-written WebGPU kernel and its planted
 * bugs, and failures that must not hang the run: a hung call, a lost WebGL context, a crashed page.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/contract.js';
import { createBrowserKernel, type BrowserKernel } from '../../src/browser/browser-kernel.js';
import { KernelLoadError } from '../../src/errors.js';
import { KernelFault } from '../../src/vocabulary.js';
import { verifyKernel } from '../../src/runner/verify.js';
import { propertyFailure } from '../../src/runner/report.js';

const attrs1 = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
const t = (values: number[]): Tensor => ({ shape: [1, 1, values.length], data: new Float32Array(values) });
const one = t([1]);

async function withKernel<T>(spec: string, body: (k: BrowserKernel) => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const k = await createBrowserKernel(spec, { timeoutMs });
  try {
    return await body(k);
  } finally {
    await k.close();
  }
}

describe('createBrowserKernel', () => {
  it('bundles a TypeScript module with an npm import; a file fetched relative to import.meta.url loads; the page is cross-origin isolated', async () => {
    await withKernel('test/fixtures/browser/with-shader-file.ts', async (k) => {
      expect(k.name).toBe('scaled-identity (fast-check bundled, crossOriginIsolated=true)');
      const y = await k.conv!(t([1, 2, -0.5]), one, undefined, attrs1);
      expect(Array.from(y.data)).toEqual([3, 6, -1.5]);
      expect(y.data).toBeInstanceOf(Float32Array);
    });
  });

  it('a module that does not bundle is a KernelLoadError naming the file and the line', async () => {
    const e = await createBrowserKernel('test/fixtures/browser/does-not-exist.ts', { timeoutMs: 1000 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KernelLoadError);
    expect((e as Error).message).toMatch(/does-not-exist.ts: file not found/);
  });

  it('a hung call times out, the browser is replaced, and the next call answers in a fresh page', async () => {
    await withKernel(
      'test/fixtures/browser/misbehaving.mjs',
      async (k) => {
        const started = Date.now();
        await expect(k.conv!(t([999]), one, undefined, attrs1)).rejects.toThrow(/did not return within 1500 ms/);
        expect(Date.now() - started).toBeLessThan(5000);
        const y = await k.conv!(t([4, 5]), one, undefined, attrs1);
        expect(Array.from(y.data)).toEqual([4, 5]);
        expect(k.stats.timeouts).toBe(1);
        expect(k.stats.browsersLaunched).toBe(2);
        expect(k.stats.pagesOpened).toBe(2);
      },
      1500,
    );
  });

  it('a lost WebGL context is a device-lost fault, then a fresh page', async () => {
    await withKernel('test/fixtures/browser/misbehaving.mjs', async (k) => {
      const e = await Promise.resolve(k.conv!(t([777]), one, undefined, attrs1)).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(KernelFault);
      expect((e as KernelFault).kind).toBe('device-lost');
      expect((e as Error).message).toMatch(/WebGL context lost/);
      expect(Array.from((await k.conv!(t([2]), one, undefined, attrs1)).data)).toEqual([2]);
      expect(k.stats.devicesLost).toBe(1);
      expect(k.stats.pagesOpened).toBe(2);
    });
  });

  it('a page that crashes during a call is a page-crash fault, then a fresh page', async () => {
    const pages: Array<import('playwright-core').Page> = [];
    const k = await createBrowserKernel('test/fixtures/browser/misbehaving.mjs', { timeoutMs: 20_000, onPage: (p) => pages.push(p) });
    try {
      const call = Promise.resolve(k.conv!(t([555]), one, undefined, attrs1)).catch((err: unknown) => err);
      await new Promise((r) => setTimeout(r, 500));
      const cdp = await pages[0].context().newCDPSession(pages[0]);
      void cdp.send('Page.crash').catch(() => undefined);
      const e = await call;
      expect(e).toBeInstanceOf(KernelFault);
      expect((e as KernelFault).kind).toBe('page-crash');
      expect(Array.from((await k.conv!(t([6]), one, undefined, attrs1)).data)).toEqual([6]);
      expect(k.stats.crashes).toBe(1);
    } finally {
      await k.close();
    }
  });
});

describe('hand-written WebGPU kernel (examples/browser)', () => {
  const properties = ['conv-matches-reference', 'dense-matches-reference', 'explicit-padding', 'deterministic'];

  it('the correct kernel passes', async () => {
    await withKernel('examples/browser/webgpu-conv.ts', async (k) => {
      const report = await verifyKernel(k, { runs: 25, seed: 5, properties, shapeBudget: 4, timeoutMs: 20_000 });
      expect(report.properties.map((p) => [p.id, p.status, propertyFailure(p)?.message])).toEqual(
        properties.map((id) => [id, 'passed', undefined]),
      );
    });
  });

  it.each([
    ['dropped-tail', 'examples/browser/webgpu-conv-dropped-tail.ts'],
    ['stale-read', 'examples/browser/webgpu-conv-stale-read.ts'],
  ])('the planted %s bug fails with a small counterexample', async (_bug, file) => {
    await withKernel(file, async (k) => {
      const report = await verifyKernel(k, {
        runs: 25,
        seed: 5,
        properties: ['conv-matches-reference'],
        shapeBudget: 4,
        timeoutMs: 20_000,
      });
      const f = propertyFailure(report.properties[0]);
      expect(report.status).toBe('failed');
      expect(f?.kind).toBe('mismatch');
      // shrunk: a handful of elements, not the large shapes of the run
      const xShape = JSON.parse(/x=(\[[\d,]+\])/.exec(f!.problem)![1]) as number[];
      expect(xShape.reduce((a, b) => a * b, 1)).toBeLessThanOrEqual(8);
    });
  });

  // The narrow bugs in the shader (conv.wgsl's BUG): each shows only where two parameter classes
  // meet; at the browser's default budget the plan's shapes catch every one, with a small case.
  // (test/arbitraries/shape-plan.test.ts runs the same algorithm and bugs in Node on seeds 1–3.)
  it.each([['vec4-tail'], ['stride3-even-kernel'], ['reduction-remainder'], ['groups-batch'], ['depthwise-dilated'], ['asym-pad-bias']])(
    'the planted narrow %s bug is caught by the shape plan at 100 cases, 6 shapes per property',
    async (bug) => {
      await withKernel(`examples/browser/webgpu-conv-${bug}.ts`, async (k) => {
        const report = await verifyKernel(k, {
          runs: 100,
          seed: 1,
          properties: ['conv-matches-reference'],
          shapeBudget: 6,
          timeoutMs: 20_000,
          shrinkBudgetMs: 10_000,
        });
        const f = propertyFailure(report.properties[0]);
        expect(report.shapePlan?.mode).toBe('all');
        expect(f?.kind).toBe('mismatch');
        const xShape = JSON.parse(/x=(\[[\d,]+\])/.exec(f!.problem)![1]) as number[];
        expect(
          xShape.reduce((a, b) => a * b, 1),
          f!.problem,
        ).toBeLessThanOrEqual(80);
      });
    },
  );
});
