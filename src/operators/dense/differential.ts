/** dense agrees with the trusted reference. */
import { defineProperty } from '../../property/definition.js';
import { judge } from '../../property/judge.js';
import { regimes } from '../../property/cases.js';
import { coverageOfDense, denseCases, denseTensors, describeDenseCase, referenceDenseExpectation, runDense } from './cases.js';

/** dense(x, w, b) agrees with the reference. */
export const denseMatchesReference = defineProperty({
  id: 'dense-matches-reference',
  statement:
    'dense (x·wᵀ + b, w in [M, K] layout) agrees with the float64 reference within the error bound, exactly on exact data, NaN/±Inf as IEEE-754 says',
  needs: ['dense'],
  singleCall: true,
  walksPlan: true,
  arbitrary: (ctx) => denseCases(ctx, regimes(ctx, true)),
  async check(k, c) {
    const t = denseTensors(c, 1, k.precision);
    const y = await runDense(k, t.x, t.w, t.b);
    judge('dense vs reference', k.numerics, c.regime, y, referenceDenseExpectation(t, k.precision));
  },
  describe: (c) => describeDenseCase(c),
  coverage: (c) => coverageOfDense(c.spec),
});
