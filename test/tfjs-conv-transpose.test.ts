/** The tfjs adapter's ConvTranspose (composed from tf.conv2dTranspose / conv3dTranspose) and fused activations, by example. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../src/contract.js';
import { createTfjsKernel } from '../src/adapters/tfjs.js';
import { referenceConvTranspose } from '../src/operators/conv-transpose/reference.js';
import { tensor } from '../src/tensor.js';

let cpu: KernelUnderTest;
beforeAll(async () => {
  cpu = await createTfjsKernel('cpu');
});

describe('tfjs:cpu convTranspose', () => {
  const cases = [
    {
      name: 'x=[1,2,3,3] w=[2,1,3,2] s=[2,1] p=[1,0,0,1] op=[1,0] bias',
      x: [1, 2, 3, 3],
      w: [2, 1, 3, 2],
      attrs: { strides: [2, 1], pads: [1, 0, 0, 1], dilations: [1, 1], group: 1, outputPadding: [1, 0] },
      bias: true,
    },
    {
      name: 'x=[2,2,4] w=[2,3,2] d=2 op=1 (dilation > stride)',
      x: [2, 2, 4],
      w: [2, 3, 2],
      attrs: { strides: [1], pads: [0, 1], dilations: [2], group: 1, outputPadding: [1] },
      bias: false,
    },
    {
      name: 'x=[1,4,2,2,2] w=[4,1,2,2,2] group=2 s=2',
      x: [1, 4, 2, 2, 2],
      w: [4, 1, 2, 2, 2],
      attrs: { strides: [2, 2, 2], pads: [0, 0, 0, 1, 1, 1], dilations: [1, 1, 1], group: 2, outputPadding: [1, 1, 0] },
      bias: true,
    },
    {
      // finite x: each group runs one transpose with the zero-inserted kernel
      name: 'x=[2,6,3,2] w=[6,2,2,3] group=3 d=[2,3] s=[2,1] op=[1,0] bias',
      x: [2, 6, 3, 2],
      w: [6, 2, 2, 3],
      attrs: { strides: [2, 1], pads: [1, 2, 0, 1], dilations: [2, 3], group: 3, outputPadding: [1, 0] },
      bias: true,
    },
    {
      // an infinite x in groups 0 and 1 (batch 1): they run tap by tap, group 2 with the zero-inserted kernel
      name: 'x=[2,6,3,2] w=[6,2,2,3] group=3 d=[2,3] with x = Infinity in groups 0 and 1',
      x: [2, 6, 3, 2],
      w: [6, 2, 2, 3],
      attrs: { strides: [2, 1], pads: [1, 2, 0, 1], dilations: [2, 3], group: 3, outputPadding: [1, 0] },
      bias: true,
      special: [6 * 3 * 2 + 2 * 3 * 2 + 1, 6 * 3 * 2 + 1 * 3 * 2 + 4],
    },
    {
      name: 'x=[1,4,5] w=[4,1,3] depthwise d=2 with x = NaN in channel 3',
      x: [1, 4, 5],
      w: [4, 1, 3],
      attrs: { strides: [1], pads: [2, 2], dilations: [2], group: 4, outputPadding: [0] },
      bias: false,
      special: [3 * 5 + 2],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const xs = Array.from({ length: n(c.x) }, (_, i) => ((i * 7) % 11) - 5);
      for (const at of ('special' in c ? c.special : undefined) ?? []) xs[at] = c.bias ? Number.POSITIVE_INFINITY : Number.NaN;
      const x = tensor(c.x, xs, 'float32');
      const w = tensor(
        c.w,
        Array.from({ length: n(c.w) }, (_, i) => ((i * 5) % 7) - 3),
        'float32',
      );
      const M = c.w[1] * c.attrs.group;
      const b = c.bias
        ? tensor(
            [M],
            Array.from({ length: M }, (_, i) => i + 1),
            'float32',
          )
        : undefined;
      const ref = referenceConvTranspose(x, w, b, c.attrs).output;
      const y = await cpu.convTranspose!(x, w, b, c.attrs);
      expect(y.shape).toEqual(ref.shape);
      expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    });
  }
});

describe('tfjs:cpu fused activations', () => {
  it('fused.matMul and fused.conv2d with relu give ReLU(Wx + b) of the worked example', async () => {
    const x = [1, 2, 3, 0, 0, 0, -1, -2, -3, 0, -5, -5, 1, -4, 0, 2, -5, -1];
    const W = [0, 1, 1, 2, 3, 5];
    const activated = [13, 36, 8, 13, 3, 0, 0, 0, 4, 3, 2, 0];
    const d = await cpu.dense!(tensor([6, 3], x, 'float32'), tensor([2, 3], W, 'float32'), tensor([2], [8, 13], 'float32'), {
      activation: { kind: 'relu' },
    });
    expect(Array.from(d.data)).toEqual(activated);
    const c = await cpu.conv!(tensor([6, 3, 1, 1], x, 'float32'), tensor([2, 3, 1, 1], W, 'float32'), tensor([2], [8, 13], 'float32'), {
      strides: [1, 1],
      pads: [0, 0, 0, 0],
      dilations: [1, 1],
      group: 1,
      activation: { kind: 'relu' },
    });
    expect(Array.from(c.data)).toEqual(activated);
  });
  it('refuses kinds tfjs does not fuse (clip, tanh): they are not declared', async () => {
    expect(cpu.capabilities?.activations).toEqual(['relu', 'relu6', 'leakyRelu', 'sigmoid']);
    const t = tensor([1, 1, 1, 1], [1], 'float32');
    await expect(
      cpu.conv!(t, t, undefined, { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, activation: { kind: 'tanh' } }),
    ).rejects.toThrow(/not fused by tfjs/);
  });
});
