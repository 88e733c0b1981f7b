/**
 * The vitest configuration StrykerJS runs (`npm run mutation`, stryker.config.mjs): only the test
 * files that exercise the mutated trust core, no coverage, no browser tests. Every mutant reruns
 * the tests that cover it, so this list is what makes a mutation run affordable (docs/mutation.md).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      // the bound, the error model and the judge
      'test/bound/error-bound-edges.test.ts',
      'test/property/judge.test.ts',
      'properties/error-bound.test.ts',
      // left out for time: properties/fast-judge.test.ts (30 s, covers nearly every mutant) and
      // properties/normwise-algorithms.test.ts (6 s); the files above pin what they check of these modules
      // geometry
      'test/geometry.test.ts',
      'test/operators/conv/semantics.test.ts',
      'test/operators/conv-transpose/conv-transpose.test.ts',
      'test/errors.test.ts',
      // FC ↔ conv conversions
      'test/fc-as-conv/conversions.test.ts',
      // seeds
      'test/runner/seed.test.ts',
      // the capability gate
      'test/capability-gate.test.ts',
      'test/capability-gate-boundaries.test.ts',
      'test/quantized.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
