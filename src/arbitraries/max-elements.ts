/** The size filter every problem generator applies for a kernel's `maxElements`, bounded. */
import type fc from 'fast-check';
import { InvalidArgumentError } from '../errors.js';

/** Consecutive draws a size filter may reject before it gives up (each draw takes microseconds). */
const MAX_REJECTED_DRAWS = 20_000;

/**
 * `arb` filtered to problems whose largest tensor (`largest`) has at most `maxElements`
 * elements. fast-check's filter retries forever; a kernel whose `maxElements` leaves nothing a
 * generator can produce would hang the run, so after 20 000 consecutive rejections this throws
 * an `InvalidArgumentError` for the argument `maxElements` (the runner skips the property with
 * that reason).
 */
export function withinMaxElements<T>(fn: string, arb: fc.Arbitrary<T>, largest: (t: T) => number, maxElements: number): fc.Arbitrary<T> {
  if (!Number.isFinite(maxElements)) return arb;
  let rejected = 0;
  return arb.filter((t) => {
    if (largest(t) <= maxElements) {
      rejected = 0;
      return true;
    }
    if (++rejected > MAX_REJECTED_DRAWS) {
      rejected = 0;
      throw new InvalidArgumentError(
        fn,
        'maxElements',
        maxElements,
        `no problem with at most ${maxElements} elements per tensor was found in ${MAX_REJECTED_DRAWS} draws`,
      );
    }
    return false;
  });
}
