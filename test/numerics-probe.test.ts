/**
 * The numerics probe and the data limits it sets (docs/numerics.md), on direct-loop kernels with
 * planted platform numerics: one that loses results below 2^−60 (a GPU flushing far above the
 * subnormal range), one whose sums are float16 while it promises float32, one that zeroes NaN
 * products (so Infinity·0 and NaN do not propagate). Each adapted run passes where the platform
 * allows it, the same run without the probe fails (so the adaptation is what makes the
 * difference), and a kernel outside its promise still fails: no bound is loosened.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../src/contract.js';
import { completeCapabilities } from '../src/capabilities.js';
import { exactRanges, problemData } from '../src/arbitraries/data.js';
import { floatShift, withDataLimits } from '../src/arbitraries/data-limits.js';
import { roundToFloat16 } from '../src/float16.js';
import { HtmlReportWriter } from '../src/reports/html.js';
import { JsonReportWriter } from '../src/reports/json.js';
import { JunitReportWriter } from '../src/reports/junit.js';
import { MarkdownReportWriter } from '../src/reports/markdown.js';
import { GuardedKernel } from '../src/runner/guarded-call.js';
import { probeNumerics } from '../src/runner/numerics-probe.js';
import { verifyKernel } from '../src/runner/verify.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { directConv } from './helpers/fast-conv.js';
import { propertyFailure } from '../src/runner/report.js';

const SEED = Number(process.env.CONVCHECK_SEED ?? 20261207);
const CONV = ['conv-matches-reference'];

/** A float32 direct conv whose every product and partial sum goes through `r` (rank 1 and 2 only, to keep it quick). */
function planted(name: string, r: (v: number) => number, capabilities: KernelUnderTest['capabilities'] = {}): KernelUnderTest {
  return {
    name,
    precision: 'float32',
    capabilities: { spatialRanks: [1, 2], ...capabilities },
    conv: (x, w, b, a) => directConv(x, w, b, a, r),
  };
}

/** Float32 arithmetic that loses every result below 2^−60 (replaced by 0). */
const flushBelow60 = planted('test:flush-below-2^-60', (v) => {
  const f = Math.fround(v);
  return Math.abs(f) < 2 ** -60 ? 0 : f;
});

const probe = (k: KernelUnderTest) =>
  probeNumerics(new GuardedKernel(k, 5000), completeCapabilities(k.capabilities), k.capabilities?.specialValues);

describe('the probe on an IEEE-754 float32 kernel (im2col)', () => {
  it('finds subnormals kept, NaN and ±Infinity propagating, integer sums exact to 2^24: no data limit', async () => {
    const p = await probe(im2colKernel);
    expect(p).toMatchObject({
      subnormalInputs: 'kept',
      subnormalProducts: 'kept',
      specialsPropagate: true,
      infTimesZero: 'NaN',
      specialDeviations: [],
      dataLimits: {},
      faults: [],
    });
    expect(p.exactSums).toMatchObject({ exactBits: 24, probedBits: 24, longSum: { exact: true } });
    expect(p.tinyProducts).not.toHaveProperty('largestLost');
    expect(p.specialRegime).toEqual({ runs: true });
  });

  it('without limits the data are what they always were (the same draws, the same values)', async () => {
    const layout = { xSize: 50, wSize: 40, bSize: 4, reductionLength: 10, specialWeights: true };
    for (const regime of ['exact', 'float', 'special'] as const) {
      for (let seed = 1; seed < 40; seed++) {
        const plain = problemData(layout, regime, seed);
        const limited = await withDataLimits({}, async () => problemData(layout, regime, seed));
        expect(Array.from(limited.x)).toEqual(Array.from(plain.x));
        expect(Array.from(limited.w)).toEqual(Array.from(plain.w));
      }
    }
  });
});

describe('a kernel that loses results below 2^−60', () => {
  it('the probe finds the limit, conservatively at the next product it computed right', async () => {
    const p = await probe(flushBelow60);
    expect(p.dataLimits.lostBelowExponent).toBeGreaterThanOrEqual(-60);
    expect(p.dataLimits.lostBelowExponent).toBeLessThanOrEqual(-50);
    expect(p.subnormalProducts).toBe('flushed to zero');
    expect(p.consequences.join(' ')).toMatch(/results below 2\^-\d+ may be lost/);
  });

  it('float data under the limit: every product granularity 2^(eₓ+e_w−46) ≥ 2^P, the tiny side raised first', async () => {
    expect(floatShift(-106, -6, { lostBelowExponent: -60 })).toEqual([98, 0]);
    expect(floatShift(-6, -106, { lostBelowExponent: -60 })).toEqual([0, 98]);
    expect(floatShift(-106, -6, {})).toEqual([0, 0]);
    expect(floatShift(-106, -6, { lostBelowExponent: -200 })).toEqual([0, 0]);
    // both sides at the same scale rise together
    const [dx, dw] = floatShift(-6, -6, { lostBelowExponent: 0 });
    expect(-6 + dx + (-6 + dw) - 46).toBeGreaterThanOrEqual(0);
    const exponent = (v: number) => Math.floor(Math.log2(Math.abs(v)));
    const lowest = (a: Float64Array) =>
      Math.min(
        ...Array.from(a)
          .filter((v) => v !== 0)
          .map(exponent),
      );
    const layout = { xSize: 30, wSize: 30, bSize: 3, reductionLength: 10, specialWeights: true };
    let raised = 0;
    for (let seed = 1; seed < 300; seed++) {
      const d = await withDataLimits({ lostBelowExponent: -60 }, async () => problemData(layout, 'float', seed));
      expect(lowest(d.x) + lowest(d.w) - 46, `seed ${seed}`).toBeGreaterThanOrEqual(-60);
      expect(lowest(d.b!) - 23).toBeGreaterThanOrEqual(-60);
      if (lowest(problemData(layout, 'float', seed).x) + lowest(problemData(layout, 'float', seed).w) - 46 < -60) raised++;
    }
    expect(raised).toBeGreaterThan(50); // the limit did change data, in a good share of the cases
  });

  it('passes conv-matches-reference with the probe, and fails it without (the float regime meets the flush)', async () => {
    const adapted = await verifyKernel(flushBelow60, { runs: 120, seed: SEED, properties: CONV });
    expect(adapted.properties[0].status, propertyFailure(adapted.properties[0])?.message).toBe('passed');
    const blind = await verifyKernel(flushBelow60, { runs: 120, seed: SEED, properties: CONV, probeNumerics: false });
    expect(blind.properties[0].status).toBe('failed');
    expect(propertyFailure(blind.properties[0])).toMatchObject({ kind: 'mismatch', regime: 'float' });
    expect(blind.platformNumerics).toBeUndefined();
  }, 120_000);

  it('a real bug on the same platform is still caught (the last tap dropped when the output is wider than 3)', async () => {
    const buggy: KernelUnderTest = {
      ...flushBelow60,
      name: 'test:flush-and-bug',
      conv: (x, w, b, a) => {
        const y = directConv(x, w, b, a, (v) => (Math.abs(Math.fround(v)) < 2 ** -60 ? 0 : Math.fround(v)));
        const last = y.shape[y.shape.length - 1];
        const data = Float32Array.from(y.data);
        if (last > 3) for (let i = last - 1; i < data.length; i += last) data[i] = 0;
        return { shape: y.shape, data };
      },
    };
    const r = await verifyKernel(buggy, { runs: 120, seed: SEED, properties: CONV });
    expect(r.properties[0].status).toBe('failed');
  }, 120_000);
});

describe('a kernel that promises float32 but sums in float16', () => {
  const halfSums = planted('test:float16-sums', (v) => roundToFloat16(v));

  it('the probe finds integer sums exact only to 2^11 and the exact regime keeps below it', async () => {
    const p = await probe(halfSums);
    expect(p.exactSums?.exactBits).toBe(11);
    expect(p.accumulation).toMatch(/narrower than float32/);
    expect(p.dataLimits.exactBits).toBe(11);
    const { xw, bias } = await withDataLimits(p.dataLimits, async () => exactRanges(100));
    expect(100 * xw * xw + bias).toBeLessThan(2 ** 11);
    expect(exactRanges(100).xw).toBe(8); // unlimited: the float32 range
  });

  it('still fails: the float regime is judged by the float32 bound it promised', async () => {
    const r = await verifyKernel(halfSums, { runs: 120, seed: SEED, properties: CONV });
    expect(r.properties[0].status).toBe('failed');
    expect(propertyFailure(r.properties[0])?.regime).toBe('float');
  }, 120_000);
});

describe('a kernel that zeroes NaN products (Infinity·0 and NaN vanish)', () => {
  const zeroNaN = (v: number) => (Number.isNaN(v) ? 0 : Math.fround(v));

  it('not declaring specialValues: the probe finds the deviations and the special regime is skipped, with the reason', async () => {
    const k = planted('test:nan-to-zero', zeroNaN);
    const r = await verifyKernel(k, { runs: 90, seed: SEED, properties: CONV });
    expect(r.properties[0].status).toBe('passed');
    expect(r.platformNumerics?.specialsPropagate).toBe(false);
    expect(r.platformNumerics?.infTimesZero).toBe('2'); // 1 + 1 + 0·Infinity: the NaN product vanished
    expect(r.platformNumerics?.specialRegime).toMatchObject({
      runs: false,
      reason: expect.stringMatching(/do not propagate as IEEE-754 says.*does not declare specialValues/),
    });
    const md = new MarkdownReportWriter().render(r);
    expect(md).toContain('## Platform numerics');
    expect(md).toMatch(/Special regime:\*\* skipped/);
    expect(new HtmlReportWriter().render(r)).toContain('<h2>Platform numerics</h2>');
    expect(new JunitReportWriter().render(r)).toMatch(/<property name="platform-numerics: Special regime" value="skipped: NaN/);
    expect(JSON.parse(new JsonReportWriter().render(r)).platformNumerics.specialRegime.runs).toBe(false);
  }, 120_000);

  it('declaring specialValues: true, the declaration is checked: the special regime runs and fails', async () => {
    const k = planted('test:nan-to-zero-declared', zeroNaN, { specialValues: true });
    const r = await verifyKernel(k, { runs: 90, seed: SEED, properties: CONV });
    expect(r.platformNumerics?.specialRegime).toEqual({ runs: true });
    expect(r.platformNumerics?.consequences.join(' ')).toMatch(/declares specialValues: true but the probe found/);
    expect(r.properties[0].status).toBe('failed');
    expect(propertyFailure(r.properties[0])?.regime).toBe('special');
  }, 120_000);
});

describe('a buggy kernel is not mistaken for platform numerics', () => {
  it('zeroing every other output: the controls of every probe fail, no data limit is set, the special regime still runs, and the bug is caught', async () => {
    const k = planted('test:odd-outputs-zero', Math.fround);
    const buggy: KernelUnderTest = {
      ...k,
      name: 'test:odd-outputs-zero',
      conv: (x, w, b, a) => {
        const y = k.conv!(x, w, b, a) as { shape: number[]; data: Float32Array };
        return { shape: y.shape, data: y.data.map((v, i) => (i % 2 === 1 ? 0 : v)) };
      },
    };
    const r = await verifyKernel(buggy, { runs: 30, seed: SEED, properties: CONV });
    const p = r.platformNumerics!;
    expect(p.defects).toHaveLength(3);
    expect(p.defects.join(' ')).toMatch(
      /tiny products: a product of .* came out wrong.*special values: the finite control 1 \+ 1 gave 0.*integer sums: the sum 255/,
    );
    expect(p.dataLimits).toEqual({});
    expect(p.specialRegime).toEqual({ runs: true });
    expect(r.properties[0].status).toBe('failed');
  });
});

describe('a kernel that misbehaves in the probe', () => {
  it('never answers: the first probe call times out and the other probes are not attempted', async () => {
    const k: KernelUnderTest = { name: 'test:hangs', precision: 'float32', conv: () => new Promise(() => {}) };
    const p = await probeNumerics(new GuardedKernel(k, 200), completeCapabilities(k.capabilities), undefined);
    expect(p.faults).toHaveLength(1);
    expect(p.faults[0]).toMatch(/^tiny products: .*did not return within/);
    expect(p.probedWith).toEqual([]);
    expect(p.dataLimits).toEqual({});
  });

  it('throws on every call: the probe records faults, the run fails the property with a counterexample', async () => {
    const k: KernelUnderTest = {
      name: 'test:throws',
      precision: 'float32',
      conv: () => {
        throw new Error('no');
      },
    };
    const r = await verifyKernel(k, { runs: 5, seed: SEED, properties: CONV });
    expect(r.platformNumerics?.faults.length).toBe(3);
    expect(r.platformNumerics?.faults[0]).toMatch(/tiny products: .*threw/);
    expect(r.platformNumerics?.dataLimits).toEqual({});
    expect(r.properties[0]).toMatchObject({ status: 'failed', failure: { kind: 'threw' } });
  });
});
