/**
 * `cycle(items)`: an arbitrary that yields its items in order, one per generated value, and
 * starts again after the last — so a run of `items.length` cases visits each exactly once. The
 * production tier uses it to run every layer of a network once per property. Its values do not
 * shrink: a production layer's geometry is the point of the case (the data still shrink).
 * Deterministic: a fresh instance per run yields the same sequence.
 */
import fc from 'fast-check';
import { InvalidArgumentError } from '../errors.js';

class CycleArbitrary<T> extends fc.Arbitrary<T> {
  private next = 0;
  constructor(private readonly items: readonly T[]) {
    super();
  }
  generate(): fc.Value<T> {
    const v = this.items[this.next % this.items.length];
    this.next++;
    return new fc.Value(v, undefined);
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.items.includes(value as T);
  }
  shrink(): fc.Stream<fc.Value<T>> {
    return fc.Stream.nil();
  }
}

/**
 * The items in order, again and again.
 * @example fc.sample(cycle([1, 2, 3]), 4) // [1, 2, 3, 1]
 */
export function cycle<T>(items: readonly T[]): fc.Arbitrary<T> {
  if (items.length === 0) throw new InvalidArgumentError('cycle', 'items', items, 'needs at least one item');
  return new CycleArbitrary(items);
}

/** One part of `cycleParts`: an arbitrary and how many consecutive values to draw from it. */
export interface CyclePart<T> {
  readonly arbitrary: fc.Arbitrary<T>;
  readonly count: number;
}

class CyclePartsArbitrary<T> extends fc.Arbitrary<T> {
  private next = 0;
  private readonly total: number;
  constructor(private readonly parts: readonly CyclePart<T>[]) {
    super();
    this.total = parts.reduce((a, p) => a + p.count, 0);
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    let at = this.next % this.total;
    this.next++;
    let i = 0;
    while (at >= this.parts[i].count) at -= this.parts[i++].count;
    const v = this.parts[i].arbitrary.generate(mrng, biasFactor);
    // the part's own context, tagged with the part, so shrinking goes back to the same arbitrary
    return new fc.Value(v.value_, { part: i, context: v.context });
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return false;
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    if (typeof context !== 'object' || context === null || !('part' in context)) return fc.Stream.nil();
    const { part, context: inner } = context as { part: number; context: unknown };
    return this.parts[part].arbitrary.shrink(value, inner).map((v) => new fc.Value(v.value_, { part, context: v.context }));
  }
}

/**
 * `count` values from the first part, then `count` from the second, …, and again from the first —
 * a run of Σcount cases draws exactly that many from each. The production tier uses it for
 * properties over several operators, so that each operator's layer cycle is run once through.
 * Values shrink as their part's values do.
 * @example fc.sample(cycleParts([{ arbitrary: cycle(['a', 'b']), count: 2 }, { arbitrary: cycle([1]), count: 1 }]), 4) // ['a', 'b', 1, 'a']
 */
export function cycleParts<T>(parts: readonly CyclePart<T>[]): fc.Arbitrary<T> {
  const used = parts.filter((p) => p.count > 0);
  if (used.length === 0)
    throw new InvalidArgumentError(
      'cycleParts',
      'parts',
      parts.map((p) => p.count),
      'needs a part with count >= 1',
    );
  if (parts.some((p) => !Number.isInteger(p.count) || p.count < 0))
    throw new InvalidArgumentError(
      'cycleParts',
      'parts',
      parts.map((p) => p.count),
      'counts must be integers >= 0',
    );
  return new CyclePartsArbitrary(used);
}
