/**
 * WebAssembly SIMD row pass of the dense fast judge (batch 1): for each row of w, the value
 * Σ w·x and the magnitude Σ |w|·|x| in one pass, so w — fc6's is 822 MB as float64 — is read
 * once. Assembled from the instruction lists below at first use, like the kernels' modules
 * (`numeric/wasm-row-dot.ts`, whose layout and loop this follows); where WebAssembly SIMD is
 * missing, `denseRows` runs its JavaScript loop instead. Its own module and row streaming, not a
 * call into `wasm-row-dot.ts`, on purpose: builtin:im2col's dense path runs on that module, and a
 * judge that shared its streaming of rows would reproduce that code's bugs in the expected values.
 *
 * Arithmetic: float32 elements are widened to float64 (exact); each row keeps eight float64
 * partial sums of w·x and eight of |w|·|x| (lanes of four f64x2 accumulators each, element k
 * going to partial k mod 8), starting at −0, combined at the end, then the k mod 8 tail is
 * added in order. Any order keeps the judge's recursive-summation bound.
 */
import type { FloatArray } from '../../numeric/arrays.js';
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
  simd,
  step,
  tee,
  uleb,
  v128Load,
  vec,
  sharedModule,
  whileBelow,
} from '../../numeric/wasm-assembler.js';

/** f64x2.abs and f64.abs (not among the shared opcodes). */
const F64X2_ABS = simd(0xec);
const F64_ABS = 0x99;

/** Reduction depth per block: 32768 doubles of x and of |x| (256 KiB each). */
export const JUDGE_ROWS_KC = 32768;
/** Bytes of w copied into the module per chunk. */
const CHUNK_BYTES = 384 * 1024;
/** Rows per chunk at most (the per-row results areas). */
const MAX_ROWS = 8192;
/** Memory layout, bytes: x, |x|, values, magnitudes, then the chunk of w. */
const X = 0;
const AX = X + JUDGE_ROWS_KC * 8;
const OUT = AX + JUDGE_ROWS_KC * 8;
const MAG = OUT + MAX_ROWS * 8;
const A = MAG + MAX_ROWS * 8;
const PAGES = Math.ceil((A + CHUNK_BYTES) / 65536);

interface JudgeRowsExports {
  /** out[r] = Σ_k a[r·K + k]·x[k], mag[r] = Σ_k |a[r·K + k]|·ax[k] for r < rows; a float32 at byte aPtr. */
  rows32(aPtr: number, rows: number, K: number, xPtr: number, axPtr: number, outPtr: number, magPtr: number): void;
  /** The same with a float64. */
  rows64(aPtr: number, rows: number, K: number, xPtr: number, axPtr: number, outPtr: number, magPtr: number): void;
}

/** The instantiated module and views on its memory. */
export class WasmJudgeRows {
  /** The shared instance, or undefined where WebAssembly SIMD is not available. */
  static readonly instance: () => WasmJudgeRows | undefined = sharedModule<JudgeRowsExports, WasmJudgeRows>(
    judgeRowsModule,
    PAGES,
    (memory, exports) => new WasmJudgeRows(memory, exports),
  );

  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly exports: JudgeRowsExports;

  private constructor(memory: WebAssembly.Memory, exports: JudgeRowsExports) {
    this.exports = exports;
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /**
   * out[y + i] += Σ_{kk < kc} a[off + i·lda + kk]·x[xOff + kk] and mag[y + i] += the same with
   * |a| and ax, for i < M, kc ≤ JUDGE_ROWS_KC. Rows are copied chunk by chunk (one memcpy per
   * chunk when they are contiguous, lda = kc).
   */
  accumulate(
    a: FloatArray,
    off: number,
    lda: number,
    M: number,
    x: Float64Array,
    ax: Float64Array,
    xOff: number,
    kc: number,
    out: Float64Array,
    mag: Float64Array,
    y: number,
  ): void {
    const wide = a instanceof Float64Array;
    const elem = wide ? 8 : 4;
    const heap = wide ? this.f64 : this.f32;
    const rows = wide ? this.exports.rows64 : this.exports.rows32;
    const f64 = this.f64;
    f64.set(x.subarray(xOff, xOff + kc), X / 8);
    f64.set(ax.subarray(xOff, xOff + kc), AX / 8);
    const chunk = Math.max(1, Math.min(MAX_ROWS, Math.floor(CHUNK_BYTES / (kc * elem))));
    const base = A / elem;
    for (let r0 = 0; r0 < M; r0 += chunk) {
      const n = Math.min(chunk, M - r0);
      const src = off + r0 * lda;
      if (lda === kc) {
        heap.set(a.subarray(src, src + n * kc), base);
      } else {
        for (let r = 0; r < n; r++) heap.set(a.subarray(src + r * lda, src + r * lda + kc), base + r * kc);
      }
      rows(A, n, kc, X, AX, OUT, MAG);
      for (let r = 0; r < n; r++) {
        out[y + r0 + r] += f64[OUT / 8 + r];
        mag[y + r0 + r] += f64[MAG / 8 + r];
      }
    }
  }
}

/**
 *   for r < rows: p0..p3 = q0..q3 = −0;
 *     for k < K & ~7 (8 at a time): p_j += widen(a[k+2j .. +1])·x[k+2j .. +1], q_j += |widen(a…)|·ax[…];
 *     s, m = lane sums of (p0+p1)+(p2+p3), (q0+q1)+(q2+q3); tail k: s += a[k]·x[k], m += |a[k]|·ax[k];
 *     out[r] = s; mag[r] = m
 */
function judgeRowsBody(wide: boolean): number[] {
  // Parameters 0–6: aPtr, rows, K, xPtr, axPtr, outPtr, magPtr. Locals: i32 r, k, pa, px, pax, k8;
  // v128 p0..p3, q0..q3, v, y; f64 s, m, t.
  const [aPtr, rows, K, xPtr, axPtr, outPtr, magPtr] = [0, 1, 2, 3, 4, 5, 6];
  const [r, k, pa, px, pax, k8] = [7, 8, 9, 10, 11, 12];
  const [p0, p1, p2, p3, q0, q1, q2, q3, v, y] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const [s, m, t] = [23, 24, 25];
  const elemLog2 = wide ? 3 : 2;
  const ps = [p0, p1, p2, p3];
  const qs = [q0, q1, q2, q3];
  // With the widened part of a on the stack: p_j += part·x[off], q_j += |part|·ax[off].
  const both = (j: number, off: number) => [
    ...tee(y),
    ...get(px),
    ...v128Load(3, off),
    ...F64X2_MUL,
    ...get(ps[j]),
    ...F64X2_ADD,
    ...set(ps[j]),
    ...get(y),
    ...F64X2_ABS,
    ...get(pax),
    ...v128Load(3, off),
    ...F64X2_MUL,
    ...get(qs[j]),
    ...F64X2_ADD,
    ...set(qs[j]),
  ];
  const inner = wide
    ? [0, 1, 2, 3].flatMap((j) => [...get(pa), ...v128Load(3, 16 * j), ...both(j, 16 * j)])
    : [
        ...get(pa),
        ...v128Load(2, 0),
        ...set(v),
        ...get(v),
        ...F64X2_PROMOTE_LOW_F32X4,
        ...both(0, 0),
        ...get(v),
        ...get(v),
        ...HIGH_TO_LOW,
        ...F64X2_PROMOTE_LOW_F32X4,
        ...both(1, 16),
        ...get(pa),
        ...v128Load(2, 16),
        ...set(v),
        ...get(v),
        ...F64X2_PROMOTE_LOW_F32X4,
        ...both(2, 32),
        ...get(v),
        ...get(v),
        ...HIGH_TO_LOW,
        ...F64X2_PROMOTE_LOW_F32X4,
        ...both(3, 48),
      ];
  const tailLoad = wide ? [...get(pa), W.f64Load, 3, 0] : [...get(pa), W.f32Load, 2, 0, W.f64Promote];
  const zero = (i: number) => [...V128_MINUS_ZERO, ...set(i)];
  const reduce = (a: number[], into: number) => [
    ...get(a[0]),
    ...get(a[1]),
    ...F64X2_ADD,
    ...get(a[2]),
    ...get(a[3]),
    ...F64X2_ADD,
    ...F64X2_ADD,
    ...tee(y),
    ...f64x2ExtractLane(0),
    ...get(y),
    ...f64x2ExtractLane(1),
    W.f64Add,
    ...set(into),
  ];
  const store = (ptr: number, value: number) => [...elementAddress(ptr, r, 3), ...get(value), W.f64Store, 3, 0];
  const code = [
    ...get(K),
    ...i32(-8),
    W.i32And,
    ...set(k8),
    ...i32(0),
    ...set(r),
    ...whileBelow(r, rows, [
      ...[...ps, ...qs].flatMap(zero),
      ...rowAddress(aPtr, r, K, elemLog2),
      ...set(pa),
      ...get(xPtr),
      ...set(px),
      ...get(axPtr),
      ...set(pax),
      ...i32(0),
      ...set(k),
      ...whileBelow(k, k8, [...inner, ...step(pa, 8 << elemLog2), ...step(px, 64), ...step(pax, 64), ...step(k, 8)]),
      ...reduce(ps, s),
      ...reduce(qs, m),
      ...whileBelow(k, K, [
        ...tailLoad,
        ...set(t),
        ...get(s),
        ...get(t),
        ...get(px),
        W.f64Load,
        3,
        0,
        W.f64Mul,
        W.f64Add,
        ...set(s),
        ...get(m),
        ...get(t),
        F64_ABS,
        ...get(pax),
        W.f64Load,
        3,
        0,
        W.f64Mul,
        W.f64Add,
        ...set(m),
        ...step(pa, 1 << elemLog2),
        ...step(px, 8),
        ...step(pax, 8),
        ...step(k, 1),
      ]),
      ...store(outPtr, s),
      ...store(magPtr, m),
      ...step(r, 1),
    ]),
    W.end,
  ];
  return functionBody(
    [
      [...uleb(6), W.i32],
      [...uleb(10), W.v128],
      [...uleb(3), W.f64],
    ],
    code,
  );
}

/** The module: imports env.memory, exports rows32 and rows64, both (i32 × 7) → (). */
function judgeRowsModule(): Uint8Array<ArrayBuffer> {
  const i32x7 = [0x60, ...vec([[W.i32], [W.i32], [W.i32], [W.i32], [W.i32], [W.i32], [W.i32]]), ...vec([])];
  return new Uint8Array([
    ...MODULE_PREAMBLE,
    ...section(1, vec([i32x7])), // types
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x01, ...uleb(PAGES), ...uleb(PAGES)]])), // import memory
    ...section(3, vec([[0], [0]])), // two functions of type 0
    ...section(
      7,
      vec([
        [...name('rows32'), 0x00, 0],
        [...name('rows64'), 0x00, 1],
      ]),
    ), // exports
    ...section(10, vec([judgeRowsBody(false), judgeRowsBody(true)])), // code
  ]);
}
