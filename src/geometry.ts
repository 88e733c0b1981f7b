/**
 * Geometry helpers shared by the operators: attribute arrays validated once, at the boundary,
 * with messages naming the function, the argument and the values. Each operator's own geometry
 * (output-shape rule, validated geometry object) lives with the operator.
 */
import { InvalidArgumentError } from './errors.js';
import { formatShape } from './tensor.js';

/** Rejects `v` unless it is an array of `length` integers >= `min` (`pads` gets its own wording). */
export function checkIntArray(fn: string, argument: string, v: readonly number[], length: number, min: number): void {
  if (!Array.isArray(v) || v.length !== length) {
    throw new InvalidArgumentError(
      fn,
      argument,
      v,
      `${argument} must have ${length} ${length === 1 ? 'entry' : 'entries'} (${argument === 'pads' ? 'two per spatial axis: all begins, then all ends' : 'one per spatial axis'}), got ${Array.isArray(v) ? formatShape(v) : String(v)}`,
    );
  }
  for (const s of v) {
    if (!Number.isInteger(s) || s < min) {
      throw new InvalidArgumentError(fn, argument, v, `${argument} ${formatShape(v)} must be integers >= ${min}`);
    }
  }
}
