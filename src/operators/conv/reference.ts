/**
 * The trusted conv reference: direct loops that read like the ONNX `Conv` definition,
 * accumulated with a compensated dot product (see `AccurateSum`) so that the reference's own
 * error is far below any float64 kernel's. Clarity over speed.
 */
import { applyActivation } from '../../activation.js';
import type { Tensor } from '../../contract.js';
import { AccurateSum } from '../../numeric/accurate-sum.js';
import { stridesOf } from '../../tensor.js';
import type { ReferenceResult } from '../operator.js';
import type { ConvAttributes } from './contract.js';
import { convGeometry } from './geometry.js';
import { axes3d } from '../../geometry.js';

/**
 * Reference conv: y[n, m, o] = b[m] + Σ_{c ∈ group(m)} Σ_k w[m, c, k] · x[n, g·C/G + c, o·s − p_begin + k·d],
 * where positions outside the input read zero (padding). Cross-correlation: the kernel is not flipped.
 * A fused `attrs.activation` is applied after the bias; `magnitude` stays Σ|w·x| + |b| of the sum.
 */
export function referenceConv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): ReferenceResult {
  const g = convGeometry(x, w, b, attrs, 'referenceConv');
  const activation = attrs.activation;
  // Every rank as 3-D (size-1 leading axes): one loop nest serves ranks 1, 2 and 3.
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
  const ws = stridesOf([g.outChannels, cg, K0, K1, K2]);
  const out = new Float64Array(g.batch * g.outChannels * g.outSpatialSize);
  const mag = new Float64Array(out.length);
  const acc = new AccurateSum();
  let idx = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outChannels; m++) {
      const firstChannel = Math.floor(m / mg) * cg; // first input channel of m's group
      for (let o0 = 0; o0 < O0; o0++) {
        for (let o1 = 0; o1 < O1; o1++) {
          for (let o2 = 0; o2 < O2; o2++) {
            acc.reset();
            if (b) acc.add(b.data[m]);
            for (let c = 0; c < cg; c++) {
              for (let k0 = 0; k0 < K0; k0++) {
                const i0 = o0 * S0 - P0 + k0 * L0;
                if (i0 < 0 || i0 >= D0) continue;
                for (let k1 = 0; k1 < K1; k1++) {
                  const i1 = o1 * S1 - P1 + k1 * L1;
                  if (i1 < 0 || i1 >= D1) continue;
                  for (let k2 = 0; k2 < K2; k2++) {
                    const i2 = o2 * S2 - P2 + k2 * L2;
                    if (i2 < 0 || i2 >= D2) continue;
                    const xv = x.data[n * xs[0] + (firstChannel + c) * xs[1] + i0 * xs[2] + i1 * xs[3] + i2];
                    const wv = w.data[m * ws[0] + c * ws[1] + k0 * ws[2] + k1 * ws[3] + k2];
                    acc.addProduct(wv, xv);
                  }
                }
              }
            }
            out[idx] = applyActivation(activation, acc.value());
            mag[idx] = acc.magnitude();
            idx++;
          }
        }
      }
    }
  }
  return {
    output: { shape: [...g.outputShape], data: out },
    magnitude: mag,
    termCount: g.reductionLength + (b ? 1 : 0),
  };
}
