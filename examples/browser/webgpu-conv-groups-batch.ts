/**
 * Planted narrow GPU bug (conv.wgsl, BUG 4): x's batch stride is computed from w's channel dimension (C/group) instead of C: grouped
 * convs are wrong only when the batch is ≥ 2.
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ narrowBug: 'groups-batch' });
