/**
 * The quantized operators' semantics on hand-checked examples, their typed errors, the exact
 * requantization and its window, and the guard's handling of integer tensors (wrong output type,
 * written inputs).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { referenceKernel } from '../src/kernels/reference.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { requantize, requantizationWindow, roundHalfEven } from '../src/numeric/requantize.js';
import { GuardedKernel } from '../src/runner/guarded-call.js';
import { KernelFault } from '../src/vocabulary.js';
import type { KernelUnderTest } from '../src/contract.js';
import type { TypedTensor } from '../src/quantized.js';
import { type GatedCall, inadmissibleCall } from '../src/capability-gate.js';
import { completeCapabilities, type KernelCapabilities } from '../src/capabilities.js';

const t = (shape: number[], data: TypedTensor['data']): TypedTensor => ({ shape, data });
const attrs2d = { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 };
type Q = (...a: unknown[]) => TypedTensor;

describe('QLinearConv x=[1,1,3,3] w=[1,1,2,2] (the issue’s example, checked by hand)', () => {
  // acc = b + Σ (x − 10)(w − 0) = 16, 14, 10, 8; y = round(acc · 0.5 · 0.25 / y_scale) + 128.
  // With y_scale = 0.1 as a real number, 14 · 1.25 = 17.5 is a tie → 18 → 146 (the issue's
  // [148, 146, 140, 138]). But y_scale is the float32 0.100000001490116…, so the exact value is
  // 17.49999974 → 17 → 145; float32 arithmetic (onnxruntime, builtin:im2col) rounds the multiplier
  // 0.125 / 0.1f to exactly 1.25 and gives 146. The window allows exactly that one alternative.
  const args = [
    t([1, 1, 3, 3], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)),
    t([], Float32Array.of(0.5)),
    t([], Uint8Array.of(10)),
    t([1, 1, 2, 2], Int8Array.of(1, -2, 3, -4)),
    t([], Float32Array.of(0.25)),
    t([], Int8Array.of(0)),
    t([], Float32Array.of(0.1)),
    t([], Uint8Array.of(128)),
    t([1], Int32Array.of(7)),
    attrs2d,
  ];
  it('the exact reference gives [148,145,140,138]', () => {
    const y = (referenceKernel.qlinearConv as unknown as Q)(...args);
    expect(y.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(y.data)).toEqual([148, 145, 140, 138]);
  });
  it('float32 requantization (builtin:im2col, as onnxruntime) gives [148,146,140,138], 146 being the window’s alternative', () => {
    const y = (im2colKernel.qlinearConv as unknown as Q)(...args);
    expect(Array.from(y.data)).toEqual([148, 146, 140, 138]);
    const ys = Math.fround(0.1);
    expect(requantize(14, 0.5, 0.25, ys, requantizationWindow(0.5, 0.25, ys, 14))).toEqual({ q: 17, alt: 18 });
  });
});

describe('padding holds the zero point: ConvInteger x=[1,1,1,1] w=[1,1,3,3] pads=1', () => {
  it('only the centre tap contributes', () => {
    const y = (referenceKernel.convInteger as unknown as Q)(
      t([1, 1, 1, 1], Uint8Array.of(200)),
      t([1, 1, 3, 3], Uint8Array.of(9, 9, 9, 9, 5, 9, 9, 9, 9)),
      t([], Uint8Array.of(100)),
      t([], Uint8Array.of(1)),
      { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 },
    );
    expect(Array.from(y.data)).toEqual([(200 - 100) * (5 - 1)]);
  });
});

describe('typed errors name the function, the argument and the value', () => {
  const x = t([1, 1, 2], Uint8Array.of(1, 2));
  const w = t([2, 1, 1], Int8Array.of(1, 1));
  const ok = [
    x,
    t([], Float32Array.of(1)),
    t([], Uint8Array.of(0)),
    w,
    t([], Float32Array.of(1)),
    t([], Int8Array.of(0)),
    t([], Float32Array.of(1)),
    t([], Uint8Array.of(0)),
    undefined,
    { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
  ];
  const call = (i: number, v: unknown) => () => (referenceKernel.qlinearConv as unknown as Q)(...ok.map((a, j) => (j === i ? v : a)));
  it('a non-positive or non-finite scale', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(call(1, t([], Float32Array.of(bad)))).toThrowError(InvalidArgumentError);
      try {
        call(1, t([], Float32Array.of(bad)))();
      } catch (e) {
        expect((e as InvalidArgumentError).fn).toBe('referenceQLinearConv');
        expect((e as InvalidArgumentError).argument).toBe('xScale');
        expect((e as Error).message).toMatch(/xScale must be positive and finite, got/);
      }
    }
  });
  it('a zero point of the wrong type (its range: an int8 zero point for uint8 data)', () => {
    expect(call(2, t([], Int8Array.of(-1)))).toThrowError(/xZeroPoint data must be Uint8Array \(uint8\), got Int8Array \(int8\)/);
  });
  it('a per-channel zero point of the wrong length', () => {
    expect(call(5, t([3], Int8Array.of(0, 0, 0)))).toThrowError(
      /wZeroPoint shape \[3\] must be a scalar \(\[\] or \[1\]\) or one per output channel \(\[2\]\)/,
    );
  });
  it('float data where 8-bit data is required', () => {
    expect(call(0, t([1, 1, 2], Float32Array.of(1, 2)))).toThrowError(/x data must be Uint8Array \(uint8\) or Int8Array \(int8\)/);
  });
  it('an int32 accumulation that would overflow', () => {
    const K = 40000;
    const big = referenceKernel.matMulInteger as unknown as Q;
    expect(() => big(t([1, K], new Uint8Array(K).fill(255)), t([K, 1], new Uint8Array(K).fill(255)), undefined, undefined)).toThrowError(
      /outside int32/,
    );
  });
});

describe('requantization: exact rounding and the window', () => {
  it('ties round to even with power-of-two scales, and no alternative is allowed', () => {
    // r = acc · 0.5 · 1 / 1
    expect(requantize(5, 0.5, 1, 1, requantizationWindow(0.5, 1, 1, 5))).toEqual({ q: 2, alt: undefined });
    expect(requantize(7, 0.5, 1, 1, requantizationWindow(0.5, 1, 1, 7))).toEqual({ q: 4, alt: undefined });
    expect(requantize(-5, 0.5, 1, 1, 0)).toEqual({ q: -2, alt: undefined });
    expect(roundHalfEven(-2.5)).toBe(-2);
  });
  it('an exact tie with scales that are not powers of two: decided exactly (BigInt), the far side allowed', () => {
    // 5 · 3 · 0.5 / 3 = 2.5 exactly
    expect(requantizationWindow(3, 0.5, 3, 5)).toBeGreaterThan(0);
    expect(requantize(5, 3, 0.5, 3, requantizationWindow(3, 0.5, 3, 5))).toEqual({ q: 2, alt: 3 });
  });
  it('acc=588507 xs=0.198… ws=0.381… ys=447.94…: r = 99.49999917, float32 arithmetic gives 100 — inside the window', () => {
    const [acc, xs, ws, ys] = [588507, 0.19847869873046875, 0.381574809551239, 447.9423828125];
    const m = Math.fround(Math.fround(xs * ws) / ys);
    expect(roundHalfEven(Math.fround(Math.fround(acc) * m))).toBe(100);
    expect(requantize(acc, xs, ws, ys, requantizationWindow(xs, ws, ys, acc))).toEqual({ q: 99, alt: 100 });
  });
  it('far from a tie no alternative is allowed', () => {
    expect(
      requantize(
        588507,
        0.19847869873046875,
        0.381574809551239,
        440,
        requantizationWindow(0.19847869873046875, 0.381574809551239, 440, 588507),
      ).alt,
    ).toBeUndefined();
  });
});

describe('the guard on integer tensors', () => {
  const x = { shape: [1, 2], data: Float64Array.of(3, 250), dtype: 'uint8' as const };
  const b = { shape: [2, 1], data: Float64Array.of(1, 2), dtype: 'uint8' as const };
  const run = (k: KernelUnderTest) =>
    new GuardedKernel(k, 2000).call(
      'matMulInteger',
      [
        ['a', x],
        ['b', b],
        ['aZeroPoint', undefined],
        ['bZeroPoint', undefined],
      ],
      undefined,
      [1, 1],
      'int32',
    );
  it('hands the kernel typed arrays and reads an Int32Array back', async () => {
    expect(Array.from(await run(referenceKernel))).toEqual([503]);
  });
  it('rejects float output where int32 is due (wrong-type)', async () => {
    const k = {
      name: 'float-out',
      precision: 'float32',
      matMulInteger: () => ({ shape: [1, 1], data: Float32Array.of(503) }),
    } as unknown as KernelUnderTest;
    await expect(run(k)).rejects.toSatisfy(
      (e: unknown) => e instanceof KernelFault && e.kind === 'wrong-type' && /not a Int32Array \(int32\)/.test(e.message),
    );
  });
  it('catches a kernel writing into its uint8 input (mutated-input)', async () => {
    const k = {
      name: 'writer',
      precision: 'float32',
      matMulInteger: (a: TypedTensor) => {
        (a.data as Uint8Array)[1] = 0;
        return { shape: [1, 1], data: Int32Array.of(0) };
      },
    } as unknown as KernelUnderTest;
    await expect(run(k)).rejects.toSatisfy(
      (e: unknown) => e instanceof KernelFault && e.kind === 'mutated-input' && /element 1 changed from 250 to 0/.test(e.message),
    );
  });
});

describe('the capability gate on quantized calls', () => {
  const d = (shape: number[], dtype: 'uint8' | 'int8' | 'float32' | 'int32') => ({
    shape,
    data: new Float64Array(shape.reduce((a, b) => a * b, 1)),
    dtype,
  });
  const gate = (call: GatedCall, caps: KernelCapabilities) => inadmissibleCall(call, completeCapabilities(caps));
  it('refuses a type pair the kernel does not declare', () => {
    const call = {
      method: 'matMulInteger',
      inputs: [
        ['a', d([2, 3], 'int8')],
        ['b', d([3, 4], 'uint8')],
        ['aZeroPoint', d([], 'int8')],
        ['bZeroPoint', d([], 'uint8')],
      ] as GatedCall['inputs'],
      attrs: undefined,
      outputShape: [2, 4],
    };
    expect(gate(call, { quantizedTypes: ['u8u8', 's8s8'] })).toBe(
      'matMulInteger() has int8 data with uint8 weights (s8u8) and the kernel declares quantizedTypes [u8u8,s8s8]',
    );
    expect(gate(call, {})).toBeUndefined();
  });
  it('refuses a per-channel weight zero point where the operator takes only per-tensor ones', () => {
    const call = {
      method: 'convInteger',
      inputs: [
        ['x', d([1, 1, 4], 'uint8')],
        ['w', d([3, 1, 2], 'uint8')],
        ['xZeroPoint', d([], 'uint8')],
        ['wZeroPoint', d([3], 'uint8')],
      ] as GatedCall['inputs'],
      attrs: { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
      outputShape: [1, 3, 3],
    };
    expect(gate(call, { quantizedPerChannel: ['qlinearConv'] })).toBe(
      'convInteger() has a per-channel wZeroPoint (3 values) and the kernel declares quantizedPerChannel [qlinearConv]',
    );
  });
  it('reads quantizedSpatialRanks, not spatialRanks, for quantized convs', () => {
    const call = {
      method: 'convInteger',
      inputs: [
        ['x', d([1, 1, 4], 'uint8')],
        ['w', d([3, 1, 2], 'uint8')],
      ] as GatedCall['inputs'],
      attrs: { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
      outputShape: [1, 3, 3],
    };
    expect(gate(call, { spatialRanks: [2], quantizedSpatialRanks: [1, 2] })).toBeUndefined();
    expect(gate(call, { spatialRanks: [1], quantizedSpatialRanks: [2] })).toBe(
      'convInteger() has spatial rank 1 and the kernel declares quantizedSpatialRanks [2]',
    );
  });
});
