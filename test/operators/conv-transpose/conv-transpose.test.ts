/**
 * ConvTranspose by example: an FCN-style bilinear upsampling of a coarse score map, ONNX's
 * output_shape / auto_pad resolution, and typed errors for invalid attributes.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../../../src/contract.js';
import { EmptyOutputError, InvalidArgumentError } from '../../../src/errors.js';
import { im2colKernel, im2colKernel64 } from '../../../src/kernels/im2col.js';
import { referenceKernel } from '../../../src/kernels/reference.js';
import { convTransposeGeometryOfShapes, resolveConvTransposePads } from '../../../src/operators/conv-transpose/geometry.js';
import { tensor } from '../../../src/tensor.js';

const KERNELS: KernelUnderTest[] = [referenceKernel, im2colKernel, im2colKernel64];

/** The FCN bilinear kernel of size k = 2f − f mod 2 for factor f: w(i, j) = (1 − |i − c|/f)(1 − |j − c|/f). */
function bilinear(factor: number, classes: number) {
  const k = 2 * factor - (factor % 2);
  const center = factor % 2 === 1 ? factor - 1 : factor - 0.5;
  const filt = Array.from(
    { length: k * k },
    (_, p) => (1 - Math.abs(Math.floor(p / k) - center) / factor) * (1 - Math.abs((p % k) - center) / factor),
  );
  // one filter per class on the diagonal of [C, C, k, k] (group 1), as FCN initialises its upscore layers
  const data = new Float64Array(classes * classes * k * k);
  for (let c = 0; c < classes; c++) data.set(filt, (c * classes + c) * k * k);
  return { k, w: { shape: [classes, classes, k, k], data } };
}

describe('FCN upsampling: a bilinear-initialised ConvTranspose, factor 2 (k=4, s=2, p=1)', () => {
  // a coarse 3×3 score map for 2 classes
  const scores = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 4, 0, 0, 0, 8, 0, 0];
  const { w } = bilinear(2, 2);
  const attrs = { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, outputPadding: [0, 0] };

  it('the bilinear filter is the outer product of [1/4, 3/4, 3/4, 1/4]', () => {
    const row = [0.25, 0.75, 0.75, 0.25];
    expect(Array.from(w.data.slice(0, 16))).toEqual(row.flatMap((a) => row.map((b) => a * b)));
  });

  for (const k of KERNELS) {
    it(`${k.name}: x=[1,2,3,3] → [1,2,6,6], interior = bilinear interpolation, classes kept apart`, async () => {
      const y = await k.convTranspose!(tensor([1, 2, 3, 3], scores, k.precision), tensor(w.shape, w.data, k.precision), undefined, attrs);
      expect(y.shape).toEqual([1, 2, 6, 6]);
      const at = (c: number, i: number, j: number) => y.data[(c * 6 + i) * 6 + j];
      // along a row of class 0 the values interpolate 1,2,3 at quarter offsets: 1.25·… (rows 1..4 are interior)
      // output o = 2i − 1 + k: interior o=1..4 sit between inputs at ¼ and ¾
      const s = (i: number, j: number) => scores[i * 3 + j];
      const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
      for (const [o, i0, t] of [
        [1, 0, 0.25],
        [2, 0, 0.75],
        [3, 1, 0.25],
        [4, 1, 0.75],
      ] as const) {
        for (const [p, j0, u] of [
          [1, 0, 0.25],
          [2, 0, 0.75],
          [3, 1, 0.25],
          [4, 1, 0.75],
        ] as const) {
          const expected = lerp(lerp(s(i0, j0), s(i0, j0 + 1), u), lerp(s(i0 + 1, j0), s(i0 + 1, j0 + 1), u), t);
          expect(at(0, o, p)).toBeCloseTo(expected, 6);
        }
      }
      // class 1 holds 4 and 8 only: the upsampled map of class 0 does not leak into it
      expect(at(1, 0, 0)).toBe(0);
      expect(at(1, 1, 3)).toBeCloseTo(0.75 * 0.25 * 4 + 0.75 * 0.75 * 4 * 0 + 0.25 * 0.25 * 8 * 0, 6);
      // a constant map upsamples to the same constant away from the border
      const ones = await k.convTranspose!(
        tensor([1, 2, 3, 3], new Array(18).fill(1), k.precision),
        tensor(w.shape, w.data, k.precision),
        undefined,
        attrs,
      );
      for (let i = 1; i < 5; i++) for (let j = 1; j < 5; j++) expect(ones.data[i * 6 + j]).toBe(1);
    });
  }
});

describe('resolveConvTransposePads (ONNX output_shape / auto_pad)', () => {
  const base = { inputSpatial: [3], kernelSpatial: [3], strides: [2], dilations: [1] };
  it('SAME_UPPER targets D·s with the odd element at the end; SAME_LOWER at the beginning', () => {
    // full = 2·2 + 3 = 7, target 6: total 1
    expect(resolveConvTransposePads({ ...base, autoPad: 'SAME_UPPER' })).toEqual({ pads: [0, 1], outputPadding: [0] });
    expect(resolveConvTransposePads({ ...base, autoPad: 'SAME_LOWER' })).toEqual({ pads: [1, 0], outputPadding: [0] });
  });
  it('output_shape: total padding s·(D−1) + op + eff − output_shape, split as ONNX says (NOTSET like SAME_LOWER)', () => {
    expect(resolveConvTransposePads({ ...base, outputShape: [4] })).toEqual({ pads: [2, 1], outputPadding: [0] });
    expect(resolveConvTransposePads({ ...base, outputShape: [4], autoPad: 'SAME_UPPER' })).toEqual({ pads: [1, 2], outputPadding: [0] });
    expect(resolveConvTransposePads({ ...base, outputShape: [8], outputPadding: [1] })).toEqual({ pads: [0, 0], outputPadding: [1] });
  });
  it('the resolved pads give the requested output size', () => {
    for (const out of [3, 4, 5, 6, 7]) {
      const r = resolveConvTransposePads({
        inputSpatial: [3, 2],
        kernelSpatial: [3, 2],
        strides: [2, 3],
        dilations: [1, 2],
        outputShape: [out, 4],
      });
      const g = convTransposeGeometryOfShapes([1, 1, 3, 2], [1, 1, 3, 2], undefined, {
        strides: [2, 3],
        dilations: [1, 2],
        group: 1,
        ...r,
      });
      expect(g.outSpatial).toEqual([out, 4]);
    }
  });
  it('VALID and explicit pads pass through; an unreachable output_shape is a typed error', () => {
    expect(resolveConvTransposePads({ ...base, autoPad: 'VALID' })).toEqual({ pads: [0, 0], outputPadding: [0] });
    expect(resolveConvTransposePads({ ...base, pads: [1, 2] })).toEqual({ pads: [1, 2], outputPadding: [0] });
    expect(() => resolveConvTransposePads({ ...base, outputShape: [9] })).toThrow(/output size 9 on axis 0 is larger than .* = 7/);
  });
});

describe('invalid ConvTranspose attributes are typed errors naming the value', () => {
  const x = tensor([1, 2, 3], [1, 2, 3, 4, 5, 6]);
  const w = tensor([2, 1, 2], [1, 1, 1, 1]);
  const ok = { strides: [2], pads: [0, 0], dilations: [1], group: 1, outputPadding: [1] };
  const bad: Array<[string, object, RegExp]> = [
    [
      'outputPadding >= max(stride, dilation)',
      { ...ok, outputPadding: [2] },
      /outputPadding \[2\] must be < max\(stride, dilation\) on every axis; axis 0 has 2 with stride 2, dilation 1/,
    ],
    ['negative outputPadding', { ...ok, outputPadding: [-1] }, /outputPadding \[-1\] must be integers >= 0/],
    ['outputPadding of the wrong length', { ...ok, outputPadding: [0, 0] }, /outputPadding must have 1 entry/],
    ['group not dividing C', { ...ok, group: 3 }, /input channels \(2\) are not divisible by group \(3\)/],
    ['clip min > max', { ...ok, activation: { kind: 'clip', min: 1, max: 0 } }, /clip min \(1\) must be <= max \(0\)/],
  ];
  for (const [what, attrs, message] of bad) {
    it(what, () => {
      for (const k of KERNELS) expect(() => k.convTranspose!(x, w, undefined, attrs as never)).toThrow(message);
      expect(() => convTransposeGeometryOfShapes(x.shape, w.shape, undefined, attrs as never)).toThrow(InvalidArgumentError);
    });
  }
  it('w first axis must be C; an empty output is an EmptyOutputError', () => {
    expect(() => convTransposeGeometryOfShapes([1, 2, 3], [3, 1, 2], undefined, ok)).toThrow(
      /w first axis \(3\) must equal the input channels C \(2\)/,
    );
    expect(() => convTransposeGeometryOfShapes([1, 2, 1], [2, 1, 1], undefined, { ...ok, outputPadding: [0], pads: [1, 0] })).toThrow(
      EmptyOutputError,
    );
  });
});

describe('the production cap of conv-transpose-as-conv counts the lowered conv', () => {
  it('loweredConvCost gives the FLOPs and largest tensor of the conv that lowering.ts builds', async () => {
    const { loweredConvCost } = await import('../../../src/operators/conv-transpose/problem.js');
    const { zeroInsertedInput, flippedSwappedKernel, loweredAttrs } = await import('../../../src/operators/conv-transpose/lowering.js');
    const { convGeometryOfShapes } = await import('../../../src/operators/conv/geometry.js');
    const { sizeOf } = await import('../../../src/tensor.js');
    const specs = [
      // FCN-8s upscore8: 21→21, 16×16 stride 8, 70×70 → 568×568
      {
        xShape: [1, 21, 70, 70],
        wShape: [21, 21, 16, 16],
        attrs: { strides: [8, 8], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, outputPadding: [0, 0] },
        hasBias: false,
      },
      {
        xShape: [2, 4, 5],
        wShape: [4, 3, 3],
        attrs: { strides: [3], pads: [1, 2], dilations: [2], group: 2, outputPadding: [1] },
        hasBias: true,
      },
      {
        xShape: [1, 2, 3, 4, 2],
        wShape: [2, 1, 2, 3, 2],
        attrs: { strides: [2, 1, 3], pads: [0, 1, 1, 1, 0, 0], dilations: [1, 2, 1], group: 1, outputPadding: [1, 0, 2] },
        hasBias: false,
      },
    ];
    for (const s of specs) {
      const g = convTransposeGeometryOfShapes(s.xShape, s.wShape, undefined, s.attrs);
      const z = zeroInsertedInput({ shape: s.xShape, data: new Float32Array(sizeOf(s.xShape)) }, g);
      const wf = flippedSwappedKernel({ shape: s.wShape, data: new Float32Array(sizeOf(s.wShape)) }, g);
      const lg = convGeometryOfShapes(z.shape, wf.shape, undefined, loweredAttrs(g, undefined));
      expect(lg.outputShape).toEqual(g.outputShape);
      expect(loweredConvCost(s)).toEqual({
        flops: 2 * lg.batch * lg.outChannels * lg.reductionLength * lg.outSpatialSize,
        largest: Math.max(sizeOf(z.shape), sizeOf(s.xShape), sizeOf(s.wShape), sizeOf(g.outputShape)),
      });
    }
    // upscore8 through the lowered conv: 72.8 GFLOP, 66 times the ConvTranspose's 1.1 GFLOP
    expect(loweredConvCost(specs[0]).flops).toBe(2 * 21 * 21 * 16 * 16 * 568 * 568);
  });
});
