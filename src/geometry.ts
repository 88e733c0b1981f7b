/**
 * Geometry helpers shared by the operators: attribute arrays validated once, at the boundary,
 * with messages naming the function, the argument and the values. Each operator's own geometry
 * (output-shape rule, validated geometry object) lives with the operator.
 */
import { checkActivation } from './activation.js';
import type { Activation } from './activation.js';
import { InvalidArgumentError } from './errors.js';
import { checkShape, formatShape } from './tensor.js';

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

/** The attributes every spatial conv-like operator shares. */
interface SpatialAttributes {
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
  readonly group: number;
  readonly activation?: Activation;
}

/**
 * The checks a conv-like operator starts with: x is `[N, C, D1..Dn]` with n = 1, 2 or 3, w has the
 * same rank, `attrs` is an object (`attrsForm` names its fields in the message) with n strides and
 * dilations >= 1, 2n pads >= 0, a valid activation and an integer group >= 1. Returns n.
 */
export function checkSpatialOperands(
  fn: string,
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: SpatialAttributes,
  attrsForm: string,
): number {
  checkShape(fn, 'x', xShape);
  checkShape(fn, 'w', wShape);
  if (xShape.length < 3 || xShape.length > 5) {
    throw new InvalidArgumentError(fn, 'x', xShape, `x must be [N, C, D1..Dn] with n = 1, 2 or 3, got shape ${formatShape(xShape)}`);
  }
  const rank = xShape.length - 2;
  if (wShape.length !== xShape.length) {
    throw new InvalidArgumentError(fn, 'w', wShape, `w rank (${wShape.length}) does not match x rank (${xShape.length}): x ${formatShape(xShape)}, w ${formatShape(wShape)}`);
  }
  if (attrs === null || typeof attrs !== 'object') {
    throw new InvalidArgumentError(fn, 'attrs', attrs, `attrs must be ${attrsForm}, got ${String(attrs)}`);
  }
  checkIntArray(fn, 'strides', attrs.strides, rank, 1);
  checkIntArray(fn, 'dilations', attrs.dilations, rank, 1);
  checkIntArray(fn, 'pads', attrs.pads, 2 * rank, 0);
  checkActivation(fn, attrs.activation);
  if (!Number.isInteger(attrs.group) || attrs.group < 1) {
    throw new InvalidArgumentError(fn, 'group', attrs.group, `group must be an integer >= 1, got ${attrs.group}`);
  }
  return rank;
}
