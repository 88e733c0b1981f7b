/**
 * IEEE-754 binary16 ("half", float16): 1 sign bit, 5 exponent bits (bias 15), 10 stored
 * significand bits. Normal numbers 2⁻¹⁴ … 65504, subnormals k·2⁻²⁴, unit roundoff u = 2⁻¹¹.
 *
 * Node 20 has no `Float16Array`, so convcheck carries float16 values as the float64 (or float32)
 * numbers they denote: every binary16 value is exactly representable in float32 and float64.
 *
 * The rounding is done directly from the float64 value. Going through float32 first
 * (`Math.fround`, then to half) rounds twice and is wrong on some inputs: 1 + 2⁻¹¹ + 2⁻⁴⁰ rounds
 * to 1 + 2⁻¹¹ in float32, a tie that half rounds to even (1), while the correct half is 1 + 2⁻¹⁰.
 */

/** Largest finite float16, 65504 = (2 − 2⁻¹⁰)·2¹⁵. */
export const FLOAT16_MAX = 65504;
/** Smallest positive normal float16, 2⁻¹⁴. */
export const FLOAT16_MIN_NORMAL = 2 ** -14;
/** Smallest positive subnormal float16, 2⁻²⁴. */
export const FLOAT16_MIN_SUBNORMAL = 2 ** -24;
/** Values at or above this magnitude round to ±Infinity: the midpoint between 65504 and 2¹⁶, which ties to the even 2¹⁶. */
const OVERFLOW_THRESHOLD = 65520;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// index of the high 32 bits of a float64 on this platform
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The unbiased binary exponent of a positive, finite, normal float64: floor(log2(a)). */
function exponentOf(a: number): number {
  f64[0] = a;
  return ((u32[HI] >>> 20) & 0x7ff) - 1023;
}

/** v rounded to an integer, ties to even; exact for |v| < 2⁵². */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The float16 nearest to `x`, ties to even, as a number; ±Infinity beyond the float16 range
 * (|x| ≥ 65520), NaN for NaN, and the sign of zero kept (−1e−10 → −0).
 * @example roundToFloat16(0.1) // 0.0999755859375
 */
export function roundToFloat16(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a >= OVERFLOW_THRESHOLD) return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  // spacing of float16 numbers around a: 2^(e − 10) for normals, 2⁻²⁴ in the subnormal range
  const quantum = a < FLOAT16_MIN_NORMAL ? FLOAT16_MIN_SUBNORMAL : 2 ** (exponentOf(a) - 10);
  // a / quantum < 2¹¹ and the scaling by a power of two is exact, so the rounding is the only step
  const r = roundHalfEven(a / quantum) * quantum;
  return negative ? -r : r;
}

/** Whether `x` is exactly a float16 value (NaN and ±Infinity included). */
export function isFloat16(x: number): boolean {
  return Number.isNaN(x) || Object.is(roundToFloat16(x), x);
}

/**
 * The 16-bit pattern of `x` rounded to float16 (NaN → 0x7e00, the quiet NaN).
 * @example float16Bits(1) // 0x3c00
 */
export function float16Bits(x: number): number {
  const h = roundToFloat16(x);
  if (Number.isNaN(h)) return 0x7e00;
  const sign = h < 0 || Object.is(h, -0) ? 0x8000 : 0;
  const a = Math.abs(h);
  if (a === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (a < FLOAT16_MIN_NORMAL) return sign | (a / FLOAT16_MIN_SUBNORMAL); // subnormal or zero: exponent field 0
  const e = exponentOf(a);
  return sign | ((e + 15) << 10) | (a / 2 ** (e - 10) - 1024);
}

/**
 * The value of a 16-bit float16 pattern (only the low 16 bits of `bits` are read).
 * @example float16FromBits(0x3555) // 0.333251953125
 */
export function float16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  if (exponent === 0) return sign * fraction * FLOAT16_MIN_SUBNORMAL;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** A `Float32Array` holding every element of `data` rounded to float16 (how float16 tensors are carried). */
export function toFloat16Array(data: ArrayLike<number>): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = roundToFloat16(data[i]);
  return out;
}
