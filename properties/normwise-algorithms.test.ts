/**
 * The normwise error model in both directions, on real fast algorithms (test/helpers/fast-conv.ts):
 * correct Winograd F(2×2, 3×3), F(4×4, 3×3) (float32) and an FFT convolution (float64) stay within
 * κ·γ(n)·max_map Σ|w·x| with κ derived from their transform matrices or length — and fail the
 * elementwise model, which is why they need this one; the same algorithms with a planted
 * precision bug fail even the normwise model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import type { ConvAttributes } from '../src/operators/conv/contract.js';
import { problemData } from '../src/arbitraries/data.js';
import { compareOutputs } from '../src/bound/error-bound.js';
import {
  completeNumerics,
  fftErrorFactor,
  modelBounds,
  winogradErrorFactor,
  WINOGRAD_F2x3,
  WINOGRAD_F4x3,
} from '../src/bound/error-model.js';
import { correlationScale } from '../src/operators/conv/correlation-scale.js';
import { referenceConv } from '../src/operators/conv/reference.js';
import { arrayTypeOf, sizeOf } from '../src/tensor.js';
import type { FftBug, WinogradBug } from '../test/helpers/fast-conv.js';
import { fftKernel, winogradKernel } from '../test/helpers/fast-conv.js';

const SEED = Number(process.env.CONVCHECK_SEED ?? 20261201);

interface Case {
  readonly xShape: number[];
  readonly wShape: number[];
  readonly attrs: ConvAttributes;
  readonly bias: boolean;
  readonly regime: 'exact' | 'float';
  readonly seed: number;
}

/** Problems on the fast path: rank 2, 3×3 kernels, stride 1 (Winograd); FFT also rank 1, any kernel, dilation, stride. */
function cases(kind: 'winograd' | 'fft'): fc.Arbitrary<Case> {
  return fc
    .record({
      rank: kind === 'winograd' ? fc.constant(2) : fc.constantFrom(1, 2),
      n: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 2 }),
      cpg: fc.integer({ min: 1, max: 4 }),
      mpg: fc.integer({ min: 1, max: 3 }),
      k: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
      extra: fc.tuple(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 13 })),
      pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
      stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      bias: fc.boolean(),
      regime: fc.constantFrom<'exact' | 'float'>('exact', 'float'),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
    })
    .map((r) => {
      const k = kind === 'winograd' ? [3, 3] : r.k.slice(0, r.rank);
      const d = kind === 'winograd' ? [1, 1] : r.dilation.slice(0, r.rank);
      const s = kind === 'winograd' ? [1, 1] : r.stride.slice(0, r.rank);
      const eff = k.map((kk, i) => d[i] * (kk - 1) + 1);
      const D = eff.map((e, i) => e + r.extra[i]);
      return {
        xShape: [r.n, r.groups * r.cpg, ...D],
        wShape: [r.groups * r.mpg, r.cpg, ...k],
        attrs: { strides: s, dilations: d, pads: [...r.pads.slice(0, r.rank), ...r.pads.slice(2, 2 + r.rank)], group: r.groups },
        bias: r.bias,
        regime: r.regime,
        seed: r.seed,
      };
    });
}

/** Runs the kernel on the case and judges it by the model the kernel declares; returns the mismatch, if any. */
async function judged(kernel: KernelUnderTest, c: Case) {
  const reduction = sizeOf(c.wShape.slice(1));
  const M = c.wShape[0];
  const d = problemData(
    { xSize: sizeOf(c.xShape), wSize: sizeOf(c.wShape), bSize: c.bias ? M : 0, reductionLength: reduction, specialWeights: false },
    c.regime,
    c.seed,
  );
  const Ctor = arrayTypeOf(kernel.precision);
  const x: Tensor = { shape: c.xShape, data: Ctor.from(d.x) };
  const w: Tensor = { shape: c.wShape, data: Ctor.from(d.w) };
  const b: Tensor | undefined = d.b ? { shape: [M], data: Ctor.from(d.b) } : undefined;
  const ref = referenceConv(x, w, b, c.attrs);
  const y = await kernel.conv!(x, w, b, c.attrs);
  const promise = completeNumerics(kernel);
  const bounds = modelBounds(promise, ref.termCount, ref.magnitude, ref.output.data, ref.output.shape, correlationScale(x, w, b, c.attrs));
  return compareOutputs(ref.output.shape, y.data, ref.output.data, bounds);
}

const holds = (kernel: KernelUnderTest, kind: 'winograd' | 'fft', runs: number) =>
  fc.assert(
    fc.asyncProperty(cases(kind), async (c) => {
      const m = await judged(kernel, c);
      expect(m, m && `error ${m.error} > bound ${m.bound} at ${m.flatIndex}`).toBeUndefined();
    }),
    { numRuns: runs, seed: SEED },
  );

/** The shrunk counterexample fast-check finds, or undefined when the property held. */
async function counterexample(kernel: KernelUnderTest, kind: 'winograd' | 'fft', runs: number) {
  const r = await fc.check(
    fc.asyncProperty(cases(kind), async (c) => (await judged(kernel, c)) === undefined),
    { numRuns: runs, seed: SEED },
  );
  return r.failed ? { c: r.counterexample![0] as Case, mismatch: await judged(kernel, r.counterexample![0] as Case) } : undefined;
}

describe('κ from the transform matrices and the FFT length', () => {
  it('Winograd F(2×2, 3×3): κ = 87; F(4×4, 3×3): κ = 4165 (float32 accumulation)', () => {
    expect(winogradErrorFactor(WINOGRAD_F2x3)).toBe(87);
    expect(winogradErrorFactor(WINOGRAD_F4x3)).toBe(4165);
  });
  it('the matrices are right: Aᵀ[(G g) ⊙ (Bᵀ d)] is the 3-tap correlation, exactly, on integers', () => {
    for (const mats of [WINOGRAD_F2x3, WINOGRAD_F4x3]) {
      const m = mats.AT.length;
      const alpha = mats.BT.length;
      const g = [3, -1, 2];
      const dd = Array.from({ length: alpha }, (_, i) => ((i * 7) % 5) - 2);
      const Gg = mats.G.map((row) => row.reduce((s, v, k) => s + v * g[k], 0));
      const Bd = mats.BT.map((row) => row.reduce((s, v, j) => s + v * dd[j], 0));
      const y = mats.AT.map((row) => row.reduce((s, v, a) => s + v * Gg[a] * Bd[a], 0));
      const direct = Array.from({ length: m }, (_, i) => g[0] * dd[i] + g[1] * dd[i + 1] + g[2] * dd[i + 2]);
      expect(y.map((v) => Math.round(v * 1e9) / 1e9)).toEqual(direct);
    }
  });
  it('FFT: κ = L·(20·log₂L + 5) for L points', () => {
    expect(fftErrorFactor(64)).toBe(64 * 125);
    expect(fftErrorFactor(4096)).toBe(4096 * 245);
    expect(fftErrorFactor(100)).toBe(128 * 145);
  });
});

describe('correct fast algorithms pass when they declare the normwise model', () => {
  it('Winograd F(2×2, 3×3) in float32', async () => holds(winogradKernel(2), 'winograd', 300), 120_000);
  it('Winograd F(4×4, 3×3) in float32', async () => holds(winogradKernel(4), 'winograd', 300), 120_000);
  it('FFT convolution in float64 (ranks 1–2, dilation, stride, groups)', async () => holds(fftKernel(), 'fft', 300), 120_000);
});

describe('…and fail the elementwise model (which is why they need the normwise one)', () => {
  it('F(4×4, 3×3) declared elementwise: not exact on integer data, beyond 2·γ(n)·Σ|w·x| on float data', async () => {
    const k = { ...winogradKernel(4), errorModel: undefined, errorFactor: undefined };
    const r = await counterexample(k, 'winograd', 300);
    expect(r).toBeDefined();
    expect(r!.mismatch!.ratio).toBeGreaterThan(1);
  }, 120_000);
  it('FFT declared elementwise: 1e-16-size errors where exact data demand 0', async () => {
    const k = { ...fftKernel(), errorModel: undefined, errorFactor: undefined };
    expect(await counterexample(k, 'fft', 300)).toBeDefined();
  }, 120_000);
});

describe('planted precision bugs fail even the normwise model', () => {
  const winogradBugs: Array<[2 | 4, WinogradBug]> = [
    [2, 'tf32-inputs'],
    [2, 'bf16-inputs'],
    [2, 'f16-accumulation'],
    [2, 'wrong-coefficient'],
    [4, 'bf16-inputs'],
    [4, 'f16-accumulation'],
    [4, 'wrong-coefficient'],
  ];
  for (const [m, bug] of winogradBugs) {
    it(`Winograd F(${m}×${m}, 3×3) with ${bug}`, async () => {
      const r = await counterexample(winogradKernel(m, bug), 'winograd', 300);
      expect(r, `${bug} went undetected`).toBeDefined();
      expect(r!.mismatch).toBeDefined();
    }, 120_000);
  }
  const fftBugs: FftBug[] = ['tf32-inputs', 'float32-twiddles'];
  for (const bug of fftBugs) {
    it(`FFT with ${bug}`, async () => {
      const r = await counterexample(fftKernel(bug), 'fft', 300);
      expect(r, `${bug} went undetected`).toBeDefined();
    }, 120_000);
  }

  it('limit of the model: F(4×4, 3×3) with TF32-rounded inputs stays within its κ = 4165 (the algorithm is allowed that much error)', async () => {
    expect(await counterexample(winogradKernel(4, 'tf32-inputs'), 'winograd', 300)).toBeUndefined();
  }, 120_000);
});
