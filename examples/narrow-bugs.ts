/**
 * The blocked direct convolution of `browser/conv.wgsl`, in plain TypeScript for Node: the same
 * output blocking (4 columns per invocation, the tail written as 2 + 1), the same tiled
 * reduction (tiles of 32 taps, then the remainder), the same index arithmetic — and the same
 * planted narrow bugs, each a one-line deviation that shows only when two parameter classes meet.
 * The shape-plan measurements (`bench/shape-plan.ts`) and the fast tests run these; the WGSL
 * kernel in the browser has the same bugs (`browser/webgpu-conv-<bug>.ts`).
 *
 *     npx convcheck verify --kernel examples/narrow-bugs.ts        # the correct blocked kernel
 */
import type { ConvAttributes, KernelUnderTest, Tensor } from '../src/index.js';

/** The planted narrow bugs, in `conv.wgsl`'s `BUG` numbering (1–6). */
export const NARROW_BUGS = [
  /** The tail of an output row is written as 2 columns + 1; the "+ 1" is tested as `count == 1`: the last column is dropped when O_W ≡ 3 (mod 4). */
  'vec4-tail',
  /** The stride-3 path finds a window's start from its centre with `k/2` for `(k−1)/2`: off by one when the kernel width is even. */
  'stride3-even-kernel',
  /** The reduction runs in tiles of 32 taps; the remainder loop sits in the short-reduction branch: skipped when (C/group)·∏k > 64. */
  'reduction-remainder',
  /** x's batch stride is computed from w's channel dimension (C/group) instead of C: wrong for batch item ≥ 1 when group > 1. */
  'groups-batch',
  /** The depthwise path's input tile holds windows of dilation ≤ 2: the W dilation is clamped to 2 for depthwise convs. */
  'depthwise-dilated',
  /** The bias-fused variant reads the end pad of W as its begin pad: wrong when there is a bias and the W pads differ. */
  'asym-pad-bias',
] as const;

/** One planted narrow bug. */
export type NarrowBug = (typeof NARROW_BUGS)[number];

/** The bug's number in `conv.wgsl` (0: none). */
export function bugNumber(bug: NarrowBug | undefined): number {
  return bug === undefined ? 0 : NARROW_BUGS.indexOf(bug) + 1;
}

const TILE = 32;

/** The blocked conv on rank-3-lifted shapes (see `conv.wgsl`); p as the shader's parameter array. */
function blockedConv(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number> | undefined,
  p: readonly number[],
  BUG: number,
): Float32Array {
  const [, N, C, M, G, hasBias, D, H, W, kD, kH, kW, oD, oH, oW, sD, sH, sW, dD, dH, dW0, padD, padH, padW0, , , padEndW] = p;
  const cg = C / G;
  const mg = M / G;
  const y = new Float32Array(N * M * oD * oH * oW);
  const blocks = Math.ceil(oW / 4);
  const taps = kD * kH * kW;
  const R = cg * taps;
  const depthwise = cg === 1 && G > 1;
  const dW = BUG === 5 && depthwise ? Math.min(dW0, 2) : dW0;
  const padW = BUG === 6 && hasBias === 1 ? padEndW : padW0;
  const batchStride = (BUG === 4 ? cg : C) * D * H * W;
  const acc = [0, 0, 0, 0];
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / mg);
      for (let oz = 0; oz < oD; oz++) {
        for (let oy = 0; oy < oH; oy++) {
          for (let xb = 0; xb < blocks; xb++) {
            const x0 = xb * 4;
            const count = Math.min(4, oW - x0);
            acc.fill(0);
            const tap = (rr: number) => {
              const c = Math.floor(rr / taps);
              const t = rr % taps;
              const kz = Math.floor(t / (kH * kW));
              const ky = Math.floor(t / kW) % kH;
              const kx = t % kW;
              const iz = oz * sD + kz * dD - padD;
              const iy = oy * sH + ky * dH - padH;
              if (iz < 0 || iz >= D || iy < 0 || iy >= H) return;
              const ci = g * cg + c;
              const wv = w[(((m * cg + c) * kD + kz) * kH + ky) * kW + kx];
              for (let j = 0; j < 4; j++) {
                const ox = x0 + j;
                // the stride-3 path: the window's start from its centre
                const start =
                  sW === 3
                    ? ox * 3 + (BUG === 2 ? Math.floor(kW / 2) : Math.floor((kW - 1) / 2)) - Math.floor((kW - 1) / 2) - padW
                    : ox * sW - padW;
                const ix = start + kx * dW;
                if (j >= count || ix < 0 || ix >= W) continue;
                acc[j] += x[n * batchStride + ((ci * D + iz) * H + iy) * W + ix] * wv;
              }
            };
            const full = Math.floor(R / TILE);
            for (let t = 0; t < full; t++) for (let j = 0; j < TILE; j++) tap(t * TILE + j);
            if (BUG !== 3 || R <= 64) for (let rr = full * TILE; rr < R; rr++) tap(rr);
            if (hasBias === 1) for (let j = 0; j < 4; j++) acc[j] += b![m];
            const base = (((n * M + m) * oD + oz) * oH + oy) * oW + x0;
            if (count === 4) {
              for (let j = 0; j < 4; j++) y[base + j] = acc[j];
            } else {
              let j = 0;
              if (count >= 2) {
                y[base] = acc[0];
                y[base + 1] = acc[1];
                j = 2;
              }
              if (BUG === 1 ? count === 1 : count % 2 === 1) y[base + j] = acc[j];
            }
          }
        }
      }
    }
  }
  return y;
}

/** The shader's parameter array for a conv call (rank-3-lifted), and the output shape. */
export function convParams(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): { params: number[]; shape: number[] } {
  const rank = x.shape.length - 2;
  const lift = (v: readonly number[], fill: number) => [...Array<number>(3 - rank).fill(fill), ...v];
  const inSp = lift(x.shape.slice(2), 1);
  const kSp = lift(w.shape.slice(2), 1);
  const strides = lift(attrs.strides, 1);
  const dilations = lift(attrs.dilations, 1);
  const begin = lift(attrs.pads.slice(0, rank), 0);
  const end = lift(attrs.pads.slice(rank), 0);
  // ONNX output size: floor((D + pb + pe − (d·(k−1)+1)) / s) + 1
  const outSp = inSp.map((d, a) => Math.floor((d + begin[a] + end[a] - (dilations[a] * (kSp[a] - 1) + 1)) / strides[a]) + 1);
  const [N, C] = x.shape;
  const M = w.shape[0];
  const invocations = N * M * outSp[0] * outSp[1] * Math.ceil(outSp[2] / 4);
  return {
    params: [invocations, N, C, M, attrs.group, b ? 1 : 0, ...inSp, ...kSp, ...outSp, ...strides, ...dilations, ...begin, ...end],
    shape: [N, M, ...outSp.slice(3 - rank)],
  };
}

/** Gemm(transB=1) as a 1×1×1 conv with K input channels on a 1×1×1 image. */
export function denseParams(x: Tensor, w: Tensor, b: Tensor | undefined): number[] {
  const [N, K] = x.shape;
  const M = w.shape[0];
  return [N * M, N, K, M, 1, b ? 1 : 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
}

/** The blocked kernel in Node, with one planted narrow bug or none. */
export function createNarrowBugKernel(bug?: NarrowBug): KernelUnderTest {
  const BUG = bugNumber(bug);
  return {
    name: `blocked-js-conv${bug ? `-${bug}` : ''}`,
    precision: 'float32',
    capabilities: {
      spatialRanks: [1, 2, 3],
      group: true,
      dilation: true,
      strideWithDilation: true,
      asymmetricPads: true,
      specialValues: true,
    },
    conv(x, w, b, attrs) {
      const { params, shape } = convParams(x, w, b, attrs);
      return { shape, data: blockedConv(x.data, w.data, b?.data, params, BUG) };
    },
    dense(x, w, b) {
      return { shape: [x.shape[0], w.shape[0]], data: blockedConv(x.data, w.data, b?.data, denseParams(x, w, b), BUG) };
    },
  };
}

export default () => createNarrowBugKernel();
