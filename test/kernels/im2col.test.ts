/**
 * Example tests of the optimized kernel (im2col + packed GEMM, direct depthwise), each named by
 * its geometry and compared with the reference on small integers: every sum is exact in float32
 * and float64, so the results must be equal, not close.
 */
import { describe, expect, it } from 'vitest';
import type { ConvAttributes } from '../../src/operators/conv/contract.js';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { DEFAULT_GEMM_BLOCKING, DEFAULT_WORKSPACE_BYTES, MR, NR } from '../../src/numeric/gemm.js';
import { wasmSimdAvailable } from '../../src/numeric/wasm-row-dot.js';
import { createIm2colKernel, im2colKernel, im2colKernel64, type Im2colKernel } from '../../src/kernels/im2col.js';
import { referenceKernel } from '../../src/kernels/reference.js';
import { formatShape } from '../../src/tensor.js';
import { attrs, convName, expectRejection, expectTensorEqual, randomIntTensor, runConv, runDense, t } from '../helpers/index.js';

const { mc: MC, kc: KC, nc: NC } = DEFAULT_GEMM_BLOCKING;

/** Tiny blocks: many row, reduction and column blocks (and their tails) on small problems. */
const tinyBlocks = (precision: 'float32' | 'float64'): Im2colKernel =>
  createIm2colKernel(precision, { blocking: { mc: 8, kc: 16, nc: 12 } });

/** The JavaScript matrix–vector loop instead of the WebAssembly SIMD one. */
const noSimd = (precision: 'float32' | 'float64'): Im2colKernel => createIm2colKernel(precision, { simd: false });

const DEFAULT_KERNELS: readonly KernelUnderTest[] = [im2colKernel, im2colKernel64];
const ALL_KERNELS: readonly KernelUnderTest[] = [
  ...DEFAULT_KERNELS,
  tinyBlocks('float32'),
  tinyBlocks('float64'),
  noSimd('float32'),
  noSimd('float64'),
];

interface ConvCase {
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly a?: Parameters<typeof attrs>[1];
  readonly bias?: boolean;
}

/** Random small-integer x, w (and b) for a case; the seed comes from the shapes, so names replay. */
function inputsOf(c: ConvCase): { x: Tensor; w: Tensor; b: Tensor | undefined; a: ConvAttributes } {
  const seed = [...c.x, ...c.w].reduce((s, v) => (s * 31 + v) >>> 0, 7);
  return {
    x: randomIntTensor(c.x, seed),
    w: randomIntTensor(c.w, seed + 1),
    b: c.bias === false ? undefined : randomIntTensor([c.w[0]], seed + 2),
    a: attrs(c.x.length - 2, c.a),
  };
}

/** Runs every kernel on the case and requires exactly the reference's output. */
async function expectReferenceConv(c: ConvCase, kernels: readonly KernelUnderTest[] = ALL_KERNELS): Promise<void> {
  const { x, w, b, a } = inputsOf(c);
  const expected = await runConv(referenceKernel, x, w, b, a);
  for (const k of kernels) expectTensorEqual(await runConv(k, x, w, b, a), expected, k.name);
}

function caseName(c: ConvCase): string {
  return convName(c.x, c.w, attrs(c.x.length - 2, c.a), c.bias);
}

describe('im2col kernel: register-tile tails (MR×NR = 4×3)', () => {
  // A 1×1 rank-1 conv is the bare GEMM: M = output channels, K = input channels, N = positions.
  const cases: ConvCase[] = [];
  for (const M of [MR - 1, MR, MR + 1]) {
    for (const N of [NR - 1, NR, NR + 1, 2 * NR + 1]) {
      for (const K of [1, 5]) cases.push({ x: [1, K, N], w: [M, K, 1] });
    }
  }
  it.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) => expectReferenceConv(c));
});

describe('im2col kernel: cache-block tails (mc = 128, kc = 256, nc = 4095)', () => {
  const cases: ConvCase[] = [
    { x: [1, KC - 1, 4], w: [MC - 1, KC - 1, 1] },
    { x: [1, KC, 3], w: [MC, KC, 1] },
    { x: [1, KC + 1, 5], w: [MC + 1, KC + 1, 1] },
    { x: [1, 2 * KC + 1, 7], w: [2 * MC + 1, 2 * KC + 1, 1] },
    // K = 29·9 = 261 through the im2col lowering, M just past one row block.
    { x: [1, 29, 5, 5], w: [MC + 2, 29, 3, 3], a: { pads: [1, 1, 1, 1] } },
    // N = 4100 positions: two column blocks, the second 5 wide.
    { x: [1, 3, NC + 5], w: [5, 3, 1] },
    { x: [2, 2, 41, 50], w: [3, 2, 1, 1] },
  ];
  it.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) => expectReferenceConv(c, DEFAULT_KERNELS));
});

describe('im2col kernel: many blocks with tiny blocking (mc = 8, kc = 16, nc = 12)', () => {
  const cases: ConvCase[] = [
    { x: [2, 7, 9, 11], w: [13, 7, 3, 2], a: { strides: [2, 1], pads: [0, 1, 2, 0], dilations: [1, 2] } },
    { x: [1, 17, 6, 5], w: [9, 17, 2, 2], a: { pads: [1, 0, 0, 1] } },
    { x: [3, 5, 4], w: [21, 5, 3], a: { pads: [1, 1] } },
  ];
  it.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) =>
    expectReferenceConv(c, [tinyBlocks('float32'), tinyBlocks('float64')]),
  );
});

describe('im2col kernel: 1×1 convs (the input is the GEMM operand, no lowering)', () => {
  const cases: ConvCase[] = [
    { x: [2, 6, 5, 7], w: [4, 6, 1, 1] },
    { x: [2, 6, 5, 7], w: [4, 3, 1, 1], a: { group: 2 } },
    { x: [1, 3, 2, 3, 4], w: [2, 3, 1, 1, 1] },
    { x: [3, 4, 9], w: [5, 4, 1], bias: false },
    // Not the fast path: a stride or padding makes the lowering necessary again.
    { x: [1, 4, 5, 5], w: [3, 4, 1, 1], a: { strides: [2, 2] } },
    { x: [1, 4, 5, 5], w: [3, 4, 1, 1], a: { pads: [1, 0, 0, 1] } },
  ];
  it.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) => expectReferenceConv(c));
});

describe('im2col kernel: depthwise (group = C) on the direct path', () => {
  const cases: ConvCase[] = [
    { x: [2, 4, 7, 6], w: [4, 1, 3, 3], a: { group: 4, pads: [1, 1, 1, 1] } },
    { x: [1, 3, 6, 5], w: [6, 1, 3, 3], a: { group: 3, pads: [1, 1, 1, 1] } },
    { x: [1, 4, 9, 8], w: [8, 1, 3, 2], a: { group: 4, strides: [2, 1], dilations: [1, 2], pads: [0, 1, 2, 0] } },
    // Kernel 5 wide: one 3-tap pass and two single-tap passes per row.
    { x: [1, 2, 6, 9], w: [2, 1, 2, 5], a: { group: 2, pads: [1, 2, 0, 1] } },
    { x: [2, 3, 10], w: [6, 1, 4], a: { group: 3, strides: [3], pads: [2, 1] } },
    { x: [1, 2, 4, 5, 6], w: [2, 1, 3, 2, 3], a: { group: 2, pads: [1, 0, 1, 1, 1, 0] } },
    { x: [1, 2, 4, 5, 6], w: [4, 1, 3, 3, 3], a: { group: 2, strides: [1, 2, 1], dilations: [1, 1, 2], pads: [1, 1, 2, 1, 0, 0] } },
    // One channel, group 1: also depthwise, with 5 outputs from the one input channel.
    { x: [1, 1, 6, 6], w: [5, 1, 3, 3] },
    { x: [1, 2, 5, 5], w: [2, 1, 3, 3], a: { group: 2, pads: [1, 1, 1, 1] }, bias: false },
  ];
  it.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) => expectReferenceConv(c));
});

describe('im2col kernel: groups, ranks, strides, dilations, asymmetric pads', () => {
  const cases: ConvCase[] = [
    { x: [1, 6, 5, 5], w: [4, 3, 3, 3], a: { group: 2 } },
    { x: [2, 8, 6, 4], w: [12, 2, 2, 3], a: { group: 4, strides: [1, 2], pads: [1, 1, 0, 1] } },
    { x: [2, 5, 17], w: [7, 5, 4], a: { strides: [2], dilations: [3], pads: [3, 1] } },
    { x: [1, 3, 5, 6, 7], w: [4, 3, 2, 3, 2], a: { strides: [1, 2, 1], dilations: [2, 1, 1], pads: [1, 0, 2, 0, 1, 1] } },
    { x: [1, 3, 9, 8], w: [5, 3, 3, 3], a: { strides: [2, 2], dilations: [2, 2], pads: [2, 0, 1, 3] } },
    // End padding on every axis of a rank-3 input: the last windows hang over each far edge.
    { x: [1, 2, 3, 4, 3], w: [3, 2, 2, 2, 2], a: { pads: [0, 1, 0, 1, 0, 1] } },
    // Pads wider than the kernel: the first and last outputs see only padding (and get the bias).
    { x: [1, 2, 3, 3], w: [3, 2, 2, 2], a: { pads: [3, 0, 0, 3] } },
    // A kernel covering the whole input: one output position, the matrix–vector path.
    { x: [1, 5, 3, 3], w: [9, 5, 3, 3] },
    { x: [3, 5, 3, 3], w: [9, 5, 3, 3] },
  ];
  it.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c) => expectReferenceConv(c));
});

describe('im2col kernel: bounded workspace', () => {
  it('x=[1,8,40,40] w=[8,8,3,3] p=1 with a 64 KiB budget: the lowering is tiled and stays inside it', async () => {
    // The full im2col matrix would be 72 × 1600 doubles = 900 KiB.
    const budget = 64 * 1024;
    const k = createIm2colKernel('float32', { workspaceBytes: budget });
    await expectReferenceConv({ x: [1, 8, 40, 40], w: [8, 8, 3, 3], a: { pads: [1, 1, 1, 1] } }, [k]);
    expect(k.peakWorkspaceBytes()).toBeGreaterThan(0);
    expect(k.peakWorkspaceBytes()).toBeLessThanOrEqual(budget);
  });

  it('x=[1,64,64,64] w=[4,64,3,3] p=1: a 18 MiB im2col matrix runs in the default 16 MiB', async () => {
    const k = createIm2colKernel('float32');
    await expectReferenceConv({ x: [1, 64, 64, 64], w: [4, 64, 3, 3], a: { pads: [1, 1, 1, 1] } }, [k]);
    expect(576 * 4096 * 8).toBeGreaterThan(DEFAULT_WORKSPACE_BYTES);
    expect(k.peakWorkspaceBytes()).toBeLessThanOrEqual(DEFAULT_WORKSPACE_BYTES);
  });

  it('x=[1,2,30,20] w=[2,1,3,3] g=2 p=1 with a 1 KiB budget: the depthwise slab covers a band of rows at a time', async () => {
    const k = createIm2colKernel('float64', { workspaceBytes: 1024 });
    await expectReferenceConv({ x: [1, 2, 30, 20], w: [2, 1, 3, 3], a: { group: 2, pads: [1, 1, 1, 1] } }, [k]);
    expect(k.peakWorkspaceBytes()).toBeLessThanOrEqual(1024);
  });
});

describe('im2col kernel: dense (y = x·wᵀ + b through the same GEMM)', () => {
  const cases: Array<readonly [number, number, number]> = [
    // [N, K, M]; N = 1 is the matrix–vector path, with eight rows at a time and a tail.
    [1, 1, 1],
    [1, 300, 7],
    [1, 300, 8],
    [1, 5, 9],
    [1, 4097, 17],
    [2, KC + 1, MR + 1],
    [3, KC, MR],
    [4, 3, MC + 1],
    [7, 300, 13],
    // Matrix–vector path in WebAssembly: several row chunks (327 float32 / 163 float64 rows of
    // 300 per 384 KiB chunk), and K past its 32768-deep block (rows copied one by one).
    [1, 300, 700],
    [1, 40000, 9],
  ];
  for (const [N, K, M] of cases) {
    it(`x=${formatShape([N, K])} w=${formatShape([M, K])}`, async () => {
      const x = randomIntTensor([N, K], N * 1000 + K);
      const w = randomIntTensor([M, K], M * 7 + K);
      const b = randomIntTensor([M], M);
      const expected = await runDense(referenceKernel, x, w, b);
      for (const k of ALL_KERNELS) expectTensorEqual(await runDense(k, x, w, b), expected, k.name);
    });
  }

  it('x=[3,4] w=[2,4] bias=no', async () => {
    const x = randomIntTensor([3, 4], 1);
    const w = randomIntTensor([2, 4], 2);
    const expected = await runDense(referenceKernel, x, w, undefined);
    for (const k of ALL_KERNELS) expectTensorEqual(await runDense(k, x, w, undefined), expected, k.name);
  });
});

describe('im2col kernel: special values propagate as IEEE-754 says', () => {
  const inf = Number.POSITIVE_INFINITY;

  it('x=[1,1,1,3] w=[2,1,1,1] (1×1, one channel: direct path): 0·∞ is NaN, NaN stays NaN', async () => {
    const x = t([1, 1, 1, 3], [inf, 1, Number.NaN]);
    const w = t([2, 1, 1, 1], [0, 2]);
    const b = t([2], [1, -1]);
    for (const k of DEFAULT_KERNELS) {
      expectTensorEqual(
        await runConv(k, x, w, b, attrs(2)),
        { shape: [1, 2, 1, 3], data: [Number.NaN, 1, Number.NaN, inf, 1, Number.NaN] },
        k.name,
      );
    }
  });

  it('x=[1,2,1,3] w=[2,2,1,1] (GEMM path): 0·∞ is NaN and ∞ + (−∞) is NaN', async () => {
    const x = t([1, 2, 1, 3], [inf, 1, 2, -inf, 3, 4]);
    const w = t([2, 2, 1, 1], [0, 1, 1, 1]);
    // channel 0: 0·x0 + 1·x1 = [NaN, 3, 4]; channel 1: x0 + x1 = [NaN, 4, 6].
    for (const k of DEFAULT_KERNELS) {
      expectTensorEqual(
        await runConv(k, x, w, undefined, attrs(2)),
        { shape: [1, 2, 1, 3], data: [Number.NaN, 3, 4, Number.NaN, 4, 6] },
        k.name,
      );
    }
  });

  it('x=[1,2] w=[2,2] (dense, matrix–vector path): 0·∞ is NaN, ∞ stays ∞', async () => {
    const x = t([1, 2], [inf, 1]);
    const w = t([2, 2], [0, 1, 1, 1]);
    for (const k of DEFAULT_KERNELS)
      expectTensorEqual(await runDense(k, x, w, undefined), { shape: [1, 2], data: [Number.NaN, inf] }, k.name);
  });

  it('x=[1,1,1,2] w=[1,1,1,2] p=[0,1,0,0]: padding is zeros that are multiplied, so ∞·pad is NaN (direct path)', async () => {
    const x = t([1, 1, 1, 2], [1, 2]);
    const w = t([1, 1, 1, 2], [inf, 1]);
    const a = attrs(2, { pads: [0, 1, 0, 0] });
    // o0 = ∞·0 (padding) + 1·1 = NaN; o1 = ∞·1 + 1·2 = ∞.
    for (const k of DEFAULT_KERNELS)
      expectTensorEqual(await runConv(k, x, w, undefined, a), { shape: [1, 1, 1, 2], data: [Number.NaN, inf] }, k.name);
  });

  it('x=[1,2,1,2] w=[1,2,1,2] p=[0,1,0,0]: the same on the im2col path', async () => {
    const x = t([1, 2, 1, 2], [1, 2, 0, 0]);
    const w = t([1, 2, 1, 2], [inf, 1, 0, 0]);
    const a = attrs(2, { pads: [0, 1, 0, 0] });
    for (const k of DEFAULT_KERNELS)
      expectTensorEqual(await runConv(k, x, w, undefined, a), { shape: [1, 1, 1, 2], data: [Number.NaN, inf] }, k.name);
  });

  it('x=[1,2,1,1] w=[1,2,1,1] bias=no: a sum of −0 products is −0 (accumulators start at −0)', async () => {
    for (const k of DEFAULT_KERNELS) {
      const conv = await runConv(k, t([1, 2, 1, 1], [-0, -0]), t([1, 2, 1, 1], [1, 1]), undefined, attrs(2));
      expect(Object.is(conv.data[0], -0), `${k.name} conv`).toBe(true);
      const depthwise = await runConv(k, t([1, 1, 1, 1], [-0]), t([1, 1, 1, 1], [3]), undefined, attrs(2));
      expect(Object.is(depthwise.data[0], -0), `${k.name} depthwise`).toBe(true);
      const dense = await runDense(k, t([1, 1], [-0]), t([1, 1], [1]), undefined);
      expect(Object.is(dense.data[0], -0), `${k.name} dense`).toBe(true);
    }
  });
});

describe('im2col kernel: workspace reuse', () => {
  it('the same inputs twice give bit-identical results, with other shapes run in between', async () => {
    for (const k of [createIm2colKernel('float32'), tinyBlocks('float32'), createIm2colKernel('float64')]) {
      const big = inputsOf({ x: [1, 9, 13, 11], w: [10, 9, 3, 3], a: { pads: [1, 2, 0, 1] } });
      const small = inputsOf({ x: [1, 2, 4, 4], w: [5, 2, 2, 2] });
      const depthwise = inputsOf({ x: [1, 3, 8, 8], w: [6, 1, 3, 3], a: { group: 3, pads: [1, 1, 1, 1] } });
      const first = await runConv(k, big.x, big.w, big.b, big.a);
      expectTensorEqual(
        await runConv(k, small.x, small.w, small.b, small.a),
        await runConv(referenceKernel, small.x, small.w, small.b, small.a),
        k.name,
      );
      await runConv(k, depthwise.x, depthwise.w, depthwise.b, depthwise.a);
      await runDense(k, randomIntTensor([1, 50], 3), randomIntTensor([20, 50], 4), undefined);
      const second = await runConv(k, big.x, big.w, big.b, big.a);
      expect(Buffer.from(second.data.buffer).equals(Buffer.from(first.data.buffer)), k.name).toBe(true);
    }
  });
});

describe('im2col kernel: WebAssembly SIMD matrix–vector kernel', () => {
  it('is available on this Node, so the default kernels above ran it (and noSimd kernels the JS loop)', () => {
    expect(wasmSimdAvailable()).toBe(true);
  });
});

describe('im2col kernel: identity and validation', () => {
  it('names and precisions', () => {
    expect([im2colKernel.name, im2colKernel.precision]).toEqual(['builtin:im2col', 'float32']);
    expect([im2colKernel64.name, im2colKernel64.precision]).toEqual(['builtin:im2col64', 'float64']);
    expect(createIm2colKernel().precision).toBe('float32');
  });

  it('x=[1,3,4,4] w=[2,2,3,3]: rejects mismatched channels through the shared geometry', async () => {
    await expectRejection(
      () =>
        im2colKernel.conv!(
          t([1, 3, 4, 4], new Array(48).fill(1), 'float32'),
          t([2, 2, 3, 3], new Array(36).fill(1), 'float32'),
          undefined,
          attrs(2),
        ),
      {
        type: InvalidArgumentError,
        code: 'ERR_INVALID_ARGUMENT',
        fn: 'conv',
        argument: 'w',
        message: 'conv: w channels (2) must equal input channels / group (3 / 1 = 3)',
      },
    );
  });

  it('rejects a workspace budget below 1 KiB, blocking sizes below 1 and unknown precisions', async () => {
    await expectRejection(() => createIm2colKernel('float32', { workspaceBytes: 100 }), {
      type: InvalidArgumentError,
      code: 'ERR_INVALID_ARGUMENT',
      fn: 'createIm2colKernel',
      argument: 'workspaceBytes',
      message: 'createIm2colKernel: workspaceBytes must be a number >= 1024, got 100',
    });
    await expectRejection(() => createIm2colKernel('float32', { blocking: { kc: 0 } }), {
      type: InvalidArgumentError,
      code: 'ERR_INVALID_ARGUMENT',
      fn: 'createIm2colKernel',
      argument: 'blocking',
      message: 'createIm2colKernel: blocking.kc must be an integer >= 1, got 0',
    });
    await expectRejection(() => createIm2colKernel('float16' as 'float32'), {
      type: InvalidArgumentError,
      code: 'ERR_INVALID_ARGUMENT',
      fn: 'createIm2colKernel',
      argument: 'precision',
      message: "createIm2colKernel: precision must be 'float32' or 'float64', got float16",
    });
  });
});
