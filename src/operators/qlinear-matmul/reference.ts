/** The exact reference of `qlinearMatMul`: exact accumulation, requantization rounded half to even from the exact value. */
import { InvalidArgumentError } from '../../errors.js';
import type { TypedTensor } from '../../quantized.js';
import { ELEMENT_TYPES, scales } from '../../quantized.js';
import type { RequantizedTensor } from '../../numeric/requantize.js';
import { requantizeTensor } from '../../numeric/requantize.js';
import { checkInt32 } from '../conv-integer/reference.js';
import type { Requantization } from '../qlinear-conv/reference.js';
import { outputQuantization } from '../qlinear-conv/reference.js';
import type { CentredMatMul } from '../matmul-integer/reference.js';
import { accumulateMatMul, centredMatMul } from '../matmul-integer/reference.js';

/** A validated `qlinearMatMul` problem. */
export interface QLinearMatMulProblem {
  readonly mm: CentredMatMul;
  readonly q: Requantization;
}

/** Validates every operand of `qlinearMatMul` (ONNX input order). */
export function qlinearMatMulProblem(
  fn: string,
  a: TypedTensor,
  aScale: TypedTensor,
  aZeroPoint: TypedTensor,
  b: TypedTensor,
  bScale: TypedTensor,
  bZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
): QLinearMatMulProblem {
  for (const [name, t] of [
    ['aZeroPoint', aZeroPoint],
    ['bZeroPoint', bZeroPoint],
  ] as const) {
    if (t === undefined) throw new InvalidArgumentError(fn, name, t, `${name} is required (ONNX QLinearMatMul)`);
  }
  const mm = centredMatMul(fn, a, b, aZeroPoint, bZeroPoint);
  const xScale = scales(fn, 'aScale', aScale, undefined)[0];
  const wScales = scales(fn, 'bScale', bScale, mm.m, 'column');
  return { mm, q: { xScale, wScales, ...outputQuantization(fn, yScale, yZeroPoint) } };
}

/** The exact accumulation and its requantization, with the window's alternatives. */
export function qlinearMatMulExpectation(
  p: QLinearMatMulProblem,
  fn = 'qlinearMatMul',
): RequantizedTensor & { readonly acc: Float64Array } {
  const acc = accumulateMatMul(p.mm);
  checkInt32(fn, acc, p.mm.outputShape);
  const { q } = p;
  return { acc, ...requantizeTensor(acc, p.mm.m, 1, q.xScale, q.wScales, q.yScale, q.yZeroPoint, ELEMENT_TYPES[q.yType]) };
}

/** Reference `QLinearMatMul`: y `[N, M]` of y_zero_point's type. */
export function referenceQLinearMatMul(
  a: TypedTensor,
  aScale: TypedTensor,
  aZeroPoint: TypedTensor,
  b: TypedTensor,
  bScale: TypedTensor,
  bZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
): TypedTensor {
  const p = qlinearMatMulProblem('referenceQLinearMatMul', a, aScale, aZeroPoint, b, bScale, bZeroPoint, yScale, yZeroPoint);
  const e = qlinearMatMulExpectation(p, 'referenceQLinearMatMul');
  return { shape: [...p.mm.outputShape], data: ELEMENT_TYPES[p.q.yType].ctor.from(e.values) };
}
