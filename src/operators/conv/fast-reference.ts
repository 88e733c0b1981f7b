/**
 * The fast judge for float32 kernels: the same sums as `reference.ts`, accumulated in plain
 * float64 — no compensation — in a loop order chosen for speed (a whole output plane per weight
 * tap, so the innermost loop runs along a contiguous output row).
 *
 * Why plain float64 suffices for a float32 kernel. The data are float32 values, so each product
 * w·x (24 × 24 significant bits ≤ 53) is exact in float64, and the only error is the summation's:
 * recursive summation of n terms in unit roundoff u₆₄ = 2⁻⁵³, in any order, satisfies
 *
 *     |ŷ − y| ≤ γ(n−1)(2⁻⁵³)·Σ|terms| ≤ γ(n)(2⁻⁵³)·(Σ|w·x| + |b|)        (Higham, §4.2)
 *
 * while a float32 kernel is allowed 2·γ(n)(2⁻²⁴)·(Σ|w·x| + |b|) + 2⁻²³·|y|: the judge's own
 * error is below 2⁻³⁰ of the kernel's allowance, for every n with n·2⁻²⁴ < 1. `judgeError` gives
 * that error bound per element, and the catalog adds it to the kernel's bound when this judge
 * supplies the expectation, so a correct kernel can never be rejected because of the judge, and
 * a wrong one gains at most a relative 2⁻³⁰ of slack. On exact-integer data every partial sum is
 * an integer below 2²⁴, so the judge is exact there, like the compensated reference; NaN and ±∞
 * propagate by plain IEEE arithmetic (padding taps are skipped, not multiplied by zero, as in
 * the compensated reference).
 *
 * For a float64 kernel a plain float64 sum has errors of the kernel's own size, so it cannot
 * judge one: `trustedConv` / `trustedDense` pick the compensated reference for those.
 */
import type { Precision, Tensor } from '../../contract.js';
import type { JudgeResult, ReferenceResult } from '../operator.js';
import type { ConvAttributes } from './contract.js';
import type { ConvGeometry } from './geometry.js';
import { convGeometry } from './geometry.js';
import { referenceConv } from './reference.js';

const asF64 = (d: Float32Array | Float64Array): Float64Array => (d instanceof Float64Array ? d : Float64Array.from(d));

function absOf(d: Float64Array): Float64Array {
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.abs(d[i]);
  return out;
}

/** First o with o·s − p + t ≥ 0, and one past the last o < O with o·s − p + t < D. */
function validRange(O: number, s: number, p: number, t: number, D: number): [number, number] {
  const off = t - p; // input index of output 0
  const lo = off >= 0 ? 0 : Math.ceil(-off / s);
  const hi = Math.min(O, Math.floor((D - 1 - off) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/** Output positions lowered per tile: T·R values of x stay in cache while every output channel reads them. */
const TILE = 16;

/**
 * Conv in plain float64 with Σ|w·x| + |b| per element (see the module comment for why this
 * judges float32 kernels soundly). Same semantics as `referenceConv`.
 *
 * Method: per batch item, group and tile of output positions, the receptive fields are lowered
 * into rows col[t][r] (r = c·∏k + tap, zero at padding taps), then every output is one dot
 * product over r, computed two output channels × two positions at a time (eight accumulators:
 * four sums, four magnitudes), each accumulated in order r = 0, 1, …, after the bias.
 * A zero at a padding tap adds an exact 0 — the same as skipping the tap — unless a weight is
 * non-finite (Inf·0 = NaN); weights with NaN/±∞ and padding go through the direct loop instead.
 */
export function fastReferenceConv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes, options: { magnitude?: boolean } = {}): ReferenceResult {
  const g = convGeometry(x, w, b, attrs, 'fastReferenceConv');
  // without magnitudes (exact and special data are judged by equality) half the arithmetic;
  // the magnitudes are then NaN, so a float-regime bound built on them could never pass
  const withMagnitude = options.magnitude ?? true;
  const wd = asF64(w.data);
  const padded = g.padsBegin.some((p) => p > 0) || g.padsEnd.some((p) => p > 0);
  if (padded && !wd.every(Number.isFinite)) return directConv(g, asF64(x.data), wd, b ? asF64(b.data) : undefined);
  const lift = (v: readonly number[], fill: number) => [...new Array(3 - g.rank).fill(fill), ...v];
  const [D0, D1, D2] = lift(g.inSpatial, 1);
  const [K0, K1, K2] = lift(g.kernelSpatial, 1);
  const [, O1, O2] = lift(g.outSpatial, 1);
  const [S0, S1, S2] = lift(g.strides, 1);
  const [L0, L1, L2] = lift(g.dilations, 1);
  const [P0, P1, P2] = lift(g.padsBegin, 0);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const M = g.outChannels;
  const taps = K0 * K1 * K2;
  const R = cg * taps;
  const plane = g.outSpatialSize;
  const inPlane = D0 * D1 * D2;
  const xd = asF64(x.data);
  const bd = b ? asF64(b.data) : undefined;
  const out = new Float64Array(g.batch * M * plane);
  const mag = new Float64Array(out.length);
  if (!withMagnitude) mag.fill(Number.NaN);
  const col = new Float64Array(TILE * R);
  // offset of each tap within a channel plane, relative to the window origin, and its per-axis taps
  const tapOff = new Int32Array(taps);
  const tapK = Array.from({ length: taps }, (_, t) => [Math.floor(t / (K1 * K2)), Math.floor(t / K2) % K1, t % K2]);
  for (let t = 0; t < taps; t++) tapOff[t] = (tapK[t][0] * L0 * D1 + tapK[t][1] * L1) * D2 + tapK[t][2] * L2;
  for (let n = 0; n < g.batch; n++) {
    for (let grp = 0; grp < g.group; grp++) {
      const xGroup = (n * g.inChannels + grp * cg) * inPlane;
      for (let p0 = 0; p0 < plane; p0 += TILE) {
        const T = Math.min(TILE, plane - p0);
        // lower the tile
        for (let t = 0; t < T; t++) {
          const p = p0 + t;
          const o0 = Math.floor(p / (O1 * O2));
          const o1 = Math.floor(p / O2) % O1;
          const o2 = p % O2;
          const s0 = o0 * S0 - P0;
          const s1 = o1 * S1 - P1;
          const s2 = o2 * S2 - P2;
          const origin = (s0 * D1 + s1) * D2 + s2;
          const row = t * R;
          for (let tap = 0; tap < taps; tap++) {
            const k = tapK[tap];
            const i0 = s0 + k[0] * L0;
            const i1 = s1 + k[1] * L1;
            const i2 = s2 + k[2] * L2;
            const inside = i0 >= 0 && i0 < D0 && i1 >= 0 && i1 < D1 && i2 >= 0 && i2 < D2;
            const src = xGroup + origin + tapOff[tap];
            for (let c = 0; c < cg; c++) {
              col[row + c * taps + tap] = inside ? xd[src + c * inPlane] : 0;
            }
          }
        }
        for (let mi = 0; mi < mg; mi += 2) {
          const ma = grp * mg + mi;
          const mb = mi + 1 < mg ? ma + 1 : ma; // an odd last channel is computed twice and written once
          const wa = ma * R;
          const wb = mb * R;
          const ba = bd ? bd[ma] : 0;
          const bb = bd ? bd[mb] : 0;
          for (let t = 0; t < T; t += 2) {
            const ta = t * R;
            const tb = (t + 1 < T ? t + 1 : t) * R;
            if (!withMagnitude) {
              let z00 = ba, z01 = ba, z10 = bb, z11 = bb;
              for (let r = 0; r < R; r++) {
                const w0 = wd[wa + r];
                const w1 = wd[wb + r];
                const v0 = col[ta + r];
                const v1 = col[tb + r];
                z00 += w0 * v0;
                z01 += w0 * v1;
                z10 += w1 * v0;
                z11 += w1 * v1;
              }
              const ia = (n * M + ma) * plane + p0 + t;
              const ib = (n * M + mb) * plane + p0 + t;
              out[ia] = z00;
              if (t + 1 < T) out[ia + 1] = z01;
              if (mb !== ma) {
                out[ib] = z10;
                if (t + 1 < T) out[ib + 1] = z11;
              }
              continue;
            }
            let y00 = ba, y01 = ba, y10 = bb, y11 = bb;
            let a00 = Math.abs(ba), a01 = a00, a10 = Math.abs(bb), a11 = a10;
            for (let r = 0; r < R; r++) {
              const w0 = wd[wa + r];
              const w1 = wd[wb + r];
              const v0 = col[ta + r];
              const v1 = col[tb + r];
              y00 += w0 * v0;
              y01 += w0 * v1;
              y10 += w1 * v0;
              y11 += w1 * v1;
              const q0 = Math.abs(w0);
              const q1 = Math.abs(w1);
              const u0 = Math.abs(v0);
              const u1 = Math.abs(v1);
              a00 += q0 * u0;
              a01 += q0 * u1;
              a10 += q1 * u0;
              a11 += q1 * u1;
            }
            const ia = (n * M + ma) * plane + p0 + t;
            out[ia] = y00;
            mag[ia] = a00;
            if (t + 1 < T) {
              out[ia + 1] = y01;
              mag[ia + 1] = a01;
            }
            if (mb !== ma) {
              const ib = (n * M + mb) * plane + p0 + t;
              out[ib] = y10;
              mag[ib] = a10;
              if (t + 1 < T) {
                out[ib + 1] = y11;
                mag[ib + 1] = a11;
              }
            }
          }
        }
      }
    }
  }
  return { output: { shape: [...g.outputShape], data: out }, magnitude: mag, termCount: g.reductionLength + (b ? 1 : 0) };
}

/**
 * The direct loop (padding taps skipped, as in `referenceConv`), accumulating a whole output
 * plane per weight tap; used when a non-finite weight meets padding.
 */
function directConv(g: ConvGeometry, xd: Float64Array, wd: Float64Array, bd: Float64Array | undefined): ReferenceResult {
  const lift = (v: readonly number[], fill: number) => [...new Array(3 - g.rank).fill(fill), ...v];
  const [D0, D1, D2] = lift(g.inSpatial, 1);
  const [K0, K1, K2] = lift(g.kernelSpatial, 1);
  const [O0, O1, O2] = lift(g.outSpatial, 1);
  const [S0, S1, S2] = lift(g.strides, 1);
  const [L0, L1, L2] = lift(g.dilations, 1);
  const [P0, P1, P2] = lift(g.padsBegin, 0);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const ax = absOf(xd);
  const plane = O0 * O1 * O2;
  const inPlane = D0 * D1 * D2;
  const taps = K0 * K1 * K2;
  const out = new Float64Array(g.batch * g.outChannels * plane);
  const mag = new Float64Array(out.length);
  const r0 = Array.from({ length: K0 }, (_, k) => validRange(O0, S0, P0, k * L0, D0));
  const r1 = Array.from({ length: K1 }, (_, k) => validRange(O1, S1, P1, k * L1, D1));
  const r2 = Array.from({ length: K2 }, (_, k) => validRange(O2, S2, P2, k * L2, D2));
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outChannels; m++) {
      const yBase = (n * g.outChannels + m) * plane;
      if (bd) {
        out.fill(bd[m], yBase, yBase + plane);
        mag.fill(Math.abs(bd[m]), yBase, yBase + plane);
      }
      const firstChannel = Math.floor(m / mg) * cg;
      for (let c = 0; c < cg; c++) {
        const xChan = (n * g.inChannels + firstChannel + c) * inPlane;
        const wChan = (m * cg + c) * taps;
        for (let k0 = 0; k0 < K0; k0++) {
          const [lo0, hi0] = r0[k0];
          for (let k1 = 0; k1 < K1; k1++) {
            const [lo1, hi1] = r1[k1];
            for (let k2 = 0; k2 < K2; k2++) {
              const [lo2, hi2] = r2[k2];
              const wv = wd[wChan + (k0 * K1 + k1) * K2 + k2];
              const awv = Math.abs(wv);
              for (let o0 = lo0; o0 < hi0; o0++) {
                const i0 = o0 * S0 - P0 + k0 * L0;
                for (let o1 = lo1; o1 < hi1; o1++) {
                  const i1 = o1 * S1 - P1 + k1 * L1;
                  const yRow = yBase + (o0 * O1 + o1) * O2;
                  const xRow = xChan + (i0 * D1 + i1) * D2 - P2 + k2 * L2; // input of output o2: xRow + o2·S2
                  for (let o2 = lo2; o2 < hi2; o2++) {
                    out[yRow + o2] += wv * xd[xRow + o2 * S2];
                    mag[yRow + o2] += awv * ax[xRow + o2 * S2];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return { output: { shape: [...g.outputShape], data: out }, magnitude: mag, termCount: g.reductionLength + (bd ? 1 : 0) };
}

/** The judge for a kernel of this precision: plain float64 for float32 kernels, compensated for float64 ones. */
export function trustedConv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes, precision: Precision, options: { magnitude?: boolean } = {}): JudgeResult {
  return precision !== 'float64' ? { ...fastReferenceConv(x, w, b, attrs, options), accumulation: 'plain64' } : { ...referenceConv(x, w, b, attrs), accumulation: 'compensated' };
}
