/**
 * Mutation testing of the catalog: each mutant is the im2col kernel with one classic bug planted,
 * and the catalog must catch every one with a shrunk, replayable counterexample. A catalog that
 * lets any of these through has a hole.
 */
import { describe, expect, it } from 'vitest';
import type { ConvAttributes } from '../src/operators/conv/contract.js';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import { im2colKernel, im2colKernel64 } from '../src/kernels/im2col.js';
import { verifyKernel } from '../src/runner/verify.js';
import { sizeOf, stridesOf } from '../src/tensor.js';
import { propertyFailure } from '../src/runner/report.js';

const SEED = Number(process.env.CONVCHECK_SEED ?? 20261128);
const conv = im2colKernel.conv!;
const dense = im2colKernel.dense!;

/** A float32 im2col kernel whose conv is replaced by `f`. */
function mutant(name: string, f: NonNullable<KernelUnderTest['conv']>, extra: Partial<KernelUnderTest> = {}): KernelUnderTest {
  return { name: `mutant:${name}`, precision: 'float32', conv: f, dense, ...extra };
}

const slice0 = (t: Tensor, from: number, to: number): Tensor => {
  const inner = sizeOf(t.shape.slice(1));
  return { shape: [to - from, ...t.shape.slice(1)], data: t.data.slice(from * inner, to * inner) };
};

/** w flipped along every spatial axis (convolution instead of cross-correlation). */
function flipKernel(w: Tensor): Tensor {
  const k = w.shape.slice(2);
  const P = sizeOf(k);
  const st = stridesOf(k);
  const data = w.data.slice();
  for (let mc = 0; mc < w.shape[0] * w.shape[1]; mc++) {
    for (let p = 0; p < P; p++) {
      const flipped = st.reduce((acc, s, a) => acc + (k[a] - 1 - (Math.floor(p / s) % k[a])) * s, 0);
      data[mc * P + p] = w.data[mc * P + flipped];
    }
  }
  return { shape: w.shape, data };
}

/** Rounds to `bits` explicit mantissa bits, like TF32 (10). */
function roundMantissa(v: number, bits: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const e = Math.floor(Math.log2(Math.abs(v)));
  return Math.round(v * 2 ** (bits - e)) / 2 ** (bits - e);
}

const mutants: KernelUnderTest[] = [
  // output size computed as floor((D + p − eff)/s), without the + 1, along the last axis
  mutant('off-by-one-output-size', async (x, w, b, a) => {
    const y = await conv(x, w, b, a);
    const last = y.shape[y.shape.length - 1];
    if (last < 2) return y;
    const rows = sizeOf(y.shape) / last;
    const data = new Float32Array(rows * (last - 1));
    for (let r = 0; r < rows; r++) data.set(y.data.subarray(r * last, r * last + last - 1), r * (last - 1));
    return { shape: [...y.shape.slice(0, -1), last - 1], data };
  }),
  // pads read as [begin, end] pairs per axis instead of ONNX's [begins…, ends…]
  mutant('pads-wrong-end', (x, w, b, a) => {
    const r = a.strides.length;
    const pads = [...a.pads.slice(r), ...a.pads.slice(0, r)];
    return conv(x, w, b, { ...a, pads });
  }),
  // the first axis's stride used for every axis
  mutant('stride-of-one-axis-for-all', (x, w, b, a) => conv(x, w, b, { ...a, strides: a.strides.map(() => a.strides[0]) })),
  // every group reads the first group's input channels
  mutant('group-channel-offset', (x, w, b, a) => {
    if (a.group === 1) return conv(x, w, b, a);
    const [N, C] = x.shape;
    const inner = sizeOf(x.shape.slice(2));
    const cg = C / a.group;
    const data = x.data.slice();
    for (let n = 0; n < N; n++)
      for (let g = 1; g < a.group; g++) data.copyWithin((n * C + g * cg) * inner, n * C * inner, (n * C + cg) * inner);
    return conv({ shape: x.shape, data }, w, b, a);
  }),
  // true convolution: the kernel flipped
  mutant('kernel-flipped', (x, w, b, a) => conv(x, flipKernel(w), b, a)),
  // bias added to the first batch item only
  mutant('bias-dropped-for-n>1', async (x, w, b, a: ConvAttributes) => {
    const N = x.shape[0];
    if (!b || N === 1) return conv(x, w, b, a);
    const first = await conv(slice0(x, 0, 1), w, b, a);
    const rest = await conv(slice0(x, 1, N), w, undefined, a);
    const data = new Float32Array(first.data.length + rest.data.length);
    data.set(first.data);
    data.set(rest.data, first.data.length);
    return { shape: [N, ...first.shape.slice(1)], data };
  }),
  // the reduction remainder past a 256-term block dropped (only reductions > 256 reach it)
  mutant('remainder-dropped-past-block', (x, w, b, a) => {
    const R = sizeOf(w.shape.slice(1));
    if (R <= 256) return conv(x, w, b, a);
    const cut = Math.floor(R / 256) * 256;
    const data = w.data.slice();
    for (let m = 0; m < w.shape[0]; m++) data.fill(0, m * R + cut, (m + 1) * R);
    return conv(x, { shape: w.shape, data }, b, a);
  }),
  // promises float64, computes in float32
  {
    name: 'mutant:float32-promising-float64',
    precision: 'float64',
    conv: async (x, w, b, a) => {
      const f = (t: Tensor | undefined) => (t ? { shape: t.shape, data: Float32Array.from(t.data) } : undefined);
      const y = await conv(f(x)!, f(w)!, f(b), a);
      return { shape: y.shape, data: Float64Array.from(y.data) };
    },
    dense: im2colKernel64.dense,
  },
  // rounds inputs to TF32 (10-bit mantissa) before a float32 conv
  mutant('tf32-inputs', (x, w, b, a) => {
    const r = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map((v) => roundMantissa(v, 10)) });
    return conv(r(x), r(w), b, a);
  }),
];

describe('planted bugs: the catalog catches every mutant of the im2col kernel', () => {
  for (const k of mutants) {
    it(k.name, { timeout: 180_000 }, async () => {
      const report = await verifyKernel(k, { runs: 200, seed: SEED, shrinkBudgetMs: 5_000 });
      expect(report.status).toBe('failed');
      const failures = report.properties.filter((p) => p.status === 'failed');
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        // a replay recipe: the problem in one line, the seed and the shrink path
        expect(f.failure?.problem).toMatch(/^(conv |dense |linear |)?x=\[/);
        expect(f.failure?.seed).toBe(SEED);
        expect(typeof f.failure?.path).toBe('string');
      }
      // the differential property catches every one: by value (with the first mismatching
      // index) or, where the bug changes the output size, by shape
      const diff = report.properties.find((p) => p.id === 'conv-matches-reference');
      expect(diff?.status).toBe('failed');
      if (propertyFailure(diff)?.kind === 'mismatch') expect(propertyFailure(diff)?.index).toBeDefined();
      else expect(propertyFailure(diff)?.kind).toBe('wrong-shape');
      if (k.name === 'mutant:off-by-one-output-size') expect(propertyFailure(diff)?.kind).toBe('wrong-shape');
    });
  }
});
