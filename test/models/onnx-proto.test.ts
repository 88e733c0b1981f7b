/** `int64ToNumber` (src/models/onnx-proto.ts): protobufjs's int64 forms as numbers, and the 2⁵³ limit. */
import { describe, expect, it } from 'vitest';
import { int64ToNumber } from '../../src/models/onnx-proto.js';

/** A stand-in for protobufjs's `Long` (the two methods the reader uses). */
const long = (n: number, text = String(n)) => ({ toNumber: () => n, toString: () => text });

describe('int64ToNumber', () => {
  it('an absent field is 0; a number is itself; a Long is its number', () => {
    expect(int64ToNumber(undefined)).toBe(0);
    expect(int64ToNumber(null)).toBe(0);
    expect(int64ToNumber(-7)).toBe(-7);
    expect(int64ToNumber(long(2 ** 53 - 1))).toBe(2 ** 53 - 1);
  });
  it('a Long past 2^53 is a RangeError with its exact decimal', () => {
    expect(() => int64ToNumber(long(2 ** 53, '9007199254740993'))).toThrowError(new RangeError('int64 9007199254740993 is beyond 2^53'));
  });
});
