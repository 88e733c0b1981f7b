/**
 * Planted narrow GPU bug (conv.wgsl, BUG 3): the reduction runs in tiles of 32 taps and its remainder loop sits in the short-reduction
 * branch: the remainder is skipped only when (C/group)·∏k > 64 (and not a multiple of 32).
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ narrowBug: 'reduction-remainder' });
