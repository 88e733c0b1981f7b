/**
 * The fast judge for float32 dense kernels: the same sums as `reference.ts`, in plain float64
 * (see `../conv/fast-reference.ts` for why that judges float32 kernels soundly, in any order).
 *
 * w is read as stored, never copied whole (fc6's is 103 M elements: 822 MB as float64); x is
 * small and is widened to float64. Two paths (`fastDensePath`):
 * - rows (batch 1: fc6, fc7, …): each element of w is used once, so the product is bound by
 *   how fast w can be read. One pass over w computes values and magnitudes together: with
 *   WebAssembly SIMD, `wasm-judge-rows.ts` (w copied chunk by chunk into its memory, f64x2);
 *   otherwise a JavaScript loop, four rows at a time (eight accumulators, x and |x| per element).
 * - GEMM (batch > 1): yᵀ = w·xᵀ + b on the packed GEMM of `numeric/gemm.ts` (A = w as stored,
 *   B = xᵀ), and Σ = |w|·|x|ᵀ + |b| with |w| taken in blocks of rows, so the copy stays small.
 */
import type { Precision, Tensor } from '../../contract.js';
import type { FloatArray } from '../../numeric/arrays.js';
import type { GemmBlocking, StridedLayout } from '../../numeric/gemm.js';
import { DEFAULT_GEMM_BLOCKING, DEFAULT_WORKSPACE_BYTES, GemmWorkspace, MR, StridedPackB, gemm } from '../../numeric/gemm.js';
import { PRECISION_FACTS } from '../../precision.js';
import type { JudgeResult, ReferenceResult } from '../operator.js';
import type { DenseGeometry } from './geometry.js';
import { absOf } from '../conv/fast-reference.js';
import { denseGeometry } from './geometry.js';
import { JUDGE_ROWS_KC, WasmJudgeRows } from './wasm-judge-rows.js';
import { referenceDense } from './reference.js';

/** Which loop computes a dense layer in the fast judge (see the module comment). */
export type FastDensePath = 'rows' | 'gemm';

/** Options of `fastReferenceDense` (tests force paths and blocks; the defaults are the fast choice). */
export interface FastDenseOptions {
  /** Force a path (default: `fastDensePath`). */
  readonly path?: FastDensePath;
  /** GEMM blocking overrides (tiny blocks cross block boundaries on small problems). */
  readonly blocking?: Partial<GemmBlocking>;
  /** false: the JavaScript loops (row pass, GEMM block product) instead of WebAssembly SIMD (default true). */
  readonly simd?: boolean;
}

/** The path for a dense layer of this geometry: one pass over w for batch 1, the GEMM otherwise. */
export function fastDensePath(g: DenseGeometry): FastDensePath {
  return g.batch === 1 ? 'rows' : 'gemm';
}

/** Largest |w| block taken at once on the GEMM path's magnitude pass, in elements (8 MiB of float64). */
const ABS_BLOCK = 1 << 20;

const workspaces = { simd: new GemmWorkspace({ simd: true }), js: new GemmWorkspace({ simd: false }) };
// one packer per operand kind, long-lived (see `PackB` in gemm.ts)
const xPacker = new StridedPackB();

/** Dense in plain float64 with Σ|w·x| + |b| per element. Same semantics as `referenceDense`. */
export function fastReferenceDense(x: Tensor, w: Tensor, b: Tensor | undefined, options: FastDenseOptions = {}): ReferenceResult {
  const g = denseGeometry(x, w, b, 'fastReferenceDense');
  const out = new Float64Array(g.batch * g.outFeatures);
  const mag = new Float64Array(out.length);
  const xd = x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
  const ax = absOf(xd);
  const wasm = options.simd === false ? undefined : WasmJudgeRows.instance();
  if ((options.path ?? fastDensePath(g)) === 'rows') {
    if (wasm !== undefined) denseRowsWasm(wasm, g, xd, ax, w.data, b?.data, out, mag);
    else denseRows(g, xd, ax, w.data, b?.data, out, mag);
  } else denseGemm(g, xd, ax, w.data, b?.data, out, mag, options);
  return { output: { shape: [...g.outputShape], data: out }, magnitude: mag, termCount: g.inFeatures + (b ? 1 : 0) };
}

/** `denseRows` on the WebAssembly SIMD row pass (`wasm-judge-rows.ts`), in blocks of at most JUDGE_ROWS_KC features. */
function denseRowsWasm(
  wasm: WasmJudgeRows,
  g: DenseGeometry,
  xd: Float64Array,
  ax: Float64Array,
  wd: FloatArray,
  bd: FloatArray | undefined,
  out: Float64Array,
  mag: Float64Array,
): void {
  const K = g.inFeatures;
  const M = g.outFeatures;
  const kBlocks = Math.ceil(K / JUDGE_ROWS_KC);
  const kcMax = Math.ceil(K / kBlocks);
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < M; m++) {
      out[n * M + m] = bd ? bd[m] : 0;
      mag[n * M + m] = bd ? Math.abs(bd[m]) : 0;
    }
    for (let pc = 0; pc < K; pc += kcMax) wasm.accumulate(wd, pc, K, M, xd, ax, n * K + pc, Math.min(kcMax, K - pc), out, mag, n * M);
  }
}

/** y[n, m] and Σ[n, m] in one pass over w, four rows of w at a time (the JavaScript row pass). */
function denseRows(
  g: DenseGeometry,
  xd: Float64Array,
  ax: Float64Array,
  wd: FloatArray,
  bd: FloatArray | undefined,
  out: Float64Array,
  mag: Float64Array,
): void {
  const K = g.inFeatures;
  const M = g.outFeatures;
  const M4 = M - (M % 4);
  for (let n = 0; n < g.batch; n++) {
    const xr = n * K;
    const yr = n * M;
    for (let m = 0; m < M4; m += 4) rows4(wd, m * K, K, xd, ax, xr, bd, m, out, mag, yr + m);
    for (let m = M4; m < M; m++) {
      const wr = m * K;
      let s = bd ? bd[m] : 0;
      let a = bd ? Math.abs(bd[m]) : 0;
      for (let k = 0; k < K; k++) {
        const wv = wd[wr + k];
        s += wv * xd[xr + k];
        a += Math.abs(wv) * ax[xr + k];
      }
      out[yr + m] = s;
      mag[yr + m] = a;
    }
  }
}

/** Rows m … m+3 of w (from wr, length K) against x and |x| (from xr): values and magnitudes into out / mag at y. */
function rows4(
  wd: FloatArray,
  wr: number,
  K: number,
  xd: Float64Array,
  ax: Float64Array,
  xr: number,
  bd: FloatArray | undefined,
  m: number,
  out: Float64Array,
  mag: Float64Array,
  y: number,
): void {
  const r1 = wr + K,
    r2 = r1 + K,
    r3 = r2 + K;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0;
  if (bd) {
    s0 = bd[m];
    s1 = bd[m + 1];
    s2 = bd[m + 2];
    s3 = bd[m + 3];
    a0 = Math.abs(s0);
    a1 = Math.abs(s1);
    a2 = Math.abs(s2);
    a3 = Math.abs(s3);
  }
  for (let k = 0; k < K; k++) {
    const v = xd[xr + k];
    const av = ax[xr + k];
    const w0 = wd[wr + k],
      w1 = wd[r1 + k],
      w2 = wd[r2 + k],
      w3 = wd[r3 + k];
    s0 += w0 * v;
    s1 += w1 * v;
    s2 += w2 * v;
    s3 += w3 * v;
    a0 += Math.abs(w0) * av;
    a1 += Math.abs(w1) * av;
    a2 += Math.abs(w2) * av;
    a3 += Math.abs(w3) * av;
  }
  out[y] = s0;
  out[y + 1] = s1;
  out[y + 2] = s2;
  out[y + 3] = s3;
  mag[y] = a0;
  mag[y + 1] = a1;
  mag[y + 2] = a2;
  mag[y + 3] = a3;
}

/** yᵀ = w·xᵀ + b and Σᵀ = |w|·|x|ᵀ + |b| on the GEMM, |w| in blocks of rows. */
function denseGemm(
  g: DenseGeometry,
  xd: Float64Array,
  ax: Float64Array,
  wd: FloatArray,
  bd: FloatArray | undefined,
  out: Float64Array,
  mag: Float64Array,
  options: FastDenseOptions,
): void {
  const ws = options.simd === false ? workspaces.js : workspaces.simd;
  const blocking = { ...DEFAULT_GEMM_BLOCKING, ...options.blocking };
  const N = g.batch,
    K = g.inFeatures,
    M = g.outFeatures;
  // B[k, j] = x[j·K + k]; C[m, j] = y[j·M + m]
  const xT: StridedLayout = { offset: 0, rowStride: 1, colStride: K, groupSize: N, groupStride: 0 };
  const yT = (firstRow: number): StridedLayout => ({ offset: firstRow, rowStride: 1, colStride: M, groupSize: N, groupStride: 0 });
  gemm(ws, blocking, DEFAULT_WORKSPACE_BYTES, {
    M,
    N,
    K,
    a: wd,
    aOffset: 0,
    lda: K,
    packB: xPacker.reset(xd, xT),
    out,
    outLayout: yT(0),
    bias: bd,
    biasOffset: 0,
  });
  const absBias = bd === undefined ? undefined : absOf(bd);
  const rows = Math.max(MR, Math.floor(ABS_BLOCK / K / MR) * MR);
  const absW = new Float64Array(Math.min(rows, M) * K);
  for (let m0 = 0; m0 < M; m0 += rows) {
    const rb = Math.min(rows, M - m0);
    for (let i = 0, s = m0 * K; i < rb * K; i++, s++) absW[i] = Math.abs(wd[s]);
    gemm(ws, blocking, DEFAULT_WORKSPACE_BYTES, {
      M: rb,
      N,
      K,
      a: absW,
      aOffset: 0,
      lda: K,
      packB: xPacker.reset(ax, xT),
      out: mag,
      outLayout: yT(m0),
      bias: absBias,
      biasOffset: m0,
    });
  }
}

/** Dense counterpart of `trustedConv`. */
export function trustedDense(x: Tensor, w: Tensor, b: Tensor | undefined, precision: Precision): JudgeResult {
  return PRECISION_FACTS[precision].plainFloat64Judges
    ? { ...fastReferenceDense(x, w, b), accumulation: 'plain64' }
    : { ...referenceDense(x, w, b), accumulation: 'compensated' };
}
