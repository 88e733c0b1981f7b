/**
 * A packed, cache-blocked GEMM for V8: C = A·B (+ bias per row), the engine behind the im2col
 * conv and `dense` (`kernels/im2col.ts`) and the fast float32 judge (`operators/conv/fast-reference.ts`,
 * `operators/dense/fast-reference.ts`). It lives below both in the layers, with its
 * WebAssembly kernels (`wasm-gemm.ts`, `wasm-row-dot.ts`, `wasm-assembler.ts`).
 *
 * Structure (the BLIS loop nest, Goto & van de Geijn, "Anatomy of high-performance matrix
 * multiplication", 2008):
 *
 *   for jc in N step NC            columns of C / B (output positions)
 *     for pc in K step KC          the reduction
 *       pack B[pc:pc+kc, jc:jc+nc] → Bp   (NR-wide panels; for a conv this *is* the im2col lowering)
 *       for ic in M step MC        rows of C / A (output channels)
 *         pack A[ic:ic+mc, pc:pc+kc] → Ap (MR-tall panels)
 *         for jr in nc step NR, ir in mc step MR:  micro-kernel on one MR×NR tile of C
 *
 * Every operand the micro-kernel touches is a `Doubles` buffer it owns (packed A, packed B and a
 * float64 accumulator for C), so its loads and stores are monomorphic whatever the precision
 * of the caller's tensors; the caller's arrays are read only by the packers and written only by
 * the final write-out. Products of two float32 values are exact in float64, so the float32
 * kernel sums in double and rounds once per output: its error is far inside the float32 bound.
 *
 * Special values: every product A[i,k]·B[k,j] of a valid output is computed — zeros included,
 * so 0·∞ gives NaN as IEEE says — and the accumulators start at −0, the additive identity
 * (−0 + x = x for every x, including +0 and −0), so nothing is lost or invented. Tail lanes of
 * a partial tile are computed on zero padding and discarded.
 *
 * Where WebAssembly SIMD is available (and the workspace's `simd` option is on), the same loop
 * nest runs with the panels and the accumulator in a fixed 8 MiB WebAssembly memory and the
 * two inner loops plus the micro-kernel in WebAssembly (`wasm-gemm.ts`, f64x2): the same
 * operations in the same order, so the two paths give bit-identical results (`gemmWasm`).
 */

import { WASM_GEMM_BYTES, WASM_NR, WasmGemm } from './wasm-gemm.js';
import { WASM_KC, WasmRowDot } from './wasm-row-dot.js';
import { type Doubles, doubles, type FloatArray } from './arrays.js';

/**
 * Where packed panels and accumulators live: `Doubles` on the JS path, a `Float64Array` view
 * of the WebAssembly module's memory on the SIMD path (see `gemmWasm`).
 */
export type PackedBuffer = Doubles | Float64Array;

/**
 * Rows of the register tile (output channels per micro-kernel call).
 *
 * Why 4×3: V8 (TurboFan, x64) keeps doubles in 15 allocatable XMM registers, and each array
 * load costs a bounds check and index arithmetic besides the load itself. A tile costs MR+NR
 * loads and 2·MR·NR flops per k step, plus spills once MR·NR + MR + 1 exceeds 15. Measured on
 * this project's machine (AMD EPYC, Node 20, kc = 192, panels in L1/L2, GFLOP/s):
 * 2×4 4.8, 4×2 4.7, 3×3 5.3, 5×2 5.8, 2×6 5.9, 4×4 5.6, 3×5 6.0, 5×3 5.7, 4×6 5.5, 4×8 4.3–5.5,
 * 3×4 6.1, 4×3 6.1 — twelve accumulators (4×3 / 3×4) are the sweet spot between load overhead
 * and spills. 4×3 rather than 3×4 because channel counts (M) are usually multiples of 4, so
 * row tails are rare; column tails (output positions) cost at most one partial tile per panel.
 */
export const MR = 4;
/** Columns of the register tile (output positions per micro-kernel call); see `MR`. */
export const NR = 3;

/** Cache-blocking parameters of the GEMM. */
export interface GemmBlocking {
  /** Rows of A packed at once (multiple of MR). */
  readonly mc: number;
  /** Reduction depth packed at once. */
  readonly kc: number;
  /** Upper bound on columns of B packed at once (multiple of NR); the workspace budget may lower it. */
  readonly nc: number;
}

/**
 * Default blocking, sized for a core with 32–48 KiB L1d and 1 MiB L2 (Zen 4/5, recent Intel):
 * - kc = 256: one A micro-panel (MR·kc doubles = 8 KiB) plus one B micro-panel (NR·kc = 6 KiB)
 *   stay in L1 while the micro-kernel streams them; the K range is split into equal blocks
 *   of at most kc, so K = 576 runs as 3×192 rather than 256+256+64.
 * - mc = 128: the packed A block (mc·kc doubles = 256 KiB) stays in L2 while every B
 *   micro-panel of the block is multiplied against it.
 * - nc = 4095: the packed B block (kc·nc doubles ≈ 8 MiB) is the L3-sized operand; a bigger
 *   block only saves repacking A (cost M·K per block, against 2·M·K·nc flops). The workspace
 *   budget lowers it for wide outputs (see `columnBlock`).
 * Scalar JS reaches ~6 GFLOP/s, i.e. needs only ~5 bytes/cycle from the panels, so these
 * sizes are not critical: within 2× of them the speed is the same (measured).
 */
export const DEFAULT_GEMM_BLOCKING: GemmBlocking = { mc: 128, kc: 256, nc: 4095 };

/** Default bound on the GEMM workspace (packed A, packed B, accumulator): 16 MiB. */
export const DEFAULT_WORKSPACE_BYTES = 16 * 1024 * 1024;

/**
 * Where element (i, j) of a logical matrix lives in a flat array: columns come in groups of
 * `groupSize` (e.g. the output positions of one batch item), so
 * offset(i, j) = offset + i·rowStride + ⌊j / groupSize⌋·groupStride + (j mod groupSize)·colStride.
 * One layout describes a conv output y[n, m, p] (rows m, columns (n, p)), the transposed dense
 * output, the 1×1-conv input matrix and xᵀ for dense.
 */
export interface StridedLayout {
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
  readonly groupSize: number;
  readonly groupStride: number;
}

/**
 * The B operand, packed on demand: `pack` writes the block B[k0 : k0+kc, j0 : j0+nc] into `dst`
 * as ⌈nc/NR⌉ panels, panel q holding B[k0+kk, j0 + q·NR + r] at dst[(q·kc + kk)·NR + r]; the
 * lanes past nc are left alone (the GEMM zeros them).
 * Kernels keep one long-lived packer of each kind and `reset` it per call. Measured: with a
 * packer (or closure) made per call, V8's optimized code for `pack`, which refers to the
 * packer it was compiled with, was discarded at the next garbage collection once that packer
 * died — so each call ran `pack` interpreted until it was recompiled (twice, ~20 ms of compiler
 * time): ResNet 3×3 took 52–57 ms instead of 42–48.
 */
export interface PackB {
  pack(dst: PackedBuffer, k0: number, kc: number, j0: number, nc: number): void;
}

/**
 * The float64 buffers of one kernel instance, reused from call to call: packed A, packed B and
 * the accumulator for the GEMM; a slab and a row for the depthwise path. A call asks for all
 * the lengths it needs at once (`reserve`); buffers only grow, except that when keeping a
 * buffer the call does not need would put the total over the budget, it is released (or cut
 * to size) first. So the total held never exceeds max(budget, what the current call needs),
 * and every call sizes its blocks so that what it needs fits the budget.
 */
export class GemmWorkspace {
  private readonly buffers: Doubles[] = [[], [], [], [], []];
  /**
   * Largest total, in bytes, held at once since creation: these buffers, plus the part of the
   * WebAssembly GEMM's fixed memory a call used for its blocks (see `gemmWasm`).
   */
  peakBytes = 0;
  /** Use the WebAssembly SIMD kernels (matrix–vector and GEMM) where available (false: the JS loops always). */
  readonly simd: boolean;

  constructor(options: { readonly simd?: boolean } = {}) {
    this.simd = options.simd ?? true;
  }

  /** Total bytes currently held. */
  get bytes(): number {
    return this.buffers.reduce((n, b) => n + b.length * 8, 0);
  }

  /**
   * Buffers of at least the given lengths, in the order [packed A, packed B, accumulator,
   * slab, row] (0 = not needed). Their contents are unspecified: callers overwrite what they read.
   */
  reserve(budgetBytes: number, lengths: readonly [number, number, number, number, number]): Doubles[] {
    const b = this.buffers;
    const projected = b.reduce((n, buf, i) => n + Math.max(buf.length, lengths[i]) * 8, 0);
    if (projected > budgetBytes) {
      for (let i = 0; i < b.length; i++) {
        if (b[i].length > lengths[i]) b[i] = lengths[i] > 0 ? doubles(lengths[i]) : [];
      }
    }
    for (let i = 0; i < b.length; i++) {
      if (b[i].length < lengths[i]) {
        b[i] = doubles(lengths[i]);
        this.peakBytes = Math.max(this.peakBytes, this.bytes);
      }
    }
    return b;
  }
}

/** A GEMM problem: C[M×N] = A[M×K]·B[K×N] (+ bias[i]), C written through `out`. */
export interface GemmProblem {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** A is row-major: A[i, k] = a[aOffset + i·lda + k]. */
  readonly a: FloatArray;
  readonly aOffset: number;
  readonly lda: number;
  readonly packB: PackB;
  readonly out: FloatArray;
  readonly outLayout: StridedLayout;
  /** bias[biasOffset + i] is added once to every element of row i. */
  readonly bias: FloatArray | undefined;
  readonly biasOffset: number;
}

/** Rounds n up to a multiple of m. */
function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/**
 * Columns per jc block: the configured nc, lowered so that packed B (kc·nc), packed A (mc·kc)
 * and the accumulator (M·nc) fit the budget: nc ≤ (budget/8 − mc·kc) / (kc + M).
 */
export function columnBlock(blocking: GemmBlocking, M: number, N: number, K: number, budgetBytes: number): number {
  const kc = Math.min(blocking.kc, K);
  const mc = roundUp(Math.min(blocking.mc, M), MR);
  const fit = Math.floor((budgetBytes / 8 - mc * kc) / (kc + roundUp(M, MR)));
  const nc = Math.max(NR, Math.floor(Math.min(blocking.nc, fit) / NR) * NR);
  return Math.min(nc, roundUp(N, NR));
}

/**
 * C = A·B (+ bias), written into `p.out` through `p.outLayout` (rounded to the output's
 * precision once, at the end). Single-column problems (a conv with one output position, a
 * dense layer with batch 1) take the matrix–vector path: packing A would cost as much as the
 * product itself.
 */
export function gemm(ws: GemmWorkspace, blocking: GemmBlocking, budgetBytes: number, p: GemmProblem): void {
  if (p.N === 1) {
    gemv(ws, blocking, budgetBytes, p);
    return;
  }
  if (ws.simd) {
    const wasm = WasmGemm.instance();
    if (wasm !== undefined && gemmWasm(ws, wasm, blocking, budgetBytes, p)) return;
  }
  const { M, N, K, a, aOffset, lda, packB, out, outLayout, bias, biasOffset } = p; // read up front, see gemv
  // Equal K blocks of at most blocking.kc (see DEFAULT_GEMM_BLOCKING).
  const kBlocks = Math.ceil(K / blocking.kc);
  const kcMax = Math.ceil(K / kBlocks);
  const mcMax = Math.min(roundUp(blocking.mc, MR), roundUp(M, MR));
  const ncMax = columnBlock({ ...blocking, kc: kcMax }, M, N, kcMax, budgetBytes);
  const ldc = ncMax; // accumulator row stride (a multiple of NR)
  const [ap, bp, acc] = ws.reserve(budgetBytes, [mcMax * kcMax, kcMax * ncMax, roundUp(M, MR) * ldc, 0, 0]);
  for (let jc = 0; jc < N; jc += ncMax) {
    const nc = Math.min(ncMax, N - jc);
    // −0 is the additive identity (−0 + x = x for every x, ±0 included), so starting from it
    // changes no sum; one store pattern (+=) keeps the micro-kernel free of untaken branches.
    acc.fill(-0, 0, roundUp(M, MR) * ldc);
    for (let pc = 0; pc < K; pc += kcMax) {
      const kc = Math.min(kcMax, K - pc);
      packB.pack(bp, pc, kc, jc, nc);
      zeroTailLanes(bp, kc, nc);
      for (let ic = 0; ic < M; ic += mcMax) {
        const mc = Math.min(mcMax, M - ic);
        packA(ap, a, aOffset + ic * lda + pc, lda, mc, kc);
        macroKernel(mc, nc, kc, ap, bp, acc, ic * ldc, ldc);
      }
    }
    writeOut(acc, ldc, M, jc, nc, out, outLayout, bias, biasOffset);
  }
}

/**
 * `gemm` on the WebAssembly SIMD block product (`wasm-gemm.ts`): the same loop nest, packers
 * and tiles, with packed A, packed B and the accumulator placed in the module's fixed memory
 * (the packers write straight into it), so the results are bit-identical to the JS path.
 * The blocks are sized as on the JS path, to the smaller of the workspace budget and that
 * memory, and the bytes they use count towards `ws.peakBytes`. Returns false, having done
 * nothing, when they cannot fit (then the JS path runs): packed A (mc·kc) + packed B (kc·nc)
 * + accumulator (⌈M/MR⌉·MR·nc) doubles with nc ≥ WASM_NR — with the default 16 MiB budget,
 * M up to ~338 000 rows at kc = 256 (8 MiB / 8 = 2²⁰ doubles).
 */
function gemmWasm(ws: GemmWorkspace, wasm: WasmGemm, blocking: GemmBlocking, budgetBytes: number, p: GemmProblem): boolean {
  const { M, N, K, a, aOffset, lda, packB, out, outLayout, bias, biasOffset } = p;
  const kBlocks = Math.ceil(K / blocking.kc);
  const kcMax = Math.ceil(K / kBlocks);
  const mcMax = Math.min(roundUp(blocking.mc, MR), roundUp(M, MR));
  const mPad = roundUp(M, MR);
  // Columns in whole WASM tiles (MR × WASM_NR); a partial last tile gets zero panels below.
  const limit = Math.min(budgetBytes, WASM_GEMM_BYTES);
  const ncMax = Math.max(WASM_NR, Math.floor(columnBlock({ ...blocking, kc: kcMax }, M, N, kcMax, limit) / WASM_NR) * WASM_NR);
  const aLen = mcMax * kcMax,
    bLen = kcMax * ncMax,
    cLen = mPad * ncMax;
  if ((aLen + bLen + cLen) * 8 > limit) return false;
  ws.peakBytes = Math.max(ws.peakBytes, ws.bytes + (aLen + bLen + cLen) * 8);
  const ldc = ncMax;
  // Regions of the module's memory, in doubles: [A | B | C]. Subarray views, so the packers
  // index from 0 as on the JS path.
  const heap = wasm.heap;
  const ap = heap.subarray(0, aLen);
  const bp = heap.subarray(aLen, aLen + bLen);
  const acc = heap.subarray(aLen + bLen, aLen + bLen + cLen);
  for (let jc = 0; jc < N; jc += ncMax) {
    const nc = Math.min(ncMax, N - jc);
    acc.fill(-0); // the additive identity, see gemm()
    for (let pc = 0; pc < K; pc += kcMax) {
      const kc = Math.min(kcMax, K - pc);
      packB.pack(bp, pc, kc, jc, nc);
      zeroTailLanes(bp, kc, nc);
      // A tile spans WASM_NR / NR panels: zero the panels between the last one and the tile's end.
      const panels = Math.ceil(nc / NR);
      bp.fill(0, panels * kc * NR, roundUp(panels * NR, WASM_NR) * kc);
      for (let ic = 0; ic < M; ic += mcMax) {
        const mc = Math.min(mcMax, M - ic);
        packA(ap, a, aOffset + ic * lda + pc, lda, mc, kc);
        wasm.block(0, aLen, aLen + bLen + ic * ldc, mc, nc, kc, ldc);
      }
    }
    writeOut(acc, ldc, M, jc, nc, out, outLayout, bias, biasOffset);
  }
  return true;
}

/**
 * Every MR×NR tile of one (mc × kc)·(kc × nc) block product, accumulated into acc from row
 * offset `c0`. Separate from `gemm` so that the loops calling the micro-kernel thousands of
 * times live in a function whose every path runs on its first call: V8 compiles such loops
 * on-stack (OSR) during that call, and in V8 11 an OSR-compiled loop that later reaches code it
 * had no type feedback for could deoptimize on every call (measured on the GEMV: 1.5–2× slower).
 */
function macroKernel(mc: number, nc: number, kc: number, ap: Doubles, bp: Doubles, acc: Doubles, c0: number, ldc: number): void {
  for (let jr = 0; jr < nc; jr += NR) {
    for (let ir = 0; ir < mc; ir += MR) {
      microKernel(kc, ap, ir * kc, bp, jr * kc, acc, c0 + ir * ldc + jr, ldc);
    }
  }
}

/**
 * The register-tiled micro-kernel: acc[MR×NR tile] += Ap-panel · Bp-panel over kc.
 * Twelve scalar accumulators live in registers; per k step it loads MR values of A and NR of
 * B, both contiguous in their panels, and does MR·NR multiply–adds. Not an FMA: JS evaluates
 * `c += a·b` as a rounded product then a rounded sum. MR and NR are written as literals in the
 * loop: reading even a module constant there measured ~10 % slower.
 */
function microKernel(kc: number, a: Doubles, ai: number, b: Doubles, bi: number, c: Doubles, ci: number, ldc: number): void {
  let c00 = -0,
    c01 = -0,
    c02 = -0;
  let c10 = -0,
    c11 = -0,
    c12 = -0;
  let c20 = -0,
    c21 = -0,
    c22 = -0;
  let c30 = -0,
    c31 = -0,
    c32 = -0;
  for (let k = 0; k < kc; k++) {
    const a0 = a[ai],
      a1 = a[ai + 1],
      a2 = a[ai + 2],
      a3 = a[ai + 3];
    let bj = b[bi];
    c00 += a0 * bj;
    c10 += a1 * bj;
    c20 += a2 * bj;
    c30 += a3 * bj;
    bj = b[bi + 1];
    c01 += a0 * bj;
    c11 += a1 * bj;
    c21 += a2 * bj;
    c31 += a3 * bj;
    bj = b[bi + 2];
    c02 += a0 * bj;
    c12 += a1 * bj;
    c22 += a2 * bj;
    c32 += a3 * bj;
    ai += 4; // MR
    bi += 3; // NR
  }
  const r1 = ci + ldc,
    r2 = r1 + ldc,
    r3 = r2 + ldc;
  c[ci] += c00;
  c[ci + 1] += c01;
  c[ci + 2] += c02;
  c[r1] += c10;
  c[r1 + 1] += c11;
  c[r1 + 2] += c12;
  c[r2] += c20;
  c[r2 + 1] += c21;
  c[r2 + 2] += c22;
  c[r3] += c30;
  c[r3 + 1] += c31;
  c[r3 + 2] += c32;
}

/**
 * Packs A[i0 : i0+mc, k0 : k0+kc] (A row-major from `src[off]`, row stride lda) into MR-tall
 * panels: panel q holds A[q·MR + r, kk] at dst[(q·kc + kk)·MR + r]; rows past mc are zeros.
 */
function packA(dst: PackedBuffer, src: FloatArray, off: number, lda: number, mc: number, kc: number): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const panel = i0 * kc;
    const rows = Math.min(MR, mc - i0);
    for (let r = 0; r < rows; r++) {
      let s = off + (i0 + r) * lda;
      let d = panel + r;
      for (let kk = 0; kk < kc; kk++) {
        dst[d] = src[s];
        s++;
        d += MR;
      }
    }
    for (let r = rows; r < MR; r++) {
      for (let kk = 0, d = panel + r; kk < kc; kk++, d += MR) dst[d] = 0;
    }
  }
}

/**
 * acc[M × nc] (+ bias) → out, through `layout`; columns are jc…jc+nc−1 of the full product.
 * Without a bias the accumulator is stored as is (no `+ 0`, which would turn −0 into +0).
 */
function writeOut(
  acc: PackedBuffer,
  ldc: number,
  M: number,
  jc: number,
  nc: number,
  out: FloatArray,
  layout: StridedLayout,
  bias: FloatArray | undefined,
  biasOffset: number,
): void {
  const { offset, rowStride, colStride, groupSize, groupStride } = layout;
  // Walk the columns in runs that stay inside one group, so the inner loop is a plain stride.
  let j = jc;
  while (j < jc + nc) {
    const g = Math.floor(j / groupSize);
    const inGroup = j - g * groupSize;
    const run = Math.min(jc + nc - j, groupSize - inGroup);
    const base = offset + g * groupStride + inGroup * colStride;
    const a0 = j - jc;
    for (let i = 0; i < M; i++) {
      let o = base + i * rowStride;
      let a = i * ldc + a0;
      const end = a + run;
      if (bias === undefined) {
        for (; a < end; a++, o += colStride) out[o] = acc[a];
      } else {
        const bi = bias[biasOffset + i];
        for (; a < end; a++, o += colStride) out[o] = acc[a] + bi;
      }
    }
    j += run;
  }
}

/** Reduction depth per block on the matrix–vector path (JS loop): long rows stream better; 4096 doubles of vector stay in L2. */
const GEMV_KC = 4096;

/**
 * Matrix–vector product for N = 1: y[i] = Σ_k A[i, k]·v[k]. Each element of A is used once, so
 * A is not packed; the speed is how fast the loop can load it. With WebAssembly SIMD available
 * (Node ≥ 16.4) the rows go through `WasmRowDot`; otherwise a JS loop reads them straight from
 * the caller's array.
 */
function gemv(ws: GemmWorkspace, blocking: GemmBlocking, budgetBytes: number, p: GemmProblem): void {
  // Every property read up front: code after a long loop gets no type feedback before V8
  // compiles the loop on-stack, and would deoptimize there on every call (see macroKernel).
  const { M, K, a, lda, aOffset, packB, out, outLayout, bias, biasOffset } = p;
  const wasm = ws.simd ? WasmRowDot.instance() : undefined;
  const kcCap = wasm === undefined ? Math.max(GEMV_KC, blocking.kc) : WASM_KC;
  const kBlocks = Math.ceil(K / kcCap);
  const kcMax = Math.ceil(K / kBlocks);
  const [, v, acc] = ws.reserve(budgetBytes, [0, kcMax * NR, M, 0, 0]);
  acc.fill(-0, 0, M); // −0: the additive identity, see gemm()
  const M8 = M - (M % 8);
  for (let pc = 0; pc < K; pc += kcMax) {
    const kc = Math.min(kcMax, K - pc);
    packB.pack(v, pc, kc, 0, 1);
    // With nc = 1 the packed vector sits in lane 0 of each panel row (stride NR); make it contiguous.
    for (let kk = 1; kk < kc; kk++) v[kk] = v[kk * NR];
    const off = aOffset + pc;
    if (wasm !== undefined) {
      wasm.accumulate(a, off, lda, M, v, kc, acc);
    } else {
      for (let i = 0; i < M8; i += 8) dot8(a, off + i * lda, lda, v, kc, acc, i);
      for (let i = M8; i < M; i++) acc[i] += dot1(a, off + i * lda, v, kc);
    }
  }
  writeOut(acc, 1, M, 0, 1, out, outLayout, bias, biasOffset);
}

/**
 * acc[i + r] += Σ_{kk < kc} a[ra + r·lda + kk]·v[kk] for r < 8 — the JS fallback of the
 * matrix–vector path. Eight rows at a time, so every load of v serves eight multiply–adds
 * (with v in a Float64Array, 1.5× faster than four rows on fc6; about as fast as a bare sum
 * over A). One call per eight rows keeps the hot loop in a small function that V8 optimizes
 * normally, with all its paths warm (see `macroKernel`).
 */
function dot8(a: FloatArray, ra: number, lda: number, v: Doubles, kc: number, acc: Doubles, i: number): void {
  const l2 = 2 * lda,
    l3 = 3 * lda,
    l4 = 4 * lda,
    l5 = 5 * lda,
    l6 = 6 * lda,
    l7 = 7 * lda;
  let s0 = -0,
    s1 = -0,
    s2 = -0,
    s3 = -0,
    s4 = -0,
    s5 = -0,
    s6 = -0,
    s7 = -0;
  for (let kk = 0; kk < kc; kk++, ra++) {
    const x = v[kk];
    s0 += a[ra] * x;
    s1 += a[ra + lda] * x;
    s2 += a[ra + l2] * x;
    s3 += a[ra + l3] * x;
    s4 += a[ra + l4] * x;
    s5 += a[ra + l5] * x;
    s6 += a[ra + l6] * x;
    s7 += a[ra + l7] * x;
  }
  acc[i] += s0;
  acc[i + 1] += s1;
  acc[i + 2] += s2;
  acc[i + 3] += s3;
  acc[i + 4] += s4;
  acc[i + 5] += s5;
  acc[i + 6] += s6;
  acc[i + 7] += s7;
}

/** Σ_{kk < kc} a[ra + kk]·v[kk], for the rows left over after `dot8`. */
function dot1(a: FloatArray, ra: number, v: Doubles, kc: number): number {
  let s = -0;
  for (let kk = 0; kk < kc; kk++, ra++) s += a[ra] * v[kk];
  return s;
}

/**
 * Columns a `PackB` fills per sweep over the kc rows. Walking a whole row of B at a time
 * writes every panel of the block (nc/NR of them, kc·NR·8 bytes apart) per row: for nc in the
 * thousands that touches more cache lines and pages than L1 and the TLB hold, and measured
 * 3–4× slower. 96 columns = 32 panels keeps the open lines (32 × 64 B) in L1.
 */
export const PACK_CHUNK = 96;

/**
 * A `PackB` that reads B[k, j] = src[layout-offset(k, j)] — the input of a 1×1 stride-1
 * unpadded conv (rows = channels, columns = (batch, position)) and xᵀ for dense.
 */
export class StridedPackB implements PackB {
  private src: FloatArray;
  private layout: StridedLayout;

  constructor(
    src: FloatArray = new Float32Array(0),
    layout: StridedLayout = { offset: 0, rowStride: 0, colStride: 1, groupSize: 1, groupStride: 0 },
  ) {
    this.src = src;
    this.layout = layout;
  }

  /** Points the packer at another matrix; kernels keep one packer and reuse it (see `PackB`). */
  reset(src: FloatArray, layout: StridedLayout): this {
    this.src = src;
    this.layout = layout;
    return this;
  }

  pack(dst: PackedBuffer, k0: number, kc: number, j0: number, nc: number): void {
    const src = this.src;
    const { offset, rowStride, colStride, groupSize, groupStride } = this.layout;
    const panelStep = kc * NR; // from a lane of one panel to the same lane of the next
    const panelSkip = panelStep - NR; // from past lane NR−1 of one panel row to lane 0 of the next panel
    for (let jj = j0; jj < j0 + nc; jj += PACK_CHUNK) {
      const jEnd = Math.min(jj + PACK_CHUNK, j0 + nc);
      let j = jj;
      while (j < jEnd) {
        const g = Math.floor(j / groupSize);
        const inGroup = j - g * groupSize;
        const run = Math.min(jEnd - j, groupSize - inGroup);
        const base = offset + g * groupStride + inGroup * colStride;
        const q0 = Math.floor((j - j0) / NR);
        const r0 = j - j0 - q0 * NR;
        if (colStride === 1) {
          // Rows outer: contiguous reads along j.
          for (let kk = 0; kk < kc; kk++) {
            let s = base + (k0 + kk) * rowStride;
            let d = (q0 * kc + kk) * NR + r0;
            let t = 0;
            // Finish a panel entered mid-way, then whole panels three lanes at a time.
            if (r0 !== 0) {
              for (; t < run && t < NR - r0; t++) dst[d++] = src[s++];
              d += panelSkip;
            }
            for (; t + 3 <= run; t += 3, s += 3, d += panelStep) {
              dst[d] = src[s];
              dst[d + 1] = src[s + 1];
              dst[d + 2] = src[s + 2];
            }
            for (; t < run; t++) dst[d++] = src[s++];
          }
        } else {
          // Columns outer: contiguous reads along k (xᵀ for dense has rowStride 1).
          for (let t = 0; t < run; t++) {
            const q = q0 + Math.floor((r0 + t) / NR);
            const r = (r0 + t) % NR;
            let s = base + t * colStride + k0 * rowStride;
            let d = q * kc * NR + r;
            for (let kk = 0; kk < kc; kk++) {
              dst[d] = src[s];
              s += rowStride;
              d += 3; // NR
            }
          }
        }
        j += run;
      }
    }
  }
}

/** Zeros lanes nc mod NR … NR−1 of the last panel, so a partial tile reads no stale data. */
export function zeroTailLanes(dst: PackedBuffer, kc: number, nc: number): void {
  const q = Math.floor(nc / NR);
  const rem = nc - q * NR;
  if (rem === 0) return;
  for (let kk = 0; kk < kc; kk++) {
    const d = (q * kc + kk) * NR;
    for (let r = rem; r < NR; r++) dst[d + r] = 0;
  }
}
