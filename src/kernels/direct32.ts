/**
 * The float32 kernel's convolution: direct, with float32 accumulation, on the WebAssembly SIMD
 * tiles of `wasm-conv32.ts` — or, without WebAssembly SIMD (or with the workspace's `simd` option
 * off), on the JavaScript loop below, which computes bit for bit the same values.
 *
 * Instead of lowering the input to an im2col matrix and packing it into panels, the input of one
 * (batch item, group) is copied once into x̂: zero-padded on every axis and, when the x stride sx
 * is above 1, with each row split into sx column phases (phase φ holds columns φ, φ + sx, …). Then
 * output (oz, oy, ox) under tap k = ((c·KZ + kz)·KY + ky)·KX + kx reads
 *
 *     x̂[rowBase(oz, oy) + off(k) + ox],
 *     rowBase = oz·sz·plane + oy·sy·row,
 *     off     = c·channel + kz·lz·plane + ky·ly·row + (kx·lx mod sx)·Wq + ⌊kx·lx / sx⌋,
 *
 * so consecutive outputs of a row read consecutive x̂ values for every tap: the tiles load them as
 * vectors, and the lowering is the table of K offsets. Padded positions are zeros that are
 * multiplied like any other input (the ONNX definition).
 *
 * Arithmetic, the same on both paths: each output starts at −0 and adds fl(w·x̂) for k = 0 … K−1
 * in order, a float32 multiply and a float32 add per tap, then one float32 add of the bias. The
 * JavaScript loop does it with Math.fround: the product of two float32 values is exact in
 * float64, and rounding a float64 sum of two float32 values to float32 gives the correctly
 * rounded float32 sum (double rounding is harmless for + and × when 53 ≥ 2·24 + 2).
 */
import type { Doubles, FloatArray } from '../numeric/arrays.js';
import type { GemmWorkspace } from '../numeric/gemm.js';
import { type Axes3d, axes3d } from '../geometry.js';
import type { ConvGeometry } from '../operators/conv/geometry.js';
import { CONV32_TILES, WASM_CONV32_BYTES, WasmConv32, tileWidth } from './wasm-conv32.js';

/** Output positions per column chunk of the WASM loop: the x̂ rows a chunk reads stay in L1 while every panel passes over them. */
const CHUNK_POSITIONS = 64;

/** Geometry of x̂ and the blocking of one direct conv. */
export interface Direct32Plan {
  /** Taps per output: (C/g)·∏k. */
  readonly K: number;
  /** Output rows (oz, oy) and positions ∏O. */
  readonly R: number;
  readonly P: number;
  /** x̂ row: sx phases of Wq values. */
  readonly Wq: number;
  readonly rowLen: number;
  readonly rows: number;
  readonly planes: number;
  readonly plane: number;
  readonly channel: number;
  /** Floats of x̂, with a tail for the lanes past the last row. */
  readonly xLen: number;
  /** x̂ is the input itself (no padding, sx = 1, every row and column read): copied, not padded. */
  readonly verbatim: boolean;
  /** off(k) and rowBase(t) in floats. */
  readonly offs: Int32Array;
  readonly rowTab: Int32Array;
  /** Output channels per block (the WASM memory holds the weights and outputs of one block). */
  readonly mc: number;
  /** Float offsets of the regions of the WASM memory. */
  readonly at: {
    readonly offs: number;
    readonly rowTab: number;
    readonly bias: number;
    readonly a: number;
    readonly x: number;
    readonly stage: number;
    readonly y: number;
  };
  /** Bytes of WASM memory used. */
  readonly bytes: number;
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * The plan, or undefined when the direct path does not apply: outputs narrower than 4 positions
 * per row on a conv with more than one input channel per group (the tiles would mostly compute
 * discarded lanes; the GEMM path takes those), or x̂ of one (batch item, group) plus one output
 * channel's weights and outputs not fitting min(budget, the WASM memory).
 */
export function planDirect32(g: ConvGeometry, budgetBytes: number): Direct32Plan | undefined {
  const {
    input: [dz, dy, dx],
    kernel: [KZ, KY, KX],
    output: [OZ, OY, OX],
    strides: [sz, sy, sx],
    dilations: [lz, ly, lx],
    padsBegin: [pz, py, px],
  } = axes3d(g);
  const cg = g.inChannelsPerGroup;
  if (OX < 4 && cg > 1) return undefined;
  const Wq = OX + Math.floor(((KX - 1) * lx) / sx);
  const rowLen = sx * Wq;
  const rows = (OY - 1) * sy + (KY - 1) * ly + 1;
  const planes = (OZ - 1) * sz + (KZ - 1) * lz + 1;
  const plane = rows * rowLen;
  const channel = planes * plane;
  const K = cg * g.kernelSpatialSize;
  const R = OZ * OY;
  const P = g.outSpatialSize;
  const xLen = align4(cg * channel + 16);
  const limit = Math.floor(Math.min(budgetBytes, WASM_CONV32_BYTES) / 4);
  const verbatim = pz === 0 && py === 0 && px === 0 && sx === 1 && Wq === dx && rows === dy && planes === dz;
  // Otherwise the raw input channels of one (batch item, group) are staged next to x̂ (`WasmConv32.pad`).
  const stageLen = verbatim ? 0 : align4(cg * g.inSpatialSize + 8);
  const fixed = align4(K) + align4(R) + xLen + stageLen;
  // Per output channel: its weights (K), its outputs (P), its bias.
  const perRow = K + P + 1;
  const fit = Math.floor((limit - fixed - 8 * (K + P + 4)) / perRow);
  if (fit < 1) return undefined;
  const mc = Math.min(g.outChannelsPerGroup, fit);
  const offs = new Int32Array(K);
  for (let c = 0, k = 0; c < cg; c++) {
    for (let kz = 0; kz < KZ; kz++) {
      for (let ky = 0; ky < KY; ky++) {
        for (let kx = 0; kx < KX; kx++, k++) {
          const dxk = kx * lx;
          offs[k] = c * channel + kz * lz * plane + ky * ly * rowLen + (dxk % sx) * Wq + Math.floor(dxk / sx);
        }
      }
    }
  }
  const rowTab = new Int32Array(R);
  for (let oz = 0, t = 0; oz < OZ; oz++) {
    for (let oy = 0; oy < OY; oy++, t++) rowTab[t] = oz * sz * plane + oy * sy * rowLen;
  }
  const at0 = 0;
  const atRow = at0 + align4(K);
  const atBias = atRow + align4(R);
  const atA = atBias + align4(mc + 8);
  const atX = atA + align4((mc + 8) * K);
  const atStage = atX + xLen;
  const atY = atStage + stageLen;
  const end = atY + align4(mc * P + 16);
  return {
    K,
    R,
    P,
    Wq,
    rowLen,
    rows,
    planes,
    plane,
    channel,
    xLen,
    verbatim,
    offs,
    rowTab,
    mc,
    at: { offs: at0, rowTab: atRow, bias: atBias, a: atA, x: atX, stage: atStage, y: atY },
    bytes: end * 4,
  };
}

/**
 * Panels for a block of mb output channels: as many 4-row panels as possible (the widest tile
 * that does not spill, see `wasm-conv32.ts`), the rest in panels of 2 or 3 rows (a 1-row panel
 * only for mb = 1: its tile has the fewest accumulators).
 */
export function panelSplit(mb: number): Array<readonly [number, number]> {
  if (mb < 4) return [[mb, 1]];
  const n4 = Math.floor(mb / 4);
  const r = mb % 4;
  const out: Array<readonly [number, number]> = [];
  const push = (mr: number, n: number): void => {
    if (n > 0) out.push([mr, n]);
  };
  if (r === 1) {
    push(4, n4 - 1);
    push(3, 1);
    push(2, 1);
  } else {
    push(4, n4);
    if (r > 0) push(r, 1);
  }
  return out;
}

/**
 * Writes x̂ for batch item n and input channels first … first + C/g − 1 into dst from index d0:
 * the JavaScript path's copy of what `WasmConv32.pad` writes.
 */
function fillPadded(
  dst: Doubles,
  d0: number,
  x: FloatArray,
  g: ConvGeometry,
  lifted: Axes3d,
  n: number,
  first: number,
  p: Direct32Plan,
): void {
  const { Wq, rowLen, rows, planes, plane, channel } = p;
  const {
    input: [dz, dy, dx],
    strides: [, , sx],
    padsBegin: [pz, py, px],
  } = lifted;
  for (let c = 0; c < g.inChannelsPerGroup; c++) {
    const src0 = (n * g.inChannels + first + c) * dz * dy * dx;
    for (let zz = 0; zz < planes; zz++) {
      const iz = zz - pz;
      for (let yy = 0; yy < rows; yy++) {
        const iy = yy - py;
        const d = d0 + c * channel + zz * plane + yy * rowLen;
        if (iz < 0 || iz >= dz || iy < 0 || iy >= dy) {
          dst.fill(0, d, d + rowLen);
          continue;
        }
        const src = src0 + (iz * dy + iy) * dx;
        if (sx === 1) {
          // Columns u of the row hold input column u − px.
          const lo = Math.min(Wq, Math.max(0, px));
          const hi = Math.max(lo, Math.min(Wq, dx + px));
          if (lo > 0) dst.fill(0, d, d + lo);
          for (let u = lo; u < hi; u++) dst[d + u] = x[src + u - px];
          if (hi < Wq) dst.fill(0, d + hi, d + Wq);
        } else {
          for (let ph = 0; ph < sx; ph++) {
            const dp = d + ph * Wq;
            for (let q = 0; q < Wq; q++) {
              const ix = q * sx + ph - px;
              dst[dp + q] = ix >= 0 && ix < dx ? x[src + ix] : 0;
            }
          }
        }
      }
    }
  }
}

/**
 * y = conv(x, w) (+ b) into `out` (float32, [N, M, O…]) on the direct path. Returns false, having
 * done nothing, when `planDirect32` declines the problem (the caller then runs the GEMM path).
 */
export function direct32Conv(
  ws: GemmWorkspace,
  budgetBytes: number,
  g: ConvGeometry,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray | undefined,
  out: FloatArray,
): boolean {
  const plan = planDirect32(g, budgetBytes);
  if (plan === undefined) return false;
  const wasm = ws.simd ? WasmConv32.instance() : undefined;
  if (wasm === undefined || !(out instanceof Float32Array)) {
    directJs(ws, budgetBytes, g, plan, x, w, b, out);
    return true;
  }
  ws.peakBytes = Math.max(ws.peakBytes, ws.bytes + plan.bytes);
  const {
    input: [dz, dy, dx],
    output: [, , OX],
    strides: [, , sx],
    padsBegin: [pz, py, px],
  } = axes3d(g);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const { K, P, R, mc, at } = plan;
  const f32 = wasm.f32,
    i32 = wasm.i32;
  i32.set(plan.offs, at.offs);
  i32.set(plan.rowTab, at.rowTab);
  // The offset tables in bytes.
  for (let k = 0; k < K; k++) i32[at.offs + k] *= 4;
  for (let t = 0; t < R; t++) i32[at.rowTab + t] *= 4;
  for (let n = 0; n < g.batch; n++) {
    for (let gi = 0; gi < g.group; gi++) {
      const src = (n * g.inChannels + gi * cg) * g.inSpatialSize;
      f32.set(x.subarray(src, src + cg * g.inSpatialSize), plan.verbatim ? at.x : at.stage);
      if (!plan.verbatim) {
        const lo = Math.min(plan.Wq, Math.max(0, px));
        wasm.pad({
          src: at.stage * 4,
          dst: at.x * 4,
          channels: cg,
          planes: plan.planes,
          rows: plan.rows,
          Wq: plan.Wq,
          sx,
          dz,
          dy,
          dx,
          pz,
          py,
          px,
          lo,
          hi: Math.max(lo, Math.min(plan.Wq, dx + px)),
        });
      }
      for (let m0 = 0; m0 < mg; m0 += mc) {
        const mb = Math.min(mc, mg - m0);
        const firstOut = gi * mg + m0;
        // Weights of the block in panels: element (k, i) of a panel of mr rows at k·mr + i.
        let a = at.a;
        let row = firstOut;
        const split = panelSplit(mb);
        for (const [mr, count] of split) {
          for (let q = 0; q < count; q++, row += mr, a += mr * K) {
            for (let i = 0; i < mr; i++) {
              const src = (row + i) * K;
              for (let k = 0; k < K; k++) f32[a + k * mr + i] = w[src + k];
            }
          }
        }
        if (b !== undefined) for (let i = 0; i < mb; i++) f32[at.bias + i] = b[firstOut + i];
        let done = 0;
        a = at.a;
        for (const [mr, count] of split) {
          const nr = tileWidth(mr);
          wasm.run(mr, {
            ap: a * 4,
            K,
            panels: count,
            offs: at.offs * 4,
            x: at.x * 4,
            rowTab: at.rowTab * 4,
            R,
            OX,
            chunk: Math.max(nr, Math.floor(CHUNK_POSITIONS / nr) * nr),
            y: (at.y + done * P) * 4,
            yChan: P * 4,
            bias: b === undefined ? -1 : (at.bias + done) * 4,
          });
          done += mr * count;
          a += mr * count * K;
        }
        const o = (n * g.outChannels + firstOut) * P;
        out.set(f32.subarray(at.y, at.y + mb * P), o);
      }
    }
  }
  return true;
}

/**
 * The JavaScript path: the same x̂, the same sums in the same order. x̂ lives in a `Doubles`
 * workspace buffer (plain arrays read faster than typed arrays in V8, see `Doubles`), twice the
 * bytes of the WASM path's float32 copy; the workspace counts them in its high-water mark.
 */
function directJs(
  ws: GemmWorkspace,
  budgetBytes: number,
  g: ConvGeometry,
  plan: Direct32Plan,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray | undefined,
  out: FloatArray,
): void {
  const { K, P, R, offs, rowTab } = plan;
  const lifted = axes3d(g);
  const OX = lifted.output[2];
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const [, , , xh, acc] = ws.reserve(Math.max(budgetBytes, (plan.xLen + OX) * 8), [0, 0, 0, plan.xLen, OX]);
  const fround = Math.fround;
  for (let n = 0; n < g.batch; n++) {
    for (let gi = 0; gi < g.group; gi++) {
      fillPadded(xh, 0, x, g, lifted, n, gi * cg, plan);
      for (let m = gi * mg; m < (gi + 1) * mg; m++) {
        const wr = m * K;
        const bias = b === undefined ? undefined : b[m];
        for (let t = 0; t < R; t++) {
          acc.fill(-0, 0, OX);
          for (let k = 0; k < K; k++) rowTap(acc, OX, xh, rowTab[t] + offs[k], fround(w[wr + k]));
          const o = (n * g.outChannels + m) * P + t * OX;
          if (bias === undefined) {
            for (let ox = 0; ox < OX; ox++) out[o + ox] = acc[ox];
          } else {
            for (let ox = 0; ox < OX; ox++) out[o + ox] = fround(acc[ox] + bias);
          }
        }
      }
    }
  }
}

/** acc[o] = fl32(acc[o] + fl32(wk·x̂[base + o])) for o < count. */
function rowTap(acc: Doubles, count: number, xh: Doubles, base: number, wk: number): void {
  const fround = Math.fround;
  for (let o = 0; o < count; o++) acc[o] = fround(acc[o] + fround(wk * xh[base + o]));
}

/** Tile shapes of the WASM path, for tests. */
export const DIRECT32_TILES = CONV32_TILES;
