/**
 * Cases of the quantized conv family (`convInteger`, `qlinearConv`): a conv problem from the
 * shape plan (`convProblem`, ranks from `quantizedSpatialRanks`), the (data, weight) type pair,
 * per-channel or per-tensor weight quantization, power-of-two or arbitrary scales, the output
 * range the accumulations are scaled to, and a data seed. The tensors, their exact expectation,
 * the guarded calls and the one-line description.
 */
import fc from 'fast-check';
import type { QuantizedTypePair } from '../../capabilities.js';
import type { CoverageKey, GenerationContext } from '../../property/definition.js';
import type { QuantType } from '../../quantized.js';
import { ELEMENT_TYPES } from '../../quantized.js';
import type { CheckedKernel, Data64, ProductionPlan } from '../../vocabulary.js';
import type { IntegerExpectation } from '../../property/quantized-judge.js';
import { dataSeed } from '../../property/cases.js';
import { onCaseEnd } from '../../arbitraries/case-memory.js';
import {
  biasLimit,
  biasValues,
  MAX_INTEGER_REDUCTION,
  outputScale,
  Prng,
  quantValues,
  scaleValue,
  zeroPointValues,
} from '../../arbitraries/quantized-data.js';
import { requantizeTensor } from '../../numeric/requantize.js';
import { sizeOf } from '../../tensor.js';
import type { ConvProblemConstraints } from '../conv/problem.js';
import type { ConvSpec } from '../conv/spec.js';
import { convProblem } from '../conv/problem.js';
import { coverageOf, geometryOf } from '../conv/cases.js';
import { describeConv } from '../conv/geometry.js';
import type { ConvGeometry } from '../conv/geometry.js';
import type { IntegerConvAttributes } from './contract.js';
import { accumulateConv } from './reference.js';

/** The element types of a type pair: `u8s8` → uint8 data, int8 weights. */
export function pairTypes(pair: QuantizedTypePair): { x: QuantType; w: QuantType } {
  const t = (c: string): QuantType => (c === 'u' ? 'uint8' : 'int8');
  return { x: t(pair[0]), w: t(pair[2]) };
}

/** How the quantization of a case is drawn (shared by the conv and the matmul family). */
export interface QuantChoice {
  readonly types: QuantizedTypePair;
  /** Weight scales and zero points per output channel (else per tensor). */
  readonly perChannel: boolean;
  /** Every scale a power of two (every correct requantization is then exact: no window). */
  readonly powerOfTwo: boolean;
  /** The accumulations' largest magnitude maps to about ±target before the zero point (> 127: saturation). */
  readonly target: number;
}

/** A case of the quantized conv family. */
export interface QuantConvCase extends QuantChoice {
  readonly spec: ConvSpec;
  readonly seed: number;
}

/** Options of the quantization arbitrary. */
export interface QuantChoiceConstraints {
  /** Only these targets (default 20, 100, 300 and 2000: inside the range, then saturating). */
  readonly targets?: readonly number[];
  /** The operators the cases are run on: per-channel weights only where every one takes them (`quantizedPerChannel`). */
  readonly operators: readonly string[];
}

/** The quantization choices a kernel's capabilities allow. */
export function quantChoice(ctx: GenerationContext, c: QuantChoiceConstraints): fc.Arbitrary<QuantChoice> {
  const perChannel = c.operators.every((o) => ctx.capabilities.quantizedPerChannel.includes(o));
  return fc.record({
    types: fc.constantFrom(...ctx.capabilities.quantizedTypes),
    perChannel: perChannel ? fc.boolean() : fc.constant(false),
    powerOfTwo: fc.boolean(),
    target: fc.constantFrom(...(c.targets ?? [20, 100, 300, 2000])),
  });
}

/**
 * Conv problems for the quantized family: the kernel's quantized ranks, no fused activation, and
 * a reduction length (C/group)·∏k ≤ `MAX_INTEGER_REDUCTION` so every accumulation fits int32 (the
 * overflow policy of `arbitraries/quantized-data.ts`; only the rare 2¹⁶-element boundary
 * reductions are filtered away).
 */
export function quantConvSpecs(ctx: GenerationContext, constraints: ConvProblemConstraints = {}): fc.Arbitrary<ConvSpec> {
  const capabilities = { ...ctx.capabilities, spatialRanks: ctx.capabilities.quantizedSpatialRanks, activations: [] };
  // production: the networks shipped quantized, their convs with the bias batch norm folds into
  const production = quantizedPlan(ctx.production);
  const bias = production ? { bias: true } : {};
  return convProblem({ capabilities, size: ctx.size, production, ...bias, ...constraints }).filter(
    (s) => s.wShape.slice(1).reduce((a, b) => a * b, 1) <= MAX_INTEGER_REDUCTION,
  );
}

/**
 * The networks whose quantized (int8/uint8) versions are what deployed JavaScript runs (the q8
 * ONNX models of in-browser libraries, onnxruntime's quantization examples): the production tier
 * runs the quantized operators on their layers.
 */
export const QUANTIZED_NETWORKS: readonly string[] = ['ResNet-50', 'MobileNet-v2'];

/**
 * The production plan restricted to `QUANTIZED_NETWORKS`' layers when it has any (else, e.g. a
 * user's `--shapes` file, every layer); the same `cycleLengths` and `leftOut` arrays, so what the
 * generators record reaches the runner.
 */
export function quantizedPlan(plan: ProductionPlan | undefined): ProductionPlan | undefined {
  if (plan === undefined) return undefined;
  const own = plan.layers.filter((l) => QUANTIZED_NETWORKS.includes(l.network));
  return own.length > 0 ? { ...plan, layers: own } : plan;
}

/** Arbitrary quantized conv cases. */
export function quantConvCases(
  ctx: GenerationContext,
  choice: QuantChoiceConstraints,
  constraints: ConvProblemConstraints = {},
): fc.Arbitrary<QuantConvCase> {
  return fc
    .record({ spec: quantConvSpecs(ctx, constraints), q: quantChoice(ctx, choice), seed: dataSeed() })
    .map((r) => ({ spec: r.spec, ...r.q, seed: r.seed }));
}

/** Every input of a quantized conv case (typed `Data64`s), its geometry and its exact expectations. */
export interface QuantConvTensors {
  readonly g: ConvGeometry;
  readonly x: Data64;
  readonly w: Data64;
  readonly xZeroPoint: Data64;
  readonly wZeroPoint: Data64;
  readonly xScale: Data64;
  readonly wScale: Data64;
  readonly yScale: Data64;
  readonly yZeroPoint: Data64;
  /** int32 bias `[M]` when the spec has one (qlinearConv only). */
  readonly b: Data64 | undefined;
  readonly yType: QuantType;
  /** convInteger's exact output (no bias). */
  readonly integer: IntegerExpectation;
  /** qlinearConv's exact output and the window's alternatives. */
  readonly qlinear: IntegerExpectation;
}

/** A typed `Data64`. */
export const typed = (shape: readonly number[], data: Float64Array, dtype: Data64['dtype']): Data64 => ({ shape, data, dtype });

/** The tensors of the latest cases (a property runs a case more than once). */
const recent: Array<{ readonly key: string; readonly t: QuantConvTensors }> = [];
onCaseEnd(() => {
  recent.length = 0;
});

/**
 * Builds a case's tensors from its seed: data reaching both ends of their types, zero points
 * across the range, an int32 bias within the overflow policy's room, scales (powers of two or
 * not), and y's scale chosen from the exact accumulations so their largest maps to ±target.
 * `narrow`: data and zero points kept 64 away from both ends (room to shift them, `zeroPointShift`).
 */
export function quantConvTensors(c: QuantConvCase, narrow = false): QuantConvTensors {
  const key = JSON.stringify([c, narrow]);
  const hit = recent.find((r) => r.key === key);
  if (hit) return hit.t;
  const g = geometryOf(c.spec);
  const rng = new Prng(c.seed);
  const types = pairTypes(c.types);
  const M = g.outChannels;
  const squeeze = (v: Float64Array, type: QuantType) =>
    narrow ? v.map((q) => ELEMENT_TYPES[type].min + 64 + ((q - ELEMENT_TYPES[type].min) % (255 - 128))) : v;
  const x = squeeze(quantValues(rng, sizeOf(c.spec.xShape), types.x), types.x);
  const w = quantValues(rng, sizeOf(c.spec.wShape), types.w);
  const xz = squeeze(zeroPointValues(rng, 1, types.x), types.x);
  const wz = zeroPointValues(rng, c.perChannel ? M : 1, types.w);
  const bias = c.spec.hasBias ? biasValues(rng, M, biasLimit(g.reductionLength)) : undefined;
  const xs = scaleValue(rng, c.powerOfTwo);
  const ws = Float64Array.from({ length: c.perChannel ? M : 1 }, () => scaleValue(rng, c.powerOfTwo));
  const yz = zeroPointValues(rng, 1, types.x);
  // the exact accumulations, centred by the zero points
  const xc = x.map((v) => v - xz[0]);
  const wc = w.map((v, i) => v - wz[c.perChannel ? Math.floor(i / (w.length / M)) : 0]);
  const centred = { g, x: xc, w: wc, xType: types.x, wType: types.w };
  const plain = accumulateConv(centred);
  const P = g.outSpatialSize;
  const acc = bias ? plain.map((v, i) => v + bias[Math.floor(i / P) % M]) : plain;
  let accMax = 0;
  for (let i = 0; i < acc.length; i++) accMax = Math.max(accMax, Math.abs(acc[i]));
  const ys = outputScale(rng, xs * ws.reduce((a, b) => Math.max(a, b), 0), accMax, c.target, c.powerOfTwo);
  const wsPerM = Float64Array.from({ length: M }, (_, m) => ws[c.perChannel ? m : 0]);
  const yRange = ELEMENT_TYPES[types.x];
  const requantized = requantizeTensor(acc, M, g.outSpatialSize, xs, wsPerM, ys, yz[0], yRange);
  const param = (n: number) => (n === 1 ? [] : [n]);
  const t: QuantConvTensors = {
    g,
    x: typed(c.spec.xShape, x, types.x),
    w: typed(c.spec.wShape, w, types.w),
    xZeroPoint: typed([], xz, types.x),
    wZeroPoint: typed(param(wz.length), wz, types.w),
    xScale: typed([], Float64Array.of(xs), 'float32'),
    wScale: typed(param(ws.length), ws, 'float32'),
    yScale: typed([], Float64Array.of(ys), 'float32'),
    yZeroPoint: typed([], yz, types.x),
    b: bias ? typed([M], bias, 'int32') : undefined,
    yType: types.x,
    integer: { shape: g.outputShape, values: plain },
    qlinear: { shape: g.outputShape, values: requantized.values, alternatives: requantized.alternatives },
  };
  recent.unshift({ key, t });
  recent.length = Math.min(recent.length, 2);
  return t;
}

/** The guarded `convInteger` call on given tensors; int32 `expectedShape`. */
export function runConvInteger(
  k: CheckedKernel,
  x: Data64,
  w: Data64,
  xZeroPoint: Data64 | undefined,
  wZeroPoint: Data64 | undefined,
  attrs: IntegerConvAttributes,
  expectedShape: readonly number[],
): Promise<Float64Array> {
  return k.call(
    'convInteger',
    [
      ['x', x],
      ['w', w],
      ['xZeroPoint', xZeroPoint],
      ['wZeroPoint', wZeroPoint],
    ],
    attrs,
    expectedShape,
    'int32',
  );
}

/** The guarded `qlinearConv` call on a case's tensors (ONNX input order); y of `t.yType`. */
export function runQLinearConv(k: CheckedKernel, t: QuantConvTensors, attrs: IntegerConvAttributes): Promise<Float64Array> {
  return k.call(
    'qlinearConv',
    [
      ['x', t.x],
      ['xScale', t.xScale],
      ['xZeroPoint', t.xZeroPoint],
      ['w', t.w],
      ['wScale', t.wScale],
      ['wZeroPoint', t.wZeroPoint],
      ['yScale', t.yScale],
      ['yZeroPoint', t.yZeroPoint],
      ['b', t.b],
    ],
    attrs,
    t.g.outputShape,
    t.yType,
  );
}

/** One-line description: the conv, then `types=u8s8 per-channel scales=pow2 target=300`. */
export function describeQuantConvCase(c: QuantConvCase, bias: boolean): string {
  return `${describeConv(c.spec.xShape, c.spec.wShape, c.spec.attrs, bias)} ${describeQuant(c)}`;
}

/** `types=u8s8 w-quant=per-channel scales=pow2 target=300` */
export function describeQuant(c: QuantChoice): string {
  return `types=${c.types} w-quant=${c.perChannel ? 'per-channel' : 'per-tensor'} scales=${c.powerOfTwo ? 'pow2' : 'float32'} target=${c.target}`;
}

/** Coverage key of a quantized conv case: the conv's, under the operator's name. */
export function coverageOfQuantConv(op: string, c: QuantConvCase, bias: boolean): CoverageKey {
  const key = coverageOf({ ...c.spec, hasBias: bias });
  return [op, ...key.slice(1)];
}
