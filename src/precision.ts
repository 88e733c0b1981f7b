/**
 * Every fact convcheck uses about a storage precision, in one table: the error bound, the error
 * model, the data generators, the numerics probe, the tensors handed to kernels and the validation
 * of a kernel's numeric fields all read it. Adding a precision is adding an entry here (the
 * `Precision` type of the contract is this table's keys) and its own tests.
 *
 * The formats are IEEE-754 binary16, binary32 and binary64: p significand bits (the implicit one
 * included), unit roundoff u = 2⁻ᵖ (round to nearest), normals from 2^e_min, subnormals spaced
 * 2^(e_min − p + 1).
 */
import { FLOAT16_MAX, FLOAT16_MIN_NORMAL, FLOAT16_MIN_SUBNORMAL, roundToFloat16, toFloat16Array } from './float16.js';

/** The facts about one storage precision. */
export interface PrecisionFacts {
  /** Storage width in bits (an accumulation is never narrower than the storage). */
  readonly bits: number;
  /** Significand bits p, the implicit leading one included: every integer of magnitude ≤ 2ᵖ is exact. */
  readonly significandBits: number;
  /** Unit roundoff u = 2⁻ᵖ: one rounding to nearest commits a relative error of at most u. */
  readonly unitRoundoff: number;
  /** Smallest positive normal value. */
  readonly minNormal: number;
  /** Smallest positive subnormal value (the spacing of the subnormal range). */
  readonly minSubnormal: number;
  /** Largest finite value. */
  readonly max: number;
  /**
   * η: the absolute error the error model allows for one rounding of a result into the subnormal
   * range (`bound/error-model.ts`): half the subnormal spacing where the generated data let
   * cancellation reach that range (float16, 2⁻²⁵), 0 where generated results stay normal.
   */
  readonly subnormalRounding: number;
  /**
   * The precision whose values the data generators draw (`arbitraries/data.ts`): its own for
   * float16; float32-representable values for float32 and for float64 kernels. A format narrower
   * than float32 gets float data from its own entry (smallest normal, largest value, `round`), so a
   * new narrow format names itself here and needs no generator of its own.
   */
  readonly data: 'float16' | 'float32';
  /**
   * The exact regime's budget: every generated Σ|w·x| + |b| stays below it, so every partial sum
   * is an exactly representable integer (2ᵖ of the data's precision: 2¹¹ for float16, 2²⁴ otherwise).
   */
  readonly exactSumLimit: number;
  /** The largest |bias| the exact regime draws (a quarter of the budget at most). */
  readonly exactBiasMax: number;
  /**
   * Whether a float64 reference summed plainly judges this precision: its own error (≈ n·2⁻⁵³)
   * is far below this precision's u. false for float64, whose judge needs a compensated reference.
   */
  readonly plainFloat64Judges: boolean;
  /** The typed array a kernel of this precision is handed and returns. */
  readonly arrayType: Float32ArrayConstructor | Float64ArrayConstructor;
  /**
   * Whether `arrayType` is the format itself, so data already in one need no rounding (false for
   * float16: Node 20 has no `Float16Array`, float16 values travel in a `Float32Array`).
   */
  readonly arrayIsFormat: boolean;
  /** `x` rounded to the nearest value of this precision, ties to even (±Infinity beyond its range). */
  round(x: number): number;
  /** `data` rounded to this precision, in `arrayType`. */
  toArray(data: ArrayLike<number>): Float32Array | Float64Array;
}

/** The table of precisions, one entry per `Precision`. */
export const PRECISION_FACTS = {
  float16: {
    bits: 16,
    significandBits: 11,
    unitRoundoff: 2 ** -11,
    minNormal: FLOAT16_MIN_NORMAL,
    minSubnormal: FLOAT16_MIN_SUBNORMAL,
    max: FLOAT16_MAX,
    subnormalRounding: 2 ** -25,
    data: 'float16',
    exactSumLimit: 2 ** 11,
    exactBiasMax: 16,
    plainFloat64Judges: true,
    arrayType: Float32Array,
    arrayIsFormat: false,
    round: roundToFloat16,
    toArray: toFloat16Array,
  },
  float32: {
    bits: 32,
    significandBits: 24,
    unitRoundoff: 2 ** -24,
    minNormal: 2 ** -126,
    minSubnormal: 2 ** -149,
    max: 3.4028234663852886e38,
    subnormalRounding: 0,
    data: 'float32',
    exactSumLimit: 2 ** 24,
    exactBiasMax: 64,
    plainFloat64Judges: true,
    arrayType: Float32Array,
    arrayIsFormat: true,
    round: Math.fround,
    toArray: (data: ArrayLike<number>) => Float32Array.from(data),
  },
  float64: {
    bits: 64,
    significandBits: 53,
    unitRoundoff: 2 ** -53,
    minNormal: 2 ** -1022,
    minSubnormal: 2 ** -1074,
    max: Number.MAX_VALUE,
    subnormalRounding: 0,
    data: 'float32',
    exactSumLimit: 2 ** 24,
    exactBiasMax: 64,
    plainFloat64Judges: false,
    arrayType: Float64Array,
    arrayIsFormat: true,
    round: (x: number) => x,
    toArray: (data: ArrayLike<number>) => Float64Array.from(data),
  },
} as const satisfies Readonly<Record<string, PrecisionFacts>>;

type Name = keyof typeof PRECISION_FACTS;

/** The precisions, narrowest first. */
export const PRECISIONS: readonly Name[] = (Object.keys(PRECISION_FACTS) as Name[]).sort(
  (a, b) => PRECISION_FACTS[a].bits - PRECISION_FACTS[b].bits,
);

/** The facts of `precision`. */
export function precisionFacts(precision: Name): PrecisionFacts {
  return PRECISION_FACTS[precision];
}

/** Whether `v` names a precision of the table. */
export function isPrecision(v: unknown): v is Name {
  return typeof v === 'string' && Object.hasOwn(PRECISION_FACTS, v);
}

/** The precisions for a validation message: `'float16', 'float32' or 'float64'`. */
export function precisionList(): string {
  const quoted = PRECISIONS.map((p) => `'${p}'`);
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** Whether `x` is exactly a value of `precision` (NaN and ±Infinity included). */
export function isRepresentable(x: number, precision: Name): boolean {
  return Number.isNaN(x) || Object.is(PRECISION_FACTS[precision].round(x), x);
}

/** A record with one value per precision, computed from its facts (`UNIT_ROUNDOFF` and the like). */
export function perPrecision<T>(f: (facts: PrecisionFacts) => T): Readonly<Record<Name, T>> {
  return Object.fromEntries(PRECISIONS.map((p) => [p, f(PRECISION_FACTS[p])])) as Record<Name, T>;
}
