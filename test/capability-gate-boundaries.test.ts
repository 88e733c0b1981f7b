/**
 * The capability gate (`src/capability-gate.ts`) at its boundaries: the first axis, the first
 * element and ties decide what the sentence names; values at the edge of a capability (dilation 1,
 * stride 1, symmetric pads, all-finite data) pass; attributes that are missing or not arrays of
 * numbers are not read.
 */
import { describe, expect, it } from 'vitest';
import { completeCapabilities } from '../src/capabilities.js';
import { type GatedCall, inadmissibleCall } from '../src/capability-gate.js';
import type { KernelCapabilities } from '../src/capabilities.js';

const t = (shape: number[], fill = 1) => ({ shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
const gate = (call: GatedCall, caps: KernelCapabilities) => inadmissibleCall(call, completeCapabilities(caps));

/** x=[1,2,5,5] w=[2,2,3,3] → y=[1,2,5,5] with these attributes. */
function call(
  attrs: unknown,
  inputs: GatedCall['inputs'] = [
    ['x', t([1, 2, 5, 5])],
    ['w', t([2, 2, 3, 3])],
    ['b', undefined],
  ],
): GatedCall {
  return { method: 'conv', inputs, attrs, outputShape: [1, 2, 5, 5] };
}
const plain = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 };
const narrow: KernelCapabilities = {
  spatialRanks: [2],
  group: false,
  dilation: false,
  strideWithDilation: false,
  asymmetricPads: false,
  specialValues: false,
};

describe('values at the edge of a capability pass', () => {
  it('x=[1,2,5,5] w=[2,2,3,3] s=1 d=1 p=1 g=1 passes the narrowest kernel', () => {
    expect(gate(call(plain), narrow)).toBeUndefined();
  });

  it('stride 2 without dilation passes strideWithDilation: false; dilation 2 with stride 1 too', () => {
    expect(gate(call({ ...plain, strides: [2, 2] }), { strideWithDilation: false })).toBeUndefined();
    expect(gate(call({ ...plain, dilations: [2, 1] }), { strideWithDilation: false })).toBeUndefined();
  });

  it('spatial rank 1 and 3 against [1, 3]', () => {
    expect(gate(call({ ...plain, strides: [1] }), { spatialRanks: [1, 3] })).toBeUndefined();
    expect(gate(call({ ...plain, strides: [1, 1, 1] }), { spatialRanks: [1, 3] })).toBeUndefined();
  });
});

describe('what the sentence names', () => {
  it('asymmetric pads on axis 0', () => {
    expect(gate(call({ ...plain, pads: [0, 1, 1, 1] }), { asymmetricPads: false })).toBe(
      'conv() has pads [0,1,1,1], asymmetric on axis 0 (begin 0 ≠ end 1), and the kernel declares asymmetricPads: false',
    );
    expect(gate(call({ ...plain, pads: [2, 3] }), { asymmetricPads: false })).toBe(
      'conv() has pads [2,3], asymmetric on axis 0 (begin 2 ≠ end 3), and the kernel declares asymmetricPads: false',
    );
  });

  it('stride and dilation both > 1 on different axes', () => {
    expect(gate(call({ ...plain, strides: [1, 3], dilations: [2, 1] }), { strideWithDilation: false })).toBe(
      'conv() has strides [1,3] with dilations [2,1] and the kernel declares strideWithDilation: false',
    );
  });

  it('the first non-finite element, at element 0, in w when x is finite; a missing bias is skipped', () => {
    const w = t([2, 2, 3, 3]);
    w.data[0] = Number.NaN;
    w.data[5] = Number.POSITIVE_INFINITY;
    expect(
      gate(
        call(plain, [
          ['x', t([1, 2, 5, 5])],
          ['b', undefined],
          ['w', w],
        ]),
        { specialValues: false },
      ),
    ).toBe("conv()'s w holds NaN at element 0 and the kernel declares specialValues: false");
    const b = t([2]);
    b.data[1] = Number.NEGATIVE_INFINITY;
    expect(
      gate(
        call(plain, [
          ['x', t([1, 2, 5, 5])],
          ['w', t([2, 2, 3, 3])],
          ['b', b],
        ]),
        { specialValues: false },
      ),
    ).toBe("conv()'s b holds -Infinity at element 1 and the kernel declares specialValues: false");
  });

  it('activations: the declared kinds listed with commas', () => {
    expect(gate(call({ ...plain, activation: { kind: 'sigmoid' } }), { activations: ['relu', 'tanh'] })).toBe(
      'conv() has the fused activation sigmoid and the kernel declares activations [relu, tanh]',
    );
  });

  it('maxElements: an absent first input is skipped, not counted', () => {
    const inputs: GatedCall['inputs'] = [
      ['b', undefined],
      ['x', t([1, 2, 5, 5])],
      ['w', t([2, 2, 3, 3])],
    ];
    expect(gate(call(plain, inputs), { maxElements: 40 })).toBe("conv()'s x has 50 elements and the kernel declares maxElements 40");
  });

  it('maxElements: a tie names the first of the largest', () => {
    // x and y both have 50 elements, w 36
    expect(gate(call(plain), { maxElements: 49 })).toBe("conv()'s x has 50 elements and the kernel declares maxElements 49");
    expect(gate(call(plain), { maxElements: 50 })).toBeUndefined();
    const wide = call(plain, [
      ['x', t([1, 1, 2, 2])],
      ['w', t([2, 1, 7, 7])],
      ['b', t([2])],
    ]);
    expect(gate(wide, { maxElements: 97 })).toBe("conv()'s w has 98 elements and the kernel declares maxElements 97");
  });
});

describe('attributes the gate does not read', () => {
  it('no attributes (null, a number): only sizes and values are gated', () => {
    for (const attrs of [null, 5, undefined]) {
      expect(gate(call(attrs), { ...narrow, spatialRanks: [3] })).toBeUndefined();
      expect(gate(call(attrs), { maxElements: 10 })).toBe("conv()'s x has 50 elements and the kernel declares maxElements 10");
    }
  });

  it("attribute arrays that are not all numbers are left to the operator's own validation", () => {
    expect(gate(call({ ...plain, strides: ['2', 2] }), { spatialRanks: [3] })).toBeUndefined();
    expect(gate(call({ ...plain, dilations: [2, '2'], strides: [2, 2] }), { dilation: false, strideWithDilation: false })).toBeUndefined();
    expect(gate(call({ ...plain, pads: [0, 1, '1', 1] }), { asymmetricPads: false })).toBeUndefined();
    expect(gate(call({ ...plain, strides: 2 }), { spatialRanks: [3] })).toBeUndefined();
  });

  it('dilations without strides: stride with dilation is not asked about', () => {
    expect(gate(call({ dilations: [2, 2], pads: [1, 1, 1, 1], group: 1 }), { strideWithDilation: false })).toBeUndefined();
  });

  it('a group that is not a number > 1 is not gated', () => {
    expect(gate(call({ ...plain, group: '2' }), { group: false })).toBeUndefined();
    expect(gate(call({ ...plain, group: 1 }), { group: false })).toBeUndefined();
  });

  it('dense calls have no strides, dilations or pads to gate', () => {
    const dense: GatedCall = {
      method: 'dense',
      inputs: [
        ['x', t([3, 4])],
        ['w', t([5, 4])],
      ],
      attrs: undefined,
      outputShape: [3, 5],
    };
    expect(gate(dense, narrow)).toBeUndefined();
  });
});

describe('quantized calls at the boundaries', () => {
  const d = (shape: number[], dtype: string) => ({ shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)), dtype });
  const mm = (inputs: GatedCall['inputs']): GatedCall => ({ method: 'matMulInteger', inputs, attrs: undefined, outputShape: [2, 4] });

  it("the pair is the first input's type and w's (or b's); types other than 8-bit are not paired", () => {
    const only = { quantizedTypes: ['u8u8' as const] };
    expect(
      gate(
        mm([
          ['a', d([2, 3], 'uint8')],
          ['b', d([3, 4], 'int8')],
        ]),
        only,
      ),
    ).toBe('matMulInteger() has uint8 data with int8 weights (u8s8) and the kernel declares quantizedTypes [u8u8]');
    expect(
      gate(
        mm([
          ['a', d([2, 3], 'uint8')],
          ['b', d([3, 4], 'uint8')],
        ]),
        only,
      ),
    ).toBeUndefined();
    expect(
      gate(
        mm([
          ['a', d([2, 3], 'float32')],
          ['b', d([3, 4], 'int8')],
        ]),
        only,
      ),
    ).toBeUndefined();
    expect(
      gate(
        mm([
          ['a', d([2, 3], 'int8')],
          ['b', d([3, 4], 'int32')],
        ]),
        only,
      ),
    ).toBeUndefined();
    expect(
      gate(
        mm([
          ['a', d([2, 3], 'int8')],
          ['b', undefined],
        ]),
        only,
      ),
    ).toBeUndefined();
    const conv: GatedCall = {
      method: 'convInteger',
      inputs: [
        ['x', d([1, 1, 4], 'int8')],
        ['b', d([3], 'uint8')],
        ['w', d([3, 1, 2], 'int8')],
      ],
      attrs: { strides: [1], pads: [0, 0], dilations: [1], group: 1 },
      outputShape: [1, 3, 3],
    };
    expect(gate(conv, { quantizedTypes: ['s8u8'] })).toBe(
      'convInteger() has int8 data with int8 weights (s8s8) and the kernel declares quantizedTypes [s8u8]',
    );
  });

  it('per channel means more than one value of a w/b scale or zero point', () => {
    const perTensor = { quantizedPerChannel: [] };
    const base: GatedCall['inputs'] = [
      ['a', d([2, 3], 'uint8')],
      ['b', d([3, 4], 'uint8')],
    ];
    expect(gate(mm([...base, ['bZeroPoint', d([1], 'uint8')], ['aZeroPoint', undefined]]), perTensor)).toBeUndefined();
    expect(gate(mm([...base, ['aZeroPoint', d([2], 'uint8')]]), perTensor)).toBeUndefined();
    expect(gate(mm([...base, ['bScale', d([4], 'float32')]]), perTensor)).toBe(
      'matMulInteger() has a per-channel bScale (4 values) and the kernel declares quantizedPerChannel []',
    );
    expect(gate(mm([...base, ['wZeroPoint', d([2, 2], 'uint8')]]), { quantizedPerChannel: ['qlinearConv', 'convInteger'] })).toBe(
      'matMulInteger() has a per-channel wZeroPoint (4 values) and the kernel declares quantizedPerChannel [qlinearConv,convInteger]',
    );
    expect(gate(mm([...base, ['bScale', d([4], 'float32')]]), { quantizedPerChannel: ['matMulInteger'] })).toBeUndefined();
  });

  it('a float operator is not gated by the quantized capabilities', () => {
    const c: GatedCall = {
      method: 'conv',
      inputs: [
        ['x', d([1, 1, 4], 'int8')],
        ['w', d([3, 1, 2], 'uint8')],
        ['wScale', d([3], 'float32')],
      ],
      attrs: { strides: [1] },
      outputShape: [1, 3, 3],
    };
    expect(gate(c, { quantizedTypes: [], quantizedPerChannel: [], quantizedSpatialRanks: [2] })).toBeUndefined();
  });
});
