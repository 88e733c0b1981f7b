/**
 * Bugs that live at block tails and past index limits, planted into correct kernels, are caught
 * at default settings (200 cases per property, default size) over several seeds — because the
 * generators reach C/group > 64, dense K > 1,024, inputs past 2¹⁶ elements and reductions past
 * 1,024 (`arbitraries/sizes.ts`). Each mutant is correct below its threshold, so only those sizes
 * can expose it.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import type { ConvAttributes } from '../src/operators/conv/contract.js';
import { convGeometry } from '../src/operators/conv/geometry.js';
import { im2colKernel, im2colKernel64 } from '../src/kernels/im2col.js';
import { verifyKernel } from '../src/runner/verify.js';
import { sizeOf } from '../src/tensor.js';
import { propertyFailure } from '../src/runner/report.js';

const SEEDS = process.env.CONVCHECK_SEED ? [Number(process.env.CONVCHECK_SEED)] : [1, 2, 3];

/** Weights of input channels ≥ floor(C/g / 64)·64 zeroed when C/group > 64 and not a multiple of 64: the last partial channel block skipped. */
function skipLastChannelBlock(w: Tensor): Tensor {
  const cg = w.shape[1];
  if (cg <= 64 || cg % 64 === 0) return w;
  const taps = sizeOf(w.shape.slice(2));
  const cut = Math.floor(cg / 64) * 64;
  const data = w.data.slice();
  for (let m = 0; m < w.shape[0]; m++) data.fill(0, (m * cg + cut) * taps, (m + 1) * cg * taps);
  return { shape: w.shape, data };
}

/** Dense whose reduction runs in chunks of 1,024 and forgets the last partial chunk when K > 1,024. */
function denseDroppingLastChunk(x: Tensor, w: Tensor, b: Tensor | undefined): Tensor | Promise<Tensor> {
  const K = x.shape[1];
  if (K <= 1024 || K % 1024 === 0) return im2colKernel.dense!(x, w, b);
  const cut = Math.floor(K / 1024) * 1024;
  const data = w.data.slice();
  for (let m = 0; m < w.shape[0]; m++) data.fill(0, m * K + cut, (m + 1) * K);
  return im2colKernel.dense!(x, { shape: w.shape, data }, b);
}

/** The input as a kernel with 16-bit flat indices reads it: element i at i mod 65,536. */
function wrapAt65536(x: Tensor): Tensor {
  if (x.data.length <= 65536) return x;
  const data = x.data.slice();
  for (let i = 65536; i < data.length; i++) data[i] = x.data[i % 65536];
  return { shape: x.shape, data };
}

/** Direct conv in float64 that accumulates in float32 (every product and partial sum rounded). */
function float32AccumulatingConv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Tensor {
  const g = convGeometry(x, w, b, attrs);
  const lift = (v: readonly number[], fill: number) => [...new Array(3 - g.rank).fill(fill), ...v];
  const [D0, D1, D2] = lift(g.inSpatial, 1);
  const [K0, K1, K2] = lift(g.kernelSpatial, 1);
  const [O0, O1, O2] = lift(g.outSpatial, 1);
  const [S0, S1, S2] = lift(g.strides, 1);
  const [L0, L1, L2] = lift(g.dilations, 1);
  const [P0, P1, P2] = lift(g.padsBegin, 0);
  const cg = g.inChannelsPerGroup;
  const y = new Float64Array(sizeOf(g.outputShape));
  let i = 0;
  for (let n = 0; n < g.batch; n++)
    for (let m = 0; m < g.outChannels; m++) {
      const c0 = Math.floor(m / g.outChannelsPerGroup) * cg;
      for (let o0 = 0; o0 < O0; o0++)
        for (let o1 = 0; o1 < O1; o1++)
          for (let o2 = 0; o2 < O2; o2++) {
            let acc = b ? Math.fround(b.data[m]) : 0;
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
                    const xv = x.data[(((n * g.inChannels + c0 + c) * D0 + i0) * D1 + i1) * D2 + i2];
                    const wv = w.data[(((m * cg + c) * K0 + k0) * K1 + k1) * K2 + k2];
                    acc = Math.fround(acc + Math.fround(xv * wv));
                  }
                }
              }
            y[i++] = acc;
          }
    }
  return { shape: [...g.outputShape], data: y };
}

const mutants: Array<{ kernel: KernelUnderTest; caughtBy: string }> = [
  {
    kernel: {
      name: 'mutant:skips-last-partial-channel-block-past-64',
      precision: 'float32',
      conv: (x, w, b, a) => im2colKernel.conv!(x, skipLastChannelBlock(w), b, a),
      dense: im2colKernel.dense,
    },
    caughtBy: 'conv-matches-reference',
  },
  {
    kernel: {
      name: 'mutant:drops-last-partial-dense-chunk-past-1024',
      precision: 'float32',
      conv: im2colKernel.conv,
      dense: denseDroppingLastChunk,
    },
    caughtBy: 'dense-matches-reference',
  },
  {
    kernel: {
      name: 'mutant:input-index-wraps-at-65536',
      precision: 'float32',
      conv: (x, w, b, a) => im2colKernel.conv!(wrapAt65536(x), w, b, a),
      dense: im2colKernel.dense,
    },
    caughtBy: 'conv-matches-reference',
  },
  {
    kernel: {
      name: 'mutant:float64-accumulating-in-float32-past-1024',
      precision: 'float64',
      conv: (x, w, b, a) =>
        convGeometry(x, w, b, a).reductionLength > 1024 ? float32AccumulatingConv(x, w, b, a) : im2colKernel64.conv!(x, w, b, a),
      dense: im2colKernel64.dense,
    },
    caughtBy: 'conv-matches-reference',
  },
];

describe('size-class bugs are caught at default settings', () => {
  for (const { kernel, caughtBy } of mutants) {
    for (const seed of SEEDS) {
      it(`${kernel.name}, seed ${seed}`, { timeout: 240_000 }, async () => {
        // default runs and size; only the differential property, which must catch it on its own
        const report = await verifyKernel(kernel, { runs: 200, seed, shrinkBudgetMs: 3_000, properties: [caughtBy] });
        expect(report.properties[0].status, `${caughtBy} on ${kernel.name}`).toBe('failed');
        const f = propertyFailure(report.properties.find((p) => p.id === caughtBy)!)!;
        expect(f.kind).toBe('mismatch');
        expect(f.problem).toMatch(/^(dense )?x=\[/);
      });
    }
  }
});
