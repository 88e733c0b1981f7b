/**
 * Built-in kernels in a browser page. Which built-ins run there, and how each is created, is the
 * built-in table's (`kernels/registry.ts`, `runs: 'browser'`); this file only adds what a page
 * bundle of a built-in adapter leaves out.
 */
import { type BuiltinKernelName, builtinKernel } from '../kernels/registry.js';

/** True for the built-in kernels that run in a browser page (`tfjs:webgl`, `tfjs:webgpu`, `onnxruntime:webgpu`). */
export function isBrowserKernelName(name: string): name is BuiltinKernelName {
  return builtinKernel(name)?.runs === 'browser';
}

/** Packages the page bundle of a built-in kernel leaves out (Node-only code paths of the adapters). */
export const BUILTIN_EXTERNALS: readonly string[] = ['onnxruntime-node', '@tensorflow/tfjs-backend-wasm'];
