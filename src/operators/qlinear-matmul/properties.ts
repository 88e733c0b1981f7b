/** `qlinearMatMul` equals the exact requantized product, ±1 only inside the requantization window. */
import { defineProperty } from '../../property/definition.js';
import { judgeIntegers } from '../../property/quantized-judge.js';
import {
  coverageOfQuantMatMul,
  describeQuantMatMulCase,
  quantMatMulCases,
  quantMatMulTensors,
  runQLinearMatMul,
} from '../matmul-integer/cases.js';

/** qlinearMatMul vs the exact reference. */
export const qlinearMatMulMatchesReference = defineProperty({
  id: 'qlinear-matmul-matches-reference',
  statement:
    'qlinearMatMul (ONNX QLinearMatMul) equals saturate(round_half_even(acc·a_scale·b_scale[m]/y_scale) + y_zp) of the exact int32 acc, ±1 only where the exact value lies within γ_k of a tie',
  needs: ['qlinearMatMul'],
  singleCall: true,
  walksPlan: true,
  arbitrary: (ctx) => quantMatMulCases(ctx, { operators: ['qlinearMatMul'] }),
  async check(k, c) {
    const t = quantMatMulTensors(c);
    judgeIntegers('qlinearMatMul vs exact reference', await runQLinearMatMul(k, t), t.qlinear);
  },
  describe: (c) => describeQuantMatMulCase(c),
  coverage: (c) => coverageOfQuantMatMul('qlinearMatMul', c),
});
