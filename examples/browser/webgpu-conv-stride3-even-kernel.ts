/**
 * Planted narrow GPU bug (conv.wgsl, BUG 2): the stride-3 path finds a window's start from its centre with `k/2` where `(k−1)/2`
 * belongs: the input index is off by one only for stride 3 with an even kernel width.
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ narrowBug: 'stride3-even-kernel' });
