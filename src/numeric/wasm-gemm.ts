/**
 * WebAssembly SIMD block product for the packed GEMM (`gemm` in gemm.ts): the micro-kernel and
 * the two loops around it (the "macro-kernel") run inside WebAssembly, so the JS↔WASM call is
 * paid once per (mc × kc)·(kc × nc) block, not once per tile. The module is assembled from the
 * instruction list below at first use — built from this source, never a committed binary.
 */
import {
  F64X2_ADD,
  F64X2_MUL,
  MODULE_PREAMBLE,
  V128_MINUS_ZERO,
  W,
  f64x2ExtractLane,
  functionBody,
  get,
  i32,
  name,
  rowAddress,
  section,
  set,
  step,
  tee,
  uleb,
  v128Load,
  v128Load64Splat,
  vec,
  sharedModule,
  whileBelow,
} from './wasm-assembler.js';

// Why: the scalar JS micro-kernel tops out at ~6 GFLOP/s (one multiply–add per instruction, a
// bounds check per load). f64x2 SIMD does two multiply–adds per instruction on the same packed
// panels, without bounds checks.
//
// Arithmetic — identical to the JS micro-kernel, so both paths give bit-identical results:
// the panels hold float64 values (float32 inputs widened exactly by the packers), each of the
// MR·NR accumulators starts at −0 and adds a[i,k]·b[k,j] for k = 0 … kc−1 in order, as a
// rounded f64 product then a rounded f64 sum (f64x2.mul then f64x2.add: no fused multiply–add),
// and the tile is then added to C. Every product is computed (zero-padded lanes included, so
// 0·∞ is NaN as in the JS path).
//
// Tile: the same 4×3 tile and panel layouts as the JS path (MR = 4, NR = 3 in gemm.ts), so the
// packers serve both. With f64x2 a 4×3 tile is six v128 accumulators: rows (0,1) and (2,3) of
// each of the three columns. Per k step: two v128 loads of A, three load64_splat of B, six
// f64x2.mul and six f64x2.add — 24 flops. Six independent add chains cover the f64 add latency
// (3–4 cycles) at two adds per cycle, and 6 + 2 + 1 live v128 values fit the 16 XMM registers
// without spills.

/**
 * B panels (NR = 3 columns each) per WASM tile. 1 (a 4×3 tile, six accumulators) measured
 * fastest: the block product of the ResNet 3×3 shape (64 × 192 × 3138) ran at 15.6–22.0
 * GFLOP/s against 10.8–13.0 for 2 (a 4×6 tile: twelve accumulators, two A vectors and the
 * splat are 15 live v128 values, and V8's register allocator then spills in the k loop).
 * An 8×3 tile over two A panels, with A reloaded per column to stay at 14 live values,
 * measured 7.8–8.7 GFLOP/s against 22.0–23.3 for 4×3 in the same session.
 */
const WASM_B_PANELS = 1;
/** Columns of the WASM tile (a multiple of NR = 3). */
export const WASM_NR = 3 * WASM_B_PANELS;

/** Bytes of the module's memory: packed A, packed B and the accumulator, fixed (never grown). */
export const WASM_GEMM_BYTES = 8 * 1024 * 1024;
const WASM_GEMM_PAGES = WASM_GEMM_BYTES / 65536;

/** The instantiated GEMM module and a float64 view of its memory. */
export class WasmGemm {
  /** The shared instance, or undefined where WebAssembly SIMD is not available. */
  static readonly instance: () => WasmGemm | undefined = sharedModule<GemmExports, WasmGemm>(
    gemmModule,
    WASM_GEMM_PAGES,
    (memory, exports) => new WasmGemm(memory, exports.block),
  );

  /** The whole memory as float64 (never detached: the memory never grows). */
  readonly heap: Float64Array;
  /**
   * C[c0 + i·ldc + j] += Σ_{k<kc} Ap[i, k]·Bp[k, j] (each tile's sums starting at −0) for i < mc
   * rounded up to MR, j < nc rounded up to WASM_NR; all offsets in doubles into `heap`, panels
   * laid out as by `packA` / `PackB` in gemm.ts.
   */
  readonly block: (ap: number, bp: number, c0: number, mc: number, nc: number, kc: number, ldc: number) => void;

  private constructor(memory: WebAssembly.Memory, block: GemmExports['block']) {
    this.heap = new Float64Array(memory.buffer);
    this.block = (ap, bp, c0, mc, nc, kc, ldc) => block(ap * 8, bp * 8, c0 * 8, mc, nc, kc, ldc);
  }
}

/** True when the WebAssembly SIMD GEMM can run here (assembled and instantiated on first call). */
export function wasmGemmAvailable(): boolean {
  return WasmGemm.instance() !== undefined;
}

interface GemmExports {
  /** The block product above, with byte addresses. */
  block(apPtr: number, bpPtr: number, cPtr: number, mc: number, nc: number, kc: number, ldc: number): void;
}

/**
 * The body of `block`, for a 4 × nj tile, nj = 3·bPanels (bPanels B panels side by side):
 *   for jr < nc step nj: for ir < mc step 4:
 *     acc[0 … 2·nj−1] = −0; a = ap + ir·kc·8; b_p = bp + (jr + 3p)·kc·8 for p < bPanels
 *     do { A0 = a[0..1], A1 = a[2..3]
 *          for j < nj: s = splat b_⌊j/3⌋[j mod 3]; acc[j] += A0·s; acc[nj + j] += A1·s
 *          a += 32; b_p += 24 } while (−−k ≠ 0)        (kc ≥ 1)
 *     C[ir + r, jr + j] += lane (r mod 2) of acc[nj·⌊r/2⌋ + j]
 */
function blockBody(bPanels: number): number[] {
  const nj = 3 * bPanels;
  // Parameters 0–6: ap, bp, c, mc, nc, kc, ldc (bytes, except mc/nc/kc/ldc in elements).
  // Locals: i32 jr, ir, pa, k, pc, ldc8, pb[bPanels]; v128 acc[2·nj], a0, a1, s.
  const [ap, bp, c, mc, nc, kc, ldc, jr, ir, pa, k, pc, ldc8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const pb = Array.from({ length: bPanels }, (_, i) => 13 + i);
  const acc = Array.from({ length: 2 * nj }, (_, i) => 13 + bPanels + i);
  const [a0, a1, s] = [13 + bPanels + 2 * nj, 14 + bPanels + 2 * nj, 15 + bPanels + 2 * nj];
  const madd = (accIdx: number, aIdx: number) => [...get(aIdx), ...get(s), ...F64X2_MUL, ...get(accIdx), ...F64X2_ADD, ...set(accIdx)];
  const cols = Array.from({ length: nj }, (_, j) => j);
  const kStep = [
    ...get(pa),
    ...v128Load(3, 0),
    ...set(a0),
    ...get(pa),
    ...v128Load(3, 16),
    ...set(a1),
    ...cols.flatMap((j) => [
      ...get(pb[Math.floor(j / 3)]),
      ...v128Load64Splat(8 * (j % 3)),
      ...set(s),
      ...madd(acc[j], a0),
      ...madd(acc[nj + j], a1),
    ]),
    ...step(pa, 32),
    ...pb.flatMap((p) => step(p, 24)),
  ];
  // C row r of the tile, column j: f64 at pc + r·ldc8 + 8j.
  const writeBack = [0, 1, 2, 3].flatMap((r) => [
    ...cols.flatMap((j) => [
      ...get(pc),
      ...get(pc),
      W.f64Load,
      3,
      ...uleb(8 * j),
      ...get(acc[nj * (r >> 1) + j]),
      ...f64x2ExtractLane(r & 1),
      W.f64Add,
      W.f64Store,
      3,
      ...uleb(8 * j),
    ]),
    ...get(pc),
    ...get(ldc8),
    W.i32Add,
    ...set(pc),
  ]);
  const code = [
    ...get(ldc),
    ...i32(3),
    W.i32Shl,
    ...set(ldc8),
    ...i32(0),
    ...set(jr),
    ...whileBelow(jr, nc, [
      ...i32(0),
      ...set(ir),
      ...whileBelow(ir, mc, [
        ...acc.flatMap((v) => [...V128_MINUS_ZERO, ...set(v)]),
        // a = ap + ir·kc·8; B panel p of the tile at bp + (jr + 3p)·kc·8 (panel q of A starts at
        // q·MR·kc doubles, of B at q·NR·kc).
        ...rowAddress(ap, ir, kc, 3),
        ...set(pa),
        ...pb.flatMap((p, i) => [
          ...get(bp),
          ...get(jr),
          ...i32(3 * i),
          W.i32Add,
          ...get(kc),
          W.i32Mul,
          ...i32(3),
          W.i32Shl,
          W.i32Add,
          ...set(p),
        ]),
        // kc ≥ 1, so the k loop tests at the bottom. Unrolling it by 2 or 4 (memarg offsets, one
        // pointer update per group) measured no faster.
        ...get(kc),
        ...set(k),
        W.loop,
        W.void,
        ...kStep,
        ...get(k),
        ...i32(1),
        W.i32Sub,
        ...tee(k),
        W.brIf,
        0,
        W.end,
        // pc = c + (ir·ldc + jr)·8
        ...get(c),
        ...get(ir),
        ...get(ldc),
        W.i32Mul,
        ...get(jr),
        W.i32Add,
        ...i32(3),
        W.i32Shl,
        W.i32Add,
        ...set(pc),
        ...writeBack,
        ...step(ir, 4),
      ]),
      ...step(jr, nj),
    ]),
    W.end,
  ];
  return functionBody(
    [
      [...uleb(6 + bPanels), W.i32],
      [...uleb(2 * nj + 3), W.v128],
    ],
    code,
  );
}

/** The module: imports env.memory, exports block: (i32 × 7) → (). */
function gemmModule(): Uint8Array<ArrayBuffer> {
  const i32x7 = [0x60, ...vec([[W.i32], [W.i32], [W.i32], [W.i32], [W.i32], [W.i32], [W.i32]]), ...vec([])];
  return new Uint8Array([
    ...MODULE_PREAMBLE,
    ...section(1, vec([i32x7])), // types
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x01, ...uleb(WASM_GEMM_PAGES), ...uleb(WASM_GEMM_PAGES)]])), // import memory
    ...section(3, vec([[0]])), // one function of type 0
    ...section(7, vec([[...name('block'), 0x00, 0]])), // exports
    ...section(10, vec([blockBody(WASM_B_PANELS)])), // code
  ]);
}
