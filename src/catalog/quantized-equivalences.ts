/**
 * The project's question in the integer domain: an FC layer is a conv whose kernel covers the
 * whole input, and a linear layer applied at every position is a 1×1 conv — for `matMulInteger`
 * vs `convInteger` (bit for bit) and `qlinearMatMul` vs `qlinearConv` (the same requantized
 * values; where the requantization window allows ±1, either of the two allowed values on each side).
 */
import fc from 'fast-check';
import type { ConvSpec } from '../operators/conv/spec.js';
import { plainAttrs } from '../operators/conv/cases.js';
import type { QuantConvCase, QuantConvTensors } from '../operators/conv-integer/cases.js';
import {
  describeQuantConvCase,
  quantChoice,
  quantConvTensors,
  quantizedPlan,
  runConvInteger,
  runQLinearConv,
  typed,
} from '../operators/conv-integer/cases.js';
import { cycle } from '../arbitraries/cycle.js';
import { MAX_INTEGER_REDUCTION } from '../arbitraries/quantized-data.js';
import type { ProductionPlan } from '../vocabulary.js';
import { withinPlan } from '../vocabulary.js';
import { runMatMulInteger, runQLinearMatMul } from '../operators/matmul-integer/cases.js';
import type { QuantMatMulTensors } from '../operators/matmul-integer/cases.js';
import { dataSeed } from '../property/cases.js';
import type { GenerationContext } from '../property/definition.js';
import { defineProperty } from '../property/definition.js';
import type { IntegerExpectation } from '../property/quantized-judge.js';
import { judgeIntegers } from '../property/quantized-judge.js';
import { sizeOf } from '../tensor.js';
import type { CheckedKernel, Data64 } from '../vocabulary.js';

/** Small conv problems whose kernel covers the input (`full`) or is 1×1 (`pointwise`); no padding, stride 1, group 1. */
function relationCases(
  ctx: GenerationContext,
  kind: 'full' | 'pointwise',
  bias: boolean,
  operators: readonly string[],
): fc.Arbitrary<QuantConvCase> {
  const ranks = ctx.capabilities.quantizedSpatialRanks;
  const generated = fc
    .record({
      rank: fc.constantFrom(...ranks),
      n: fc.integer({ min: 1, max: 3 }),
      c: fc.integer({ min: 1, max: 8 }),
      m: fc.integer({ min: 1, max: 8 }),
      sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
    })
    .map(({ rank, n, c, m, sizes }): ConvSpec => {
      const s = sizes.slice(0, rank);
      return { xShape: [n, c, ...s], wShape: [m, c, ...(kind === 'full' ? s : s.map(() => 1))], attrs: plainAttrs(rank), hasBias: bias };
    })
    .filter((s) => Math.max(sizeOf(s.xShape), sizeOf(s.wShape)) <= ctx.capabilities.maxElements);
  const plan = quantizedPlan(ctx.production);
  let spec = generated;
  if (plan !== undefined) {
    const specs = relationLayers(plan, kind, ranks, ctx.capabilities.maxElements).map((s) => ({ ...s, hasBias: bias }));
    plan.cycleLengths.push(specs.length);
    // no layer fits: the runner skips the property and this generated stand-in is never run
    if (specs.length > 0) spec = cycle(specs);
  }
  return fc
    .record({ spec, q: quantChoice(ctx, { targets: [20, 100, 300], operators }), seed: dataSeed() })
    .map((r) => ({ spec: r.spec, ...r.q, seed: r.seed }));
}

/**
 * The production layers a relation runs: `full` — conv layers whose kernel covers their input
 * (no padding, stride and dilation 1, group 1) and dense layers as that conv (over the map they
 * flatten, or `[K, 1…]`); `pointwise` — 1×1 conv layers (stride 1, no padding, group 1) and
 * dense layers that flatten no map, as a 1×1 conv over `[K, 1…]`. Within the plan's cost caps.
 */
function relationLayers(plan: ProductionPlan, kind: 'full' | 'pointwise', ranks: readonly number[], maxElements: number): ConvSpec[] {
  const out: ConvSpec[] = [];
  for (const l of plan.layers) {
    let spec: ConvSpec | undefined;
    if (l.op === 'conv') {
      const c = l.spec as ConvSpec;
      const a = c.attrs;
      const plain = a.group === 1 && a.pads.every((p) => p === 0) && a.strides.every((v) => v === 1) && a.dilations.every((d) => d === 1);
      const k = c.wShape.slice(2);
      const fits = kind === 'full' ? k.every((d, i) => d === c.xShape[2 + i]) : k.every((d) => d === 1);
      if (plain && fits) spec = c;
    } else if (l.op === 'dense' && (kind === 'full' || l.flattens === undefined)) {
      const [N, K] = (l.spec as { xShape: readonly number[] }).xShape;
      const M = (l.spec as { wShape: readonly number[] }).wShape[0];
      const rank = l.flattens !== undefined ? l.flattens.length - 1 : Math.min(...ranks);
      const map = l.flattens !== undefined ? [...l.flattens] : [K, ...new Array<number>(rank).fill(1)];
      spec = { xShape: [N, ...map], wShape: [M, ...map], attrs: plainAttrs(rank), hasBias: false };
    }
    if (spec === undefined || !ranks.includes(spec.xShape.length - 2)) continue;
    const K = sizeOf(spec.wShape.slice(1));
    const P = kind === 'full' ? 1 : sizeOf(spec.xShape.slice(2));
    const elements = Math.max(sizeOf(spec.xShape), sizeOf(spec.wShape), spec.xShape[0] * spec.wShape[0] * P);
    if (K > MAX_INTEGER_REDUCTION || elements > maxElements) continue;
    if (withinPlan(plan, l, 2 * spec.xShape[0] * spec.wShape[0] * K * P, elements)) out.push(spec);
  }
  return out;
}

/**
 * The matmul operands of a conv case: `full` flattens x to a `[N, C·∏D]` and w to b = `[C·∏k, M]`;
 * `pointwise` takes every position as a row, a = `[N·∏D, C]` (channels last), b = w`[M, C]`ᵀ.
 */
function asMatMul(t: QuantConvTensors, kind: 'full' | 'pointwise'): QuantMatMulTensors {
  const [N, C] = t.x.shape;
  const M = t.w.shape[0];
  const P = sizeOf(t.x.shape.slice(2));
  const K = kind === 'full' ? C * P : C;
  const rows = kind === 'full' ? N : N * P;
  const a = new Float64Array(rows * K);
  if (kind === 'full') a.set(t.x.data);
  else
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) a[(n * P + p) * C + c] = t.x.data[(n * C + c) * P + p];
  const b = new Float64Array(K * M);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) b[k * M + m] = t.w.data[m * K + k];
  return {
    a: typed([rows, K], a, t.x.dtype),
    b: typed([K, M], b, t.w.dtype),
    aZeroPoint: t.xZeroPoint,
    bZeroPoint: t.wZeroPoint,
    aScale: t.xScale,
    bScale: t.wScale,
    yScale: t.yScale,
    yZeroPoint: t.yZeroPoint,
    yType: t.yType,
    outputShape: [rows, M],
    integer: t.integer,
    qlinear: t.qlinear,
  };
}

/** The matmul output `[rows, M]` in the conv's layout `[N, M, ∏O]`. */
function toConvLayout(y: Float64Array, t: QuantConvTensors, kind: 'full' | 'pointwise'): Float64Array {
  if (kind === 'full') return y; // [N, M] = [N, M, 1…]
  const [N] = t.x.shape;
  const M = t.w.shape[0];
  const P = t.g.outSpatialSize;
  const out = new Float64Array(y.length);
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let p = 0; p < P; p++) out[(n * M + m) * P + p] = y[(n * P + p) * M + m];
  return out;
}

/** What the conv must equal given the matmul's values: them, or where the window allows, the other allowed value. */
function sameRequantized(fromMatMul: Float64Array, reference: IntegerExpectation): IntegerExpectation {
  const alt = reference.alternatives!;
  const alternatives = fromMatMul.map((v, i) =>
    Number.isNaN(alt[i]) ? Number.NaN : v === reference.values[i] ? alt[i] : v === alt[i] ? reference.values[i] : Number.NaN,
  );
  return { shape: reference.shape, values: fromMatMul, alternatives };
}

function relation(kind: 'full' | 'pointwise', qlinear: boolean) {
  const name = kind === 'full' ? 'full-extent' : '1x1';
  const [mm, conv] = qlinear ? ['qlinearMatMul', 'qlinearConv'] : ['matMulInteger', 'convInteger'];
  return defineProperty({
    id: `${qlinear ? 'qlinear-matmul' : 'matmul-integer'}-equals-${name}-${qlinear ? 'qlinear-conv' : 'conv-integer'}`,
    statement:
      kind === 'full'
        ? `${mm} of the flattened input with w as [C·∏k, M] equals ${conv} with a kernel covering the whole input (the FC layer as a conv)${qlinear ? ', the same requantized values (either allowed value where the window allows ±1)' : ', bit for bit'}`
        : `${mm} applied to every position (channels as K) equals the 1×1 ${conv}${qlinear ? ', the same requantized values (either allowed value where the window allows ±1)' : ', bit for bit'}`,
    needs: [mm, conv],
    arbitrary: (ctx: GenerationContext) => relationCases(ctx, kind, false, [mm, conv]),
    async check(k: CheckedKernel, c: QuantConvCase) {
      const t = quantConvTensors(c);
      const m = asMatMul(t, kind);
      if (qlinear) {
        const ym = toConvLayout(await runQLinearMatMul(k, m), t, kind);
        const yc = await runQLinearConv(k, t, c.spec.attrs);
        judgeIntegers(`${conv} vs ${mm} (${name})`, yc, sameRequantized(ym, t.qlinear));
      } else {
        const ym = toConvLayout(await runMatMulInteger(k, m.a, m.b, m.aZeroPoint as Data64, m.bZeroPoint as Data64), t, kind);
        const yc = await runConvInteger(k, t.x, t.w, t.xZeroPoint, t.wZeroPoint, c.spec.attrs, t.g.outputShape);
        judgeIntegers(`${conv} vs ${mm} (${name})`, yc, { shape: t.g.outputShape, values: ym });
      }
    },
    describe: (c: QuantConvCase) => describeQuantConvCase(c, false),
  });
}

/** matMulInteger ≡ full-extent convInteger. */
export const matMulIntegerEqualsFullExtentConv = relation('full', false);
/** qlinearMatMul ≡ full-extent qlinearConv. */
export const qlinearMatMulEqualsFullExtentConv = relation('full', true);
/** matMulInteger at every position ≡ 1×1 convInteger. */
export const matMulIntegerEquals1x1Conv = relation('pointwise', false);
/** qlinearMatMul at every position ≡ 1×1 qlinearConv. */
export const qlinearMatMulEquals1x1Conv = relation('pointwise', true);
