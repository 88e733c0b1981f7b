/** Fixtures for example tests: small tensors of small integers, attributes with defaults, names. */
import type { ConvAttributes } from '../../src/operators/conv/contract.js';
import type { Precision, Tensor } from '../../src/contract.js';
import type { FlattenOrder } from '../../src/fc-as-conv/conversions.js';
import { formatShape, sizeOf, tensor } from '../../src/tensor.js';

/**
 * A tensor from a shape and literal data (float64 unless told).
 * @example t([1, 1, 2, 2], [1, 2, 3, 4])
 */
export function t(shape: readonly number[], data: ArrayLike<number>, precision: Precision = 'float64'): Tensor {
  return tensor(shape, data, precision);
}

/** `[start, start + 1, ..., start + n − 1]`; by default 1..n, so no element is zero. */
export function iota(n: number, start = 1): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

/** A tensor of shape `shape` holding 1, 2, 3, ... in row-major order. */
export function iotaTensor(shape: readonly number[], start = 1): Tensor {
  return t(shape, iota(sizeOf(shape), start));
}

/**
 * Deterministic small integers in [lo, hi] (a 32-bit LCG), so float32 sums of their products stay
 * exact and a failing case is reproducible without a seed in the test name.
 */
export function smallInts(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (s % (hi - lo + 1)));
  }
  return out;
}

/** A tensor of `smallInts` in [lo, hi]. */
export function randomIntTensor(shape: readonly number[], seed: number, lo = -3, hi = 3): Tensor {
  return t(shape, smallInts(sizeOf(shape), lo, hi, seed));
}

/** The same data under another shape (sizes must agree). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return tensor(shape, x.data, x.data instanceof Float32Array ? 'float32' : 'float64');
}

/** max(0, v) elementwise, keeping the array type. */
export function relu(x: Tensor): Tensor {
  return { shape: [...x.shape], data: x.data.map((v) => Math.max(0, v)) };
}

/** Optional conv attributes; omitted ones default to stride 1, no padding, dilation 1, group 1. */
export interface AttrsInit {
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  readonly group?: number;
}

/** Complete `ConvAttributes` for spatial rank `rank`. */
export function attrs(rank: number, init: AttrsInit = {}): ConvAttributes {
  return {
    strides: init.strides ?? new Array<number>(rank).fill(1),
    pads: init.pads ?? new Array<number>(2 * rank).fill(0),
    dilations: init.dilations ?? new Array<number>(rank).fill(1),
    group: init.group ?? 1,
  };
}

/**
 * `expected` (a bias-free conv output, row-major `[N, M, ...O]`) with b[m] added to every element
 * of channel m: what a bias means, written independently of any kernel.
 */
export function plusBias(expected: readonly number[], outputShape: readonly number[], b: readonly number[]): number[] {
  const [, M] = outputShape;
  const perChannel = sizeOf(outputShape.slice(2));
  return expected.map((v, i) => v + b[Math.floor(i / perChannel) % M]);
}

/** `[2,2]` → `2`, `[1,2]` → `[1,2]`: tfjs-style compact attribute in a test name. */
function compact(v: readonly number[]): string {
  return v.every((e) => e === v[0]) ? String(v[0]) : formatShape(v);
}

/**
 * Names a conv case by its geometry, as tfjs does: `x=[1,1,4,4] w=[1,1,3,3] s=2 p=[1,0,0,1]`.
 * Default attributes (s=1, no padding, d=1, g=1) are left out.
 */
export function convName(xShape: readonly number[], wShape: readonly number[], a: ConvAttributes, bias?: boolean): string {
  const parts = [`x=${formatShape(xShape)}`, `w=${formatShape(wShape)}`];
  if (a.strides.some((s) => s !== 1)) parts.push(`s=${compact(a.strides)}`);
  if (a.pads.some((p) => p !== 0)) parts.push(`p=${formatShape(a.pads)}`);
  if (a.dilations.some((d) => d !== 1)) parts.push(`d=${compact(a.dilations)}`);
  if (a.group !== 1) parts.push(`g=${a.group}`);
  if (bias !== undefined) parts.push(`bias=${bias ? 'yes' : 'no'}`);
  return parts.join(' ');
}

/**
 * An FC layer on x `[N, C, ...D]` written out directly — the obviously correct formula,
 * independent of `flatten` and of every kernel: y[n, m] = b[m] + Σ_{c, p} x[n, c, p] · W[m, f(c, p)],
 * with the flattened feature index f(c, p) = c·P + p (channels-first) or p·C + c (channels-last).
 * Returns the `[N, M]` values row-major; exact for small-integer data.
 */
export function fcByHand(x: Tensor, W: Tensor, b: Tensor | undefined, order: FlattenOrder): number[] {
  const [N, C] = x.shape;
  const P = sizeOf(x.shape.slice(2));
  const [M, K] = W.shape;
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      let s = b ? b.data[m] : 0;
      for (let c = 0; c < C; c++) {
        for (let p = 0; p < P; p++) {
          const f = order === 'channels-first' ? c * P + p : p * C + c;
          s += x.data[n * C * P + c * P + p] * W.data[m * K + f];
        }
      }
      y.push(s);
    }
  }
  return y;
}
