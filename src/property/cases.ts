/** Pieces every operator's cases are built from: data seeds, regimes and seeded tensors. */
import fc from 'fast-check';
import type { ProblemData } from '../arbitraries/data.js';
import type { Precision } from '../contract.js';
import { problemData } from '../arbitraries/data.js';
import { sizeOf } from '../tensor.js';
import { onCaseEnd } from '../arbitraries/case-memory.js';
import type { Data64, Regime } from '../vocabulary.js';
import type { GenerationContext } from './definition.js';
import { InvalidArgumentError } from '../errors.js';
import { PRECISION_FACTS } from '../precision.js';
import { realTensorsOf, sourceOf } from '../arbitraries/real-data.js';

/** Data seeds: any 31-bit integer. */
export const dataSeed = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 0x7fffffff });

/** Regimes a property uses: `special` only when the kernel declares special-value support. */
export function regimes(ctx: GenerationContext, withSpecial: boolean): fc.Arbitrary<Regime> {
  if (ctx.production?.realData) return fc.constant<Regime>('real');
  return withSpecial && ctx.capabilities.specialValues
    ? fc.constantFrom<Regime>('exact', 'float', 'special')
    : fc.constantFrom<Regime>('exact', 'float');
}

/** Materialised x, w and b of a case. */
export interface CaseTensors {
  readonly x: Data64;
  readonly w: Data64;
  readonly b: Data64 | undefined;
}

/** x, w and b of the given shapes (b: one per `bSize`), with data in `regime` derived from `seed` (`fill: 'x'`: x only, w and b zero). */
export function tensorsOf(
  spec: { readonly xShape: readonly number[]; readonly wShape: readonly number[]; readonly hasBias: boolean },
  bSize: number,
  reductionLength: number,
  specialWeights: boolean,
  regime: Regime,
  seed: number,
  headroom: number,
  precision: Precision = 'float32',
  fill: 'x' | 'all' = 'all',
): CaseTensors {
  const n = spec.hasBias ? bSize : 0;
  if (regime === 'real') return realTensors(spec, n, precision, fill);
  const key = JSON.stringify([spec.xShape, spec.wShape, n, reductionLength, specialWeights, regime, seed, headroom, precision, fill]);
  const hit = recent.find((r) => r.key === key);
  if (hit) return hit.tensors;
  const d: ProblemData = problemData(
    { xSize: sizeOf(spec.xShape), wSize: sizeOf(spec.wShape), bSize: n, reductionLength, specialWeights },
    regime,
    seed,
    { headroom, precision, fill },
  );
  const tensors = {
    x: { shape: spec.xShape, data: d.x },
    w: { shape: spec.wShape, data: d.w },
    b: d.b ? { shape: [n], data: d.b } : undefined,
  };
  recent.unshift({ key, tensors });
  recent.length = Math.min(recent.length, RECENT);
  return tensors;
}

/**
 * A model layer's own tensors (`real` regime), rounded to the kernel's precision (a model's
 * float32 values are exact in float64; a float16 kernel gets them rounded to binary16). Throws
 * when the spec names no registered layer or its shapes are not the registered tensors'.
 */
function realTensors(
  spec: { readonly xShape: readonly number[]; readonly wShape: readonly number[]; readonly hasBias: boolean },
  n: number,
  precision: Precision,
  fill: 'x' | 'all',
): CaseTensors {
  const source = sourceOf(spec);
  const real = source && realTensorsOf(source);
  if (!source || !real) {
    throw new InvalidArgumentError(
      'tensorsOf',
      'spec.source',
      source,
      source
        ? `no model data loaded for ${source.model} node ${source.node} (sha256 ${source.sha256.slice(0, 12)}…, input ${source.input}); a case saved from another model or input?`
        : 'the real regime needs a model layer (a spec with a source)',
    );
  }
  if (real.x.length !== sizeOf(spec.xShape) || real.w.length !== sizeOf(spec.wShape) || (real.b?.length ?? 0) !== n) {
    throw new InvalidArgumentError(
      'tensorsOf',
      'spec',
      { xShape: spec.xShape, wShape: spec.wShape },
      `model node ${source.node}'s tensors (${real.x.length}, ${real.w.length}, ${real.b?.length ?? 0} elements) do not fit x=[${spec.xShape.join(',')}] w=[${spec.wShape.join(',')}]${n ? ` b=[${n}]` : ''}`,
    );
  }
  // a model's tensors are float32 values: a narrower data precision (float16) rounds them to it
  const data = PRECISION_FACTS[PRECISION_FACTS[precision].data];
  const cast = (a: Float64Array) => (data.bits < 32 ? a.map(data.round) : a);
  const zero = (a: Float64Array) => (fill === 'x' ? new Float64Array(a.length) : cast(a));
  return {
    x: { shape: spec.xShape, data: cast(real.x) },
    w: { shape: spec.wShape, data: zero(real.w) },
    b: real.b && n > 0 ? { shape: [n], data: zero(real.b) } : undefined,
  };
}

/**
 * The tensors `tensorsOf` built last, by their arguments, newest first. A property that runs one
 * case several times (unfused and fused, the same inputs twice around another problem, the
 * reference after the kernel) asks for the same data again; a production layer's weights take
 * seconds to draw (VGG-16's fc6 has 10⁸), and the data are a pure function of these arguments, so
 * they are drawn once. Nothing writes into case tensors: the guarded call hands kernels converted
 * copies, and properties build new tensors.
 */
const recent: Array<{ readonly key: string; readonly tensors: CaseTensors }> = [];
/** Data sets kept: `deterministic` runs a case, another problem, then the case again. */
const RECENT = 2;
// their arrays are re-used by the next case (`case-memory.ts`)
onCaseEnd(() => {
  recent.length = 0;
});
