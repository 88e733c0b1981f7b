/**
 * An integer drawn from a large range that shrinks all the way down. The generators draw a share
 * of large shapes (a wide axis ≥ 64, a batch ≥ 8, ≥ 33 channels) to reach the block tails of
 * tiled kernels; drawn with `fc.integer({min: 64, …})`, a failure found there could never shrink
 * below 64 (the docs' own sample stopped at `x=[8,1,1]`, others at `x=[1,1,65]`), although the
 * same bug shows at a width of a few elements. This arbitrary generates in [min, max] but shrinks
 * like `fc.integer({min: floor, max})`, towards `floor`.
 */
import fc from 'fast-check';

class LargeThenSmall extends fc.Arbitrary<number> {
  private readonly draw: fc.Arbitrary<number>;
  private readonly shrinker: fc.Arbitrary<number>;
  constructor(min: number, max: number, floor: number) {
    super();
    this.draw = fc.integer({ min, max });
    this.shrinker = fc.integer({ min: floor, max });
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<number> {
    // no context: shrinking starts from the value alone, over the whole [floor, max] range
    return new fc.Value(this.draw.generate(mrng, biasFactor).value, undefined);
  }
  canShrinkWithoutContext(value: unknown): value is number {
    return this.shrinker.canShrinkWithoutContext(value);
  }
  shrink(value: number, context: unknown): fc.Stream<fc.Value<number>> {
    return this.shrinker.shrink(value, context);
  }
}

/**
 * An integer in [min, max] that shrinks towards `floor` (default 1), below `min`.
 * @example largeThenSmall(64, 90) // a wide axis that a failure can shrink to width 1
 */
export function largeThenSmall(min: number, max: number, floor = 1): fc.Arbitrary<number> {
  return new LargeThenSmall(min, max, floor);
}
