/**
 * The question this project answers, worked out: "is a fully connected layer a convolution?"
 * A 3-input, 2-output layer f(x) = ReLU(Wx + b) computed as FC, as a 1×1 conv and as a conv
 * whose kernel covers its whole input — then the textbook cases, LeNet-5's C5 and VGG's fc6–fc8.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import { fcToConv, flatten, linearToConv1x1, type FlattenOrder } from '../src/fc-as-conv/conversions.js';
import { sizeOf } from '../src/tensor.js';
import { attrs, expectTensorEqual, fcByHand, KERNELS, randomIntTensor, relu, reshape, runConv, runDense, t } from './helpers/index.js';

describe('f(x) = ReLU(Wx + b), W = [[0,1,1],[2,3,5]], b = [8,13]', () => {
  const W = t([2, 3], [0, 1, 1, 2, 3, 5]);
  const b = t([2], [8, 13]);

  // Six inputs, one per row, and Wx + b worked out by hand:
  //   [1, 2, 3]    → [0+2+3+8,   2+6+15+13]   = [13, 36]
  //   [0, 0, 0]    → [8, 13]                   (the bias alone)
  //   [−1, −2, −3] → [−2−3+8,    −2−6−15+13]  = [3, −10]  → ReLU clips the second
  //   [0, −5, −5]  → [−5−5+8,    −15−25+13]   = [−2, −27] → ReLU clips both
  //   [1, −4, 0]   → [−4+8,      2−12+13]     = [4, 3]
  //   [2, −5, −1]  → [−5−1+8,    4−15−5+13]   = [2, −3]   → ReLU clips the second
  const x = t([6, 3], [1, 2, 3, 0, 0, 0, -1, -2, -3, 0, -5, -5, 1, -4, 0, 2, -5, -1]);
  const affine = [13, 36, 8, 13, 3, -10, -2, -27, 4, 3, 2, -3];
  const activated = [13, 36, 8, 13, 3, 0, 0, 0, 4, 3, 2, 0];

  it('has 3 inputs, 2 outputs and 6 weights + 2 biases = 8 parameters', () => {
    const [outputs, inputs] = W.shape;
    expect([inputs, outputs]).toEqual([3, 2]);
    expect(W.data.length).toBe(6);
    expect(b.data.length).toBe(2);
    expect(W.data.length + b.data.length).toBe(inputs * outputs + outputs);
    expect(W.data.length + b.data.length).toBe(8);
    // The conv forms below carry exactly the same 8 numbers.
    expect(linearToConv1x1(W, 2).data.length + b.data.length).toBe(8);
    expect(fcToConv(W, [1, 3], 'channels-first').data.length + b.data.length).toBe(8);
  });

  it('ReLU clips exactly the negative entries worked out above', () => {
    expectTensorEqual(relu(t([6, 2], affine)), { shape: [6, 2], data: activated });
  });

  describe.each(KERNELS)('$name', (kernel) => {
    it('as a fully connected layer: dense(x [6,3], W [2,3])', async () => {
      const y = await runDense(kernel, x, W, b);
      expectTensorEqual(y, { shape: [6, 2], data: affine });
      expectTensorEqual(relu(y), { shape: [6, 2], data: activated });
    });

    // The 3 inputs as 3 channels of a single pixel: x [6, 3, 1, 1], w [2, 3, 1, 1].
    // A 1×1 conv is the linear layer applied at every position — here there is one position.
    it('as a 1×1 conv: x=[6,3,1,1] w=[2,3,1,1]', async () => {
      const y = await runConv(kernel, reshape(x, [6, 3, 1, 1]), linearToConv1x1(W, 2), b, attrs(2));
      expectTensorEqual(relu(y), { shape: [6, 2, 1, 1], data: activated });
    });

    // The 3 inputs as one channel of a length-3 signal: x [6, 1, 3], w [2, 1, 3]. This is the
    // natural reading of "an FC layer is a conv whose kernel covers the whole input": the kernel
    // is as wide as the input, so it fits at exactly one position, and at that position it sees
    // every input once — the dot product Wx. With one channel both flatten orders agree.
    it('as a full-extent conv: x=[6,1,3] w=[2,1,3]', async () => {
      const w = fcToConv(W, [1, 3], 'channels-first');
      expectTensorEqual(fcToConv(W, [1, 3], 'channels-last'), w);
      expectTensorEqual(w, { shape: [2, 1, 3], data: [0, 1, 1, 2, 3, 5] });
      const y = await runConv(kernel, reshape(x, [6, 1, 3]), w, b, attrs(1));
      expectTensorEqual(relu(y), { shape: [6, 2, 1], data: activated });
    });

    // Slid along a longer signal, the same kernel applies the FC layer to every window of 3
    // (fully convolutional networks). Signal [1, 2, 3, −1, −2, −5]; windows by hand:
    //   [1,2,3] → [13, 36]; [2,3,−1] → [3−1+8, 4+9−5+13] = [10, 21];
    //   [3,−1,−2] → [−1−2+8, 6−3−10+13] = [5, 6]; [−1,−2,−5] → [−2−5+8, −2−6−25+13] = [1, −20].
    it('slid over a longer input: x=[1,1,6] w=[2,1,3] gives the FC on every window', async () => {
      const y = await runConv(kernel, t([1, 1, 6], [1, 2, 3, -1, -2, -5]), fcToConv(W, [1, 3], 'channels-first'), b, attrs(1));
      expectTensorEqual(y, { shape: [1, 2, 4], data: [13, 10, 5, 1, 36, 21, 6, -20] });
      expectTensorEqual(relu(y), { shape: [1, 2, 4], data: [13, 10, 5, 1, 36, 21, 6, 0] });
    });
  });
});

/** dense(flatten(x, order), W, b) and conv(x, fcToConv(W, [C, ...D], order), b), both checked against the hand formula. */
async function fcAndConv(kernel: KernelUnderTest, x: Tensor, W: Tensor, b: Tensor, order: FlattenOrder) {
  const [N, ...inputShape] = x.shape;
  const M = W.shape[0];
  const rank = inputShape.length - 1;
  const expected = fcByHand(x, W, b, order);
  const fc = await runDense(kernel, flatten(x, order), W, b);
  expectTensorEqual(fc, { shape: [N, M], data: expected }, `${kernel.name} FC`);
  const conv = await runConv(kernel, x, fcToConv(W, inputShape, order), b, attrs(rank));
  expectTensorEqual(conv, { shape: [N, M, ...new Array<number>(rank).fill(1)], data: expected }, `${kernel.name} conv`);
  return { fc, conv };
}

describe.each(['channels-first', 'channels-last'] as const)('%s', (order) => {
  // LeNet-5's C5: 16 maps of 5×5 → 120 units, "a convolutional layer with 5×5 kernels" on a 5×5
  // input, i.e. fully connected. 120 reduced to 12 here; 16·5·5·12 + 12 = 4812 parameters either way.
  describe.each(KERNELS)('LeNet-5 C5: x=[2,16,5,5] w=[12,16,5,5] ≡ FC [12,400] ($name)', (kernel) => {
    it('FC and 5×5 conv agree exactly', async () => {
      const x = randomIntTensor([2, 16, 5, 5], 501);
      const W = randomIntTensor([12, 400], 502);
      const b = randomIntTensor([12], 503);
      expect(fcToConv(W, [16, 5, 5], order).shape).toEqual([12, 16, 5, 5]);
      expect(W.data.length + b.data.length).toBe(16 * 5 * 5 * 12 + 12);
      const { fc, conv } = await fcAndConv(kernel, x, W, b, order);
      expect(Array.from(conv.data)).toEqual(Array.from(fc.data));
    });
  });

  // VGG-16's fc6 takes the 7×7×512 pool5 map to 4096 units: as a conv, 4096 filters of 7×7×512.
  // fc7 (4096 → 4096) and fc8 (4096 → 1000) are then 1×1 convs. Reduced: 7×7×8 → 16 → 16 → 10.
  // Small integers (|x|, |w| ≤ 2) keep every sum below 2^24, so float32 stays exact.
  describe.each(KERNELS)('VGG fc6–fc8: x=[2,8,7,7] → 16 → 16 → 10 ($name)', (kernel) => {
    const x = randomIntTensor([2, 8, 7, 7], 601, -2, 2);
    const W6 = randomIntTensor([16, 8 * 7 * 7], 602, -2, 2);
    const b6 = randomIntTensor([16], 603, -2, 2);
    const W7 = randomIntTensor([16, 16], 604, -2, 2);
    const b7 = randomIntTensor([16], 605, -2, 2);
    const W8 = randomIntTensor([10, 16], 606, -2, 2);
    const b8 = randomIntTensor([10], 607, -2, 2);

    /** The FC network on x [N, 8, 7, 7]: flatten → fc6 → ReLU → fc7 → ReLU → fc8, → [N, 10]. */
    async function asFc(input: Tensor): Promise<Tensor> {
      const h6 = relu(await runDense(kernel, flatten(input, order), W6, b6));
      const h7 = relu(await runDense(kernel, h6, W7, b7));
      return runDense(kernel, h7, W8, b8);
    }

    /** The same network as convs: 7×7 conv → ReLU → 1×1 conv → ReLU → 1×1 conv. */
    async function asConv(input: Tensor): Promise<Tensor> {
      const h6 = relu(await runConv(kernel, input, fcToConv(W6, [8, 7, 7], order), b6, attrs(2)));
      const h7 = relu(await runConv(kernel, h6, linearToConv1x1(W7, 2), b7, attrs(2)));
      return runConv(kernel, h7, linearToConv1x1(W8, 2), b8, attrs(2));
    }

    it('fc6 as a 7×7 conv matches the FC on the flattened map', async () => {
      await fcAndConv(kernel, x, W6, b6, order);
    });

    it('fc6–fc8 as FC and as convs give the same [2,10] scores', async () => {
      const fc = await asFc(x);
      const conv = await asConv(x);
      expect(fc.shape).toEqual([2, 10]);
      expectTensorEqual(conv, { shape: [2, 10, 1, 1], data: fc.data });
      // Not trivially zero: ReLU must have let something through.
      expect(Array.from(fc.data).some((v) => v !== 0)).toBe(true);
    });

    // Fully convolutional: on a 9×9 input the conv network returns a 3×3 map of scores, each the
    // FC network applied to one 7×7 window.
    it('on a larger 9×9 input the convs give the FC network on every 7×7 window', async () => {
      const big = randomIntTensor([1, 8, 9, 9], 608, -2, 2);
      const map = await asConv(big);
      expect(map.shape).toEqual([1, 10, 3, 3]);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const scores = await asFc(window(big, i, j, 7));
          const atPosition = Array.from({ length: 10 }, (_, m) => map.data[m * 9 + i * 3 + j]);
          expect(atPosition, `window (${i},${j})`).toEqual(Array.from(scores.data));
        }
      }
    });
  });
});

/** The size×size window of x [1, C, H, W] whose top-left corner is (i, j), as [1, C, size, size]. */
function window(x: Tensor, i: number, j: number, size: number): Tensor {
  const [, C, H, Wd] = x.shape;
  const out: number[] = [];
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < size; r++) {
      for (let s = 0; s < size; s++) out.push(x.data[(c * H + i + r) * Wd + j + s]);
    }
  }
  expect(out.length).toBe(sizeOf([C, size, size]));
  return t([1, C, size, size], out);
}
