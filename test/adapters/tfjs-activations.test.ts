/**
 * tfjs:cpu applies the fused activations it declares on the paths tfjs does not fuse itself —
 * depthwise 2-D with explicit pads, 3-D conv, ConvTranspose — as a separate op after the bias:
 * checked against the float64 reference with the activation applied, on small integer data (the
 * conv sums are exact in float32; sigmoid within a few float32 ulps). An activation tfjs does not
 * have (tanh) is refused with a message, as the capabilities say.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../src/activation.js';
import { applyActivation } from '../../src/activation.js';
import { createTfjsKernel } from '../../src/adapters/tfjs.js';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { referenceConv } from '../../src/operators/conv/reference.js';
import { referenceConvTranspose } from '../../src/operators/conv-transpose/reference.js';

let k: KernelUnderTest;
beforeAll(async () => {
  k = await createTfjsKernel('cpu');
});

const tensor = (shape: number[], seed: number): Tensor => {
  const n = shape.reduce((a, d) => a * d, 1);
  // small integers in [-3, 3]: every product and sum is exact in float32
  return { shape, data: Float32Array.from({ length: n }, (_, i) => ((i * 5 + seed * 3) % 7) - 3) };
};
const ACTIVATIONS: Activation[] = [{ kind: 'relu' }, { kind: 'relu6' }, { kind: 'leakyRelu', alpha: 0.5 }, { kind: 'sigmoid' }];

function expectActivated(actual: Tensor, reference: Tensor, a: Activation): void {
  expect(actual.shape).toEqual(reference.shape);
  const want = Array.from(reference.data, (v) => applyActivation(a, v));
  const got = Array.from(actual.data);
  want.forEach((v, i) => {
    if (a.kind === 'sigmoid') expect(Math.abs(got[i] - v), `at ${i}`).toBeLessThanOrEqual(4 * 2 ** -24);
    else expect(got[i], `at ${i}`).toBe(v);
  });
  expect(new Set(Array.from(reference.data, (v) => Math.sign(v))).size, 'the data reach both sides of the activation').toBeGreaterThan(1);
}

describe('tfjs:cpu activations applied as a separate op', () => {
  for (const a of ACTIVATIONS) {
    it(`${a.kind}: depthwise x=[1,2,4,4] w=[2,1,3,3] group=2 pads=[1,0,0,1]; conv3d x=[1,2,3,3,3] w=[2,2,2,2,2] pads 1; ConvTranspose x=[1,2,3,3] w=[2,2,2,2] s=2`, async () => {
      const x2 = tensor([1, 2, 4, 4], 1);
      const wd = tensor([2, 1, 3, 3], 2);
      const b2 = tensor([2], 3);
      const dw = { strides: [1, 1], pads: [1, 0, 0, 1], dilations: [1, 1], group: 2 };
      expectActivated(await k.conv!(x2, wd, b2, { ...dw, activation: a }), referenceConv(x2, wd, b2, dw).output, a);

      const x3 = tensor([1, 2, 3, 3, 3], 4);
      const w3 = tensor([2, 2, 2, 2, 2], 5);
      const c3 = { strides: [1, 1, 1], pads: [1, 1, 1, 1, 1, 1], dilations: [1, 1, 1], group: 1 };
      expectActivated(await k.conv!(x3, w3, undefined, { ...c3, activation: a }), referenceConv(x3, w3, undefined, c3).output, a);

      const xt = tensor([1, 2, 3, 3], 6);
      const wt = tensor([2, 2, 2, 2], 0);
      const bt = tensor([2], 1);
      const ct = { strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, outputPadding: [0, 0] };
      expectActivated(await k.convTranspose!(xt, wt, bt, { ...ct, activation: a }), referenceConvTranspose(xt, wt, bt, ct).output, a);
    });
  }
  it('tanh, which tfjs does not fuse and the kernel does not declare, is refused by name', async () => {
    expect(k.capabilities?.activations).not.toContain('tanh');
    const x = tensor([1, 1, 3, 3, 3], 1);
    const w = tensor([1, 1, 2, 2, 2], 2);
    await expect(
      Promise.resolve().then(() =>
        k.conv!(x, w, undefined, {
          strides: [1, 1, 1],
          pads: [0, 0, 0, 0, 0, 0],
          dilations: [1, 1, 1],
          group: 1,
          activation: { kind: 'tanh' },
        }),
      ),
    ).rejects.toThrow(/activation tanh is not fused by tfjs/);
  });
});
