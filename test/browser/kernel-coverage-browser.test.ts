/**
 * Kernel coverage of a browser kernel (`--coverage --browser`): the hand-written WebGPU kernel
 * (examples/browser/webgpu-conv.ts) in headless Chromium — block coverage of its TypeScript
 * files taken over the DevTools protocol and mapped back through the bundle's source map, its
 * one WGSL program counted as one shader variant with the call shapes that used it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBrowserKernel } from '../../src/browser/browser-kernel.js';
import { verifyKernel } from '../../src/runner/verify.js';

const KERNEL_FILE = 'examples/browser/webgpu-conv-kernel.ts';
/** The planted dropped-tail bug's branch: never taken by the correct kernel. */
const DROPPED_TAIL_LINE =
  readFileSync(KERNEL_FILE, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes("options.bug === 'dropped-tail' ? Math.floor")) + 1;
// the line must exist, or the assertion below would look for line 0
if (DROPPED_TAIL_LINE === 0) throw new Error(`${KERNEL_FILE} no longer has the dropped-tail branch this test looks for`);

describe('--coverage of a browser kernel', () => {
  it('webgpu-conv.ts: its files, the dropped-tail branch never reached, one WGSL variant with the shapes that used it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-kcov-browser-'));
    const k = await createBrowserKernel('examples/browser/webgpu-conv.ts', { timeoutMs: 30_000, coverage: {} });
    try {
      const report = await verifyKernel(k, {
        runs: 4,
        seed: 2,
        properties: ['conv-matches-reference'],
        shapeBudget: 2,
        // exactly the two budgeted shapes: random shapes (no plan) and no numerics-probe calls
        shapePlan: 'off',
        probeNumerics: false,
        coverage: { outputDir: join(dir, 'kernel-coverage') },
      });
      const kc = report.kernelCoverage!;
      expect(report.status).toBe('passed');
      // the module, its kernel, and the planted-bug table the kernel imports (examples/narrow-bugs.ts)
      expect(kc.files.map((f) => f.path)).toEqual([
        'examples/browser/webgpu-conv-kernel.ts',
        'examples/browser/webgpu-conv.ts',
        'examples/narrow-bugs.ts',
      ]);
      expect(kc.unreachedBranches).toContainEqual({
        path: KERNEL_FILE,
        line: DROPPED_TAIL_LINE,
        what: 'Math.floor(invocations / WORKGROUP)',
      });
      // one pipeline serves every shape: one variant, reached by both shapes the budget allows
      expect(kc.shaderVariants).toHaveLength(1);
      const [v] = kc.shaderVariants;
      expect(v.kind).toBe('wgsl');
      expect(v.shapeCount).toBe(2);
      expect(v.shapes.every((s) => s.startsWith('conv ['))).toBe(true);
      expect(readFileSync(join(dir, 'kernel-coverage', 'shaders', `${v.key}.wgsl`), 'utf8')).toBe(
        readFileSync('examples/browser/conv.wgsl', 'utf8'),
      );
      expect(existsSync(join(dir, 'kernel-coverage', 'index.html'))).toBe(true);
      expect(readFileSync(join(dir, 'kernel-coverage', 'lcov.info'), 'utf8')).toMatch(/SF:.*webgpu-conv-kernel\.ts/);
    } finally {
      await k.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
