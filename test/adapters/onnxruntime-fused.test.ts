/**
 * onnxruntime's fused activations: conv through the contrib FusedConv (com.microsoft, what the
 * graph optimizer turns Conv + activation into), dense and convTranspose through the ONNX
 * activation op in a second session. Checked by the catalog's `fused-activation` on conv and
 * dense cases (convTranspose cases hit the output_padding refusal, see docs/findings.md).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../../src/contract.js';
import { createOnnxruntimeKernel } from '../../src/adapters/onnxruntime.js';
import { completeCapabilities } from '../../src/capabilities.js';
import { fusedActivation } from '../../src/catalog/activations.js';
import { GuardedKernel } from '../../src/runner/guarded-call.js';
import { tensor } from '../../src/tensor.js';

let graph: KernelUnderTest;
let contrib: KernelUnderTest;
beforeAll(async () => {
  graph = await createOnnxruntimeKernel('node');
  contrib = await createOnnxruntimeKernel('node', { fusion: 'contrib' });
});

describe.each([
  ['Conv → activation, fused by the graph optimizer', () => graph],
  ['the contrib FusedConv node', () => contrib],
])('onnxruntime-node fused activations: %s', (_, kernel) => {
  let ort: KernelUnderTest;
  beforeAll(() => {
    ort = kernel();
  });
  it('relu computes ReLU(Wx + b) of the worked example', async () => {
    const x = [1, 2, 3, 0, 0, 0, -1, -2, -3, 0, -5, -5, 1, -4, 0, 2, -5, -1];
    const y = await ort.conv!(
      tensor([6, 3, 1], x, 'float32'),
      tensor([2, 3, 1], [0, 1, 1, 2, 3, 5], 'float32'),
      tensor([2], [8, 13], 'float32'),
      {
        strides: [1],
        pads: [0, 0],
        dilations: [1],
        group: 1,
        activation: { kind: 'relu' },
      },
    );
    expect(Array.from(y.data)).toEqual([13, 36, 8, 13, 3, 0, 0, 0, 4, 3, 2, 0]);
  });

  it('fused = φ(unfused) on 300 conv and dense cases, every kind (FusedConv Clip, LeakyRelu, Sigmoid, Tanh …)', async () => {
    const k = new GuardedKernel(ort, 10_000);
    const ctx = { capabilities: completeCapabilities(ort.capabilities), size: 'default' as const, operators: ['conv', 'dense'] };
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fusedActivation.arbitrary(ctx), async (c) => {
        seen.add(`${(c as { op: string }).op}:${(c as { activation: { kind: string } }).activation.kind}`);
        await fusedActivation.check(k, c);
      }),
      { seed: 20261201, numRuns: 300 },
    );
    expect(seen.size).toBeGreaterThanOrEqual(10);
  });
});
