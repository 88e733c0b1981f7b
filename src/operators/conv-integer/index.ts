/** The `convInteger` operator (ONNX `ConvInteger`): one unit, registered once in `../table.ts`. */
import { defineOperator } from '../operator.js';
import type { IntegerConvAttributes } from './contract.js';
import type { QuantConvCase } from './cases.js';
import { coverageOfQuantConv, describeQuantConvCase, quantConvCases, quantConvTensors, runConvInteger } from './cases.js';
import { convIntegerMatchesReference, zeroPointShift } from './properties.js';
import { referenceConvInteger } from './reference.js';
import type { TypedTensor } from '../../quantized.js';

/** convInteger: x `[N, C, D1..Dn]` u8/s8, w `[M, C/group, k…]` u8/s8, zero points → int32 `[N, M, O1..On]`. */
export const convInteger = defineOperator<QuantConvCase>({
  name: 'convInteger',
  description:
    'ONNX ConvInteger: x [N, C, D1..Dn] u8/s8, w [M, C/group, k1..kn] u8/s8, x_zp, w_zp (scalar or [M]) → int32 [N, M, O1..On], exact',
  inputs: ['x', 'w', 'xZeroPoint', 'wZeroPoint'],
  fusesActivation: false,
  kernelMethod: (
    x: TypedTensor,
    w: TypedTensor,
    xZeroPoint: TypedTensor | undefined,
    wZeroPoint: TypedTensor | undefined,
    attrs: IntegerConvAttributes,
  ) => referenceConvInteger(x, w, xZeroPoint, wZeroPoint, attrs),
  cases: {
    arbitrary: (ctx) => quantConvCases(ctx, { operators: ['convInteger'] }),
    async run(k, c) {
      const t = quantConvTensors(c);
      return { y: await runConvInteger(k, t.x, t.w, t.xZeroPoint, t.wZeroPoint, c.spec.attrs, t.g.outputShape), shape: t.g.outputShape };
    },
    expect: (c) => {
      const t = quantConvTensors(c);
      return {
        shape: t.g.outputShape,
        values: t.integer.values,
        magnitude: new Float64Array(t.integer.values.length),
        terms: t.g.reductionLength,
      };
    },
    reseed: (c, seed) => ({ ...c, seed }),
    describe: (c) => describeQuantConvCase(c, false),
    coverage: (c) => coverageOfQuantConv('convInteger', c, false),
  },
  properties: { reference: [convIntegerMatchesReference], relations: [zeroPointShift], hygiene: [] },
});
