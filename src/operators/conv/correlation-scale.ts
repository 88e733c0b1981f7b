/**
 * The scale of the normwise error model for conv (see `bound/error-model.ts`): per output map
 * (batch item n, output channel m), the largest Σ_c Σ_k |w[m,c,k]|·|x[n,c,t + k·d]| (+ |b[m]|)
 * over every shift t of the stride-1 correlation with full padding — the output map extended to
 * every position where an input meets a weight. Transform algorithms (Winograd tiles, FFTs)
 * combine every input with every weight of their tile or transform, so their rounding errors are
 * bounded by pairs |w_k|·|x_j| that need not be terms of any output of the (strided, partially
 * padded) map itself; every such pair is a term of one shift, so this maximum bounds them all.
 */
import type { Tensor } from '../../contract.js';
import type { NumericPromise } from '../../vocabulary.js';
import type { ConvAttributes } from './contract.js';
import { lift3d } from '../../geometry.js';

/** Per-map maxima, `[N·M]` in row-major (n, m) order. Non-finite products are skipped (special values are judged by IEEE rules). */
export function correlationScale(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Float64Array {
  const [N, C] = x.shape;
  const M = w.shape[0];
  const D = lift3d(x.shape.slice(2), 1);
  const K = lift3d(w.shape.slice(2), 1);
  const L = lift3d(attrs.dilations, 1);
  const E = K.map((k, a) => L[a] * (k - 1) + 1);
  const cg = C / attrs.group;
  const mg = M / attrs.group;
  const out = new Float64Array(N * M);
  const abs = (v: number) => (Number.isFinite(v) ? Math.abs(v) : 0);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const first = Math.floor(m / mg) * cg;
      let best = 0;
      for (let t0 = 1 - E[0]; t0 < D[0]; t0++)
        for (let t1 = 1 - E[1]; t1 < D[1]; t1++)
          for (let t2 = 1 - E[2]; t2 < D[2]; t2++) {
            let s = 0;
            for (let c = 0; c < cg; c++) {
              const xBase = (n * C + first + c) * D[0];
              const wBase = (m * cg + c) * K[0];
              for (let k0 = 0; k0 < K[0]; k0++) {
                const i0 = t0 + k0 * L[0];
                if (i0 < 0 || i0 >= D[0]) continue;
                for (let k1 = 0; k1 < K[1]; k1++) {
                  const i1 = t1 + k1 * L[1];
                  if (i1 < 0 || i1 >= D[1]) continue;
                  for (let k2 = 0; k2 < K[2]; k2++) {
                    const i2 = t2 + k2 * L[2];
                    if (i2 < 0 || i2 >= D[2]) continue;
                    s += abs(w.data[((wBase + k0) * K[1] + k1) * K[2] + k2]) * abs(x.data[((xBase + i0) * D[1] + i1) * D[2] + i2]);
                  }
                }
              }
            }
            if (s > best) best = s;
          }
      out[n * M + m] = best + (b ? abs(b.data[m]) : 0);
    }
  }
  return out;
}

/** `correlationScale` when the kernel declares the normwise model (the only model that reads it), else undefined. */
export function scaleFor(
  numerics: NumericPromise,
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  attrs: ConvAttributes,
): Float64Array | undefined {
  return numerics.errorModel === 'normwise' ? correlationScale(x, w, b, attrs) : undefined;
}
