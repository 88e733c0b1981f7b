/** The `qlinearConv` operator (ONNX `QLinearConv`): one unit, registered once in `../table.ts`. */
import { defineOperator } from '../operator.js';
import type { IntegerConvAttributes } from '../conv-integer/contract.js';
import type { QuantConvCase } from '../conv-integer/cases.js';
import { coverageOfQuantConv, describeQuantConvCase, quantConvCases, quantConvTensors, runQLinearConv } from '../conv-integer/cases.js';
import { qlinearConvMatchesFloat, qlinearConvMatchesReference, qlinearConvSaturates } from './properties.js';
import { referenceQLinearConv } from './reference.js';
import type { TypedTensor } from '../../quantized.js';

/** qlinearConv: quantized x, w, y with scales and zero points, int32 bias → y of y_zp's type. */
export const qlinearConv = defineOperator<QuantConvCase>({
  name: 'qlinearConv',
  description:
    'ONNX QLinearConv: x u8/s8 [N, C, D1..Dn] (scale, zp), w u8/s8 [M, C/group, k…] (scale, zp per tensor or [M]), y scale/zp, int32 B [M] → y [N, M, O1..On]',
  inputs: ['x', 'xScale', 'xZeroPoint', 'w', 'wScale', 'wZeroPoint', 'yScale', 'yZeroPoint', 'b'],
  fusesActivation: false,
  kernelMethod: (
    x: TypedTensor,
    xScale: TypedTensor,
    xZeroPoint: TypedTensor,
    w: TypedTensor,
    wScale: TypedTensor,
    wZeroPoint: TypedTensor,
    yScale: TypedTensor,
    yZeroPoint: TypedTensor,
    b: TypedTensor | undefined,
    attrs: IntegerConvAttributes,
  ) => referenceQLinearConv(x, xScale, xZeroPoint, w, wScale, wZeroPoint, yScale, yZeroPoint, b, attrs),
  cases: {
    arbitrary: (ctx) => quantConvCases(ctx, { operators: ['qlinearConv'] }),
    async run(k, c) {
      const t = quantConvTensors(c);
      return { y: await runQLinearConv(k, t, c.spec.attrs), shape: t.g.outputShape };
    },
    expect: (c) => {
      const t = quantConvTensors(c);
      return {
        shape: t.g.outputShape,
        values: t.qlinear.values,
        magnitude: new Float64Array(t.qlinear.values.length),
        terms: t.g.reductionLength,
      };
    },
    reseed: (c, seed) => ({ ...c, seed }),
    describe: (c) => describeQuantConvCase(c, c.spec.hasBias),
    coverage: (c) => coverageOfQuantConv('qlinearConv', c, c.spec.hasBias),
  },
  properties: { reference: [qlinearConvMatchesReference, qlinearConvMatchesFloat], relations: [qlinearConvSaturates], hygiene: [] },
});
