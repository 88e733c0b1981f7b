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
