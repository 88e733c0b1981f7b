/**
 * Error-free transformations and a compensated dot product (Ogita, Rump & Oishi's Dot2).
 *
 * The reference kernel judges float64 kernels too, so its own error must be far below a plain
 * float64 sum's γ(n)·Σ|terms|. Dot2 returns a result as accurate as if computed in twice the
 * working precision and then rounded: |ŝ − s| ≤ u·|s| + γ(n)²·Σ|terms| (ORO 2005, Prop. 5.5),
 * with u = 2⁻⁵³. Products use Dekker/Veltkamp splitting because JavaScript has no FMA.
 * The splitting is exact while |a| < 2⁹⁹⁶, far beyond the float32 range of the data we generate.
 */

/** Veltkamp splitting factor 2^27 + 1 for float64. */
const SPLITTER = 134217729;

/**
 * A running compensated sum. `add(a)` and `addProduct(a, b)` accumulate exactly-rounded terms;
 * `value()` returns sum + compensation. Non-finite terms fall back to plain IEEE summation so NaN
 * and ±Infinity propagate exactly as IEEE-754 says (0·Inf = NaN, Inf − Inf = NaN).
 */
export class AccurateSum {
  private s = 0;
  private c = 0;
  /** Plain float64 sum of the same terms, used once any term is non-finite. */
  private plain = 0;
  /** Σ|terms|: the magnitude that forward error bounds are scaled by. */
  private abs = 0;

  reset(): void {
    this.s = 0;
    this.c = 0;
    this.plain = 0;
    this.abs = 0;
  }

  /** Adds one term exactly (TwoSum); the rounding error goes into the compensation. */
  add(a: number): void {
    this.plain += a;
    this.abs += Math.abs(a);
    const s = this.s + a;
    const bb = s - this.s;
    this.c += this.s - (s - bb) + (a - bb);
    this.s = s;
  }

  /** Adds a·b with its rounding error (TwoProduct by Dekker splitting), then TwoSum. */
  addProduct(a: number, b: number): void {
    const p = a * b;
    this.plain += p;
    this.abs += Math.abs(p);
    if (!Number.isFinite(p)) return; // plain sum carries NaN/Inf; compensation would only add NaN
    let t = SPLITTER * a;
    const ah = t - (t - a);
    const al = a - ah;
    t = SPLITTER * b;
    const bh = t - (t - b);
    const bl = b - bh;
    const pe = al * bl - (p - ah * bh - al * bh - ah * bl);
    const s = this.s + p;
    const bb = s - this.s;
    this.c += this.s - (s - bb) + (p - bb) + pe;
    this.s = s;
  }

  /** The accurately rounded sum (or the IEEE result when a term was non-finite). */
  value(): number {
    return Number.isFinite(this.plain) ? this.s + this.c : this.plain;
  }

  /** Σ|terms| (non-finite when a term was). */
  magnitude(): number {
    return this.abs;
  }
}
