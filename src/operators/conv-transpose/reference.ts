/**
 * The trusted ConvTranspose reference, read off the ONNX definition as a gather:
 *
 *     y[n, m, o] = b[m] + Σ_{c ∈ group(m)} Σ_k x[n, c, i] · w[c, m mod (M/G), k]   over i·s = o + pad_begin − k·d, 0 ≤ i < D,
 *
 * i.e. every input element i scatters into o = i·s − pad_begin + k·d; outputPadding only extends
 * the output at the end. Accumulated with the compensated dot product of `AccurateSum`, then the
 * fused activation, if any.
 */
import { applyActivation } from '../../activation.js';
import type { Tensor } from '../../contract.js';
import { AccurateSum } from '../../numeric/accurate-sum.js';
import { stridesOf } from '../../tensor.js';
import type { ReferenceResult } from '../operator.js';
import type { ConvTransposeAttributes } from './contract.js';
import { axes3d } from '../../geometry.js';
import { convTransposeGeometry } from './geometry.js';

/** Reference transposed conv; `termCount` is the most terms any element sums (see the geometry). */
export function referenceConvTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes): ReferenceResult {
  const g = convTransposeGeometry(x, w, b, attrs, 'referenceConvTranspose');
  const {
    input: [D0, D1, D2],
    kernel: [K0, K1, K2],
    output: [O0, O1, O2],
    strides: [S0, S1, S2],
    dilations: [L0, L1, L2],
    padsBegin: [P0, P1, P2],
  } = axes3d(g);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const xs = stridesOf([g.batch, g.inChannels, D0, D1, D2]);
  const ws = stridesOf([g.inChannels, mg, K0, K1, K2]);
  const out = new Float64Array(g.batch * g.outChannels * g.outSpatialSize);
  const mag = new Float64Array(out.length);
  const acc = new AccurateSum();
  // input index of output o and tap k along an axis, or −1 when no input element lands there
  const source = (o: number, k: number, s: number, d: number, p: number, D: number): number => {
    const t = o + p - k * d;
    if (t < 0 || t % s !== 0) return -1;
    const i = t / s;
    return i < D ? i : -1;
  };
  let idx = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outChannels; m++) {
      const grp = Math.floor(m / mg);
      const mm = m % mg;
      for (let o0 = 0; o0 < O0; o0++) {
        for (let o1 = 0; o1 < O1; o1++) {
          for (let o2 = 0; o2 < O2; o2++) {
            acc.reset();
            if (b) acc.add(b.data[m]);
            for (let c = grp * cg; c < (grp + 1) * cg; c++) {
              for (let k0 = 0; k0 < K0; k0++) {
                const i0 = source(o0, k0, S0, L0, P0, D0);
                if (i0 < 0) continue;
                for (let k1 = 0; k1 < K1; k1++) {
                  const i1 = source(o1, k1, S1, L1, P1, D1);
                  if (i1 < 0) continue;
                  for (let k2 = 0; k2 < K2; k2++) {
                    const i2 = source(o2, k2, S2, L2, P2, D2);
                    if (i2 < 0) continue;
                    acc.addProduct(
                      w.data[c * ws[0] + mm * ws[1] + k0 * ws[2] + k1 * ws[3] + k2],
                      x.data[n * xs[0] + c * xs[1] + i0 * xs[2] + i1 * xs[3] + i2],
                    );
                  }
                }
              }
            }
            out[idx] = applyActivation(attrs.activation, acc.value());
            mag[idx] = acc.magnitude();
            idx++;
          }
        }
      }
    }
  }
  return { output: { shape: [...g.outputShape], data: out }, magnitude: mag, termCount: g.reductionLength + (b ? 1 : 0) };
}
