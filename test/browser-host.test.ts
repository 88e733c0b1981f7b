/** The Node side of the browser runtime without a browser: the wire format, Chromium discovery, the shape budget. */
import fc from 'fast-check';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, playwrightCacheCandidates } from '../src/browser/find-chromium.js';
import { decodeMessage, encodeMessage } from '../src/browser/wire.js';
import { BrowserNotFoundError } from '../src/errors.js';
import { createBuiltinKernel } from '../src/kernels/registry.js';
import { countingShapes, reseed, withShapeBudget } from '../src/runner/shape-budget.js';
import { verifyKernel } from '../src/runner/verify.js';
import type { ConvAttributes, KernelUnderTest, Tensor } from '../src/index.js';
import { propertyFailure } from '../src/runner/report.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-browser-host-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('wire format', () => {
  it('round-trips a request with typed arrays, special numbers and an absent bias', () => {
    const x = new Float32Array([1, Number.NaN, Number.POSITIVE_INFINITY, -0]);
    const w = new Float64Array([0.1, -2.5e-300, Number.NEGATIVE_INFINITY]);
    const m = {
      id: 7,
      op: 'conv',
      inputs: [{ shape: [1, 1, 4], data: x }, { shape: [1, 1, 3], data: w }, undefined],
      attrs: { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
      z: -0,
      n: Number.NaN,
    };
    const back = decodeMessage(encodeMessage(m)) as typeof m;
    expect(back.id).toBe(7);
    expect(back.inputs).toHaveLength(3);
    expect(back.inputs[2]).toBeUndefined();
    const bx = (back.inputs[0] as { data: Float32Array }).data;
    const bw = (back.inputs[1] as { data: Float64Array }).data;
    expect(bx).toBeInstanceOf(Float32Array);
    expect(bw).toBeInstanceOf(Float64Array);
    expect(new Uint8Array(bx.buffer)).toEqual(new Uint8Array(x.buffer)); // bit for bit (-0, NaN)
    expect(Array.from(bw)).toEqual(Array.from(w));
    expect(Object.is(back.z, -0)).toBe(true);
    expect(back.n).toBeNaN();
    expect(back.attrs).toEqual(m.attrs);
  });

  it('sends typed arrays as raw bytes: a 1 MiB Float32Array costs 1 MiB plus a small header', () => {
    const data = new Float32Array(262_144).map((_, i) => i * 0.5);
    const bytes = encodeMessage({ y: { shape: [data.length], data } });
    expect(bytes.byteLength).toBeGreaterThanOrEqual(data.byteLength);
    expect(bytes.byteLength).toBeLessThan(data.byteLength + 256);
    const back = (decodeMessage(bytes) as { y: { data: Float32Array } }).y.data;
    expect(Buffer.from(back.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it('copies a view out of a larger buffer (only its elements) and rejects a truncated message', () => {
    const big = new Float64Array(100).map((_, i) => i);
    const view = big.subarray(10, 13);
    const bytes = encodeMessage([view]);
    expect((decodeMessage(bytes) as Float64Array[])[0]).toEqual(new Float64Array([10, 11, 12]));
    expect(() => decodeMessage(bytes.subarray(0, bytes.byteLength - 8))).toThrow(/overruns the message/);
    expect(() => decodeMessage(new Uint8Array(2))).toThrow(/too short/);
  });
});

describe('findChromium', () => {
  it('CONVCHECK_CHROMIUM wins, and one that points nowhere is an error naming it and how to get a browser', async () => {
    const exe = join(dir, 'my-chromium');
    await writeFile(exe, '#!/bin/sh\n');
    await chmod(exe, 0o755);
    expect(findChromium({ CONVCHECK_CHROMIUM: exe }, [])).toBe(exe);
    const e = (() => {
      try {
        return findChromium({ CONVCHECK_CHROMIUM: join(dir, 'missing') }, []);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(BrowserNotFoundError);
    expect((e as BrowserNotFoundError).code).toBe('ERR_BROWSER_NOT_FOUND');
    expect((e as Error).message).toMatch(
      /CONVCHECK_CHROMIUM=.*missing is not an executable file; install one with `apt-get install chromium`.*npx playwright install chromium/,
    );
  });

  it('falls back to the newest build in the Playwright cache, and to an error when there is none', async () => {
    const cache = join(dir, 'ms-playwright');
    for (const build of ['chromium-1100', 'chromium-1200']) {
      await mkdir(join(cache, build, 'chrome-linux64'), { recursive: true });
      await writeFile(join(cache, build, 'chrome-linux64', 'chrome'), '#!/bin/sh\n');
      await chmod(join(cache, build, 'chrome-linux64', 'chrome'), 0o755);
    }
    expect(playwrightCacheCandidates(cache)[0]).toContain('chromium-1200');
    expect(findChromium({ PLAYWRIGHT_BROWSERS_PATH: cache }, [])).toBe(join(cache, 'chromium-1200', 'chrome-linux64', 'chrome'));
    expect(() => findChromium({ PLAYWRIGHT_BROWSERS_PATH: join(dir, 'empty') }, [join(dir, 'no-chromium')])).toThrow(
      /no Chromium found \(looked at CONVCHECK_CHROMIUM, .*no-chromium, .*empty\); install one with `apt-get install chromium`/,
    );
  });
});

describe('shape budget', () => {
  const arb = fc.record({
    spec: fc.record({ xShape: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 4 }) }),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
    seed2: fc.nat(),
  });

  it('reseed replaces every seed* field (nested too) and nothing else', () => {
    const c = { spec: { xShape: [1, 2], seed: 5 }, seed: 3, seed2: 4, seeds: 9, regime: 'float' };
    const r = reseed(c, 12345);
    expect(r.spec.xShape).toEqual([1, 2]);
    expect(r.regime).toBe('float');
    expect(r.seeds).toBe(9);
    expect([r.seed, r.seed2, r.spec.seed]).not.toContain(3);
    expect(r.seed).not.toBe(r.seed2);
    expect(reseed(c, 12345)).toEqual(r);
    expect(reseed(c, 12346).seed).not.toBe(r.seed);
  });

  it('draws at most `budget` shapes per run, each later case with fresh data seeds', () => {
    const samples = fc.sample(withShapeBudget(arb, 3), { numRuns: 60, seed: 42 });
    const shapes = new Set(samples.map((s) => JSON.stringify(s.spec)));
    expect(shapes.size).toBeLessThanOrEqual(3);
    expect(new Set(samples.map((s) => s.seed)).size).toBeGreaterThan(30);
  });

  it('shrinks a failing re-used case to a smaller shape, keeping its fresh data', () => {
    const out = fc.check(
      fc.property(withShapeBudget(arb, 2), (c) => c.spec.xShape.reduce((a, b) => a + b, 0) < 20),
      { seed: 7, numRuns: 100 },
    );
    expect(out.failed).toBe(true);
    const ce = out.counterexample![0];
    expect(ce.spec.xShape.reduce((a, b) => a + b, 0)).toBe(20); // shrunk to the boundary
  });

  it('verifyKernel with a budget exercises at most budget × calls-per-case shapes, and counts them', async () => {
    const k = await createBuiltinKernel('builtin:im2col');
    // the budget alone (with the shape plan, single-call properties walk the plan: test/shape-plan.test.ts)
    const report = await verifyKernel(k, {
      runs: 40,
      seed: 3,
      properties: ['conv-matches-reference', 'linearity-in-x'],
      shapeBudget: 4,
      shapePlan: 'off',
    });
    expect(report.status).toBe('passed');
    expect(report.options.shapeBudget).toBe(4);
    const [ref, lin] = report.properties;
    expect(ref.casesRun).toBe(40);
    expect(ref.distinctShapes).toBeGreaterThanOrEqual(1);
    expect(ref.distinctShapes).toBeLessThanOrEqual(4);
    expect(lin.distinctShapes).toBeLessThanOrEqual(4);
    const free = await verifyKernel(k, { runs: 40, seed: 3, properties: ['conv-matches-reference'] });
    expect(free.properties[0].distinctShapes).toBeGreaterThan(ref.distinctShapes!);
  });

  it('a planted bug still fails, shrunk, under a budget', async () => {
    const good = await createBuiltinKernel('builtin:im2col');
    const buggy: KernelUnderTest = {
      name: 'drops-last-output',
      precision: 'float32',
      async conv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes) {
        const y = await good.conv!(x, w, b, attrs);
        const data = y.data.slice();
        if (data.length > 3) data[data.length - 1] = 0; // an un-written tail element
        return { shape: y.shape, data };
      },
    };
    const report = await verifyKernel(buggy, { runs: 60, seed: 11, properties: ['conv-matches-reference'], shapeBudget: 3 });
    const f = propertyFailure(report.properties[0]);
    expect(report.status).toBe('failed');
    expect(f?.kind).toBe('mismatch');
    expect(f?.problem).toMatch(/regime=/);
  });

  it("countingShapes keeps the kernel's name, precision and methods and records each call signature", async () => {
    const k = await createBuiltinKernel('builtin:im2col');
    const seen = new Set<string>();
    const c = countingShapes(k, seen);
    expect([c.name, c.precision, typeof c.conv, typeof c.dense]).toEqual([k.name, k.precision, 'function', 'function']);
    // whatever else the kernel declares (its numerics, say) is kept
    const declared = { ...k, numerics: { accumulation: 'float32' } } as unknown as typeof k;
    expect((countingShapes(declared, new Set()) as unknown as { numerics: unknown }).numerics).toEqual({ accumulation: 'float32' });
    const x = { shape: [1, 1, 3], data: new Float32Array(3) };
    const w = { shape: [1, 1, 2], data: new Float32Array(2) };
    const attrs = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
    await c.conv!(x, w, undefined, attrs);
    await c.conv!(x, w, undefined, attrs);
    await c.conv!(x, w, undefined, { ...attrs, pads: [1, 0] });
    expect(seen.size).toBe(2);
  });
});

describe('convcheck verify --browser without a Chromium', () => {
  it.each([[['verify', '--kernel', 'tfjs:webgl']], [['verify', '--kernel', 'examples/browser/webgpu-conv.ts', '--browser']]])(
    '%j exits 2 with one line saying how to get one',
    async (argv) => {
      const { main } = await import('../src/cli/main.js');
      let out = '';
      let err = '';
      const code = await main(argv, {
        stdout: { write: (t: string) => ((out += t), true) },
        stderr: { write: (t: string) => ((err += t), true), isTTY: false, columns: 100 },
        env: { CONVCHECK_CHROMIUM: join(dir, 'no-such-chromium') },
      });
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(
        /^convcheck: CONVCHECK_CHROMIUM=.*no-such-chromium is not an executable file; install one with `apt-get install chromium` \(Debian\/Ubuntu\) or `npx playwright install chromium`/,
      );
    },
  );
});
