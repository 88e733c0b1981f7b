/**
 * Exact arithmetic on float64 values with BigInt, to judge accurate summation independently.
 * Every double is an integer multiple of 2⁻¹⁰⁷⁴, so every product of two doubles is a multiple of
 * 2⁻²¹⁴⁸: sums of doubles and of products of doubles are held exactly as BigInt numerators over 2²¹⁴⁸.
 */

/** Doubles are held as numerators over 2^HALF_SCALE, products and sums over 2^(2·HALF_SCALE). */
const HALF_SCALE = 1074n;

/** x · 2¹⁰⁷⁴ as an exact BigInt (x finite). */
export function scaledDouble(x: number): bigint {
  if (!Number.isFinite(x)) throw new Error(`scaledDouble: ${x} is not finite`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = (bits >> 52n) & 0x7ffn;
  const fraction = bits & 0xfffffffffffffn;
  // Subnormal: fraction · 2^−1074; normal: (2^52 + fraction) · 2^(exponent − 1075).
  const magnitude = exponent === 0n ? fraction : (fraction | (1n << 52n)) << (exponent - 1n);
  return negative ? -magnitude : magnitude;
}

/** The finite double next to `x` towards +Infinity (`direction` 1) or −Infinity (−1). */
export function adjacent(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * 2 ** -1074;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  // Away from zero increments the bit pattern, towards zero decrements it.
  view.setBigInt64(0, x > 0 === direction > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** An exact running sum of doubles and of products of two doubles. */
export class ExactSum {
  /** Σ terms · 2^2148. */
  private num = 0n;
  /** Σ |terms| · 2^2148. */
  private abs = 0n;
  /** Number of terms. */
  count = 0;

  add(a: number): this {
    const v = scaledDouble(a) << HALF_SCALE;
    this.num += v;
    this.abs += v < 0n ? -v : v;
    this.count++;
    return this;
  }

  addProduct(a: number, b: number): this {
    const v = scaledDouble(a) * scaledDouble(b);
    this.num += v;
    this.abs += v < 0n ? -v : v;
    this.count++;
    return this;
  }

  /** True when the exact sum equals the double `r`. */
  equals(r: number): boolean {
    return scaledDouble(r) << HALF_SCALE === this.num;
  }

  /** |r − exact sum| · 2^2148. */
  errorOf(r: number): bigint {
    const d = (scaledDouble(r) << HALF_SCALE) - this.num;
    return d < 0n ? -d : d;
  }

  /**
   * True when |r − s| ≤ u·|s| + 2·(n·u)²·Σ|terms| with u = 2⁻⁵³ and n the number of terms:
   * Dot2's bound u·|s| + γ(n)²·Σ|terms| (Ogita, Rump & Oishi 2005), with γ(n)² ≤ 2·(n·u)² for n·u ≤ 0.29.
   * Checked exactly, multiplied through by 2¹⁰⁶.
   */
  withinDot2Bound(r: number): boolean {
    const n = BigInt(this.count);
    const s = this.num < 0n ? -this.num : this.num;
    return this.errorOf(r) << 106n <= (s << 53n) + 2n * n * n * this.abs;
  }

  /** True when no double is nearer to the exact sum than `r` (r is the sum rounded to nearest, ties either way). */
  isNearest(r: number): boolean {
    const err = this.errorOf(r);
    return err <= this.errorOf(adjacent(r, 1)) && err <= this.errorOf(adjacent(r, -1));
  }

  /** The exact sum rounded to a double (roughly: truncated to 64 bits first), for failure messages. */
  approx(): number {
    const neg = this.num < 0n;
    const abs = neg ? -this.num : this.num;
    const shift = BigInt(Math.max(0, abs.toString(2).length - 64));
    const m = abs >> shift;
    // m · 2^e with e = shift − 2148 ∈ [−2148, 64], in two halves so that each power of two is
    // representable and the intermediate (m ≥ 2^63 whenever shift > 0) stays normal.
    const e = Number(shift) - 2 * Number(HALF_SCALE);
    const e1 = Math.floor(e / 2);
    const v = Number(m) * 2 ** e1 * 2 ** (e - e1);
    return neg ? -v : v;
  }
}
