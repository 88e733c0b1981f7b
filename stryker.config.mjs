// @ts-check
/**
 * Mutation testing of the trust core (docs/mutation.md): `npm run mutation` runs this, then
 * scripts/check-mutation.mjs checks the per-file scores.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: [
    'src/bound/error-bound.ts',
    'src/bound/error-model.ts',
    'src/geometry.ts',
    'src/operators/*/geometry.ts',
    'src/fc-as-conv/*.ts',
    'src/property/judge.ts',
    'src/runner/seed.ts',
    'src/capability-gate.ts',
  ],
  coverageAnalysis: 'perTest',
  // TypeScript 7 has no parseConfigFileTextToJson, which Stryker's tsconfig rewriting calls: point it at no file
  tsconfigFile: 'tsconfig.stryker-none.json',
  // the default would prepend // @ts-nocheck to every file, including the deliberately broken test/fixtures/kernels/syntax-error.mjs
  disableTypeChecks: false,
  // module-level constants (UNIT_ROUNDOFF, SUBNORMAL_ROUNDING, the Winograd matrices) cannot be switched per mutant;
  // test/bound/error-bound-edges.test.ts pins them by value and docs/mutation.md records the hand mutations
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  concurrency: 2,
  // a mutant that loops forever is stopped after 1.5 × its tests' time + 10 s
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: null },
};
export default config;
