/**
 * FC ↔ conv conversions: flatten orders on hand-written examples, exact round trips, and the
 * equivalences the project exists to show — FC on a flattened map ≡ a conv whose kernel covers
 * the map, a per-position linear layer ≡ a 1×1 conv — with the wrong flatten order caught.
 */
import { describe, expect, it } from 'vitest';
import type { Precision, Tensor } from '../../src/contract.js';
import { convToFc, fcToConv, flatten, linearToConv1x1, type FlattenOrder } from '../../src/fc-as-conv/conversions.js';
import { linear } from '../../src/fc-as-conv/linear.js';
import { sizeOf, withPrecision } from '../../src/tensor.js';
import { attrs, expectTensorEqual, fcByHand, iota, KERNELS, randomIntTensor, reshape, runConv, runDense, t } from '../helpers/index.js';

const ORDERS: readonly FlattenOrder[] = ['channels-first', 'channels-last'];

/** `[C, ...D]` per spatial rank, with C ≠ ∏D so a mixed-up order cannot go unnoticed. */
const INPUT_SHAPES: Readonly<Record<1 | 2 | 3, readonly number[]>> = { 1: [3, 5], 2: [3, 2, 4], 3: [2, 3, 2, 2] };

/** The bytes of a typed array, for bit-identity (distinguishes −0 from +0, keeps NaN). */
function bytes(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Awkward values: fractions, ±0, ±Infinity, NaN, subnormals, values not exact in float32. */
function awkwardData(n: number, precision: Precision): Float32Array | Float64Array {
  const specials = [0.1, -0, 0, Infinity, -Infinity, NaN, 5e-324, 1.5e-45, -1 / 3, Math.PI, 65504, -1e30];
  const a = Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i] : ((i * 0.37) % 7) - 3.1));
  return precision === 'float32' ? Float32Array.from(a) : Float64Array.from(a);
}

describe('flatten', () => {
  // ch0 = [[1,2],[3,4]], ch1 = [[5,6],[7,8]]. channels-first reads (c, h, w): 1..8;
  // channels-last reads (h, w, c): (0,0) → 1, 5; (0,1) → 2, 6; (1,0) → 3, 7; (1,1) → 4, 8.
  it.each([
    ['x=[1,2,2,2]', [1, 2, 2, 2], 'channels-first', [1, 8], [1, 2, 3, 4, 5, 6, 7, 8]],
    ['x=[1,2,2,2]', [1, 2, 2, 2], 'channels-last', [1, 8], [1, 5, 2, 6, 3, 7, 4, 8]],
    // Rank 1, two samples: per sample ch0 = [1,2,3] / [7,8,9], ch1 = [4,5,6] / [10,11,12].
    ['x=[2,2,3]', [2, 2, 3], 'channels-first', [2, 6], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
    ['x=[2,2,3]', [2, 2, 3], 'channels-last', [2, 6], [1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12]],
    // Three channels of length 2: ch0 = [1,2], ch1 = [3,4], ch2 = [5,6].
    ['x=[1,3,2]', [1, 3, 2], 'channels-last', [1, 6], [1, 3, 5, 2, 4, 6]],
    // Rank 3, ch0 = 1..4, ch1 = 5..8 over a 1×2×2 volume.
    ['x=[1,2,1,2,2]', [1, 2, 1, 2, 2], 'channels-last', [1, 8], [1, 5, 2, 6, 3, 7, 4, 8]],
    // No spatial axes: both orders are the identity.
    ['x=[2,3]', [2, 3], 'channels-last', [2, 3], [1, 2, 3, 4, 5, 6]],
  ] as const)('%s %s', (_name, shape, order, outShape, expected) => {
    const x = t(shape, iota(sizeOf(shape)));
    expectTensorEqual(flatten(x, order), { shape: outShape, data: expected });
  });

  it.each(ORDERS)('%s returns a new array of the same type and leaves x alone', (order) => {
    for (const precision of ['float32', 'float64'] as const) {
      const x = t([1, 2, 2, 2], iota(8), precision);
      const y = flatten(x, order);
      expect(y.data).toBeInstanceOf(precision === 'float32' ? Float32Array : Float64Array);
      expect(y.data).not.toBe(x.data);
      y.data[0] = 99;
      expect(Array.from(x.data)).toEqual(iota(8));
    }
  });
});

describe('conversions name the tensor that is malformed', () => {
  const bad = { shape: [2, 6], data: new Float64Array(11) };
  it('fcToConv, convToFc, linearToConv1x1: weight', () => {
    expect(() => fcToConv(bad, [3, 2], 'channels-first')).toThrow(expect.objectContaining({ fn: 'fcToConv', argument: 'weight' }));
    expect(() => convToFc({ shape: [2, 3, 2], data: new Float64Array(11) }, 'channels-first')).toThrow(
      expect.objectContaining({ fn: 'convToFc', argument: 'weight' }),
    );
    expect(() => linearToConv1x1(bad, 2)).toThrow(expect.objectContaining({ fn: 'linearToConv1x1', argument: 'weight' }));
  });

  it('linear: w and b; b must be [M]', async () => {
    const x = t([1, 3, 2], iota(6));
    await expect(linear(x, { shape: [2, 3], data: new Float64Array(5) })).rejects.toMatchObject({ fn: 'linear', argument: 'w' });
    await expect(linear(x, t([2, 3], iota(6)), { shape: [2], data: new Float64Array(3) })).rejects.toMatchObject({
      fn: 'linear',
      argument: 'b',
    });
    await expect(linear(x, t([2, 3], iota(6)), t([2, 1], [1, 2]))).rejects.toMatchObject({
      argument: 'b',
      message: 'linear: b shape [2,1] must be [2] (one bias per output channel)',
    });
  });

  it('linear on x=[2,3] (no spatial axes) is the dense layer', async () => {
    const y = await linear(t([2, 3], [1, 2, 3, 4, 5, 6]), t([1, 3], [1, 10, 100]), t([1], [0.5]));
    expect(y.shape).toEqual([2, 1]);
    expect(Array.from(y.data)).toEqual([321.5, 654.5]);
  });
});

describe('fcToConv and convToFc return new arrays', () => {
  it.each(ORDERS)("%s: the result never shares the input's buffer, in float32 and float64", (order) => {
    for (const precision of ['float32', 'float64'] as const) {
      const W = t([2, 6], iota(12), precision);
      const w = fcToConv(W, [3, 2], order);
      expect(w.data).toBeInstanceOf(precision === 'float32' ? Float32Array : Float64Array);
      expect(w.data.buffer).not.toBe(W.data.buffer);
      w.data.fill(99);
      expect(Array.from(W.data)).toEqual(iota(12));
      const back = convToFc(t([2, 3, 2], iota(12), precision), order);
      expect(back.data).toBeInstanceOf(precision === 'float32' ? Float32Array : Float64Array);
      const src = t([2, 3, 2], iota(12), precision);
      const fc = convToFc(src, order);
      expect(fc.data.buffer).not.toBe(src.data.buffer);
      fc.data.fill(-1);
      expect(Array.from(src.data)).toEqual(iota(12));
    }
  });
});

describe('fcToConv / convToFc', () => {
  // W = [0..7] for a [2,2,2] input. channels-last features are (h, w, c), so the kernel's
  // ch0 = W at (h,w,0) = [0,2,4,6] and ch1 = W at (h,w,1) = [1,3,5,7]; channels-first keeps W as is.
  it.each([
    ['channels-first', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['channels-last', [0, 2, 4, 6, 1, 3, 5, 7]],
  ] as const)('W=[1,8] → w=[1,2,2,2] %s', (order, expected) => {
    const W = t([1, 8], iota(8, 0));
    const w = fcToConv(W, [2, 2, 2], order);
    expectTensorEqual(w, { shape: [1, 2, 2, 2], data: expected });
    expectTensorEqual(convToFc(w, order), W);
  });

  describe.each(ORDERS)('%s', (order) => {
    describe.each([1, 2, 3] as const)('rank %d', (rank) => {
      const inputShape = INPUT_SHAPES[rank];
      const K = sizeOf(inputShape);
      it.each(['float32', 'float64'] as const)('round trips are bit-identical and keep the type (%s)', (precision) => {
        const W: Tensor = { shape: [4, K], data: awkwardData(4 * K, precision) };
        const w = fcToConv(W, inputShape, order);
        expect(w.shape).toEqual([4, ...inputShape]);
        expect(w.data).toBeInstanceOf(precision === 'float32' ? Float32Array : Float64Array);
        const back = convToFc(w, order);
        expect(back.shape).toEqual([4, K]);
        expect(back.data).toBeInstanceOf(W.data.constructor as Float32ArrayConstructor);
        expect(bytes(back.data)).toEqual(bytes(W.data));
        // And the other way round, starting from a conv weight.
        const w2: Tensor = { shape: [4, ...inputShape], data: awkwardData(4 * K, precision).reverse() };
        const again = fcToConv(convToFc(w2, order), inputShape, order);
        expect(again.shape).toEqual(w2.shape);
        expect(bytes(again.data)).toEqual(bytes(w2.data));
        // The source is left alone (its bytes match a fresh copy of the same data).
        expect(bytes(W.data)).toEqual(bytes(awkwardData(4 * K, precision)));
      });
    });
  });

  it('channels-last is a real permutation (differs from channels-first when C > 1 and ∏D > 1)', () => {
    const W = t([2, 24], iota(48));
    const first = fcToConv(W, [3, 2, 4], 'channels-first');
    const last = fcToConv(W, [3, 2, 4], 'channels-last');
    expect(Array.from(last.data)).not.toEqual(Array.from(first.data));
    expect([...last.data].sort((a, b) => a - b)).toEqual([...first.data].sort((a, b) => a - b));
  });
});

describe('dense(flatten(x, order), W) ≡ conv(x, fcToConv(W, [C, ...D], order))', () => {
  describe.each(ORDERS)('%s', (order) => {
    describe.each([1, 2, 3] as const)('rank %d', (rank) => {
      const inputShape = INPUT_SHAPES[rank];
      const K = sizeOf(inputShape);
      const x = randomIntTensor([2, ...inputShape], 10 + rank);
      const W = randomIntTensor([4, K], 20 + rank);
      const b = randomIntTensor([4], 30 + rank);
      const name = `x=[2,${inputShape}] W=[4,${K}]`;

      it.each(KERNELS)(`${name} ($name)`, async (kernel) => {
        const expected = fcByHand(x, W, b, order);
        const fc = await runDense(kernel, flatten(x, order), W, b);
        expectTensorEqual(fc, { shape: [2, 4], data: expected }, `${kernel.name} dense`);
        const conv = await runConv(kernel, x, fcToConv(W, inputShape, order), b, attrs(rank));
        expectTensorEqual(conv, { shape: [2, 4, ...new Array<number>(rank).fill(1)], data: expected }, `${kernel.name} conv`);
      });

      it.each(KERNELS)(`${name}: the wrong order gives a different result ($name)`, async (kernel) => {
        const other: FlattenOrder = order === 'channels-first' ? 'channels-last' : 'channels-first';
        const fc = await runDense(kernel, flatten(x, order), W, b);
        const wrong = await runConv(kernel, x, fcToConv(W, inputShape, other), b, attrs(rank));
        expect(Array.from(wrong.data)).not.toEqual(Array.from(fc.data));
      });
    });
  });

  // x = 1..8 as [1,2,2,2]; W picks feature 1. Flattened channels-first, feature 1 is x(c0,h0,w1) = 2;
  // channels-last, it is x(h0,w0,c1) = 5. Converting with the wrong order silently reads 2 for 5.
  it.each(KERNELS)('the classic bug on a hand example: Keras channels-last weights converted as channels-first ($name)', async (kernel) => {
    const x = t([1, 2, 2, 2], iota(8));
    const W = t([1, 8], [0, 1, 0, 0, 0, 0, 0, 0]);
    const keras = await runDense(kernel, flatten(x, 'channels-last'), W, undefined);
    expectTensorEqual(keras, { shape: [1, 1], data: [5] });
    const right = await runConv(kernel, x, fcToConv(W, [2, 2, 2], 'channels-last'), undefined, attrs(2));
    expectTensorEqual(right, { shape: [1, 1, 1, 1], data: [5] });
    const wrong = await runConv(kernel, x, fcToConv(W, [2, 2, 2], 'channels-first'), undefined, attrs(2));
    expectTensorEqual(wrong, { shape: [1, 1, 1, 1], data: [2] });
  });
});

describe('linear(x, W) ≡ conv(x, linearToConv1x1(W, rank))', () => {
  // x ch0 = [1,2,3], ch1 = [4,5,6]; W = [[1,1],[1,−1]]: sums [5,7,9] and differences [−3,−3,−3].
  it.each(KERNELS)('x=[1,2,3] w=[2,2] by hand ($name)', async (kernel) => {
    const x = withPrecision(t([1, 2, 3], iota(6)), kernel.precision);
    const W = withPrecision(t([2, 2], [1, 1, 1, -1]), kernel.precision);
    const expected = { shape: [1, 2, 3], data: [5, 7, 9, -3, -3, -3] };
    expectTensorEqual(await linear(x, W, undefined, kernel), expected, 'linear');
    const w = linearToConv1x1(W, 1);
    expect(w.shape).toEqual([2, 2, 1]);
    expectTensorEqual(await runConv(kernel, x, w, undefined, attrs(1)), expected, 'conv');
  });

  describe.each([1, 2, 3] as const)('rank %d', (rank) => {
    const spatial = ([[5], [3, 4], [2, 3, 2]] as const)[rank - 1];
    const x = randomIntTensor([2, 3, ...spatial], 40 + rank);
    const W = randomIntTensor([4, 3], 50 + rank);
    const b = randomIntTensor([4], 60 + rank);

    it('linearToConv1x1 keeps the values and appends size-1 axes', () => {
      const w = linearToConv1x1(W, rank);
      expect(w.shape).toEqual([4, 3, ...new Array<number>(rank).fill(1)]);
      expect(Array.from(w.data)).toEqual(Array.from(W.data));
      expect(w.data).not.toBe(W.data);
    });

    it.each(KERNELS)(`x=[2,3,${spatial}] W=[4,3] bias=yes ($name)`, async (kernel) => {
      // By hand: y[n, m, p] = b[m] + Σ_c W[m, c] · x[n, c, p].
      const P = sizeOf(spatial);
      const expected: number[] = [];
      for (let n = 0; n < 2; n++) {
        for (let m = 0; m < 4; m++) {
          for (let p = 0; p < P; p++) {
            let s = b.data[m];
            for (let c = 0; c < 3; c++) s += W.data[m * 3 + c] * x.data[(n * 3 + c) * P + p];
            expected.push(s);
          }
        }
      }
      const shape = [2, 4, ...spatial];
      const [xk, Wk, bk] = [x, W, b].map((v) => withPrecision(v, kernel.precision));
      expectTensorEqual(await linear(xk, Wk, bk, kernel), { shape, data: expected }, 'linear');
      expectTensorEqual(await runConv(kernel, x, linearToConv1x1(W, rank), b, attrs(rank)), { shape, data: expected }, 'conv');
      expectTensorEqual(
        await runConv(kernel, x, linearToConv1x1(W, rank), undefined, attrs(rank)),
        {
          shape,
          data: expected.map((v, i) => v - b.data[Math.floor(i / P) % 4]),
        },
        'conv bias=no',
      );
    });
  });
});

describe('dense on [N, C] ≡ 1×1 conv on [N, C, 1, …, 1]', () => {
  describe.each([1, 2, 3] as const)('rank %d', (rank) => {
    const ones = new Array<number>(rank).fill(1);
    const x = randomIntTensor([3, 5], 70 + rank);
    const W = randomIntTensor([2, 5], 80 + rank);
    const b = randomIntTensor([2], 90 + rank);
    it.each(KERNELS)(`x=[3,5,${ones}] w=[2,5,${ones}] ($name)`, async (kernel) => {
      const fc = await runDense(kernel, x, W, b);
      // By hand, so that a shared mistake of dense and conv would still show.
      const expected = fcByHand(x, W, b, 'channels-first');
      expectTensorEqual(fc, { shape: [3, 2], data: expected }, 'dense');
      const conv = await runConv(kernel, reshape(x, [3, 5, ...ones]), linearToConv1x1(W, rank), b, attrs(rank));
      expectTensorEqual(conv, { shape: [3, 2, ...ones], data: expected }, 'conv');
    });
  });
});
