/** `matMulInteger` equals the exact int32 product bit for bit. */
import { defineProperty } from '../../property/definition.js';
import { judgeIntegers } from '../../property/quantized-judge.js';
import { coverageOfQuantMatMul, describeQuantMatMulCase, quantMatMulCases, quantMatMulTensors, runMatMulInteger } from './cases.js';

/** matMulInteger equals Σ(a − a_zp)(b − b_zp[m]) bit for bit. */
export const matMulIntegerMatchesReference = defineProperty({
  id: 'matmul-integer-matches-reference',
  statement: 'matMulInteger (ONNX MatMulInteger, a [N, K], b [K, M]) equals the exact int32 Σ_k (a − a_zp)(b − b_zp[m]) bit for bit',
  needs: ['matMulInteger'],
  singleCall: true,
  walksPlan: true,
  arbitrary: (ctx) => quantMatMulCases(ctx, { operators: ['matMulInteger'] }),
  async check(k, c) {
    const t = quantMatMulTensors(c);
    judgeIntegers('matMulInteger vs exact reference', await runMatMulInteger(k, t.a, t.b, t.aZeroPoint, t.bZeroPoint), t.integer);
  },
  describe: (c) => describeQuantMatMulCase(c),
  coverage: (c) => coverageOfQuantMatMul('matMulInteger', c),
});
