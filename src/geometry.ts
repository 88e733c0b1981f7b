/**
 * Geometry helpers shared by the operators: attribute arrays validated once, at the boundary,
 * with messages naming the function, the argument and the values. Each operator's own geometry
 * (output-shape rule, validated geometry object) lives with the operator.
 */
import { checkActivation } from './activation.js';
import type { Activation } from './activation.js';
import type { Tensor } from './contract.js';
import { EmptyOutputError, InvalidArgumentError } from './errors.js';
import { checkShape, checkTensor, formatShape } from './tensor.js';

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
    throw new InvalidArgumentError(
      fn,
      'w',
      wShape,
      `w rank (${wShape.length}) does not match x rank (${xShape.length}): x ${formatShape(xShape)}, w ${formatShape(wShape)}`,
    );
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

/** What every conv-like operator's validated geometry has (each operator adds its own fields). */
export interface SpatialGeometry {
  /** Spatial rank n (1, 2 or 3). */
  readonly rank: number;
  readonly batch: number;
  /** C: input channels. */
  readonly inChannels: number;
  /** M: output channels. */
  readonly outChannels: number;
  readonly group: number;
  /** C / group: input channels each output channel reads. */
  readonly inChannelsPerGroup: number;
  /** M / group. */
  readonly outChannelsPerGroup: number;
  readonly inSpatial: readonly number[];
  readonly kernelSpatial: readonly number[];
  readonly outSpatial: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  /** Effective kernel extent per axis, d·(k−1)+1. */
  readonly effectiveKernel: readonly number[];
  readonly outSpatialSize: number;
  /** Most terms one output element sums (bias excluded): (C/group)·∏k. */
  readonly reductionLength: number;
  readonly hasBias: boolean;
  readonly outputShape: readonly number[];
}

/** The per-axis part of a spatial geometry. */
export interface SpatialAxes {
  readonly inSpatial: number[];
  readonly kernelSpatial: number[];
  readonly padsBegin: number[];
  readonly padsEnd: number[];
  readonly effectiveKernel: number[];
  readonly outSpatial: number[];
}

/**
 * Splits x's and w's spatial sizes and the pads per axis, checks the sizes are >= 1, and computes
 * each axis's effective kernel d·(k−1)+1 and output size by the operator's rule `outputSize`
 * (which also words the message when that size is < 1: an `EmptyOutputError`).
 */
export function spatialAxes(
  fn: string,
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: { readonly pads: readonly number[]; readonly dilations: readonly number[] },
  rank: number,
  outputSize: (
    axis: number,
    effectiveKernel: number,
    padsBegin: number,
    padsEnd: number,
  ) => { readonly size: number; readonly why: string },
): SpatialAxes {
  const inSpatial = xShape.slice(2);
  const kernelSpatial = wShape.slice(2);
  const padsBegin = attrs.pads.slice(0, rank);
  const padsEnd = attrs.pads.slice(rank);
  const effectiveKernel: number[] = [];
  const outSpatial: number[] = [];
  for (let a = 0; a < rank; a++) {
    if (inSpatial[a] < 1)
      throw new InvalidArgumentError(
        fn,
        'x',
        xShape,
        `x spatial size ${inSpatial[a]} on axis ${a} must be >= 1 (x ${formatShape(xShape)})`,
      );
    if (kernelSpatial[a] < 1)
      throw new InvalidArgumentError(
        fn,
        'w',
        wShape,
        `kernel size ${kernelSpatial[a]} on axis ${a} must be >= 1 (w ${formatShape(wShape)})`,
      );
    const eff = attrs.dilations[a] * (kernelSpatial[a] - 1) + 1;
    const o = outputSize(a, eff, padsBegin[a], padsEnd[a]);
    if (o.size < 1) throw new EmptyOutputError(fn, a, o.size, `output size on axis ${a} would be ${o.size} < 1: ${o.why}`);
    effectiveKernel.push(eff);
    outSpatial.push(o.size);
  }
  return { inSpatial, kernelSpatial, padsBegin, padsEnd, effectiveKernel, outSpatial };
}

/** Rejects a bias whose shape is not `[outChannels]`; `why` says where M comes from. */
export function checkBiasShape(fn: string, bShape: readonly number[] | undefined, outChannels: number, why: string): void {
  if (bShape === undefined) return;
  checkShape(fn, 'b', bShape);
  if (bShape.length !== 1 || bShape[0] !== outChannels) {
    throw new InvalidArgumentError(fn, 'b', bShape, `b shape ${formatShape(bShape)} must be [${outChannels}] (${why})`);
  }
}

/** Validates the tensors x, w and b (shapes and data lengths), then returns `ofShapes` of their shapes. */
export function ofTensors<G>(
  fn: string,
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  ofShapes: (xShape: readonly number[], wShape: readonly number[], bShape: readonly number[] | undefined) => G,
): G {
  checkTensor(fn, 'x', x);
  checkTensor(fn, 'w', w);
  if (b !== undefined) checkTensor(fn, 'b', b);
  return ofShapes(x.shape, w.shape, b?.shape);
}

/**
 * A per-axis vector of a rank-1…3 conv lifted to 3 axes by prepending `fill` (1 for sizes,
 * strides and dilations, 0 for pads): one loop nest over 3 spatial axes then serves every rank.
 * @example lift3d([5, 7], 1) // [1, 5, 7]
 */
export function lift3d(v: readonly number[], fill: number): [number, number, number] {
  const lifted = [...new Array<number>(3 - v.length).fill(fill), ...v];
  return [lifted[0], lifted[1], lifted[2]];
}

/** A spatial geometry's per-axis vectors, each lifted to 3 axes (`lift3d`). */
export interface Axes3d {
  readonly input: [number, number, number];
  readonly kernel: [number, number, number];
  readonly output: [number, number, number];
  readonly strides: [number, number, number];
  readonly dilations: [number, number, number];
  readonly padsBegin: [number, number, number];
  readonly padsEnd: [number, number, number];
}

/**
 * Every per-axis vector of `g` lifted to 3 axes, after `pick` (default: the axes as they are;
 * a loop that drops size-1 axes passes the ones it keeps).
 * @example const { input: [D0, D1, D2], kernel: [K0, K1, K2] } = axes3d(g);
 */
export function axes3d(g: SpatialGeometry, pick: (v: readonly number[]) => readonly number[] = (v) => v): Axes3d {
  return {
    input: lift3d(pick(g.inSpatial), 1),
    kernel: lift3d(pick(g.kernelSpatial), 1),
    output: lift3d(pick(g.outSpatial), 1),
    strides: lift3d(pick(g.strides), 1),
    dilations: lift3d(pick(g.dilations), 1),
    padsBegin: lift3d(pick(g.padsBegin), 0),
    padsEnd: lift3d(pick(g.padsEnd), 0),
  };
}
