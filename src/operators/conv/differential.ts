/** conv agrees with the trusted reference. */
import { defineProperty } from '../../property/definition.js';
import { judge } from '../../property/judge.js';
import { regimes } from '../../property/cases.js';
import { convAsGiven, convCases, coverageOf, describeConvCase, referenceConvExpectation } from './cases.js';

/** conv(x, w, b) agrees with the reference within the error bound (exactly in the exact regime). */
export const convMatchesReference = defineProperty({
  id: 'conv-matches-reference',
  statement:
    'conv agrees with the float64 reference: exactly on exact-integer data, within 2·γ(n)·Σ|w·x|+2u|y| on float data, and NaN/±Inf propagate as IEEE-754 says',
  needs: ['conv'],
  singleCall: true,
  walksPlan: true,
  arbitrary: (ctx) => convCases(ctx, regimes(ctx, true)),
  async check(k, c) {
    const { t, y } = await convAsGiven(k, c);
    judge('conv vs reference', k.numerics, c.regime, y, referenceConvExpectation(t, c.spec.attrs, k.numerics, c.regime));
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});
