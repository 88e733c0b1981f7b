/**
 * A quantized kernel built from configurable parts, for planted-bug tests: the exact
 * accumulation (the reference's centring and loops) followed by a requantization that is either
 * correct — float32 multiplier as onnxruntime does it, or a 31-bit fixed-point multiplier with one
 * rounding shift, half to even, as a fixed-point kernel may do it — or carries exactly one bug.
 */
import type { KernelUnderTest } from '../../src/contract.js';
import type { QuantType, TypedTensor } from '../../src/quantized.js';
import { ELEMENT_TYPES } from '../../src/quantized.js';
import { accumulateConv, centredConv } from '../../src/operators/conv-integer/reference.js';
import { qlinearConvProblem } from '../../src/operators/qlinear-conv/reference.js';
import { accumulateMatMul, centredMatMul } from '../../src/operators/matmul-integer/reference.js';
import { qlinearMatMulProblem } from '../../src/operators/qlinear-matmul/reference.js';
import type { IntegerConvAttributes } from '../../src/operators/conv-integer/contract.js';

/** One planted bug (or none). */
export type QuantBug =
  | 'none'
  | 'round-half-away'
  | 'no-saturation-low'
  | 'no-saturation-high'
  | 'per-tensor-w-zero-point'
  | 'int8-as-uint8'
  | 'bias-after-requantization'
  | 'int16-accumulator';

/** Requantization arithmetic: float32 multiplier (onnxruntime) or 31-bit fixed point with a single rounding shift. */
export type Requantizer = 'float32' | 'fixed-point';

const rint = (v: number): number => {
  const f = Math.floor(v);
  const d = v - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
};
const roundAway = (v: number): number => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

/**
 * Fixed point: M = fl32(fl32(xs·ws)/ys) written as m·2^−(31+s) with m a 31-bit integer (m ∈ [2³⁰, 2³¹)),
 * then acc·m exactly (BigInt) and one rounding right shift by 31 + s, ties to even.
 */
function fixedPoint(acc: number, multiplier: number): number {
  let s = 0;
  while (multiplier * 2 ** s < 0.5) s++;
  while (multiplier * 2 ** s >= 1) s--;
  const m = BigInt(Math.round(multiplier * 2 ** (31 + s)));
  const shift = BigInt(31 + s);
  const p = BigInt(acc) * m;
  const neg = p < 0n;
  const a = neg ? -p : p;
  let q = a >> shift;
  const rem = a - (q << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  return Number(neg ? -q : q);
}

/** As a uint8 would read an int8's bits (the bug `int8-as-uint8`). */
function asUint8(t: TypedTensor | undefined): TypedTensor | undefined {
  if (!t || !(t.data instanceof Int8Array)) return t;
  return { shape: t.shape, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length) };
}

/** The first zero point for every channel (the bug `per-tensor-w-zero-point`). */
function firstOnly(t: TypedTensor | undefined): TypedTensor | undefined {
  if (!t || t.data.length <= 1) return t;
  return { shape: [], data: t.data.slice(0, 1) };
}

const wrap16 = (v: number): number => (v << 16) >> 16;

/** A kernel running the four quantized operators with `requantizer` and the planted `bug`. */
export function quantModelKernel(bug: QuantBug, requantizer: Requantizer = 'float32'): KernelUnderTest {
  const prepW = (w: TypedTensor, wz: TypedTensor | undefined) =>
    bug === 'int8-as-uint8'
      ? { w: asUint8(w)!, wz: wz && (asUint8(wz) as TypedTensor) }
      : { w, wz: bug === 'per-tensor-w-zero-point' ? firstOnly(wz) : wz };
  const acc16 = (acc: Float64Array) => (bug === 'int16-accumulator' ? acc.map(wrap16) : acc);

  function requantize(
    acc: Float64Array,
    biasPart: Float64Array | undefined,
    channels: number,
    inner: number,
    xs: number,
    ws: Float64Array,
    ys: number,
    yz: number,
    yType: QuantType,
  ): TypedTensor['data'] {
    const { min, max, ctor } = ELEMENT_TYPES[yType];
    const out = new ctor(acc.length);
    for (let i = 0; i < acc.length; i++) {
      const c = Math.floor(i / inner) % channels;
      const mult = Math.fround(Math.fround(xs * ws[c]) / ys);
      const scaled = (a: number) =>
        requantizer === 'fixed-point'
          ? fixedPoint(a, mult)
          : (bug === 'round-half-away' ? roundAway : rint)(Math.fround(Math.fround(a) * mult));
      let q = scaled(acc[i]) + yz;
      if (biasPart) q += scaled(biasPart[Math.floor(i / inner) % channels]);
      // a typed array wraps an unsaturated value modulo 2⁸
      out[i] = q < min && bug !== 'no-saturation-low' ? min : q > max && bug !== 'no-saturation-high' ? max : q;
    }
    return out;
  }

  return {
    name: `quant-model:${requantizer}:${bug}`,
    precision: 'float32',
    convInteger: (
      x: TypedTensor,
      w0: TypedTensor,
      xz: TypedTensor | undefined,
      wz0: TypedTensor | undefined,
      attrs: IntegerConvAttributes,
    ) => {
      const { w, wz } = prepW(w0, wz0);
      const p = centredConv('model', x, w, xz, wz, attrs);
      return { shape: [...p.g.outputShape], data: Int32Array.from(acc16(accumulateConv(p))) };
    },
    qlinearConv: (
      x: TypedTensor,
      xs: TypedTensor,
      xz: TypedTensor,
      w0: TypedTensor,
      ws: TypedTensor,
      wz0: TypedTensor,
      ys: TypedTensor,
      yz: TypedTensor,
      b: TypedTensor | undefined,
      attrs: IntegerConvAttributes,
    ) => {
      const { w, wz } = prepW(w0, wz0);
      const p = qlinearConvProblem('model', x, xs, xz, w, ws, wz!, ys, yz, b, attrs);
      const after = bug === 'bias-after-requantization' && p.bias !== undefined;
      const acc = acc16(accumulateConv(p.conv, after ? undefined : p.bias));
      const data = requantize(
        acc,
        after ? Float64Array.from(p.bias!) : undefined,
        p.conv.g.outChannels,
        p.conv.g.outSpatialSize,
        p.q.xScale,
        p.q.wScales,
        p.q.yScale,
        p.q.yZeroPoint,
        p.q.yType,
      );
      return { shape: [...p.conv.g.outputShape], data };
    },
    matMulInteger: (a: TypedTensor, b0: TypedTensor, az: TypedTensor | undefined, bz0: TypedTensor | undefined) => {
      const { w: b, wz: bz } = prepW(b0, bz0);
      const p = centredMatMul('model', a, b, az, bz);
      return { shape: [p.n, p.m], data: Int32Array.from(acc16(accumulateMatMul(p))) };
    },
    qlinearMatMul: (
      a: TypedTensor,
      as: TypedTensor,
      az: TypedTensor,
      b0: TypedTensor,
      bs: TypedTensor,
      bz0: TypedTensor,
      ys: TypedTensor,
      yz: TypedTensor,
    ) => {
      const { w: b, wz: bz } = prepW(b0, bz0);
      const p = qlinearMatMulProblem('model', a, as, az, b, bs, bz!, ys, yz);
      const acc = acc16(accumulateMatMul(p.mm));
      return {
        shape: [p.mm.n, p.mm.m],
        data: requantize(acc, undefined, p.mm.m, 1, p.q.xScale, p.q.wScales, p.q.yScale, p.q.yZeroPoint, p.q.yType),
      };
    },
  } as KernelUnderTest;
}
