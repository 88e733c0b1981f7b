/**
 * onnxruntime's ConvTranspose against convcheck's reference, and the one disagreement found:
 * onnxruntime refuses output_padding >= stride even where dilation > stride makes it legal
 * (ONNX: "less than the corresponding stride/dilation dimension"; PyTorch: < max(stride, dilation)).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../../src/contract.js';
import { createOnnxruntimeKernel } from '../../src/adapters/onnxruntime.js';
import { convTranspose } from '../../src/operators/conv-transpose/index.js';
import type { ConvTransposeCase } from '../../src/operators/conv-transpose/cases.js';
import { referenceConvTranspose } from '../../src/operators/conv-transpose/reference.js';
import { completeCapabilities } from '../../src/capabilities.js';
import { GuardedKernel } from '../../src/runner/guarded-call.js';
import { tensor } from '../../src/tensor.js';

let ort: KernelUnderTest;
beforeAll(async () => {
  ort = await createOnnxruntimeKernel('node');
});
afterAll(() => undefined);

describe('onnxruntime-node ConvTranspose', () => {
  it('refuses output_padding 1 with stride 1, dilation 2 (x=[1,1,1] w=[1,1,1]); the reference gives [x·w, 0]', async () => {
    const attrs = { strides: [1], pads: [0, 0], dilations: [2], group: 1, outputPadding: [1] };
    const x = tensor([1, 1, 1], [-5], 'float32');
    const w = tensor([1, 1, 1], [-1], 'float32');
    expect(Array.from(referenceConvTranspose(x, w, undefined, attrs).output.data)).toEqual([5, 0]);
    await expect(ort.convTranspose!(x, w, undefined, attrs)).rejects.toThrow(/output_padding \(1\) may be too large for stride \(1\)/);
  });

  it('passes output_padding >= stride as (output_padding − t, pad_end − t) where pad_end allows, and gets the reference values', async () => {
    // s=1, d=3, k=2: outputPadding 2 is legal (< max(1, 3)); pad_end 2 absorbs it
    const attrs = { strides: [1], pads: [0, 2], dilations: [3], group: 1, outputPadding: [2] };
    const x = tensor([1, 1, 3], [1, 2, 3], 'float32');
    const w = tensor([1, 1, 2], [1, 10], 'float32');
    const ref = referenceConvTranspose(x, w, undefined, attrs).output;
    const y = await ort.convTranspose!(x, w, undefined, attrs);
    expect(y.shape).toEqual(ref.shape);
    expect(Array.from(y.data)).toEqual(Array.from(ref.data));
  });

  it('agrees with the reference on 300 generated problems it accepts (output_padding < stride)', async () => {
    const k = new GuardedKernel(ort, 10_000);
    const ctx = { capabilities: completeCapabilities(undefined), size: 'default' as const, operators: ['conv', 'convTranspose', 'dense'] };
    const cases = convTranspose.cases
      .arbitrary(ctx, fc.constantFrom('exact' as const, 'float' as const))
      .filter((c) => (c as ConvTransposeCase).spec.attrs.outputPadding.every((o, a) => o < (c as ConvTransposeCase).spec.attrs.strides[a]));
    const check = convTranspose.properties.reference[0];
    await fc.assert(
      fc.asyncProperty(cases, (c) => check.check(k, c)),
      { seed: 20261201, numRuns: 300 },
    );
  });
});
