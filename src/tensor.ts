/** Tensor helpers: construction, validation, precision conversion and strides. */
import type { Precision, Tensor } from './contract.js';
import { InvalidArgumentError } from './errors.js';
import { isPrecision, PRECISION_FACTS, precisionList } from './precision.js';

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * The typed-array constructor a kernel of the given precision is handed. float16 values travel in
 * a `Float32Array` (Node 20 has no `Float16Array`; every float16 value is a float32).
 */
export function arrayTypeOf(precision: Precision): Float32ArrayConstructor | Float64ArrayConstructor {
  return PRECISION_FACTS[precision].arrayType;
}

/** `data` as the typed array of `precision`, rounded to nearest (float16: ties to even, from the exact value). */
export function convertData(data: ArrayLike<number>, precision: Precision): Float32Array | Float64Array {
  return PRECISION_FACTS[precision].toArray(data);
}

/**
 * Builds a tensor, validating the shape and the data length. With `'float16'` every value is
 * rounded to the nearest float16 (ties to even) and carried in a `Float32Array`.
 * @example tensor([2, 3], [1, 2, 3, 4, 5, 6])
 */
export function tensor(
  shape: readonly number[],
  data: ArrayLike<number> | Float32Array | Float64Array,
  precision: Precision = 'float64',
): Tensor {
  const s = [...shape];
  checkShape('tensor', 'shape', s);
  if (!isPrecision(precision)) {
    throw new InvalidArgumentError(
      'tensor',
      'precision',
      precision,
      `precision must be ${precisionList()}, got ${JSON.stringify(precision)}`,
    );
  }
  if (data.length !== sizeOf(s)) {
    throw new InvalidArgumentError(
      'tensor',
      'data',
      { shape: s, length: data.length },
      `data length (${data.length}) does not match shape [${s.join(',')}] (${sizeOf(s)} elements)`,
    );
  }
  const facts = PRECISION_FACTS[precision];
  const d = facts.arrayIsFormat && data instanceof facts.arrayType ? data : convertData(data, precision);
  return { shape: s, data: d };
}

/** A zero-filled tensor. */
export function zeros(shape: readonly number[], precision: Precision = 'float64'): Tensor {
  return { shape: [...shape], data: new (arrayTypeOf(precision))(sizeOf(shape)) };
}

/** A copy of `t` whose data is a typed array of `precision` (rounding to nearest when narrowing). */
export function withPrecision(t: Tensor, precision: Precision): Tensor {
  return { shape: [...t.shape], data: convertData(t.data, precision) };
}

/** Rejects a shape whose sizes are not non-negative integers. */
export function checkShape(fn: string, argument: string, shape: readonly number[]): void {
  if (!Array.isArray(shape)) {
    throw new InvalidArgumentError(fn, argument, shape, `${argument} shape must be an array of sizes, got ${String(shape)}`);
  }
  const label = argument === 'shape' ? 'shape' : `${argument} shape`;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(
        fn,
        argument,
        shape,
        `${label} [${shape.join(',')}] has a size that is not a non-negative integer (${d} at axis ${i})`,
      );
    }
  }
}

/** Rejects a tensor that is not `{shape, data}` with a valid shape and `data.length === ∏shape`. */
export function checkTensor(fn: string, argument: string, t: Tensor | undefined): asserts t is Tensor {
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new InvalidArgumentError(fn, argument, t, `${argument} must be a tensor {shape, data}, got ${String(t)}`);
  }
  checkShape(fn, argument, t.shape);
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
    throw new InvalidArgumentError(fn, argument, t.data, `${argument} data must be a Float32Array or Float64Array`);
  }
  const n = sizeOf(t.shape);
  if (t.data.length !== n) {
    throw new InvalidArgumentError(
      fn,
      argument,
      { shape: t.shape, length: t.data.length },
      `${argument} data length (${t.data.length}) does not match its shape [${t.shape.join(',')}] (${n} elements)`,
    );
  }
}

/** Formats a shape as `[2,3,7,5]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
