/**
 * Outside evidence: the ONNX backend node tests of the four quantized operators (Debian's
 * libonnx-testdata: test_basic_convinteger, test_convinteger_with/without_padding,
 * test_matmulinteger, test_qlinearconv, test_qlinearmatmul_2D/3D) reproduced bit for bit by the
 * reference and by the built-in kernel. The models and tensors are read with `onnx-proto`.
 * Skips, saying so, only where the Debian package is not installed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../../src/contract.js';
import type { TypedTensor } from '../../src/quantized.js';
import { convAttributesOf, decodeSingleNode, decodeTensor } from '../../src/adapters/onnx-quantized.js';
import { referenceKernel } from '../../src/kernels/reference.js';
import { im2colKernel } from '../../src/kernels/im2col.js';

const ROOT = '/usr/share/libonnx-testdata/data/node';
const CASES = existsSync(ROOT)
  ? readdirSync(ROOT)
      .filter((d) => /^test_(basic_convinteger|convinteger_|matmulinteger$|qlinearconv$|qlinearmatmul_)/.test(d))
      .sort()
  : [];

type Run = (...args: unknown[]) => TypedTensor;

/** Runs one node test's node on `kernel`; a 3-D QLinearMatMul runs as one 2-D product per batch item. */
function runNode(kernel: KernelUnderTest, dir: string): { got: TypedTensor; expected: TypedTensor } {
  const node = decodeSingleNode(readFileSync(join(dir, 'model.onnx')));
  const data = join(dir, 'test_data_set_0');
  const files = readdirSync(data);
  const inputs = files
    .filter((f) => f.startsWith('input_'))
    .sort()
    .map((f) => decodeTensor(readFileSync(join(data, f)), f));
  const expected = decodeTensor(readFileSync(join(data, 'output_0.pb')), 'output_0');
  const k = kernel as unknown as Record<string, Run>;
  const arg = (i: number) => (node.inputs[i] ? inputs[i] : undefined);
  switch (node.opType) {
    case 'ConvInteger': {
      const attrs = convAttributesOf(node.attributes, inputs[0].shape.slice(2), inputs[1].shape.slice(2));
      return { got: k.convInteger(arg(0), arg(1), arg(2), arg(3), attrs), expected };
    }
    case 'QLinearConv': {
      const attrs = convAttributesOf(node.attributes, inputs[0].shape.slice(2), inputs[3].shape.slice(2));
      return { got: k.qlinearConv(...Array.from({ length: 9 }, (_, i) => arg(i)), attrs), expected };
    }
    case 'MatMulInteger':
      return { got: k.matMulInteger(arg(0), arg(1), arg(2), arg(3)), expected };
    case 'QLinearMatMul': {
      const [a, as, az, b, bs, bz, ys, yz] = inputs;
      if (a.shape.length === 2) return { got: k.qlinearMatMul(a, as, az, b, bs, bz, ys, yz), expected };
      // batched: [B, N, K] · [B, K, M], one 2-D product per batch item
      const [B, N, K] = a.shape;
      const M = b.shape[2];
      const out = new (expected.data.constructor as Uint8ArrayConstructor)(B * N * M);
      for (let i = 0; i < B; i++) {
        const ai = { shape: [N, K], data: a.data.slice(i * N * K, (i + 1) * N * K) };
        const bi = { shape: [K, M], data: b.data.slice(i * K * M, (i + 1) * K * M) };
        out.set(k.qlinearMatMul(ai, as, az, bi, bs, bz, ys, yz).data as Uint8Array, i * N * M);
      }
      return { got: { shape: [B, N, M], data: out }, expected };
    }
    default:
      throw new Error(`unexpected op ${node.opType}`);
  }
}

describe.skipIf(CASES.length === 0)('ONNX backend node tests of the quantized operators (libonnx-testdata)', () => {
  it('finds all seven node tests', () => {
    expect(CASES).toEqual([
      'test_basic_convinteger',
      'test_convinteger_with_padding',
      'test_convinteger_without_padding',
      'test_matmulinteger',
      'test_qlinearconv',
      'test_qlinearmatmul_2D',
      'test_qlinearmatmul_3D',
    ]);
  });
  for (const name of CASES) {
    for (const kernel of [referenceKernel, im2colKernel]) {
      it(`${name} on ${kernel.name}`, () => {
        const { got, expected } = runNode(kernel, join(ROOT, name));
        expect(got.data.constructor).toBe(expected.data.constructor);
        expect(got.shape).toEqual(expected.shape);
        expect(Array.from(got.data)).toEqual(Array.from(expected.data));
      });
    }
  }
});

describe.skipIf(CASES.length > 0)('ONNX backend node tests of the quantized operators', () => {
  it.skip(`skipped: Debian package libonnx-testdata is not installed (${ROOT} is missing); apt-get install libonnx-testdata`, () => {});
});
