/**
 * The array types the numeric code, the kernels and the judges share, in a file of their own so
 * that `gemm.ts` and the WebAssembly modules it drives (`wasm-row-dot.ts`) can both use them
 * without importing each other.
 */

/** A typed array of either precision. */
export type FloatArray = Float32Array | Float64Array;

/**
 * The kernels' own float64 buffers: plain JS arrays that only ever hold numbers, which V8
 * stores unboxed (HOLEY_DOUBLE_ELEMENTS). Not `Float64Array`, for two measured reasons:
 * - element access is cheaper (no external-pointer arithmetic): the micro-kernel runs at
 *   6.2 GFLOP/s on arrays against 5.4 on Float64Array;
 * - once any ArrayBuffer in the process has been detached (tfjs-core does it at import,
 *   WebAssembly memory growth does it), V8 adds a detach check to every typed-array access
 *   in optimized code: Float64Array panels then drop to 4.5–4.7 GFLOP/s, arrays stay at 6.2.
 * Created by `doubles(n)`; only numbers are ever stored (NaN included: V8 canonicalizes it).
 */
export type Doubles = number[];

/** A `Doubles` buffer of length n whose elements kind is already "double" (filled with 0.5). */
export function doubles(n: number): Doubles {
  return new Array<number>(n).fill(0.5);
}
