/**
 * Planted activation bugs: the im2col kernel with one classic fused-activation bug each. The
 * catalog (`fused-activation`, and `worked-example-relu` for relu) must catch every one with a
 * shrunk, replayable counterexample; the unmutated kernel passes the same properties.
 */
import { describe, expect, it } from 'vitest';
import type { Activation } from '../src/activation.js';
import { applyActivation } from '../src/activation.js';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import type { ConvAttributes } from '../src/operators/conv/contract.js';
import { verifyKernel } from '../src/runner/verify.js';
import { sizeOf } from '../src/tensor.js';
import { propertyFailure, propertyReason } from '../src/runner/report.js';

const SEED = Number(process.env.CONVCHECK_SEED ?? 20261201);
const conv = im2colKernel.conv!;
const dense = im2colKernel.dense!;

/** im2col whose fused conv applies `act(y, unfused, activation, b)` instead of the activation after the bias. */
function mutant(
  name: string,
  kinds: Activation['kind'][],
  act: (x: Tensor, w: Tensor, b: Tensor | undefined, a: ConvAttributes) => Promise<Tensor> | Tensor,
): KernelUnderTest {
  return {
    name: `mutant:${name}`,
    precision: 'float32',
    capabilities: { activations: kinds },
    conv: (x, w, b, a) => (a.activation === undefined ? conv(x, w, b, a) : act(x, w, b, a)),
    dense,
  };
}

const mapped = (y: Tensor, f: (v: number, i: number) => number): Tensor => ({ shape: y.shape, data: Float32Array.from(y.data, f) });

const mutants: Array<{ kernel: KernelUnderTest; props: string[] }> = [
  {
    // φ(Σ w·x) + b: the bias added after the activation
    kernel: mutant('activation-before-bias', ['relu', 'relu6', 'clip', 'leakyRelu'], async (x, w, b, a) => {
      const y = await conv(x, w, undefined, { ...a, activation: undefined });
      const per = sizeOf(y.shape.slice(2));
      const M = y.shape[1];
      return mapped(y, (v, i) => applyActivation(a.activation, v) + (b ? b.data[Math.floor(i / per) % M] : 0));
    }),
    props: ['fused-activation', 'worked-example-relu'],
  },
  {
    // leakyRelu with the slope on the positive side: v ≥ 0 ? α·v : v
    kernel: mutant('leaky-slope-positive-side', ['leakyRelu'], async (x, w, b, a) => {
      const y = await conv(x, w, b, { ...a, activation: undefined });
      const alpha = a.activation?.kind === 'leakyRelu' ? a.activation.alpha : 1;
      return mapped(y, (v) => (v >= 0 ? alpha * v : v));
    }),
    props: ['fused-activation'],
  },
  {
    // clip with min and max swapped: clamp(v, max, min)
    kernel: mutant('clip-bounds-swapped', ['clip'], async (x, w, b, a) => {
      const y = await conv(x, w, b, { ...a, activation: undefined });
      const c = a.activation?.kind === 'clip' ? a.activation : { min: 0, max: 0 };
      return mapped(y, (v) => (v < c.max ? c.max : v > c.min ? c.min : v));
    }),
    props: ['fused-activation'],
  },
  {
    // relu6 clamped at 6 only from above (relu forgotten): min(v, 6)
    kernel: mutant('relu6-without-relu', ['relu6'], async (x, w, b, a) => {
      const y = await conv(x, w, b, { ...a, activation: undefined });
      return mapped(y, (v) => Math.min(v, 6));
    }),
    props: ['fused-activation'],
  },
  {
    // sigmoid as tanh-based 0.5·(1 + tanh(v)) — the factor ½ inside tanh forgotten
    kernel: mutant('sigmoid-wrong-identity', ['sigmoid'], async (x, w, b, a) => {
      const y = await conv(x, w, b, { ...a, activation: undefined });
      return mapped(y, (v) => 0.5 * (1 + Math.tanh(v)));
    }),
    props: ['fused-activation'],
  },
];

describe('planted activation bugs are caught', () => {
  for (const { kernel, props } of mutants) {
    for (const id of props) {
      it(`${kernel.name} fails ${id} with a counterexample`, async () => {
        const report = await verifyKernel(kernel, { runs: 200, seed: SEED, properties: [id], shrinkBudgetMs: 2000 });
        const r = report.properties[0];
        expect(r.status, `${kernel.name} should fail ${id}`).toBe('failed');
        expect(propertyFailure(r)?.kind).toBe('mismatch');
        expect(propertyFailure(r)?.problem).toMatch(/activation=/);
      });
    }
  }

  it('the unmutated kernel with every kind passes both properties', async () => {
    const report = await verifyKernel(im2colKernel, { runs: 300, seed: SEED, properties: ['fused-activation', 'worked-example-relu'] });
    expect(report.properties.map((p) => [p.id, p.status, p.casesRun])).toEqual([
      ['worked-example-relu', 'passed', 300],
      ['fused-activation', 'passed', 300],
    ]);
  });

  it('a kernel that declares no activations skips them, with the reason', async () => {
    const k: KernelUnderTest = { name: 'no-act', precision: 'float32', conv, dense };
    const report = await verifyKernel(k, { runs: 5, seed: SEED, properties: ['fused-activation', 'worked-example-relu'] });
    expect(report.properties.map((p) => p.status)).toEqual(['skipped', 'skipped']);
    expect(propertyReason(report.properties[1])).toMatch(/capabilities\.activations/);
  });

  it('a kernel is only handed the kinds it declares', async () => {
    const seen = new Set<string>();
    const k: KernelUnderTest = {
      name: 'relu-only',
      precision: 'float32',
      capabilities: { activations: ['relu'] },
      conv: (x, w, b, a) => (a.activation && seen.add(a.activation.kind), im2colKernel.conv!(x, w, b, a)),
      dense: (x, w, b, a) => (a?.activation && seen.add(a.activation.kind), im2colKernel.dense!(x, w, b, a)),
    };
    const report = await verifyKernel(k, { runs: 100, seed: SEED, properties: ['fused-activation'] });
    expect(report.properties[0].status).toBe('passed');
    expect([...seen]).toEqual(['relu']);
  });
});
