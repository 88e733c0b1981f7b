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
      reportsDirectory: 'reports/coverage',
      reporter: ['text-summary', 'json-summary', 'lcov', 'html'],
    },
  },
});
