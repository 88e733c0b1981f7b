/**
 * `describeKernel` in vitest browser mode: the catalog, in the page, against the hand-written
 * WebGPU kernel of examples/browser — the way a user puts convcheck into a browser test suite.
 */
import { describeKernel } from '../../src/runner/describe-kernel.js';
import { createWebGpuConvKernel } from '../../examples/browser/webgpu-conv-kernel.js';

describeKernel(await createWebGpuConvKernel(), {
  runs: 20,
  seed: 7,
  shapeBudget: 4,
  properties: [
    'conv-matches-reference',
    'dense-matches-reference',
    'linear-equals-1x1-conv',
    'explicit-padding',
    'group-concat',
    'deterministic',
  ],
  timeoutMs: 30_000,
});
