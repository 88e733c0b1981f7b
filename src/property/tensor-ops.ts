/**
 * Plain tensor manipulations the properties need (crop, explicit padding, slicing and
 * concatenation along N or C, axis insertion, zero-inserted kernels, ReLU), on float64 data.
 * Pure permutations and copies: they never round.
 */
import type { Data64 } from '../vocabulary.js';
import { sizeOf, stridesOf } from '../tensor.js';

/** Visits every position of a spatial box, calling `f(offsetIn, offsetOut)` — row-major in both. */
function eachSpatial(
  inShape: readonly number[],
  outShape: readonly number[],
  inStart: readonly number[],
  outStart: readonly number[],
  box: readonly number[],
  f: (i: number, o: number) => void,
): void {
  const si = stridesOf(inShape);
  const so = stridesOf(outShape);
  const rank = box.length;
  const rec = (axis: number, oi: number, oo: number): void => {
    if (axis === rank) {
      f(oi, oo);
      return;
    }
    for (let p = 0; p < box[axis]; p++) rec(axis + 1, oi + (inStart[axis] + p) * si[2 + axis], oo + (outStart[axis] + p) * so[2 + axis]);
  };
  const [N, C] = inShape;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) rec(0, n * si[0] + c * si[1], n * so[0] + c * so[1]);
}

/** x[:, :, start : start+size] on every spatial axis. */
export function cropSpatial(x: Data64, start: readonly number[], size: readonly number[]): Data64 {
  const shape = [x.shape[0], x.shape[1], ...size];
  const data = new Float64Array(sizeOf(shape));
  eachSpatial(
    x.shape,
    shape,
    start,
    size.map(() => 0),
    size,
    (i, o) => {
      data[o] = x.data[i];
    },
  );
  return { shape, data };
}

/** Explicit zero padding: `begin` and `end` per spatial axis. */
export function padSpatial(x: Data64, begin: readonly number[], end: readonly number[]): Data64 {
  const spatial = x.shape.slice(2);
  const shape = [x.shape[0], x.shape[1], ...spatial.map((d, a) => d + begin[a] + end[a])];
  const data = new Float64Array(sizeOf(shape));
  eachSpatial(
    x.shape,
    shape,
    spatial.map(() => 0),
    begin,
    spatial,
    (i, o) => {
      data[o] = x.data[i];
    },
  );
  return { shape, data };
}

/** Rows `from..to-1` along axis 0 (batch for x, output channels for w). */
export function sliceAxis0(t: Data64, from: number, to: number): Data64 {
  const inner = sizeOf(t.shape.slice(1));
  return { shape: [to - from, ...t.shape.slice(1)], data: t.data.slice(from * inner, to * inner) };
}

/** Channels `from..to-1` of an `[N, C, ...]` tensor. */
export function sliceChannels(t: Data64, from: number, to: number): Data64 {
  const [N, C] = t.shape;
  const inner = sizeOf(t.shape.slice(2));
  const shape = [N, to - from, ...t.shape.slice(2)];
  const data = new Float64Array(sizeOf(shape));
  for (let n = 0; n < N; n++) data.set(t.data.subarray((n * C + from) * inner, (n * C + to) * inner), n * (to - from) * inner);
  return { shape, data };
}

/** Concatenation along axis 0. */
export function concatAxis0(parts: readonly Data64[]): Data64 {
  const data = new Float64Array(parts.reduce((s, p) => s + p.data.length, 0));
  let o = 0;
  for (const p of parts) {
    data.set(p.data, o);
    o += p.data.length;
  }
  return { shape: [parts.reduce((s, p) => s + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}

/** Concatenation along the channel axis of `[N, C, ...]` tensors. */
export function concatChannels(parts: readonly Data64[]): Data64 {
  const N = parts[0].shape[0];
  const inner = sizeOf(parts[0].shape.slice(2));
  const C = parts.reduce((s, p) => s + p.shape[1], 0);
  const data = new Float64Array(N * C * inner);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (const p of parts) {
      const len = p.shape[1] * inner;
      data.set(p.data.subarray(n * len, (n + 1) * len), o);
      o += len;
    }
  }
  return { shape: [N, C, ...parts[0].shape.slice(2)], data };
}

/** The same data with a size-1 axis inserted at `axis` (a reshape). */
export function insertAxis(t: Data64, axis: number): Data64 {
  const shape = [...t.shape];
  shape.splice(axis, 0, 1);
  return { shape, data: t.data };
}

/** Kernel `[M, C, k…]` with d−1 zeros between taps: the dilation-1 equivalent of dilation d. */
export function zeroInsertKernel(w: Data64, dilations: readonly number[]): Data64 {
  const k = w.shape.slice(2);
  const eff = k.map((kk, a) => dilations[a] * (kk - 1) + 1);
  const shape = [w.shape[0], w.shape[1], ...eff];
  const data = new Float64Array(sizeOf(shape));
  const si = stridesOf(w.shape);
  const so = stridesOf(shape);
  const rank = k.length;
  const rec = (axis: number, oi: number, oo: number): void => {
    if (axis === rank) {
      data[oo] = w.data[oi];
      return;
    }
    for (let p = 0; p < k[axis]; p++) rec(axis + 1, oi + p * si[2 + axis], oo + p * dilations[axis] * so[2 + axis]);
  };
  for (let m = 0; m < w.shape[0]; m++) for (let c = 0; c < w.shape[1]; c++) rec(0, m * si[0] + c * si[1], m * so[0] + c * so[1]);
  return { shape, data };
}

/** max(x, 0) element-wise. */
export function relu(t: Data64): Data64 {
  return { shape: t.shape, data: t.data.map((v) => (v > 0 ? v : 0)) };
}

/** Element-wise a + b. */
export function add(a: Data64, b: Data64): Data64 {
  return { shape: a.shape, data: a.data.map((v, i) => v + b.data[i]) };
}

/** Picks elements of a `[N, M, ...O]` array at the positions given per spatial axis. */
export function gather(
  src: ArrayLike<number>,
  shape: readonly number[],
  keep: ReadonlyArray<readonly number[]>,
): { shape: number[]; data: Float64Array } {
  const [N, M] = shape;
  const outShape = [N, M, ...keep.map((k) => k.length)];
  const data = new Float64Array(sizeOf(outShape));
  const st = stridesOf(shape);
  const sp = keep.length;
  let o = 0;
  const walk = (n: number, m: number, axis: number, offset: number): void => {
    if (axis === sp) {
      data[o++] = src[offset];
      return;
    }
    for (const i of keep[axis]) walk(n, m, axis + 1, offset + i * st[2 + axis]);
  };
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) walk(n, m, 0, n * st[0] + m * st[1]);
  return { shape: outShape, data };
}

/** from, from + step, … (n values). */
export const range = (n: number, from = 0, step = 1): number[] => Array.from({ length: n }, (_, i) => from + i * step);
