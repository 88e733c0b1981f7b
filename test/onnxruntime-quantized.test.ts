/**
 * onnxruntime-node and onnxruntime-web (WASM) on the quantized operators: the hand-checked
 * QLinearConv example (the float32 multiplier's result, inside the requantization window), what
 * they reject (their declared capabilities, measured), and a short verdict of every quantized
 * property on both, graph inputs and constant weights.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../src/contract.js';
import type { TypedTensor } from '../src/quantized.js';
import { createOnnxruntimeKernel } from '../src/adapters/onnxruntime.js';
import { referenceKernel } from '../src/kernels/reference.js';
import { verifyKernel } from '../src/runner/verify.js';
import { catalog } from '../src/catalog/index.js';
import { propertyFailure } from '../src/runner/report.js';

const t = (shape: number[], data: TypedTensor['data']): TypedTensor => ({ shape, data });
type Q = (...a: unknown[]) => Promise<TypedTensor> | TypedTensor;
const QUANT = catalog.map((p) => p.id).filter((id) => /integer|qlinear/.test(id));

describe.each([
  ['node', false],
  ['web', false],
  ['node', true],
  ['web', true],
] as const)('onnxruntime:%s (constant weights: %s) on the quantized operators', (flavour, constantWeights) => {
  let kernel: KernelUnderTest;
  const get = async () => (kernel ??= await createOnnxruntimeKernel(flavour, { constantWeights }));

  it('QLinearConv x=[1,1,3,3] w=[1,1,2,2] y_scale=0.1f gives [148,146,140,138]: 146 where the exact value 17.4999997 rounds to 145 — the window’s alternative', async () => {
    const k = await get();
    const args = [
      t([1, 1, 3, 3], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)),
      t([], Float32Array.of(0.5)),
      t([], Uint8Array.of(10)),
      t([1, 1, 2, 2], Int8Array.of(1, -2, 3, -4)),
      t([], Float32Array.of(0.25)),
      t([], Int8Array.of(0)),
      t([], Float32Array.of(0.1)),
      t([], Uint8Array.of(128)),
      t([1], Int32Array.of(7)),
      { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 },
    ];
    expect(Array.from((await (k.qlinearConv as unknown as Q)(...args)).data)).toEqual([148, 146, 140, 138]);
    expect(Array.from(((referenceKernel.qlinearConv as unknown as Q)(...args) as TypedTensor).data)).toEqual([148, 145, 140, 138]);
  });

  it('rejects what its capabilities leave out: a per-channel ConvInteger w_zero_point, int8 data with uint8 weights in QLinearConv', async () => {
    const k = await get();
    const x = t([1, 1, 2], Uint8Array.of(1, 2));
    const a1 = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
    await expect(
      (async () =>
        (k.convInteger as unknown as Q)(x, t([2, 1, 1], Uint8Array.of(1, 2)), t([], Uint8Array.of(0)), t([2], Uint8Array.of(0, 1)), a1))(),
    ).rejects.toThrow(/Non per-tensor quantization is not supported/);
    const xs8 = t([1, 1, 2], Int8Array.of(1, 2));
    await expect(
      (async () =>
        (k.qlinearConv as unknown as Q)(
          xs8,
          t([], Float32Array.of(1)),
          t([], Int8Array.of(0)),
          t([1, 1, 1], Uint8Array.of(1)),
          t([], Float32Array.of(1)),
          t([], Uint8Array.of(0)),
          t([], Float32Array.of(1)),
          t([], Int8Array.of(0)),
          undefined,
          a1,
        ))(),
    ).rejects.toThrow(/Could not find an implementation/);
    expect(k.capabilities?.quantizedTypes).toEqual(['u8u8', 'u8s8', 's8s8']);
    expect(k.capabilities?.quantizedPerChannel).not.toContain('convInteger');
  });

  it('passes every quantized property (30 runs)', { timeout: 240_000 }, async () => {
    const report = await verifyKernel(await get(), { runs: 30, seed: 5, properties: QUANT });
    expect(report.properties.map((p) => `${p.id}: ${p.status} ${propertyFailure(p)?.message ?? ''}`)).toEqual(
      QUANT.map((id) => `${id}: passed `),
    );
  });
});
