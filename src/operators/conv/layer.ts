/** conv layers in `--shapes` files and the production tier: their fields, parsing and cost. */
import type { LayerForm, LayerInput } from '../operator.js';
import type { ConvAttributes } from './contract.js';
import { convGeometryOfShapes } from './geometry.js';
import { convFlops, largestTensor } from './problem.js';
import type { ConvSpec } from './spec.js';

/** The attribute fields of a conv layer (ConvTranspose adds `outputPadding`). */
export const CONV_LAYER_FIELDS: readonly string[] = ['strides', 'pads', 'dilations', 'group'];

/**
 * The conv attributes of a `--shapes` layer of operator `op` (conv or convTranspose): `strides`,
 * `dilations` default to 1, `pads` (ONNX order: all begins, then all ends) to 0, `group` to 1.
 */
export function convLayerAttributes(input: LayerInput, op: string): ConvAttributes {
  const { raw, x } = input;
  const rank = x.length - 2;
  if (rank < 1 || rank > 3) input.fail('x', x, `a ${op} input is [N, C, D1..Dn] with n = 1, 2 or 3, got ${x.length} dimensions`);
  const ones = Array.from({ length: rank }, () => 1);
  const group = raw.group ?? 1;
  if (typeof group !== 'number' || !Number.isSafeInteger(group) || group < 1)
    input.fail('group', raw.group, `must be an integer >= 1, got ${JSON.stringify(raw.group)}`);
  return {
    strides: raw.strides === undefined ? ones : input.ints('strides', 1),
    pads: raw.pads === undefined ? [...ones, ...ones].map(() => 0) : input.ints('pads', 0),
    dilations: raw.dilations === undefined ? ones : input.ints('dilations', 1),
    group: group as number,
  };
}

/** conv: x `[N, C, D1..Dn]`, w `[M, C/group, k1..kn]` (ONNX) and the conv attributes. */
export const convLayer: LayerForm = {
  fields: CONV_LAYER_FIELDS,
  label: 'conv',
  parse(input) {
    const { x, w, bias } = input;
    const attrs = convLayerAttributes(input, 'conv');
    const spec: ConvSpec = { xShape: x, wShape: w, attrs, hasBias: bias };
    input.check('geometry', { x, w, ...attrs }, () => convGeometryOfShapes(x, w, bias ? [w[0]] : undefined, attrs, 'conv'));
    return { spec };
  },
  flops: (spec) => convFlops(spec as ConvSpec),
  largestTensor: (spec) => largestTensor(spec as ConvSpec),
};
