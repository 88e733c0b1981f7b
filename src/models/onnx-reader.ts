/**
 * Reading an ONNX model for `convcheck verify --model`: decodes the `ModelProto` (`onnx-proto`),
 * loads external-data files, and finds the nodes convcheck's operators express — Conv,
 * ConvTranspose, Gemm and MatMul with a constant 2-D weight — with their attributes and constant
 * weights and bias. The input shape of each such node is known only once the model has run
 * (`adapters/onnx-activations.ts`); `layerOfNode` then turns a candidate and its input shape into a
 * production layer (`ModelLayer`) or the reason it cannot be one.
 *
 * Every failure to read the model is a `ModelFileError` naming the file, the tensor or node, and what
 * is wrong, in one line.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { ModelFileError } from '../errors.js';
import { float16FromBits } from '../float16.js';
import { convGeometryOfShapes, describeConv } from '../operators/conv/geometry.js';
import type { ConvSpec } from '../operators/conv/spec.js';
import { convTransposeGeometryOfShapes } from '../operators/conv-transpose/geometry.js';
import type { ConvTransposeSpec } from '../operators/conv-transpose/spec.js';
import { describeConvTranspose } from '../operators/conv-transpose/geometry.js';
import { denseGeometryOfShapes, describeDense } from '../operators/dense/geometry.js';
import type { DenseSpec } from '../operators/dense/spec.js';
import type { LayerSource } from '../arbitraries/real-data.js';
import type { ModelLayer } from './layers.js';
import { DATA_TYPE_NAMES, elementTypeOfCode, ONNX_ELEMENTS } from './onnx-elements.js';
import type { OnnxProto } from './onnx-proto.js';
import { int64ToNumber, onnx } from './onnx-proto.js';

/** A tensor of the model as float64 values (any numeric element type), with its ONNX type code. */
export interface ModelTensor {
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly data: Float64Array;
}

/** A graph input the model must be fed (initializers listed as inputs, IR < 4, are not among them). */
export interface GraphInput {
  readonly name: string;
  readonly elemType: number;
  /** Dimensions; a string for a symbolic one (`N`), undefined for one not given. */
  readonly dims: ReadonlyArray<number | string | undefined> | undefined;
}

/** An ONNX model read from a file, external data loaded. */
export interface OnnxModel {
  readonly file: string;
  readonly sha256: string;
  readonly proto: OnnxProto.ModelProto;
  /** Initializers and Constant-node outputs, by name. */
  readonly constants: ReadonlyMap<string, ModelTensor>;
  readonly inputs: readonly GraphInput[];
}

/** A node of an operator convcheck knows, before its input shape is known. */
export interface NodeCandidate {
  readonly index: number;
  /** The node's name, or `#<index> <opType>` for an unnamed node. */
  readonly node: string;
  readonly opType: string;
  /** The tensor the node reads as its activation x. */
  readonly input: string;
  readonly proto: OnnxProto.INodeProto;
}

/** A node convcheck cannot express as one of its operators, and why. */
export interface SkippedNode {
  readonly node: string;
  readonly opType: string;
  readonly reason: string;
}

/** The op types convcheck reads (kernel operators); nodes of other types (Relu, MaxPool, …) are not layers. */
export const LAYER_OP_TYPES: readonly string[] = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'];
/** Kernel op types convcheck cannot express yet: listed as skipped, with this reason. */
const UNSUPPORTED_OP_TYPES: Readonly<Record<string, string>> = {
  ConvInteger: '--model does not read quantized nodes (their scales and zero points) yet',
  QLinearConv: '--model does not read quantized nodes (their scales and zero points) yet',
  MatMulInteger: '--model does not read quantized nodes (their scales and zero points) yet',
  QLinearMatMul: '--model does not read quantized nodes (their scales and zero points) yet',
};

const TensorProto = onnx.TensorProto;

/**
 * The elements of a TensorProto as float64, from `raw_data` (little-endian), the typed repeated
 * fields, or an external-data file next to the model (`location`, `offset`, `length`).
 */
async function tensorData(t: OnnxProto.ITensorProto, modelFile: string, external: Map<string, Buffer>): Promise<ModelTensor> {
  const name = t.name ?? '';
  const where = `tensor '${name}'`;
  const dims = (t.dims ?? []).map((d) => int64ToNumber(d as number));
  const n = dims.reduce((a, d) => a * d, 1);
  const code = t.dataType ?? 0;
  const type = elementTypeOfCode(code);
  if (type === undefined)
    throw new ModelFileError(
      modelFile,
      where,
      `element type ${DATA_TYPE_NAMES[code] ?? code} is not one convcheck reads (FLOAT, FLOAT16, DOUBLE, INT8, UINT8, INT32, INT64)`,
    );
  let raw: Uint8Array | undefined = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (t.dataLocation === TensorProto.DataLocation.EXTERNAL) {
    const entry = (k: string) => t.externalData?.find((e) => e.key === k)?.value ?? undefined;
    const location = entry('location');
    if (location === undefined) throw new ModelFileError(modelFile, where, 'external data without a location');
    const path = isAbsolute(location) ? location : join(dirname(modelFile), location);
    let bytes = external.get(path);
    if (bytes === undefined) {
      try {
        bytes = await readFile(path);
      } catch (e) {
        throw new ModelFileError(
          modelFile,
          where,
          `external data file ${location} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
        );
      }
      external.set(path, bytes);
    }
    const offset = Number(entry('offset') ?? 0);
    const length = entry('length') !== undefined ? Number(entry('length')) : n * ONNX_ELEMENTS[type].bytes;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || offset + length > bytes.length) {
      throw new ModelFileError(
        modelFile,
        where,
        `external data ${location} holds ${bytes.length} bytes; offset ${entry('offset') ?? 0} + length ${length} reach past its end`,
      );
    }
    raw = bytes.subarray(offset, offset + length);
  }
  const out = new Float64Array(n);
  if (raw !== undefined) {
    if (raw.length !== n * ONNX_ELEMENTS[type].bytes)
      throw new ModelFileError(
        modelFile,
        where,
        `has ${raw.length} bytes of data; dims [${dims.join(',')}] of ${type} need ${n * ONNX_ELEMENTS[type].bytes}`,
      );
    const values = ONNX_ELEMENTS[type].fromLittleEndian(new DataView(raw.buffer, raw.byteOffset, raw.byteLength), n);
    for (let i = 0; i < n; i++) out[i] = type === 'float16' ? float16FromBits(values[i] as number) : Number(values[i]);
    return { dims, dataType: code, data: out };
  }
  // typed fields: float_data (FLOAT), double_data (DOUBLE), int64_data (INT64), int32_data (the rest, float16 as its bits)
  const field: ArrayLike<unknown> =
    type === 'float32'
      ? (t.floatData ?? [])
      : type === 'float64'
        ? (t.doubleData ?? [])
        : type === 'int64'
          ? (t.int64Data ?? [])
          : (t.int32Data ?? []);
  if (field.length !== n) throw new ModelFileError(modelFile, where, `has ${field.length} values; dims [${dims.join(',')}] need ${n}`);
  for (let i = 0; i < n; i++) {
    const v = type === 'int64' ? int64ToNumber(field[i] as number) : (field[i] as number);
    out[i] = type === 'float16' ? float16FromBits(v) : v;
  }
  return { dims, dataType: code, data: out };
}

/**
 * Reads and decodes an ONNX model file; loads its initializers (external data included) and the
 * tensors of its Constant nodes. Throws `ModelFileError` for a file that cannot be read, is not an
 * ONNX model, is truncated, or whose external data are missing.
 */
export async function readOnnxModel(file: string): Promise<OnnxModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ModelFileError(file, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let proto: OnnxProto.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    // protobufjs reads past the end of a truncated file ("index out of range") and rejects foreign bytes (wire types, lengths)
    throw new ModelFileError(
      file,
      undefined,
      `is not an ONNX model or is truncated (protobuf: ${e instanceof Error ? e.message.replace(/\s+/g, ' ') : String(e)})`,
    );
  }
  const g = proto.graph;
  if (!g || (g.node ?? []).length === 0 || !(int64ToNumber(proto.irVersion as number) > 0)) {
    throw new ModelFileError(
      file,
      undefined,
      `is not an ONNX model (${!g ? 'no graph' : (g.node ?? []).length === 0 ? 'a graph without nodes' : 'no IR version'})`,
    );
  }
  const external = new Map<string, Buffer>();
  const constants = new Map<string, ModelTensor>();
  for (const t of g.initializer ?? []) constants.set(t.name ?? '', await tensorData(t, file, external));
  for (const n of g.node ?? []) {
    const value = n.opType === 'Constant' && (n.domain ?? '') === '' ? n.attribute?.find((a) => a.name === 'value')?.t : undefined;
    if (value && n.output?.[0]) constants.set(n.output[0], await tensorData({ ...value, name: n.output[0] }, file, external));
  }
  const inputs = (g.input ?? [])
    .filter((i) => !constants.has(i.name ?? ''))
    .map((i): GraphInput => {
      const tt = i.type?.tensorType;
      const dims = tt?.shape?.dim?.map((d) =>
        d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? int64ToNumber(d.dimValue as number) : undefined,
      );
      return { name: i.name ?? '', elemType: tt?.elemType ?? 0, dims };
    });
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), proto, constants, inputs };
}

/** The nodes of the model's main graph that may be layers (op types convcheck reads), and the kernel-operator nodes it cannot read. */
export function nodeCandidates(model: OnnxModel): { candidates: NodeCandidate[]; skipped: SkippedNode[] } {
  const candidates: NodeCandidate[] = [];
  const skipped: SkippedNode[] = [];
  (model.proto.graph?.node ?? []).forEach((n, index) => {
    const opType = n.opType ?? '';
    const node = n.name ? n.name : `#${index} ${opType}`;
    const domain = n.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') {
      if (LAYER_OP_TYPES.includes(opType) || opType in UNSUPPORTED_OP_TYPES)
        skipped.push({ node, opType, reason: `operator domain ${domain} (convcheck reads the ONNX domain)` });
      return;
    }
    if (opType in UNSUPPORTED_OP_TYPES) skipped.push({ node, opType, reason: UNSUPPORTED_OP_TYPES[opType] });
    else if (LAYER_OP_TYPES.includes(opType)) candidates.push({ index, node, opType, input: n.input?.[0] ?? '', proto: n });
  });
  return { candidates, skipped };
}

type Attr = OnnxProto.IAttributeProto;
const attrOf = (n: OnnxProto.INodeProto, name: string): Attr | undefined => n.attribute?.find((a) => a.name === name);
const intsOf = (n: OnnxProto.INodeProto, name: string): number[] | undefined =>
  attrOf(n, name)?.ints?.map((v) => int64ToNumber(v as number));
const intOf = (n: OnnxProto.INodeProto, name: string): number | undefined => {
  const a = attrOf(n, name);
  return a?.i !== undefined && a.i !== null ? int64ToNumber(a.i as number) : undefined;
};
const floatOf = (n: OnnxProto.INodeProto, name: string): number | undefined => attrOf(n, name)?.f ?? undefined;
const stringOf = (n: OnnxProto.INodeProto, name: string): string | undefined => {
  const s = attrOf(n, name)?.s;
  return s && s.length > 0 ? new TextDecoder().decode(s) : undefined;
};

/** A candidate turned into a layer: the production layer (spec with its source) and its real weights and bias. */
export interface ReadLayer {
  readonly layer: ModelLayer;
  readonly w: Float64Array;
  readonly b: Float64Array | undefined;
  /** The layer's geometry in one line. */
  readonly shapes: string;
}

/** `w` [K, M] (MatMul's or Gemm's untransposed B) as [M, K]: convcheck's dense computes x·wᵀ. */
function transpose2d(w: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

/**
 * Explicit pads for `auto_pad` SAME_UPPER / SAME_LOWER (ONNX Conv): output ceil(D / s), total pad
 * max(0, (O − 1)·s + d·(k − 1) + 1 − D), the odd pixel at the end (UPPER) or the beginning (LOWER).
 */
function samePads(
  spatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  upper: boolean,
): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  spatial.forEach((d, a) => {
    const o = Math.ceil(d / strides[a]);
    const total = Math.max(0, (o - 1) * strides[a] + dilations[a] * (kernel[a] - 1) + 1 - d);
    const small = Math.floor(total / 2);
    begin.push(upper ? small : total - small);
    end.push(upper ? total - small : small);
  });
  return [...begin, ...end];
}

/**
 * The layer a candidate node is, given the shape of its input x (float32 activations), or the
 * reason it cannot be one of convcheck's layers (an attribute it cannot express, a weight the graph
 * computes, a shape the operator does not take).
 */
export function layerOfNode(
  model: OnnxModel,
  c: NodeCandidate,
  xShape: readonly number[],
  xType: number,
  source: Omit<LayerSource, 'node' | 'index'>,
): ReadLayer | { readonly reason: string } {
  const n = c.proto;
  const ins = n.input ?? [];
  if (xType !== TensorProto.DataType.FLOAT)
    return { reason: `its input ${c.input} is ${DATA_TYPE_NAMES[xType] ?? xType}; convcheck runs FLOAT layers` };
  const wName = ins[1];
  const w = model.constants.get(wName ?? '');
  if (!w) return { reason: `its weight ${wName} is not a constant (a graph input, or computed by the graph)` };
  const bName = c.opType === 'MatMul' ? undefined : ins[2] || undefined;
  const b = bName === undefined ? undefined : model.constants.get(bName);
  if (bName !== undefined && !b) return { reason: `its bias ${bName} is not a constant (a graph input, or computed by the graph)` };
  for (const [t, name] of [
    [w, wName],
    [b, bName],
  ] as const) {
    if (t && t.dataType !== TensorProto.DataType.FLOAT)
      return {
        reason: `its ${name === wName ? 'weight' : 'bias'} ${name} is ${DATA_TYPE_NAMES[t.dataType] ?? t.dataType}; convcheck runs FLOAT layers`,
      };
  }
  const layerSource: LayerSource = { ...source, node: c.node, index: c.index };
  const base = { network: source.model, name: c.node, count: 1 } as const;
  try {
    if (c.opType === 'Conv' || c.opType === 'ConvTranspose') {
      const rank = w.dims.length - 2;
      if (rank < 1 || rank > 3 || xShape.length !== rank + 2)
        return { reason: `x [${xShape.join(',')}] and w [${w.dims.join(',')}]: convcheck's ${c.opType} takes 1 to 3 spatial axes` };
      const kernelShape = intsOf(n, 'kernel_shape');
      if (kernelShape && kernelShape.join(',') !== w.dims.slice(2).join(','))
        return { reason: `kernel_shape [${kernelShape.join(',')}] differs from the weight's [${w.dims.slice(2).join(',')}]` };
      const ones = Array.from({ length: rank }, () => 1);
      const strides = intsOf(n, 'strides') ?? ones;
      const dilations = intsOf(n, 'dilations') ?? ones;
      const group = intOf(n, 'group') ?? 1;
      const autoPad = stringOf(n, 'auto_pad') ?? 'NOTSET';
      let pads = intsOf(n, 'pads') ?? [...ones, ...ones].map(() => 0);
      if (autoPad === 'VALID') pads = pads.map(() => 0);
      else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
        if (c.opType === 'ConvTranspose') return { reason: `auto_pad ${autoPad} on ConvTranspose (convcheck takes explicit pads there)` };
        pads = samePads(xShape.slice(2), w.dims.slice(2), strides, dilations, autoPad === 'SAME_UPPER');
      } else if (autoPad !== 'NOTSET') return { reason: `auto_pad ${autoPad} is not an ONNX value` };
      if (c.opType === 'Conv') {
        const spec: ConvSpec & { source: LayerSource } = {
          xShape: [...xShape],
          wShape: [...w.dims],
          attrs: { strides, pads, dilations, group },
          hasBias: b !== undefined,
          source: layerSource,
        };
        convGeometryOfShapes(spec.xShape, spec.wShape, b ? b.dims : undefined, spec.attrs, c.node);
        return {
          layer: { ...base, op: 'conv', spec },
          w: w.data,
          b: b?.data,
          shapes: describeConv(spec.xShape, spec.wShape, spec.attrs, spec.hasBias),
        };
      }
      if (intsOf(n, 'output_shape') !== undefined)
        return { reason: 'output_shape is given (convcheck takes pads and output_padding, not a target shape)' };
      const outputPadding = intsOf(n, 'output_padding') ?? ones.map(() => 0);
      const spec: ConvTransposeSpec & { source: LayerSource } = {
        xShape: [...xShape],
        wShape: [...w.dims],
        attrs: { strides, pads, dilations, group, outputPadding },
        hasBias: b !== undefined,
        source: layerSource,
      };
      convTransposeGeometryOfShapes(spec.xShape, spec.wShape, b ? b.dims : undefined, spec.attrs, c.node);
      return {
        layer: { ...base, op: 'convTranspose', spec },
        w: w.data,
        b: b?.data,
        shapes: describeConvTranspose(spec.xShape, spec.wShape, spec.attrs, spec.hasBias),
      };
    }
    // Gemm (y = α·A'·B' + β·C) and MatMul: dense layers x [N, K] · w [M, K]ᵀ + b
    if (w.dims.length !== 2)
      return { reason: `its weight is ${w.dims.length}-D [${w.dims.join(',')}]; convcheck's dense takes a 2-D weight` };
    if (xShape.length !== 2) return { reason: `its input x is [${xShape.join(',')}]; convcheck's dense takes [N, K]` };
    let transB = false;
    if (c.opType === 'Gemm') {
      if ((intOf(n, 'transA') ?? 0) !== 0) return { reason: "transA = 1 (convcheck's dense takes x as [N, K])" };
      const alpha = floatOf(n, 'alpha') ?? 1;
      const beta = floatOf(n, 'beta') ?? 1;
      if (alpha !== 1 || (b !== undefined && beta !== 1))
        return { reason: `alpha ${alpha}, beta ${beta} (convcheck's dense computes x·wᵀ + b)` };
      transB = (intOf(n, 'transB') ?? 0) !== 0;
    }
    // w as [M, K]: Gemm with transB = 1 stores it so; MatMul's and Gemm's plain B are [K, M]
    const [M, K] = transB ? w.dims : [w.dims[1], w.dims[0]];
    const wData = transB ? w.data : transpose2d(w.data, w.dims[0], w.dims[1]);
    if (b && !(b.data.length === M && (b.dims.length === 1 || (b.dims.length === 2 && b.dims[0] === 1))))
      return { reason: `its bias C is [${b.dims.join(',')}]; convcheck's dense adds one bias per output [M] = [${M}]` };
    const spec: DenseSpec & { source: LayerSource } = {
      xShape: [...xShape],
      wShape: [M, K],
      hasBias: b !== undefined,
      source: layerSource,
    };
    denseGeometryOfShapes(spec.xShape, spec.wShape, b ? [M] : undefined, c.node);
    return { layer: { ...base, op: 'dense', spec }, w: wData, b: b?.data, shapes: describeDense(spec.xShape, spec.wShape, spec.hasBias) };
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}
