/**
 * The few pieces of the WebAssembly binary format that the run-time-assembled modules
 * (`wasm-row-dot.ts`, `wasm-int-dot.ts`, `wasm-gemm.ts`, `operators/dense/wasm-judge-rows.ts`,
 * `arbitraries/wasm-fill.ts`) are written in: LEB128 integers, vectors, sections, the opcodes
 * they use (WebAssembly core 2.0 and the fixed-width SIMD proposal) and the instruction
 * sequences they share.
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A vector: its length, then its items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A name (ASCII only). */
export const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
/** A section: id, byte length, contents. */
export const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

/** Core opcodes and value types. */
export const W = {
  i32: 0x7f,
  f64: 0x7c,
  v128: 0x7b,
  void: 0x40,
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Const: 0x41,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  i32GeU: 0x4f,
  f32: 0x7d,
  f32Load: 0x2a,
  f32Store: 0x38,
  f32Add: 0x92,
  f32Mul: 0x94,
  i32Load: 0x28,
  i32LtU: 0x49,
  i32Eqz: 0x45,
  f32Const: 0x43,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  if: 0x04,
  else: 0x05,
  i32Eq: 0x46,
  i32Or: 0x72,
  f64Load: 0x2b,
  f64Store: 0x39,
  f64Promote: 0xbb,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  i32Xor: 0x73,
  i32ShrU: 0x76,
  f64Lt: 0x63,
  f64Floor: 0x9c,
  f64Const: 0x44,
  i32TruncF64S: 0xaa,
  f64ConvertI32U: 0xb8,
  f32Demote: 0xb6,
  select: 0x1b,
} as const;
/** The module preamble: "\0asm", version 1. */
export const MODULE_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** A function body: its byte length, the local declarations (a vector of [count, type]), the code. */
export function functionBody(locals: number[][], code: number[]): number[] {
  const l = vec(locals);
  return [...uleb(l.length + code.length), ...l, ...code];
}
/** local.get of local `i` (an index below 128, so one byte). */
export const get = (i: number): number[] => [W.get, i];
/** local.set of local `i`. */
export const set = (i: number): number[] => [W.set, i];
/** local.tee of local `i`. */
export const tee = (i: number): number[] => [W.tee, i];
/** i32.const `n` (signed LEB128). */
export const i32 = (n: number): number[] => [W.i32Const, ...sleb(n)];
/** `local += n` in i32 (a counter or a pointer). */
export const step = (local: number, n: number): number[] => [...get(local), ...i32(n), W.i32Add, ...set(local)];
/**
 * `while (counter < limit) { body }`, unsigned, tested at the top: block { loop { br_if 1 on
 * counter ≥ limit; body; br 0 } }. `body` must move the counter on.
 */
export const whileBelow = (counter: number, limit: number, body: number[]): number[] => [
  W.block,
  W.void,
  W.loop,
  W.void,
  ...get(counter),
  ...get(limit),
  W.i32GeU,
  W.brIf,
  1,
  ...body,
  W.br,
  0,
  W.end,
  W.end,
];
/** base + (r·K << elemLog2): the byte address of row r of a row-major [·, K] matrix at byte `base`. */
export const rowAddress = (base: number, r: number, K: number, elemLog2: number): number[] => [
  ...get(base),
  ...get(r),
  ...get(K),
  W.i32Mul,
  ...i32(elemLog2),
  W.i32Shl,
  W.i32Add,
];
/** base + (i << elemLog2): the byte address of element i of an array at byte `base`. */
export const elementAddress = (base: number, i: number, elemLog2: number): number[] => [
  ...get(base),
  ...get(i),
  ...i32(elemLog2),
  W.i32Shl,
  W.i32Add,
];
/** f64.const `v` (8 bytes, little-endian). */
export const f64Const = (v: number): number[] => [W.f64Const, ...new Uint8Array(new Float64Array([v]).buffer)];
/** A SIMD opcode (prefix 0xfd, then the LEB128 sub-opcode). */
export const simd = (code: number): number[] => [0xfd, ...uleb(code)];
/** v128.load with memarg (alignment log2, offset). */
export const v128Load = (alignLog2: number, offset: number): number[] => [...simd(0x00), ...uleb(alignLog2), ...uleb(offset)];
/** v128.load64_splat: one 8-byte value into both lanes. */
export const v128Load64Splat = (offset: number): number[] => [...simd(0x0a), 3, ...uleb(offset)];
/** v128.const with both f64 lanes −0 (sign bit of each 8-byte lane set). */
export const V128_MINUS_ZERO = [...simd(0x0c), 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x80];
/** i8x16.shuffle moving the high 8 bytes to the low half (to widen floats 2 and 3). */
export const HIGH_TO_LOW = [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
export const F64X2_PROMOTE_LOW_F32X4 = simd(0x5f);
export const F64X2_ADD = simd(0xf0);
export const F64X2_MUL = simd(0xf2);
export const f64x2ExtractLane = (lane: number): number[] => [...simd(0x21), lane];
export const F32X4_ADD = simd(0xe4);
export const F32X4_MUL = simd(0xe6);
/** f32x4.splat: one f32 into all four lanes. */
export const F32X4_SPLAT = simd(0x13);
/** v128.store with memarg (alignment log2, offset). */
export const v128Store = (alignLog2: number, offset: number): number[] => [...simd(0x0b), ...uleb(alignLog2), ...uleb(offset)];
/** v128.load32_splat: one 4-byte value into all four lanes. */
export const v128Load32Splat = (offset: number): number[] => [...simd(0x09), 2, ...uleb(offset)];
/** v128.store32_lane: lane `lane` (4 bytes) of a v128 to memory. */
export const v128Store32Lane = (offset: number, lane: number): number[] => [...simd(0x5a), 2, ...uleb(offset), lane];
/** v128.store64_lane: lane `lane` (8 bytes) of a v128 to memory. */
export const v128Store64Lane = (offset: number, lane: number): number[] => [...simd(0x5b), 3, ...uleb(offset), lane];

/**
 * Validates and instantiates a module that imports `env.memory`, giving it a memory of exactly
 * `pages` 64 KiB pages that can never grow (so typed-array views on it are never detached).
 * Returns undefined where WebAssembly or the SIMD proposal is unavailable.
 */
export function instantiateFixed<E>(bytes: Uint8Array<ArrayBuffer>, pages: number): { memory: WebAssembly.Memory; exports: E } | undefined {
  try {
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return undefined;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return { memory, exports: instance.exports as unknown as E };
  } catch {
    return undefined;
  }
}

/**
 * The one instance of a module, assembled and instantiated on its first use (`instantiateFixed`)
 * and wrapped by `wrap`; undefined — remembered, so it is tried once — where it cannot run here.
 */
export function sharedModule<E, T>(
  bytes: () => Uint8Array<ArrayBuffer>,
  pages: number,
  wrap: (memory: WebAssembly.Memory, exports: E) => T,
): () => T | undefined {
  let cached: T | null | undefined;
  return () => {
    if (cached === undefined) {
      const m = instantiateFixed<E>(bytes(), pages);
      cached = m ? wrap(m.memory, m.exports) : null;
    }
    return cached ?? undefined;
  };
}
