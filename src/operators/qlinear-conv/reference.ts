/**
 * The exact reference of `qlinearConv`: the integer conv's exact accumulation with the int32 bias,
 * then requantization rounded half to even from the exact real value (`numeric/requantize.ts`).
 */
import type { QuantType, TypedTensor } from '../../quantized.js';
import { checkTypedTensor, ELEMENT_TYPES, scales, zeroPoints } from '../../quantized.js';
import { InvalidArgumentError } from '../../errors.js';
import { formatShape } from '../../tensor.js';
import type { RequantizedTensor } from '../../numeric/requantize.js';
import { requantizeTensor } from '../../numeric/requantize.js';
import type { CentredConv } from '../conv-integer/reference.js';
import { accumulateConv, centredConv, checkInt32 } from '../conv-integer/reference.js';
import type { IntegerConvAttributes } from '../conv-integer/contract.js';

/** The requantization parameters of a validated QLinear problem. */
export interface Requantization {
  readonly xScale: number;
  /** One per output channel (a per-tensor scale repeated). */
  readonly wScales: Float64Array;
  readonly yScale: number;
  readonly yZeroPoint: number;
  readonly yType: QuantType;
}

/** Validates y's scale and zero point (the zero point's type is y's type). */
export function outputQuantization(
  fn: string,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
): { yScale: number; yZeroPoint: number; yType: QuantType } {
  if (yZeroPoint === undefined)
    throw new InvalidArgumentError(fn, 'yZeroPoint', yZeroPoint, 'yZeroPoint is required (its type, uint8 or int8, is the type of y)');
  const yType = checkTypedTensor(fn, 'yZeroPoint', yZeroPoint, ['uint8', 'int8']) as QuantType;
  return {
    yScale: scales(fn, 'yScale', yScale, undefined)[0],
    yZeroPoint: zeroPoints(fn, 'yZeroPoint', yZeroPoint, yType, undefined)[0],
    yType,
  };
}

/** Validates an int32 bias `[M]`. */
export function checkBias(fn: string, b: TypedTensor | undefined, outChannels: number): Int32Array | undefined {
  if (b === undefined) return undefined;
  checkTypedTensor(fn, 'b', b, ['int32']);
  if (b.shape.length !== 1 || b.shape[0] !== outChannels)
    throw new InvalidArgumentError(
      fn,
      'b',
      b.shape,
      `b shape ${formatShape(b.shape)} must be [${outChannels}] (one int32 bias per output channel)`,
    );
  return b.data as Int32Array;
}

/** A validated `qlinearConv` problem. */
export interface QLinearConvProblem {
  readonly conv: CentredConv;
  readonly q: Requantization;
  readonly bias: Int32Array | undefined;
}

/** Validates every operand of `qlinearConv` (ONNX input order). */
export function qlinearConvProblem(
  fn: string,
  x: TypedTensor,
  xScale: TypedTensor,
  xZeroPoint: TypedTensor,
  w: TypedTensor,
  wScale: TypedTensor,
  wZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
  b: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
): QLinearConvProblem {
  for (const [name, t] of [
    ['xZeroPoint', xZeroPoint],
    ['wZeroPoint', wZeroPoint],
  ] as const) {
    if (t === undefined) throw new InvalidArgumentError(fn, name, t, `${name} is required (ONNX QLinearConv)`);
  }
  const conv = centredConv(fn, x, w, xZeroPoint, wZeroPoint, attrs);
  const xs = scales(fn, 'xScale', xScale, undefined)[0];
  const wScales = scales(fn, 'wScale', wScale, conv.g.outChannels);
  const out = outputQuantization(fn, yScale, yZeroPoint);
  return { conv, q: { xScale: xs, wScales, ...out }, bias: checkBias(fn, b, conv.g.outChannels) };
}

/** The exact accumulation (bias included) and its requantization, with the window's alternatives. */
export function qlinearConvExpectation(p: QLinearConvProblem, fn = 'qlinearConv'): RequantizedTensor & { readonly acc: Float64Array } {
  const acc = accumulateConv(p.conv, p.bias);
  checkInt32(fn, acc, p.conv.g.outputShape);
  const { q } = p;
  return {
    acc,
    ...requantizeTensor(
      acc,
      p.conv.g.outChannels,
      p.conv.g.outSpatialSize,
      q.xScale,
      q.wScales,
      q.yScale,
      q.yZeroPoint,
      ELEMENT_TYPES[q.yType],
    ),
  };
}

/** Reference `QLinearConv`: y of y_zero_point's type, rounded half to even from the exact value. */
export function referenceQLinearConv(
  x: TypedTensor,
  xScale: TypedTensor,
  xZeroPoint: TypedTensor,
  w: TypedTensor,
  wScale: TypedTensor,
  wZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
  b: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
): TypedTensor {
  const p = qlinearConvProblem('referenceQLinearConv', x, xScale, xZeroPoint, w, wScale, wZeroPoint, yScale, yZeroPoint, b, attrs);
  const e = qlinearConvExpectation(p, 'referenceQLinearConv');
  return { shape: [...p.conv.g.outputShape], data: ELEMENT_TYPES[p.q.yType].ctor.from(e.values) };
}
