/**
 * A small deterministic PRNG (mulberry32). Generated problems carry a data seed instead of the
 * data itself: the geometry shrinks in fast-check, the data is re-derived from the seed, so a
 * saved counterexample is a few numbers and replays bit-identically.
 */
export class Prng {
  /**
   * The 32-bit state, held as a signed int32 (`| 0`): the same bits as an unsigned one, but V8
   * keeps it a small integer instead of boxing a double on every draw — twice as fast, and a
   * production layer draws 10⁸–10⁹ values.
   */
  private state: number;
  constructor(seed: number) {
    this.state = seed | 0;
  }
  /** The state, for a bulk fill that draws the same sequence in WebAssembly (`wasm-fill.ts`). */
  get rawState(): number {
    return this.state;
  }
  set rawState(s: number) {
    this.state = s | 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    const s = (this.state = (this.state + 0x6d2b79f5) | 0);
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}
