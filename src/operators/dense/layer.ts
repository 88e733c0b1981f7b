/** dense layers in `--shapes` files and the production tier: their fields, parsing and cost. */
import { sizeOf } from '../../tensor.js';
import type { LayerForm } from '../operator.js';
import { denseGeometryOfShapes } from './geometry.js';
import { denseFlops, largestDenseTensor } from './problem.js';
import type { DenseSpec } from './spec.js';

/**
 * dense: x `[N, K]`, w `[M, K]`, optionally `flattens`: the feature map `[C, D1..Dn]`
 * (channels-first, C·∏D = K) its input is flattened from, which the FC ≡ conv equivalences use as
 * the conv's window.
 */
export const denseLayer: LayerForm = {
  fields: ['flattens'],
  label: 'dense',
  parse(input) {
    const { raw, x, w, bias } = input;
    input.check('x/w', { x, w }, () => denseGeometryOfShapes(x, w, bias ? [w[0]] : undefined, 'dense'));
    const spec: DenseSpec = { xShape: x, wShape: w, hasBias: bias };
    if (raw.flattens === undefined) return { spec };
    const flattens = input.ints('flattens', 1);
    if (flattens.length < 2 || flattens.length > 4 || sizeOf(flattens) !== x[1]) {
      input.fail(
        'flattens',
        raw.flattens,
        `must be the feature map [C, D1..Dn] (n = 1..3) the input is flattened from, with C·∏D = K = ${x[1]}, got ${JSON.stringify(raw.flattens)}`,
      );
    }
    return { spec, flattens };
  },
  flops: (spec) => denseFlops(spec as DenseSpec),
  largestTensor: (spec) => largestDenseTensor(spec as DenseSpec),
};
