/**
 * The fast judge (plain float64, `kernels/fast-reference.ts`) is sound for float32 kernels:
 * it agrees with the compensated reference within its own error bound on every generated problem
 * and regime (exactly on exact and special data), its bound is ≥ 2²⁹ below a float32 kernel's,
 * and kernels with planted precision bugs still fail under it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convProblem, largestTensor } from '../src/operators/conv/problem.js';
import { denseProblem } from '../src/operators/dense/problem.js';
import { elementBound } from '../src/bound/error-bound.js';
import { convTensors } from '../src/operators/conv/cases.js';
import { denseTensors } from '../src/operators/dense/cases.js';
import type { ConvCase } from '../src/operators/conv/cases.js';
import type { DenseCase } from '../src/operators/dense/cases.js';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import { fastReferenceConv, fastReferenceDense, judgeError, trustedConv } from '../src/kernels/fast-reference.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import type { ReferenceResult } from '../src/kernels/reference.js';
import { referenceConv, referenceDense } from '../src/kernels/reference.js';
import type { Regime } from '../src/runner/report.js';
import { verifyKernel } from '../src/runner/verify.js';

const SEED = Number(process.env.CONVCHECK_SEED ?? 20261201);
const REGIMES: Regime[] = ['exact', 'float', 'special'];

/** Every element: exact/special regimes bit-for-bit (NaN meets NaN); float within both references' own bounds. */
function expectAgreement(fast: ReferenceResult, comp: ReferenceResult, regime: Regime): void {
  expect(fast.output.shape).toEqual(comp.output.shape);
  expect(fast.termCount).toBe(comp.termCount);
  const f = fast.output.data;
  const c = comp.output.data;
  const bad: string[] = [];
  for (let i = 0; i < c.length && bad.length < 5; i++) {
    if (regime !== 'float') {
      if (!(Object.is(f[i], c[i]) || f[i] === c[i] || (Number.isNaN(f[i]) && Number.isNaN(c[i])))) bad.push(`${i}: ${f[i]} vs ${c[i]}`);
      continue;
    }
    const allowed = judgeError('plain64', fast.termCount, comp.magnitude[i], c[i]) + judgeError('compensated', comp.termCount, comp.magnitude[i], c[i]);
    if (!(Math.abs(f[i] - c[i]) <= allowed)) bad.push(`${i}: |${f[i]} − ${c[i]}| > ${allowed}`);
    // Σ|w·x| + |b|: the same terms summed plainly in a different order
    if (!(Math.abs(fast.magnitude[i] - comp.magnitude[i]) <= 2 * judgeError('plain64', fast.termCount, comp.magnitude[i], 0))) bad.push(`${i}: magnitude ${fast.magnitude[i]} vs ${comp.magnitude[i]}`);
  }
  expect(bad, 'elements outside the judges\' own bounds').toEqual([]);
}

/** Cases small enough for the compensated reference (which runs at ~0.2 GFLOP/s) to follow. */
const COMPENSATED_MAX = 2 ** 17;

describe('the fast judge agrees with the compensated reference within its own bound', () => {
  it('conv: every generated problem (default and large tiers), every regime', () => {
    const specs = [...fc.sample(convProblem(), { numRuns: 300, seed: SEED }), ...fc.sample(convProblem({ size: 'large' }), { numRuns: 100, seed: SEED + 1 })].filter((s) => largestTensor(s) <= COMPENSATED_MAX);
    expect(specs.length).toBeGreaterThan(350);
    specs.forEach((spec, i) => {
      const c: ConvCase = { spec, regime: REGIMES[i % 3], seed: SEED + i };
      const t = convTensors(c);
      expectAgreement(fastReferenceConv(t.x, t.w, t.b, spec.attrs), referenceConv(t.x, t.w, t.b, spec.attrs), c.regime);
    });
  });
  it('dense: every generated problem, every regime', () => {
    fc.sample(denseProblem(), { numRuns: 200, seed: SEED }).filter((s) => s.xShape[1] * Math.max(s.xShape[0], s.wShape[0]) <= COMPENSATED_MAX).forEach((spec, i) => {
      const c: DenseCase = { spec, regime: REGIMES[i % 3], seed: SEED + i };
      const t = denseTensors(c);
      expectAgreement(fastReferenceDense(t.x, t.w, t.b), referenceDense(t.x, t.w, t.b), c.regime);
    });
  });
  it('non-finite weights with padding take the direct loop: Inf·(padding) is skipped, not NaN', () => {
    const x: Tensor = { shape: [1, 1, 3], data: Float64Array.from([1, 2, 3]) };
    const w: Tensor = { shape: [1, 1, 3], data: Float64Array.from([Infinity, 1, 1]) };
    const attrs = { strides: [1], pads: [1, 1], dilations: [1], group: 1 };
    const fast = fastReferenceConv(x, w, undefined, attrs);
    expect([...fast.output.data]).toEqual([...referenceConv(x, w, undefined, attrs).output.data]);
    expect([...fast.output.data]).toEqual([3, Infinity, Infinity]);
  });
  it('without magnitudes (exact and special data) the values are the same, bit for bit, and the magnitudes NaN', () => {
    fc.sample(convProblem(), { numRuns: 100, seed: SEED + 7 }).filter((s) => largestTensor(s) <= COMPENSATED_MAX).forEach((spec, i) => {
      const t = convTensors({ spec, regime: REGIMES[i % 3], seed: i });
      const full = fastReferenceConv(t.x, t.w, t.b, spec.attrs);
      const values = fastReferenceConv(t.x, t.w, t.b, spec.attrs, { magnitude: false });
      expect(Array.from(values.output.data)).toEqual(Array.from(full.output.data));
      expect(values.magnitude.every(Number.isNaN)).toBe(true);
    });
  });
  it('the ResNet 3×3 layer in the float regime (576-term sums)', () => {
    const spec = { xShape: [1, 64, 14, 14], wShape: [64, 64, 3, 3], attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 }, hasBias: true };
    const t = convTensors({ spec, regime: 'float', seed: SEED });
    expectAgreement(fastReferenceConv(t.x, t.w, t.b, spec.attrs), referenceConv(t.x, t.w, t.b, spec.attrs), 'float');
  });
});

describe('the judge is ~2²⁹ more accurate than what a float32 kernel is allowed', () => {
  it('judgeError(plain64) ≤ 2⁻²⁹ · float32 bound for every reduction length up to 2²⁰', () => {
    for (const n of [1, 2, 9, 577, 4097, 25089, 2 ** 20]) {
      const mag = 1;
      const ratio = elementBound(n, mag, 0, 'float32') / judgeError('plain64', n, mag, 0);
      expect(ratio).toBeGreaterThanOrEqual(2 ** 29);
    }
  });
  it('trustedConv picks plain float64 for float32 kernels and the compensated reference for float64 ones', () => {
    const x: Tensor = { shape: [1, 1, 2], data: Float64Array.from([1, 2]) };
    const w: Tensor = { shape: [1, 1, 1], data: Float64Array.from([3]) };
    const a = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
    expect(trustedConv(x, w, undefined, a, 'float32').accumulation).toBe('plain64');
    expect(trustedConv(x, w, undefined, a, 'float64').accumulation).toBe('compensated');
  });
});

/** bfloat16: 8 significant bits, round to nearest even. */
function bf16(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const e = Math.floor(Math.log2(Math.abs(v)));
  const q = 2 ** (e - 7);
  return Math.round(v / q) * q;
}

describe('planted precision bugs still fail under the fast judge', () => {
  // a float32 kernel whose dense accumulates in bfloat16 (the reduction rounded after every term)
  const bf16Accumulation: KernelUnderTest = {
    name: 'mutant:bf16-accumulation',
    precision: 'float32',
    conv: im2colKernel.conv,
    dense(x, w, b) {
      const [N, K] = x.shape;
      const M = w.shape[0];
      const y = new Float32Array(N * M);
      for (let n = 0; n < N; n++)
        for (let m = 0; m < M; m++) {
          let s = b ? b.data[m] : 0;
          for (let k = 0; k < K; k++) s = bf16(s + x.data[n * K + k] * w.data[m * K + k]);
          y[n * M + m] = s;
        }
      return { shape: [N, M], data: y };
    },
  };
  // a float32 kernel that rounds its inputs to 16 significant bits (fp16-like mantissa) before the conv
  const roundedInputs: KernelUnderTest = {
    name: 'mutant:fp16-mantissa-inputs',
    precision: 'float32',
    conv(x, w, b, a) {
      const r = (t: Tensor): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data, (v) => { if (v === 0 || !Number.isFinite(v)) return v; const q = 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10); return Math.round(v / q) * q; }) });
      return im2colKernel.conv!(r(x), r(w), b, a);
    },
    dense: im2colKernel.dense,
  };
  for (const [k, id] of [[bf16Accumulation, 'dense-matches-reference'], [roundedInputs, 'conv-matches-reference']] as const) {
    it(`${k.name} fails ${id} (float32 kernel, plain-float64 judge)`, { timeout: 60_000 }, async () => {
      for (const seed of [SEED, SEED + 1, SEED + 2]) {
        const report = await verifyKernel(k, { runs: 200, seed, properties: [id], shrinkBudgetMs: 2_000 });
        expect(report.properties[0].status, `seed ${seed}`).toBe('failed');
        // small integers survive a 10-bit mantissa exactly: that one can only fail on float data
        if (k === roundedInputs) expect(report.properties[0].failure?.regime).toBe('float');
      }
    });
  }
  it('the correct im2col kernel passes both under the fast judge', { timeout: 60_000 }, async () => {
    const report = await verifyKernel(im2colKernel, { runs: 200, seed: SEED, properties: ['conv-matches-reference', 'dense-matches-reference'] });
    expect(report.status).toBe('passed');
  });
});
