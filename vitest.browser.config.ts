/**
 * Vitest browser mode: the *.browser.test.ts files under test/browser run inside headless Chromium (WebGL, WebGPU),
 * the same system Chromium and flags as `convcheck verify --browser` (see src/browser/launch.ts).
 * Run with `npm run test:browser`. A user's own config is the same four lines — see the README,
 * "GPU and browser kernels".
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { findChromium } from './src/browser/find-chromium.js';
import { CHROMIUM_FLAGS } from './src/browser/launch.js';
import { nodeBuiltinStubs } from './src/browser/vitest-plugin.js';

export default defineConfig({
  // convcheck's runner imports node:* modules it never calls in the page; see vitest-plugin.ts.
  plugins: [nodeBuiltinStubs()],
  // onnxruntime-web finds its .wasm next to its own module: keep it out of Vite's pre-bundling.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: findChromium(), args: [...CHROMIUM_FLAGS] } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
