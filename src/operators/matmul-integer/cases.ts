/**
 * Cases of the quantized matmul family (`matMulInteger`, `qlinearMatMul`): a dense problem from
 * the shape plan (`denseProblem`: a `[N, K]`, b `[K, M]`, K ≤ `MAX_INTEGER_REDUCTION`), the
 * quantization choice of the conv family, and a data seed; tensors, exact expectations, calls.
 */
import fc from 'fast-check';
import type { CoverageKey, GenerationContext } from '../../property/definition.js';
import type { QuantType } from '../../quantized.js';
import { ELEMENT_TYPES } from '../../quantized.js';
import type { CheckedKernel, Data64 } from '../../vocabulary.js';
import type { IntegerExpectation } from '../../property/quantized-judge.js';
import { dataSeed } from '../../property/cases.js';
import { onCaseEnd } from '../../arbitraries/case-memory.js';
import { MAX_INTEGER_REDUCTION, outputScale, Prng, quantValues, scaleValue, zeroPointValues } from '../../arbitraries/quantized-data.js';
import { requantizeTensor } from '../../numeric/requantize.js';
import { formatShape } from '../../tensor.js';
import type { DenseSpec } from '../dense/spec.js';
import { denseProblem } from '../dense/problem.js';
import { coverageOfDense } from '../dense/cases.js';
import type { QuantChoice, QuantChoiceConstraints } from '../conv-integer/cases.js';
import { describeQuant, pairTypes, quantChoice, quantizedPlan, typed } from '../conv-integer/cases.js';
import { accumulateMatMul } from './reference.js';

/** A case of the quantized matmul family: `spec.xShape` = a's `[N, K]`, `spec.wShape` = `[M, K]` (b is its transpose). */
export interface QuantMatMulCase extends QuantChoice {
  readonly spec: DenseSpec;
  readonly seed: number;
}

/** Arbitrary quantized matmul cases. */
export function quantMatMulCases(ctx: GenerationContext, choice: QuantChoiceConstraints): fc.Arbitrary<QuantMatMulCase> {
  const specs = denseProblem({
    size: ctx.size,
    maxElements: ctx.capabilities.maxElements,
    production: quantizedPlan(ctx.production),
    bias: false,
  }).filter((s) => s.xShape[1] <= MAX_INTEGER_REDUCTION);
  return fc.record({ spec: specs, q: quantChoice(ctx, choice), seed: dataSeed() }).map((r) => ({ spec: r.spec, ...r.q, seed: r.seed }));
}

/** Every input of a quantized matmul case and its exact expectations. */
export interface QuantMatMulTensors {
  readonly a: Data64;
  readonly b: Data64;
  readonly aZeroPoint: Data64;
  readonly bZeroPoint: Data64;
  readonly aScale: Data64;
  readonly bScale: Data64;
  readonly yScale: Data64;
  readonly yZeroPoint: Data64;
  readonly yType: QuantType;
  readonly outputShape: readonly number[];
  readonly integer: IntegerExpectation;
  readonly qlinear: IntegerExpectation;
}

const recent: Array<{ readonly key: string; readonly t: QuantMatMulTensors }> = [];
onCaseEnd(() => {
  recent.length = 0;
});

/** Builds a case's tensors from its seed (the same recipe as the conv family's `quantConvTensors`). */
export function quantMatMulTensors(c: QuantMatMulCase): QuantMatMulTensors {
  const key = JSON.stringify(c);
  const hit = recent.find((r) => r.key === key);
  if (hit) return hit.t;
  const [N, K] = c.spec.xShape;
  const M = c.spec.wShape[0];
  const rng = new Prng(c.seed);
  const types = pairTypes(c.types);
  const a = quantValues(rng, N * K, types.x);
  const b = quantValues(rng, K * M, types.w);
  const az = zeroPointValues(rng, 1, types.x);
  const bz = zeroPointValues(rng, c.perChannel ? M : 1, types.w);
  const as = scaleValue(rng, c.powerOfTwo);
  const bs = Float64Array.from({ length: c.perChannel ? M : 1 }, () => scaleValue(rng, c.powerOfTwo));
  const yz = zeroPointValues(rng, 1, types.x);
  const centred = {
    n: N,
    k: K,
    m: M,
    a: a.map((v) => v - az[0]),
    b: b.map((v, i) => v - bz[c.perChannel ? i % M : 0]),
    aType: types.x,
    bType: types.w,
    outputShape: [N, M],
  };
  const acc = accumulateMatMul(centred);
  const accMax = acc.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const ys = outputScale(rng, as * Math.max(...bs), accMax, c.target, c.powerOfTwo);
  const bsPerM = Float64Array.from({ length: M }, (_, m) => bs[c.perChannel ? m : 0]);
  const requantized = requantizeTensor(acc, M, 1, as, bsPerM, ys, yz[0], ELEMENT_TYPES[types.x]);
  const param = (n: number) => (n === 1 ? [] : [n]);
  const t: QuantMatMulTensors = {
    a: typed([N, K], a, types.x),
    b: typed([K, M], b, types.w),
    aZeroPoint: typed([], az, types.x),
    bZeroPoint: typed(param(bz.length), bz, types.w),
    aScale: typed([], Float64Array.of(as), 'float32'),
    bScale: typed(param(bs.length), bs, 'float32'),
    yScale: typed([], Float64Array.of(ys), 'float32'),
    yZeroPoint: typed([], yz, types.x),
    yType: types.x,
    outputShape: [N, M],
    integer: { shape: [N, M], values: acc },
    qlinear: { shape: [N, M], values: requantized.values, alternatives: requantized.alternatives },
  };
  recent.unshift({ key, t });
  recent.length = Math.min(recent.length, 2);
  return t;
}

/** The guarded `matMulInteger` call; int32 `[N, M]`. */
export function runMatMulInteger(
  k: CheckedKernel,
  a: Data64,
  b: Data64,
  aZeroPoint: Data64 | undefined,
  bZeroPoint: Data64 | undefined,
): Promise<Float64Array> {
  return k.call(
    'matMulInteger',
    [
      ['a', a],
      ['b', b],
      ['aZeroPoint', aZeroPoint],
      ['bZeroPoint', bZeroPoint],
    ],
    undefined,
    [a.shape[0], b.shape[1]],
    'int32',
  );
}

/** The guarded `qlinearMatMul` call on a case's tensors (ONNX input order). */
export function runQLinearMatMul(k: CheckedKernel, t: QuantMatMulTensors): Promise<Float64Array> {
  return k.call(
    'qlinearMatMul',
    [
      ['a', t.a],
      ['aScale', t.aScale],
      ['aZeroPoint', t.aZeroPoint],
      ['b', t.b],
      ['bScale', t.bScale],
      ['bZeroPoint', t.bZeroPoint],
      ['yScale', t.yScale],
      ['yZeroPoint', t.yZeroPoint],
    ],
    undefined,
    t.outputShape,
    t.yType,
  );
}

/** `a=[N,K] b=[K,M] types=… w-quant=… scales=… target=…`. */
export function describeQuantMatMulCase(c: QuantMatMulCase): string {
  const [N, K] = c.spec.xShape;
  return `a=${formatShape([N, K])} b=${formatShape([K, c.spec.wShape[0]])} ${describeQuant(c)}`;
}

/** Coverage key: the dense one, under the operator's name. */
export function coverageOfQuantMatMul(op: string, c: QuantMatMulCase): CoverageKey {
  return [op, ...coverageOfDense(c.spec).slice(1)];
}
