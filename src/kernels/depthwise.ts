/**
 * Direct depthwise convolution (group = C, any depth multiplier): output channel
 * m = c·multiplier + j reads input channel c only, so lowering it to GEMM would give C GEMMs
 * with K = ∏k (9 for 3×3) — all packing and no reuse. Instead each input channel is copied,
 * zero-padded and converted to float64, into a slab, and every output row is accumulated tap by
 * tap from it: the slab has no borders to test, and the padded zeros are multiplied like any
 * other input value (the ONNX definition, and the same arithmetic as the im2col path).
 */
import type { Doubles, FloatArray } from '../numeric/arrays.js';
import type { GemmWorkspace } from '../numeric/gemm.js';
import { type Axes3d, axes3d } from '../geometry.js';
import type { ConvGeometry } from '../operators/conv/geometry.js';

/**
 * y = depthwise conv of x with w (+ b) into `out` ([N, M, O…] row-major). The padded input slab
 * covers a band of output rows at a time, sized to keep it inside `budgetBytes`.
 */
export function depthwiseConv(
  ws: GemmWorkspace,
  budgetBytes: number,
  g: ConvGeometry,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray | undefined,
  out: FloatArray,
): void {
  const lifted = axes3d(g);
  const {
    kernel: [KZ, KY, KX],
    output: [OZ, OY, OX],
    strides: [, sy, sx],
    dilations: [, ly, lx],
  } = lifted;
  const mult = g.outChannelsPerGroup;
  const taps = g.kernelSpatialSize;
  // Slab row: input columns −px … (OX−1)·sx − px + lx·(KX−1), i.e. exactly what the windows read.
  const width = (OX - 1) * sx + lx * (KX - 1) + 1;
  const effY = ly * (KY - 1) + 1;
  // Output rows per band: the slab holds KZ planes of (rows·sy + effY − sy) slab rows.
  const budgetElems = Math.floor(budgetBytes / 8) - OX;
  const rowsFit = Math.floor((budgetElems / (KZ * width) - effY) / sy) + 1;
  const band = Math.max(1, Math.min(OY, rowsFit));
  const slabRows = (band - 1) * sy + effY;
  const [, , , slab, acc] = ws.reserve(budgetBytes, [0, 0, 0, KZ * slabRows * width, OX]);
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.inChannels; c++) {
      const plane = (n * g.inChannels + c) * g.inSpatialSize;
      for (let oz = 0; oz < OZ; oz++) {
        for (let oy0 = 0; oy0 < OY; oy0 += band) {
          const rows = Math.min(band, OY - oy0);
          const usedRows = (rows - 1) * sy + effY;
          fillSlab(slab, x, plane, lifted, oz, oy0, usedRows, slabRows, width);
          for (let j = 0; j < mult; j++) {
            const m = c * mult + j;
            const wBase = m * taps;
            const bias = b === undefined ? undefined : b[m];
            for (let r = 0; r < rows; r++) {
              acc.fill(-0, 0, OX);
              let t = wBase;
              for (let kz = 0; kz < KZ; kz++) {
                let ky = 0;
                if (KX === 3) {
                  // 3×3 blocks of taps in one pass (the common depthwise kernel).
                  for (; ky + 3 <= KY; ky += 3, t += 9) {
                    const rowBase = (kz * slabRows + r * sy + ky * ly) * width;
                    accumulate3x3(acc, OX, slab, rowBase, ly * width, sx, lx, w, t);
                  }
                }
                for (; ky < KY; ky++) {
                  const rowBase = (kz * slabRows + r * sy + ky * ly) * width;
                  let kx = 0;
                  for (; kx + 3 <= KX; kx += 3, t += 3) {
                    accumulateRow3(acc, OX, slab, rowBase + kx * lx, sx, lx, w[t], w[t + 1], w[t + 2]);
                  }
                  for (; kx < KX; kx++, t++) accumulateRow1(acc, OX, slab, rowBase + kx * lx, sx, w[t]);
                }
              }
              const o = ((n * g.outChannels + m) * OZ + oz) * OY * OX + (oy0 + r) * OX;
              storeRow(out, o, acc, OX, bias);
            }
          }
        }
      }
    }
  }
}

/**
 * acc[o] += w0·row[o·step] + w1·row[o·step + gap] + w2·row[o·step + 2·gap], summed left to
 * right — the same order as three single-tap passes, with one load and store of acc instead
 * of three. Small functions on purpose: TurboFan optimizes them early and they stay stable,
 * where one deep loop nest needed a slow OSR compile and deoptimized several times.
 */
function accumulateRow3(
  acc: Doubles,
  count: number,
  slab: Doubles,
  start: number,
  step: number,
  gap: number,
  w0: number,
  w1: number,
  w2: number,
): void {
  let i = start;
  const g2 = 2 * gap;
  for (let o = 0; o < count; o++, i += step) {
    acc[o] = acc[o] + w0 * slab[i] + w1 * slab[i + gap] + w2 * slab[i + g2];
  }
}

/**
 * Nine taps (3 rows `rowGap` apart × 3 columns `gap` apart) added to acc[o] left to right, in
 * the same order as nine single-tap passes, with the sum kept in a register.
 */
function accumulate3x3(
  acc: Doubles,
  count: number,
  slab: Doubles,
  start: number,
  rowGap: number,
  step: number,
  gap: number,
  w: FloatArray,
  t: number,
): void {
  const w0 = w[t],
    w1 = w[t + 1],
    w2 = w[t + 2];
  const w3 = w[t + 3],
    w4 = w[t + 4],
    w5 = w[t + 5];
  const w6 = w[t + 6],
    w7 = w[t + 7],
    w8 = w[t + 8];
  const g2 = 2 * gap;
  let i0 = start;
  let i1 = start + rowGap;
  let i2 = start + 2 * rowGap;
  for (let o = 0; o < count; o++, i0 += step, i1 += step, i2 += step) {
    let v = acc[o];
    v += w0 * slab[i0];
    v += w1 * slab[i0 + gap];
    v += w2 * slab[i0 + g2];
    v += w3 * slab[i1];
    v += w4 * slab[i1 + gap];
    v += w5 * slab[i1 + g2];
    v += w6 * slab[i2];
    v += w7 * slab[i2 + gap];
    v += w8 * slab[i2 + g2];
    acc[o] = v;
  }
}

/** acc[o] += w·row[o·step]. */
function accumulateRow1(acc: Doubles, count: number, slab: Doubles, start: number, step: number, w: number): void {
  let i = start;
  for (let o = 0; o < count; o++, i += step) acc[o] += w * slab[i];
}

/** out[o …] = acc (+ bias), rounding to the output's precision. Without a bias, no `+ 0` (it would turn −0 into +0). */
function storeRow(out: FloatArray, o: number, acc: Doubles, count: number, bias: number | undefined): void {
  if (bias === undefined) {
    for (let i = 0; i < count; i++) out[o + i] = acc[i];
  } else {
    for (let i = 0; i < count; i++) out[o + i] = acc[i] + bias;
  }
}

/**
 * Copies the input rows that output rows oy0 … oy0+rows−1 of slice oz read, for every kz, into
 * `slab` as KZ planes of `slabRows` rows of `width` values; positions in the padding are 0.
 */
function fillSlab(
  slab: Doubles,
  x: FloatArray,
  plane: number,
  lifted: Axes3d,
  oz: number,
  oy0: number,
  usedRows: number,
  slabRows: number,
  width: number,
): void {
  const {
    input: [dz, dy, dx],
    kernel: [KZ],
    strides: [sz, sy],
    dilations: [lz],
    padsBegin: [pz, py, px],
  } = lifted;
  for (let kz = 0; kz < KZ; kz++) {
    const iz = oz * sz - pz + kz * lz;
    for (let r = 0; r < usedRows; r++) {
      const iy = oy0 * sy - py + r;
      let d = (kz * slabRows + r) * width;
      if (iz < 0 || iz >= dz || iy < 0 || iy >= dy) {
        slab.fill(0, d, d + width);
        continue;
      }
      const src = plane + (iz * dy + iy) * dx;
      // Slab column u holds input column u − px.
      const lo = Math.min(width, Math.max(0, px));
      const hi = Math.max(lo, Math.min(width, dx + px));
      slab.fill(0, d, d + lo);
      for (let u = lo; u < hi; u++) slab[d + u] = x[src + u - px];
      slab.fill(0, d + hi, d + width);
      d += width;
    }
  }
}
