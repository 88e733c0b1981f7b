/**
 * The WebAssembly SIMD block product (`wasm-gemm.ts`) against the JS micro-kernel it replaces:
 * both do the same float64 operations in the same order, so on non-integer data (where any
 * change of summation order would show) the results must be bit-identical — for sizes around
 * the WASM tile (MR × WASM_NR), several kc / mc / nc blocks, both precisions, special values,
 * and the fall-back to JS when the blocks cannot fit the module's fixed memory.
 */
import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../../src/numeric/arrays.js';
import { type GemmBlocking, GemmWorkspace, gemm, MR, StridedPackB } from '../../src/numeric/gemm.js';
import { WASM_GEMM_BYTES, WASM_NR, WasmGemm, wasmGemmAvailable } from '../../src/numeric/wasm-gemm.js';
import { smallInts } from '../helpers/index.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Uniform-ish values in [−1, 1) with full mantissas, from a fixed seed (xorshift32). */
function randoms(n: number, seed: number, ArrayType: Ctor): FloatArray {
  const out = new ArrayType(n);
  let s = seed | 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1 + 1e-3 * Math.sin(i);
  }
  return out;
}

/** C = A·B + bias (B row-major, C row-major) on the SIMD path (simd = true) or the JS path. */
function product(
  simd: boolean,
  M: number,
  N: number,
  K: number,
  a: FloatArray,
  b: FloatArray,
  bias: FloatArray | undefined,
  blocking: GemmBlocking,
  Out: Ctor,
): FloatArray {
  const out = new Out(M * N);
  const rowMajor = { offset: 0, rowStride: N, colStride: 1, groupSize: N, groupStride: 0 };
  gemm(new GemmWorkspace({ simd }), blocking, 16 << 20, {
    M,
    N,
    K,
    a,
    aOffset: 0,
    lda: K,
    packB: new StridedPackB(b, rowMajor),
    out,
    outLayout: rowMajor,
    bias,
    biasOffset: 0,
  });
  return out;
}

/** Index of the first element where the two arrays differ in the Object.is sense (NaN = NaN, −0 ≠ +0), or −1. */
function firstDifference(x: FloatArray, y: FloatArray): number {
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return x.length === y.length ? -1 : x.length;
}

function expectSamePaths(
  M: number,
  N: number,
  K: number,
  a: FloatArray,
  b: FloatArray,
  bias: FloatArray | undefined,
  blocking: GemmBlocking,
  Out: Ctor,
): FloatArray {
  const wasm = product(true, M, N, K, a, b, bias, blocking, Out);
  const js = product(false, M, N, K, a, b, bias, blocking, Out);
  const i = firstDifference(wasm, js);
  expect(i, `M=${M} N=${N} K=${K} ${Out.name}: first difference at ${i}: wasm ${wasm[i]} js ${js[i]}`).toBe(-1);
  return wasm;
}

describe('wasm gemm: available and fixed-size', () => {
  it('assembles and instantiates under Node ≥ 16.4 (WebAssembly SIMD)', () => {
    expect(wasmGemmAvailable()).toBe(true);
  });

  it(`keeps ${WASM_GEMM_BYTES / 2 ** 20} MiB of memory, never grown by a large call`, () => {
    const heap = WasmGemm.instance()!.heap;
    const [M, N, K] = [64, 3000, 600];
    expectSamePaths(
      M,
      N,
      K,
      randoms(M * K, 1, Float32Array),
      randoms(K * N, 2, Float32Array),
      undefined,
      { mc: 128, kc: 256, nc: 4095 },
      Float32Array,
    );
    expect(WasmGemm.instance()!.heap).toBe(heap);
    expect(heap.byteLength).toBe(WASM_GEMM_BYTES);
    expect(WASM_GEMM_BYTES).toBeLessThanOrEqual(16 * 2 ** 20);
  });
});

describe('wasm gemm: bit-identical to the JS micro-kernel', () => {
  // Tails around the tile: M around MR and 2·MR (partial row panels), N around WASM_NR and
  // 2·WASM_NR (partial column tiles), K around kc = 5 (one, two and three kc blocks).
  const tiny: GemmBlocking = { mc: 2 * MR, kc: 5, nc: 4 * WASM_NR };
  const Ms = [1, MR - 1, MR, MR + 1, 2 * MR + 1, 3 * MR + 2];
  const Ns = [2, WASM_NR - 1, WASM_NR, WASM_NR + 1, 2 * WASM_NR + 1, 4 * WASM_NR + 2, 9 * WASM_NR + 1];
  const Ks = [1, 4, 5, 6, 11, 16];
  for (const Out of [Float32Array, Float64Array] as const) {
    it(`every M in ${Ms}, N in ${Ns}, K in ${Ks}, mc=${2 * MR} kc=5 nc=${4 * WASM_NR}, ${Out.name}`, () => {
      for (const M of Ms) {
        for (const N of Ns) {
          for (const K of Ks) {
            const seed = M * 1000 + N * 10 + K;
            expectSamePaths(M, N, K, randoms(M * K, seed, Out), randoms(K * N, seed + 7, Out), randoms(M, seed + 11, Out), tiny, Out);
          }
        }
      }
    });
  }

  it('M=70 N=301 K=600 with the default blocking (three kc blocks of 200, a partial last tile)', () => {
    expectSamePaths(
      70,
      301,
      600,
      randoms(70 * 600, 3, Float32Array),
      randoms(600 * 301, 4, Float32Array),
      randoms(70, 5, Float32Array),
      { mc: 128, kc: 256, nc: 4095 },
      Float32Array,
    );
  });

  it('exact on small integers, against the textbook loop (M=9 N=14 K=13, tiny blocks)', () => {
    const [M, N, K] = [9, 14, 13];
    const A = smallInts(M * K, -3, 3, 1),
      B = smallInts(K * N, -3, 3, 2);
    const got = expectSamePaths(M, N, K, Float64Array.from(A), Float64Array.from(B), undefined, tiny, Float64Array);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
        expect(got[i * N + j], `C[${i}, ${j}]`).toBe(s);
      }
    }
  });
});

describe('wasm gemm: special values', () => {
  const blocking: GemmBlocking = { mc: MR, kc: 2, nc: WASM_NR };
  it('0·∞ is NaN, ∞ and NaN propagate, −0 sums stay −0, in every lane of the tile and in the tails', () => {
    // A: 5 × 3, B: 3 × 4 (a partial row panel, a partial column tile, two kc blocks).
    const [M, N, K] = [5, 4, 3];
    const a = new Float32Array([
      Infinity,
      0,
      0, //  row 0: ∞ meets B[0, j]
      1,
      1,
      1, //  row 1: ordinary
      -0,
      -0,
      -0, //  row 2: −0·(+x) = −0 for positive B, +0 for negative
      NaN,
      0,
      0, //  row 3: NaN everywhere
      0,
      0,
      -Infinity, // row 4 (the tail row): −∞ meets B[2, j]
    ]);
    const b = new Float32Array([0, 1, -1, 2, 1, 1, 1, 1, 0, 2, 3, -0]);
    const got = expectSamePaths(M, N, K, a, b, undefined, blocking, Float32Array);
    const want = [
      NaN,
      Infinity,
      -Infinity,
      Infinity,
      1,
      4,
      3,
      3,
      -0,
      -0,
      0,
      0, // columns 0, 1: all products −0, sum −0; columns 2, 3 have one +0 product (−0·−1, −0·−0): +0
      NaN,
      NaN,
      NaN,
      NaN,
      NaN,
      -Infinity,
      -Infinity,
      NaN, // −∞·0 = NaN in columns 0 and 3
    ];
    for (let i = 0; i < want.length; i++)
      expect(Object.is(got[i], want[i]), `C[${Math.floor(i / N)}, ${i % N}] = ${got[i]}, want ${want[i]}`).toBe(true);
  });
});

describe('wasm gemm: falls back to JS when the blocks cannot fit its memory', () => {
  it('M = 400 000 rows (the accumulator alone, 400 000 · WASM_NR doubles, exceeds 8 MiB): same result as the JS path', () => {
    const [M, N, K] = [400_000, 2, 1];
    const a = randoms(M * K, 9, Float64Array),
      b = new Float64Array([0.5, -0.25]);
    const got = expectSamePaths(M, N, K, a, b, undefined, { mc: 128, kc: 256, nc: 4095 }, Float64Array);
    expect(got[2 * 12345]).toBe(a[12345] * 0.5);
    expect(got[2 * 12345 + 1]).toBe(a[12345] * -0.25);
  });
});
