/**
 * A packed, cache-blocked GEMM for V8: C = A·B (+ bias per row), the engine behind the im2col
 * conv and `dense`.
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
 * Every operand the micro-kernel touches is a `Float64Array` it owns (packed A, packed B and a
 * float64 accumulator for C), so its loads and stores are monomorphic whatever the precision
 * of the caller's tensors; the caller's arrays are read only by the packers and written only by
 * the final write-out. Products of two float32 values are exact in float64, so the float32
 * kernel sums in double and rounds once per output: its error is far inside the float32 bound.
 *
 * Special values: every product A[i,k]·B[k,j] of a valid output is computed — zeros included,
 * so 0·∞ gives NaN as IEEE says — and the accumulators start at −0, the additive identity
 * (−0 + x = x for every x, including +0 and −0), so nothing is lost or invented. Tail lanes of
 * a partial tile are computed on zero padding and discarded.
 */

/** A typed array of either precision. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Rows of the register tile (output channels per micro-kernel call).
 *
 * Why 4×3: V8 (TurboFan, x64) keeps doubles in 15 allocatable XMM registers and performs every
 * typed-array load with its own bounds check and index arithmetic (~8 instructions). A tile
 * costs MR+NR loads and 2·MR·NR flops per k step, plus spills once MR·NR + MR + 1 exceeds 15.
 * Measured on this project's machine (AMD EPYC, Node 20, kc = 256, L1-resident panels):
 * 2×4 4.7, 4×4 5.4, 4×8 5.3, 6×8 5.2, 3×4 5.9, 4×3 5.9, 5×2 5.9 GFLOP/s — 12 accumulators
 * (4×3 / 3×4) is the sweet spot between load overhead and spills. 4×3 rather than 3×4 because
 * channel counts (M) are usually multiples of 4, so row tails are rare; column tails (output
 * positions) cost at most one partial tile per row panel.
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
 * Packs the block B[k0 : k0+kc, j0 : j0+nc] into `dst` as ⌈nc/NR⌉ panels, panel q holding
 * B[k0+kk, j0 + q·NR + r] at dst[(q·kc + kk)·NR + r]. The lanes past nc are left alone (the
 * GEMM zeros them).
 */
export type PackB = (dst: Float64Array, k0: number, kc: number, j0: number, nc: number) => void;

/** Reusable float64 buffers of one kernel instance; they only grow, up to the budget. */
export class GemmWorkspace {
  private a: Float64Array = new Float64Array(0);
  private b: Float64Array = new Float64Array(0);
  private c: Float64Array = new Float64Array(0);
  /** Scratch for other lowerings (the depthwise path's padded input slab). */
  private s: Float64Array = new Float64Array(0);
  private t: Float64Array = new Float64Array(0);
  /** Largest total, in bytes, ever held at once. */
  peakBytes = 0;

  /** Total bytes currently held. */
  get bytes(): number {
    return (this.a.length + this.b.length + this.c.length + this.s.length + this.t.length) * 8;
  }

  packedA(n: number): Float64Array {
    if (this.a.length < n) this.a = this.grow(this.a, n);
    return this.a;
  }

  packedB(n: number): Float64Array {
    if (this.b.length < n) this.b = this.grow(this.b, n);
    return this.b;
  }

  accumulator(n: number): Float64Array {
    if (this.c.length < n) this.c = this.grow(this.c, n);
    return this.c;
  }

  scratch(n: number): Float64Array {
    if (this.s.length < n) this.s = this.grow(this.s, n);
    return this.s;
  }

  scratch2(n: number): Float64Array {
    if (this.t.length < n) this.t = this.grow(this.t, n);
    return this.t;
  }

  private grow(old: Float64Array, n: number): Float64Array {
    const fresh = new Float64Array(n);
    // The old buffer is garbage from here on; count only what is reachable.
    this.peakBytes = Math.max(this.peakBytes, this.bytes - old.length * 8 + n * 8);
    return fresh;
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
    gemv(ws, blocking, p);
    return;
  }
  const { M, N, K } = p;
  // Equal K blocks of at most blocking.kc (see DEFAULT_GEMM_BLOCKING).
  const kBlocks = Math.ceil(K / blocking.kc);
  const kcMax = Math.ceil(K / kBlocks);
  const mcMax = Math.min(roundUp(blocking.mc, MR), roundUp(M, MR));
  const ncMax = columnBlock({ ...blocking, kc: kcMax }, M, N, kcMax, budgetBytes);
  const ldc = ncMax; // accumulator row stride (a multiple of NR)
  const ap = ws.packedA(mcMax * kcMax);
  const bp = ws.packedB(kcMax * ncMax);
  const acc = ws.accumulator(roundUp(M, MR) * ldc);
  for (let jc = 0; jc < N; jc += ncMax) {
    const nc = Math.min(ncMax, N - jc);
    // −0 is the additive identity (−0 + x = x for every x, ±0 included), so starting from it
    // changes no sum; one store pattern (+=) keeps the micro-kernel free of untaken branches.
    acc.fill(-0, 0, roundUp(M, MR) * ldc);
    for (let pc = 0; pc < K; pc += kcMax) {
      const kc = Math.min(kcMax, K - pc);
      p.packB(bp, pc, kc, jc, nc);
      zeroTailLanes(bp, kc, nc);
      for (let ic = 0; ic < M; ic += mcMax) {
        const mc = Math.min(mcMax, M - ic);
        packA(ap, p.a, p.aOffset + ic * p.lda + pc, p.lda, mc, kc);
        macroKernel(mc, nc, kc, ap, bp, acc, ic * ldc, ldc);
      }
    }
    writeOut(acc, ldc, M, jc, nc, p.out, p.outLayout, p.bias, p.biasOffset);
  }
}

/**
 * Every MR×NR tile of one (mc × kc)·(kc × nc) block product, accumulated into acc from row
 * offset `c0`. Separate from `gemm` so that the loops calling the micro-kernel thousands of
 * times live in a function whose every path runs on its first call: V8 compiles such loops
 * on-stack (OSR) during that call, and in V8 11 an OSR-compiled loop that later reaches code it
 * had no type feedback for could deoptimize on every call (measured on the GEMV: 1.5–2× slower).
 */
function macroKernel(mc: number, nc: number, kc: number, ap: Float64Array, bp: Float64Array, acc: Float64Array, c0: number, ldc: number): void {
  for (let jr = 0; jr < nc; jr += NR) {
    for (let ir = 0; ir < mc; ir += MR) {
      microKernel(kc, ap, ir * kc, bp, jr * kc, acc, c0 + ir * ldc + jr, ldc);
    }
  }
}

/**
 * The register-tiled micro-kernel: acc[MR×NR tile] (=|+=) Ap-panel · Bp-panel over kc.
 * Twelve scalar accumulators live in registers; per k step it loads MR values of A and NR of
 * B, both contiguous in their panels, and does MR·NR multiply–adds. Not an FMA: JS evaluates
 * `c += a·b` as a rounded product then a rounded sum.
 */
function microKernel(
  kc: number,
  a: Float64Array,
  ai: number,
  b: Float64Array,
  bi: number,
  c: Float64Array,
  ci: number,
  ldc: number,
): void {
  let c00 = -0, c01 = -0, c02 = -0;
  let c10 = -0, c11 = -0, c12 = -0;
  let c20 = -0, c21 = -0, c22 = -0;
  let c30 = -0, c31 = -0, c32 = -0;
  for (let k = 0; k < kc; k++) {
    const a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
    let bj = b[bi];
    c00 += a0 * bj; c10 += a1 * bj; c20 += a2 * bj; c30 += a3 * bj;
    bj = b[bi + 1];
    c01 += a0 * bj; c11 += a1 * bj; c21 += a2 * bj; c31 += a3 * bj;
    bj = b[bi + 2];
    c02 += a0 * bj; c12 += a1 * bj; c22 += a2 * bj; c32 += a3 * bj;
    ai += 4; // MR
    bi += 3; // NR
  }
  const r1 = ci + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02;
  c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12;
  c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22;
  c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32;
}

/**
 * Packs A[i0 : i0+mc, k0 : k0+kc] (A row-major from `src[off]`, row stride lda) into MR-tall
 * panels: panel q holds A[q·MR + r, kk] at dst[(q·kc + kk)·MR + r]; rows past mc are zeros.
 */
function packA(dst: Float64Array, src: FloatArray, off: number, lda: number, mc: number, kc: number): void {
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
  acc: Float64Array,
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

/** Reduction depth per block on the matrix–vector path: long rows stream better; 4096 doubles of vector stay in L2. */
const GEMV_KC = 4096;

/**
 * Matrix–vector product for N = 1: y[i] = Σ_k A[i, k]·v[k], A read straight from the caller's
 * array (each element is used once, so packing it would double the memory traffic). Eight rows
 * at a time: every load of v then serves eight multiply–adds, and the A loads of one step share
 * one induction variable. Measured on fc6 (4096 × 25088, float32): 8 rows 1.5× faster than 4,
 * and as fast as a bare sum over A — the loop runs at the memory bandwidth.
 */
function gemv(ws: GemmWorkspace, blocking: GemmBlocking, p: GemmProblem): void {
  const { M, K, a, lda } = p;
  const kBlocks = Math.ceil(K / Math.max(GEMV_KC, blocking.kc));
  const kcMax = Math.ceil(K / kBlocks);
  const v = ws.packedB(kcMax * NR);
  const acc = ws.accumulator(M);
  acc.fill(-0, 0, M); // −0: the additive identity, see gemm()
  const M8 = M - (M % 8);
  for (let pc = 0; pc < K; pc += kcMax) {
    const kc = Math.min(kcMax, K - pc);
    p.packB(v, pc, kc, 0, 1);
    // With nc = 1 the packed vector sits in lane 0 of each panel row (stride NR); make it contiguous.
    for (let kk = 1; kk < kc; kk++) v[kk] = v[kk * NR];
    const off = p.aOffset + pc;
    for (let i = 0; i < M8; i += 8) dot8(a, off + i * lda, lda, v, kc, acc, i);
    for (let i = M8; i < M; i++) acc[i] += dot1(a, off + i * lda, v, kc);
  }
  writeOut(acc, 1, M, 0, 1, p.out, p.outLayout, p.bias, p.biasOffset);
}

/**
 * acc[i + r] += Σ_{kk < kc} a[ra + r·lda + kk]·v[kk] for r < 8. One call per eight rows keeps
 * the hot loop in a small function that V8 optimizes normally, with all its paths warm
 * (see `macroKernel`).
 */
function dot8(a: FloatArray, ra: number, lda: number, v: Float64Array, kc: number, acc: Float64Array, i: number): void {
  const l2 = 2 * lda, l3 = 3 * lda, l4 = 4 * lda, l5 = 5 * lda, l6 = 6 * lda, l7 = 7 * lda;
  let s0 = -0, s1 = -0, s2 = -0, s3 = -0, s4 = -0, s5 = -0, s6 = -0, s7 = -0;
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
  acc[i] += s0; acc[i + 1] += s1; acc[i + 2] += s2; acc[i + 3] += s3;
  acc[i + 4] += s4; acc[i + 5] += s5; acc[i + 6] += s6; acc[i + 7] += s7;
}

/** Σ_{kk < kc} a[ra + kk]·v[kk], for the rows left over after `dot8`. */
function dot1(a: FloatArray, ra: number, v: Float64Array, kc: number): number {
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
export function stridedPackB(src: FloatArray, layout: StridedLayout): PackB {
  const { offset, rowStride, colStride, groupSize, groupStride } = layout;
  return (dst, k0, kc, j0, nc) => {
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
  };
}

/** Zeros lanes nc mod NR … NR−1 of the last panel, so a partial tile reads no stale data. */
export function zeroTailLanes(dst: Float64Array, kc: number, nc: number): void {
  const q = Math.floor(nc / NR);
  const rem = nc - q * NR;
  if (rem === 0) return;
  for (let kk = 0; kk < kc; kk++) {
    const d = (q * kc + kk) * NR;
    for (let r = rem; r < NR; r++) dst[d + r] = 0;
  }
}
