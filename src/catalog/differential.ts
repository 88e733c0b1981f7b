/** Differential properties: the kernel agrees with the trusted reference. */
import {
  convAsGiven,
  convCases,
  coverageOf,
  defineProperty,
  denseCases,
  denseTensors,
  describeConvCase,
  describeDenseCase,
  judge,
  referenceConvExpectation,
  referenceDenseExpectation,
  regimes,
} from './property.js';

/** conv(x, w, b) agrees with the reference within the error bound (exactly in the exact regime). */
export const convMatchesReference = defineProperty({
  id: 'conv-matches-reference',
  statement: 'conv agrees with the float64 reference: exactly on exact-integer data, within 2·γ(n)·Σ|w·x|+2u|y| on float data, and NaN/±Inf propagate as IEEE-754 says',
  needs: ['conv'],
  arbitrary: (ctx) => convCases(ctx, regimes(ctx, true)),
  async check(k, c) {
    const { t, y } = await convAsGiven(k, c);
    judge('conv vs reference', k.precision, c.regime, y, referenceConvExpectation(t, c.spec.attrs, k.precision));
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});

/** dense(x, w, b) agrees with the reference. */
export const denseMatchesReference = defineProperty({
  id: 'dense-matches-reference',
  statement: 'dense (x·wᵀ + b, w in [M, K] layout) agrees with the float64 reference within the error bound, exactly on exact data, NaN/±Inf as IEEE-754 says',
  needs: ['dense'],
  arbitrary: (ctx) => denseCases(ctx, regimes(ctx, true)),
  async check(k, c) {
    const t = denseTensors(c);
    const y = await k.dense(t.x, t.w, t.b);
    judge('dense vs reference', k.precision, c.regime, y, referenceDenseExpectation(t, k.precision));
  },
  describe: (c) => describeDenseCase(c),
});
