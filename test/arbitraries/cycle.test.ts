/** `cycle` (src/arbitraries/cycle.ts) rejects an empty list with a typed error; its values repeat in order and it shrinks nothing it did not make. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cycle } from '../../src/arbitraries/cycle.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('cycle', () => {
  it('no items: InvalidArgumentError naming cycle, items and the value', () => {
    expect(() => cycle([])).toThrowError(InvalidArgumentError);
    expect(() => cycle([])).toThrowError('cycle: needs at least one item');
    try {
      cycle([]);
    } catch (e) {
      expect(e).toMatchObject({ fn: 'cycle', argument: 'items', value: [] });
    }
  });
  it('canShrinkWithoutContext: only its own items', () => {
    const a = cycle(['a', 'b']);
    expect(a.canShrinkWithoutContext('b')).toBe(true);
    expect(a.canShrinkWithoutContext('c')).toBe(false);
  });
  it('three items, four draws: in order, then from the start', () => {
    expect(fc.sample(cycle([1, 2, 3]), 4)).toEqual([1, 2, 3, 1]);
  });
});
