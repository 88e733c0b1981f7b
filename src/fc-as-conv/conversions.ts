/**
 * FC ↔ conv conversions: the practical tool behind "an FC layer is a conv whose kernel covers
 * the whole input". Everything here is a pure permutation of values, so round trips are exact.
 */
import type { Tensor } from '../contract.js';
import { InvalidArgumentError } from '../errors.js';
import { checkShape, checkTensor, formatShape, sizeOf } from '../tensor.js';

/**
 * How a `[C, ...D]` feature map is flattened into a vector before an FC layer.
 * - `channels-first`: (c, d1, d2, …), C-major — PyTorch `flatten`, ONNX `Flatten`, Keras channels_first.
 * - `channels-last`: (d1, d2, …, c), channels fastest — Keras/TF flatten of an NHWC map.
 */
export type FlattenOrder = 'channels-first' | 'channels-last';

function checkOrder(fn: string, order: FlattenOrder): void {
  if (order !== 'channels-first' && order !== 'channels-last') {
    throw new InvalidArgumentError(fn, 'order', order, `order must be 'channels-first' or 'channels-last', got ${JSON.stringify(order)}`);
  }
}

/** Copies `src` into a new array of the same type. */
function like(src: Float32Array | Float64Array, length: number): Float32Array | Float64Array {
  return src instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

/**
 * Channel-major [C, P] ↔ position-major [P, C] permutation of `rows` consecutive blocks.
 * toLast: dst[r, p, c] = src[r, c, p]; otherwise the inverse.
 */
function permuteBlocks(src: Float32Array | Float64Array, rows: number, C: number, P: number, toLast: boolean): Float32Array | Float64Array {
  const dst = like(src, src.length);
  const block = C * P;
  // the direction is chosen outside the loops, so the inner loop is a plain strided copy
  // (VGG-16's fc6 is 4,096 blocks of 512 × 49)
  const [from, fromStep] = toLast ? [P, 1] : [1, C];
  const [to, toStep] = toLast ? [1, C] : [P, 1];
  for (let r = 0; r < rows; r++) {
    const base = r * block;
    for (let c = 0; c < C; c++) {
      let s = base + c * from;
      let d = base + c * to;
      for (let p = 0; p < P; p++, s += fromStep, d += toStep) dst[d] = src[s];
    }
  }
  return dst;
}

/**
 * Flattens x `[N, C, D1..Dn]` to `[N, C·∏D]` in the given order.
 * @example flatten(x, 'channels-last') // what Keras' Flatten does to an NHWC map, expressed on NCHW data
 */
export function flatten(x: Tensor, order: FlattenOrder): Tensor {
  const fn = 'flatten';
  checkTensor(fn, 'x', x);
  checkOrder(fn, order);
  if (x.shape.length < 2) {
    throw new InvalidArgumentError(fn, 'x', x.shape, `x must be [N, C, ...D] with at least 2 axes, got ${formatShape(x.shape)}`);
  }
  const [N, C] = x.shape;
  const P = sizeOf(x.shape.slice(2));
  const data = order === 'channels-first' ? x.data.slice() : permuteBlocks(x.data, N, C, P, true);
  return { shape: [N, C * P], data };
}

/**
 * FC weight `[M, C·∏D]` (applied to an input flattened in `order`) → conv weight `[M, C, ...D]`
 * whose kernel covers the whole `[C, ...D]` input: conv(x, fcToConv(W)) with no padding and
 * stride 1 gives `[N, M, 1, …, 1]` equal to dense(flatten(x, order), W).
 * @example fcToConv(fc6, [512, 7, 7], 'channels-first') // VGG fc6 → a 7×7 conv with 4096 filters
 */
export function fcToConv(weight: Tensor, inputShape: readonly number[], order: FlattenOrder): Tensor {
  const fn = 'fcToConv';
  checkTensor(fn, 'weight', weight);
  checkShape(fn, 'inputShape', inputShape);
  checkOrder(fn, order);
  if (weight.shape.length !== 2) {
    throw new InvalidArgumentError(fn, 'weight', weight.shape, `weight must be [M, K], got ${formatShape(weight.shape)}`);
  }
  if (inputShape.length < 2 || inputShape.length > 4) {
    throw new InvalidArgumentError(
      fn,
      'inputShape',
      inputShape,
      `inputShape must be [C, D1..Dn] with n = 1, 2 or 3, got ${formatShape(inputShape)}`,
    );
  }
  const [M, K] = weight.shape;
  const C = inputShape[0];
  const P = sizeOf(inputShape.slice(1));
  if (K !== C * P) {
    throw new InvalidArgumentError(
      fn,
      'inputShape',
      { weight: weight.shape, inputShape },
      `weight in-features (${K}) do not match inputShape ${formatShape(inputShape)} (${C * P} features)`,
    );
  }
  const data = order === 'channels-first' ? weight.data.slice() : permuteBlocks(weight.data, M, C, P, false);
  return { shape: [M, ...inputShape], data };
}

/** Conv weight `[M, C, ...D]` → FC weight `[M, C·∏D]` for inputs flattened in `order` (inverse of `fcToConv`). */
export function convToFc(weight: Tensor, order: FlattenOrder): Tensor {
  const fn = 'convToFc';
  checkTensor(fn, 'weight', weight);
  checkOrder(fn, order);
  if (weight.shape.length < 3 || weight.shape.length > 5) {
    throw new InvalidArgumentError(
      fn,
      'weight',
      weight.shape,
      `weight must be [M, C, k1..kn] with n = 1, 2 or 3, got ${formatShape(weight.shape)}`,
    );
  }
  const [M, C] = weight.shape;
  const P = sizeOf(weight.shape.slice(2));
  const data = order === 'channels-first' ? weight.data.slice() : permuteBlocks(weight.data, M, C, P, true);
  return { shape: [M, C * P], data };
}

/** Linear weight `[M, C]` → 1×1 conv weight `[M, C, 1, …, 1]` for spatial rank `rank` (1, 2 or 3). */
export function linearToConv1x1(weight: Tensor, rank: number): Tensor {
  const fn = 'linearToConv1x1';
  checkTensor(fn, 'weight', weight);
  if (weight.shape.length !== 2) {
    throw new InvalidArgumentError(fn, 'weight', weight.shape, `weight must be [M, C], got ${formatShape(weight.shape)}`);
  }
  if (rank !== 1 && rank !== 2 && rank !== 3) {
    throw new InvalidArgumentError(fn, 'rank', rank, `rank must be 1, 2 or 3, got ${rank}`);
  }
  return { shape: [...weight.shape, ...new Array<number>(rank).fill(1)], data: weight.data.slice() };
}
