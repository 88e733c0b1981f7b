/**
 * Planted narrow GPU bug (conv.wgsl, BUG 5): the depthwise path's input tile holds windows of dilation ≤ 2, so the W dilation is
 * clamped to 2: wrong only for depthwise convs with dilation 3 or 4 (the class of tfjs#5378).
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ narrowBug: 'depthwise-dilated' });
