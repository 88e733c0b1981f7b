/**
 * A minimal ONNX model writer: just enough of the protobuf wire format and of `onnx.proto`
 * to serialize a graph of one node whose inputs and output are float32 values: graph inputs, or
 * constant initializers (an input given `data`).
 * It lets the onnxruntime adapters build models in memory without a protobuf dependency.
 *
 * Field numbers are those of `onnx/onnx.proto` (proto2):
 * ModelProto{ir_version=1, graph=7, opset_import=8}, OperatorSetIdProto{domain=1, version=2},
 * GraphProto{node=1, name=2, initializer=5, input=11, output=12},
 * NodeProto{input=1, output=2, name=3, op_type=4, attribute=5},
 * TensorProto{dims=1, data_type=2, name=8, raw_data=9},
 * AttributeProto{name=1, f=2, i=3, ints=8, type=20}, ValueInfoProto{name=1, type=2},
 * TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2},
 * TensorShapeProto{dim=1}, TensorShapeProto.Dimension{dim_value=1}.
 */

/**
 * An attribute value: an int (INT), a list of ints (INTS), a float (FLOAT, `{ float: x }`), a list
 * of floats (FLOATS, `{ floats: [...] }`) or a string (STRING, `{ string: s }`).
 */
export type OnnxAttributeValue = number | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] } | { readonly string: string };

/**
 * A float32 node input or output; `shape` undefined leaves the shape unspecified.
 * An input with `data` is written as a constant initializer (`TensorProto`, not listed among the
 * graph inputs, so onnxruntime may treat it as a constant); `shape` is then required.
 */
export interface OnnxValue {
  readonly name: string;
  readonly shape?: readonly number[];
  readonly data?: Float32Array;
}

/** A model made of one node of the default (`ai.onnx`) domain. */
export interface SingleNodeModel {
  readonly opType: string;
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
  /** Default 13. */
  readonly opset?: number;
  /** The node's operator domain (e.g. `com.microsoft` for onnxruntime's contrib ops); default the ONNX domain. */
  readonly domain?: string;
  /**
   * A second node of the ONNX domain fed by the first node's output (and `inputs`, e.g. Clip's
   * min / max as initializers), producing the model's outputs: Conv → Relu, for the optimizer to fuse.
   */
  readonly then?: { readonly opType: string; readonly inputs?: readonly OnnxValue[]; readonly attributes?: Readonly<Record<string, OnnxAttributeValue>> };
  /** Default 8. */
  readonly irVersion?: number;
  /** Element type of every input and output: `float32` (default) or `float16` (graph inputs only, no initializers). */
  readonly elementType?: 'float32' | 'float16';
}

// Protobuf wire types.
const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

// onnx.proto enum values.
const ELEM_TYPE_FLOAT = 1; // TensorProto.DataType.FLOAT
const ELEM_TYPE_FLOAT16 = 10; // TensorProto.DataType.FLOAT16
const ATTR_FLOAT = 1; // AttributeProto.AttributeType
const ATTR_INT = 2;
const ATTR_INTS = 7;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;

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
  } else if ('string' in value) {
    parts.push(intField(20, ATTR_STRING), stringField(4, value.string));
  } else if ('floats' in value) {
    parts.push(intField(20, ATTR_FLOATS));
    // `repeated float floats = 7`, not packed: one tag per element
    for (const v of value.floats) parts.push(floatField(7, v));
  } else {
    parts.push(intField(20, ATTR_FLOAT), floatField(2, (value as { readonly float: number }).float));
  }
  return concat(parts);
}

function valueInfo(v: OnnxValue, elemType: number): Uint8Array {
  const tensorType = [intField(1, elemType)];
  if (v.shape !== undefined) {
    const dims = v.shape.map((d) => bytesField(1, intField(1, d)));
    tensorType.push(bytesField(2, concat(dims)));
  }
  const typeProto = bytesField(1, concat(tensorType));
  return concat([stringField(1, v.name), bytesField(2, typeProto)]);
}

/**
 * A float32 initializer: `TensorProto{dims, data_type = FLOAT, name, raw_data}`, where `raw_data`
 * is the elements as little-endian IEEE-754 binary32 (the byte order onnx.proto prescribes for
 * raw_data whatever the host's). `repeated int64 dims` is not declared packed: one tag per dim.
 */
function float32Initializer(v: OnnxValue & { readonly data: Float32Array }): Uint8Array {
  if (v.shape === undefined) throw new RangeError(`onnx-model: initializer '${v.name}' needs a shape`);
  const size = v.shape.reduce((a, d) => a * d, 1);
  if (size !== v.data.length) {
    throw new RangeError(`onnx-model: initializer '${v.name}' has ${v.data.length} elements but shape [${v.shape.join(',')}] needs ${size}`);
  }
  const raw = new Uint8Array(4 * v.data.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < v.data.length; i++) view.setFloat32(4 * i, v.data[i], true);
  return concat([
    ...v.shape.map((d) => intField(1, d)),
    intField(2, ELEM_TYPE_FLOAT),
    stringField(8, v.name),
    bytesField(9, raw),
  ]);
}

function isInitializer(v: OnnxValue): v is OnnxValue & { readonly data: Float32Array } {
  return v.data !== undefined;
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
 * // B as a constant initializer instead of a graph input:
 * // inputs: [{ name: 'A', shape: [2, 3] }, { name: 'B', shape: [4, 3], data: new Float32Array(12) }]
 */
export function encodeSingleNodeModel(model: SingleNodeModel): Uint8Array {
  const elemType = model.elementType === 'float16' ? ELEM_TYPE_FLOAT16 : ELEM_TYPE_FLOAT;
  if (elemType === ELEM_TYPE_FLOAT16 && [...model.inputs, ...(model.then?.inputs ?? [])].some(isInitializer)) {
    throw new RangeError('onnx-model: float16 models take graph inputs only, not initializers');
  }
  const nodeProto = (opType: string, inputs: readonly string[], outputs: readonly string[], attrs: SingleNodeModel['attributes'], domain?: string) =>
    concat([
      ...inputs.map((v) => stringField(1, v)),
      ...outputs.map((v) => stringField(2, v)),
      stringField(3, opType.toLowerCase()),
      stringField(4, opType),
      ...Object.entries(attrs ?? {}).map(([name, value]) => bytesField(5, attribute(name, value))),
      ...(domain ? [stringField(7, domain)] : []),
    ]);
  const outputNames = model.outputs.map((v) => v.name);
  const between = `${outputNames[0]}_before_${model.then?.opType ?? ''}`;
  const nodes = model.then
    ? [
        nodeProto(model.opType, model.inputs.map((v) => v.name), [between], model.attributes, model.domain),
        nodeProto(model.then.opType, [between, ...(model.then.inputs ?? []).map((v) => v.name)], outputNames, model.then.attributes),
      ]
    : [nodeProto(model.opType, model.inputs.map((v) => v.name), outputNames, model.attributes, model.domain)];
  const graph = concat([
    ...nodes.map((n) => bytesField(1, n)),
    stringField(2, 'convcheck'),
    ...[...model.inputs, ...(model.then?.inputs ?? [])].filter(isInitializer).map((v) => bytesField(5, float32Initializer(v))),
    ...model.inputs.filter((v) => !isInitializer(v)).map((v) => bytesField(11, valueInfo(v, elemType))),
    ...model.outputs.map((v) => bytesField(12, valueInfo(v, elemType))),
  ]);
  const opsetImport = concat([stringField(1, ''), intField(2, model.opset ?? 13)]);
  return concat([
    intField(1, model.irVersion ?? 8),
    stringField(2, 'convcheck'),
    bytesField(7, graph),
    bytesField(8, opsetImport),
    ...(model.domain ? [bytesField(8, concat([stringField(1, model.domain), intField(2, 1)]))] : []),
  ]);
}
