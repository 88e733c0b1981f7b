/**
 * Integer (quantized) tensors, the vocabulary of the four ONNX operators `ConvInteger`,
 * `QLinearConv`, `MatMulInteger` and `QLinearMatMul`: element types and their ranges, typed
 * tensors, and the validation of zero points and scales every one of them performs at its
 * boundary. A real value is `scale · (q − zero_point)` (ONNX).
 */
import { InvalidArgumentError } from './errors.js';
import { PRECISION_FACTS } from './precision.js';
import { checkShape, formatShape, sizeOf } from './tensor.js';

/** The 8-bit types quantized data, weights and outputs may have. */
export type QuantType = 'uint8' | 'int8';

/** Every element type a quantized operator takes or returns: 8-bit data, int32 bias and accumulators, float32 scales. */
export type ElementType = QuantType | 'int32' | 'float32';

/** The typed array of each element type. */
export type TypedData = Uint8Array | Int8Array | Int32Array | Float32Array;

/** A dense row-major tensor of one of the quantized operators' element types. */
export interface TypedTensor {
  readonly shape: readonly number[];
  readonly data: TypedData;
}

/** Each element type's array constructor and integer range (float32: its finite range). */
export const ELEMENT_TYPES = {
  uint8: { ctor: Uint8Array, min: 0, max: 255 },
  int8: { ctor: Int8Array, min: -128, max: 127 },
  int32: { ctor: Int32Array, min: -(2 ** 31), max: 2 ** 31 - 1 },
  float32: { ctor: Float32Array, min: -PRECISION_FACTS.float32.max, max: PRECISION_FACTS.float32.max },
} as const;

/** The element type of a typed array, or undefined when it is none of the four. */
export function elementTypeOf(data: unknown): ElementType | undefined {
  if (data instanceof Uint8Array && !(data instanceof Uint8ClampedArray)) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return undefined;
}

/** `values` as a typed array of `type` (callers hand values already in range: integers convert exactly). */
export function typedArrayOf(values: ArrayLike<number>, type: ElementType): TypedData {
  return ELEMENT_TYPES[type].ctor.from(values);
}

/**
 * Rejects `t` unless it is a tensor `{shape, data}` whose data is a typed array of one of
 * `allowed` with `∏shape` elements; returns its element type.
 */
export function checkTypedTensor(fn: string, argument: string, t: TypedTensor | undefined, allowed: readonly ElementType[]): ElementType {
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new InvalidArgumentError(fn, argument, t, `${argument} must be a tensor {shape, data}, got ${String(t)}`);
  }
  checkShape(fn, argument, t.shape);
  const type = elementTypeOf(t.data);
  if (type === undefined || !allowed.includes(type)) {
    const got =
      type ?? (t.data === null ? 'null' : typeof t.data === 'object' ? ((t.data as object).constructor?.name ?? 'object') : typeof t.data);
    throw new InvalidArgumentError(
      fn,
      argument,
      got,
      `${argument} data must be ${allowed.map(arrayName).join(' or ')}, got ${type ? arrayName(type) : got}`,
    );
  }
  const n = sizeOf(t.shape);
  if (t.data.length !== n) {
    throw new InvalidArgumentError(
      fn,
      argument,
      { shape: t.shape, length: t.data.length },
      `${argument} data length (${t.data.length}) does not match its shape ${formatShape(t.shape)} (${n} elements)`,
    );
  }
  return type;
}

/** `Uint8Array (uint8)`, … */
function arrayName(type: ElementType): string {
  return `${ELEMENT_TYPES[type].ctor.name} (${type})`;
}

/**
 * How many values a zero-point or scale tensor holds, validated: a scalar (shape `[]` or `[1]`)
 * always; one per channel (`[channels]`) where `channels` is given.
 */
function paramCount(fn: string, argument: string, shape: readonly number[], channels: number | undefined, what: string): number {
  const scalar = shape.length === 0 || (shape.length === 1 && shape[0] === 1);
  if (scalar) return 1;
  if (channels !== undefined && shape.length === 1 && shape[0] === channels) return channels;
  throw new InvalidArgumentError(
    fn,
    argument,
    shape,
    `${argument} shape ${formatShape(shape)} must be a scalar ([] or [1])${channels !== undefined ? ` or one per ${what} ([${channels}])` : ''}`,
  );
}

/**
 * The zero points of `argument`, one per channel (a scalar repeated), validated: a tensor of
 * `type` (the quantized tensor's own type, ONNX requires it) with a scalar shape or, where
 * `channels` is given, `[channels]`. Absent (`undefined`) means 0.
 */
export function zeroPoints(
  fn: string,
  argument: string,
  t: TypedTensor | undefined,
  type: QuantType,
  channels: number | undefined,
  what = 'output channel',
): Int32Array {
  const n = channels ?? 1;
  if (t === undefined) return new Int32Array(n);
  checkTypedTensor(fn, argument, t, [type]);
  const count = paramCount(fn, argument, t.shape, channels, what);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = t.data[count === 1 ? 0 : i];
  return out;
}

/**
 * The scales of `argument`, one per channel (a scalar repeated), validated: a float32 tensor with
 * a scalar shape or, where `channels` is given, `[channels]`, every value positive and finite
 * (ONNX: a scale maps q − zero_point to a real value; 0, negative or non-finite scales have no meaning).
 */
export function scales(
  fn: string,
  argument: string,
  t: TypedTensor | undefined,
  channels: number | undefined,
  what = 'output channel',
): Float64Array {
  if (t === undefined) throw new InvalidArgumentError(fn, argument, t, `${argument} is required (a float32 scale)`);
  checkTypedTensor(fn, argument, t, ['float32']);
  const count = paramCount(fn, argument, t.shape, channels, what);
  const n = channels ?? 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = t.data[count === 1 ? 0 : i];
    if (!(v > 0 && Number.isFinite(v))) {
      throw new InvalidArgumentError(
        fn,
        argument,
        v,
        `${argument} must be positive and finite, got ${v}${count > 1 ? ` at index ${i}` : ''}`,
      );
    }
    out[i] = v;
  }
  return out;
}
