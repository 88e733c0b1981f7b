/**
 * The exact reference of the integer conv family (`convInteger`, and the accumulation of
 * `qlinearConv`): operands validated once at the boundary, zero points subtracted first (so a
 * padded position, which holds x_zero_point, adds exactly 0), then direct loops that read like
 * the definition. Every product is at most 255² and K ≤ 2³¹/255², so float64 sums are exact
 * integers; the int32 result is checked, never wrapped.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { QuantType, TypedTensor } from '../../quantized.js';
import { checkTypedTensor, zeroPoints } from '../../quantized.js';
import { stridesOf } from '../../tensor.js';
import { axes3d } from '../../geometry.js';
import { convGeometryOfShapes } from '../conv/geometry.js';
import type { ConvGeometry } from '../conv/geometry.js';
import type { IntegerConvAttributes } from './contract.js';

/** A validated integer conv: its geometry, x and w with their zero points subtracted, and the types. */
export interface CentredConv {
  readonly g: ConvGeometry;
  /** x − x_zero_point, as exact integers. */
  readonly x: Float64Array;
  /** w − w_zero_point[m], as exact integers. */
  readonly w: Float64Array;
  readonly xType: QuantType;
  readonly wType: QuantType;
}

/** Rejects a fused activation or other non-integer attribute a quantized conv does not have. */
function checkNoActivation(fn: string, attrs: IntegerConvAttributes): void {
  if (attrs !== null && typeof attrs === 'object' && (attrs as { activation?: unknown }).activation !== undefined) {
    throw new InvalidArgumentError(
      fn,
      'attrs.activation',
      (attrs as { activation?: unknown }).activation,
      'quantized convs take no fused activation',
    );
  }
}

/**
 * Validates x, w (8-bit), their zero points (x: scalar of x's type; w: scalar or `[M]` of w's
 * type; absent: 0) and the `Conv` attributes; returns the geometry and the centred operands.
 */
export function centredConv(
  fn: string,
  x: TypedTensor,
  w: TypedTensor,
  xZeroPoint: TypedTensor | undefined,
  wZeroPoint: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
  wZeroPointName = 'wZeroPoint',
  xZeroPointName = 'xZeroPoint',
): CentredConv {
  const xType = checkTypedTensor(fn, 'x', x, ['uint8', 'int8']) as QuantType;
  const wType = checkTypedTensor(fn, 'w', w, ['uint8', 'int8']) as QuantType;
  checkNoActivation(fn, attrs);
  const g = convGeometryOfShapes(x.shape, w.shape, undefined, attrs, fn);
  const xz = zeroPoints(fn, xZeroPointName, xZeroPoint, xType, undefined)[0];
  const wz = zeroPoints(fn, wZeroPointName, wZeroPoint, wType, g.outChannels);
  const xc = new Float64Array(x.data.length);
  for (let i = 0; i < xc.length; i++) xc[i] = x.data[i] - xz;
  const wc = new Float64Array(w.data.length);
  const perM = w.data.length / g.outChannels;
  for (let m = 0; m < g.outChannels; m++) for (let i = m * perM; i < (m + 1) * perM; i++) wc[i] = w.data[i] - wz[m];
  return { g, x: xc, w: wc, xType, wType };
}

/**
 * acc[n, m, o] = bias[m] + Σ_{c ∈ group(m)} Σ_k w_c[m, c, k] · x_c[n, g·C/G + c, o·s − p_begin + k·d],
 * positions outside the input adding 0 (they hold the zero point). Exact: every partial sum is an
 * integer below 2⁵³.
 */
export function accumulateConv(p: CentredConv, bias?: ArrayLike<number>): Float64Array {
  const { g } = p;
  const {
    input: [D0, D1, D2],
    kernel: [K0, K1, K2],
    output: [O0, O1, O2],
    strides: [S0, S1, S2],
    dilations: [L0, L1, L2],
    padsBegin: [P0, P1, P2],
  } = axes3d(g);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const xs = stridesOf([g.batch, g.inChannels, D0, D1, D2]);
  const ws = stridesOf([g.outChannels, cg, K0, K1, K2]);
  const out = new Float64Array(g.batch * g.outChannels * g.outSpatialSize);
  let idx = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outChannels; m++) {
      const firstChannel = Math.floor(m / mg) * cg;
      for (let o0 = 0; o0 < O0; o0++) {
        for (let o1 = 0; o1 < O1; o1++) {
          for (let o2 = 0; o2 < O2; o2++) {
            let acc = bias ? bias[m] : 0;
            for (let c = 0; c < cg; c++) {
              for (let k0 = 0; k0 < K0; k0++) {
                const i0 = o0 * S0 - P0 + k0 * L0;
                if (i0 < 0 || i0 >= D0) continue;
                for (let k1 = 0; k1 < K1; k1++) {
                  const i1 = o1 * S1 - P1 + k1 * L1;
                  if (i1 < 0 || i1 >= D1) continue;
                  const xRow = n * xs[0] + (firstChannel + c) * xs[1] + i0 * xs[2] + i1 * xs[3];
                  const wRow = m * ws[0] + c * ws[1] + k0 * ws[2] + k1 * ws[3];
                  for (let k2 = 0; k2 < K2; k2++) {
                    const i2 = o2 * S2 - P2 + k2 * L2;
                    if (i2 < 0 || i2 >= D2) continue;
                    acc += p.w[wRow + k2] * p.x[xRow + i2];
                  }
                }
              }
            }
            out[idx++] = acc;
          }
        }
      }
    }
  }
  return out;
}

/** Rejects an accumulation that does not fit int32 (ONNX leaves its overflow undefined; convcheck never generates one). */
export function checkInt32(fn: string, acc: Float64Array, shape: readonly number[]): void {
  for (let i = 0; i < acc.length; i++) {
    if (acc[i] > 2147483647 || acc[i] < -2147483648) {
      throw new InvalidArgumentError(
        fn,
        'accumulation',
        { index: i, value: acc[i] },
        `the exact accumulation of output element ${i} (shape [${shape.join(',')}]) is ${acc[i]}, outside int32: its overflow is undefined (ONNX); keep K·255² + |bias| < 2³¹`,
      );
    }
  }
}

/** Reference `ConvInteger`: the exact int32 result. */
export function referenceConvInteger(
  x: TypedTensor,
  w: TypedTensor,
  xZeroPoint: TypedTensor | undefined,
  wZeroPoint: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
): TypedTensor {
  const p = centredConv('referenceConvInteger', x, w, xZeroPoint, wZeroPoint, attrs);
  const acc = accumulateConv(p);
  checkInt32('referenceConvInteger', acc, p.g.outputShape);
  return { shape: [...p.g.outputShape], data: Int32Array.from(acc) };
}
