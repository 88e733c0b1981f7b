/**
 * The fast judge for float32 dense kernels: the same sums as `reference.ts`, in plain float64
 * (see `../conv/fast-reference.ts` for why that judges float32 kernels soundly).
 */
import type { Precision, Tensor } from '../../contract.js';
import type { JudgeResult, ReferenceResult } from '../operator.js';
import { denseGeometry } from './geometry.js';
import { referenceDense } from './reference.js';

const asF64 = (d: Float32Array | Float64Array): Float64Array => (d instanceof Float64Array ? d : Float64Array.from(d));

/** Dense in plain float64 with Σ|w·x| + |b| per element. Same semantics as `referenceDense`. */
export function fastReferenceDense(x: Tensor, w: Tensor, b: Tensor | undefined): ReferenceResult {
  const g = denseGeometry(x, w, b, 'fastReferenceDense');
  const K = g.inFeatures;
  const M = g.outFeatures;
  const xd = asF64(x.data);
  const wd = asF64(w.data);
  const bd = b ? asF64(b.data) : undefined;
  const out = new Float64Array(g.batch * M);
  const mag = new Float64Array(out.length);
  for (let n = 0; n < g.batch; n++) {
    const xr = n * K;
    for (let m = 0; m < M; m++) {
      const wr = m * K;
      let s = bd ? bd[m] : 0;
      let a = bd ? Math.abs(bd[m]) : 0;
      for (let k = 0; k < K; k++) {
        const p = wd[wr + k] * xd[xr + k];
        s += p;
        a += Math.abs(p);
      }
      out[n * M + m] = s;
      mag[n * M + m] = a;
    }
  }
  return { output: { shape: [...g.outputShape], data: out }, magnitude: mag, termCount: K + (b ? 1 : 0) };
}

/** Dense counterpart of `trustedConv`. */
export function trustedDense(x: Tensor, w: Tensor, b: Tensor | undefined, precision: Precision): JudgeResult {
  return precision !== 'float64' ? { ...fastReferenceDense(x, w, b), accumulation: 'plain64' } : { ...referenceDense(x, w, b), accumulation: 'compensated' };
}
