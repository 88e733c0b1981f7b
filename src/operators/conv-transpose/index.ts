/** The `convTranspose` operator (ONNX `ConvTranspose`): one unit, registered once in `../table.ts`. */
import { defineOperator } from '../operator.js';
import type { ConvTransposeCase } from './cases.js';
import {
  convTransposeAsGiven,
  convTransposeCases,
  convTransposeTensors,
  coverageOfTranspose,
  describeConvTransposeCase,
  referenceConvTransposeExpectation,
} from './cases.js';
import type { ConvTransposeAttributes } from './contract.js';
import { convTransposeByConv } from './lowering.js';
import { convTransposeAdjoint, convTransposeAsConv, convTransposeMatchesReference, convTransposeOutputShape } from './properties.js';
import { referenceConvTranspose } from './reference.js';
import { convTransposeShapePlan } from './plan.js';
import { convTransposeLayer } from './layer.js';

/** convTranspose: x `[N, C, D1..Dn]`, w `[C, M/group, k1..kn]`, b `[M]` → `[N, M, O1..On]`. */
export const convTranspose = defineOperator<ConvTransposeCase>({
  name: 'convTranspose',
  description:
    'ONNX ConvTranspose: x [N, C, D1..Dn], w [C, M/group, k1..kn], b [M] → [N, M, O1..On], O = s·(D−1) + outputPadding + d·(k−1)+1 − pads',
  inputs: ['x', 'w', 'b'],
  fusesActivation: true,
  reference: (x, w, b, attrs) => referenceConvTranspose(x, w, b, attrs as ConvTransposeAttributes),
  layer: convTransposeLayer,
  cases: {
    arbitrary: (ctx, regime) => convTransposeCases(ctx, regime),
    async run(k, c, activation) {
      const { g, y } = await convTransposeAsGiven(
        k,
        activation ? { ...c, spec: { ...c.spec, attrs: { ...c.spec.attrs, activation } } } : c,
      );
      return { y, shape: g.outputShape };
    },
    expect: (c, numerics) =>
      referenceConvTransposeExpectation(convTransposeTensors(c, 1, numerics.precision), c.spec.attrs, numerics.precision),
    reseed: (c, seed) => ({ ...c, seed }),
    describe: (c) => describeConvTransposeCase(c),
    plan: convTransposeShapePlan,
    coverage: (c) => coverageOfTranspose(c.spec),
  },
  properties: {
    reference: [convTransposeMatchesReference],
    relations: [convTransposeAdjoint, convTransposeAsConv],
    hygiene: [convTransposeOutputShape],
  },
  // conv over the zero-inserted input, for kernels that opt in (`withDerivedOperators`)
  derive: (kernel) => (kernel.conv ? convTransposeByConv(kernel.conv.bind(kernel)) : undefined),
});
