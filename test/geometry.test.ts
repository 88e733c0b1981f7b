/**
 * Geometry (src/geometry.ts, src/operators/{conv,conv-transpose,dense}/geometry.ts): every field of
 * a validated geometry worked out by hand for one asymmetric problem per operator, the rank limits
 * of the auto-pad resolvers, the 3-axis lifting, and the ConvTranspose scatter plan against a brute
 * force enumeration of input → output positions.
 */
import { describe, expect, it } from 'vitest';
import { EmptyOutputError, InvalidArgumentError } from '../src/errors.js';
import { axes3d, checkBiasShape, checkIntArray, checkSpatialOperands, lift3d, spatialAxes } from '../src/geometry.js';
import { convGeometry, convGeometryOfShapes, describeConv, resolveAutoPad } from '../src/operators/conv/geometry.js';
import {
  convTransposeGeometry,
  convTransposeGeometryOfShapes,
  describeConvTranspose,
  resolveConvTransposePads,
  scatterPlan,
} from '../src/operators/conv-transpose/geometry.js';
import type { ConvTransposeGeometry } from '../src/operators/conv-transpose/geometry.js';
import { denseGeometry, denseGeometryOfShapes, describeDense } from '../src/operators/dense/geometry.js';

/** The error `call` throws. */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('conv geometry x=[2,4,7,5] w=[6,2,3,2] s=[2,1] p=[1,0,0,1] d=[1,2] g=2 bias=yes', () => {
  const attrs = { strides: [2, 1], pads: [1, 0, 0, 1], dilations: [1, 2], group: 2 };
  it('every field, by hand', () => {
    // axis 0: eff 3, padded 7+1+0 = 8, floor((8−3)/2)+1 = 3; axis 1: eff 2·1+1 = 3, padded 5+0+1 = 6, floor(3/1)+1 = 4
    expect(convGeometryOfShapes([2, 4, 7, 5], [6, 2, 3, 2], [6], attrs)).toEqual({
      rank: 2,
      batch: 2,
      inChannels: 4,
      outChannels: 6,
      group: 2,
      inChannelsPerGroup: 2,
      outChannelsPerGroup: 3,
      inSpatial: [7, 5],
      kernelSpatial: [3, 2],
      outSpatial: [3, 4],
      strides: [2, 1],
      dilations: [1, 2],
      padsBegin: [1, 0],
      padsEnd: [0, 1],
      effectiveKernel: [3, 3],
      inSpatialSize: 35,
      kernelSpatialSize: 6,
      outSpatialSize: 12,
      reductionLength: 12,
      hasBias: true,
      inputShape: [2, 4, 7, 5],
      weightShape: [6, 2, 3, 2],
      outputShape: [2, 6, 3, 4],
    });
    expect(convGeometryOfShapes([2, 4, 7, 5], [6, 2, 3, 2], undefined, attrs).hasBias).toBe(false);
  });

  it('tensors are checked by name, the bias too', () => {
    const f = (n: number) => new Float64Array(n);
    const x = { shape: [2, 4, 7, 5], data: f(280) };
    const w = { shape: [6, 2, 3, 2], data: f(72) };
    expect(convGeometry(x, w, { shape: [6], data: f(6) }, attrs).outputShape).toEqual([2, 6, 3, 4]);
    expect(thrown(() => convGeometry(x, w, { shape: [6], data: f(5) }, attrs))).toMatchObject({ fn: 'conv', argument: 'b' });
    expect(thrown(() => convGeometry(x, { shape: [6, 2, 3, 2], data: f(71) }, undefined, attrs))).toMatchObject({ argument: 'w' });
    expect(thrown(() => convGeometry({ shape: [2, 4, 7, 5], data: f(1) }, w, undefined, attrs, 'myConv'))).toMatchObject({
      fn: 'myConv',
      argument: 'x',
    });
  });

  it('malformed shapes are named: x, w, b', () => {
    expect(thrown(() => convGeometryOfShapes([2, 4, 7.5, 5], [6, 2, 3, 2], undefined, attrs))).toMatchObject({ fn: 'conv', argument: 'x' });
    expect(thrown(() => convGeometryOfShapes([2, 4, 7, 5], [6, 2, -3, 2], undefined, attrs))).toMatchObject({ fn: 'conv', argument: 'w' });
    expect(thrown(() => convGeometryOfShapes([2, 4, 7, 5], [6, 2, 3, 2], [-6], attrs))).toMatchObject({ fn: 'conv', argument: 'b' });
  });

  it('the geometry copies the attribute arrays', () => {
    const s = [2, 1];
    const g = convGeometryOfShapes([2, 4, 7, 5], [6, 2, 3, 2], undefined, { ...attrs, strides: s });
    expect(g.strides).not.toBe(s);
  });

  it('one line describes it', () => {
    expect(describeConv([2, 4, 7, 5], [6, 2, 3, 2], attrs, true)).toBe(
      'x=[2,4,7,5] w=[6,2,3,2] strides=[2,1] pads=[1,0,0,1] dilations=[1,2] group=2 bias=yes',
    );
    expect(describeConv([1, 1, 3], [1, 1, 1], { strides: [1], pads: [0, 0], dilations: [1], group: 1 }, false)).toBe(
      'x=[1,1,3] w=[1,1,1] strides=[1] pads=[0,0] dilations=[1] group=1 bias=no',
    );
  });

  it('an output of exactly 1 is accepted, one of 0 is an EmptyOutputError naming the axis', () => {
    const one = { strides: [1], pads: [0, 0], dilations: [2], group: 1 };
    expect(convGeometryOfShapes([1, 1, 5], [1, 1, 3], undefined, one).outSpatial).toEqual([1]);
    const e = thrown(() => convGeometryOfShapes([1, 1, 4], [1, 1, 3], undefined, one));
    expect(e).toBeInstanceOf(EmptyOutputError);
    expect(e).toMatchObject({
      code: 'ERR_EMPTY_OUTPUT',
      value: { axis: 0, outputSize: 0 },
      message:
        'conv: output size on axis 0 would be 0 < 1: padded input (4 + 0 + 0 = 4) is smaller than the effective kernel extent (2·(3−1)+1 = 5)',
    });
  });

  it('channel checks name the values', () => {
    const base = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
    expect(thrown(() => convGeometryOfShapes([0, 1, 3], [1, 1, 1], undefined, base))).toMatchObject({
      argument: 'x',
      message: 'conv: x batch (0) must be >= 1',
    });
    expect(thrown(() => convGeometryOfShapes([1, 0, 3], [1, 1, 1], undefined, base))).toMatchObject({
      argument: 'x',
      message: 'conv: x channels (0) must be >= 1',
    });
    expect(thrown(() => convGeometryOfShapes([1, 1, 3], [0, 1, 1], undefined, base))).toMatchObject({
      argument: 'w',
      message: 'conv: w output channels (0) must be >= 1',
    });
    expect(thrown(() => convGeometryOfShapes([1, 6, 3], [4, 2, 1], undefined, { ...base, group: 4 }))).toMatchObject({
      message: 'conv: input channels (6) are not divisible by group (4)',
    });
    expect(thrown(() => convGeometryOfShapes([1, 4, 3], [6, 1, 1], undefined, { ...base, group: 4 }))).toMatchObject({
      message: 'conv: output channels (6) are not divisible by group (4)',
    });
    expect(thrown(() => convGeometryOfShapes([1, 4, 3], [4, 2, 1], undefined, { ...base, group: 4 }))).toMatchObject({
      argument: 'w',
      message: 'conv: w channels (2) must equal input channels / group (4 / 4 = 1)',
    });
  });
});

describe('convTranspose geometry x=[1,4,3,2] w=[4,3,2,3] s=[2,3] p=[1,0,0,2] d=[1,2] op=[1,0] g=2', () => {
  const attrs = { strides: [2, 3], pads: [1, 0, 0, 2], dilations: [1, 2], group: 2, outputPadding: [1, 0] };
  it('every field, by hand', () => {
    // axis 0: 2·(3−1) + 1 + (1·1+1) = 7, minus 1 + 0 = 6; axis 1: 3·(2−1) + 0 + (2·2+1) = 8, minus 0 + 2 = 6
    expect(convTransposeGeometryOfShapes([1, 4, 3, 2], [4, 3, 2, 3], [6], attrs)).toEqual({
      rank: 2,
      batch: 1,
      inChannels: 4,
      outChannels: 6,
      group: 2,
      inChannelsPerGroup: 2,
      outChannelsPerGroup: 3,
      inSpatial: [3, 2],
      kernelSpatial: [2, 3],
      outSpatial: [6, 6],
      strides: [2, 3],
      dilations: [1, 2],
      padsBegin: [1, 0],
      padsEnd: [0, 2],
      outputPadding: [1, 0],
      effectiveKernel: [2, 5],
      reductionLength: 12,
      outSpatialSize: 36,
      hasBias: true,
      outputShape: [1, 6, 6, 6],
    });
  });

  it('outputPadding must stay below max(stride, dilation); the bias must be [M]', () => {
    expect(convTransposeGeometryOfShapes([1, 4, 3, 2], [4, 3, 2, 3], undefined, { ...attrs, outputPadding: [1, 2] }).outSpatial).toEqual([
      6, 8,
    ]);
    expect(
      thrown(() => convTransposeGeometryOfShapes([1, 4, 3, 2], [4, 3, 2, 3], undefined, { ...attrs, outputPadding: [2, 0] })),
    ).toMatchObject({
      argument: 'outputPadding',
      message: 'convTranspose: outputPadding [2,0] must be < max(stride, dilation) on every axis; axis 0 has 2 with stride 2, dilation 1',
    });
    expect(thrown(() => convTransposeGeometryOfShapes([1, 4, 3, 2], [4, 3, 2, 3], [3], attrs))).toMatchObject({
      argument: 'b',
      message: 'convTranspose: b shape [3] must be [6] (M = w.shape[1]·group = 3·2)',
    });
  });

  it("sizes, groups and w's first axis are checked", () => {
    const one = { strides: [1], pads: [0, 0], dilations: [1], group: 1, outputPadding: [0] };
    for (const [x, w] of [
      [
        [0, 1, 2],
        [1, 1, 1],
      ],
      [
        [1, 0, 2],
        [0, 1, 1],
      ],
      [
        [1, 1, 2],
        [1, 0, 1],
      ],
    ]) {
      expect(thrown(() => convTransposeGeometryOfShapes(x, w, undefined, one))).toMatchObject({
        argument: 'x',
        value: { xShape: x, wShape: w },
        message: `convTranspose: sizes must be >= 1: x [${x.join(',')}], w [${w.join(',')}]`,
      });
    }
    expect(thrown(() => convTransposeGeometryOfShapes([1, 3, 2], [3, 1, 1], undefined, { ...one, group: 2 }))).toMatchObject({
      argument: 'group',
      value: { inChannels: 3, group: 2 },
      message: 'convTranspose: input channels (3) are not divisible by group (2)',
    });
    expect(thrown(() => convTransposeGeometryOfShapes([1, 2, 2], [3, 1, 1], undefined, one))).toMatchObject({
      argument: 'w',
      message: 'convTranspose: w first axis (3) must equal the input channels C (2): w is [C, M/group, k…]',
    });
    expect(thrown(() => convTransposeGeometryOfShapes([1, 1, 2], [1, 1, 2], undefined, { ...one, pads: [2, 1] }))).toMatchObject({
      code: 'ERR_EMPTY_OUTPUT',
      message:
        'convTranspose: output size on axis 0 would be 0 < 1: s·(D−1) + outputPadding + d·(k−1)+1 = 1·(2−1) + 0 + 2 = 3 minus pads 2 + 1',
    });
  });

  it('without a bias, hasBias is false; tensors are checked by name under convTranspose', () => {
    expect(convTransposeGeometryOfShapes([1, 4, 3, 2], [4, 3, 2, 3], undefined, attrs).hasBias).toBe(false);
    const f = (n: number) => new Float64Array(n);
    expect(
      convTransposeGeometry({ shape: [1, 4, 3, 2], data: f(24) }, { shape: [4, 3, 2, 3], data: f(72) }, { shape: [6], data: f(6) }, attrs)
        .hasBias,
    ).toBe(true);
    expect(
      thrown(() => convTransposeGeometry({ shape: [1, 4, 3, 2], data: f(23) }, { shape: [4, 3, 2, 3], data: f(72) }, undefined, attrs)),
    ).toMatchObject({
      fn: 'convTranspose',
      argument: 'x',
    });
    expect(
      String(
        (
          thrown(() =>
            convTransposeGeometry({ shape: [1, 4, 3, 2], data: f(23) }, { shape: [4, 3, 2, 3], data: f(72) }, undefined, attrs),
          ) as Error
        ).message,
      ),
    ).toMatch(/^convTranspose: /);
    expect(thrown(() => convTransposeGeometryOfShapes([1, 4, 3, 2], [4, 3, 2, 3], undefined, null as never))).toMatchObject({
      argument: 'attrs',
      message: 'convTranspose: attrs must be {strides, pads, dilations, group, outputPadding}, got null',
    });
  });

  it("an empty output on axis 1 names axis 1's sizes", () => {
    expect(
      thrown(() =>
        convTransposeGeometryOfShapes([1, 1, 5, 2], [1, 1, 1, 2], undefined, {
          ...attrs,
          strides: [1, 1],
          dilations: [1, 1],
          outputPadding: [0, 0],
          group: 1,
          pads: [0, 2, 0, 2],
        }),
      ),
    ).toMatchObject({
      code: 'ERR_EMPTY_OUTPUT',
      message:
        'convTranspose: output size on axis 1 would be -1 < 1: s·(D−1) + outputPadding + d·(k−1)+1 = 1·(2−1) + 0 + 2 = 3 minus pads 2 + 2',
    });
  });

  it('one line describes it', () => {
    expect(describeConvTranspose([1, 4, 3, 2], [4, 3, 2, 3], attrs, false)).toBe(
      'x=[1,4,3,2] w=[4,3,2,3] strides=[2,3] pads=[1,0,0,2] dilations=[1,2] outputPadding=[1,0] group=2 bias=no',
    );
    expect(describeConvTranspose([1, 4, 3, 2], [4, 3, 2, 3], attrs, true)).toMatch(/ bias=yes$/);
  });
});

describe('dense geometry', () => {
  it('x=[3,5] w=[4,5] b=[4]', () => {
    expect(denseGeometryOfShapes([3, 5], [4, 5], [4])).toEqual({
      batch: 3,
      inFeatures: 5,
      outFeatures: 4,
      hasBias: true,
      outputShape: [3, 4],
    });
    expect(denseGeometryOfShapes([3, 5], [4, 5], undefined).hasBias).toBe(false);
    expect(denseGeometry({ shape: [1, 2], data: new Float64Array(2) }, { shape: [1, 2], data: new Float64Array(2) }, undefined)).toEqual({
      batch: 1,
      inFeatures: 2,
      outFeatures: 1,
      hasBias: false,
      outputShape: [1, 1],
    });
    expect(describeDense([3, 5], [4, 5], true)).toBe('x=[3,5] w=[4,5] bias=yes');
    expect(describeDense([3, 5], [4, 5], false)).toBe('x=[3,5] w=[4,5] bias=no');
  });

  it('shapes and tensors are checked by name', () => {
    expect(thrown(() => denseGeometryOfShapes([3, 1.5], [4, 5], undefined))).toMatchObject({ argument: 'x' });
    expect(thrown(() => denseGeometryOfShapes([3, 5], [4, -5], undefined))).toMatchObject({ argument: 'w' });
    expect(thrown(() => denseGeometryOfShapes([3, 5], [4, 5], [-4]))).toMatchObject({ argument: 'b' });
    const f = (n: number) => new Float64Array(n);
    expect(
      thrown(() => denseGeometry({ shape: [3, 5], data: f(15) }, { shape: [4, 5], data: f(20) }, { shape: [4], data: f(3) })),
    ).toMatchObject({ fn: 'dense', argument: 'b' });
    expect(thrown(() => denseGeometry({ shape: [3, 5], data: f(15) }, { shape: [4, 5], data: f(19) }, undefined, 'fc'))).toMatchObject({
      fn: 'fc',
      argument: 'w',
    });
  });

  it.each([
    [[3], [4, 5], undefined, 'x', 'dense: x must be [N, K], got shape [3]'],
    [[3, 5], [4, 5, 1], undefined, 'w', 'dense: w must be [M, K], got shape [4,5,1]'],
    [[0, 5], [4, 5], undefined, 'x', 'dense: sizes must be >= 1: x [0,5], w [4,5]'],
    [[3, 0], [4, 0], undefined, 'x', 'dense: sizes must be >= 1: x [3,0], w [4,0]'],
    [[3, 5], [0, 5], undefined, 'x', 'dense: sizes must be >= 1: x [3,5], w [0,5]'],
    [[3, 5], [4, 6], undefined, 'w', 'dense: w in-features (6) do not match x features (5): x [3,5], w [4,6]'],
    [[3, 5], [4, 5], [5], 'b', 'dense: b shape [5] must be [4]'],
    [[3, 5], [4, 5], [4, 1], 'b', 'dense: b shape [4,1] must be [4]'],
  ])('x=%j w=%j b=%j is rejected', (x, w, b, argument, message) => {
    const e = thrown(() => denseGeometryOfShapes(x, w, b));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ fn: 'dense', argument, message });
  });
});

describe('shared checks', () => {
  it('checkIntArray words entries, pads and non-arrays', () => {
    expect(thrown(() => checkIntArray('f', 'strides', [1, 1], 1, 1))).toMatchObject({
      message: 'f: strides must have 1 entry (one per spatial axis), got [1,1]',
    });
    expect(thrown(() => checkIntArray('f', 'pads', [0], 2, 0))).toMatchObject({
      message: 'f: pads must have 2 entries (two per spatial axis: all begins, then all ends), got [0]',
    });
    expect(thrown(() => checkIntArray('f', 'strides', 3 as unknown as number[], 1, 1))).toMatchObject({
      value: 3,
      message: 'f: strides must have 1 entry (one per spatial axis), got 3',
    });
    expect(thrown(() => checkIntArray('f', 'pads', [0, -1], 2, 0))).toMatchObject({ message: 'f: pads [0,-1] must be integers >= 0' });
    expect(() => checkIntArray('f', 'pads', [0, 0], 2, 0)).not.toThrow();
    expect(() => checkIntArray('f', 'strides', [1], 1, 1)).not.toThrow();
  });

  it('checkSpatialOperands: ranks, attrs, group', () => {
    const a = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
    expect(checkSpatialOperands('f', [1, 1, 3], [1, 1, 1], a, '{…}')).toBe(1);
    expect(
      checkSpatialOperands(
        'f',
        [1, 1, 3, 3, 3],
        [1, 1, 1, 1, 1],
        { ...a, strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0] },
        '{…}',
      ),
    ).toBe(3);
    expect(thrown(() => checkSpatialOperands('f', [1, 1], [1, 1], a, '{…}'))).toMatchObject({
      argument: 'x',
      message: 'f: x must be [N, C, D1..Dn] with n = 1, 2 or 3, got shape [1,1]',
    });
    expect(thrown(() => checkSpatialOperands('f', [1, 1, 2, 2, 2, 2], [1, 1, 1, 1, 1, 1], a, '{…}'))).toMatchObject({
      message: 'f: x must be [N, C, D1..Dn] with n = 1, 2 or 3, got shape [1,1,2,2,2,2]',
    });
    expect(thrown(() => checkSpatialOperands('f', [1, 1, 3], [1, 1, 1, 1], a, '{…}'))).toMatchObject({
      argument: 'w',
      message: 'f: w rank (4) does not match x rank (3): x [1,1,3], w [1,1,1,1]',
    });
    expect(thrown(() => checkSpatialOperands('f', [1, 1, 3], [1, 1, 1], null as never, '{strides}'))).toMatchObject({
      argument: 'attrs',
      message: 'f: attrs must be {strides}, got null',
    });
    expect(thrown(() => checkSpatialOperands('f', [1, 1, 3], [1, 1, 1], 5 as never, '{strides}'))).toMatchObject({
      message: 'f: attrs must be {strides}, got 5',
    });
    for (const group of [0, 1.5, Number.NaN]) {
      expect(thrown(() => checkSpatialOperands('f', [1, 1, 3], [1, 1, 1], { ...a, group }, '{…}'))).toMatchObject({
        argument: 'group',
        message: `f: group must be an integer >= 1, got ${group}`,
      });
    }
  });

  it('spatialAxes rejects sizes < 1 by axis', () => {
    const size = () => ({ size: 1, why: '' });
    const at = { pads: [0, 0, 0, 0], dilations: [1, 1] };
    expect(thrown(() => spatialAxes('f', [1, 1, 2, 0], [1, 1, 1, 1], at, 2, size))).toMatchObject({
      argument: 'x',
      message: 'f: x spatial size 0 on axis 1 must be >= 1 (x [1,1,2,0])',
    });
    expect(thrown(() => spatialAxes('f', [1, 1, 2, 2], [1, 1, 0, 1], at, 2, size))).toMatchObject({
      argument: 'w',
      message: 'f: kernel size 0 on axis 0 must be >= 1 (w [1,1,0,1])',
    });
    expect(
      spatialAxes('f', [1, 1, 2, 3], [1, 1, 1, 2], { pads: [0, 1, 2, 3], dilations: [1, 3] }, 2, (a, eff, pb, pe) => ({
        size: 10 * a + eff + pb + pe,
        why: '',
      })),
    ).toEqual({
      inSpatial: [2, 3],
      kernelSpatial: [1, 2],
      padsBegin: [0, 1],
      padsEnd: [2, 3],
      effectiveKernel: [1, 4],
      outSpatial: [3, 18],
    });
  });

  it('checkBiasShape', () => {
    expect(() => checkBiasShape('f', undefined, 3, 'why')).not.toThrow();
    expect(() => checkBiasShape('f', [3], 3, 'why')).not.toThrow();
    expect(thrown(() => checkBiasShape('f', [2], 3, 'why'))).toMatchObject({ argument: 'b', message: 'f: b shape [2] must be [3] (why)' });
    expect(thrown(() => checkBiasShape('f', [3, 1], 3, 'why'))).toMatchObject({ message: 'f: b shape [3,1] must be [3] (why)' });
  });

  it('lift3d and axes3d prepend the neutral value', () => {
    expect(lift3d([5, 7], 1)).toEqual([1, 5, 7]);
    expect(lift3d([4], 0)).toEqual([0, 0, 4]);
    expect(lift3d([2, 3, 4], 9)).toEqual([2, 3, 4]);
    const g = convGeometryOfShapes([1, 1, 7, 5], [1, 1, 3, 2], undefined, {
      strides: [2, 1],
      pads: [1, 0, 0, 1],
      dilations: [1, 2],
      group: 1,
    });
    expect(axes3d(g)).toEqual({
      input: [1, 7, 5],
      kernel: [1, 3, 2],
      output: [1, 3, 4],
      strides: [1, 2, 1],
      dilations: [1, 1, 2],
      padsBegin: [0, 1, 0],
      padsEnd: [0, 0, 1],
    });
    expect(axes3d(g, (v) => v.slice(1))).toEqual({
      input: [1, 1, 5],
      kernel: [1, 1, 2],
      output: [1, 1, 4],
      strides: [1, 1, 1],
      dilations: [1, 1, 2],
      padsBegin: [0, 0, 0],
      padsEnd: [0, 0, 1],
    });
  });
});

describe('auto-pad resolvers accept 1 to 3 spatial axes only', () => {
  it('resolveAutoPad: rank 4 and rank 0 are rejected, rank 3 resolved', () => {
    for (const D of [[], [5, 5, 5, 5]]) {
      const e = thrown(() =>
        resolveAutoPad(
          D,
          D.map(() => 3),
          D.map(() => 1),
          D.map(() => 1),
          'SAME_UPPER',
        ),
      );
      expect(e).toMatchObject({
        fn: 'resolveAutoPad',
        argument: 'inputSpatial',
        message: `resolveAutoPad: inputSpatial must have 1, 2 or 3 axes, got [${D.join(',')}]`,
      });
    }
    expect(resolveAutoPad([5, 4, 3], [3, 3, 2], [2, 1, 2], [1, 2, 1], 'SAME_UPPER')).toEqual([1, 2, 0, 1, 2, 1]);
    expect(resolveAutoPad([5, 4, 3], [3, 3, 2], [2, 1, 2], [1, 2, 1], 'SAME_LOWER')).toEqual([1, 2, 1, 1, 2, 0]);
    expect(resolveAutoPad([5, 4, 3], [3, 3, 2], [2, 1, 2], [1, 2, 1], 'VALID')).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('resolveConvTransposePads: rank 4 and rank 0 are rejected', () => {
    for (const D of [[], [2, 2, 2, 2]]) {
      const ones = D.map(() => 1);
      const e = thrown(() => resolveConvTransposePads({ inputSpatial: D, kernelSpatial: ones, strides: ones, dilations: ones }));
      expect(e).toMatchObject({
        argument: 'inputSpatial',
        message: `resolveConvTransposePads: inputSpatial must have 1, 2 or 3 axes, got [${D.join(',')}]`,
      });
    }
    expect(
      thrown(() =>
        resolveConvTransposePads({ inputSpatial: [3], kernelSpatial: [3], strides: [1], dilations: [1], autoPad: 'SAME' as never }),
      ),
    ).toMatchObject({
      argument: 'autoPad',
      message: "resolveConvTransposePads: autoPad must be 'NOTSET', 'VALID', 'SAME_UPPER' or 'SAME_LOWER', got \"SAME\"",
    });
  });

  it('resolveConvTransposePads names the argument that is wrong', () => {
    const base = { inputSpatial: [3], kernelSpatial: [3], strides: [1], dilations: [1] };
    for (const [argument, bad] of [
      ['inputSpatial', { inputSpatial: [0] }],
      ['kernelSpatial', { kernelSpatial: [0] }],
      ['strides', { strides: [0] }],
      ['dilations', { dilations: [0] }],
    ] as const) {
      expect(thrown(() => resolveConvTransposePads({ ...base, ...bad }))).toMatchObject({
        argument,
        message: `resolveConvTransposePads: ${argument} [0] must be integers >= 1`,
      });
    }
  });

  it('resolveConvTransposePads: every mode on 3 axes, and an output_shape that overrides auto_pad', () => {
    const base = { inputSpatial: [3, 2, 4], kernelSpatial: [3, 2, 1], strides: [2, 1, 3], dilations: [1, 2, 1] };
    // full = s·(D−1) + d·(k−1)+1: [7, 4, 10]; SAME targets D·s = [6, 2, 12] → totals [1, 2, −2]: rejected
    expect(thrown(() => resolveConvTransposePads({ ...base, autoPad: 'SAME_UPPER' }))).toMatchObject({ argument: 'outputShape' });
    const ok = { ...base, strides: [2, 1, 1] }; // full [7, 4, 4], target [6, 2, 4] → totals [1, 2, 0]
    expect(resolveConvTransposePads({ ...ok, autoPad: 'SAME_UPPER' })).toEqual({ pads: [0, 1, 0, 1, 1, 0], outputPadding: [0, 0, 0] });
    expect(resolveConvTransposePads({ ...ok, autoPad: 'SAME_LOWER' })).toEqual({ pads: [1, 1, 0, 0, 1, 0], outputPadding: [0, 0, 0] });
    expect(resolveConvTransposePads({ ...ok, autoPad: 'VALID', outputShape: [5, 4, 4] })).toEqual({
      pads: [1, 0, 0, 1, 0, 0],
      outputPadding: [0, 0, 0],
    });
    expect(resolveConvTransposePads({ ...ok, autoPad: 'NOTSET' })).toEqual({ pads: [0, 0, 0, 0, 0, 0], outputPadding: [0, 0, 0] });
    expect(resolveConvTransposePads({ ...ok, autoPad: 'VALID', pads: [1, 1, 1, 1, 1, 1] })).toEqual({
      pads: [0, 0, 0, 0, 0, 0],
      outputPadding: [0, 0, 0],
    });
    expect(thrown(() => resolveConvTransposePads({ ...ok, pads: [1, 1, 1] }))).toMatchObject({ argument: 'pads' });
    expect(thrown(() => resolveConvTransposePads({ ...ok, outputShape: [5, 4] }))).toMatchObject({ argument: 'outputShape' });
    expect(thrown(() => resolveConvTransposePads({ ...ok, outputPadding: [0, -1, 0] }))).toMatchObject({ argument: 'outputPadding' });
    // exactly reachable: total 0
    expect(resolveConvTransposePads({ ...ok, outputShape: [7, 4, 4] })).toEqual({ pads: [0, 0, 0, 0, 0, 0], outputPadding: [0, 0, 0] });
  });
});

/** Every (input, output) offset pair within one channel that tap (k0, k1, k2) connects, by brute force. */
function bruteForcePairs(g: ConvTransposeGeometry, k: readonly number[]): string[] {
  const { input: D, output: O, strides: S, dilations: L, padsBegin: P } = axes3d(g);
  const pairs: string[] = [];
  for (let i0 = 0; i0 < D[0]; i0++) {
    for (let i1 = 0; i1 < D[1]; i1++) {
      for (let i2 = 0; i2 < D[2]; i2++) {
        const o = [i0, i1, i2].map((i, a) => i * S[a] + k[a] * L[a] - P[a]);
        if (o.every((v, a) => v >= 0 && v < O[a])) pairs.push(`${(i0 * D[1] + i1) * D[2] + i2}->${(o[0] * O[1] + o[1]) * O[2] + o[2]}`);
      }
    }
  }
  return pairs.sort();
}

describe('scatterPlan reaches exactly the outputs each tap reaches', () => {
  const problems: Array<[string, number[], number[], { strides: number[]; pads: number[]; dilations: number[]; outputPadding: number[] }]> =
    [
      ['x=[1,1,4] w=[1,1,3] s=2 p=[1,2] d=1', [1, 1, 4], [1, 1, 3], { strides: [2], pads: [1, 2], dilations: [1], outputPadding: [0] }],
      [
        'x=[1,1,3] w=[1,1,2] s=3 p=[0,0] d=2 op=1',
        [1, 1, 3],
        [1, 1, 2],
        { strides: [3], pads: [0, 0], dilations: [2], outputPadding: [1] },
      ],
      [
        'x=[1,1,3,4] w=[1,1,2,3] s=[2,1] p=[1,0,2,1] d=[2,1]',
        [1, 1, 3, 4],
        [1, 1, 2, 3],
        { strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1], outputPadding: [0, 0] },
      ],
      [
        'x=[1,1,2,3,3] w=[1,1,2,2,3] s=[1,2,3] p=[0,1,1,1,0,4] d=[1,1,2]',
        [1, 1, 2, 3, 3],
        [1, 1, 2, 2, 3],
        { strides: [1, 2, 3], pads: [0, 1, 1, 1, 0, 4], dilations: [1, 1, 2], outputPadding: [0, 1, 2] },
      ],
      [
        'x=[1,1,4,2,2] w=[1,1,2,1,2] s=[2,1,1] p=[1,0,0,2,0,1] d=[2,1,1]',
        [1, 1, 4, 2, 2],
        [1, 1, 2, 1, 2],
        { strides: [2, 1, 1], pads: [1, 0, 0, 2, 0, 1], dilations: [2, 1, 1], outputPadding: [1, 0, 0] },
      ],
      [
        'x=[1,1,2] w=[1,1,4] s=1 p=[2,2] d=1 (taps with no input)',
        [1, 1, 2],
        [1, 1, 4],
        { strides: [1], pads: [2, 2], dilations: [1], outputPadding: [0] },
      ],
    ];
  for (const [name, x, w, a] of problems) {
    it(name, () => {
      const g = convTransposeGeometryOfShapes(x, w, undefined, { ...a, group: 1 });
      const { layout, taps } = scatterPlan(g);
      const { input: D, kernel: K, output: O, strides: S } = axes3d(g);
      expect(layout).toEqual({ inPlane: D[0] * D[1] * D[2], plane: O[0] * O[1] * O[2], taps: K[0] * K[1] * K[2], S2: S[2] });
      expect(taps.map((t) => t.tap)).toEqual(Array.from({ length: layout.taps }, (_, i) => i));
      for (const t of taps) {
        const k = [Math.floor(t.tap / (K[1] * K[2])), Math.floor(t.tap / K[2]) % K[1], t.tap % K[2]];
        const got: string[] = [];
        for (let r = 0; r < t.rows.length; r += 2) {
          for (let i2 = t.lo2; i2 < t.hi2; i2++) got.push(`${t.rows[r] + i2}->${t.rows[r + 1] + i2 * layout.S2}`);
        }
        expect(got.sort(), `tap ${k}`).toEqual(bruteForcePairs(g, k));
        // one pair per row, each row with at least one input inside
        expect(t.rows.length).toBe(t.hi2 > t.lo2 ? (2 * got.length) / (t.hi2 - t.lo2) : t.rows.length);
        expect(t.lo2).toBeGreaterThanOrEqual(0);
        expect(t.hi2).toBeGreaterThanOrEqual(t.lo2);
        expect(t.hi2).toBeLessThanOrEqual(D[2]);
      }
    });
  }
});
