/**
 * Built-in kernels that run in a browser page: the page entry that creates each one. The
 * adapters themselves live in `src/adapters/` like every other; this table only says how a page
 * imports them.
 */

/** Built-in kernels that need a browser (WebGL / WebGPU). */
export const BROWSER_KERNELS = {
  'tfjs:webgl': { module: '../adapters/tfjs', call: "createTfjsKernel('webgl')" },
  'tfjs:webgpu': { module: '../adapters/tfjs', call: "createTfjsKernel('webgpu')" },
  'onnxruntime:webgpu': { module: '../adapters/onnxruntime', call: "createOnnxruntimeKernel('webgpu')" },
} as const;

/** A built-in kernel name that runs in the browser. */
export type BrowserKernelName = keyof typeof BROWSER_KERNELS;

/** True for `tfjs:webgl`, `tfjs:webgpu`, `onnxruntime:webgpu`. */
export function isBrowserKernelName(name: string): name is BrowserKernelName {
  return Object.prototype.hasOwnProperty.call(BROWSER_KERNELS, name);
}

/** Packages the page bundle of a built-in kernel leaves out (Node-only code paths of the adapters). */
export const BUILTIN_EXTERNALS: readonly string[] = ['onnxruntime-node', '@tensorflow/tfjs-backend-wasm'];
