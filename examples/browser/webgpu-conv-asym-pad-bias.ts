/**
 * Planted narrow GPU bug (conv.wgsl, BUG 6): the bias-fused variant reads W's end pad as its begin pad: wrong only with a bias and
 * different begin and end pads (the class of onnxruntime PR #15050).
 */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel({ narrowBug: 'asym-pad-bias' });
