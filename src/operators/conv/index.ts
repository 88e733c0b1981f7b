/** The `conv` operator (ONNX `Conv`): one unit, registered once in `../table.ts`. */
import { defineOperator } from '../operator.js';
import { convAsGiven, convCases, convTensors, coverageOf, describeConvCase, referenceConvExpectation } from './cases.js';
import type { ConvCase } from './cases.js';
import type { ConvAttributes } from './contract.js';
import { convMatchesReference } from './differential.js';
import { outputShape } from './hygiene.js';
import {
  batchIndependence,
  biasAdditivity,
  dilationZeroInserted,
  explicitPadding,
  groupConcat,
  linearityInW,
  linearityInX,
  rankEmbedding,
  strideSubsampling,
  translationEquivariance,
} from './metamorphic.js';
import { referenceConv } from './reference.js';
import { workedExampleRelu } from './worked-example.js';
import { convShapePlan } from './plan.js';
import { convLayer } from './layer.js';

/** conv: x `[N, C, D1..Dn]`, w `[M, C/group, k1..kn]`, b `[M]` → `[N, M, O1..On]`. */
export const conv = defineOperator<ConvCase>({
  name: 'conv',
  description: 'ONNX Conv: x [N, C, D1..Dn], w [M, C/group, k1..kn], b [M] → [N, M, O1..On], n = 1..3; cross-correlation',
  inputs: ['x', 'w', 'b'],
  fusesActivation: true,
  reference: (x, w, b, attrs) => referenceConv(x, w, b, attrs as ConvAttributes),
  layer: convLayer,
  cases: {
    arbitrary: (ctx, regime) => convCases(ctx, regime),
    async run(k, c, activation) {
      const { g, y } = await convAsGiven(k, activation ? { ...c, spec: { ...c.spec, attrs: { ...c.spec.attrs, activation } } } : c);
      return { y, shape: g.outputShape };
    },
    expect: (c, numerics) => referenceConvExpectation(convTensors(c, 1, numerics.precision), c.spec.attrs, numerics),
    reseed: (c, seed) => ({ ...c, seed }),
    describe: (c) => describeConvCase(c),
    plan: convShapePlan,
    coverage: (c) => coverageOf(c.spec),
  },
  properties: {
    reference: [convMatchesReference, workedExampleRelu],
    relations: [
      explicitPadding,
      strideSubsampling,
      dilationZeroInserted,
      groupConcat,
      batchIndependence,
      linearityInX,
      linearityInW,
      biasAdditivity,
      rankEmbedding,
      translationEquivariance,
    ],
    hygiene: [outputShape],
  },
});
