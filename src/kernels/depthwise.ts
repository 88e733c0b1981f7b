/**
 * Direct depthwise convolution (group = C, any depth multiplier): output channel
 * m = c·multiplier + j reads input channel c only, so lowering it to GEMM would give C GEMMs
 * with K = ∏k (9 for 3×3) — all packing and no reuse. Instead each input channel is copied,
 * zero-padded and converted to float64, into a slab, and every output row is accumulated tap by
 * tap from it: the slab has no borders to test, and the padded zeros are multiplied like any
 * other input value (the ONNX definition, and the same arithmetic as the im2col path).
 */
import type { FloatArray, GemmWorkspace } from './gemm.js';
import type { Conv3d } from './im2col.js';

/**
 * y = depthwise conv of x with w (+ b) into `out` ([N, M, O…] row-major). The padded input slab
 * covers a band of output rows at a time, sized to keep it inside `budgetBytes`.
 */
export function depthwiseConv(
  ws: GemmWorkspace,
  budgetBytes: number,
  s: Conv3d,
  x: FloatArray,
  w: FloatArray,
  b: FloatArray | undefined,
  out: FloatArray,
): void {
  const { kz: KZ, ky: KY, kx: KX, oz: OZ, oy: OY, ox: OX, sy, sx, ly, lx } = s;
  const mult = s.mg;
  const taps = s.kernelSize;
  // Slab row: input columns −px … (OX−1)·sx − px + lx·(KX−1), i.e. exactly what the windows read.
  const width = (OX - 1) * sx + lx * (KX - 1) + 1;
  const effY = ly * (KY - 1) + 1;
  // Output rows per band: the slab holds KZ planes of (rows·sy + effY − sy) slab rows.
  const budgetElems = Math.floor(budgetBytes / 8) - OX;
  const rowsFit = Math.floor((budgetElems / (KZ * width) - effY) / sy) + 1;
  const band = Math.max(1, Math.min(OY, rowsFit));
  const slabRows = (band - 1) * sy + effY;
  const slab = ws.scratch(KZ * slabRows * width);
  const acc = ws.scratch2(OX);
  for (let n = 0; n < s.batch; n++) {
    for (let c = 0; c < s.inChannels; c++) {
      const plane = (n * s.inChannels + c) * s.inSize;
      for (let oz = 0; oz < OZ; oz++) {
        for (let oy0 = 0; oy0 < OY; oy0 += band) {
          const rows = Math.min(band, OY - oy0);
          const usedRows = (rows - 1) * sy + effY;
          fillSlab(slab, x, plane, s, oz, oy0, usedRows, slabRows, width);
          for (let j = 0; j < mult; j++) {
            const m = c * mult + j;
            const wBase = m * taps;
            const bias = b === undefined ? undefined : b[m];
            for (let r = 0; r < rows; r++) {
              acc.fill(-0, 0, OX);
              let t = wBase;
              for (let kz = 0; kz < KZ; kz++) {
                for (let ky = 0; ky < KY; ky++) {
                  const rowBase = (kz * slabRows + r * sy + ky * ly) * width;
                  for (let kx = 0; kx < KX; kx++, t++) {
                    const wt = w[t];
                    let i = rowBase + kx * lx;
                    for (let ox = 0; ox < OX; ox++, i += sx) acc[ox] += wt * slab[i];
                  }
                }
              }
              let o = ((n * s.outChannels + m) * OZ + oz) * OY * OX + (oy0 + r) * OX;
              if (bias === undefined) {
                for (let ox = 0; ox < OX; ox++) out[o++] = acc[ox];
              } else {
                for (let ox = 0; ox < OX; ox++) out[o++] = acc[ox] + bias;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Copies the input rows that output rows oy0 … oy0+rows−1 of slice oz read, for every kz, into
 * `slab` as KZ planes of `slabRows` rows of `width` values; positions in the padding are 0.
 */
function fillSlab(
  slab: Float64Array,
  x: FloatArray,
  plane: number,
  s: Conv3d,
  oz: number,
  oy0: number,
  usedRows: number,
  slabRows: number,
  width: number,
): void {
  const { dz, dy, dx, kz: KZ, sz, sy, lz, pz, py, px } = s;
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
