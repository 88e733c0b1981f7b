/**
 * Examples through the constant-weights onnxruntime flavours (`onnxruntime:node-const`,
 * `onnxruntime:web-const`): W and B are initializers, so onnxruntime applies the rewrites it keeps
 * for constant weights (NCHWc conv on x64, weight pre-packing). Data are small integers, so every
 * sum is exact in float32 and the kernels must match the reference exactly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvAttributes } from '../../src/operators/conv/contract.js';
import type { KernelUnderTest } from '../../src/contract.js';
import { encodeSingleNodeModel } from '../../src/adapters/onnx-model.js';
import { createOnnxruntimeKernel } from '../../src/adapters/onnxruntime.js';
import { referenceKernel } from '../../src/kernels/reference.js';
import { attrs, convName, expectTensorEqual, randomIntTensor, runConv, runDense } from '../helpers/index.js';

interface ConvCase {
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly bias: boolean;
  readonly a: ConvAttributes;
}

// On x64 (onnxruntime 1.30) the NCHWc transformer rewrites rank-2 Convs with constant weights:
// group 1 with any channel counts (M padded up to the MLAS block, 8 with AVX2 / 16 with AVX-512;
// C < block reads NCHW input directly), depthwise, and other groups when C/group and M/group are
// multiples of the block. Channel counts of 8, 16 and 32 are the natural NCHWc shapes; the
// grouped case with C/group = 8 stays generic on AVX-512, rank 1 and 3 always do.
const CONV_CASES: readonly ConvCase[] = [
  // NCHWc: asymmetric pads with bias — the combination onnxruntime PR #15050 fixed in NhwcConv
  { x: [1, 16, 8, 8], w: [16, 16, 3, 3], bias: true, a: attrs(2, { pads: [0, 1, 1, 0] }) },
  { x: [1, 16, 8, 8], w: [16, 16, 3, 3], bias: true, a: attrs(2, { pads: [1, 0, 0, 1] }) },
  { x: [2, 16, 9, 7], w: [32, 16, 3, 3], bias: true, a: attrs(2, { strides: [2, 1], pads: [2, 0, 0, 1] }) },
  { x: [1, 32, 7, 7], w: [16, 32, 3, 2], bias: false, a: attrs(2, { pads: [0, 1, 2, 0], dilations: [2, 1] }) },
  { x: [1, 8, 6, 6], w: [8, 8, 3, 3], bias: true, a: attrs(2, { pads: [0, 1, 1, 0] }) },
  // NCHWc depthwise (group = C = M), pointwise 1×1, and NCHW-input mode (C = 3 < block)
  { x: [1, 16, 7, 7], w: [16, 1, 3, 3], bias: true, a: attrs(2, { pads: [1, 0, 2, 1], group: 16 }) },
  { x: [1, 32, 5, 5], w: [16, 32, 1, 1], bias: true, a: attrs(2) },
  { x: [1, 3, 9, 9], w: [16, 3, 3, 3], bias: true, a: attrs(2, { strides: [2, 2], pads: [0, 1, 1, 0] }) },
  // grouped but not depthwise, small channels, rank 1 and rank 3 (generic path with constant W)
  { x: [1, 32, 6, 6], w: [32, 8, 3, 3], bias: true, a: attrs(2, { pads: [0, 1, 1, 0], group: 4 }) },
  { x: [1, 3, 6, 5], w: [6, 3, 3, 2], bias: true, a: attrs(2, { strides: [2, 1], pads: [0, 1, 2, 0] }) },
  { x: [2, 3, 9], w: [4, 3, 3], bias: true, a: attrs(1, { strides: [2], pads: [1, 2] }) },
  { x: [1, 16, 10], w: [16, 16, 3], bias: true, a: attrs(1, { pads: [0, 1] }) },
  { x: [1, 2, 4, 5, 6], w: [3, 2, 2, 3, 2], bias: true, a: attrs(3, { strides: [1, 2, 1], pads: [1, 0, 0, 0, 1, 2] }) },
];

interface DenseCase {
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly bias: boolean;
}

const DENSE_CASES: readonly DenseCase[] = [
  { x: [3, 5], w: [4, 5], bias: true },
  { x: [3, 5], w: [4, 5], bias: false },
  { x: [4, 100], w: [32, 100], bias: true },
  { x: [1, 64], w: [16, 64], bias: true },
];

function denseName(c: DenseCase): string {
  return `dense x=[${c.x.join(',')}] w=[${c.w.join(',')}] bias=${c.bias ? 'yes' : 'no'}`;
}

describe.each(['node', 'web'] as const)('onnxruntime:%s-const', (flavour) => {
  let kernel: KernelUnderTest;
  beforeAll(async () => {
    kernel = await createOnnxruntimeKernel(flavour, { constantWeights: true });
  });

  it('has the contract name, float32 precision and conv + dense', () => {
    expect(kernel.name).toBe(`onnxruntime:${flavour}-const`);
    expect(kernel.precision).toBe('float32');
  });

  CONV_CASES.forEach((c, i) => {
    it(convName(c.x, c.w, c.a, c.bias), async () => {
      const x = randomIntTensor(c.x, 700 + i);
      const w = randomIntTensor(c.w, 800 + i);
      const b = c.bias ? randomIntTensor([c.w[0]], 900 + i, -20, 20) : undefined;
      expectTensorEqual(await runConv(kernel, x, w, b, c.a), await runConv(referenceKernel, x, w, b, c.a), kernel.name);
    });
  });

  DENSE_CASES.forEach((c, i) => {
    it(denseName(c), async () => {
      const x = randomIntTensor(c.x, 1000 + i);
      const w = randomIntTensor(c.w, 1100 + i);
      const b = c.bias ? randomIntTensor([c.w[0]], 1200 + i, -20, 20) : undefined;
      expectTensorEqual(await runDense(kernel, x, w, b), await runDense(referenceKernel, x, w, b), kernel.name);
    });
  });
});

describe('onnxruntime constant-weights session cache', () => {
  let kernel: KernelUnderTest;
  beforeAll(async () => {
    kernel = await createOnnxruntimeKernel('node', { constantWeights: true });
  });

  it('same shapes, new weights: a new session each time (the weights are baked in), past the cache size', async () => {
    const a = attrs(2, { pads: [0, 1, 1, 0] });
    const x = randomIntTensor([1, 16, 6, 6], 1);
    const weightSets = Array.from({ length: 7 }, (_, i) => [
      randomIntTensor([16, 16, 3, 3], 10 + i),
      randomIntTensor([16], 20 + i, -20, 20),
    ]);
    // Twice round: the second round finds the first sets evicted (cache of 4) and rebuilds them.
    for (const round of [0, 1]) {
      for (const [i, [w, b]] of weightSets.entries()) {
        const expected = await runConv(referenceKernel, x, w, b, a);
        expectTensorEqual(await runConv(kernel, x, w, b, a), expected, `round ${round} weights ${i}`);
      }
    }
  });

  it('weights that differ in one element (or only in the bias) get their own session', async () => {
    const a = attrs(1);
    const x = randomIntTensor([1, 2, 5], 3);
    const w = randomIntTensor([3, 2, 2], 4);
    const w2 = { shape: w.shape, data: Float64Array.from(w.data, (v, k) => (k === 5 ? v + 1 : v)) };
    const b = randomIntTensor([3], 5);
    const b2 = { shape: b.shape, data: Float64Array.from(b.data, (v, k) => (k === 2 ? v + 1 : v)) };
    for (const [ww, bb] of [
      [w, b],
      [w2, b],
      [w, b2],
      [w, b],
    ] as const) {
      expectTensorEqual(await runConv(kernel, x, ww, bb, a), await runConv(referenceKernel, x, ww, bb, a));
    }
    // dense: same shapes, different weights, repeated
    const xd = randomIntTensor([2, 6], 6);
    for (const seed of [7, 8, 7]) {
      const wd = randomIntTensor([3, 6], seed);
      expectTensorEqual(await runDense(kernel, xd, wd, undefined), await runDense(referenceKernel, xd, wd, undefined), `seed ${seed}`);
    }
  });
});

describe('onnx-model initializers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convcheck-ort-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function convModel(constant: boolean): Uint8Array {
    const w = new Float32Array(randomIntTensor([16, 16, 3, 3], 1).data);
    const b = new Float32Array(randomIntTensor([16], 2).data);
    return encodeSingleNodeModel({
      opType: 'Conv',
      inputs: [
        { name: 'X', shape: [1, 16, 8, 8] },
        { name: 'W', shape: [16, 16, 3, 3], data: constant ? w : undefined },
        { name: 'B', shape: [16], data: constant ? b : undefined },
      ],
      outputs: [{ name: 'Y' }],
      attributes: { kernel_shape: [3, 3], strides: [1, 1], pads: [0, 1, 1, 0], dilations: [1, 1], group: 1 },
    });
  }

  it('an input with data is an initializer, not a graph input', async () => {
    const ort = await import('onnxruntime-node');
    const s = await ort.InferenceSession.create(convModel(true));
    expect(s.inputNames).toEqual(['X']);
    await s.release();
    const s2 = await ort.InferenceSession.create(convModel(false));
    expect(s2.inputNames).toEqual(['X', 'W', 'B']);
    await s2.release();
  });

  it('rejects an initializer whose data does not fit its shape', () => {
    expect(() =>
      encodeSingleNodeModel({
        opType: 'Relu',
        inputs: [{ name: 'X', shape: [2, 3], data: new Float32Array(5) }],
        outputs: [{ name: 'Y' }],
      }),
    ).toThrow(/initializer 'X' has 5 elements but shape \[2,3\] needs 6/);
  });

  // MLAS enables NCHWc on x64 with AVX2 or AVX-512 (not on SSE-only CPUs or ARM).
  it.runIf(process.arch === 'x64')(
    'with constant weights onnxruntime rewrites Conv to NCHWc (ReorderInput); with input weights it does not',
    async () => {
      const ort = await import('onnxruntime-node');
      const ops: Record<string, boolean> = {};
      for (const constant of [false, true]) {
        const path = join(dir, `conv-${constant}.onnx`);
        const s = await ort.InferenceSession.create(convModel(constant), {
          executionProviders: ['cpu'],
          intraOpNumThreads: 1,
          graphOptimizationLevel: 'all',
          optimizedModelFilePath: path,
          logSeverityLevel: 3,
        });
        await s.release();
        ops[String(constant)] = readFileSync(path).includes('ReorderInput');
      }
      expect(ops).toEqual({ false: false, true: true });
    },
  );
});
