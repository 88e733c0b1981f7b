/**
 * The fast judge for float32 ConvTranspose kernels: the sums of `reference.ts` in plain float64,
 * computed as the scatter the definition describes — every input element x[n, c, i] adds
 * w[c, m mod (M/G), k]·x[n, c, i] to y[n, m, i·s − pad_begin + k·d] — a whole input row per
 * weight tap, so the inner loop runs along contiguous input.
 *
 * Sound for the reason the conv fast judge is (`../conv/fast-reference.ts`): the products of
 * float32 data are exact in float64, and recursive summation in any order has error
 * ≤ γ(n)(2⁻⁵³)·(Σ|w·x| + |b|), which `judgeError('plain64', …)` adds to the kernel's bound. Each
 * output gets exactly the terms the gather of the reference sums — the same (input, tap) pairs —
 * so exact data stay exact and NaN/±∞ in x propagate as there; no inserted zero is ever
 * multiplied (the cases put non-finite values only into x, see `cases.ts`). A float64 kernel
 * needs the compensated reference: `trustedConvTranspose` chooses.
 */
import { applyActivation } from '../../activation.js';
import type { Precision, Tensor } from '../../contract.js';
import { axes3d } from '../../geometry.js';
import { absOf } from '../conv/fast-reference.js';
import type { JudgeResult, ReferenceResult } from '../operator.js';
import type { ConvTransposeAttributes } from './contract.js';
import { convTransposeGeometry } from './geometry.js';
import { referenceConvTranspose } from './reference.js';

/** First i ≥ 0 with i·s + t ≥ 0, and one past the last i < D with i·s + t < O (t = k·d − pad_begin). */
function scatterRange(D: number, s: number, t: number, O: number): [number, number] {
  const lo = t >= 0 ? 0 : Math.ceil(-t / s);
  const hi = Math.min(D, Math.floor((O - 1 - t) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/** ConvTranspose in plain float64 with Σ|w·x| + |b| per element; same semantics as `referenceConvTranspose`. */
export function fastReferenceConvTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes): ReferenceResult {
  const g = convTransposeGeometry(x, w, b, attrs, 'fastReferenceConvTranspose');
  const { input: [D0, D1, D2], kernel: [K0, K1, K2], output: [O0, O1, O2], strides: [S0, S1, S2], dilations: [L0, L1, L2], padsBegin: [P0, P1, P2] } = axes3d(g);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const M = g.outChannels;
  const plane = O0 * O1 * O2;
  const inPlane = D0 * D1 * D2;
  const taps = K0 * K1 * K2;
  const xd = x.data;
  const wd = w.data;
  const ax = absOf(xd);
  const out = new Float64Array(g.batch * M * plane);
  const mag = new Float64Array(out.length);
  if (b) {
    for (let n = 0; n < g.batch; n++) {
      for (let m = 0; m < M; m++) {
        out.fill(b.data[m], (n * M + m) * plane, (n * M + m + 1) * plane);
        mag.fill(Math.abs(b.data[m]), (n * M + m) * plane, (n * M + m + 1) * plane);
      }
    }
  }
  const r0 = Array.from({ length: K0 }, (_, k) => scatterRange(D0, S0, k * L0 - P0, O0));
  const r1 = Array.from({ length: K1 }, (_, k) => scatterRange(D1, S1, k * L1 - P1, O1));
  const r2 = Array.from({ length: K2 }, (_, k) => scatterRange(D2, S2, k * L2 - P2, O2));
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.inChannels; c++) {
      const grp = Math.floor(c / cg);
      const xChan = (n * g.inChannels + c) * inPlane;
      for (let mm = 0; mm < mg; mm++) {
        const yChan = (n * M + grp * mg + mm) * plane;
        const wTap0 = (c * mg + mm) * taps;
        for (let k0 = 0; k0 < K0; k0++) {
          const [lo0, hi0] = r0[k0];
          for (let k1 = 0; k1 < K1; k1++) {
            const [lo1, hi1] = r1[k1];
            for (let k2 = 0; k2 < K2; k2++) {
              const [lo2, hi2] = r2[k2];
              const wv = wd[wTap0 + (k0 * K1 + k1) * K2 + k2];
              scatterTap(out, mag, xd, ax, wv, Math.abs(wv), xChan, yChan, lo0, hi0, lo1, hi1, lo2, hi2, D1, D2, O1, O2, S0, S1, S2, k0 * L0 - P0, k1 * L1 - P1, k2 * L2 - P2);
            }
          }
        }
      }
    }
  }
  if (attrs.activation !== undefined) for (let i = 0; i < out.length; i++) out[i] = applyActivation(attrs.activation, out[i]);
  return { output: { shape: [...g.outputShape], data: out }, magnitude: mag, termCount: g.reductionLength + (b ? 1 : 0) };
}

/**
 * One weight tap: y[o] += wv·x[i], mag[o] += |wv|·|x[i]| for every input position i of the tap's
 * range, o = i·s + t per axis. Its own function, so V8 optimizes the row loop as a unit.
 */
function scatterTap(
  out: Float64Array, mag: Float64Array, xd: ArrayLike<number>, ax: Float64Array, wv: number, awv: number, xChan: number, yChan: number,
  lo0: number, hi0: number, lo1: number, hi1: number, lo2: number, hi2: number,
  D1: number, D2: number, O1: number, O2: number, S0: number, S1: number, S2: number, t0: number, t1: number, t2: number,
): void {
  for (let i0 = lo0; i0 < hi0; i0++) {
    const o0 = i0 * S0 + t0;
    for (let i1 = lo1; i1 < hi1; i1++) {
      const o1 = i1 * S1 + t1;
      const xRow = xChan + (i0 * D1 + i1) * D2;
      const yRow = yChan + (o0 * O1 + o1) * O2 + t2; // output of input i2: yRow + i2·S2
      for (let i2 = lo2; i2 < hi2; i2++) {
        const o = yRow + i2 * S2;
        out[o] += wv * xd[xRow + i2];
        mag[o] += awv * ax[xRow + i2];
      }
    }
  }
}

/** The judge for a ConvTranspose kernel of this precision: plain float64 for float32 kernels, compensated for float64 ones. */
export function trustedConvTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes, precision: Precision): JudgeResult {
  return precision !== 'float64'
    ? { ...fastReferenceConvTranspose(x, w, b, attrs), accumulation: 'plain64' }
    : { ...referenceConvTranspose(x, w, b, attrs), accumulation: 'compensated' };
}
