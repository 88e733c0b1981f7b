/** The hand-written WebGPU convolution (see webgpu-conv-kernel.ts): `--kernel examples/browser/webgpu-conv.ts --browser`. */
import { createWebGpuConvKernel } from './webgpu-conv-kernel.js';

export default () => createWebGpuConvKernel();
