/**
 * The float32 direct convolution (`direct32.ts`): the WebAssembly SIMD tiles against the
 * JavaScript loop that reproduces them. Both sum fl(w·x̂) in float32 in the same order, so on
 * data with full mantissas (where any change of order or precision would show) the results must
 * be bit-identical — for every tile shape and its tails (output channels around the panel
 * heights, rows around the tile width), strides (column phases), dilations, padding, groups,
 * depthwise, ranks 1–3, output-channel blocks under a small workspace, and special values.
 * Also: the float32 sum order is what the module comment says (checked against a scalar loop).
 */
import { describe, expect, it } from 'vitest';
import type { ConvAttributes } from '../../src/operators/conv/contract.js';
import type { Tensor } from '../../src/contract.js';
import { createIm2colKernel } from '../../src/kernels/im2col.js';
import { panelSplit, planDirect32 } from '../../src/kernels/direct32.js';
import { convGeometryOfShapes } from '../../src/operators/conv/geometry.js';
import { wasmConv32Available } from '../../src/kernels/wasm-conv32.js';

/** Values in [−1, 1) with full float32 mantissas, from a fixed seed (xorshift32). */
function randoms(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed | 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1 + 1e-3 * Math.sin(i);
  }
  return out;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const tensor = (shape: number[], data: Float32Array): Tensor => ({ shape, data });

interface Case {
  readonly x: number[];
  readonly w: number[];
  readonly attrs: ConvAttributes;
  readonly bias: boolean;
}

const wasmKernel = createIm2colKernel('float32');
const jsKernel = createIm2colKernel('float32', { simd: false });

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSamePaths(c: Case, seed: number, kernels = { wasm: wasmKernel, js: jsKernel }): Tensor {
  const x = tensor(c.x, randoms(size(c.x), seed));
  const w = tensor(c.w, randoms(size(c.w), seed + 1));
  const b = c.bias ? tensor([c.w[0]], randoms(c.w[0], seed + 2)) : undefined;
  const y1 = kernels.wasm.conv!(x, w, b, c.attrs) as Tensor;
  const y2 = kernels.js.conv!(x, w, b, c.attrs) as Tensor;
  const i = firstDifference(y1.data, y2.data);
  expect(i, `${JSON.stringify(c)}: first difference at ${i}: wasm ${y1.data[i]} js ${y2.data[i]}`).toBe(-1);
  return y1;
}

const conv2 = (strides: number[], pads: number[], dilations = [1, 1], group = 1): ConvAttributes => ({ strides, pads, dilations, group });

describe('direct32: the plan', () => {
  it('panels: 4-row panels, tails of 2 or 3 rows, one row only for M = 1', () => {
    expect(panelSplit(1)).toEqual([[1, 1]]);
    expect(panelSplit(3)).toEqual([[3, 1]]);
    expect(panelSplit(4)).toEqual([[4, 1]]);
    expect(panelSplit(5)).toEqual([
      [3, 1],
      [2, 1],
    ]);
    expect(panelSplit(9)).toEqual([
      [4, 1],
      [3, 1],
      [2, 1],
    ]);
    expect(panelSplit(64)).toEqual([[4, 16]]);
    expect(panelSplit(66)).toEqual([
      [4, 16],
      [2, 1],
    ]);
    for (let m = 1; m < 40; m++) expect(panelSplit(m).reduce((n, [mr, k]) => n + mr * k, 0)).toBe(m);
  });

  it('x=[1,3,9,10] w=[2,3,3,3] s=[1,2] p=[1,2,0,1] d=[2,1]: x̂ row has sx phases, offsets follow the formula', () => {
    const g = convGeometryOfShapes([1, 3, 9, 10], [2, 3, 3, 3], undefined, conv2([1, 2], [1, 2, 0, 1], [2, 1]));
    const p = planDirect32(g, 16 << 20)!;
    // OX = floor((10 + 2 + 1 − 3) / 2) + 1 = 6; Wq = OX + floor(2·1 / 2) = 7; row = 2 phases.
    expect([g.outSpatial[1], p.Wq, p.rowLen]).toEqual([6, 7, 14]);
    // Tap (c=1, ky=2, kx=1): c·channel + ky·ly·row + (kx mod 2)·Wq + floor(kx / 2).
    expect(p.offs[1 * 9 + 2 * 3 + 1]).toBe(1 * p.channel + 2 * 2 * 14 + 1 * 7 + 0);
  });

  it('declines outputs narrower than 4 positions with C/g > 1, and problems that do not fit', () => {
    const narrow = convGeometryOfShapes([1, 2, 5, 3], [2, 2, 3, 3], undefined, conv2([1, 1], [0, 0, 0, 0]));
    expect(planDirect32(narrow, 16 << 20)).toBeUndefined();
    const big = convGeometryOfShapes([1, 8, 64, 64], [4, 8, 3, 3], undefined, conv2([1, 1], [1, 1, 1, 1]));
    expect(planDirect32(big, 64 * 1024)).toBeUndefined();
    expect(planDirect32(big, 16 << 20)!.mc).toBe(4);
  });
});

describe('direct32: WebAssembly and JavaScript paths bit-identical', () => {
  it('WebAssembly SIMD is available here (else these tests would compare the JS path with itself)', () => {
    expect(wasmConv32Available()).toBe(true);
  });

  it('output channels 1…13 (every panel split) × rows of 5…18 outputs (tails of the 8- and 16-wide tiles)', () => {
    let seed = 1;
    for (let M = 1; M <= 13; M++) {
      for (const W of [6, 7, 9, 10, 11, 17, 19]) {
        expectSamePaths({ x: [1, 3, 4, W], w: [M, 3, 3, 3], attrs: conv2([1, 1], [0, 1, 1, 0]), bias: M % 2 === 0 }, seed++);
      }
    }
  });

  it('strides 1–3 per axis (column phases), dilations 1–2, asymmetric pads, ranks 1–3', () => {
    let seed = 100;
    for (const sx of [1, 2, 3]) {
      for (const sy of [1, 2]) {
        for (const dil of [1, 2]) {
          expectSamePaths({ x: [2, 5, 11, 23], w: [6, 5, 3, 2], attrs: conv2([sy, sx], [2, 0, 1, 3], [dil, dil]), bias: true }, seed++);
        }
      }
      expectSamePaths(
        { x: [1, 4, 40], w: [5, 4, 5], attrs: { strides: [sx], pads: [3, 1], dilations: [2], group: 1 }, bias: false },
        seed++,
      );
      expectSamePaths(
        {
          x: [1, 3, 5, 6, 13],
          w: [7, 3, 2, 3, 3],
          attrs: { strides: [1, 2, sx], pads: [1, 0, 1, 0, 1, 2], dilations: [2, 1, 1], group: 1 },
          bias: true,
        },
        seed++,
      );
    }
  });

  it('groups and depthwise (multipliers 1 and 3), 1×1 kernels, stride larger than the kernel', () => {
    expectSamePaths({ x: [2, 6, 9, 13], w: [9, 2, 3, 3], attrs: conv2([1, 1], [1, 1, 1, 1], [1, 1], 3), bias: true }, 7);
    expectSamePaths({ x: [1, 5, 12, 21], w: [5, 1, 3, 3], attrs: conv2([1, 1], [1, 1, 1, 1], [1, 1], 5), bias: true }, 8);
    expectSamePaths({ x: [1, 4, 12, 21], w: [12, 1, 3, 3], attrs: conv2([2, 2], [1, 0, 0, 1], [1, 1], 4), bias: false }, 9);
    expectSamePaths({ x: [1, 16, 7, 9], w: [10, 16, 1, 1], attrs: conv2([1, 1], [0, 0, 0, 0]), bias: true }, 10);
    expectSamePaths({ x: [1, 3, 16, 33], w: [4, 3, 2, 2], attrs: conv2([5, 4], [1, 1, 1, 1]), bias: false }, 11);
  });

  it('output-channel blocks under a small workspace (x=[1,4,30,30] w=[23,4,3,3] in 64 KiB)', () => {
    const small = {
      wasm: createIm2colKernel('float32', { workspaceBytes: 64 * 1024 }),
      js: createIm2colKernel('float32', { workspaceBytes: 64 * 1024, simd: false }),
    };
    const c: Case = { x: [1, 4, 30, 30], w: [23, 4, 3, 3], attrs: conv2([1, 1], [1, 1, 1, 1]), bias: true };
    const s = convGeometryOfShapes(c.x, c.w, [23], c.attrs);
    expect(planDirect32(s, 64 * 1024)!.mc).toBeLessThan(23);
    const y = expectSamePaths(c, 12, small);
    const yBig = expectSamePaths(c, 12);
    expect(firstDifference(y.data, yBig.data)).toBe(-1);
  });
});

describe('direct32: the arithmetic', () => {
  it('float32 sums in tap order: y = fl(…fl(fl(−0 + fl(w0·x0)) + fl(w1·x1))… + b), x=[1,2,1,9] w=[1,2,1,2]', () => {
    const x = randoms(18, 21),
      w = randoms(4, 22),
      b = randoms(1, 23);
    const y = wasmKernel.conv!(tensor([1, 2, 1, 9], x), tensor([1, 2, 1, 2], w), tensor([1], b), conv2([1, 1], [0, 0, 0, 0])) as Tensor;
    const f = Math.fround;
    for (let ox = 0; ox < 8; ox++) {
      let acc = -0;
      for (let c = 0; c < 2; c++) for (let kx = 0; kx < 2; kx++) acc = f(acc + f(w[c * 2 + kx] * x[c * 9 + ox + kx]));
      expect(y.data[ox], `y[${ox}]`).toBe(f(acc + b[0]));
    }
  });

  it('0·∞ in the padding is NaN, ∞ and NaN propagate, −0 sums stay −0 (both paths)', () => {
    // w = [[∞, 1], [1, 1]]-ish rows: channel 0 has an infinite tap that meets the left padding.
    const attrs = conv2([1, 1], [0, 1, 0, 0]);
    const x = tensor([1, 1, 1, 9], new Float32Array([-0, -0, -0, -0, 2, 3, NaN, 1, 1]));
    const w = tensor([3, 1, 1, 2], new Float32Array([Infinity, 1, 1, 1, -0, 1]));
    for (const k of [wasmKernel, jsKernel]) {
      const y = k.conv!(x, w, undefined, attrs) as Tensor;
      // Row 0: ∞·pad = NaN at ox 0; ∞·(−0) = NaN; ∞·2 = ∞; NaN from x[6].
      expect(Object.is(y.data[0], NaN), `${k.name}: ∞·padding`).toBe(true);
      expect(Object.is(y.data[1], NaN)).toBe(true);
      expect(y.data[5]).toBe(Infinity);
      expect(Object.is(y.data[7], NaN)).toBe(true);
      // Row 1: 1·pad + 1·(−0) = −0 + (+0) + (−0) = +0 at ox 0; −0 + −0 + −0 at ox 1…3 stays −0.
      expect(Object.is(y.data[9 + 0], 0)).toBe(true);
      expect(Object.is(y.data[9 + 2], -0)).toBe(true);
      // Row 2: −0·x + 1·x.
      expect(y.data[18 + 5]).toBe(3);
    }
  });
});
