/**
 * Planted ConvTranspose bugs: each property of the operator must catch a realistic bug with a
 * shrunk counterexample, and the built-in kernels pass them all.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { referenceKernel } from '../src/kernels/reference.js';
import type { ConvTransposeAttributes } from '../src/operators/conv-transpose/contract.js';
import { referenceConvTranspose } from '../src/operators/conv-transpose/reference.js';
import { verifyKernel } from '../src/runner/verify.js';
import { sizeOf, stridesOf } from '../src/tensor.js';
import { propertyFailure, propertyReason } from '../src/runner/report.js';

const SEED = Number(process.env.CONVCHECK_SEED ?? 20261201);
const ct = im2colKernel.convTranspose!;

function mutant(
  name: string,
  f: (x: Tensor, w: Tensor, b: Tensor | undefined, a: ConvTransposeAttributes) => Tensor | Promise<Tensor>,
): KernelUnderTest {
  return { name: `mutant:${name}`, precision: 'float32', conv: im2colKernel.conv, dense: im2colKernel.dense, convTranspose: f };
}

/** y[..., o] read as y'[..., o − shift] along every spatial axis (zeros where it falls outside): the output moved toward the end. */
function shiftedToEnd(y: Tensor, shift: readonly number[]): Tensor {
  const sp = y.shape.slice(2);
  const st = stridesOf(y.shape);
  const data = new Float32Array(y.data.length);
  const P = sizeOf(sp);
  for (let nm = 0; nm < y.shape[0] * y.shape[1]; nm++) {
    for (let p = 0; p < P; p++) {
      let src = nm * st[1];
      let ok = true;
      for (let a = 0; a < sp.length; a++) {
        const o = Math.floor(p / st[2 + a]) % sp[a];
        const from = o - shift[a];
        if (from < 0) ok = false;
        src += from * st[2 + a];
      }
      data[nm * st[1] + p] = ok ? y.data[src] : 0;
    }
  }
  return { shape: y.shape, data };
}

/** w flipped along every spatial axis. */
function flip(w: Tensor): Tensor {
  const k = w.shape.slice(2);
  const P = sizeOf(k);
  const st = stridesOf(k);
  const data = w.data.slice();
  for (let mc = 0; mc < w.shape[0] * w.shape[1]; mc++)
    for (let p = 0; p < P; p++)
      data[mc * P + p] = w.data[mc * P + st.reduce((acc, s, a) => acc + (k[a] - 1 - (Math.floor(p / s) % k[a])) * s, 0)];
  return { shape: w.shape, data };
}

const mutants: Array<{ kernel: KernelUnderTest; props: string[] }> = [
  {
    // output_padding added at the beginning of each axis instead of the end: the map is shifted by it
    kernel: mutant('output-padding-at-the-beginning', async (x, w, b, a) => {
      const y = await ct(x, w, b, a);
      return shiftedToEnd(y, a.outputPadding);
    }),
    props: ['conv-transpose-matches-reference', 'conv-transpose-as-conv'],
  },
  {
    // the kernel not flipped: the scatter written as a correlation of the zero-inserted input with w as is
    kernel: mutant('kernel-not-flipped', (x, w, b, a) => ct(x, flip(w), b, a)),
    props: ['conv-transpose-matches-reference', 'conv-transpose-adjoint', 'conv-transpose-as-conv'],
  },
  {
    // channel axes of w read as [M/G, C, k…] (transposed weights taken for conv weights) when the shape allows it
    kernel: mutant('channel-axes-not-swapped', async (x, w, b, a) => {
      const [C, Mg] = w.shape;
      if (C !== Mg || a.group !== 1) return ct(x, w, b, a);
      const P = sizeOf(w.shape.slice(2));
      const data = w.data.slice();
      for (let c = 0; c < C; c++)
        for (let m = 0; m < Mg; m++) data.set(w.data.subarray((m * Mg + c) * P, (m * Mg + c + 1) * P), (c * Mg + m) * P);
      return ct(x, { shape: w.shape, data }, b, a);
    }),
    props: ['conv-transpose-matches-reference', 'conv-transpose-adjoint'],
  },
  {
    // pads applied as conv pads would be (output cropped at the wrong end: begin and end exchanged)
    kernel: mutant('pads-begin-end-exchanged', (x, w, b, a) => {
      const r = a.strides.length;
      return ct(x, w, b, { ...a, pads: [...a.pads.slice(r), ...a.pads.slice(0, r)] });
    }),
    props: ['conv-transpose-matches-reference', 'conv-transpose-adjoint'],
  },
  {
    // output shape computed without outputPadding
    kernel: mutant('output-padding-ignored-in-shape', async (x, w, b, a) => {
      const y = await ct(x, w, b, a);
      if (a.outputPadding.every((o) => o === 0)) return y;
      return { shape: y.shape.map((d, i) => (i < 2 ? d : d - a.outputPadding[i - 2])), data: y.data.slice(0, 1) };
    }),
    props: ['conv-transpose-output-shape'],
  },
];

describe('planted ConvTranspose bugs are caught', () => {
  for (const { kernel, props } of mutants) {
    for (const id of props) {
      it(`${kernel.name} fails ${id}`, async () => {
        const report = await verifyKernel(kernel, { runs: 300, seed: SEED, properties: [id], shrinkBudgetMs: 3000 });
        const r = report.properties[0];
        expect(r.status, `${kernel.name} should fail ${id}`).toBe('failed');
        expect(propertyFailure(r)?.problem).toMatch(/outputPadding=/);
      });
    }
  }

  const ids = [
    'conv-transpose-matches-reference',
    'conv-transpose-adjoint',
    'conv-transpose-as-conv',
    'conv-transpose-output-shape',
    'fused-activation',
    'deterministic',
    'inputs-not-mutated',
  ];
  for (const k of [im2colKernel, referenceKernel]) {
    it(`${k.name} passes every ConvTranspose property`, async () => {
      const report = await verifyKernel(k, { runs: 150, seed: SEED, properties: ids });
      expect(report.properties.map((p) => `${p.id} ${p.status}`)).toEqual(report.properties.map((p) => `${p.id} passed`));
      expect(report.properties.every((p) => p.casesRun === 150)).toBe(true);
    });
  }

  it('a kernel without convTranspose skips its properties with the reason', async () => {
    const k: KernelUnderTest = { name: 'conv-only', precision: 'float32', conv: im2colKernel.conv };
    const report = await verifyKernel(k, {
      runs: 5,
      seed: SEED,
      properties: ['conv-transpose-matches-reference', 'conv-transpose-adjoint'],
    });
    expect(report.properties.map((p) => propertyReason(p))).toEqual(['kernel has no convTranspose', 'kernel has no convTranspose']);
  });

  it('the reference itself: the scatter definition, written out, agrees with the gather reference', () => {
    // y[o] += x[i]·w[k] at o = i·s − pb + k·d, on a small 1-D case with every attribute non-trivial
    const x = { shape: [1, 2, 4], data: Float64Array.from([1, -2, 3, 4, 0, 5, -1, 2]) };
    const w = { shape: [2, 2, 3], data: Float64Array.from([1, 2, -1, 3, 0, 1, -2, 1, 1, 2, 2, -3]) };
    const attrs = { strides: [3], pads: [2, 1], dilations: [2], group: 1, outputPadding: [2] };
    const O = 3 * (4 - 1) + 2 + 2 * (3 - 1) + 1 - 2 - 1;
    const y = new Float64Array(2 * O);
    for (let c = 0; c < 2; c++)
      for (let m = 0; m < 2; m++)
        for (let i = 0; i < 4; i++)
          for (let k = 0; k < 3; k++) {
            const o = i * 3 - 2 + k * 2;
            if (o >= 0 && o < O) y[m * O + o] += x.data[c * 4 + i] * w.data[(c * 2 + m) * 3 + k];
          }
    const r = referenceConvTranspose(x, w, undefined, attrs);
    expect(r.output.shape).toEqual([1, 2, O]);
    expect(Array.from(r.output.data)).toEqual(Array.from(y));
  });
});
