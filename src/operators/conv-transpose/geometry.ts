/**
 * ConvTranspose geometry, validated once at the boundary, and the helper that resolves ONNX's
 * `output_shape` / `auto_pad` into explicit pads.
 */
import type { Tensor } from '../../contract.js';
import { InvalidArgumentError } from '../../errors.js';
import {
  type SpatialGeometry,
  axes3d,
  checkBiasShape,
  checkIntArray,
  checkSpatialOperands,
  ofTensors,
  spatialAxes,
} from '../../geometry.js';
import { formatShape, sizeOf } from '../../tensor.js';
import type { ConvTransposeAttributes } from './contract.js';

/** Everything a transposed-conv kernel needs, validated (C is w's first axis, M = (M/group)·group). */
export interface ConvTransposeGeometry extends SpatialGeometry {
  readonly outputPadding: readonly number[];
}

/** Validates shapes and attributes of a transposed conv and computes its geometry. */
export function convTransposeGeometryOfShapes(
  xShape: readonly number[],
  wShape: readonly number[],
  bShape: readonly number[] | undefined,
  attrs: ConvTransposeAttributes,
  fn = 'convTranspose',
): ConvTransposeGeometry {
  const rank = checkSpatialOperands(fn, xShape, wShape, attrs, '{strides, pads, dilations, group, outputPadding}');
  const { strides, dilations, group, outputPadding } = attrs;
  checkIntArray(fn, 'outputPadding', outputPadding, rank, 0);
  for (let a = 0; a < rank; a++) {
    // ONNX: "each padding value in output_padding must be less than the corresponding stride/dilation"; PyTorch reads it as < max(stride, dilation)
    if (outputPadding[a] >= Math.max(strides[a], dilations[a])) {
      throw new InvalidArgumentError(
        fn,
        'outputPadding',
        outputPadding,
        `outputPadding ${formatShape(outputPadding)} must be < max(stride, dilation) on every axis; axis ${a} has ${outputPadding[a]} with stride ${strides[a]}, dilation ${dilations[a]}`,
      );
    }
  }
  const [batch, inChannels] = xShape;
  const [wChannels, outPerGroup] = wShape;
  if (batch < 1 || inChannels < 1 || outPerGroup < 1) {
    throw new InvalidArgumentError(fn, 'x', { xShape, wShape }, `sizes must be >= 1: x ${formatShape(xShape)}, w ${formatShape(wShape)}`);
  }
  if (inChannels % group !== 0) {
    throw new InvalidArgumentError(
      fn,
      'group',
      { inChannels, group },
      `input channels (${inChannels}) are not divisible by group (${group})`,
    );
  }
  if (wChannels !== inChannels) {
    throw new InvalidArgumentError(
      fn,
      'w',
      wShape,
      `w first axis (${wChannels}) must equal the input channels C (${inChannels}): w is [C, M/group, k…]`,
    );
  }
  const outChannels = outPerGroup * group;
  checkBiasShape(fn, bShape, outChannels, `M = w.shape[1]·group = ${outPerGroup}·${group}`);
  const { inSpatial, kernelSpatial, padsBegin, padsEnd, effectiveKernel, outSpatial } = spatialAxes(
    fn,
    xShape,
    wShape,
    attrs,
    rank,
    (a, eff, pb, pe) => {
      const full = strides[a] * (xShape[2 + a] - 1) + outputPadding[a] + eff;
      return {
        size: full - pb - pe,
        why: `s·(D−1) + outputPadding + d·(k−1)+1 = ${strides[a]}·(${xShape[2 + a]}−1) + ${outputPadding[a]} + ${eff} = ${full} minus pads ${pb} + ${pe}`,
      };
    },
  );
  return {
    rank,
    batch,
    inChannels,
    outChannels,
    group,
    inChannelsPerGroup: inChannels / group,
    outChannelsPerGroup: outPerGroup,
    inSpatial,
    kernelSpatial,
    outSpatial,
    strides: [...strides],
    dilations: [...dilations],
    padsBegin,
    padsEnd,
    outputPadding: [...outputPadding],
    effectiveKernel,
    reductionLength: (inChannels / group) * sizeOf(kernelSpatial),
    outSpatialSize: sizeOf(outSpatial),
    hasBias: bShape !== undefined,
    outputShape: [batch, outChannels, ...outSpatial],
  };
}

/** Validates tensors (shapes and data lengths) and attributes, returning the geometry. */
export function convTransposeGeometry(
  x: Tensor,
  w: Tensor,
  b: Tensor | undefined,
  attrs: ConvTransposeAttributes,
  fn = 'convTranspose',
): ConvTransposeGeometry {
  return ofTensors(fn, x, w, b, (xs, ws, bs) => convTransposeGeometryOfShapes(xs, ws, bs, attrs, fn));
}

/** ONNX ConvTranspose attributes that decide the padding. */
export interface OnnxConvTransposePadding {
  readonly inputSpatial: readonly number[];
  readonly kernelSpatial: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Default zeros. */
  readonly outputPadding?: readonly number[];
  /** `output_shape` (spatial sizes only); when given, pads are derived from it. */
  readonly outputShape?: readonly number[];
  /** Default NOTSET (explicit pads, i.e. `pads`). */
  readonly autoPad?: 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';
  /** Explicit pads for NOTSET without `output_shape`; default zeros. */
  readonly pads?: readonly number[];
}

/**
 * Resolves ONNX `output_shape` / `auto_pad` into explicit `pads` (ONNX order) and `outputPadding`,
 * following the operator's definition: total_padding = s·(D−1) + outputPadding + d·(k−1)+1 −
 * output_shape; SAME_UPPER puts ⌊total/2⌋ at the beginning (the odd element at the end), every
 * other mode ⌈total/2⌉ at the beginning. SAME_* without `output_shape` targets D·s. A total below
 * 0 cannot be reached with pads >= 0 and is rejected.
 * @example resolveConvTransposePads({ inputSpatial: [3], kernelSpatial: [3], strides: [2], dilations: [1], autoPad: 'SAME_UPPER' }) // { pads: [0, 1], outputPadding: [0] }
 */
export function resolveConvTransposePads(p: OnnxConvTransposePadding): { pads: number[]; outputPadding: number[] } {
  const fn = 'resolveConvTransposePads';
  const rank = p.inputSpatial.length;
  if (rank < 1 || rank > 3)
    throw new InvalidArgumentError(
      fn,
      'inputSpatial',
      p.inputSpatial,
      `inputSpatial must have 1, 2 or 3 axes, got ${formatShape(p.inputSpatial)}`,
    );
  checkIntArray(fn, 'inputSpatial', p.inputSpatial, rank, 1);
  checkIntArray(fn, 'kernelSpatial', p.kernelSpatial, rank, 1);
  checkIntArray(fn, 'strides', p.strides, rank, 1);
  checkIntArray(fn, 'dilations', p.dilations, rank, 1);
  const outputPadding = [...(p.outputPadding ?? new Array<number>(rank).fill(0))];
  checkIntArray(fn, 'outputPadding', outputPadding, rank, 0);
  const mode = p.autoPad ?? 'NOTSET';
  if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(mode)) {
    throw new InvalidArgumentError(
      fn,
      'autoPad',
      mode,
      `autoPad must be 'NOTSET', 'VALID', 'SAME_UPPER' or 'SAME_LOWER', got ${JSON.stringify(mode)}`,
    );
  }
  let target = p.outputShape ? [...p.outputShape] : undefined;
  if (target) checkIntArray(fn, 'outputShape', target, rank, 1);
  if (!target && (mode === 'SAME_UPPER' || mode === 'SAME_LOWER')) target = p.inputSpatial.map((d, a) => d * p.strides[a]);
  if (!target) {
    if (mode === 'VALID') return { pads: new Array<number>(2 * rank).fill(0), outputPadding };
    const pads = [...(p.pads ?? new Array<number>(2 * rank).fill(0))];
    checkIntArray(fn, 'pads', pads, 2 * rank, 0);
    return { pads, outputPadding };
  }
  const begin: number[] = [];
  const end: number[] = [];
  for (let a = 0; a < rank; a++) {
    const full = p.strides[a] * (p.inputSpatial[a] - 1) + outputPadding[a] + p.dilations[a] * (p.kernelSpatial[a] - 1) + 1;
    const total = full - target[a];
    if (total < 0) {
      throw new InvalidArgumentError(
        fn,
        'outputShape',
        target,
        `output size ${target[a]} on axis ${a} is larger than s·(D−1) + outputPadding + d·(k−1)+1 = ${full}; it cannot be reached with pads >= 0 (raise outputPadding)`,
      );
    }
    const half = Math.floor(total / 2);
    begin.push(mode === 'SAME_UPPER' ? half : total - half);
    end.push(total - begin[a]);
  }
  return { pads: [...begin, ...end], outputPadding };
}

/** One line: `x=[…] w=[…] strides=[…] pads=[…] dilations=[…] outputPadding=[…] group=1 bias=yes`. */
export function describeConvTranspose(
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: ConvTransposeAttributes,
  hasBias: boolean,
): string {
  return `x=${formatShape(xShape)} w=${formatShape(wShape)} strides=${formatShape(attrs.strides)} pads=${formatShape(attrs.pads)} dilations=${formatShape(attrs.dilations)} outputPadding=${formatShape(attrs.outputPadding)} group=${attrs.group} bias=${hasBias ? 'yes' : 'no'}`;
}

/**
 * One kernel tap of a ConvTranspose lifted to 3 axes (`axes3d`): input i reaches output
 * o = i·s + k·d − pad_begin per axis. `rows` lists, for every (i0, i1) whose outputs fall inside
 * the output, the offset of input row (i0, i1, 0) within its channel and of the output it reaches
 * from i2 = 0 (which may lie before the row: only i2 in [lo2, hi2) are inside, at step S2).
 */
export interface ScatterTap {
  /** Flat index of the tap in the kernel. */
  readonly tap: number;
  /** Pairs (input offset, output offset) per row, within one channel. */
  readonly rows: Int32Array;
  readonly lo2: number;
  readonly hi2: number;
}

/** The sizes a scatter loop over `g` (lifted to 3 axes) needs. */
export interface ScatterLayout {
  /** Input and output elements per channel, kernel taps, and the output stride of the last axis. */
  readonly inPlane: number;
  readonly plane: number;
  readonly taps: number;
  readonly S2: number;
}

/** First i ≥ 0 with i·s + t ≥ 0, and one past the last i < D with i·s + t < O. */
function scatterRange(D: number, s: number, t: number, O: number): [number, number] {
  const lo = t >= 0 ? 0 : Math.ceil(-t / s);
  const hi = Math.min(D, Math.floor((O - 1 - t) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * `g`'s scatter layout and every tap of its kernel in kernel order (`ScatterTap`): what the
 * scatter loops of the fast judge and of the im2col kernel run over.
 */
export function scatterPlan(g: ConvTransposeGeometry): { layout: ScatterLayout; taps: ScatterTap[] } {
  const { input: D, kernel: K, output: O, strides: S, dilations: L, padsBegin: P } = axes3d(g);
  const taps: ScatterTap[] = [];
  for (let k0 = 0; k0 < K[0]; k0++) {
    for (let k1 = 0; k1 < K[1]; k1++) {
      for (let k2 = 0; k2 < K[2]; k2++) {
        const t = [k0 * L[0] - P[0], k1 * L[1] - P[1], k2 * L[2] - P[2]];
        const [[lo0, hi0], [lo1, hi1], [lo2, hi2]] = t.map((ta, a) => scatterRange(D[a], S[a], ta, O[a]));
        const rows = new Int32Array(2 * (hi0 - lo0) * (hi1 - lo1));
        let r = 0;
        for (let i0 = lo0; i0 < hi0; i0++) {
          for (let i1 = lo1; i1 < hi1; i1++, r += 2) {
            rows[r] = (i0 * D[1] + i1) * D[2];
            rows[r + 1] = ((i0 * S[0] + t[0]) * O[1] + i1 * S[1] + t[1]) * O[2] + t[2];
          }
        }
        taps.push({ tap: (k0 * K[1] + k1) * K[2] + k2, rows, lo2, hi2 });
      }
    }
  }
  return { layout: { inPlane: D[0] * D[1] * D[2], plane: O[0] * O[1] * O[2], taps: K[0] * K[1] * K[2], S2: S[2] }, taps };
}
