/**
 * Planted narrow GPU bug (conv.wgsl, BUG 1): the tail of an output row is written as 2 columns + 1, and the "+ 1" is tested as
 * `count == 1`: the last output column is dropped only when the output width is ≡ 3 (mod 4).
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ narrowBug: 'vec4-tail' });
