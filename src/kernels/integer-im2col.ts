/**
 * The built-in integer path of the quantized operators: zero points subtracted into int16
 * (|q − zp| ≤ 255), im2col into int16 columns, an integer GEMM accumulating in int32 (wrapping as
 * int32 hardware does — convcheck's problems never overflow), and requantization as onnxruntime's
 * MLAS does it: the multiplier x_scale·w_scale/y_scale in float32, acc converted to float32,
 * their float32 product rounded half to even, plus y_zero_point, saturated. The geometry and
 * every operand are validated once at the boundary; the loops trust them.
 */
import type { QuantType, TypedTensor } from '../quantized.js';
import { checkTypedTensor, ELEMENT_TYPES, scales, zeroPoints } from '../quantized.js';
import { InvalidArgumentError } from '../errors.js';
import { axes3d } from '../geometry.js';
import { convGeometryOfShapes } from '../operators/conv/geometry.js';
import type { ConvGeometry } from '../operators/conv/geometry.js';
import type { IntegerConvAttributes } from '../operators/conv-integer/contract.js';
import { checkBias, outputQuantization } from '../operators/qlinear-conv/reference.js';
import { formatShape } from '../tensor.js';
import { WasmIntDot } from '../numeric/wasm-int-dot.js';

/** x − zp and w − zp[m] as int16, with the geometry. */
interface CentredInt16 {
  readonly g: ConvGeometry;
  readonly x: Int16Array;
  readonly w: Int16Array;
}

function centre(
  fn: string,
  x: TypedTensor,
  w: TypedTensor,
  xZeroPoint: TypedTensor | undefined,
  wZeroPoint: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
): CentredInt16 {
  const xType = checkTypedTensor(fn, 'x', x, ['uint8', 'int8']) as QuantType;
  const wType = checkTypedTensor(fn, 'w', w, ['uint8', 'int8']) as QuantType;
  if ((attrs as { activation?: unknown })?.activation !== undefined)
    throw new InvalidArgumentError(
      fn,
      'attrs.activation',
      (attrs as { activation?: unknown }).activation,
      'quantized convs take no fused activation',
    );
  const g = convGeometryOfShapes(x.shape, w.shape, undefined, attrs, fn);
  const xz = zeroPoints(fn, 'xZeroPoint', xZeroPoint, xType, undefined)[0];
  const wz = zeroPoints(fn, 'wZeroPoint', wZeroPoint, wType, g.outChannels);
  const xc = new Int16Array(x.data.length);
  for (let i = 0; i < xc.length; i++) xc[i] = x.data[i] - xz;
  const wc = new Int16Array(w.data.length);
  const perM = w.data.length / g.outChannels;
  for (let m = 0; m < g.outChannels; m++) {
    const z = wz[m];
    for (let i = m * perM; i < (m + 1) * perM; i++) wc[i] = w.data[i] - z;
  }
  return { g, x: xc, w: wc };
}

/**
 * im2col + integer GEMM: for each batch item and group, columns `[(C/G)·∏k, ∏O]` (padding 0,
 * the centred zero point), then out[m, p] = bias[m] + Σ_r w[m, r]·col[r, p] in int32.
 */
function convAccumulate(p: CentredInt16, bias: Int32Array | undefined): Int32Array {
  const viaWasm = convAccumulateWasm(p, bias);
  if (viaWasm !== undefined) return viaWasm;
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
  const P = g.outSpatialSize;
  const R = g.reductionLength;
  const inPlane = D0 * D1 * D2;
  const col = new Int16Array(R * P);
  const out = new Int32Array(g.batch * g.outChannels * P);
  const row = new Int32Array(P);
  for (let n = 0; n < g.batch; n++) {
    for (let grp = 0; grp < g.group; grp++) {
      // im2col of this group's channels
      let r = 0;
      for (let c = 0; c < cg; c++) {
        const plane = (n * g.inChannels + grp * cg + c) * inPlane;
        for (let k0 = 0; k0 < K0; k0++) {
          for (let k1 = 0; k1 < K1; k1++) {
            for (let k2 = 0; k2 < K2; k2++, r++) {
              let q = r * P;
              for (let o0 = 0; o0 < O0; o0++) {
                const i0 = o0 * S0 - P0 + k0 * L0;
                for (let o1 = 0; o1 < O1; o1++) {
                  const i1 = o1 * S1 - P1 + k1 * L1;
                  const inside01 = i0 >= 0 && i0 < D0 && i1 >= 0 && i1 < D1;
                  const base = plane + (i0 * D1 + i1) * D2;
                  for (let o2 = 0; o2 < O2; o2++, q++) {
                    const i2 = o2 * S2 - P2 + k2 * L2;
                    col[q] = inside01 && i2 >= 0 && i2 < D2 ? p.x[base + i2] : 0;
                  }
                }
              }
            }
          }
        }
      }
      // GEMM, one output channel at a time
      for (let mm = 0; mm < mg; mm++) {
        const m = grp * mg + mm;
        row.fill(bias ? bias[m] : 0);
        const wRow = m * R;
        for (let rr = 0; rr < R; rr++) {
          const wv = p.w[wRow + rr];
          if (wv === 0) continue;
          const c0 = rr * P;
          for (let q = 0; q < P; q++) row[q] += wv * col[c0 + q];
        }
        out.set(row, (n * g.outChannels + m) * P);
      }
    }
  }
  return out;
}

/** Whether the WebAssembly SIMD dot products run the accumulation (off: the JavaScript loops, which specify them). */
let useWasm = true;

/** Turns the WebAssembly SIMD integer path on or off (tests compare the two bit for bit). */
export function useWasmIntegerPath(on: boolean): void {
  useWasm = on;
}

/**
 * The WebAssembly SIMD path of `convAccumulate`: columns laid out one output position per row
 * (`[P, R8]`, R8 = R rounded up to 8, zero-padded), as many positions at a time as fit the
 * module's memory, and per output channel one call computing every position's dot product with
 * its weight row (`i32x4.dot_i16x8_s`). Undefined where WebAssembly SIMD is unavailable.
 */
function convAccumulateWasm(p: CentredInt16, bias: Int32Array | undefined): Int32Array | undefined {
  const dot = useWasm ? WasmIntDot.instance() : undefined;
  if (dot === undefined) return undefined;
  const { g } = p;
  const {
    input: [D0, D1, D2],
    kernel: [K0, K1, K2],
    output: [, O1, O2],
    strides: [S0, S1, S2],
    dilations: [L0, L1, L2],
    padsBegin: [P0, P1, P2],
  } = axes3d(g);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const P = g.outSpatialSize;
  const R = g.reductionLength;
  const R8 = Math.ceil(R / 8) * 8;
  const inPlane = D0 * D1 * D2;
  // memory (int16 elements): w row at 0, outputs (int32) after it, then the column rows
  const outAt32 = Math.ceil(R8 / 8) * 4; // 16-byte aligned
  const chunk = Math.floor((dot.i16.length - 2 * outAt32 - 64) / (R8 + 2));
  const colAt16 = Math.ceil((2 * outAt32 + 2 * chunk) / 8) * 8;
  const out = new Int32Array(g.batch * g.outChannels * P);
  const heap = dot.i16;
  for (let n = 0; n < g.batch; n++) {
    for (let grp = 0; grp < g.group; grp++) {
      for (let p0 = 0; p0 < P; p0 += chunk) {
        const count = Math.min(chunk, P - p0);
        for (let q = 0; q < count; q++) {
          const pos = p0 + q;
          const o2 = pos % O2;
          const o1 = Math.floor(pos / O2) % O1;
          const o0 = Math.floor(pos / (O1 * O2));
          let at = colAt16 + q * R8;
          for (let c = 0; c < cg; c++) {
            const plane = (n * g.inChannels + grp * cg + c) * inPlane;
            for (let k0 = 0; k0 < K0; k0++) {
              const i0 = o0 * S0 - P0 + k0 * L0;
              for (let k1 = 0; k1 < K1; k1++) {
                const i1 = o1 * S1 - P1 + k1 * L1;
                const inside = i0 >= 0 && i0 < D0 && i1 >= 0 && i1 < D1;
                const base = plane + (i0 * D1 + i1) * D2;
                for (let k2 = 0; k2 < K2; k2++, at++) {
                  const i2 = o2 * S2 - P2 + k2 * L2;
                  heap[at] = inside && i2 >= 0 && i2 < D2 ? p.x[base + i2] : 0;
                }
              }
            }
          }
          heap.fill(0, at, colAt16 + (q + 1) * R8);
        }
        for (let mm = 0; mm < mg; mm++) {
          const m = grp * mg + mm;
          heap.set(p.w.subarray(m * R, (m + 1) * R), 0);
          heap.fill(0, R, R8);
          dot.rows(0, colAt16, outAt32, count, R8);
          const b = bias ? bias[m] : 0;
          const dst = (n * g.outChannels + m) * P + p0;
          for (let q = 0; q < count; q++) out[dst + q] = (dot.i32[outAt32 + q] + b) | 0;
        }
      }
    }
  }
  return out;
}

/** The matmul's WebAssembly SIMD path: rows of a against columns of b, as `convAccumulateWasm`. */
function matMulAccumulateWasm(p: { n: number; k: number; m: number; a: Int16Array; b: Int16Array }): Int32Array | undefined {
  const dot = useWasm ? WasmIntDot.instance() : undefined;
  if (dot === undefined) return undefined;
  const K8 = Math.ceil(p.k / 8) * 8;
  const outAt32 = Math.ceil(K8 / 8) * 4;
  const chunk = Math.floor((dot.i16.length - 2 * outAt32 - 64) / (K8 + 2));
  const colAt16 = Math.ceil((2 * outAt32 + 2 * chunk) / 8) * 8;
  const heap = dot.i16;
  const out = new Int32Array(p.n * p.m);
  for (let r0 = 0; r0 < p.n; r0 += chunk) {
    const count = Math.min(chunk, p.n - r0);
    for (let q = 0; q < count; q++) {
      heap.set(p.a.subarray((r0 + q) * p.k, (r0 + q + 1) * p.k), colAt16 + q * K8);
      heap.fill(0, colAt16 + q * K8 + p.k, colAt16 + (q + 1) * K8);
    }
    for (let j = 0; j < p.m; j++) {
      for (let l = 0; l < p.k; l++) heap[l] = p.b[l * p.m + j];
      heap.fill(0, p.k, K8);
      dot.rows(0, colAt16, outAt32, count, K8);
      for (let q = 0; q < count; q++) out[(r0 + q) * p.m + j] = dot.i32[outAt32 + q];
    }
  }
  return out;
}

/** Round half to even of a float32 value (as nearbyintf does). */
function rint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/**
 * MLAS-style requantization of int32 accumulations laid out `[…, channels, inner]`: the float32
 * multiplier per channel, float32(acc)·multiplier in float32, rounded half to even, + zp, saturated.
 */
function requantizeFloat32(
  acc: Int32Array,
  channels: number,
  inner: number,
  xScale: number,
  wScales: Float64Array,
  yScale: number,
  yZeroPoint: number,
  yType: QuantType,
): TypedTensor['data'] {
  const { min, max, ctor } = ELEMENT_TYPES[yType];
  const mult = Float64Array.from(wScales, (ws) => Math.fround(Math.fround(xScale * ws) / yScale));
  const out = new ctor(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const v = Math.fround(Math.fround(acc[i]) * mult[Math.floor(i / inner) % channels]);
    const q = rint(v) + yZeroPoint;
    out[i] = Math.max(min, Math.min(max, q));
  }
  return out;
}

/** `convInteger` by im2col + integer GEMM. */
export function im2colConvInteger(
  x: TypedTensor,
  w: TypedTensor,
  xZeroPoint: TypedTensor | undefined,
  wZeroPoint: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
): TypedTensor {
  const p = centre('convInteger', x, w, xZeroPoint, wZeroPoint, attrs);
  return { shape: [...p.g.outputShape], data: convAccumulate(p, undefined) };
}

/** `qlinearConv` by im2col + integer GEMM + float32 requantization. */
export function im2colQLinearConv(
  x: TypedTensor,
  xScale: TypedTensor,
  xZeroPoint: TypedTensor,
  w: TypedTensor,
  wScale: TypedTensor,
  wZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
  b: TypedTensor | undefined,
  attrs: IntegerConvAttributes,
): TypedTensor {
  const fn = 'qlinearConv';
  for (const [name, t] of [
    ['xZeroPoint', xZeroPoint],
    ['wZeroPoint', wZeroPoint],
  ] as const) {
    if (t === undefined) throw new InvalidArgumentError(fn, name, t, `${name} is required (ONNX QLinearConv)`);
  }
  const p = centre(fn, x, w, xZeroPoint, wZeroPoint, attrs);
  const xs = scales(fn, 'xScale', xScale, undefined)[0];
  const ws = scales(fn, 'wScale', wScale, p.g.outChannels);
  const y = outputQuantization(fn, yScale, yZeroPoint);
  const acc = convAccumulate(p, checkBias(fn, b, p.g.outChannels));
  return {
    shape: [...p.g.outputShape],
    data: requantizeFloat32(acc, p.g.outChannels, p.g.outSpatialSize, xs, ws, y.yScale, y.yZeroPoint, y.yType),
  };
}

/** a − zp `[N, K]` and b − zp[m] `[K, M]` as int16. */
function centreMatMul(
  fn: string,
  a: TypedTensor,
  b: TypedTensor,
  aZeroPoint: TypedTensor | undefined,
  bZeroPoint: TypedTensor | undefined,
): { n: number; k: number; m: number; a: Int16Array; b: Int16Array } {
  const aType = checkTypedTensor(fn, 'a', a, ['uint8', 'int8']) as QuantType;
  const bType = checkTypedTensor(fn, 'b', b, ['uint8', 'int8']) as QuantType;
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[1] !== b.shape[0] || a.shape[0] < 1 || a.shape[1] < 1 || b.shape[1] < 1) {
    throw new InvalidArgumentError(
      fn,
      'b',
      { a: a.shape, b: b.shape },
      `a must be [N, K] and b [K, M] with sizes >= 1, got a ${formatShape(a.shape)}, b ${formatShape(b.shape)}`,
    );
  }
  const [n, k] = a.shape;
  const m = b.shape[1];
  const az = zeroPoints(fn, 'aZeroPoint', aZeroPoint, aType, undefined)[0];
  const bz = zeroPoints(fn, 'bZeroPoint', bZeroPoint, bType, m, 'column');
  const ac = new Int16Array(n * k);
  for (let i = 0; i < ac.length; i++) ac[i] = a.data[i] - az;
  const bc = new Int16Array(k * m);
  for (let i = 0; i < bc.length; i++) bc[i] = b.data[i] - bz[i % m];
  return { n, k, m, a: ac, b: bc };
}

/** y[n, :] = Σ_k a[n, k]·b[k, :] in int32 (rows of b streamed). */
function matMulAccumulate(p: { n: number; k: number; m: number; a: Int16Array; b: Int16Array }): Int32Array {
  const viaWasm = matMulAccumulateWasm(p);
  if (viaWasm !== undefined) return viaWasm;
  const out = new Int32Array(p.n * p.m);
  for (let i = 0; i < p.n; i++) {
    const o = i * p.m;
    for (let l = 0; l < p.k; l++) {
      const av = p.a[i * p.k + l];
      if (av === 0) continue;
      const r = l * p.m;
      for (let j = 0; j < p.m; j++) out[o + j] += av * p.b[r + j];
    }
  }
  return out;
}

/** `matMulInteger` by an integer GEMM. */
export function gemmMatMulInteger(
  a: TypedTensor,
  b: TypedTensor,
  aZeroPoint: TypedTensor | undefined,
  bZeroPoint: TypedTensor | undefined,
): TypedTensor {
  const p = centreMatMul('matMulInteger', a, b, aZeroPoint, bZeroPoint);
  return { shape: [p.n, p.m], data: matMulAccumulate(p) };
}

/** `qlinearMatMul` by an integer GEMM + float32 requantization. */
export function gemmQLinearMatMul(
  a: TypedTensor,
  aScale: TypedTensor,
  aZeroPoint: TypedTensor,
  b: TypedTensor,
  bScale: TypedTensor,
  bZeroPoint: TypedTensor,
  yScale: TypedTensor,
  yZeroPoint: TypedTensor,
): TypedTensor {
  const fn = 'qlinearMatMul';
  for (const [name, t] of [
    ['aZeroPoint', aZeroPoint],
    ['bZeroPoint', bZeroPoint],
  ] as const) {
    if (t === undefined) throw new InvalidArgumentError(fn, name, t, `${name} is required (ONNX QLinearMatMul)`);
  }
  const p = centreMatMul(fn, a, b, aZeroPoint, bZeroPoint);
  const as = scales(fn, 'aScale', aScale, undefined)[0];
  const bs = scales(fn, 'bScale', bScale, p.m, 'column');
  const y = outputQuantization(fn, yScale, yZeroPoint);
  return { shape: [p.n, p.m], data: requantizeFloat32(matMulAccumulate(p), p.m, 1, as, bs, y.yScale, y.yZeroPoint, y.yType) };
}

/** The four quantized operators of the built-in kernels. */
export const integerOperators = {
  convInteger: im2colConvInteger,
  qlinearConv: im2colQLinearConv,
  matMulInteger: gemmMatMulInteger,
  qlinearMatMul: gemmQLinearMatMul,
} as const;
