/**
 * Data of quantized problems, derived from a seed: 8-bit data and weights that reach both ends of
 * their type (0 and 255, −128 and 127) often, zero points across the whole range (both ends
 * included), int32 biases, and float32 scales that are either powers of two (every correct
 * requantization is then exact, so ties must round to even) or arbitrary float32 values.
 *
 * Overflow policy: a problem's reduction length K is kept at most `MAX_INTEGER_REDUCTION`, and the
 * bias at most the room left, so that |Σ(x − x_zp)(w − w_zp)| + |bias| ≤ K·255² + |bias| < 2³¹
 * for every possible data: the exact accumulation always fits int32, and a kernel that wraps or
 * saturates its accumulator is judged against the exact value (ONNX leaves int32 overflow
 * undefined, so convcheck never generates it).
 */
import type { QuantType } from '../quantized.js';
import { ELEMENT_TYPES } from '../quantized.js';
import { Prng } from './prng.js';

/** Largest |q − zero_point| of an 8-bit type: 255. */
export const MAX_CENTRED = 255;

/** Largest reduction length whose worst-case accumulation K·255² stays below 2³¹ with room for a bias. */
export const MAX_INTEGER_REDUCTION = Math.floor((2 ** 31 - 1 - 2 ** 20) / (MAX_CENTRED * MAX_CENTRED));

/** 8-bit values of `type`, 15 % at each end of the range, the rest uniform. */
export function quantValues(rng: Prng, n: number, type: QuantType): Float64Array {
  const { min, max } = ELEMENT_TYPES[type];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    out[i] = u < 0.15 ? min : u < 0.3 ? max : min + Math.floor(rng.next() * (max - min + 1));
  }
  return out;
}

/** Zero points of `type`: a quarter at each end of the range, a tenth at the middle, the rest uniform. */
export function zeroPointValues(rng: Prng, n: number, type: QuantType): Float64Array {
  const { min, max } = ELEMENT_TYPES[type];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    out[i] = u < 0.25 ? min : u < 0.5 ? max : u < 0.6 ? Math.floor((min + max + 1) / 2) : rng.int(min, max);
  }
  return out;
}

/** int32 biases within ±`limit`. */
export function biasValues(rng: Prng, n: number, limit: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(-limit, limit);
  return out;
}

/** The bias limit of a reduction of length K: the room below 2³¹ − 1 left by K·255², at most max(1000, K·255²/4). */
export function biasLimit(reductionLength: number): number {
  const worst = reductionLength * MAX_CENTRED * MAX_CENTRED;
  return Math.max(0, Math.min(2 ** 31 - 1 - worst, Math.max(1000, Math.floor(worst / 4))));
}

/** A scale: 2^e (e in [−8, −1]) when `powerOfTwo`, else a float32 in [2⁻⁸, 1). */
export function scaleValue(rng: Prng, powerOfTwo: boolean): number {
  return powerOfTwo ? 2 ** rng.int(-8, -1) : Math.fround(2 ** (-8 + 8 * rng.next()));
}

/**
 * An output scale that maps accumulations of magnitude up to `accMax` (times the input scales'
 * product `inScale`) to about ±`target`: targets beyond 127 saturate at both ends. A power of two
 * when `powerOfTwo`, else a float32 within a factor 1.25 of it.
 */
export function outputScale(rng: Prng, inScale: number, accMax: number, target: number, powerOfTwo: boolean): number {
  const ideal = (inScale * Math.max(1, accMax)) / target;
  if (powerOfTwo) return 2 ** Math.round(Math.log2(ideal));
  return Math.fround(ideal * (0.8 + 0.45 * rng.next()));
}

export { Prng };
