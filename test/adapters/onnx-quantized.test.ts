/**
 * The ONNX side of the quantized adapters (src/adapters/onnx-quantized.ts): TensorProto fields
 * in both encodings, the errors for types and counts it cannot read, a node's attributes with
 * their ONNX defaults and auto_pad, and one-node models with an absent optional input in the middle.
 */
import { describe, expect, it } from 'vitest';
import { convAttributesOf, decodeSingleNode, quantizedModel, tensorFromProto, tensorToProto } from '../../src/adapters/onnx-quantized.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { onnx, type OnnxProto } from '../../src/models/onnx-proto.js';
import type { TypedTensor } from '../../src/quantized.js';

const t = (shape: number[], data: TypedTensor['data']): TypedTensor => ({ shape, data });

/** The InvalidArgumentError `f` throws. */
function invalid(f: () => unknown): InvalidArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('tensorFromProto', () => {
  it('raw bytes of each type round-trip through tensorToProto', () => {
    for (const x of [
      t([2, 2], Uint8Array.of(0, 1, 200, 255)),
      t([3], Int8Array.of(-128, 0, 127)),
      t([2], Int32Array.of(-(2 ** 31), 2 ** 31 - 1)),
      t([], Float32Array.of(0.1)),
    ]) {
      const back = tensorFromProto(tensorToProto('x', x));
      expect(back.shape).toEqual(x.shape);
      expect(back.data).toEqual(x.data);
    }
  });
  it('the typed fields: int8 values in int32Data, float32 in floatData; no dims is a scalar', () => {
    const int8 = tensorFromProto({ dataType: onnx.TensorProto.DataType.INT8, dims: [3], int32Data: [-1, 2, -3] });
    expect(int8.data).toEqual(Int8Array.of(-1, 2, -3));
    const f = tensorFromProto({ dataType: onnx.TensorProto.DataType.FLOAT, floatData: [0.5] });
    expect(f).toEqual({ shape: [], data: Float32Array.of(0.5) });
  });
  it('a count that does not match the dims: an InvalidArgumentError naming the tensor, the count and the shape', () => {
    const e = invalid(() => tensorFromProto({ dataType: onnx.TensorProto.DataType.UINT8, dims: [2, 2], int32Data: [1, 2, 3] }, 'w'));
    expect(e).toMatchObject({ fn: 'tensorFromProto', argument: 'w', value: 3 });
    expect(e.message).toBe('tensorFromProto: w: 3 values for shape [2,2]');
    expect(invalid(() => tensorFromProto({ dataType: onnx.TensorProto.DataType.FLOAT, dims: [2] })).message).toBe(
      'tensorFromProto: tensor: 0 values for shape [2]',
    );
  });
  it('a data type other than uint8, int8, int32, float32 (double: 11)', () => {
    const e = invalid(() => tensorFromProto({ dataType: onnx.TensorProto.DataType.DOUBLE, dims: [1], doubleData: [1] }, 'y'));
    expect(e).toMatchObject({ argument: 'y', value: 11 });
    expect(e.message).toBe('tensorFromProto: y: ONNX data type 11 is not uint8, int8, int32 or float32');
  });
});

describe('decodeSingleNode', () => {
  it('a model without a node is an InvalidArgumentError', () => {
    const empty = onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g' } }).finish();
    expect(invalid(() => decodeSingleNode(empty)).message).toBe('decodeSingleNode: the model has no node');
  });
  it('a bare node: empty op type, no inputs, outputs or attributes', () => {
    const bare = onnx.ModelProto.encode({ irVersion: 8, graph: { node: [{}] } }).finish();
    const n = decodeSingleNode(bare);
    expect(n).toMatchObject({ opType: '', inputs: [], outputs: [] });
    expect(n.attributes.size).toBe(0);
  });
});

describe('convAttributesOf', () => {
  const attr = (a: OnnxProto.IAttributeProto): [string, OnnxProto.IAttributeProto] => [a.name!, a];
  it('no attributes: stride 1, dilation 1, pads 0, group 1 on every axis', () => {
    expect(convAttributesOf(new Map(), [5, 5], [3, 3])).toEqual({ strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 });
  });
  it('auto_pad SAME_UPPER D=5 k=2 s=2: output 3, total pad 1, the odd pixel at the end', () => {
    const a = new Map([
      attr({ name: 'auto_pad', s: new TextEncoder().encode('SAME_UPPER') }),
      attr({ name: 'strides', ints: [2] }),
      attr({ name: 'group', i: 1 }),
    ]);
    expect(convAttributesOf(a, [5], [2])).toEqual({ strides: [2], pads: [0, 1], dilations: [1], group: 1 });
  });
  it('auto_pad SAME_LOWER: the odd pixel at the beginning; explicit pads are ignored', () => {
    const a = new Map([
      attr({ name: 'auto_pad', s: new TextEncoder().encode('SAME_LOWER') }),
      attr({ name: 'strides', ints: [2] }),
      attr({ name: 'pads', ints: [3, 3] }),
    ]);
    expect(convAttributesOf(a, [5], [2]).pads).toEqual([1, 0]);
  });
  it('auto_pad NOTSET and an empty auto_pad read the explicit pads; group 0 (absent in proto3) is 1', () => {
    for (const s of ['NOTSET', '']) {
      const a = new Map([
        attr({ name: 'auto_pad', s: new TextEncoder().encode(s) }),
        attr({ name: 'pads', ints: [1, 2] }),
        attr({ name: 'group', i: 0 }),
      ]);
      expect(convAttributesOf(a, [5], [2])).toEqual({ strides: [1], pads: [1, 2], dilations: [1], group: 1 });
    }
  });
});

describe('quantizedModel', () => {
  it('an absent optional input before a present one is the empty name in the node', () => {
    // MatMulInteger(A, B, a_zero_point absent, b_zero_point present)
    const bytes = quantizedModel(
      'matMulInteger',
      [t([1, 2], Uint8Array.of(1, 2)), t([2, 1], Uint8Array.of(3, 4)), undefined, t([], Uint8Array.of(1))],
      'int32',
      [1, 1],
      undefined,
      new Set(['B', 'b_zero_point']),
    );
    const n = decodeSingleNode(bytes);
    expect(n.opType).toBe('MatMulInteger');
    expect(n.inputs).toEqual(['A', 'B', '', 'b_zero_point']);
    const m = onnx.ModelProto.decode(bytes);
    expect(m.graph!.input!.map((i) => i.name)).toEqual(['A']);
    expect(m.graph!.initializer!.map((i) => i.name)).toEqual(['B', 'b_zero_point']);
  });
});
