/**
 * The packed GEMM on its own: C = A·B (+ bias) against the textbook triple loop on small
 * integers (exact, so equality), through row-major and transposed layouts, for sizes around
 * the register tile and the cache blocks; and the workspace budget arithmetic.
 */
import { describe, expect, it } from 'vitest';
import {
  columnBlock,
  DEFAULT_GEMM_BLOCKING,
  type GemmBlocking,
  GemmWorkspace,
  gemm,
  MR,
  NR,
  StridedPackB,
} from '../../src/numeric/gemm.js';
import { smallInts } from '../helpers/index.js';

/** C[i, j] = bias[i] + Σ_k A[i, k]·B[k, j], row-major, the obviously correct way. */
function naive(M: number, N: number, K: number, A: readonly number[], B: readonly number[], bias?: readonly number[]): number[] {
  const C: number[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = bias ? bias[i] : 0;
      for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
      C.push(s);
    }
  }
  return C;
}

/** Runs `gemm` with B given row-major (or transposed in memory) and C written row-major (or transposed). */
function run(
  M: number,
  N: number,
  K: number,
  blocking: GemmBlocking,
  budget: number,
  transposed: boolean,
  Ctor: Float32ArrayConstructor | Float64ArrayConstructor,
): { got: number[]; want: number[] } {
  const A = smallInts(M * K, -3, 3, M * 131 + K);
  const B = smallInts(K * N, -3, 3, N * 17 + K);
  const bias = smallInts(M, -5, 5, M);
  // Transposed: B stored as Bᵀ [N × K] (as x is for dense), C stored as Cᵀ [N × M].
  const bData = transposed ? Array.from({ length: K * N }, (_, q) => B[(q % K) * N + Math.floor(q / K)]) : B;
  const out = new Ctor(M * N);
  gemm(new GemmWorkspace(), blocking, budget, {
    M,
    N,
    K,
    a: Ctor.from(A),
    aOffset: 0,
    lda: K,
    packB: new StridedPackB(
      Ctor.from(bData),
      transposed
        ? { offset: 0, rowStride: 1, colStride: K, groupSize: N, groupStride: 0 }
        : { offset: 0, rowStride: N, colStride: 1, groupSize: N, groupStride: 0 },
    ),
    out,
    outLayout: transposed
      ? { offset: 0, rowStride: 1, colStride: M, groupSize: N, groupStride: 0 }
      : { offset: 0, rowStride: N, colStride: 1, groupSize: N, groupStride: 0 },
    bias: Ctor.from(bias),
    biasOffset: 0,
  });
  const got = transposed ? Array.from({ length: M * N }, (_, q) => out[(q % N) * M + Math.floor(q / N)]) : Array.from(out);
  return { got, want: naive(M, N, K, A, B, bias) };
}

const tiny: GemmBlocking = { mc: 2 * MR, kc: 5, nc: 2 * NR };

describe('gemm: C = A·B + bias, exact on small integers', () => {
  const sizes: Array<readonly [number, number, number]> = [];
  for (const M of [1, MR - 1, MR, MR + 1, 2 * MR + 1]) {
    for (const N of [1, 2, NR, NR + 1, 2 * NR + 1]) {
      for (const K of [1, 4, 5, 6, 11]) sizes.push([M, N, K]);
    }
  }
  for (const transposed of [false, true]) {
    it(`every M, N, K around MR=${MR}, NR=${NR}, kc=5, mc=${2 * MR}, nc=${2 * NR}${transposed ? ', B and C transposed' : ''}`, () => {
      for (const [M, N, K] of sizes) {
        for (const Ctor of [Float32Array, Float64Array]) {
          const { got, want } = run(M, N, K, tiny, 1 << 20, transposed, Ctor);
          expect(got, `M=${M} N=${N} K=${K} ${Ctor.name}`).toEqual(want);
        }
      }
    });
  }

  it('M=129 N=7 K=257 with the default blocking (two row blocks, two reduction blocks)', () => {
    const { got, want } = run(129, 7, 257, DEFAULT_GEMM_BLOCKING, 16 << 20, false, Float32Array);
    expect(got).toEqual(want);
  });
});

describe('gemm: column block under the workspace budget', () => {
  it('is a multiple of NR, at least NR, at most N rounded up, and keeps packed A + packed B + accumulator inside the budget', () => {
    for (const [M, N, K, budget] of [
      [64, 3136, 576, 16 << 20],
      [4096, 100, 25088, 16 << 20],
      [8, 1600, 72, 64 << 10],
      [5, 2, 3, 1024],
    ] as const) {
      const nc = columnBlock(DEFAULT_GEMM_BLOCKING, M, N, K, budget);
      expect(nc % NR, `${M}×${N}×${K}`).toBe(0);
      expect(nc).toBeGreaterThanOrEqual(NR);
      expect(nc).toBeLessThanOrEqual(Math.ceil(N / NR) * NR);
      const kc = Math.min(DEFAULT_GEMM_BLOCKING.kc, K);
      const mc = Math.ceil(Math.min(DEFAULT_GEMM_BLOCKING.mc, M) / MR) * MR;
      const bytes = 8 * (kc * nc + mc * kc + Math.ceil(M / MR) * MR * nc);
      if (nc > NR) expect(bytes, `${M}×${N}×${K}`).toBeLessThanOrEqual(budget);
    }
  });
});
