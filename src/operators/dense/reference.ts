/** The trusted dense reference (`Gemm(transB=1)`), compensated accumulation. */
import { applyActivation, checkActivation } from '../../activation.js';
import type { Tensor } from '../../contract.js';
import type { DenseAttributes } from './contract.js';
import { AccurateSum } from '../../numeric/accurate-sum.js';
import type { ReferenceResult } from '../operator.js';
import { denseGeometry } from './geometry.js';

/** Reference dense (Gemm with transB=1, PyTorch `Linear`): y[n, m] = b[m] + Σ_k x[n, k] · w[m, k]. */
export function referenceDense(x: Tensor, w: Tensor, b: Tensor | undefined, attrs?: DenseAttributes): ReferenceResult {
  const g = denseGeometry(x, w, b, 'referenceDense');
  checkActivation('referenceDense', attrs?.activation);
  const K = g.inFeatures;
  const out = new Float64Array(g.batch * g.outFeatures);
  const mag = new Float64Array(out.length);
  const acc = new AccurateSum();
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outFeatures; m++) {
      acc.reset();
      if (b) acc.add(b.data[m]);
      for (let k = 0; k < K; k++) acc.addProduct(w.data[m * K + k], x.data[n * K + k]);
      out[n * g.outFeatures + m] = applyActivation(attrs?.activation, acc.value());
      mag[n * g.outFeatures + m] = acc.magnitude();
    }
  }
  return { output: { shape: [...g.outputShape], data: out }, magnitude: mag, termCount: K + (b ? 1 : 0) };
}
