/**
 * Conv geometry: every parameter normalized and validated once, at the boundary. Kernels read
 * only the resulting object and do not re-check.
 */
import type { Tensor } from '../../contract.js';
import { InvalidArgumentError } from '../../errors.js';
import { type SpatialGeometry, checkBiasShape, checkIntArray, checkSpatialOperands, ofTensors, spatialAxes } from '../../geometry.js';
import { formatShape, sizeOf } from '../../tensor.js';
import type { ConvAttributes } from './contract.js';

/** Everything a conv kernel needs to know about a problem, validated. */
export interface ConvGeometry extends SpatialGeometry {
  readonly inSpatialSize: number;
  readonly kernelSpatialSize: number;
  readonly inputShape: readonly number[];
  readonly weightShape: readonly number[];
}

/**
 * Validates shapes and attributes of a conv problem and computes its geometry.
 * Output size per axis: floor((D + pad_begin + pad_end − (d·(k−1)+1)) / s) + 1, rejected when < 1.
 */
export function convGeometryOfShapes(
  xShape: readonly number[],
  wShape: readonly number[],
  bShape: readonly number[] | undefined,
  attrs: ConvAttributes,
  fn = 'conv',
): ConvGeometry {
  const rank = checkSpatialOperands(fn, xShape, wShape, attrs, '{strides, pads, dilations, group}');
  const { strides, dilations, group } = attrs;
  const [batch, inChannels] = xShape;
  const [outChannels, wChannels] = wShape;
  for (const [arg, v] of [
    ['x batch', batch],
    ['x channels', inChannels],
    ['w output channels', outChannels],
  ] as const) {
    if (v < 1) throw new InvalidArgumentError(fn, arg.split(' ')[0], v, `${arg} (${v}) must be >= 1`);
  }
  if (inChannels % group !== 0) {
    throw new InvalidArgumentError(
      fn,
      'group',
      { inChannels, group },
      `input channels (${inChannels}) are not divisible by group (${group})`,
    );
  }
  if (outChannels % group !== 0) {
    throw new InvalidArgumentError(
      fn,
      'group',
      { outChannels, group },
      `output channels (${outChannels}) are not divisible by group (${group})`,
    );
  }
  if (wChannels !== inChannels / group) {
    throw new InvalidArgumentError(
      fn,
      'w',
      wShape,
      `w channels (${wChannels}) must equal input channels / group (${inChannels} / ${group} = ${inChannels / group})`,
    );
  }
  checkBiasShape(fn, bShape, outChannels, 'one bias per output channel');
  const { inSpatial, kernelSpatial, padsBegin, padsEnd, effectiveKernel, outSpatial } = spatialAxes(
    fn,
    xShape,
    wShape,
    attrs,
    rank,
    (a, eff, pb, pe) => {
      const padded = xShape[2 + a] + pb + pe;
      return {
        size: Math.floor((padded - eff) / strides[a]) + 1,
        why: `padded input (${xShape[2 + a]} + ${pb} + ${pe} = ${padded}) is smaller than the effective kernel extent (${dilations[a]}·(${wShape[2 + a]}−1)+1 = ${eff})`,
      };
    },
  );
  const kernelSpatialSize = sizeOf(kernelSpatial);
  return {
    rank,
    batch,
    inChannels,
    outChannels,
    group,
    inChannelsPerGroup: inChannels / group,
    outChannelsPerGroup: outChannels / group,
    inSpatial,
    kernelSpatial,
    outSpatial,
    strides: [...strides],
    dilations: [...dilations],
    padsBegin,
    padsEnd,
    effectiveKernel,
    inSpatialSize: sizeOf(inSpatial),
    kernelSpatialSize,
    outSpatialSize: sizeOf(outSpatial),
    reductionLength: (inChannels / group) * kernelSpatialSize,
    hasBias: bShape !== undefined,
    inputShape: [...xShape],
    weightShape: [...wShape],
    outputShape: [batch, outChannels, ...outSpatial],
  };
}

/** Validates conv tensors (shapes and data lengths) and attributes, returning the geometry. */
export function convGeometry(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes, fn = 'conv'): ConvGeometry {
  return ofTensors(fn, x, w, b, (xs, ws, bs) => convGeometryOfShapes(xs, ws, bs, attrs, fn));
}

/** ONNX `auto_pad` modes that `resolveAutoPad` turns into explicit pads. */
export type AutoPad = 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';

/**
 * Resolves ONNX `auto_pad` into explicit pads `[x1_begin, ..., x1_end, ...]`.
 * VALID: no padding. SAME_*: output ceil(D / s); total pad max(0, (O−1)·s + d·(k−1)+1 − D).
 * When the total is odd, SAME_UPPER puts the extra pixel at the end (TensorFlow's SAME, which
 * keeps the window centred or leaning right), SAME_LOWER at the beginning.
 * @example resolveAutoPad([5], [2], [1], [1], 'SAME_UPPER') // [0, 1]
 */
export function resolveAutoPad(
  inputSpatial: readonly number[],
  kernelSpatial: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  mode: AutoPad,
): number[] {
  const fn = 'resolveAutoPad';
  const rank = inputSpatial.length;
  if (rank < 1 || rank > 3) {
    throw new InvalidArgumentError(
      fn,
      'inputSpatial',
      inputSpatial,
      `inputSpatial must have 1, 2 or 3 axes, got ${formatShape(inputSpatial)}`,
    );
  }
  checkIntArray(fn, 'inputSpatial', inputSpatial, rank, 1);
  checkIntArray(fn, 'kernelSpatial', kernelSpatial, rank, 1);
  checkIntArray(fn, 'strides', strides, rank, 1);
  checkIntArray(fn, 'dilations', dilations, rank, 1);
  if (mode !== 'VALID' && mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER') {
    throw new InvalidArgumentError(fn, 'mode', mode, `mode must be 'VALID', 'SAME_UPPER' or 'SAME_LOWER', got ${JSON.stringify(mode)}`);
  }
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  if (mode !== 'VALID') {
    for (let a = 0; a < rank; a++) {
      const out = Math.ceil(inputSpatial[a] / strides[a]);
      const eff = dilations[a] * (kernelSpatial[a] - 1) + 1;
      const total = Math.max(0, (out - 1) * strides[a] + eff - inputSpatial[a]);
      const small = Math.floor(total / 2);
      begin[a] = mode === 'SAME_UPPER' ? small : total - small;
      end[a] = total - begin[a];
    }
  }
  return [...begin, ...end];
}

/** One-line description of a conv problem: `x=[2,3,7,5] w=[4,3,3,2] strides=[2,1] pads=[0,1,1,0] dilations=[1,2] group=1 bias=yes`. */
export function describeConv(xShape: readonly number[], wShape: readonly number[], attrs: ConvAttributes, hasBias: boolean): string {
  return `x=${formatShape(xShape)} w=${formatShape(wShape)} strides=${formatShape(attrs.strides)} pads=${formatShape(attrs.pads)} dilations=${formatShape(attrs.dilations)} group=${attrs.group} bias=${hasBias ? 'yes' : 'no'}`;
}
