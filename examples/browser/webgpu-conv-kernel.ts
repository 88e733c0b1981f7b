/// <reference types="@webgpu/types" />
/**
 * A convolution written by hand for WebGPU — one WGSL compute shader (`conv.wgsl`, fetched next
 * to this module), no library — behind the `KernelUnderTest` contract. Runs in the browser:
 *
 *     npx convcheck verify --kernel examples/browser/webgpu-conv.ts --browser
 *
 * `createWebGpuConvKernel({ bug })` also builds planted GPU bugs of the kinds GPU kernels really
 * have: two in the host code (webgpu-conv-dropped-tail.ts, webgpu-conv-stale-read.ts) and six
 * narrow ones in the shader, each showing only where two parameter classes meet (`narrowBug`,
 * webgpu-conv-<bug>.ts; `../narrow-bugs.ts` runs the same shader algorithm in Node).
 */
import type { ConvAttributes, KernelUnderTest, Tensor } from '../../src/index.js';
import type { NarrowBug } from '../narrow-bugs.js';
import { bugNumber, convParams, denseParams } from '../narrow-bugs.js';

/** A planted bug, or none. */
export type PlantedGpuBug =
  /** The dispatch rounds the workgroup count down: the last partial workgroup's outputs are never written. */
  | 'dropped-tail'
  /** The result is read from the staging buffer before this call's copy into it was submitted: it holds the previous result. */
  | 'stale-read';

const WORKGROUP = 64;
const MAX_GROUPS_PER_DIM = 65_535;

function f32(data: Float32Array | Float64Array): Float32Array {
  return data instanceof Float32Array ? data : new Float32Array(data);
}

/** Creates the kernel: one adapter, one device, one pipeline for every shape. */
export async function createWebGpuConvKernel(options: { bug?: PlantedGpuBug; narrowBug?: NarrowBug; name?: string } = {}): Promise<KernelUnderTest> {
  const gpu = navigator.gpu;
  if (!gpu) throw new Error('WebGPU is not available (navigator.gpu is undefined)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const device = await adapter.requestDevice();
  const text = await (await fetch(new URL('./conv.wgsl', import.meta.url))).text();
  // the shader's BUG constant selects a planted narrow bug (0: none)
  const source = text.replace('const BUG: u32 = 0u;', `const BUG: u32 = ${bugNumber(options.narrowBug)}u;`);
  const module = device.createShaderModule({ code: source });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  // Staging buffers kept per size across calls (what makes the stale-read bug possible).
  const staging = new Map<number, GPUBuffer>();

  const storage = (data: ArrayBufferView & { byteLength: number }, usage = GPUBufferUsage.STORAGE) => {
    const buffer = device.createBuffer({ size: Math.max(4, Math.ceil(data.byteLength / 4) * 4), usage: usage | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  };

  /** Runs the shader on rank-3 lifted shapes; returns the output values. */
  async function run(x: Float32Array, w: Float32Array, b: Float32Array | undefined, params: Uint32Array): Promise<Float32Array> {
    const invocations = params[0];
    // outputs: N·M·oD·oH·oW
    const total = params[1] * params[3] * params[12] * params[13] * params[14];
    const bytes = Math.max(4, total * 4);
    const buffers = [storage(x), storage(w), storage(b ?? new Float32Array(1))];
    const out = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const p = storage(params);
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [...buffers, out, p].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    let read = staging.get(bytes);
    if (!read) {
      read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      staging.set(bytes, read);
    }
    const groups = options.bug === 'dropped-tail' ? Math.floor(invocations / WORKGROUP) : Math.ceil(invocations / WORKGROUP);
    const gx = Math.min(groups, MAX_GROUPS_PER_DIM);
    const gy = Math.ceil(groups / MAX_GROUPS_PER_DIM);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    if (groups > 0) pass.dispatchWorkgroups(gx, gy);
    pass.end();
    encoder.copyBufferToBuffer(out, 0, read, 0, bytes);
    let result: Float32Array;
    if (options.bug === 'stale-read') {
      // BUG: maps and reads the staging buffer first, then submits the work that fills it.
      await read.mapAsync(GPUMapMode.READ);
      result = new Float32Array(read.getMappedRange().slice(0, total * 4));
      read.unmap();
      device.queue.submit([encoder.finish()]);
    } else {
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      result = new Float32Array(read.getMappedRange().slice(0, total * 4));
      read.unmap();
    }
    for (const buffer of [...buffers, out, p]) buffer.destroy();
    return result;
  }

  return {
    name: options.name ?? `webgpu-wgsl-conv${options.bug ? `-${options.bug}` : ''}${options.narrowBug ? `-${options.narrowBug}` : ''}`,
    precision: 'float32',
    capabilities: { spatialRanks: [1, 2, 3], group: true, dilation: true, strideWithDilation: true, asymmetricPads: true, specialValues: true },
    async conv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Promise<Tensor> {
      // rank-3-lifted shapes; one invocation per 4 output columns (see conv.wgsl)
      const { params, shape } = convParams(x, w, b, attrs);
      const data = await run(f32(x.data), f32(w.data), b && f32(b.data), new Uint32Array(params));
      return { shape, data };
    },
    async dense(x: Tensor, w: Tensor, b: Tensor | undefined): Promise<Tensor> {
      // Gemm(transB=1) is a 1×1×1 conv with K input channels on a 1×1×1 image.
      return { shape: [x.shape[0], w.shape[0]], data: await run(f32(x.data), f32(w.data), b && f32(b.data), new Uint32Array(denseParams(x, w, b))) };
    },
  };
}
