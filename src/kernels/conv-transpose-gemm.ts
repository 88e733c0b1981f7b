/**
 * ConvTranspose for the im2col kernel: one GEMM and a scatter (col2im), instead of a conv over the
 * zero-inserted input. Per group, cols = Wᵀ·X — a row per (output channel, kernel tap), a column
 * per (batch, input position), K = C/group — and every value of cols is added into the one output
 * element its tap reaches: o = i·s − pad_begin + k·d per axis, skipped when outside the output.
 * The conv lowering multiplies the s^rank − 1 inserted zeros too: FCN-8s's 16×16 stride-8
 * upsampling (21 → 21 channels, 70×70 → 568×568) is 0.55 G multiply-adds done this way and 36 G
 * through the zero-inserted conv.
 *
 * Numerics: each output is a sum of the same w·x products (and the bias) as the definition,
 * summed over the channels in the GEMM, then over the taps here, in the kernel's precision — a
 * different order, the same recursive-summation error bound.
 */
import type { Tensor } from '../contract.js';
import type { GemmBlocking, GemmWorkspace } from '../numeric/gemm.js';
import { StridedPackB, gemm } from '../numeric/gemm.js';
import type { ConvTransposeAttributes } from '../operators/conv-transpose/contract.js';
import type { ScatterTap } from '../operators/conv-transpose/geometry.js';
import { convTransposeGeometry, scatterPlan } from '../operators/conv-transpose/geometry.js';

type Data = Float32Array | Float64Array;

/** y = ConvTranspose(x, w, b) in the precision of `Out`, by GEMM + scatter (see the module comment); no activation. */
export function gemmConvTranspose(
  ws: GemmWorkspace,
  blocking: GemmBlocking,
  budgetBytes: number,
  Out: { new (n: number): Data },
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  attrs: ConvTransposeAttributes,
): Tensor {
  const g = convTransposeGeometry(x, w, b, attrs);
  const { layout, taps: scatter } = scatterPlan(g);
  const { inPlane, plane, taps, S2 } = layout;
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const M = g.outChannels;
  const rows = mg * taps;
  const cols = g.batch * inPlane;
  const y = new Out(g.batch * M * plane);
  if (b) for (let n = 0; n < g.batch; n++) for (let m = 0; m < M; m++) y.fill(b.data[m], (n * M + m) * plane, (n * M + m + 1) * plane);
  const wt = new Out(rows * cg);
  const c = new Out(rows * cols);
  const packB = new StridedPackB();
  for (let grp = 0; grp < g.group; grp++) {
    // Wᵀ of the group: wt[(m·taps + t)·cg + ch] = w[((grp·cg + ch)·mg + m)·taps + t]
    for (let ch = 0; ch < cg; ch++) {
      const src = (grp * cg + ch) * rows;
      for (let r = 0; r < rows; r++) wt[r * cg + ch] = w.data[src + r];
    }
    // X of the group as a [cg × batch·inPlane] matrix: column n·inPlane + p of row ch is x[n, grp·cg + ch, p]
    gemm(ws, blocking, budgetBytes, {
      M: rows,
      N: cols,
      K: cg,
      a: wt,
      aOffset: 0,
      lda: cg,
      packB: packB.reset(x.data, {
        offset: grp * cg * inPlane,
        rowStride: inPlane,
        colStride: 1,
        groupSize: inPlane,
        groupStride: g.inChannels * inPlane,
      }),
      out: c,
      outLayout: { offset: 0, rowStride: cols, colStride: 1, groupSize: cols, groupStride: 0 },
      bias: undefined,
      biasOffset: 0,
    });
    for (let n = 0; n < g.batch; n++) {
      for (let m = 0; m < mg; m++) {
        const yChan = (n * M + grp * mg + m) * plane;
        for (const tp of scatter) scatterRow(y, c, (m * taps + tp.tap) * cols + n * inPlane, yChan, tp, S2);
      }
    }
  }
  return { shape: [...g.outputShape], data: y };
}

/** y[o] += c[row + i] for every input position i of one tap's rows (its own function, so V8 optimizes the loop as a unit). */
function scatterRow(y: Data, c: Data, row: number, yChan: number, tp: ScatterTap, S2: number): void {
  const { rows, lo2, hi2 } = tp;
  for (let r = 0; r < rows.length; r += 2) {
    const src = row + rows[r];
    const dst = yChan + rows[r + 1];
    for (let i2 = lo2; i2 < hi2; i2++) y[dst + i2 * S2] += c[src + i2];
  }
}
