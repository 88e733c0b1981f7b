/** The `dense` operator (ONNX `Gemm(transB=1)`, PyTorch `Linear`): one unit, registered once in `../table.ts`. */
import { defineOperator } from '../operator.js';
import type { DenseAttributes } from './contract.js';
import type { DenseCase } from './cases.js';
import { coverageOfDense, denseCases, denseTensors, describeDenseCase, referenceDenseExpectation, runDense } from './cases.js';
import { denseMatchesReference } from './differential.js';
import { referenceDense } from './reference.js';
import { denseShapePlan } from './plan.js';
import { denseLayer } from './layer.js';

/** dense: x `[N, K]`, w `[M, K]`, b `[M]` → x·wᵀ + b, `[N, M]`. */
export const dense = defineOperator<DenseCase>({
  name: 'dense',
  description: 'Gemm(transB=1) / PyTorch Linear: x [N, K], w [M, K], b [M] → x·wᵀ + b, [N, M]',
  inputs: ['x', 'w', 'b'],
  fusesActivation: true,
  reference: (x, w, b, attrs) => referenceDense(x, w, b, attrs as DenseAttributes | undefined),
  layer: denseLayer,
  cases: {
    arbitrary: (ctx, regime) => denseCases(ctx, regime),
    async run(k, c, activation) {
      const t = denseTensors(c, 1, k.precision);
      return { y: await runDense(k, t.x, t.w, t.b, activation ? { activation } : undefined), shape: [c.spec.xShape[0], c.spec.wShape[0]] };
    },
    expect: (c, numerics) => referenceDenseExpectation(denseTensors(c, 1, numerics.precision), numerics.precision),
    reseed: (c, seed) => ({ ...c, seed }),
    describe: (c) => describeDenseCase(c),
    plan: denseShapePlan,
    coverage: (c) => coverageOfDense(c.spec),
  },
  properties: { reference: [denseMatchesReference], relations: [], hygiene: [] },
});
