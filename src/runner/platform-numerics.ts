/**
 * What the numerics probe found about a kernel's arithmetic (`numerics-probe.ts`), as every
 * report states it (JSON `platformNumerics`, the Markdown and HTML "Platform numerics" section).
 */
import type { DataLimits } from '../arbitraries/data-limits.js';

/** What happened to a class of values in the probe. */
export type ValueHandling = 'kept' | 'flushed to zero' | 'wrong' | 'not probed';

/** The probe's findings, and what the run did about them. */
export interface PlatformNumerics {
  /** The calls the probe made: `conv x=[12,1,1] w=[12,1,1]` etc. */
  readonly probedWith: readonly string[];
  /**
   * Products of normal float32 values: the smallest magnitude computed right, and the largest
   * one that came out wrong (undefined when none did) — a product below it may be lost.
   */
  readonly tinyProducts: { readonly smallestRight?: number; readonly largestLost?: number } | 'not probed';
  /** Subnormal inputs whose product with a large value is a normal number. */
  readonly subnormalInputs: ValueHandling;
  /** Products of normal inputs that fall into the subnormal range. */
  readonly subnormalProducts: ValueHandling;
  /** Whether NaN and ±Infinity propagate as IEEE-754 says (undefined: not probed). */
  readonly specialsPropagate?: boolean;
  /** What the sum 1·1 + 1·1 + 0·Infinity gave ("NaN" is right: Infinity·0 is NaN), when probed. */
  readonly infTimesZero?: string;
  /** Each special-value case the kernel got wrong: `x=[1,1,0]·w=[1,1,0] + b=-Infinity: expected -Infinity, got NaN`. */
  readonly specialDeviations: readonly string[];
  /**
   * Integer sums: the largest k for which every probed sum up to 2^k − 1 was exact, the largest
   * k probed, and a long sum of ones (its length and whether it was exact).
   */
  readonly exactSums?: { readonly exactBits: number; readonly probedBits: number; readonly longSum: { readonly terms: number; readonly exact: boolean } | undefined };
  /** The accumulation width the probe saw, in words. */
  readonly accumulation: string;
  /** The limits the generated data kept to (`data-limits.ts`); empty: none. */
  readonly dataLimits: DataLimits;
  /**
   * Probe results that are not platform numerics but a defect (a control value wrong, losses that
   * are not "everything below a threshold"): the data are not adapted to them.
   */
  readonly defects: readonly string[];
  /** What the run did because of the findings, one sentence each (the data limits, the special regime). */
  readonly consequences: readonly string[];
  /** The special regime: `runs`, or skipped (and why). */
  readonly specialRegime: { readonly runs: true } | { readonly runs: false; readonly reason: string };
  /** Probe calls that failed (threw, timed out): their messages. Their findings count as "not probed". */
  readonly faults: readonly string[];
  /** Wall time of the probe calls, ms. */
  readonly durationMs: number;
}
