import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    // test/browser runs inside Chromium: npm run test:browser (vitest.browser.config.ts)
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reportsDirectory: 'reports/coverage',
      reporter: ['text-summary', 'json-summary', 'lcov', 'html'],
    },
  },
});
