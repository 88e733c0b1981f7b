/**
 * The numerics probe asks the kernel for matrix products through whichever operator it has —
 * conv, else dense, else convTranspose (src/runner/numerics-probe.ts): through each, the same
 * correct float32 kernel (im2col) gives the same findings, and a planted flush is found through each.
 */
import { describe, expect, it } from 'vitest';
import { completeCapabilities } from '../../src/capabilities.js';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { GuardedKernel } from '../../src/runner/guarded-call.js';
import { probeNumerics } from '../../src/runner/numerics-probe.js';

const probe = (k: KernelUnderTest) =>
  probeNumerics(new GuardedKernel(k, 5000), completeCapabilities(k.capabilities), k.capabilities?.specialValues);

/** im2col with only one operator. */
const only = (op: 'dense' | 'convTranspose', post: (y: Tensor) => Tensor = (y) => y): KernelUnderTest => ({
  name: `test:${op}-only`,
  precision: 'float32',
  [op]: (...a: unknown[]) => post((im2colKernel[op] as (...b: unknown[]) => Tensor)(...a)),
});

/** The findings, without the calls that found them and the time it took. */
const findings = (p: Awaited<ReturnType<typeof probe>>) => {
  const { durationMs: _d, probedWith: _p, ...rest } = p as typeof p & { durationMs?: number };
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === 'call' || k === 'durationMs' ? undefined : v)));
};

describe('probeNumerics through dense and through convTranspose', () => {
  it('im2col through dense only and convTranspose only: the findings of im2col through conv', async () => {
    const viaConv = await probe(im2colKernel);
    const viaDense = await probe(only('dense'));
    const viaTranspose = await probe(only('convTranspose'));
    expect(viaDense.faults).toEqual([]);
    expect(viaTranspose.faults).toEqual([]);
    expect(findings(viaDense)).toEqual(findings(viaConv));
    expect(findings(viaTranspose)).toEqual(findings(viaConv));
    expect(JSON.stringify(viaDense)).toMatch(/dense x=\[\d+,\d+\] w=\[\d+,\d+\]/);
    expect(JSON.stringify(viaTranspose)).toMatch(/convTranspose x=\[\d+,\d+,1\] w=\[\d+,\d+,1\]/);
  });
  it('a dense kernel whose results below 2^−60 are lost: found, as through conv', async () => {
    const flush = (y: Tensor): Tensor => ({ ...y, data: y.data.map((v) => (Math.abs(v) < 2 ** -60 ? 0 : v)) as Tensor['data'] });
    const p = await probe(only('dense', flush));
    expect(p.subnormalProducts).toBe('flushed to zero');
    expect(p.dataLimits.lostBelowExponent).toBeGreaterThanOrEqual(-60);
    expect(p.dataLimits.lostBelowExponent).toBeLessThanOrEqual(-50);
  });
});
