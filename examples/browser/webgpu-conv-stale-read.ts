/**
 * Planted GPU bug: the result is read back before the copy into the staging buffer is submitted,
 * so each call returns what the previous call of the same size left there (zeros the first time).
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ bug: 'stale-read' });
