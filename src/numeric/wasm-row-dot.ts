/**
 * WebAssembly SIMD row dot products: the matrix–vector path of the GEMM (`gemv` in gemm.ts).
 * The module is assembled from the instruction lists below at first use — built from this
 * source, never a committed or downloaded binary.
 */
import type { Doubles, FloatArray } from './arrays.js';
import {
  F64X2_ADD,
  F64X2_MUL,
  F64X2_PROMOTE_LOW_F32X4,
  HIGH_TO_LOW,
  MODULE_PREAMBLE,
  V128_MINUS_ZERO,
  W,
  elementAddress,
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
  vec,
  sharedModule,
  whileBelow,
} from './wasm-assembler.js';

// Why: the matrix–vector product is bound by loads. Scalar JS needs one bounds-checked load per
// element of A and runs fc6 (4096 × 25088 float32) in ~45–55 ms; ~25 % slower once V8's
// ArrayBuffer-detaching protector is gone (tfjs-core invalidates it at import; from then on every
// typed-array load in optimized code also checks for detachment). WebAssembly SIMD loads four
// floats per instruction: rows are copied in chunks into the module's memory with
// TypedArray#set (a native memcpy) and reduced there in ~30 ms, protector or not.
// The module is assembled below from its instruction list the first time it is needed — no
// binary is committed, downloaded or built at install — and where WebAssembly SIMD is missing
// (`WebAssembly.validate` fails) the JS loop runs instead.
//
// Arithmetic: float32 elements are widened to float64 (exact) and multiplied by the float64
// vector; each row keeps eight float64 partial sums (lanes of four f64x2 accumulators, element k
// going to partial k mod 8), combined as ((p0+p1)+(p2+p3)) lane 0 + lane 1 at the end, then the
// k mod 8 tail is added in order. A fixed order (so results are reproducible); any order keeps
// the recursive-summation error bound. Accumulators start at −0, as everywhere here.

/** Reduction depth per block on the WebAssembly path: 32768 doubles of vector (256 KiB). */
export const WASM_KC = 32768;
/** Bytes of A copied into the module per chunk: with the vector, a chunk stays in a 1 MiB L2. */
const WASM_CHUNK_BYTES = 384 * 1024;
/** Rows per chunk at most (the per-row results area). */
const WASM_MAX_ROWS = 8192;
/** Memory layout: vector at 0, per-row results after it, then the chunk of A. */
const WASM_V = 0;
const WASM_OUT = WASM_V + WASM_KC * 8;
const WASM_A = WASM_OUT + WASM_MAX_ROWS * 8;
/** 64 KiB pages: the layout above, fixed (never grown, so the views are never detached). */
const WASM_PAGES = Math.ceil((WASM_A + WASM_CHUNK_BYTES) / 65536);

/** True when the WebAssembly SIMD matrix–vector kernel can run here (assembled and instantiated on first call). */
export function wasmSimdAvailable(): boolean {
  return WasmRowDot.instance() !== undefined;
}

/** Bytes of WebAssembly memory the matrix–vector kernel holds, once per process. */
export const WASM_MEMORY_BYTES = WASM_PAGES * 65536;

/** The instantiated row-dot module and views on its memory. */
export class WasmRowDot {
  /** The shared instance, or undefined where WebAssembly SIMD is not available. */
  static readonly instance: () => WasmRowDot | undefined = sharedModule<RowDotExports, WasmRowDot>(
    rowDotModule,
    WASM_PAGES,
    (memory, exports) => new WasmRowDot(memory, exports),
  );

  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly exports: RowDotExports;

  private constructor(memory: WebAssembly.Memory, exports: RowDotExports) {
    this.exports = exports;
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /**
   * acc[i] += Σ_{kk < kc} a[off + i·lda + kk]·v[kk] for i < M, kc ≤ WASM_KC. Rows are copied
   * chunk by chunk (one memcpy per chunk when they are contiguous, i.e. lda = kc).
   */
  accumulate(a: FloatArray, off: number, lda: number, M: number, v: Doubles, kc: number, acc: Doubles): void {
    const wide = a instanceof Float64Array;
    const elem = wide ? 8 : 4;
    const heap = wide ? this.f64 : this.f32;
    const dot = wide ? this.exports.rows64 : this.exports.rows32;
    const f64 = this.f64;
    for (let kk = 0; kk < kc; kk++) f64[WASM_V / 8 + kk] = v[kk];
    const rows = Math.max(1, Math.min(WASM_MAX_ROWS, Math.floor(WASM_CHUNK_BYTES / (kc * elem))));
    const base = WASM_A / elem;
    for (let r0 = 0; r0 < M; r0 += rows) {
      const n = Math.min(rows, M - r0);
      const src = off + r0 * lda;
      if (lda === kc) {
        heap.set(a.subarray(src, src + n * kc), base);
      } else {
        for (let r = 0; r < n; r++) heap.set(a.subarray(src + r * lda, src + r * lda + kc), base + r * kc);
      }
      dot(WASM_A, n, kc, WASM_V, WASM_OUT);
      for (let r = 0; r < n; r++) acc[r0 + r] += f64[WASM_OUT / 8 + r];
    }
  }
}

interface RowDotExports {
  /** out[r] = Σ_k a[r·K + k]·v[k] for r < rows; a float32 at byte aPtr, v and out float64. */
  rows32(aPtr: number, rows: number, K: number, vPtr: number, outPtr: number): void;
  /** The same with a float64. */
  rows64(aPtr: number, rows: number, K: number, vPtr: number, outPtr: number): void;
}

/**
 * The body of rows32 (wide = false) or rows64 (wide = true):
 *   for r < rows: p0..p3 = −0; for k < K & ~7 (8 at a time): p_j += widen(a[k + 2j .. +1])·v[k + 2j .. +1];
 *   s = lane0 + lane1 of ((p0+p1)+(p2+p3)); for the tail k: s += a[k]·v[k]; out[r] = s
 */
function rowDotBody(wide: boolean): number[] {
  // Parameters 0–4: aPtr, rows, K, vPtr, outPtr. Locals: i32 r, k, pa, pv, k8; v128 p0..p3, x; f64 s.
  const [aPtr, rows, K, vPtr, outPtr, r, k, pa, pv, k8, p0, p1, p2, p3, x, sum] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const elemLog2 = wide ? 3 : 2;
  // p_j += a-part·v-part, for the 16 bytes of v at offset vOff.
  const madd = (pj: number, aPart: number[], vOff: number) => [
    ...aPart,
    ...get(pv),
    ...v128Load(3, vOff),
    ...F64X2_MUL,
    ...get(pj),
    ...F64X2_ADD,
    ...set(pj),
  ];
  const inner = wide
    ? [0, 1, 2, 3].flatMap((j) => madd([p0, p1, p2, p3][j], [...get(pa), ...v128Load(3, 16 * j)], 16 * j))
    : [
        ...get(pa),
        ...v128Load(2, 0),
        ...tee(x),
        ...madd(p0, F64X2_PROMOTE_LOW_F32X4, 0),
        ...madd(p1, [...get(x), ...get(x), ...HIGH_TO_LOW, ...F64X2_PROMOTE_LOW_F32X4], 16),
        ...get(pa),
        ...v128Load(2, 16),
        ...tee(x),
        ...madd(p2, F64X2_PROMOTE_LOW_F32X4, 32),
        ...madd(p3, [...get(x), ...get(x), ...HIGH_TO_LOW, ...F64X2_PROMOTE_LOW_F32X4], 48),
      ];
  const tailLoad = wide ? [...get(pa), W.f64Load, 3, 0] : [...get(pa), W.f32Load, 2, 0, W.f64Promote];
  const code = [
    ...get(K),
    ...i32(-8),
    W.i32And,
    ...set(k8),
    ...i32(0),
    ...set(r),
    ...whileBelow(r, rows, [
      ...V128_MINUS_ZERO,
      ...set(p0),
      ...V128_MINUS_ZERO,
      ...set(p1),
      ...V128_MINUS_ZERO,
      ...set(p2),
      ...V128_MINUS_ZERO,
      ...set(p3),
      ...rowAddress(aPtr, r, K, elemLog2),
      ...set(pa),
      ...get(vPtr),
      ...set(pv),
      ...i32(0),
      ...set(k),
      ...whileBelow(k, k8, [...inner, ...step(pa, 8 << elemLog2), ...step(pv, 64), ...step(k, 8)]),
      ...get(p0),
      ...get(p1),
      ...F64X2_ADD,
      ...get(p2),
      ...get(p3),
      ...F64X2_ADD,
      ...F64X2_ADD,
      ...tee(x),
      ...f64x2ExtractLane(0),
      ...get(x),
      ...f64x2ExtractLane(1),
      W.f64Add,
      ...set(sum),
      ...whileBelow(k, K, [
        ...get(sum),
        ...tailLoad,
        ...get(pv),
        W.f64Load,
        3,
        0,
        W.f64Mul,
        W.f64Add,
        ...set(sum),
        ...step(pa, 1 << elemLog2),
        ...step(pv, 8),
        ...step(k, 1),
      ]),
      ...elementAddress(outPtr, r, 3),
      ...get(sum),
      W.f64Store,
      3,
      0,
      ...step(r, 1),
    ]),
    W.end,
  ];
  return functionBody(
    [
      [...uleb(5), W.i32],
      [...uleb(5), W.v128],
      [...uleb(1), W.f64],
    ],
    code,
  );
}

/** The module: imports env.memory, exports rows32 and rows64, both (i32 × 5) → (). */
function rowDotModule(): Uint8Array<ArrayBuffer> {
  const i32x5 = [0x60, ...vec([[W.i32], [W.i32], [W.i32], [W.i32], [W.i32]]), ...vec([])];
  return new Uint8Array([
    ...MODULE_PREAMBLE,
    ...section(1, vec([i32x5])), // types
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x01, ...uleb(WASM_PAGES), ...uleb(WASM_PAGES)]])), // import memory
    ...section(3, vec([[0], [0]])), // two functions of type 0
    ...section(
      7,
      vec([
        [...name('rows32'), 0x00, 0],
        [...name('rows64'), 0x00, 1],
      ]),
    ), // exports
    ...section(10, vec([rowDotBody(false), rowDotBody(true)])), // code
  ]);
}
