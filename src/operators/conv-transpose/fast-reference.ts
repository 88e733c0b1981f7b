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
import { PRECISION_FACTS } from '../../precision.js';
import { absOf } from '../conv/fast-reference.js';
import type { JudgeResult, ReferenceResult } from '../operator.js';
import type { ConvTransposeAttributes } from './contract.js';
import type { ScatterTap } from './geometry.js';
import { convTransposeGeometry, scatterPlan } from './geometry.js';
import { referenceConvTranspose } from './reference.js';

/** ConvTranspose in plain float64 with Σ|w·x| + |b| per element; same semantics as `referenceConvTranspose`. */
export function fastReferenceConvTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes): ReferenceResult {
  const g = convTransposeGeometry(x, w, b, attrs, 'fastReferenceConvTranspose');
  const { layout, taps: scatter } = scatterPlan(g);
  const { inPlane, plane, taps, S2 } = layout;
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const M = g.outChannels;
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
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.inChannels; c++) {
      const grp = Math.floor(c / cg);
      const xChan = (n * g.inChannels + c) * inPlane;
      for (let mm = 0; mm < mg; mm++) {
        const yChan = (n * M + grp * mg + mm) * plane;
        const wTap0 = (c * mg + mm) * taps;
        for (const tp of scatter) {
          const wv = wd[wTap0 + tp.tap];
          scatterTap(out, mag, xd, ax, wv, Math.abs(wv), xChan, yChan, tp, S2);
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
  out: Float64Array,
  mag: Float64Array,
  xd: ArrayLike<number>,
  ax: Float64Array,
  wv: number,
  awv: number,
  xChan: number,
  yChan: number,
  tp: ScatterTap,
  S2: number,
): void {
  const { rows, lo2, hi2 } = tp;
  for (let r = 0; r < rows.length; r += 2) {
    const xRow = xChan + rows[r];
    const yRow = yChan + rows[r + 1]; // output of input i2: yRow + i2·S2
    for (let i2 = lo2; i2 < hi2; i2++) {
      const o = yRow + i2 * S2;
      out[o] += wv * xd[xRow + i2];
      mag[o] += awv * ax[xRow + i2];
    }
  }
}

/** The judge for a ConvTranspose kernel of this precision: plain float64 for float32 kernels, compensated for float64 ones. */
export function trustedConvTranspose(
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  attrs: ConvTransposeAttributes,
  precision: Precision,
): JudgeResult {
  return PRECISION_FACTS[precision].plainFloat64Judges
    ? { ...fastReferenceConvTranspose(x, w, b, attrs), accumulation: 'plain64' }
    : { ...referenceConvTranspose(x, w, b, attrs), accumulation: 'compensated' };
}
