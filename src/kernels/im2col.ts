/**
 * The optimized built-in kernel: conv lowered to GEMM (im2col) and dense as GEMM, on the
 * packed, cache-blocked GEMM of `gemm.ts`; the float32 kernel's convs run direct instead.
 *
 * - float32 conv: direct convolution with float32 accumulation (`direct32.ts`, WebAssembly SIMD
 *   f32x4 tiles): the input is copied once, zero-padded, and a table of tap offsets replaces the
 *   lowered matrix. Taken wherever it fits its fixed memory and the workspace budget and the
 *   rows of output are at least 4 wide (or the conv is depthwise); the rest below.
 * - conv: one GEMM per (group): A = the group's weights [M/g × (C/g)·∏k] as stored, B = the
 *   lowered input [(C/g)·∏k × N·∏O] (all batch items side by side, so small outputs still make
 *   wide GEMMs), C = the group's output channels. B is never materialized: the GEMM asks for
 *   one kc × nc block at a time and the lowering writes it straight into the packed panel
 *   layout, so the workspace is bounded by the budget whatever the problem size.
 * - 1×1, stride 1, no padding: the input already is the B matrix; it is packed directly.
 * - group = C (depthwise, any multiplier): a direct stencil (`depthwise.ts`) instead of C
 *   GEMMs with K = ∏k.
 * - dense: y = x·wᵀ computed as yᵀ = w·xᵀ so that A is again the weight matrix as stored.
 *
 * Padding follows the ONNX definition literally: padded positions are zeros that *are*
 * multiplied by the weights (a non-finite weight meeting padding gives NaN).
 */
import type { ConvAttributes } from '../operators/conv/contract.js';
import type { KernelUnderTest, Precision, Tensor } from '../contract.js';
import { type ConvGeometry, convGeometry } from '../operators/conv/geometry.js';
import { denseGeometry } from '../operators/dense/geometry.js';
import { InvalidArgumentError } from '../errors.js';
import { arrayTypeOf } from '../tensor.js';
import { ACTIVATION_KINDS, applyActivationInPlace, checkActivation } from '../activation.js';
import type { Activation } from '../activation.js';
import type { DenseAttributes } from '../operators/dense/contract.js';
import { integerOperators } from './integer-im2col.js';
import { withDerivedOperators } from '../operators/index.js';
import type { ConvTransposeAttributes } from '../operators/conv-transpose/contract.js';
import { gemmConvTranspose } from './conv-transpose-gemm.js';
import { depthwiseConv } from './depthwise.js';
import { direct32Conv } from './direct32.js';
import { type Axes3d, axes3d } from '../geometry.js';
import type { FloatArray } from '../numeric/arrays.js';
import {
  DEFAULT_GEMM_BLOCKING,
  DEFAULT_WORKSPACE_BYTES,
  type GemmBlocking,
  GemmWorkspace,
  NR,
  PACK_CHUNK,
  type PackB,
  type PackedBuffer,
  gemm,
  StridedPackB,
} from '../numeric/gemm.js';

/** Options of `createIm2colKernel`. */
export interface Im2colOptions {
  /**
   * Bound on the kernel's workspace (packed operands, accumulator, depthwise slab; for the
   * direct float32 conv, the part of its WebAssembly memory a call uses), in bytes; default
   * 16 MiB. Lowering is tiled over output positions, the direct conv over output channels, to
   * stay inside it.
   */
  readonly workspaceBytes?: number;
  /** GEMM blocking overrides (tests use tiny blocks to run many blocks on small problems). */
  readonly blocking?: Partial<GemmBlocking>;
  /**
   * Run the direct float32 conv, the GEMM's block products and the matrix–vector products
   * (dense with batch 1, convs with one output position) on the WebAssembly SIMD kernels where
   * available; default true. false forces the JavaScript loops (same results: see `gemm.ts`
   * and `direct32.ts`).
   */
  readonly simd?: boolean;
}

/** The im2col kernel, plus a view of its workspace for benchmarks. */
export interface Im2colKernel extends KernelUnderTest {
  readonly precision: Precision;
  /** Largest workspace held at once since creation, in bytes. */
  peakWorkspaceBytes(): number;
}

/**
 * The im2col lowering of one group, as a `PackB`: B[k, j] with
 * k = ((c·kz + kz_)·ky + ky_)·kx + kx_ (the weight layout, so A needs no reordering) and
 * j = n·∏O + position, equal to x[n, first + c, o·s − p + k·d] or 0 where that is padding.
 * For each row k it walks the columns in runs along the output x axis; within a run the valid
 * input columns form one contiguous range of ox (computed, not tested per element).
 */
class Im2colPackB implements PackB {
  private x: FloatArray = new Float32Array(0);
  private g: ConvGeometry | undefined;
  private lifted: Axes3d | undefined;
  private firstChannel = 0;

  /** Points the packer at group `firstChannel / (C/g)` of another problem (see `PackB` on reuse). */
  reset(x: FloatArray, g: ConvGeometry, lifted: Axes3d, firstChannel: number): this {
    this.x = x;
    this.g = g;
    this.lifted = lifted;
    this.firstChannel = firstChannel;
    return this;
  }

  pack(dst: PackedBuffer, k0: number, kc: number, j0: number, nc: number): void {
    const x = this.x;
    const g = this.g!;
    const {
      input: [dz, dy, dx],
      kernel: [KZ, KY, KX],
      output: [OZ, OY, OX],
      strides: [sz, sy, sx],
      dilations: [lz, ly, lx],
      padsBegin: [pz, py, px],
    } = this.lifted!;
    const inSize = g.inSpatialSize;
    const batchStride = g.inChannels * inSize;
    const planeOffset = this.firstChannel * inSize;
    const perBatch = g.outSpatialSize;
    const chunk = PACK_CHUNK;
    const nr = NR; // a local: imported bindings cost more than locals in hot loops under some loaders
    const panelStep = kc * nr;
    const panelSkip = panelStep - nr;
    // Decode the first row k0 → (c, kz, ky, kx).
    const kx0 = k0 % KX;
    let t = (k0 - kx0) / KX;
    const ky0 = t % KY;
    t = (t - ky0) / KY;
    const kz0 = t % KZ;
    const c0 = (t - kz0) / KZ;
    for (let jj = j0; jj < j0 + nc; jj += chunk) {
      const width = Math.min(chunk, j0 + nc - jj);
      // Decode the chunk's first column jj → (n, oz, oy, ox).
      const n0 = Math.floor(jj / perBatch);
      let rest = jj - n0 * perBatch;
      const oz0 = Math.floor(rest / (OY * OX));
      rest -= oz0 * OY * OX;
      const oy0 = Math.floor(rest / OX);
      const ox0 = rest - oy0 * OX;
      const dChunk = (jj - j0) * kc; // first panel of the chunk (jj − j0 is a multiple of NR)
      let c = c0,
        kz = kz0,
        ky = ky0,
        kx = kx0;
      for (let kk = 0; kk < kc; kk++) {
        const chanBase = planeOffset + c * inSize;
        const offZ = kz * lz - pz;
        const offY = ky * ly - py;
        const offX = kx * lx - px;
        // ix = ox·sx + offX is inside [0, dx) exactly for ox in [oxLo, oxHi).
        const oxLo = Math.max(0, Math.ceil(-offX / sx));
        const oxHi = Math.min(OX, Math.floor((dx - 1 - offX) / sx) + 1);
        let n = n0,
          oz = oz0,
          oy = oy0,
          ox = ox0;
        let d = dChunk + kk * nr;
        let r = 0;
        let left = width;
        while (left > 0) {
          const end = ox + Math.min(OX - ox, left);
          left -= end - ox;
          const iz = oz * sz + offZ;
          const iy = oy * sy + offY;
          // Lane r of the current panel row is next; each segment below keeps (d, r) in step.
          let copy = 0;
          let src = 0;
          let zerosBefore = end - ox;
          if (iz >= 0 && iz < dz && iy >= 0 && iy < dy) {
            zerosBefore = Math.max(0, Math.min(end, oxLo) - ox);
            copy = Math.max(0, Math.min(end, oxHi) - ox - zerosBefore);
            src = chanBase + n * batchStride + (iz * dy + iy) * dx + (ox + zerosBefore) * sx + offX;
          }
          const zerosAfter = end - ox - zerosBefore - copy;
          for (let q = 0; q < zerosBefore; q++) {
            dst[d++] = 0;
            if (++r === nr) {
              r = 0;
              d += panelSkip;
            }
          }
          let q = 0;
          for (; q < copy && r !== 0; q++, src += sx) {
            dst[d++] = x[src];
            if (++r === nr) {
              r = 0;
              d += panelSkip;
            }
          }
          // Whole panel rows, three lanes at a time (NR = 3).
          for (; q + 3 <= copy; q += 3, src += 3 * sx, d += panelStep) {
            dst[d] = x[src];
            dst[d + 1] = x[src + sx];
            dst[d + 2] = x[src + 2 * sx];
          }
          for (; q < copy; q++, src += sx) {
            dst[d++] = x[src];
            if (++r === nr) {
              r = 0;
              d += panelSkip;
            }
          }
          for (let q2 = 0; q2 < zerosAfter; q2++) {
            dst[d++] = 0;
            if (++r === nr) {
              r = 0;
              d += panelSkip;
            }
          }
          ox = end;
          if (ox === OX) {
            ox = 0;
            if (++oy === OY) {
              oy = 0;
              if (++oz === OZ) {
                oz = 0;
                n++;
              }
            }
          }
        }
        if (++kx === KX) {
          kx = 0;
          if (++ky === KY) {
            ky = 0;
            if (++kz === KZ) {
              kz = 0;
              c++;
            }
          }
        }
      }
    }
  }
}

/** True when the input itself is the GEMM's B matrix: 1×…×1 kernel, stride 1, no padding. */
function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kernelSpatialSize === 1 && g.strides.every((v) => v === 1) && g.padsBegin.every((v) => v === 0) && g.padsEnd.every((v) => v === 0)
  );
}

function checkBudget(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes < 1024) {
    throw new InvalidArgumentError('createIm2colKernel', 'workspaceBytes', bytes, `workspaceBytes must be a number >= 1024, got ${bytes}`);
  }
  return bytes;
}

function completeBlocking(b: Partial<GemmBlocking> | undefined): GemmBlocking {
  const full = { ...DEFAULT_GEMM_BLOCKING, ...b };
  for (const key of ['mc', 'kc', 'nc'] as const) {
    if (!Number.isInteger(full[key]) || full[key] < 1) {
      throw new InvalidArgumentError('createIm2colKernel', 'blocking', b, `blocking.${key} must be an integer >= 1, got ${full[key]}`);
    }
  }
  return full;
}

/**
 * Creates an im2col + GEMM kernel of the given precision. The output is a typed array of that
 * precision. The float32 kernel's direct convs accumulate in float32 (inside the float32 bound);
 * every other sum (GEMM, matrix–vector, the float64 kernel) is accumulated in float64 and
 * rounded once.
 * @example const k = createIm2colKernel('float64', { workspaceBytes: 1 << 20 });
 */
export function createIm2colKernel(precision: Precision = 'float32', options: Im2colOptions = {}): Im2colKernel {
  if (precision !== 'float32' && precision !== 'float64') {
    throw new InvalidArgumentError(
      'createIm2colKernel',
      'precision',
      precision,
      `precision must be 'float32' or 'float64', got ${String(precision)}`,
    );
  }
  const budget = checkBudget(options.workspaceBytes ?? DEFAULT_WORKSPACE_BYTES);
  const blocking = completeBlocking(options.blocking);
  const Out = arrayTypeOf(precision);
  const ws = new GemmWorkspace({ simd: options.simd ?? true });
  // One packer of each kind per kernel, reset per call (see PackB in gemm.ts for why).
  const lowering = new Im2colPackB();
  const direct = new StridedPackB();

  const conv = (x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Tensor => {
    const g = convGeometry(x, w, b, attrs);
    const out = new Out(g.batch * g.outChannels * g.outSpatialSize);
    // float32: direct convolution with float32 accumulation (`direct32.ts`) wherever it applies.
    if (
      precision === 'float32' &&
      (g.batch * g.outSpatialSize > 1 || g.inChannelsPerGroup === 1) &&
      direct32Conv(ws, budget, g, x.data, w.data, b?.data, out)
    ) {
      return { shape: [...g.outputShape], data: out };
    }
    if (g.inChannelsPerGroup === 1) {
      // group = C: depthwise (any multiplier M/C), the direct path.
      depthwiseConv(ws, budget, g, x.data, w.data, b?.data, out);
      return { shape: [...g.outputShape], data: out };
    }
    const K = g.reductionLength;
    const P = g.outSpatialSize;
    const pointwise = isPointwise(g);
    const lifted = axes3d(g);
    for (let gi = 0; gi < g.group; gi++) {
      const firstChannel = gi * g.inChannelsPerGroup;
      const packB = pointwise
        ? direct.reset(x.data, {
            offset: firstChannel * P,
            rowStride: P,
            colStride: 1,
            groupSize: P,
            groupStride: g.inChannels * P,
          })
        : lowering.reset(x.data, g, lifted, firstChannel);
      gemm(ws, blocking, budget, {
        M: g.outChannelsPerGroup,
        N: g.batch * P,
        K,
        a: w.data,
        aOffset: gi * g.outChannelsPerGroup * K,
        lda: K,
        packB,
        out,
        outLayout: {
          offset: gi * g.outChannelsPerGroup * P,
          rowStride: P,
          colStride: 1,
          groupSize: P,
          groupStride: g.outChannels * P,
        },
        bias: b?.data,
        biasOffset: gi * g.outChannelsPerGroup,
      });
    }
    return { shape: [...g.outputShape], data: out };
  };

  const dense = (x: Tensor, w: Tensor, b: Tensor | undefined): Tensor => {
    const g = denseGeometry(x, w, b);
    const N = g.batch,
      K = g.inFeatures,
      M = g.outFeatures;
    const out = new Out(N * M);
    // yᵀ[M×N] = w[M×K] · xᵀ[K×N]: B[k, j] = x[j·K + k], C[m, j] = y[j·M + m].
    gemm(ws, blocking, budget, {
      M,
      N,
      K,
      a: w.data,
      aOffset: 0,
      lda: K,
      packB: direct.reset(x.data, { offset: 0, rowStride: 1, colStride: K, groupSize: N, groupStride: 0 }),
      out,
      outLayout: { offset: 0, rowStride: 1, colStride: M, groupSize: N, groupStride: 0 },
      bias: b?.data,
      biasOffset: 0,
    });
    return { shape: [...g.outputShape], data: out };
  };

  // fused activations: applied to the stored output, after the bias (the GEMM epilogue)
  return withDerivedOperators({
    name: precision === 'float32' ? 'builtin:im2col' : 'builtin:im2col64',
    precision,
    capabilities: { activations: ACTIVATION_KINDS },
    conv: (x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes) => activate(conv(x, w, b, attrs), attrs.activation),
    dense: (x: Tensor, w: Tensor, b: Tensor | undefined, attrs?: DenseAttributes) => {
      checkActivation('dense', attrs?.activation);
      return activate(dense(x, w, b), attrs?.activation);
    },
    // GEMM + scatter (`conv-transpose-gemm.ts`), not the conv over the zero-inserted input
    convTranspose: (x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes) => {
      checkActivation('convTranspose', attrs.activation);
      return activate(gemmConvTranspose(ws, blocking, budget, Out, x, w, b, attrs), attrs.activation);
    },
    // the quantized operators: im2col + integer GEMM, float32 requantization (`integer-im2col.ts`)
    ...integerOperators,
    peakWorkspaceBytes: () => ws.peakBytes,
  });
}

/** y with φ applied in place (in y's precision), or y when there is no activation. */
function activate(y: Tensor, activation: Activation | undefined): Tensor {
  applyActivationInPlace(activation, y.data);
  return y;
}

/** The float32 im2col + GEMM kernel (`builtin:im2col`), the project's optimized path. */
export const im2colKernel: Im2colKernel = createIm2colKernel('float32');

/** The float64 im2col + GEMM kernel (`builtin:im2col64`). */
export const im2colKernel64: Im2colKernel = createIm2colKernel('float64');
