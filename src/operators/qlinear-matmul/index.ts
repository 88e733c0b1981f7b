/** The `qlinearMatMul` operator (ONNX `QLinearMatMul`, 2-D): one unit, registered once in `../table.ts`. */
import { defineOperator } from '../operator.js';
import type { TypedTensor } from '../../quantized.js';
import type { QuantMatMulCase } from '../matmul-integer/cases.js';
import {
  coverageOfQuantMatMul,
  describeQuantMatMulCase,
  quantMatMulCases,
  quantMatMulTensors,
  runQLinearMatMul,
} from '../matmul-integer/cases.js';
import { qlinearMatMulMatchesReference } from './properties.js';
import { referenceQLinearMatMul } from './reference.js';

/** qlinearMatMul: quantized a `[N, K]`, b `[K, M]` with scales and zero points → y `[N, M]` of y_zp's type. */
export const qlinearMatMul = defineOperator<QuantMatMulCase>({
  name: 'qlinearMatMul',
  description: 'ONNX QLinearMatMul (2-D): a [N, K] u8/s8 (scale, zp), b [K, M] u8/s8 (scale, zp per tensor or [M]), y scale/zp → y [N, M]',
  inputs: ['a', 'aScale', 'aZeroPoint', 'b', 'bScale', 'bZeroPoint', 'yScale', 'yZeroPoint'],
  fusesActivation: false,
  kernelMethod: (
    a: TypedTensor,
    aScale: TypedTensor,
    aZeroPoint: TypedTensor,
    b: TypedTensor,
    bScale: TypedTensor,
    bZeroPoint: TypedTensor,
    yScale: TypedTensor,
    yZeroPoint: TypedTensor,
  ) => referenceQLinearMatMul(a, aScale, aZeroPoint, b, bScale, bZeroPoint, yScale, yZeroPoint),
  cases: {
    arbitrary: (ctx) => quantMatMulCases(ctx, { operators: ['qlinearMatMul'] }),
    async run(k, c) {
      const t = quantMatMulTensors(c);
      return { y: await runQLinearMatMul(k, t), shape: t.outputShape };
    },
    expect: (c) => {
      const t = quantMatMulTensors(c);
      return {
        shape: t.outputShape,
        values: t.qlinear.values,
        magnitude: new Float64Array(t.qlinear.values.length),
        terms: c.spec.xShape[1],
      };
    },
    reseed: (c, seed) => ({ ...c, seed }),
    describe: (c) => describeQuantMatMulCase(c),
    coverage: (c) => coverageOfQuantMatMul('qlinearMatMul', c),
  },
  properties: { reference: [qlinearMatMulMatchesReference], relations: [], hygiene: [] },
});
