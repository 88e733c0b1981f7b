/** Pieces every operator's cases are built from: data seeds, regimes and seeded tensors. */
import fc from 'fast-check';
import type { ProblemData } from '../arbitraries/data.js';
import type { Precision } from '../contract.js';
import { problemData } from '../arbitraries/data.js';
import { sizeOf } from '../tensor.js';
import { onCaseEnd } from '../arbitraries/case-memory.js';
import type { Data64, Regime } from '../vocabulary.js';
import type { GenerationContext } from './definition.js';

/** Data seeds: any 31-bit integer. */
export const dataSeed = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 0x7fffffff });

/** Regimes a property uses: `special` only when the kernel declares special-value support. */
export function regimes(ctx: GenerationContext, withSpecial: boolean): fc.Arbitrary<Regime> {
  return withSpecial && ctx.capabilities.specialValues ? fc.constantFrom<Regime>('exact', 'float', 'special') : fc.constantFrom<Regime>('exact', 'float');
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
