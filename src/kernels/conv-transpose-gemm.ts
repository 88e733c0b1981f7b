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
import { axes3d } from '../geometry.js';
import type { GemmBlocking, GemmWorkspace } from '../numeric/gemm.js';
import { StridedPackB, gemm } from '../numeric/gemm.js';
import type { ConvTransposeAttributes } from '../operators/conv-transpose/contract.js';
import { convTransposeGeometry } from '../operators/conv-transpose/geometry.js';

type Data = Float32Array | Float64Array;

/** First i ≥ 0 with i·s + t ≥ 0, and one past the last i < D with i·s + t < O. */
function inputRange(D: number, s: number, t: number, O: number): [number, number] {
  const lo = t >= 0 ? 0 : Math.ceil(-t / s);
  const hi = Math.min(D, Math.floor((O - 1 - t) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

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
  const { input: [D0, D1, D2], kernel: [K0, K1, K2], output: [O0, O1, O2], strides: [S0, S1, S2], dilations: [L0, L1, L2], padsBegin: [P0, P1, P2] } = axes3d(g);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const M = g.outChannels;
  const taps = K0 * K1 * K2;
  const inPlane = D0 * D1 * D2;
  const plane = O0 * O1 * O2;
  const rows = mg * taps;
  const cols = g.batch * inPlane;
  const y = new Out(g.batch * M * plane);
  if (b) for (let n = 0; n < g.batch; n++) for (let m = 0; m < M; m++) y.fill(b.data[m], (n * M + m) * plane, (n * M + m + 1) * plane);
  const wt = new Out(rows * cg);
  const c = new Out(rows * cols);
  const packB = new StridedPackB();
  const r0 = Array.from({ length: K0 }, (_, k) => inputRange(D0, S0, k * L0 - P0, O0));
  const r1 = Array.from({ length: K1 }, (_, k) => inputRange(D1, S1, k * L1 - P1, O1));
  const r2 = Array.from({ length: K2 }, (_, k) => inputRange(D2, S2, k * L2 - P2, O2));
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
      packB: packB.reset(x.data, { offset: grp * cg * inPlane, rowStride: inPlane, colStride: 1, groupSize: inPlane, groupStride: g.inChannels * inPlane }),
      out: c,
      outLayout: { offset: 0, rowStride: cols, colStride: 1, groupSize: cols, groupStride: 0 },
      bias: undefined,
      biasOffset: 0,
    });
    for (let n = 0; n < g.batch; n++) {
      for (let m = 0; m < mg; m++) {
        const yChan = (n * M + grp * mg + m) * plane;
        for (let k0 = 0; k0 < K0; k0++) {
          const [lo0, hi0] = r0[k0];
          for (let k1 = 0; k1 < K1; k1++) {
            const [lo1, hi1] = r1[k1];
            for (let k2 = 0; k2 < K2; k2++) {
              const [lo2, hi2] = r2[k2];
              const row = (m * taps + (k0 * K1 + k1) * K2 + k2) * cols + n * inPlane;
              scatterRow(y, c, row, yChan, lo0, hi0, lo1, hi1, lo2, hi2, D1, D2, O1, O2, S0, S1, S2, k0 * L0 - P0, k1 * L1 - P1, k2 * L2 - P2);
            }
          }
        }
      }
    }
  }
  return { shape: [...g.outputShape], data: y };
}

/** y[o] += c[row + i] for every input position i of one tap's range, o = i·s + t per axis (its own function, so V8 optimizes the loop as a unit). */
function scatterRow(
  y: Data, c: Data, row: number, yChan: number,
  lo0: number, hi0: number, lo1: number, hi1: number, lo2: number, hi2: number,
  D1: number, D2: number, O1: number, O2: number, S0: number, S1: number, S2: number, t0: number, t1: number, t2: number,
): void {
  for (let i0 = lo0; i0 < hi0; i0++) {
    const o0 = i0 * S0 + t0;
    for (let i1 = lo1; i1 < hi1; i1++) {
      const src = row + (i0 * D1 + i1) * D2;
      const dst = yChan + (o0 * O1 + i1 * S1 + t1) * O2 + t2;
      for (let i2 = lo2; i2 < hi2; i2++) y[dst + i2 * S2] += c[src + i2];
    }
  }
}
