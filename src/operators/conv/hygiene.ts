/** conv returns the ONNX output shape (the guarded call checks it on every call; this property names it). */
import fc from 'fast-check';
import { defineProperty } from '../../property/definition.js';
import { convAsGiven, convCases, coverageOf, describeConvCase } from './cases.js';

/** Output shape is [N, M, floor((D + pb + pe − eff)/s) + 1, …]. */
export const outputShape = defineProperty({
  id: 'output-shape',
  statement: 'conv returns shape [N, M, O1..On] with O = floor((D + pad_begin + pad_end − (d·(k−1)+1)) / s) + 1, and dense returns [N, M]',
  needs: ['conv'],
  singleCall: true,
  arbitrary: (ctx) => convCases(ctx, fc.constant('exact' as const), {}),
  async check(k, c) {
    // the guarded call raises wrong-shape / wrong-type with both shapes in the message
    await convAsGiven(k, c);
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});
