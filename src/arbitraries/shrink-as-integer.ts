/**
 * Sizes drawn from a biased distribution but shrunk like plain integers.
 *
 * The boundary sizes (`sizes.ts`) are drawn as "a block, then a value around it"
 * (`constantFrom(...).chain(...)`). fast-check shrinks such a chain by trying the earlier blocks
 * and re-drawing around them, a handful of coarse candidates: a failure that needs, say, N·M > 128
 * outputs stayed at x=[514,6] because every candidate jumped below the boundary. Shrunk as an
 * integer instead, a size bisects towards its minimum — about log₂(size) candidates, each a new
 * shape (for a GPU kernel a new program) — and stops at the smallest size that still fails.
 */
import fc from 'fast-check';

class ShrinkAsInteger extends fc.Arbitrary<number> {
  private readonly integers: fc.Arbitrary<number>;
  constructor(
    private readonly drawn: fc.Arbitrary<number>,
    private readonly min: number,
    max: number,
  ) {
    super();
    this.integers = fc.integer({ min, max });
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<number> {
    // the drawn value without its chain context: from here on it is an integer
    return new fc.Value(this.drawn.generate(mrng, biasFactor).value, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is number {
    return this.integers.canShrinkWithoutContext(value);
  }

  shrink(value: number, context: unknown): fc.Stream<fc.Value<number>> {
    return value <= this.min ? fc.Stream.nil() : this.integers.shrink(value, context);
  }
}

/**
 * `drawn`'s values (integers in [min, max]), shrunk as `fc.integer({ min, max })` shrinks them.
 * @example shrinkAsInteger(fc.constantFrom(4, 8).chain(aroundBlock), 1, 17)
 */
export function shrinkAsInteger(drawn: fc.Arbitrary<number>, min: number, max: number): fc.Arbitrary<number> {
  return new ShrinkAsInteger(drawn, min, max);
}
