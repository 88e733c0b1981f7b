/**
 * ONNX protobuf for the quantized operators, through the `onnx-proto` package (protobufjs code
 * generated from onnx.proto): tensors decoded to and encoded from `TypedTensor`s, node attributes
 * read as `Conv` attributes, and one-node models of `ConvInteger`, `QLinearConv`, `MatMulInteger`
 * and `QLinearMatMul` built in memory — with every operand a graph input, or (as exported models
 * carry them) the weights, their scales and zero points and the bias as initializers.
 */
import onnxProto from 'onnx-proto';
import { InvalidArgumentError } from '../errors.js';
import type { ElementType, TypedTensor } from '../quantized.js';
import { ELEMENT_TYPES } from '../quantized.js';
import { resolveAutoPad } from '../operators/conv/geometry.js';
import type { AutoPad } from '../operators/conv/geometry.js';
import type { IntegerConvAttributes } from '../operators/conv-integer/contract.js';

const { onnx } = onnxProto;

/** ONNX `TensorProto.DataType` codes of the element types. */
const DATA_TYPE: Record<ElementType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6 };

/** The element type of an ONNX data type code, or undefined for the others. */
function elementTypeOfCode(code: number): ElementType | undefined {
  return (Object.keys(DATA_TYPE) as ElementType[]).find((t) => DATA_TYPE[t] === code);
}

/** A `TensorProto` (decoded) as a `TypedTensor`: raw little-endian bytes or the typed fields (`int32Data` holds 8-bit values too). */
export function tensorFromProto(t: onnxProto.onnx.ITensorProto, what = 'tensor'): TypedTensor {
  const type = elementTypeOfCode(Number(t.dataType));
  if (type === undefined)
    throw new InvalidArgumentError(
      'tensorFromProto',
      what,
      t.dataType,
      `${what}: ONNX data type ${t.dataType} is not uint8, int8, int32 or float32`,
    );
  const shape = (t.dims ?? []).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const Ctor = ELEMENT_TYPES[type].ctor;
  if (t.rawData && t.rawData.length > 0) {
    const bytes = Uint8Array.from(t.rawData); // aligned copy
    const view = new DataView(bytes.buffer);
    const data = new Ctor(n);
    for (let i = 0; i < n; i++) {
      data[i] =
        type === 'uint8'
          ? view.getUint8(i)
          : type === 'int8'
            ? view.getInt8(i)
            : type === 'int32'
              ? view.getInt32(4 * i, true)
              : view.getFloat32(4 * i, true);
    }
    return { shape, data };
  }
  const values = type === 'float32' ? (t.floatData ?? []) : (t.int32Data ?? []);
  if (values.length !== n)
    throw new InvalidArgumentError(
      'tensorFromProto',
      what,
      values.length,
      `${what}: ${values.length} values for shape [${shape.join(',')}]`,
    );
  return { shape, data: Ctor.from(values) };
}

/** A `TensorProto` of a typed tensor (raw little-endian bytes). */
export function tensorToProto(name: string, t: TypedTensor): onnxProto.onnx.ITensorProto {
  const type = (Object.keys(DATA_TYPE) as ElementType[]).find((k) => t.data instanceof ELEMENT_TYPES[k].ctor)!;
  const copy = ELEMENT_TYPES[type].ctor.from(t.data as ArrayLike<number>); // little-endian on every platform Node runs on
  return { name, dataType: DATA_TYPE[type], dims: [...t.shape], rawData: new Uint8Array(copy.buffer) };
}

/** Decodes a serialized `TensorProto` (a test data `.pb` file). */
export function decodeTensor(bytes: Uint8Array, what = 'tensor'): TypedTensor {
  return tensorFromProto(onnx.TensorProto.decode(bytes), what);
}

/** The one node of a serialized model, its opset, and its attributes by name. */
export function decodeSingleNode(bytes: Uint8Array): {
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, onnxProto.onnx.IAttributeProto>;
} {
  const m = onnx.ModelProto.decode(bytes);
  const node = m.graph?.node?.[0];
  if (!node) throw new InvalidArgumentError('decodeSingleNode', 'model', undefined, 'the model has no node');
  return {
    opType: node.opType ?? '',
    inputs: node.input ?? [],
    outputs: node.output ?? [],
    attributes: new Map((node.attribute ?? []).map((a) => [a.name ?? '', a])),
  };
}

/**
 * A conv node's attributes as explicit `Conv` attributes for input spatial sizes `inSpatial` and
 * kernel sizes `kernelSpatial`: strides and dilations default to 1, pads to 0, group to 1, and
 * `auto_pad` is resolved (`resolveAutoPad`).
 */
export function convAttributesOf(
  attributes: Map<string, onnxProto.onnx.IAttributeProto>,
  inSpatial: readonly number[],
  kernelSpatial: readonly number[],
): IntegerConvAttributes {
  const r = inSpatial.length;
  const ints = (name: string, fill: number, length: number) => {
    const v = attributes.get(name)?.ints?.map(Number);
    return v && v.length > 0 ? v : new Array<number>(length).fill(fill);
  };
  const strides = ints('strides', 1, r);
  const dilations = ints('dilations', 1, r);
  const autoPad = attributes.get('auto_pad')?.s ? new TextDecoder().decode(attributes.get('auto_pad')!.s!) : 'NOTSET';
  const pads =
    autoPad === 'NOTSET' || autoPad === ''
      ? ints('pads', 0, 2 * r)
      : resolveAutoPad(inSpatial, kernelSpatial, strides, dilations, autoPad as AutoPad);
  const group = Number(attributes.get('group')?.i ?? 1) || 1;
  return { strides, pads, dilations, group };
}

/** ONNX op type of each quantized operator method. */
export const ONNX_OP_TYPES = {
  convInteger: 'ConvInteger',
  qlinearConv: 'QLinearConv',
  matMulInteger: 'MatMulInteger',
  qlinearMatMul: 'QLinearMatMul',
} as const;

/** A quantized operator method of the table. */
export type QuantizedMethod = keyof typeof ONNX_OP_TYPES;

/** ONNX input names of each operator, in order. */
export const ONNX_INPUTS: Record<QuantizedMethod, readonly string[]> = {
  convInteger: ['x', 'w', 'x_zero_point', 'w_zero_point'],
  qlinearConv: ['x', 'x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point', 'B'],
  matMulInteger: ['A', 'B', 'a_zero_point', 'b_zero_point'],
  qlinearMatMul: ['a', 'a_scale', 'a_zero_point', 'b', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point'],
};

/** Which inputs become initializers in the constant-weight variant: everything but the data and its own quantization. */
export const CONSTANT_INPUTS: Record<QuantizedMethod, ReadonlySet<string>> = {
  convInteger: new Set(['w', 'w_zero_point']),
  qlinearConv: new Set(['w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point', 'B']),
  matMulInteger: new Set(['B', 'b_zero_point']),
  qlinearMatMul: new Set(['b', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point']),
};

/**
 * A serialized one-node model (opset 13) of `method` on `inputs` (in ONNX order; undefined for an
 * absent optional input, which is left out of the node or given as the empty name). Inputs named
 * in `constants` are initializers; the others are graph inputs. The output `y` has `outputType`.
 */
export function quantizedModel(
  method: QuantizedMethod,
  inputs: ReadonlyArray<TypedTensor | undefined>,
  outputType: ElementType,
  outputShape: readonly number[],
  attrs: IntegerConvAttributes | undefined,
  constants: ReadonlySet<string> = new Set(),
): Uint8Array {
  const names = ONNX_INPUTS[method];
  const nodeInputs: string[] = [];
  const graphInputs: onnxProto.onnx.IValueInfoProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  let last = -1;
  inputs.forEach((t, i) => {
    if (t !== undefined) last = i;
  });
  for (let i = 0; i <= last; i++) {
    const t = inputs[i];
    if (t === undefined) {
      nodeInputs.push('');
      continue;
    }
    nodeInputs.push(names[i]);
    if (constants.has(names[i])) initializers.push(tensorToProto(names[i], t));
    else
      graphInputs.push(
        valueInfo(names[i], t.shape, (Object.keys(DATA_TYPE) as ElementType[]).find((k) => t.data instanceof ELEMENT_TYPES[k].ctor)!),
      );
  }
  const attribute: onnxProto.onnx.IAttributeProto[] = attrs
    ? [
        { name: 'strides', type: onnx.AttributeProto.AttributeType.INTS, ints: [...attrs.strides] },
        { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [...attrs.pads] },
        { name: 'dilations', type: onnx.AttributeProto.AttributeType.INTS, ints: [...attrs.dilations] },
        { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: attrs.group },
      ]
    : [];
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 7,
    producerName: 'convcheck',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: `convcheck-${method}`,
      node: [{ opType: ONNX_OP_TYPES[method], input: nodeInputs, output: ['y'], attribute }],
      initializer: initializers,
      input: graphInputs,
      output: [valueInfo('y', outputShape, outputType)],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

function valueInfo(name: string, shape: readonly number[], type: ElementType): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: DATA_TYPE[type], shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}
