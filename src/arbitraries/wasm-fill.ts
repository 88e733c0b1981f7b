/**
 * The bulk fills of `data.ts` (exact integers, scaled floats) in WebAssembly: the same draws of
 * the same mulberry32 sequence (`prng.ts`) and the same IEEE-754 operations in the same order, so
 * the values are bit-identical to the JavaScript loops — which stay the specification and the
 * fallback where WebAssembly is missing (`test/arbitraries/wasm-fill.test.ts` compares the two). A
 * production case draws 10⁸ values (VGG-16's fc6); the JavaScript loops take ~20 ns per float
 * value, most of the production run's data time. The module is assembled from the instruction
 * lists below at first use: no binary is committed or downloaded.
 */
import {
  MODULE_PREAMBLE,
  f64Const,
  functionBody,
  get,
  i32,
  name,
  section,
  set,
  step,
  uleb,
  vec,
  W,
  sharedModule,
  whileBelow,
} from '../numeric/wasm-assembler.js';
import type { Prng } from './prng.js';

/** Values written per call into the module's memory, then copied out (64 KiB of float64). */
const CHUNK = 8192;
/** Memory layout: the chunk at 0, the table of powers of two after it. */
const POWERS = CHUNK * 8;
/** Powers of two the float fill looks up at most (2·spread + 1; data.ts uses spread ≤ 6). */
const MAX_POWERS = 64;
const PAGES = Math.ceil((POWERS + MAX_POWERS * 8) / 65536);

interface FillExports {
  /** out[i] = u < z ? 0 : lo + ⌊u′·span⌋ for i < n, at byte 0; returns the new state. */
  exact(state: number, n: number, lo: number, span: number, zeroChance: number): number;
  /** out[i] = u < z ? 0 : fround(sign·(1 + u″)·powers[⌊u′·span⌋]), sign drawn unless positive; returns the new state. */
  scaled(state: number, n: number, span: number, positive: number, zeroChance: number): number;
}

const INCREMENT = 0x6d2b79f5;
/** `to = from + 0x6d2b79f5`: the state of the next draw. */
const advance = (from: number, to: number): number[] => [...get(from), ...i32(INCREMENT | 0), W.i32Add, ...set(to)];

/**
 * The output of the draw whose (already advanced) state is in local `s`, as `Prng.next`:
 * t = imul(s ^ s>>>15, s | 1); t ^= t + imul(t ^ t>>>7, t | 61); u = ((t ^ t>>>14) >>> 0) / 2³²
 * — leaves u (f64) on the stack; `t` is a scratch local.
 */
function mix(s: number, t: number): number[] {
  return [
    ...get(s),
    ...get(s),
    ...i32(15),
    W.i32ShrU,
    W.i32Xor,
    ...get(s),
    ...i32(1),
    W.i32Or,
    W.i32Mul,
    ...set(t),
    ...get(t),
    ...get(t),
    ...get(t),
    ...get(t),
    ...i32(7),
    W.i32ShrU,
    W.i32Xor,
    ...get(t),
    ...i32(61),
    W.i32Or,
    W.i32Mul,
    W.i32Add,
    W.i32Xor,
    ...set(t),
    ...get(t),
    ...get(t),
    ...i32(14),
    W.i32ShrU,
    W.i32Xor,
    W.f64ConvertI32U,
    ...f64Const(2 ** -32),
    W.f64Mul,
  ];
}

/**
 * A function body: `for (i = 0, p = 0; i < n; i++, p += 8) { element }`, returning the state
 * (param 0). `element` stores one value at p and moves the state on.
 */
function loopBody(n: number, i: number, p: number, element: number[], locals: number[][]): number[] {
  return functionBody(locals, [...whileBelow(i, n, [...element, ...step(p, 8), ...step(i, 1)]), ...get(0), W.end]);
}

// A zero (u < z) takes one draw, any other value two to four, as in the JavaScript loops, so the
// zero test is a branch. (A version that computed every draw and kept the right ones with
// `select` ran 1.4–2.8 times slower than these branches, mispredicted as they are.)

function exactBody(): number[] {
  // params: state, n (i32), lo, span, z (f64); locals: i, p, t (i32)
  const [s, n, lo, span, z, i, p, t] = [0, 1, 2, 3, 4, 5, 6, 7];
  const element = [
    ...get(p),
    ...advance(s, s),
    ...mix(s, t),
    ...get(z),
    W.f64Lt,
    W.if,
    W.f64,
    ...f64Const(0),
    W.else,
    ...get(lo),
    ...advance(s, s),
    ...mix(s, t),
    ...get(span),
    W.f64Mul,
    W.f64Floor,
    W.f64Add,
    W.end,
    W.f64Store,
    3,
    0,
  ];
  return loopBody(n, i, p, element, [[...uleb(3), W.i32]]);
}

function scaledBody(): number[] {
  // params: state, n (i32), span (f64), positive (i32), z (f64); locals: i, p, t, e (i32)
  const [s, n, span, positive, z, i, p, t, e] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const element = [
    ...get(p),
    ...advance(s, s),
    ...mix(s, t),
    ...get(z),
    W.f64Lt,
    W.if,
    W.f64,
    ...f64Const(0),
    W.else,
    // e: the byte address of powers[⌊u·span⌋]
    ...advance(s, s),
    ...mix(s, t),
    ...get(span),
    W.f64Mul,
    W.f64Floor,
    W.i32TruncF64S,
    ...i32(3),
    W.i32Shl,
    ...i32(POWERS),
    W.i32Add,
    ...set(e),
    // the sign: 1 when positive (no draw; the same for every element, so always predicted), else u < 0.5 ? 1 : −1
    ...get(positive),
    W.if,
    W.f64,
    ...f64Const(1),
    W.else,
    ...f64Const(1),
    ...f64Const(-1),
    ...advance(s, s),
    ...mix(s, t),
    ...f64Const(0.5),
    W.f64Lt,
    W.select,
    W.end,
    // fround((sign · (1 + u)) · 2^e)
    ...f64Const(1),
    ...advance(s, s),
    ...mix(s, t),
    W.f64Add,
    W.f64Mul,
    ...get(e),
    W.f64Load,
    3,
    0,
    W.f64Mul,
    W.f32Demote,
    W.f64Promote,
    W.end,
    W.f64Store,
    3,
    0,
  ];
  return loopBody(n, i, p, element, [[...uleb(4), W.i32]]);
}

function fillModule(): Uint8Array<ArrayBuffer> {
  const exactType = [0x60, ...vec([[W.i32], [W.i32], [W.f64], [W.f64], [W.f64]]), ...vec([[W.i32]])];
  const scaledType = [0x60, ...vec([[W.i32], [W.i32], [W.f64], [W.i32], [W.f64]]), ...vec([[W.i32]])];
  return new Uint8Array([
    ...MODULE_PREAMBLE,
    ...section(1, vec([exactType, scaledType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x01, ...uleb(PAGES), ...uleb(PAGES)]])),
    ...section(3, vec([[0], [1]])),
    ...section(
      7,
      vec([
        [...name('exact'), 0x00, 0],
        [...name('scaled'), 0x00, 1],
      ]),
    ),
    ...section(10, vec([exactBody(), scaledBody()])),
  ]);
}

/** The instantiated fill module and a view on its memory. */
class WasmFill {
  /** The shared instance, or undefined where WebAssembly is not available. */
  static readonly instance: () => WasmFill | undefined = sharedModule<FillExports, WasmFill>(
    fillModule,
    PAGES,
    (memory, exports) => new WasmFill(memory, exports),
  );

  private readonly heap: Float64Array;
  private constructor(
    memory: WebAssembly.Memory,
    private readonly exports: FillExports,
  ) {
    this.heap = new Float64Array(memory.buffer);
  }

  private chunks(rng: Prng, out: Float64Array, run: (state: number, n: number) => number): void {
    let state = rng.rawState;
    for (let start = 0; start < out.length; start += CHUNK) {
      const n = Math.min(CHUNK, out.length - start);
      state = run(state, n);
      out.set(this.heap.subarray(0, n), start);
    }
    rng.rawState = state;
  }

  exact(rng: Prng, out: Float64Array, max: number, zeroChance: number): void {
    this.chunks(rng, out, (state, n) => this.exports.exact(state, n, -max, 2 * max + 1, zeroChance));
  }

  scaled(rng: Prng, out: Float64Array, powers: Float64Array, spread: number, positive: boolean, zeroChance: number): boolean {
    if (powers.length > MAX_POWERS) return false;
    this.heap.set(powers, POWERS / 8);
    this.chunks(rng, out, (state, n) => this.exports.scaled(state, n, 2 * spread + 1, positive ? 1 : 0, zeroChance));
    return true;
  }
}

/**
 * `out[i] = rng.chance(zeroChance) ? 0 : rng.int(-max, max)` for every i, in WebAssembly; false
 * (nothing drawn) where it is not available.
 */
export function wasmFillExact(rng: Prng, out: Float64Array, max: number, zeroChance: number): boolean {
  const m = WasmFill.instance();
  if (!m) return false;
  m.exact(rng, out, max, zeroChance);
  return true;
}

/**
 * The float regime's fill (`fillFloat` in data.ts) with its table of powers, in WebAssembly;
 * false (nothing drawn) where it is not available.
 */
export function wasmFillScaled(
  rng: Prng,
  out: Float64Array,
  powers: Float64Array,
  spread: number,
  positive: boolean,
  zeroChance: number,
): boolean {
  const m = WasmFill.instance();
  return m === undefined ? false : m.scaled(rng, out, powers, spread, positive, zeroChance);
}

/** True when the WebAssembly fills run here. */
export function wasmFillAvailable(): boolean {
  return WasmFill.instance() !== undefined;
}
