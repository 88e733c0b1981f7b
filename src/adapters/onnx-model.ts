/**
 * Builds small ONNX models in memory — one node, or one node and an activation after it — for the
 * onnxruntime adapters, through the `onnx.proto` messages of the `onnx-proto` package
 * (protobufjs generated from ONNX's schema; `models/onnx-proto.ts`). Inputs and outputs are graph
 * values or constant initializers (an input given `data`) of any element type in
 * `models/onnx-elements.ts`.
 */
import { InvalidArgumentError } from '../errors.js';
import type { OnnxElementArray, OnnxElementType } from '../models/onnx-elements.js';
import { littleEndianBytes, ONNX_ELEMENTS } from '../models/onnx-elements.js';
import type { OnnxProto } from '../models/onnx-proto.js';
import { onnx } from '../models/onnx-proto.js';

/**
 * An attribute value: an int (INT), a list of ints (INTS), a float (FLOAT, `{ float: x }`), a list
 * of floats (FLOATS, `{ floats: [...] }`) or a string (STRING, `{ string: s }`).
 */
export type OnnxAttributeValue =
  | number
  | readonly number[]
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string };

/**
 * A node input or output; `shape` undefined leaves the shape unspecified.
 * An input with `data` is written as a constant initializer (`TensorProto`, not listed among the
 * graph inputs, so onnxruntime may treat it as a constant); `shape` is then required, and `data`
 * must be the typed array of its element type (`OnnxElementArray`: float16 as raw bits in a
 * `Uint16Array`, int64 as a `BigInt64Array`).
 */
export interface OnnxValue {
  readonly name: string;
  readonly shape?: readonly number[];
  readonly data?: OnnxElementArray;
  /** This value's element type (default: the model's `elementType`). */
  readonly elementType?: OnnxElementType;
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
  readonly then?: {
    readonly opType: string;
    readonly inputs?: readonly OnnxValue[];
    readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
  };
  /** Default 8. */
  readonly irVersion?: number;
  /** Element type of every input and output that does not name its own (default `float32`). */
  readonly elementType?: OnnxElementType;
}

const FN = 'encodeSingleNodeModel';
const AttributeType = onnx.AttributeProto.AttributeType;

function attribute(name: string, value: OnnxAttributeValue): OnnxProto.IAttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: [...(value as readonly number[])] };
  if ('string' in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  return { name, type: AttributeType.FLOAT, f: (value as { readonly float: number }).float };
}

function valueInfo(v: OnnxValue, type: OnnxElementType): OnnxProto.IValueInfoProto {
  const shape = v.shape === undefined ? {} : { shape: { dim: v.shape.map((d) => ({ dimValue: d })) } };
  return { name: v.name, type: { tensorType: { elemType: ONNX_ELEMENTS[type].code, ...shape } } };
}

/** An initializer: dims, data type, name and the elements as little-endian `raw_data`. */
function initializer(v: OnnxValue & { readonly data: OnnxElementArray }, type: OnnxElementType): OnnxProto.ITensorProto {
  if (v.shape === undefined) throw new InvalidArgumentError(FN, 'inputs', v.name, `initializer '${v.name}' needs a shape`);
  const size = v.shape.reduce((a, d) => a * d, 1);
  if (size !== v.data.length) {
    throw new InvalidArgumentError(
      FN,
      'inputs',
      { name: v.name, shape: v.shape, elements: v.data.length },
      `initializer '${v.name}' has ${v.data.length} elements but shape [${v.shape.join(',')}] needs ${size}`,
    );
  }
  if (!ONNX_ELEMENTS[type].is(v.data)) {
    throw new InvalidArgumentError(
      FN,
      'inputs',
      { name: v.name, type },
      `initializer '${v.name}' is ${type} but its data is a ${v.data.constructor.name} (float16 data are their bits in a Uint16Array, int64 a BigInt64Array)`,
    );
  }
  return { name: v.name, dims: [...v.shape], dataType: ONNX_ELEMENTS[type].code, rawData: littleEndianBytes(type, v.data) };
}

const isInitializer = (v: OnnxValue): v is OnnxValue & { readonly data: OnnxElementArray } => v.data !== undefined;

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
  const typeOf = (v: OnnxValue): OnnxElementType => v.elementType ?? model.elementType ?? 'float32';
  const node = (
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: SingleNodeModel['attributes'],
    domain?: string,
  ): OnnxProto.INodeProto => ({
    input: [...inputs],
    output: [...outputs],
    name: opType.toLowerCase(),
    opType,
    attribute: Object.entries(attrs ?? {}).map(([name, value]) => attribute(name, value)),
    ...(domain ? { domain } : {}),
  });
  const outputNames = model.outputs.map((v) => v.name);
  const between = `${outputNames[0]}_before_${model.then?.opType ?? ''}`;
  const nodes = model.then
    ? [
        node(
          model.opType,
          model.inputs.map((v) => v.name),
          [between],
          model.attributes,
          model.domain,
        ),
        node(model.then.opType, [between, ...(model.then.inputs ?? []).map((v) => v.name)], outputNames, model.then.attributes),
      ]
    : [
        node(
          model.opType,
          model.inputs.map((v) => v.name),
          outputNames,
          model.attributes,
          model.domain,
        ),
      ];
  const proto: OnnxProto.IModelProto = {
    irVersion: model.irVersion ?? 8,
    producerName: 'convcheck',
    graph: {
      node: nodes,
      name: 'convcheck',
      initializer: [...model.inputs, ...(model.then?.inputs ?? [])].filter(isInitializer).map((v) => initializer(v, typeOf(v))),
      input: model.inputs.filter((v) => !isInitializer(v)).map((v) => valueInfo(v, typeOf(v))),
      output: model.outputs.map((v) => valueInfo(v, typeOf(v))),
    },
    opsetImport: [{ domain: '', version: model.opset ?? 13 }, ...(model.domain ? [{ domain: model.domain, version: 1 }] : [])],
  };
  return onnx.ModelProto.encode(proto).finish();
}
