/**
 * Example tests that pin the ONNX `Conv` / `Gemm(transB=1)` semantics on tiny problems whose
 * outputs are worked out by hand (small integers, so every kernel must match them exactly).
 * Each case runs through every built-in kernel; names follow tfjs: geometry first.
 */
import { describe, expect, it } from 'vitest';
import type { ConvAttributes } from '../../../src/operators/conv/contract.js';
import type { Tensor } from '../../../src/contract.js';
import { convGeometryOfShapes, resolveAutoPad, type AutoPad } from '../../../src/operators/conv/geometry.js';
import { sizeOf } from '../../../src/tensor.js';
import { attrs, convName, expectTensorEqual, iota, iotaTensor, KERNELS, plusBias, runConv, runDense, t } from '../../helpers/index.js';

interface ConvCase {
  /** What the case pins, appended to its geometry name. */
  readonly what: string;
  readonly x: Tensor;
  readonly w: Tensor;
  readonly attrs: ConvAttributes;
  /** Output shape `[N, M, ...O]`. */
  readonly shape: readonly number[];
  /** The bias-free output, worked out by hand (see the comment next to each case). */
  readonly expected: readonly number[];
  /** Bias for the `bias=yes` variant (default 100·(m+1)); its expectation adds b[m] to channel m. */
  readonly b?: readonly number[];
}

/**
 * Axis 1 of `a` (shape [A, B, ...rest]) with one more entry of value `fill` inserted first or last:
 * [A, B+1, ...rest].
 */
function withExtraChannel(a: Tensor, fill: number, where: 'first' | 'last'): Tensor {
  const [A, B, ...rest] = a.shape;
  const inner = sizeOf(rest);
  const data: number[] = [];
  for (let i = 0; i < A; i++) {
    const block = Array.from(a.data.subarray(i * B * inner, (i + 1) * B * inner));
    const extra = new Array<number>(inner).fill(fill);
    data.push(...(where === 'first' ? [...extra, ...block] : [...block, ...extra]));
  }
  return t([A, B + 1, ...rest], data);
}

/**
 * The same problem with one more input channel that holds zeros, and weights of 7 for it: the
 * output cannot change, but a kernel that pairs an input channel with the wrong weight channel
 * now reads 7·x or 0. It also moves single-channel problems off the depthwise fast path and
 * onto the general lowering (group = 1 with C = 1 counts as depthwise).
 */
function withZeroChannel(c: ConvCase, where: 'first' | 'last'): ConvCase {
  return {
    ...c,
    what: `${c.what}, plus a zero input channel ${where}`,
    x: withExtraChannel(c.x, 0, where),
    w: withExtraChannel(c.w, 7, where),
  };
}

/** Every case runs as given (bias=no) and with a bias (bias=yes); group-1 cases also with a zero channel added. */
function variants(given: ConvCase) {
  const widened = given.attrs.group === 1 ? [withZeroChannel(given, 'first'), withZeroChannel(given, 'last')] : [];
  return [given, ...widened].flatMap((c) => {
    const M = c.shape[1];
    const b = c.b ?? iota(M).map((m) => 100 * m);
    return [
      { name: `${convName(c.x.shape, c.w.shape, c.attrs, false)} (${c.what})`, c, b: undefined, expected: [...c.expected] },
      { name: `${convName(c.x.shape, c.w.shape, c.attrs, true)} (${c.what})`, c, b: t([M], b), expected: plusBias(c.expected, c.shape, b) },
    ];
  });
}

function defineConvCases(title: string, cases: readonly ConvCase[]): void {
  describe(title, () => {
    describe.each(cases.flatMap(variants))('$name', ({ c, b, expected }) => {
      it.each(KERNELS)('$name', async (kernel) => {
        const y = await runConv(kernel, c.x, c.w, b, c.attrs);
        expectTensorEqual(y, { shape: c.shape, data: expected }, kernel.name);
      });
    });
  });
}

// x = [[1,2,3],[4,5,6],[7,8,9]] through a 1×1 kernel of weight 1: the output is the padded input
// itself, so each case shows exactly where one pad entry puts its zeros. ONNX order is
// [x1_begin, x2_begin, x1_end, x2_end]; the per-axis-pairs misreading [x1_begin, x1_end, ...]
// would put p=[0,1,0,0]'s zeros below the image instead of to its left.
const x3x3 = iotaTensor([1, 1, 3, 3]);
const identity1x1 = t([1, 1, 1, 1], [1]);
defineConvCases('asymmetric pads: [x1_begin, x2_begin, x1_end, x2_end]', [
  {
    what: 'x1_begin: a zero row on top',
    x: x3x3,
    w: identity1x1,
    attrs: attrs(2, { pads: [1, 0, 0, 0] }),
    shape: [1, 1, 4, 3],
    expected: [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  },
  {
    what: 'x2_begin: a zero column on the left',
    x: x3x3,
    w: identity1x1,
    attrs: attrs(2, { pads: [0, 1, 0, 0] }),
    shape: [1, 1, 3, 4],
    expected: [0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9],
  },
  {
    what: 'x1_end: a zero row at the bottom',
    x: x3x3,
    w: identity1x1,
    attrs: attrs(2, { pads: [0, 0, 1, 0] }),
    shape: [1, 1, 4, 3],
    expected: [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0],
  },
  {
    what: 'x2_end: a zero column on the right',
    x: x3x3,
    w: identity1x1,
    attrs: attrs(2, { pads: [0, 0, 0, 1] }),
    shape: [1, 1, 3, 4],
    expected: [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0],
  },
  {
    what: 'all four different',
    x: x3x3,
    w: identity1x1,
    attrs: attrs(2, { pads: [1, 2, 0, 1] }),
    shape: [1, 1, 4, 6],
    expected: [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0, 0, 7, 8, 9, 0],
  },
  // x = 1..16 as 4×4, w = [[1,0,2],[0,1,0],[3,0,0]] (not symmetric, so a flipped kernel shows).
  // p=[1,0,0,1]: a zero row on top and a zero column on the right; 5×5 padded, 2×2 output at
  // stride 2. Window (0,0) = rows {0,1,5} → 1·0 + 2·0 + 1·2 + 3·5 = 17; (0,1) = 1·0 + 2·0 + 1·4 + 3·7 = 25;
  // (1,0) = 1·5 + 2·7 + 1·10 + 3·13 = 68; (1,1) = 1·7 + 2·0 + 1·12 + 3·15 = 64.
  // With bias this is the combination onnxruntime's NhwcConv got wrong (PR #15050).
  {
    what: 'stride 2 over an asymmetrically padded input',
    x: iotaTensor([1, 1, 4, 4]),
    w: t([1, 1, 3, 3], [1, 0, 2, 0, 1, 0, 3, 0, 0]),
    attrs: attrs(2, { strides: [2, 2], pads: [1, 0, 0, 1] }),
    shape: [1, 1, 2, 2],
    expected: [17, 25, 68, 64],
    b: [100],
  },
  // The mirror p=[0,1,1,0]: a zero column on the left, a zero row at the bottom.
  // (0,0) = [[0,1,2],[0,5,6],[0,9,10]] → 0 + 2·2 + 5 + 3·0 = 9; (0,1) = [[2,3,4],[6,7,8],[10,11,12]] → 2 + 8 + 7 + 30 = 47;
  // (1,0) = [[0,9,10],[0,13,14],[0,0,0]] → 0 + 20 + 13 + 0 = 33; (1,1) = [[10,11,12],[14,15,16],[0,0,0]] → 10 + 24 + 15 = 49.
  {
    what: 'the mirrored padding gives different numbers',
    x: iotaTensor([1, 1, 4, 4]),
    w: t([1, 1, 3, 3], [1, 0, 2, 0, 1, 0, 3, 0, 0]),
    attrs: attrs(2, { strides: [2, 2], pads: [0, 1, 1, 0] }),
    shape: [1, 1, 2, 2],
    expected: [9, 47, 33, 49],
    b: [100],
  },
  // 1-D: x = [1,2,3], w = [1,10]. p=[2,0]: [0,0,1,2,3] → [0, 10, 1+20, 2+30]; p=[0,2]: [1,2,3,0,0] → [21, 32, 3, 0].
  {
    what: 'rank 1, padding at the beginning only',
    x: t([1, 1, 3], [1, 2, 3]),
    w: t([1, 1, 2], [1, 10]),
    attrs: attrs(1, { pads: [2, 0] }),
    shape: [1, 1, 4],
    expected: [0, 10, 21, 32],
  },
  {
    what: 'rank 1, padding at the end only',
    x: t([1, 1, 3], [1, 2, 3]),
    w: t([1, 1, 2], [1, 10]),
    attrs: attrs(1, { pads: [0, 2] }),
    shape: [1, 1, 4],
    expected: [21, 32, 3, 0],
  },
]);

defineConvCases('windows that lie entirely in padding give the bias', [
  // x = [[1,2],[3,4]], w = [10], one pixel of padding all round: the border of the 4×4 output
  // reads only padding (0, or the bias 7), the inside is 10·x (+7).
  {
    what: 'the border is bias only',
    x: t([1, 1, 2, 2], [1, 2, 3, 4]),
    w: t([1, 1, 1, 1], [10]),
    attrs: attrs(2, { pads: [1, 1, 1, 1] }),
    shape: [1, 1, 4, 4],
    expected: [0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 0],
    b: [7],
  },
  // x = [1,2], w = [5], s=3, p=[0,2]: padded [1,2,0,0], windows at 0 and 3 → [5·1, 0].
  {
    what: 'stride larger than the input lands in the padding',
    x: t([1, 1, 2], [1, 2]),
    w: t([1, 1, 1], [5]),
    attrs: attrs(1, { strides: [3], pads: [0, 2] }),
    shape: [1, 1, 2],
    expected: [5, 0],
    b: [1],
  },
  // Two output channels with different biases: each all-padding window shows its own channel's bias.
  {
    what: 'per-channel bias in the padding',
    x: t([1, 1, 1], [2]),
    w: t([2, 1, 1], [3, -4]),
    attrs: attrs(1, { pads: [1, 1] }),
    shape: [1, 2, 3],
    expected: [0, 6, 0, 0, -8, 0],
    b: [5, -9],
  },
]);

defineConvCases('stride larger than the kernel and than the input', [
  // 3×3 input, 1×1 kernel, stride 4: only the top-left pixel is read.
  { what: 'one window', x: x3x3, w: identity1x1, attrs: attrs(2, { strides: [4, 4] }), shape: [1, 1, 1, 1], expected: [1] },
  // x = 1..7, w = [1,10], s=3: windows at 0 and 3 → [1+20, 4+50].
  {
    what: 'stride > kernel skips inputs',
    x: iotaTensor([1, 1, 7]),
    w: t([1, 1, 2], [1, 10]),
    attrs: attrs(1, { strides: [3] }),
    shape: [1, 1, 2],
    expected: [21, 54],
  },
  // x[r][c] = 4r + c + 1 (5×4), w = [[1,2],[3,4]], s=[3,1]: windows start on rows 0 and 3, columns 0..2;
  // y = x[r][c] + 2(x[r][c]+1) + 3(x[r][c]+4) + 4(x[r][c]+5) = 10·x[r][c] + 34 with x[r][c] ∈ {1,2,3}, {13,14,15}.
  {
    what: 'different strides per axis',
    x: iotaTensor([1, 1, 5, 4]),
    w: t([1, 1, 2, 2], [1, 2, 3, 4]),
    attrs: attrs(2, { strides: [3, 1] }),
    shape: [1, 1, 2, 3],
    expected: [44, 54, 64, 164, 174, 184],
  },
]);

defineConvCases('dilation with stride', [
  // x = 1..9, w = [1,10,100], d=2 (effective extent 5), s=3: windows at 0 and 3 read
  // x[0],x[2],x[4] = 1,3,5 → 531 and x[3],x[5],x[7] = 4,6,8 → 864.
  {
    what: 'rank 1',
    x: iotaTensor([1, 1, 9]),
    w: t([1, 1, 3], [1, 10, 100]),
    attrs: attrs(1, { strides: [3], dilations: [2] }),
    shape: [1, 1, 2],
    expected: [531, 864],
  },
  // x[r][c] = 5r + c + 1 (5×5), w = [[1,2],[3,4]], d=2, s=[2,1]: y[o0][o1] = x[r][c] + 2x[r][c+2] + 3x[r+2][c] + 4x[r+2][c+2]
  // with r = 2·o0, c = o1, which is 10·x[r][c] + (2·2 + 3·10 + 4·12) = 10·x[r][c] + 82.
  {
    what: 'rank 2, stride on one axis',
    x: iotaTensor([1, 1, 5, 5]),
    w: t([1, 1, 2, 2], [1, 2, 3, 4]),
    attrs: attrs(2, { strides: [2, 1], dilations: [2, 2] }),
    shape: [1, 1, 2, 3],
    expected: [92, 102, 112, 192, 202, 212],
  },
  // x = [1,2,3,4], w = [1,10], d=3, p=[1,1]: padded [0,1,2,3,4,0], effective extent 4 → 3 windows:
  // 0 + 10·3 = 30, 1 + 10·4 = 41, 2 + 10·0 = 2.
  {
    what: 'with padding',
    x: t([1, 1, 4], [1, 2, 3, 4]),
    w: t([1, 1, 2], [1, 10]),
    attrs: attrs(1, { pads: [1, 1], dilations: [3] }),
    shape: [1, 1, 3],
    expected: [30, 41, 2],
  },
  // Dilation 2 on axis 1 only, stride 2 on axis 0 only: x = 1..12 as 3×4, w = [[1,-1]] (1×2):
  // y[o0][o1] = x[2·o0][o1] − x[2·o0][o1+2] = −2 everywhere; rows 0 and 2, columns 0 and 1.
  {
    what: 'dilation and stride on different axes',
    x: iotaTensor([1, 1, 3, 4]),
    w: t([1, 1, 1, 2], [1, -1]),
    attrs: attrs(2, { strides: [2, 1], dilations: [1, 2] }),
    shape: [1, 1, 2, 2],
    expected: [-2, -2, -2, -2],
  },
]);

defineConvCases('groups', [
  // Channels: plain conv sums over all of them. x ch0 = [[1,2],[3,4]], ch1 = [[5,6],[7,8]];
  // w m0 = ch0 [[1,0],[0,0]] + ch1 [[0,0],[0,1]] → 1 + 8 = 9; m1 = ch0 [[0,1],[0,0]] − ch1 [[0,0],[1,0]] → 2 − 7 = −5.
  {
    what: 'group 1 sums over every input channel',
    x: iotaTensor([1, 2, 2, 2]),
    w: t([2, 2, 2, 2], [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, -1, 0]),
    attrs: attrs(2),
    shape: [1, 2, 1, 1],
    expected: [9, -5],
  },
  // Depthwise (group = C = M): ch0 = [1,2,3] with w [1,2] → [1+4, 2+6]; ch1 = [10,20,30] with w [3,4] → [30+80, 60+120].
  {
    what: 'depthwise',
    x: t([1, 2, 3], [1, 2, 3, 10, 20, 30]),
    w: t([2, 1, 2], [1, 2, 3, 4]),
    attrs: attrs(1, { group: 2 }),
    shape: [1, 2, 2],
    expected: [5, 8, 110, 180],
  },
  // Depthwise 1×3 with stride 2 on the width (tfjs#6629): ch0 = 1..5 with [1,0,2] at 0 and 2 → 1+6, 3+10;
  // ch1 = 6..10 with [1,2,3] → 6+14+24, 8+18+30.
  {
    what: 'depthwise 1×N, stride 2',
    x: iotaTensor([1, 2, 1, 5]),
    w: t([2, 1, 1, 3], [1, 0, 2, 1, 2, 3]),
    attrs: attrs(2, { strides: [1, 2], group: 2 }),
    shape: [1, 2, 1, 2],
    expected: [7, 13, 44, 56],
  },
  // Depth multiplier 2 (C=2, M=4, group 2): m0, m1 read ch0 = [1,2,3]; m2, m3 read ch1 = [10,20,30].
  // m0 [1,0] → [1,2]; m1 [0,1] → [2,3]; m2 [1,1] → [30,50]; m3 [2,−1] → [20−20, 40−30].
  {
    what: 'depth multiplier 2',
    x: t([1, 2, 3], [1, 2, 3, 10, 20, 30]),
    w: t([4, 1, 2], [1, 0, 0, 1, 1, 1, 2, -1]),
    attrs: attrs(1, { group: 2 }),
    shape: [1, 4, 2],
    expected: [1, 2, 2, 3, 30, 50, 0, 10],
  },
  // Group 2 with 2 channels per group: m0 = 1·ch0 + 10·ch1 = [1+30, 2+40]; m1 = 100·ch2 + 1000·ch3 = [500+7000, 600+8000].
  {
    what: 'group 2, two input channels per group',
    x: iotaTensor([1, 4, 2]),
    w: t([2, 2, 1], [1, 10, 100, 1000]),
    attrs: attrs(1, { group: 2 }),
    shape: [1, 2, 2],
    expected: [31, 42, 7500, 8600],
  },
  // Group 2 with two input and two output channels per group: channels (1,2 | 3,4);
  // m0 = 1 + 10·2 = 21, m1 = 100 + 1000·2 = 2100 (group 0); m2 = 3 + 10·4 = 43, m3 = 300 + 4000 = 4300 (group 1).
  {
    what: 'group 2, two output channels per group',
    x: t([1, 4, 1], [1, 2, 3, 4]),
    w: t([4, 2, 1], [1, 10, 100, 1000, 1, 10, 100, 1000]),
    attrs: attrs(1, { group: 2 }),
    shape: [1, 4, 1],
    expected: [21, 2100, 43, 4300],
  },
]);

defineConvCases('ranks 1 and 3, output size 1', [
  // x = w = 1..8 as 2×2×2: one output, Σ i² = 204 (a flipped kernel would give Σ i·(9−i) = 120).
  {
    what: 'rank 3, output size 1',
    x: iotaTensor([1, 1, 2, 2, 2]),
    w: iotaTensor([1, 1, 2, 2, 2]),
    attrs: attrs(3),
    shape: [1, 1, 1, 1, 1],
    expected: [204],
  },
  // x[d0][d1][d2] = 12·d0 + 4·d1 + d2 + 1 (2×3×4), w = [[[1,2],[3,4]]] (1×2×2), s=[1,1,2], one pad before axis 0.
  // Output 3×2×2; plane o0=0 reads only padding. Otherwise with v = x[o0−1][o1][2·o2]:
  // y = v + 2(v+1) + 3(v+4) + 4(v+5) = 10v + 34, v ∈ {1,3,5,7} (o0=1) and {13,15,17,19} (o0=2).
  {
    what: 'rank 3, stride and padding',
    x: iotaTensor([1, 1, 2, 3, 4]),
    w: t([1, 1, 1, 2, 2], [1, 2, 3, 4]),
    attrs: attrs(3, { strides: [1, 1, 2], pads: [1, 0, 0, 0, 0, 0] }),
    shape: [1, 1, 3, 2, 2],
    expected: [0, 0, 0, 0, 44, 64, 84, 104, 164, 184, 204, 224],
  },
  // Rank 3 with two channels in and out: m0 = ch0 + ch1 (1×1×1), m1 = ch0 − ch1. ch0 = 1..8, ch1 = 9..16.
  {
    what: 'rank 3, channels',
    x: iotaTensor([1, 2, 2, 2, 2]),
    w: t([2, 2, 1, 1, 1], [1, 1, 1, -1]),
    attrs: attrs(3),
    shape: [1, 2, 2, 2, 2],
    expected: [10, 12, 14, 16, 18, 20, 22, 24, -8, -8, -8, -8, -8, -8, -8, -8],
  },
  // Rank 2, output 1×1: 1·x[0][0] − 1·x[2][2] = 1 − 9 (a flipped kernel would give 9 − 1).
  {
    what: 'rank 2, output size 1',
    x: x3x3,
    w: t([1, 1, 3, 3], [1, 0, 0, 0, 0, 0, 0, 0, -1]),
    attrs: attrs(2),
    shape: [1, 1, 1, 1],
    expected: [-8],
  },
  // Rank 1, kernel = input: 1·1 + 10·2 + 100·3.
  {
    what: 'rank 1, output size 1',
    x: t([1, 1, 3], [1, 2, 3]),
    w: t([1, 1, 3], [1, 10, 100]),
    attrs: attrs(1),
    shape: [1, 1, 1],
    expected: [321],
  },
]);

defineConvCases('a kernel larger than the input, made valid by padding', [
  // x = [1,2], w = [1,10,100,1000]: padded [0,1,2,0] → 10 + 200.
  {
    what: 'symmetric',
    x: t([1, 1, 2], [1, 2]),
    w: t([1, 1, 4], [1, 10, 100, 1000]),
    attrs: attrs(1, { pads: [1, 1] }),
    shape: [1, 1, 1],
    expected: [210],
  },
  // [0,0,1,2] → 100 + 2000.
  {
    what: 'all padding at the beginning',
    x: t([1, 1, 2], [1, 2]),
    w: t([1, 1, 4], [1, 10, 100, 1000]),
    attrs: attrs(1, { pads: [2, 0] }),
    shape: [1, 1, 1],
    expected: [2100],
  },
  // [1,2,0,0] → 1 + 20.
  {
    what: 'all padding at the end',
    x: t([1, 1, 2], [1, 2]),
    w: t([1, 1, 4], [1, 10, 100, 1000]),
    attrs: attrs(1, { pads: [0, 2] }),
    shape: [1, 1, 1],
    expected: [21],
  },
  // Padded [0,0,0,1,2,0,0,0]: the input slides under the kernel: 1000, 100+2000, 10+200, 1+20, 2.
  {
    what: 'full padding',
    x: t([1, 1, 2], [1, 2]),
    w: t([1, 1, 4], [1, 10, 100, 1000]),
    attrs: attrs(1, { pads: [3, 3] }),
    shape: [1, 1, 5],
    expected: [1000, 2100, 210, 21, 2],
  },
  // A 1×1 input under a 3×3 kernel w = 1..9 with one pixel of padding: only the centre weight (5) meets x = 5.
  {
    what: 'rank 2',
    x: t([1, 1, 1, 1], [5]),
    w: iotaTensor([1, 1, 3, 3]),
    attrs: attrs(2, { pads: [1, 1, 1, 1] }),
    shape: [1, 1, 1, 1],
    expected: [25],
  },
]);

defineConvCases('batch N > 1', [
  // Sample 0 = [1,2,3], sample 1 = [4,5,6]; m0 = [1,1] (sums of neighbours), m1 = [1,−1] (differences).
  {
    what: 'two samples',
    x: iotaTensor([2, 1, 3]),
    w: t([2, 1, 2], [1, 1, 1, -1]),
    attrs: attrs(1),
    shape: [2, 2, 2],
    expected: [3, 5, -1, -1, 9, 11, -1, -1],
  },
  // Depthwise with one pad before: sample n, ch c = [4n+2c+1, 4n+2c+2]; m0 = 1·ch0, m1 = 10·ch1, each after a leading 0.
  {
    what: 'two samples, depthwise, padding',
    x: iotaTensor([2, 2, 2]),
    w: t([2, 1, 1], [1, 10]),
    attrs: attrs(1, { pads: [1, 0], group: 2 }),
    shape: [2, 2, 3],
    expected: [0, 1, 2, 0, 30, 40, 0, 5, 6, 0, 70, 80],
  },
  // Three samples of a 2×2 image, 2×2 kernel of ones: each output is the sample's sum (10, 26, 42).
  {
    what: 'three samples',
    x: iotaTensor([3, 1, 2, 2]),
    w: t([1, 1, 2, 2], [1, 1, 1, 1]),
    attrs: attrs(2),
    shape: [3, 1, 1, 1],
    expected: [10, 26, 42],
  },
]);

describe('SAME_UPPER vs SAME_LOWER with odd total padding', () => {
  interface SameCase {
    readonly x: Tensor;
    readonly w: Tensor;
    readonly strides: readonly number[];
    readonly upper: { readonly pads: readonly number[]; readonly expected: readonly number[] };
    readonly lower: { readonly pads: readonly number[]; readonly expected: readonly number[] };
    readonly shape: readonly number[];
  }
  const cases: readonly SameCase[] = [
    // D=4, k=2, s=1: output 4, total pad 3·1 + 2 − 4 = 1. x = [1,2,3,4], w = [1,10].
    // UPPER pads the end: [1,2,3,4,0] → 21, 32, 43, 4. LOWER pads the beginning: [0,1,2,3,4] → 10, 21, 32, 43.
    {
      x: t([1, 1, 4], [1, 2, 3, 4]),
      w: t([1, 1, 2], [1, 10]),
      strides: [1],
      shape: [1, 1, 4],
      upper: { pads: [0, 1], expected: [21, 32, 43, 4] },
      lower: { pads: [1, 0], expected: [10, 21, 32, 43] },
    },
    // D=4, k=3, s=2: output ceil(4/2) = 2, total pad 1·2 + 3 − 4 = 1 per axis; x = 1..16, w = ones (window sums).
    // UPPER (bottom/right): rows/cols {0,1,2}, {2,3,pad} → 54, 45, 72, 54.
    // LOWER (top/left): rows/cols {pad,0,1}, {1,2,3} → 1+2+5+6 = 14, 2+3+4+6+7+8 = 30, 5+6+9+10+13+14 = 57, 99.
    {
      x: iotaTensor([1, 1, 4, 4]),
      w: t([1, 1, 3, 3], new Array<number>(9).fill(1)),
      strides: [2, 2],
      shape: [1, 1, 2, 2],
      upper: { pads: [0, 0, 1, 1], expected: [54, 45, 72, 54] },
      lower: { pads: [1, 1, 0, 0], expected: [14, 30, 57, 99] },
    },
    // Stride larger than the input (tfjs-wasm returned zeros here, tfjs#5907): D=2, k=3, s=3 → output 1, total pad 1.
    // x = [[1,2],[3,4]], w = 1..9. UPPER: x sits under w's top-left 2×2 → 1·1 + 2·2 + 4·3 + 5·4 = 37.
    // LOWER: under w's bottom-right 2×2 → 5·1 + 6·2 + 8·3 + 9·4 = 77.
    {
      x: t([1, 1, 2, 2], [1, 2, 3, 4]),
      w: iotaTensor([1, 1, 3, 3]),
      strides: [3, 3],
      shape: [1, 1, 1, 1],
      upper: { pads: [0, 0, 1, 1], expected: [37] },
      lower: { pads: [1, 1, 0, 0], expected: [77] },
    },
  ];

  describe.each(
    cases.map((c) => ({ ...c, name: `x=${JSON.stringify(c.x.shape)} w=${JSON.stringify(c.w.shape)} s=${c.strides.join(',')} p=same` })),
  )('$name', (c) => {
    const rank = c.strides.length;
    const ones = new Array<number>(rank).fill(1);
    const pads = (mode: AutoPad) => resolveAutoPad(c.x.shape.slice(2), c.w.shape.slice(2), c.strides, ones, mode);

    it('resolveAutoPad puts the odd pixel at the end for UPPER and at the beginning for LOWER', () => {
      expect(pads('SAME_UPPER')).toEqual(c.upper.pads);
      expect(pads('SAME_LOWER')).toEqual(c.lower.pads);
    });

    it('the two modes give different outputs', () => {
      expect(c.upper.expected).not.toEqual(c.lower.expected);
    });

    it.each(KERNELS)('$name', async (kernel) => {
      // As given, and with a zero input channel (weights 7) added: same outputs, general lowering.
      const problems = [
        ['C=1', c.x, c.w],
        ['C=2', withExtraChannel(c.x, 0, 'last'), withExtraChannel(c.w, 7, 'last')],
      ] as const;
      for (const [channels, x, w] of problems) {
        for (const [mode, side] of [
          ['SAME_UPPER', c.upper],
          ['SAME_LOWER', c.lower],
        ] as const) {
          const y = await runConv(kernel, x, w, undefined, attrs(rank, { strides: c.strides, pads: pads(mode) }));
          expectTensorEqual(y, { shape: c.shape, data: side.expected }, `${kernel.name} ${mode} ${channels}`);
        }
      }
    });
  });

  it.each(KERNELS)('x=[1,1,5] w=[1,1,3] p=same: even total padding, UPPER and LOWER agree ($name)', async (kernel) => {
    const x = iotaTensor([1, 1, 5]);
    const w = t([1, 1, 3], [1, 10, 100]);
    const upper = resolveAutoPad([5], [3], [1], [1], 'SAME_UPPER');
    const lower = resolveAutoPad([5], [3], [1], [1], 'SAME_LOWER');
    expect(upper).toEqual([1, 1]);
    expect(lower).toEqual([1, 1]);
    // [0,1,2,3,4,5,0] → 0+10+200, 1+20+300, 2+30+400, 3+40+500, 4+50+0
    const y = await runConv(kernel, x, w, undefined, attrs(1, { pads: upper }));
    expectTensorEqual(y, { shape: [1, 1, 5], data: [210, 321, 432, 543, 54] }, kernel.name);
  });
});

describe('resolveAutoPad', () => {
  // [D, k, s, d] → SAME_UPPER pads, SAME_LOWER pads. Worked out from: O = ceil(D/s),
  // total = max(0, (O−1)·s + d·(k−1)+1 − D); UPPER begin = floor(total/2), LOWER begin = ceil(total/2).
  const table: ReadonlyArray<
    readonly [string, readonly number[], readonly number[], readonly number[], readonly number[], readonly number[], readonly number[]]
  > = [
    // name, D, k, s, d, upper, lower
    ['D=5 k=2 s=1: total 1', [5], [2], [1], [1], [0, 1], [1, 0]],
    ['D=5 k=3 s=1: total 2', [5], [3], [1], [1], [1, 1], [1, 1]],
    ['D=5 k=3 s=2: O=3, total 2·2+3−5 = 2', [5], [3], [2], [1], [1, 1], [1, 1]],
    ['D=6 k=3 s=2: O=3, total 2·2+3−6 = 1', [6], [3], [2], [1], [0, 1], [1, 0]],
    ['D=10 k=4 s=3: O=4, total 3·3+4−10 = 3', [10], [4], [3], [1], [1, 2], [2, 1]],
    ['D=7 k=1 s=3: O=3, total 0', [7], [1], [3], [1], [0, 0], [0, 0]],
    ['D=3 k=1 s=5 (stride > input): O=1, total max(0, 1−3) = 0', [3], [1], [5], [1], [0, 0], [0, 0]],
    ['D=2 k=3 s=4 (stride > input): O=1, total 3−2 = 1', [2], [3], [4], [1], [0, 1], [1, 0]],
    ['D=1 k=5 s=1 (kernel > input): total 4', [1], [5], [1], [1], [2, 2], [2, 2]],
    ['D=4 k=3 s=1 d=2: extent 5, total 3+5−4 = 4', [4], [3], [1], [2], [2, 2], [2, 2]],
    ['D=4 k=2 s=2 d=2: extent 3, O=2, total 2+3−4 = 1', [4], [2], [2], [2], [0, 1], [1, 0]],
    // 2-D: axis 0 D=4 k=3 s=2 → total 1; axis 1 D=5 k=3 s=1 → total 2. Begins first, then ends.
    ['D=[4,5] k=[3,3] s=[2,1]', [4, 5], [3, 3], [2, 1], [1, 1], [0, 1, 1, 1], [1, 1, 0, 1]],
    // 3-D: axis 0 D=3 k=2 s=1 → 1; axis 1 D=4 k=2 s=2 → O=2, total 0; axis 2 D=5 k=2 s=3 d=2 → O=2, 3+3−5 = 1.
    ['D=[3,4,5] k=[2,2,2] s=[1,2,3] d=[1,1,2]', [3, 4, 5], [2, 2, 2], [1, 2, 3], [1, 1, 2], [0, 0, 0, 1, 0, 1], [1, 0, 1, 0, 0, 0]],
  ];

  it.each(table)('%s', (_name, D, k, s, d, upper, lower) => {
    expect(resolveAutoPad(D, k, s, d, 'SAME_UPPER')).toEqual(upper);
    expect(resolveAutoPad(D, k, s, d, 'SAME_LOWER')).toEqual(lower);
    expect(resolveAutoPad(D, k, s, d, 'VALID')).toEqual(new Array<number>(2 * D.length).fill(0));
  });

  it('SAME output size is ceil(D/s), with |begin − end| ≤ 1 and the odd pixel at the end (UPPER) or beginning (LOWER)', () => {
    let checked = 0;
    for (let D = 1; D <= 12; D++) {
      for (let k = 1; k <= 4; k++) {
        for (let s = 1; s <= 4; s++) {
          for (let d = 1; d <= 3; d++) {
            for (const mode of ['SAME_UPPER', 'SAME_LOWER'] as const) {
              const pads = resolveAutoPad([D], [k], [s], [d], mode);
              const [begin, end] = pads;
              const g = convGeometryOfShapes([1, 1, D], [1, 1, k], undefined, attrs(1, { strides: [s], dilations: [d], pads }));
              const where = `D=${D} k=${k} s=${s} d=${d} ${mode} pads=[${pads}]`;
              expect(g.outSpatial, where).toEqual([Math.ceil(D / s)]);
              expect(mode === 'SAME_UPPER' ? end - begin : begin - end, where).toBeOneOf([0, 1]);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(12 * 4 * 4 * 3 * 2);
  });

  it('VALID output size is floor((D − extent)/s) + 1', () => {
    // D=7, k=3, s=2, d=1: floor(4/2)+1 = 3; D=7, k=3, s=1, d=2: extent 5 → 3; D=7, k=7, s=3 → 1.
    for (const [D, k, s, d, o] of [
      [7, 3, 2, 1, 3],
      [7, 3, 1, 2, 3],
      [7, 7, 3, 1, 1],
    ] as const) {
      const pads = resolveAutoPad([D], [k], [s], [d], 'VALID');
      expect(pads).toEqual([0, 0]);
      expect(convGeometryOfShapes([1, 1, D], [1, 1, k], undefined, attrs(1, { strides: [s], dilations: [d], pads })).outSpatial).toEqual([
        o,
      ]);
    }
  });
});

describe('dense (Gemm transB=1, y = x·wᵀ + b)', () => {
  interface DenseCase {
    readonly name: string;
    readonly x: Tensor;
    readonly w: Tensor;
    readonly b?: Tensor;
    readonly expected: readonly number[];
    readonly shape: readonly number[];
  }
  // x = [[1,2,3],[4,5,6]], w = [[1,0,−1],[2,1,0]]: rows · w rows → [1−3, 2+2], [4−6, 8+5].
  const x23 = t([2, 3], iota(6));
  const w23 = t([2, 3], [1, 0, -1, 2, 1, 0]);
  const cases: readonly DenseCase[] = [
    { name: 'x=[2,3] w=[2,3] bias=no', x: x23, w: w23, shape: [2, 2], expected: [-2, 4, -2, 13] },
    { name: 'x=[2,3] w=[2,3] bias=yes', x: x23, w: w23, b: t([2], [10, 20]), shape: [2, 2], expected: [8, 24, 8, 33] },
    { name: 'x=[1,1] w=[1,1] bias=no', x: t([1, 1], [3]), w: t([1, 1], [4]), shape: [1, 1], expected: [12] },
    // One output feature over three samples: [1+2, 3+4, 5+6] − 1.
    { name: 'x=[3,2] w=[1,2] bias=yes', x: t([3, 2], iota(6)), w: t([1, 2], [1, 1]), b: t([1], [-1]), shape: [3, 1], expected: [2, 6, 10] },
    // w is [M, K]: y[m] = Σ_k x[k]·w[m][k] = [1, 3, 1+20+300]; reading w as [K, M] would give [4, 30, 302].
    {
      name: 'x=[1,3] w=[3,3] bias=no (w rows are output features)',
      x: t([1, 3], [1, 2, 3]),
      w: t([3, 3], [1, 0, 0, 0, 0, 1, 1, 10, 100]),
      shape: [1, 3],
      expected: [1, 3, 321],
    },
  ];
  describe.each(cases)('$name', (c) => {
    it.each(KERNELS)('$name', async (kernel) => {
      const y = await runDense(kernel, c.x, c.w, c.b);
      expectTensorEqual(y, { shape: c.shape, data: c.expected }, kernel.name);
    });
  });
});
