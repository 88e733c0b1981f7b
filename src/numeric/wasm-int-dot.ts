/**
 * WebAssembly SIMD integer dot products for the built-in quantized path: one row of int16 weights
 * (zero points subtracted, |v| ≤ 255) against P rows of int16 im2col columns, each product sum an
 * exact int32 — `i32x4.dot_i16x8_s` does eight 16-bit multiply–adds per instruction (pairs summed
 * into four int32 lanes) where the JavaScript loop does one. The module is assembled from the
 * instruction list below at first use, never a committed binary.
 *
 * Exactness: every product is at most 255² < 2¹⁶ and a row has at most 33,009 terms
 * (`MAX_INTEGER_REDUCTION`), so every partial sum of a lane stays below 2³¹: int32 arithmetic is
 * exact, and the result equals the JavaScript loop's bit for bit.
 */
import {
  MODULE_PREAMBLE,
  W,
  elementAddress,
  functionBody,
  get,
  i32,
  name,
  section,
  set,
  simd,
  step,
  uleb,
  v128Load,
  vec,
  sharedModule,
  whileBelow,
} from './wasm-assembler.js';

/** Bytes of the module's memory (fixed, never grown): the weight row, the outputs, the columns. */
export const WASM_INT_DOT_BYTES = 16 * 1024 * 1024;
const PAGES = WASM_INT_DOT_BYTES / 65536;

const I32X4_DOT_I16X8_S = simd(0xba);
const I32X4_ADD = simd(0xae);
const i32x4ExtractLane = (lane: number): number[] => [...simd(0x1b), lane];
const V128_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];

interface DotExports {
  /** out[p] = Σ_{i < r8} w[i]·col[p·r8 + i] (int16, r8 a multiple of 8) for p < count; byte addresses. */
  rows(wPtr: number, colPtr: number, outPtr: number, count: number, r8: number): void;
}

/**
 * rows(w, col, out, count, r8):
 *   for p < count: acc = 0; q = col + p·r8·2; v = w
 *     for i < r8 step 8: acc += dot_i16x8_s(load v, load q); v += 16; q += 16
 *     out[p] = acc.0 + acc.1 + acc.2 + acc.3
 */
function rowsBody(): number[] {
  const [w, col, out, count, r8, p, v, q, i, stride] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const acc = 10;
  const code = [
    ...get(r8),
    ...i32(1),
    W.i32Shl,
    ...set(stride), // bytes per column row
    ...i32(0),
    ...set(p),
    ...get(col),
    ...set(q),
    ...whileBelow(p, count, [
      ...V128_ZERO,
      ...set(acc),
      ...get(w),
      ...set(v),
      ...i32(0),
      ...set(i),
      ...whileBelow(i, r8, [
        ...get(acc),
        ...get(v),
        ...v128Load(4, 0),
        ...get(q),
        ...v128Load(4, 0),
        ...I32X4_DOT_I16X8_S,
        ...I32X4_ADD,
        ...set(acc),
        ...step(v, 16),
        ...step(q, 16),
        ...step(i, 8),
      ]),
      // out[p] = horizontal sum
      ...elementAddress(out, p, 2),
      ...get(acc),
      ...i32x4ExtractLane(0),
      ...get(acc),
      ...i32x4ExtractLane(1),
      W.i32Add,
      ...get(acc),
      ...i32x4ExtractLane(2),
      W.i32Add,
      ...get(acc),
      ...i32x4ExtractLane(3),
      W.i32Add,
      0x36,
      2,
      0, // i32.store align=4 offset=0
      ...step(p, 1),
    ]),
    W.end,
  ];
  return functionBody(
    [
      [...uleb(5), W.i32],
      [...uleb(1), W.v128],
    ],
    code,
  );
}

function dotModule(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec([[W.i32], [W.i32], [W.i32], [W.i32], [W.i32]]), ...vec([])];
  return new Uint8Array([
    ...MODULE_PREAMBLE,
    ...section(1, vec([type])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x01, ...uleb(PAGES), ...uleb(PAGES)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('rows'), 0x00, 0]])),
    ...section(10, vec([rowsBody()])),
  ]);
}

/** The instantiated module and views of its memory. */
export class WasmIntDot {
  /** The shared instance, or undefined where WebAssembly SIMD is not available. */
  static readonly instance: () => WasmIntDot | undefined = sharedModule<DotExports, WasmIntDot>(
    dotModule,
    PAGES,
    (memory, exports) => new WasmIntDot(memory, exports.rows),
  );
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  /** out (int32 index) [p] = Σ w (int16 index) · col (int16 index) rows of r8; offsets in elements. */
  readonly rows: (w16: number, col16: number, out32: number, count: number, r8: number) => void;
  private constructor(memory: WebAssembly.Memory, rows: DotExports['rows']) {
    this.i16 = new Int16Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.rows = (w16, col16, out32, count, r8) => rows(w16 * 2, col16 * 2, out32 * 4, count, r8);
  }
}
