/**
 * A correct plug-in kernel, written the way a user would: direct loops over ONNX `Conv`
 * semantics (ranks 1–3), float32 in and out. Check it with
 *
 *     npx convcheck verify --kernel examples/correct-kernel.ts
 */
import type { ConvAttributes, KernelUnderTest, Tensor } from '../src/index.js';

function conv(x: Tensor, w: Tensor, b: Tensor | undefined, a: ConvAttributes): Tensor {
  const rank = x.shape.length - 2;
  // lift every rank to 3 spatial axes with leading size-1 axes
  const lift = (v: readonly number[], fill: number) => [...Array(3 - rank).fill(fill), ...v];
  const [N, C] = x.shape;
  const M = w.shape[0];
  const [D0, D1, D2] = lift(x.shape.slice(2), 1);
  const [K0, K1, K2] = lift(w.shape.slice(2), 1);
  const [S0, S1, S2] = lift(a.strides, 1);
  const [L0, L1, L2] = lift(a.dilations, 1);
  const [P0, P1, P2] = lift(a.pads.slice(0, rank), 0);
  const [E0, E1, E2] = lift(a.pads.slice(rank), 0);
  const out = (d: number, p: number, e: number, k: number, l: number, s: number) => Math.floor((d + p + e - (l * (k - 1) + 1)) / s) + 1;
  const O0 = out(D0, P0, E0, K0, L0, S0);
  const O1 = out(D1, P1, E1, K1, L1, S1);
  const O2 = out(D2, P2, E2, K2, L2, S2);
  const cg = C / a.group;
  const mg = M / a.group;
  const y = new Float32Array(N * M * O0 * O1 * O2);
  let i = 0;
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      const c0 = Math.floor(m / mg) * cg;
      for (let o0 = 0; o0 < O0; o0++)
        for (let o1 = 0; o1 < O1; o1++)
          for (let o2 = 0; o2 < O2; o2++) {
            let s = b ? b.data[m] : 0;
            for (let c = 0; c < cg; c++)
              for (let k0 = 0; k0 < K0; k0++) {
                const i0 = o0 * S0 - P0 + k0 * L0;
                if (i0 < 0 || i0 >= D0) continue;
                for (let k1 = 0; k1 < K1; k1++) {
                  const i1 = o1 * S1 - P1 + k1 * L1;
                  if (i1 < 0 || i1 >= D1) continue;
                  for (let k2 = 0; k2 < K2; k2++) {
                    const i2 = o2 * S2 - P2 + k2 * L2;
                    if (i2 < 0 || i2 >= D2) continue;
                    s +=
                      w.data[(((m * cg + c) * K0 + k0) * K1 + k1) * K2 + k2] * x.data[(((n * C + c0 + c) * D0 + i0) * D1 + i1) * D2 + i2];
                  }
                }
              }
            y[i++] = s; // accumulated in double, rounded once to float32
          }
    }
  return { shape: [N, M, ...[O0, O1, O2].slice(3 - rank)], data: y };
}

function dense(x: Tensor, w: Tensor, b: Tensor | undefined): Tensor {
  const [N, K] = x.shape;
  const M = w.shape[0];
  const y = new Float32Array(N * M);
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++) {
      let s = b ? b.data[m] : 0;
      for (let k = 0; k < K; k++) s += x.data[n * K + k] * w.data[m * K + k];
      y[n * M + m] = s;
    }
  return { shape: [N, M], data: y };
}

const kernel: KernelUnderTest = { name: 'example:direct-loops', precision: 'float32', conv, dense };
export default kernel;
