/**
 * The quantized operators on ONNX Runtime (`onnxruntime-node` CPU EP, `onnxruntime-web` WASM EP):
 * each call runs a one-node `ConvInteger` / `QLinearConv` / `MatMulInteger` / `QLinearMatMul`
 * model built with `onnx-proto` (`onnx-quantized.ts`). By default every operand is a graph input;
 * with `constantWeights` the weights, their scales and zero points, y's quantization and the bias
 * are initializers, as exported quantized models carry them (onnxruntime then pre-packs them).
 *
 * What onnxruntime 1.30 accepts was measured (node and web alike, `docs/quantized.md`):
 * ConvInteger and MatMulInteger take every (data, weight) type pair; QLinearConv and
 * QLinearMatMul have no int8-data/uint8-weight kernel ("Could not find an implementation");
 * ConvInteger rejects a per-channel w_zero_point ("Non per-tensor quantization is not supported
 * now"); spatial ranks 1–3. The capabilities below declare exactly that.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { KernelCapabilities } from '../capabilities.js';
import type { ElementType, TypedTensor } from '../quantized.js';
import { ELEMENT_TYPES, elementTypeOf } from '../quantized.js';
import { centredConv } from '../operators/conv-integer/reference.js';
import { qlinearConvProblem } from '../operators/qlinear-conv/reference.js';
import { centredMatMul } from '../operators/matmul-integer/reference.js';
import { qlinearMatMulProblem } from '../operators/qlinear-matmul/reference.js';
import type { ConvIntegerFunction, IntegerConvAttributes } from '../operators/conv-integer/contract.js';
import type { QLinearConvFunction } from '../operators/qlinear-conv/contract.js';
import type { MatMulIntegerFunction } from '../operators/matmul-integer/contract.js';
import type { QLinearMatMulFunction } from '../operators/qlinear-matmul/contract.js';
import { describeConv } from '../operators/conv/geometry.js';
import type { QuantizedMethod } from './onnx-quantized.js';
import { CONSTANT_INPUTS, ONNX_INPUTS, quantizedModel } from './onnx-quantized.js';

type Ort = typeof import('onnxruntime-node');

/** What onnxruntime 1.30 runs of the quantized operators (measured; see the header). */
export const ONNXRUNTIME_QUANTIZED_CAPABILITIES: KernelCapabilities = {
  quantizedTypes: ['u8u8', 'u8s8', 's8s8'],
  quantizedPerChannel: ['qlinearConv', 'matMulInteger', 'qlinearMatMul'],
  quantizedSpatialRanks: [1, 2, 3],
};

/** Sessions kept (one per signature, and per weight set with constant weights). */
const CACHE = 16;

/** The four quantized kernel methods. */
export interface QuantizedMethods {
  readonly convInteger: ConvIntegerFunction;
  readonly qlinearConv: QLinearConvFunction;
  readonly matMulInteger: MatMulIntegerFunction;
  readonly qlinearMatMul: QLinearMatMulFunction;
}

/** The four quantized kernel methods on onnxruntime. */
export function onnxruntimeQuantizedOperators(
  ort: Ort,
  options: InferenceSession.SessionOptions,
  name: string,
  constantWeights: boolean,
): QuantizedMethods {
  const sessions = new Map<string, { session: Promise<InferenceSession>; constants: readonly TypedTensor[] }>();

  // Byte for byte, in a plain loop: a closure per element (`every`) cost hundreds of ms per call
  // on 2.4 M weights (ResNet-50 layer4) and was timed as onnxruntime's in the bench.
  const sameBytes = (x: TypedTensor['data'], y: TypedTensor['data']): boolean => {
    const a = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const b = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  const sameConstants = (a: readonly TypedTensor[], b: readonly TypedTensor[]) =>
    a.length === b.length &&
    a.every(
      (t, i) =>
        t.data.length === b[i].data.length &&
        t.data.constructor === b[i].data.constructor &&
        sameBytes(t.data, b[i].data),
    );

  function session(key: string, constants: readonly TypedTensor[], model: () => Uint8Array): Promise<InferenceSession> {
    const cached = sessions.get(key);
    if (cached !== undefined) {
      sessions.delete(key);
      if (sameConstants(cached.constants, constants)) {
        sessions.set(key, cached);
        return cached.session;
      }
      cached.session.then((s) => s.release()).catch(() => undefined);
    }
    const created = ort.InferenceSession.create(model(), options);
    const entry = { session: created, constants: constants.map((t) => ({ shape: [...t.shape], data: t.data.slice() })) };
    sessions.set(key, entry);
    created.catch(() => {
      if (sessions.get(key) === entry) sessions.delete(key);
    });
    if (sessions.size > CACHE) {
      const [oldestKey, oldest] = sessions.entries().next().value as [string, typeof entry];
      sessions.delete(oldestKey);
      oldest.session.then((s) => s.release()).catch(() => undefined);
    }
    return created;
  }

  /** Runs `method` on its inputs (ONNX order) after they were validated; y has `outputType`. */
  async function runNode(
    method: QuantizedMethod,
    inputs: ReadonlyArray<TypedTensor | undefined>,
    attrs: IntegerConvAttributes | undefined,
    outputType: ElementType,
    outputShape: readonly number[],
  ): Promise<TypedTensor> {
    const names = ONNX_INPUTS[method];
    const constant = constantWeights ? CONSTANT_INPUTS[method] : new Set<string>();
    const constants = inputs.filter((t, i): t is TypedTensor => t !== undefined && constant.has(names[i]));
    const signature = `${method} ${inputs.map((t) => (t ? `${elementTypeOf(t.data)}[${t.shape.join(',')}]` : '-')).join(' ')} ${attrs ? describeConv([], [], attrs, false) : ''}`;
    const weightKey = constants.map((t) => hash(t.data)).join(',');
    const s = await session(constantWeights ? `${signature} ${weightKey}` : signature, constants, () =>
      quantizedModel(method, inputs, outputType, outputShape, attrs, constant),
    );
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    inputs.forEach((t, i) => {
      if (t !== undefined && !constant.has(names[i]))
        feeds[names[i]] = new ort.Tensor(elementTypeOf(t.data)!, t.data.slice() as never, [...t.shape]);
    });
    const results = await s.run(feeds);
    const y = results[s.outputNames[0]];
    try {
      return { shape: [...y.dims], data: ELEMENT_TYPES[outputType].ctor.from(y.data as ArrayLike<number>) };
    } finally {
      y.dispose();
    }
  }

  return {
    convInteger: (
      x: TypedTensor,
      w: TypedTensor,
      xz: TypedTensor | undefined,
      wz: TypedTensor | undefined,
      attrs: IntegerConvAttributes,
    ) => {
      const p = centredConv(name, x, w, xz, wz, attrs);
      return runNode('convInteger', [x, w, xz, wz], attrs, 'int32', p.g.outputShape);
    },
    qlinearConv: (
      x: TypedTensor,
      xs: TypedTensor,
      xz: TypedTensor,
      w: TypedTensor,
      ws: TypedTensor,
      wz: TypedTensor,
      ys: TypedTensor,
      yz: TypedTensor,
      b: TypedTensor | undefined,
      attrs: IntegerConvAttributes,
    ) => {
      const p = qlinearConvProblem(name, x, xs, xz, w, ws, wz, ys, yz, b, attrs);
      return runNode('qlinearConv', [x, xs, xz, w, ws, wz, ys, yz, b], attrs, p.q.yType, p.conv.g.outputShape);
    },
    matMulInteger: (a: TypedTensor, b: TypedTensor, az: TypedTensor | undefined, bz: TypedTensor | undefined) => {
      const p = centredMatMul(name, a, b, az, bz);
      return runNode('matMulInteger', [a, b, az, bz], undefined, 'int32', p.outputShape);
    },
    qlinearMatMul: (
      a: TypedTensor,
      as: TypedTensor,
      az: TypedTensor,
      b: TypedTensor,
      bs: TypedTensor,
      bz: TypedTensor,
      ys: TypedTensor,
      yz: TypedTensor,
    ) => {
      const p = qlinearMatMulProblem(name, a, as, az, b, bs, bz, ys, yz);
      return runNode('qlinearMatMul', [a, as, az, b, bs, bz, ys, yz], undefined, p.q.yType, p.mm.outputShape);
    },
  };
}

/** FNV-1a of a typed array's values (a cache key; hits are confirmed element by element). */
function hash(data: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] & 0xffffffff), 0x01000193);
  return `${data.length}:${(h >>> 0).toString(16)}`;
}
