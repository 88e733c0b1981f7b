/**
 * Planted GPU bug: the dispatch rounds the workgroup count down (`floor(total / 64)` instead of
 * `ceil`), so the outputs of the last, partial workgroup are never written. convcheck must fail
 * it with a small counterexample (an output count that is not a multiple of 64).
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ bug: 'dropped-tail' });
