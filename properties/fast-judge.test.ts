/**
 * The fast judge (plain float64, `operators/<op>/fast-reference.ts`) is sound for float32 kernels:
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
import { judgeError } from '../src/property/judge.js';
import { fastReferenceDense } from '../src/operators/dense/fast-reference.js';
import { fastReferenceConv, trustedConv } from '../src/operators/conv/fast-reference.js';
import type { FastJudgeOptions } from '../src/operators/conv/fast-reference.js';
import { fastJudgePath } from '../src/operators/conv/fast-reference.js';
import type { FastDenseOptions } from '../src/operators/dense/fast-reference.js';
import { JUDGE_ROWS_KC, WasmJudgeRows } from '../src/operators/dense/wasm-judge-rows.js';
import { convGeometryOfShapes } from '../src/operators/conv/geometry.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { convTransposeProblem, largestTransposeTensor } from '../src/operators/conv-transpose/problem.js';
import type { ConvTransposeCase } from '../src/operators/conv-transpose/cases.js';
import { convTransposeTensors } from '../src/operators/conv-transpose/cases.js';
import { fastReferenceConvTranspose, trustedConvTranspose } from '../src/operators/conv-transpose/fast-reference.js';
import { referenceConvTranspose } from '../src/operators/conv-transpose/reference.js';
import type { ReferenceResult } from '../src/operators/operator.js';
import { referenceDense } from '../src/operators/dense/reference.js';
import { referenceConv } from '../src/operators/conv/reference.js';
import type { Regime } from '../src/vocabulary.js';
import { verifyKernel } from '../src/runner/verify.js';
import { propertyFailure } from '../src/runner/report.js';

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
    const allowed =
      judgeError('plain64', fast.termCount, comp.magnitude[i], c[i]) + judgeError('compensated', comp.termCount, comp.magnitude[i], c[i]);
    if (!(Math.abs(f[i] - c[i]) <= allowed)) bad.push(`${i}: |${f[i]} − ${c[i]}| > ${allowed}`);
    // Σ|w·x| + |b|: the same terms summed plainly in a different order
    if (!(Math.abs(fast.magnitude[i] - comp.magnitude[i]) <= 2 * judgeError('plain64', fast.termCount, comp.magnitude[i], 0)))
      bad.push(`${i}: magnitude ${fast.magnitude[i]} vs ${comp.magnitude[i]}`);
  }
  expect(bad, "elements outside the judges' own bounds").toEqual([]);
}

/** Cases small enough for the compensated reference (which runs at ~0.2 GFLOP/s) to follow. */
const COMPENSATED_MAX = 2 ** 17;

describe('the fast judge agrees with the compensated reference within its own bound', () => {
  it('conv: every generated problem (default and large tiers), every regime', () => {
    const specs = [
      ...fc.sample(convProblem(), { numRuns: 300, seed: SEED }),
      ...fc.sample(convProblem({ size: 'large' }), { numRuns: 100, seed: SEED + 1 }),
    ].filter((s) => largestTensor(s) <= COMPENSATED_MAX);
    expect(specs.length).toBeGreaterThan(350);
    specs.forEach((spec, i) => {
      const c: ConvCase = { spec, regime: REGIMES[i % 3], seed: SEED + i };
      const t = convTensors(c);
      expectAgreement(fastReferenceConv(t.x, t.w, t.b, spec.attrs), referenceConv(t.x, t.w, t.b, spec.attrs), c.regime);
    });
  });
  it('convTranspose: every generated problem (default and large tiers), every regime, with and without a fused activation', () => {
    const specs = [
      ...fc.sample(convTransposeProblem(), { numRuns: 250, seed: SEED }),
      ...fc.sample(convTransposeProblem({ size: 'large' }), { numRuns: 80, seed: SEED + 2 }),
    ].filter((s) => largestTransposeTensor(s) <= COMPENSATED_MAX);
    expect(specs.length).toBeGreaterThan(250);
    const kinds = new Set<string>();
    specs.forEach((spec, i) => {
      const c: ConvTransposeCase = { spec, regime: REGIMES[i % 3], seed: SEED + i };
      const t = convTransposeTensors(c);
      const attrs = i % 5 === 4 ? { ...spec.attrs, activation: { kind: 'leakyRelu' as const, alpha: 0.25 } } : spec.attrs;
      if (spec.attrs.strides.some((v) => v > 1)) kinds.add('stride');
      if (spec.attrs.dilations.some((v) => v > 1)) kinds.add('dilation');
      if (spec.attrs.outputPadding.some((v) => v > 0)) kinds.add('outputPadding');
      if (spec.attrs.group > 1) kinds.add('group');
      kinds.add(`rank ${spec.xShape.length - 2}`);
      expectAgreement(fastReferenceConvTranspose(t.x, t.w, t.b, attrs), referenceConvTranspose(t.x, t.w, t.b, attrs), c.regime);
    });
    expect([...kinds].sort()).toEqual(['dilation', 'group', 'outputPadding', 'rank 1', 'rank 2', 'rank 3', 'stride']);
  });
  it('convTranspose: a float32 kernel gets the fast judge, a float64 kernel the compensated reference', () => {
    const x: Tensor = { shape: [1, 1, 2], data: Float64Array.from([1, 2]) };
    const w: Tensor = { shape: [1, 1, 3], data: Float64Array.from([1, 10, 100]) };
    const attrs = { strides: [2], pads: [0, 0], dilations: [1], group: 1, outputPadding: [1] };
    expect(trustedConvTranspose(x, w, undefined, attrs, 'float32').accumulation).toBe('plain64');
    expect(trustedConvTranspose(x, w, undefined, attrs, 'float64').accumulation).toBe('compensated');
    // y[o] = Σ x[i]·w[o − 2i]: [1, 10, 100 + 2, 20, 200, 0 (outputPadding)]
    expect([...fastReferenceConvTranspose(x, w, undefined, attrs).output.data]).toEqual([1, 10, 102, 20, 200, 0]);
  });
  it('dense: every generated problem, every regime', () => {
    fc.sample(denseProblem(), { numRuns: 200, seed: SEED })
      .filter((s) => s.xShape[1] * Math.max(s.xShape[0], s.wShape[0]) <= COMPENSATED_MAX)
      .forEach((spec, i) => {
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
    fc.sample(convProblem(), { numRuns: 100, seed: SEED + 7 })
      .filter((s) => largestTensor(s) <= COMPENSATED_MAX)
      .forEach((spec, i) => {
        const t = convTensors({ spec, regime: REGIMES[i % 3], seed: i });
        const full = fastReferenceConv(t.x, t.w, t.b, spec.attrs);
        const values = fastReferenceConv(t.x, t.w, t.b, spec.attrs, { magnitude: false });
        expect(Array.from(values.output.data)).toEqual(Array.from(full.output.data));
        expect(values.magnitude.every(Number.isNaN)).toBe(true);
      });
  });
  it('the ResNet 3×3 layer in the float regime (576-term sums)', () => {
    const spec = {
      xShape: [1, 64, 14, 14],
      wShape: [64, 64, 3, 3],
      attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
      hasBias: true,
    };
    const t = convTensors({ spec, regime: 'float', seed: SEED });
    expectAgreement(fastReferenceConv(t.x, t.w, t.b, spec.attrs), referenceConv(t.x, t.w, t.b, spec.attrs), 'float');
  });
});

/** Blocks far below the defaults, so small problems cross every GEMM block boundary (kc, mc, nc, tiles). */
const TINY = { mc: 4, kc: 5, nc: 6 };

describe('every path of the fast judge agrees with the compensated reference', () => {
  // the same generated problems through each path, each against one run of the compensated reference
  const convSpecs = [
    ...fc.sample(convProblem(), { numRuns: 250, seed: SEED + 11 }),
    ...fc.sample(convProblem({ size: 'large' }), { numRuns: 80, seed: SEED + 12 }),
  ].filter((s) => largestTensor(s) <= COMPENSATED_MAX);
  const convPaths: ReadonlyArray<[string, FastJudgeOptions]> = [
    ['GEMM, default blocks, WebAssembly SIMD', { path: 'gemm' }],
    ['GEMM, tiny blocks, WebAssembly SIMD', { path: 'gemm', blocking: TINY }],
    ['GEMM, tiny blocks, JavaScript block product', { path: 'gemm', blocking: TINY, simd: false }],
    ['direct', { path: 'direct' }],
    ['element by element', { path: 'elementwise' }],
  ];
  it('conv: the generated problems cover the three default paths, groups, strides, dilations, padding, ranks 1–3, bias and non-finite weights', () => {
    const geometry = convSpecs.map((s) => convGeometryOfShapes(s.xShape, s.wShape, undefined, s.attrs));
    const has = (f: (i: number) => boolean) => convSpecs.filter((_, i) => f(i)).length;
    expect(has((i) => fastJudgePath(geometry[i]) === 'gemm')).toBeGreaterThan(5);
    expect(has((i) => fastJudgePath(geometry[i]) === 'direct')).toBeGreaterThan(5);
    expect(has((i) => fastJudgePath(geometry[i]) === 'elementwise')).toBeGreaterThan(20);
    expect(has((i) => geometry[i].group > 1)).toBeGreaterThan(10);
    expect(has((i) => geometry[i].group > 1 && geometry[i].outChannelsPerGroup > 4)).toBeGreaterThan(5); // several row tiles per group on the GEMM
    expect(has((i) => convSpecs[i].attrs.strides.some((v) => v > 1))).toBeGreaterThan(10);
    expect(has((i) => convSpecs[i].attrs.dilations.some((v) => v > 1))).toBeGreaterThan(10);
    expect(has((i) => convSpecs[i].attrs.pads.some((v) => v > 0))).toBeGreaterThan(10);
    for (const r of [1, 2, 3]) expect(has((i) => geometry[i].rank === r)).toBeGreaterThan(10);
    expect(has((i) => convSpecs[i].hasBias)).toBeGreaterThan(10);
    expect(has((i) => !convSpecs[i].hasBias)).toBeGreaterThan(10);
    // GEMM blocks crossed with the tiny blocking: K > kc, M/group > mc, N·∏O > nc, partial tiles
    expect(
      has(
        (i) =>
          geometry[i].reductionLength > TINY.kc &&
          geometry[i].outChannelsPerGroup > TINY.mc &&
          geometry[i].batch * geometry[i].outSpatialSize > TINY.nc,
      ),
    ).toBeGreaterThan(10);
    expect(
      has((i) => geometry[i].outChannelsPerGroup % 4 !== 0 && (geometry[i].batch * geometry[i].outSpatialSize) % 3 !== 0),
    ).toBeGreaterThan(10);
    expect(
      has(
        (i) =>
          REGIMES[i % 3] === 'special' &&
          !convTensors({ spec: convSpecs[i], regime: 'special', seed: SEED + i }).w.data.every(Number.isFinite),
      ),
    ).toBeGreaterThan(5);
  });
  it('conv: padded problems with a planted NaN / ±∞ weight (the generator plants those only without padding), both paths asked for', () => {
    const padded = convSpecs.filter((s) => s.attrs.pads.some((v) => v > 0));
    expect(padded.length).toBeGreaterThan(50);
    padded.forEach((spec, i) => {
      const t = convTensors({ spec, regime: 'exact', seed: SEED + i });
      t.w.data[(i * 7919) % t.w.data.length] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][i % 3];
      const comp = referenceConv(t.x, t.w, t.b, spec.attrs);
      for (const path of ['gemm', 'direct', 'elementwise'] as const)
        expectAgreement(fastReferenceConv(t.x, t.w, t.b, spec.attrs, { path, blocking: TINY }), comp, 'special');
    });
  });
  it('conv: each path, every generated problem, every regime', () => {
    convSpecs.forEach((spec, i) => {
      const c: ConvCase = { spec, regime: REGIMES[i % 3], seed: SEED + i };
      const t = convTensors(c);
      const comp = referenceConv(t.x, t.w, t.b, spec.attrs);
      for (const [, options] of convPaths) expectAgreement(fastReferenceConv(t.x, t.w, t.b, spec.attrs, options), comp, c.regime);
    });
  });
  it('conv: float32 tensors (read as stored) give the same values as float64 ones, on every path', () => {
    convSpecs.slice(0, 80).forEach((spec, i) => {
      const t = convTensors({ spec, regime: 'float', seed: SEED + i });
      const f32 = (u: Tensor): Tensor => ({ shape: u.shape, data: Float32Array.from(u.data) });
      for (const path of ['gemm', 'direct', 'elementwise'] as const) {
        const a = fastReferenceConv(t.x, t.w, t.b, spec.attrs, { path });
        const b = fastReferenceConv(f32(t.x), f32(t.w), t.b && f32(t.b), spec.attrs, { path });
        expect(Array.from(b.output.data)).toEqual(Array.from(a.output.data));
        expect(Array.from(b.magnitude)).toEqual(Array.from(a.magnitude));
      }
    });
  });
  it("conv: NaN and ±∞ in x propagate on every path; the GEMM's zero-padded tail rows and lanes never reach the output", () => {
    // M/group = 5 (rows 5…7 of the last 4-row tile are zero padding) and 4·4 = 16 output
    // positions (not a multiple of the 3-lane tile), padding on both sides, one group of two
    for (const blocking of [undefined, TINY]) {
      const x: Tensor = { shape: [1, 4, 4, 4], data: Float64Array.from({ length: 64 }, (_, i) => (i % 7) - 3) };
      const w: Tensor = { shape: [10, 2, 3, 3], data: Float64Array.from({ length: 180 }, (_, i) => (i % 5) - 2) };
      const b: Tensor = { shape: [10], data: Float64Array.from({ length: 10 }, (_, i) => i - 4) };
      x.data[5] = Number.POSITIVE_INFINITY;
      x.data[16 + 10] = Number.NaN;
      x.data[32 + 15] = Number.NEGATIVE_INFINITY;
      const attrs = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 2 };
      const comp = referenceConv(x, w, b, attrs);
      for (const path of ['gemm', 'direct', 'elementwise'] as const) {
        const fast = fastReferenceConv(x, w, b, attrs, { path, blocking });
        expectAgreement(fast, comp, 'special');
        // outputs that read no non-finite input stay finite (and exact on these integers)
        expect(fast.output.data.some(Number.isFinite)).toBe(true);
        expect(fast.output.data.some((v) => !Number.isFinite(v))).toBe(true);
      }
    }
  });
  it('conv: a non-finite weight with padding takes the direct loop even when the GEMM path is asked for', () => {
    const x: Tensor = { shape: [1, 1, 3], data: Float64Array.from([1, 2, 3]) };
    const w: Tensor = { shape: [8, 1, 3], data: Float64Array.from({ length: 24 }, (_, i) => (i === 0 ? Infinity : 1)) };
    const attrs = { strides: [1], pads: [1, 1], dilations: [1], group: 1 };
    const fast = fastReferenceConv(x, w, undefined, attrs, { path: 'gemm' });
    expect([...fast.output.data]).toEqual([...referenceConv(x, w, undefined, attrs).output.data]);
    expect([...fast.output.data.slice(0, 3)]).toEqual([3, Infinity, Infinity]);
    // the same weights without padding stay on the GEMM path: Inf·x as in the reference
    const unpadded = { ...attrs, pads: [0, 0] };
    expect([...fastReferenceConv(x, w, undefined, unpadded, { path: 'gemm' }).output.data]).toEqual([
      ...referenceConv(x, w, undefined, unpadded).output.data,
    ]);
  });
  it('conv: thin groups take the direct path, wide ones the GEMM, small convs the element-by-element loop', () => {
    const path = (x: number[], w: number[], group: number) =>
      fastJudgePath(convGeometryOfShapes(x, w, undefined, { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group }));
    expect(path([1, 32, 112, 112], [32, 1, 3, 3], 32)).toBe('direct'); // MobileNet depthwise
    expect(path([1, 32, 112, 112], [64, 1, 3, 3], 32)).toBe('direct'); // depth multiplier 2
    expect(path([1, 64, 56, 56], [64, 64, 3, 3], 1)).toBe('gemm'); // ResNet 3×3
    expect(path([1, 128, 56, 56], [128, 4, 3, 3], 32)).toBe('gemm'); // ResNeXt-50 32×4d groups
    expect(path([1, 32, 112, 3], [32, 1, 3, 3], 32)).toBe('elementwise'); // thin, rows of 3
    expect(path([1, 4, 5, 5], [8, 4, 3, 3], 1)).toBe('elementwise'); // 7 200 multiply–adds
  });
  it('dense: both paths, batch 1 and batch > 1, every regime', () => {
    const specs = fc
      .sample(denseProblem(), { numRuns: 200, seed: SEED + 13 })
      .filter((s) => s.xShape[1] * Math.max(s.xShape[0], s.wShape[0]) <= COMPENSATED_MAX);
    expect(specs.filter((s) => s.xShape[0] === 1).length).toBeGreaterThan(20);
    expect(specs.filter((s) => s.xShape[0] > 1).length).toBeGreaterThan(20);
    expect(specs.filter((s) => s.xShape[1] > TINY.kc && s.wShape[0] > TINY.mc && s.xShape[0] > 1).length).toBeGreaterThan(10);
    expect(WasmJudgeRows.instance(), 'WebAssembly SIMD row pass available (Node ≥ 16.4)').toBeDefined();
    const paths: FastDenseOptions[] = [
      { path: 'rows' },
      { path: 'rows', simd: false },
      { path: 'gemm' },
      { path: 'gemm', blocking: TINY },
      { path: 'gemm', blocking: TINY, simd: false },
    ];
    specs.forEach((spec, i) => {
      const c: DenseCase = { spec, regime: REGIMES[i % 3], seed: SEED + 100 + i };
      const t = denseTensors(c);
      const comp = referenceDense(t.x, t.w, t.b);
      for (const options of paths) expectAgreement(fastReferenceDense(t.x, t.w, t.b, options), comp, c.regime);
      // batch 1 (rows only) and larger batches, with float32 weights read as stored
      const w32: Tensor = { shape: t.w.shape, data: Float32Array.from(t.w.data) };
      expectAgreement(fastReferenceDense(t.x, w32, t.b), comp, c.regime);
      expectAgreement(fastReferenceDense(t.x, w32, t.b, { path: 'rows' }), comp, c.regime);
    });
  });
  it('dense: the row pass splits reductions longer than its block (K > 32768), float32 and float64 weights', () => {
    for (const regime of REGIMES) {
      const spec = { xShape: [2, JUDGE_ROWS_KC + 4099], wShape: [3, JUDGE_ROWS_KC + 4099], hasBias: true };
      const t = denseTensors({ spec, regime, seed: SEED + 5 });
      const comp = referenceDense(t.x, t.w, t.b);
      const w32: Tensor = { shape: t.w.shape, data: Float32Array.from(t.w.data) };
      for (const w of [t.w, w32])
        for (const simd of [true, false]) expectAgreement(fastReferenceDense(t.x, w, t.b, { path: 'rows', simd }), comp, regime);
    }
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
      const r = (t: Tensor): Tensor => ({
        shape: t.shape,
        data: Float32Array.from(t.data, (v) => {
          if (v === 0 || !Number.isFinite(v)) return v;
          const q = 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10);
          return Math.round(v / q) * q;
        }),
      });
      return im2colKernel.conv!(r(x), r(w), b, a);
    },
    dense: im2colKernel.dense,
  };
  for (const [k, id] of [
    [bf16Accumulation, 'dense-matches-reference'],
    [roundedInputs, 'conv-matches-reference'],
  ] as const) {
    it(`${k.name} fails ${id} (float32 kernel, plain-float64 judge)`, { timeout: 60_000 }, async () => {
      for (const seed of [SEED, SEED + 1, SEED + 2]) {
        const report = await verifyKernel(k, { runs: 200, seed, properties: [id], shrinkBudgetMs: 2_000 });
        expect(report.properties[0].status, `seed ${seed}`).toBe('failed');
        // small integers survive a 10-bit mantissa exactly: that one can only fail on float data
        if (k === roundedInputs) expect(propertyFailure(report.properties[0])?.regime).toBe('float');
      }
    });
  }
  it('the correct im2col kernel passes both under the fast judge', { timeout: 60_000 }, async () => {
    const report = await verifyKernel(im2colKernel, {
      runs: 200,
      seed: SEED,
      properties: ['conv-matches-reference', 'dense-matches-reference'],
    });
    expect(report.status).toBe('passed');
  });
});
