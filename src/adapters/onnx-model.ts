/**
 * A minimal ONNX model writer: just enough of the protobuf wire format and of `onnx.proto`
 * to serialize a graph of one node whose inputs and output are float32 graph values.
 * It lets the onnxruntime adapters build models in memory without a protobuf dependency.
 *
 * Field numbers are those of `onnx/onnx.proto` (proto2):
 * ModelProto{ir_version=1, graph=7, opset_import=8}, OperatorSetIdProto{domain=1, version=2},
 * GraphProto{node=1, name=2, input=11, output=12}, NodeProto{input=1, output=2, name=3, op_type=4, attribute=5},
 * AttributeProto{name=1, f=2, i=3, ints=8, type=20}, ValueInfoProto{name=1, type=2},
 * TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2},
 * TensorShapeProto{dim=1}, TensorShapeProto.Dimension{dim_value=1}.
 */

/** An attribute value: an int (INT), a list of ints (INTS) or a float (FLOAT, written `{ float: x }`). */
export type OnnxAttributeValue = number | readonly number[] | { readonly float: number };

/** A float32 graph input or output; `shape` undefined leaves the shape unspecified. */
export interface OnnxValue {
  readonly name: string;
  readonly shape?: readonly number[];
}

/** A model made of one node of the default (`ai.onnx`) domain. */
export interface SingleNodeModel {
  readonly opType: string;
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
  /** Default 13. */
  readonly opset?: number;
  /** Default 8. */
  readonly irVersion?: number;
}

// Protobuf wire types.
const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

// onnx.proto enum values.
const ELEM_TYPE_FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_FLOAT = 1; // AttributeProto.AttributeType
const ATTR_INT = 2;
const ATTR_INTS = 7;

const utf8 = new TextEncoder();

/**
 * Base-128 varint, least significant group first. Negative int64 values are written as their
 * 64-bit two's complement (10 bytes), as protobuf requires for int64 fields.
 */
function varint(value: number): number[] {
  if (!Number.isSafeInteger(value)) throw new RangeError(`onnx-model: ${value} is not a safe integer`);
  const out: number[] = [];
  if (value >= 0) {
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return out;
  }
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function tag(field: number, wireType: number): number[] {
  return varint((field << 3) | wireType);
}

function concat(parts: readonly (Uint8Array | number[])[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function intField(field: number, value: number): Uint8Array {
  return concat([tag(field, VARINT), varint(value)]);
}

function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  return concat([tag(field, LENGTH_DELIMITED), varint(bytes.length), bytes]);
}

function stringField(field: number, s: string): Uint8Array {
  return bytesField(field, utf8.encode(s));
}

function floatField(field: number, value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return concat([tag(field, FIXED32), b]);
}

function attribute(name: string, value: OnnxAttributeValue): Uint8Array {
  const parts = [stringField(1, name)];
  if (typeof value === 'number') {
    parts.push(intField(20, ATTR_INT), intField(3, value));
  } else if (Array.isArray(value)) {
    parts.push(intField(20, ATTR_INTS));
    // `repeated int64 ints = 8` is not declared packed: one tag per element.
    for (const v of value as readonly number[]) parts.push(intField(8, v));
  } else {
    parts.push(intField(20, ATTR_FLOAT), floatField(2, (value as { float: number }).float));
  }
  return concat(parts);
}

function float32ValueInfo(v: OnnxValue): Uint8Array {
  const tensorType = [intField(1, ELEM_TYPE_FLOAT)];
  if (v.shape !== undefined) {
    const dims = v.shape.map((d) => bytesField(1, intField(1, d)));
    tensorType.push(bytesField(2, concat(dims)));
  }
  const typeProto = bytesField(1, concat(tensorType));
  return concat([stringField(1, v.name), bytesField(2, typeProto)]);
}

/**
 * Serializes a one-node ONNX model (`ModelProto` bytes, ready for `InferenceSession.create`).
 * @example
 * encodeSingleNodeModel({
 *   opType: 'Gemm',
 *   inputs: [{ name: 'A', shape: [2, 3] }, { name: 'B', shape: [4, 3] }],
 *   outputs: [{ name: 'Y' }],
 *   attributes: { transB: 1 },
 * });
 */
export function encodeSingleNodeModel(model: SingleNodeModel): Uint8Array {
  const attributes = Object.entries(model.attributes ?? {}).map(([name, value]) => bytesField(5, attribute(name, value)));
  const node = concat([
    ...model.inputs.map((v) => stringField(1, v.name)),
    ...model.outputs.map((v) => stringField(2, v.name)),
    stringField(3, model.opType.toLowerCase()),
    stringField(4, model.opType),
    ...attributes,
  ]);
  const graph = concat([
    bytesField(1, node),
    stringField(2, 'convcheck'),
    ...model.inputs.map((v) => bytesField(11, float32ValueInfo(v))),
    ...model.outputs.map((v) => bytesField(12, float32ValueInfo(v))),
  ]);
  const opsetImport = concat([stringField(1, ''), intField(2, model.opset ?? 13)]);
  return concat([
    intField(1, model.irVersion ?? 8),
    stringField(2, 'convcheck'),
    bytesField(7, graph),
    bytesField(8, opsetImport),
  ]);
}
