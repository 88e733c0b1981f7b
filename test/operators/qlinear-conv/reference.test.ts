/**
 * The QLinearConv reference's boundary (src/operators/qlinear-conv/reference.ts, src/quantized.ts):
 * each operand it refuses is an InvalidArgumentError naming referenceQLinearConv, the argument and the value.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { referenceQLinearConv } from '../../../src/operators/qlinear-conv/reference.js';
import { elementTypeOf, type TypedTensor } from '../../../src/quantized.js';

const t = (shape: number[], data: TypedTensor['data']): TypedTensor => ({ shape, data });
// x=[1,1,2] w=[2,1,1] b=[2]: y = round((x − 0)·(w − 0)·1·1/1 + b) + 0
const ok: unknown[] = [
  t([1, 1, 2], Uint8Array.of(1, 2)),
  t([], Float32Array.of(1)),
  t([], Uint8Array.of(0)),
  t([2, 1, 1], Int8Array.of(1, 3)),
  t([], Float32Array.of(1)),
  t([], Int8Array.of(0)),
  t([], Float32Array.of(1)),
  t([], Uint8Array.of(0)),
  t([2], Int32Array.of(5, -1)),
  { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
];
const run = (i: number, v: unknown) => () =>
  (referenceQLinearConv as (...a: unknown[]) => TypedTensor)(...ok.map((a, j) => (j === i ? v : a)));

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

describe('referenceQLinearConv x=[1,1,2] w=[2,1,1] b=[2]', () => {
  it('the valid call (control): [1+5, 2+5, 3−1, 6−1]', () => {
    expect(Array.from(run(-1, undefined)().data)).toEqual([6, 7, 2, 5]);
  });
  it('no yZeroPoint: it is required, since its type is y’s type', () => {
    const e = invalid(run(7, undefined));
    expect(e).toMatchObject({ fn: 'referenceQLinearConv', argument: 'yZeroPoint', value: undefined });
    expect(e.message).toBe('referenceQLinearConv: yZeroPoint is required (its type, uint8 or int8, is the type of y)');
  });
  it('no xZeroPoint: required by ONNX QLinearConv', () => {
    expect(invalid(run(2, undefined)).message).toBe('referenceQLinearConv: xZeroPoint is required (ONNX QLinearConv)');
  });
  it.each([
    [[3], Int32Array.of(1, 2, 3), '[3]'],
    [[2, 1], Int32Array.of(1, 2), '[2,1]'],
  ])('b of shape %j: one int32 per output channel is required', (shape, data, text) => {
    const e = invalid(run(8, t(shape, data)));
    expect(e).toMatchObject({ argument: 'b', value: shape });
    expect(e.message).toBe(`referenceQLinearConv: b shape ${text} must be [2] (one int32 bias per output channel)`);
  });
  it('b as float32: the message names both array types', () => {
    expect(invalid(run(8, t([2], Float32Array.of(1, 2)))).message).toBe(
      'referenceQLinearConv: b data must be Int32Array (int32), got Float32Array (float32)',
    );
  });
  it('data that is no typed array: the message names what it is (null, number, a class, a plain array)', () => {
    expect(invalid(run(0, { shape: [1, 1, 2], data: null })).value).toBe('null');
    expect(invalid(run(0, { shape: [1, 1, 2], data: 7 })).message).toBe(
      'referenceQLinearConv: x data must be Uint8Array (uint8) or Int8Array (int8), got number',
    );
    expect(invalid(run(0, { shape: [1, 1, 2], data: [1, 2] })).value).toBe('Array');
    expect(invalid(run(0, { shape: [1, 1, 2], data: Object.create(null) })).value).toBe('object');
    expect(invalid(run(0, { shape: [1, 1, 2], data: new Float64Array(2) })).value).toBe('Float64Array');
    expect(invalid(run(0, { shape: [1, 1, 2], data: new Uint8ClampedArray(2) })).value).toBe('Uint8ClampedArray');
  });
});

describe('elementTypeOf', () => {
  it('the four element types, and undefined for any other array', () => {
    expect(elementTypeOf(new Uint8Array(1))).toBe('uint8');
    expect(elementTypeOf(new Int8Array(1))).toBe('int8');
    expect(elementTypeOf(new Int32Array(1))).toBe('int32');
    expect(elementTypeOf(new Float32Array(1))).toBe('float32');
    expect(elementTypeOf(new Float64Array(1))).toBeUndefined();
    expect(elementTypeOf(new Uint8ClampedArray(1))).toBeUndefined();
    expect(elementTypeOf([1])).toBeUndefined();
  });
});
