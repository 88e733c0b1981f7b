/**
 * Fast convolution algorithms that are accurate only normwise, written as plug-in kernels to
 * prove the normwise error model in both directions: Winograd F(2×2, 3×3) and F(4×4, 3×3) in
 * float32 arithmetic, and an FFT convolution in float64 — correct, and with planted precision bugs.
 *
 * Winograd runs on rank-2 problems with a 3×3 kernel, stride 1 and dilation 1 (any group,
 * padding, bias), like production Winograd kernels; other problems take a direct float32 loop.
 * The FFT runs on every rank-1 and rank-2 problem (dilation by zero-inserting the kernel, stride
 * by subsampling), rank 3 takes a direct loop.
 */
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import type { ConvAttributes } from '../../src/operators/conv/contract.js';
import { fftErrorFactor, WINOGRAD_F2x3, WINOGRAD_F4x3, winogradErrorFactor } from '../../src/bound/error-model.js';
import type { WinogradMatrices } from '../../src/bound/error-model.js';
import { roundToFloat16 } from '../../src/float16.js';

/** Rounds to a float with `bits` explicit significand bits, ties to even (TF32: 10, bfloat16: 7). */
export function roundSignificand(v: number, bits: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const e = Math.floor(Math.log2(Math.abs(v)));
  const q = 2 ** (e - bits);
  const s = v / q;
  const f = Math.floor(s);
  const d = s - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  return r * q;
}

const fr = Math.fround;

/** Planted Winograd bugs. */
export type WinogradBug = 'tf32-inputs' | 'bf16-inputs' | 'f16-accumulation' | 'wrong-coefficient';

/** x with explicit zero padding, as a [C, H, W] slice of batch n. */
function paddedPlane(x: Tensor, n: number, c: number, pads: readonly number[], H: number, W: number): Float64Array {
  const [, C, D0, D1] = x.shape;
  const out = new Float64Array(H * W);
  const base = (n * C + c) * D0 * D1;
  for (let i = 0; i < D0; i++) for (let j = 0; j < D1; j++) out[(i + pads[0]) * W + j + pads[1]] = x.data[base + i * D1 + j];
  return out;
}

/** out = Lᵀ-style product: rows × (α×α) × cols, every operation rounded by `r`. */
function sandwich(
  left: readonly (readonly number[])[],
  mid: Float64Array,
  midRows: number,
  midCols: number,
  rightT: readonly (readonly number[])[],
  r: (v: number) => number,
): Float64Array {
  // left: [p][midRows], rightT: [q][midCols]  →  out[p][q] = Σ_a Σ_b left[p][a]·mid[a][b]·rightT[q][b]
  const P = left.length;
  const Q = rightT.length;
  const tmp = new Float64Array(P * midCols);
  for (let p = 0; p < P; p++) {
    for (let b = 0; b < midCols; b++) {
      let s = 0;
      for (let a = 0; a < midRows; a++) {
        const c = left[p][a];
        if (c !== 0) s = r(s + r(c * mid[a * midCols + b]));
      }
      tmp[p * midCols + b] = s;
    }
  }
  const out = new Float64Array(P * Q);
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) {
      let s = 0;
      for (let b = 0; b < midCols; b++) {
        const c = rightT[q][b];
        if (c !== 0) s = r(s + r(tmp[p * midCols + b] * c));
      }
      out[p * Q + q] = s;
    }
  }
  return out;
}

/** Direct conv (any rank): products and sums rounded by `r` (float32 by default), result in `Out`. */
export function directConv(
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  a: ConvAttributes,
  r: (v: number) => number = fr,
  Out: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array,
): Tensor {
  const rank = x.shape.length - 2;
  const lift = (v: readonly number[], fill: number) => [...new Array(3 - rank).fill(fill), ...v];
  const [N, C] = x.shape;
  const M = w.shape[0];
  const D = lift(x.shape.slice(2), 1);
  const K = lift(w.shape.slice(2), 1);
  const S = lift(a.strides, 1);
  const L = lift(a.dilations, 1);
  const P = lift(a.pads.slice(0, rank), 0);
  const Pe = lift(a.pads.slice(rank), 0);
  const O = D.map((d, i) => Math.floor((d + P[i] + Pe[i] - (L[i] * (K[i] - 1) + 1)) / S[i]) + 1);
  const cg = C / a.group;
  const mg = M / a.group;
  const out = new Out(N * M * O[0] * O[1] * O[2]);
  let idx = 0;
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let o0 = 0; o0 < O[0]; o0++)
        for (let o1 = 0; o1 < O[1]; o1++)
          for (let o2 = 0; o2 < O[2]; o2++) {
            let s = b ? b.data[m] : 0;
            for (let c = 0; c < cg; c++) {
              const xc = Math.floor(m / mg) * cg + c;
              for (let k0 = 0; k0 < K[0]; k0++) {
                const i0 = o0 * S[0] - P[0] + k0 * L[0];
                if (i0 < 0 || i0 >= D[0]) continue;
                for (let k1 = 0; k1 < K[1]; k1++) {
                  const i1 = o1 * S[1] - P[1] + k1 * L[1];
                  if (i1 < 0 || i1 >= D[1]) continue;
                  for (let k2 = 0; k2 < K[2]; k2++) {
                    const i2 = o2 * S[2] - P[2] + k2 * L[2];
                    if (i2 < 0 || i2 >= D[2]) continue;
                    const xv = x.data[(((n * C + xc) * D[0] + i0) * D[1] + i1) * D[2] + i2];
                    const wv = w.data[(((m * cg + c) * K[0] + k0) * K[1] + k1) * K[2] + k2];
                    s = r(s + r(xv * wv));
                  }
                }
              }
            }
            out[idx++] = s;
          }
  const shape = [N, M, ...O.slice(3 - rank)];
  return { shape, data: out };
}

const isWinogradCase = (x: Tensor, w: Tensor, a: ConvAttributes) =>
  x.shape.length === 4 && w.shape[2] === 3 && w.shape[3] === 3 && a.strides.every((s) => s === 1) && a.dilations.every((d) => d === 1);

/** Winograd F(m×m, 3×3) conv in float32 arithmetic (every operation rounded), with an optional planted bug. */
export function winogradConv(
  mats: WinogradMatrices,
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  a: ConvAttributes,
  bug?: WinogradBug,
): Tensor {
  const round = (v: number) =>
    bug === 'tf32-inputs' ? fr(roundSignificand(v, 10)) : bug === 'bf16-inputs' ? fr(roundSignificand(v, 7)) : v;
  const [N, C, D0, D1] = x.shape;
  const M = w.shape[0];
  const m = mats.AT.length;
  const alpha = mats.BT.length;
  const H = D0 + a.pads[0] + a.pads[2];
  const W = D1 + a.pads[1] + a.pads[3];
  const O0 = H - 2;
  const O1 = W - 2;
  const cg = C / a.group;
  const mg = M / a.group;
  const G = bug === 'wrong-coefficient' ? mats.G.map((row, i) => (i === 3 ? row.map((v, j) => (j === 0 ? 1 / 12 : v)) : row)) : mats.G;
  const Gf = G.map((row) => row.map(fr)); // constants in float32
  // transformed weights U[m][c] = G g Gᵀ, α×α
  const U: Float64Array[] = [];
  for (let mo = 0; mo < M; mo++) {
    for (let c = 0; c < cg; c++) {
      const g = new Float64Array(9);
      for (let i = 0; i < 9; i++) g[i] = round(w.data[(mo * cg + c) * 9 + i]);
      U.push(sandwich(Gf, g, 3, 3, Gf, fr)); // G g Gᵀ
    }
  }
  const accRound = bug === 'f16-accumulation' ? roundToFloat16 : fr;
  const tilesR = Math.ceil(O0 / m);
  const tilesC = Math.ceil(O1 / m);
  const out = new Float32Array(N * M * O0 * O1);
  const tile = new Float64Array(alpha * alpha);
  const xr: Tensor = { shape: x.shape, data: x.data.map(round) };
  for (let n = 0; n < N; n++) {
    const planes = Array.from({ length: C }, (_, c) => paddedPlane(xr, n, c, a.pads, H, W));
    for (let tr = 0; tr < tilesR; tr++) {
      for (let tc = 0; tc < tilesC; tc++) {
        // V[c] = Bᵀ d B for every input channel (input beyond the padded extent reads zero)
        const V: Float64Array[] = [];
        for (let c = 0; c < C; c++) {
          for (let i = 0; i < alpha; i++)
            for (let j = 0; j < alpha; j++) {
              const r = tr * m + i;
              const s = tc * m + j;
              tile[i * alpha + j] = r < H && s < W ? planes[c][r * W + s] : 0;
            }
          V.push(sandwich(mats.BT, tile, alpha, alpha, mats.BT, fr));
        }
        for (let mo = 0; mo < M; mo++) {
          const first = Math.floor(mo / mg) * cg;
          const Macc = new Float64Array(alpha * alpha);
          for (let c = 0; c < cg; c++) {
            const u = U[mo * cg + c];
            const v = V[first + c];
            for (let e = 0; e < alpha * alpha; e++) Macc[e] = accRound(Macc[e] + fr(u[e] * v[e]));
          }
          const Y = sandwich(mats.AT, Macc, alpha, alpha, mats.AT, fr);
          for (let i = 0; i < m; i++)
            for (let j = 0; j < m; j++) {
              const r = tr * m + i;
              const s = tc * m + j;
              if (r < O0 && s < O1) out[((n * M + mo) * O0 + r) * O1 + s] = b ? fr(Y[i * m + j] + b.data[mo]) : Y[i * m + j];
            }
        }
      }
    }
  }
  return { shape: [N, M, O0, O1], data: out };
}

/** A float32 Winograd F(m×m, 3×3) kernel declaring the normwise model with κ from its transform matrices. */
export function winogradKernel(m: 2 | 4, bug?: WinogradBug): KernelUnderTest {
  const mats = m === 2 ? WINOGRAD_F2x3 : WINOGRAD_F4x3;
  return {
    name: `test:winograd-f${m}x3${bug ? `-${bug}` : ''}`,
    precision: 'float32',
    errorModel: 'normwise',
    errorFactor: winogradErrorFactor(mats),
    // a transform spreads one NaN or Infinity over its whole tile
    capabilities: { specialValues: false },
    conv: (x, w, b, a) => (isWinogradCase(x, w, a) ? winogradConv(mats, x, w, b, a, bug) : directConv(x, w, b, a)),
  };
}

// ---------------------------------------------------------------------------------------------
// FFT convolution (float64).

/** Planted FFT bugs. */
export type FftBug = 'tf32-inputs' | 'float32-twiddles';

/** In-place iterative radix-2 FFT of length L (power of two) over interleaved re/im at stride. */
function fft1d(
  re: Float64Array,
  im: Float64Array,
  offset: number,
  stride: number,
  L: number,
  inverse: boolean,
  cos: Float64Array,
  sin: Float64Array,
): void {
  // bit reversal
  for (let i = 1, j = 0; i < L; i++) {
    let bit = L >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const a = offset + i * stride;
      const c = offset + j * stride;
      [re[a], re[c]] = [re[c], re[a]];
      [im[a], im[c]] = [im[c], im[a]];
    }
  }
  for (let len = 2; len <= L; len <<= 1) {
    const step = L / len;
    for (let i = 0; i < L; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = cos[k * step];
        const wi = inverse ? -sin[k * step] : sin[k * step];
        const a = offset + (i + k) * stride;
        const c = offset + (i + k + len / 2) * stride;
        const tr = re[c] * wr - im[c] * wi;
        const ti = re[c] * wi + im[c] * wr;
        re[c] = re[a] - tr;
        im[c] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

const nextPow2 = (v: number) => 2 ** Math.ceil(Math.log2(Math.max(1, v)));

/** N-D FFT over a [L0, L1] grid (rank 1: L0 = 1). */
function fft2d(
  re: Float64Array,
  im: Float64Array,
  L0: number,
  L1: number,
  inverse: boolean,
  tw: Map<number, [Float64Array, Float64Array]>,
): void {
  const twiddles = (L: number) => tw.get(L)!;
  if (L1 > 1) for (let r = 0; r < L0; r++) fft1d(re, im, r * L1, 1, L1, inverse, ...twiddles(L1));
  if (L0 > 1) for (let c = 0; c < L1; c++) fft1d(re, im, c, L1, L0, inverse, ...twiddles(L0));
}

/** FFT cross-correlation conv in float64 for ranks 1 and 2; channels accumulated in the frequency domain. */
export function fftConv(x: Tensor, w: Tensor, b: Tensor | undefined, a: ConvAttributes, bug?: FftBug): Tensor {
  const rank = x.shape.length - 2;
  const round = (v: number) => (bug === 'tf32-inputs' ? roundSignificand(v, 10) : v);
  const [N, C] = x.shape;
  const M = w.shape[0];
  const D = rank === 1 ? [1, x.shape[2]] : [x.shape[2], x.shape[3]];
  const K = rank === 1 ? [1, w.shape[2]] : [w.shape[2], w.shape[3]];
  const S = rank === 1 ? [1, a.strides[0]] : [...a.strides];
  const Dl = rank === 1 ? [1, a.dilations[0]] : [...a.dilations];
  const Pb = rank === 1 ? [0, a.pads[0]] : [a.pads[0], a.pads[1]];
  const Pe = rank === 1 ? [0, a.pads[1]] : [a.pads[2], a.pads[3]];
  const Dp = D.map((d, i) => d + Pb[i] + Pe[i]);
  const Ke = K.map((k, i) => Dl[i] * (k - 1) + 1);
  const O = Dp.map((d, i) => Math.floor((d - Ke[i]) / S[i]) + 1);
  const L = Dp.map(nextPow2);
  const size = L[0] * L[1];
  const tw = new Map<number, [Float64Array, Float64Array]>();
  for (const l of L) {
    const cos = new Float64Array(l / 2 || 1);
    const sin = new Float64Array(l / 2 || 1);
    for (let k = 0; k < l / 2; k++) {
      const t = (-2 * Math.PI * k) / l;
      cos[k] = bug === 'float32-twiddles' ? fr(Math.cos(t)) : Math.cos(t);
      sin[k] = bug === 'float32-twiddles' ? fr(Math.sin(t)) : Math.sin(t);
    }
    tw.set(l, [cos, sin]);
  }
  const cg = C / a.group;
  const mg = M / a.group;
  // spectra of the (zero-inserted) weights, conjugated at use for cross-correlation
  const Wre: Float64Array[] = [];
  const Wim: Float64Array[] = [];
  for (let mo = 0; mo < M; mo++)
    for (let c = 0; c < cg; c++) {
      const re = new Float64Array(size);
      const im = new Float64Array(size);
      for (let k0 = 0; k0 < K[0]; k0++)
        for (let k1 = 0; k1 < K[1]; k1++) re[k0 * Dl[0] * L[1] + k1 * Dl[1]] = round(w.data[((mo * cg + c) * K[0] + k0) * K[1] + k1]);
      fft2d(re, im, L[0], L[1], false, tw);
      Wre.push(re);
      Wim.push(im);
    }
  const out = new Float64Array(N * M * O[0] * O[1]);
  for (let n = 0; n < N; n++) {
    const Xre: Float64Array[] = [];
    const Xim: Float64Array[] = [];
    for (let c = 0; c < C; c++) {
      const re = new Float64Array(size);
      const im = new Float64Array(size);
      for (let i = 0; i < D[0]; i++)
        for (let j = 0; j < D[1]; j++) re[(i + Pb[0]) * L[1] + j + Pb[1]] = round(x.data[((n * C + c) * D[0] + i) * D[1] + j]);
      fft2d(re, im, L[0], L[1], false, tw);
      Xre.push(re);
      Xim.push(im);
    }
    for (let mo = 0; mo < M; mo++) {
      const first = Math.floor(mo / mg) * cg;
      const yr = new Float64Array(size);
      const yi = new Float64Array(size);
      for (let c = 0; c < cg; c++) {
        const xr = Xre[first + c];
        const xi = Xim[first + c];
        const wr = Wre[mo * cg + c];
        const wi = Wim[mo * cg + c];
        for (let f = 0; f < size; f++) {
          // X · conj(W)
          yr[f] += xr[f] * wr[f] + xi[f] * wi[f];
          yi[f] += xi[f] * wr[f] - xr[f] * wi[f];
        }
      }
      fft2d(yr, yi, L[0], L[1], true, tw);
      for (let o0 = 0; o0 < O[0]; o0++)
        for (let o1 = 0; o1 < O[1]; o1++) {
          const v = yr[o0 * S[0] * L[1] + o1 * S[1]] / size;
          out[((n * M + mo) * O[0] + o0) * O[1] + o1] = b ? v + b.data[mo] : v;
        }
    }
  }
  return { shape: [N, M, ...(rank === 1 ? [O[1]] : O)], data: out };
}

/**
 * A float64 FFT conv kernel declaring the normwise model with κ from its largest transform length;
 * larger problems (and rank 3) take a direct float64 loop, as FFT libraries fall back.
 */
export function fftKernel(bug?: FftBug, maxLength = 64 * 64): KernelUnderTest {
  return {
    name: `test:fft${bug ? `-${bug}` : ''}`,
    precision: 'float64',
    errorModel: 'normwise',
    errorFactor: fftErrorFactor(maxLength),
    capabilities: { specialValues: false },
    conv: (x, w, b, a) => {
      const rank = x.shape.length - 2;
      const L = x.shape.slice(2).reduce((acc, d, i) => acc * nextPow2(d + a.pads[i] + a.pads[i + rank]), 1);
      return rank <= 2 && L <= maxLength ? fftConv(x, w, b, a, bug) : directConv(x, w, b, a, (v) => v, Float64Array);
    },
  };
}
