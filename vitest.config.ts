import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    // *.browser.test.ts run inside Chromium: npm run test:browser (vitest.browser.config.ts)
    exclude: [...configDefaults.exclude, '**/*.browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // Two files never run in Node: esbuild bundles them into the kernel page (browser-kernel.ts)
      // and only Chromium executes them, so this Node process cannot measure them. They are
      // exercised in Chromium by test/browser/browser-kernel.test.ts (page runtime: load, calls, hang,
      // lost context, crash) and test/browser/kernel-coverage-browser.test.ts (the shader probe's variants).
      // Everything else stays in, child-process code (runner/kernel-process.ts) included, even
      // where vitest 4 cannot see it. See docs/architecture.md, "Tests and coverage".
      exclude: ['src/browser/page-runtime.ts', 'src/browser/shader-probe.ts'],
      reportsDirectory: 'reports/coverage',
      reporter: ['text-summary', 'json-summary', 'lcov', 'html'],
    },
  },
});
