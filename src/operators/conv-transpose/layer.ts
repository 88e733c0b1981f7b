/** ConvTranspose layers in `--shapes` files and the production tier: their fields, parsing and cost. */
import { CONV_LAYER_FIELDS, convLayerAttributes } from '../conv/layer.js';
import type { LayerForm } from '../operator.js';
import { convTransposeGeometryOfShapes } from './geometry.js';
import { largestTransposeTensor, transposeFlops } from './problem.js';
import type { ConvTransposeSpec } from './spec.js';

/**
 * convTranspose: x `[N, C, D1..Dn]`, w `[C, M/group, k1..kn]` (ONNX), the conv attributes plus
 * `outputPadding` (default 0). Its cost: every input element scatters through every tap,
 * 2·N·C·(M/g)·∏k·∏D.
 */
export const convTransposeLayer: LayerForm = {
  fields: [...CONV_LAYER_FIELDS, 'outputPadding'],
  label: 'ConvTranspose',
  parse(input) {
    const { raw, x, w, bias } = input;
    const attrs = convLayerAttributes(input, 'convTranspose');
    const outputPadding = raw.outputPadding === undefined ? attrs.strides.map(() => 0) : input.ints('outputPadding', 0);
    const spec: ConvTransposeSpec = { xShape: x, wShape: w, attrs: { ...attrs, outputPadding }, hasBias: bias };
    input.check('geometry', { x, w, ...spec.attrs }, () =>
      convTransposeGeometryOfShapes(x, w, bias ? [w[1] * attrs.group] : undefined, spec.attrs, 'convTranspose'),
    );
    return { spec };
  },
  flops: (spec) => transposeFlops(spec as ConvTransposeSpec),
  largestTensor: (spec) => largestTransposeTensor(spec as ConvTransposeSpec),
};
