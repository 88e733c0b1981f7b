/** The `matMulInteger` operator (ONNX `MatMulInteger`, 2-D): one unit, registered once in `../table.ts`. */
import { defineOperator } from '../operator.js';
import type { TypedTensor } from '../../quantized.js';
import type { QuantMatMulCase } from './cases.js';
import { coverageOfQuantMatMul, describeQuantMatMulCase, quantMatMulCases, quantMatMulTensors, runMatMulInteger } from './cases.js';
import { matMulIntegerMatchesReference } from './properties.js';
import { referenceMatMulInteger } from './reference.js';

/** matMulInteger: a `[N, K]` u8/s8, b `[K, M]` u8/s8, zero points → int32 `[N, M]`. */
export const matMulInteger = defineOperator<QuantMatMulCase>({
  name: 'matMulInteger',
  description: 'ONNX MatMulInteger (2-D): a [N, K] u8/s8, b [K, M] u8/s8, a_zp, b_zp (scalar or [M]) → int32 [N, M], exact',
  inputs: ['a', 'b', 'aZeroPoint', 'bZeroPoint'],
  fusesActivation: false,
  kernelMethod: (a: TypedTensor, b: TypedTensor, aZeroPoint: TypedTensor | undefined, bZeroPoint: TypedTensor | undefined) =>
    referenceMatMulInteger(a, b, aZeroPoint, bZeroPoint),
  cases: {
    arbitrary: (ctx) => quantMatMulCases(ctx, { operators: ['matMulInteger'] }),
    async run(k, c) {
      const t = quantMatMulTensors(c);
      return { y: await runMatMulInteger(k, t.a, t.b, t.aZeroPoint, t.bZeroPoint), shape: t.outputShape };
    },
    expect: (c) => {
      const t = quantMatMulTensors(c);
      return {
        shape: t.outputShape,
        values: t.integer.values,
        magnitude: new Float64Array(t.integer.values.length),
        terms: c.spec.xShape[1],
      };
    },
    reseed: (c, seed) => ({ ...c, seed }),
    describe: (c) => describeQuantMatMulCase(c),
    coverage: (c) => coverageOfQuantMatMul('matMulInteger', c),
  },
  properties: { reference: [matMulIntegerMatchesReference], relations: [], hygiene: [] },
});
