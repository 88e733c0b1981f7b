/**
 * The one table of built-in kernel names. Every kernel is created by an async factory that
 * imports its module lazily, so the core (and the pure-JS kernels) work when the optional
 * adapter packages (tfjs, onnxruntime) are not installed.
 */
import type { KernelUnderTest } from '../contract.js';
import { ConvcheckError, KernelLoadError } from '../errors.js';

interface BuiltinEntry {
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** npm packages the kernel needs besides convcheck itself (named in the install hint). */
  readonly packages: readonly string[];
  readonly create: () => Promise<KernelUnderTest>;
}

const builtins = {
  'builtin:reference': {
    description: 'trusted float64 reference (direct loops, compensated sums)',
    packages: [],
    create: async () => (await import('./reference.js')).referenceKernel,
  },
  'builtin:im2col': {
    description: 'im2col + GEMM, float32 (the default)',
    packages: [],
    create: async () => (await import('./im2col.js')).im2colKernel,
  },
  'builtin:im2col64': {
    description: 'im2col + GEMM, float64',
    packages: [],
    create: async () => (await import('./im2col.js')).im2colKernel64,
  },
  'tfjs:cpu': {
    description: 'TensorFlow.js CPU backend',
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
    create: async () => (await import('../adapters/tfjs.js')).createTfjsKernel('cpu'),
  },
  'tfjs:wasm': {
    description: 'TensorFlow.js WASM backend (XNNPACK)',
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'],
    create: async () => (await import('../adapters/tfjs.js')).createTfjsKernel('wasm'),
  },
  'tfjs:webgl': {
    description: 'TensorFlow.js WebGL backend (runs in headless Chromium)',
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgl'],
    create: async () => (await import('../adapters/tfjs.js')).createTfjsKernel('webgl'),
  },
  'tfjs:webgpu': {
    description: 'TensorFlow.js WebGPU backend (runs in headless Chromium)',
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
    create: async () => (await import('../adapters/tfjs.js')).createTfjsKernel('webgpu'),
  },
  'onnxruntime:node': {
    description: 'onnxruntime-node (native CPU execution provider)',
    packages: ['onnxruntime-node'],
    create: async () => (await import('../adapters/onnxruntime.js')).createOnnxruntimeKernel('node'),
  },
  'onnxruntime:web': {
    description: 'onnxruntime-web (WASM execution provider)',
    packages: ['onnxruntime-web'],
    create: async () => (await import('../adapters/onnxruntime.js')).createOnnxruntimeKernel('web'),
  },
  'onnxruntime:webgpu': {
    description: 'onnxruntime-web, WebGPU execution provider (runs in headless Chromium)',
    packages: ['onnxruntime-web'],
    create: async () => (await import('../adapters/onnxruntime.js')).createOnnxruntimeKernel('webgpu'),
  },
  'onnxruntime:node-const': {
    description: 'onnxruntime-node, W and B as initializers (NCHWc, pre-packing)',
    packages: ['onnxruntime-node'],
    create: async () => (await import('../adapters/onnxruntime.js')).createOnnxruntimeKernel('node', { constantWeights: true }),
  },
  'onnxruntime:web-const': {
    description: 'onnxruntime-web, W and B as initializers',
    packages: ['onnxruntime-web'],
    create: async () => (await import('../adapters/onnxruntime.js')).createOnnxruntimeKernel('web', { constantWeights: true }),
  },
  'onnxruntime:node-fp16': {
    description: 'onnxruntime-node on a float16 model (float16 tensors, float32 accumulation)',
    packages: ['onnxruntime-node'],
    create: async () => (await import('../adapters/onnxruntime.js')).createOnnxruntimeKernel('node', { float16: true }),
  },
  'onnxruntime:web-fp16': {
    description: 'onnxruntime-web on a float16 model (float16 tensors, float32 accumulation)',
    packages: ['onnxruntime-web'],
    create: async () => (await import('../adapters/onnxruntime.js')).createOnnxruntimeKernel('web', { float16: true }),
  },
} as const satisfies Record<string, BuiltinEntry>;

/** A built-in kernel name such as `builtin:im2col` or `tfjs:wasm`. */
export type BuiltinKernelName = keyof typeof builtins;

/** Every built-in kernel name, in the order `--help` lists them. */
export const builtinKernelNames: readonly BuiltinKernelName[] = Object.keys(builtins) as BuiltinKernelName[];

/** The kernel the CLI verifies when `--kernel` is not given. */
export const defaultKernelName: BuiltinKernelName = 'builtin:im2col';

/** Built-in kernels that run in-process (pure JS, cannot hang the event loop by design). */
export const inProcessKernelNames: readonly BuiltinKernelName[] = ['builtin:reference', 'builtin:im2col', 'builtin:im2col64'];

/** True when `name` is a key of the built-in table. */
export function isBuiltinKernelName(name: string): name is BuiltinKernelName {
  return Object.prototype.hasOwnProperty.call(builtins, name);
}

/** The one-line description of a built-in kernel, for `--help`. */
export function describeBuiltinKernel(name: BuiltinKernelName): string {
  return builtins[name].description;
}

/**
 * Creates a built-in kernel by name. An unknown name, a missing optional package or a factory
 * that fails gives a `KernelLoadError` naming the kernel and what to do.
 * @example const k = await createBuiltinKernel('builtin:im2col');
 */
export async function createBuiltinKernel(name: string): Promise<KernelUnderTest> {
  if (!isBuiltinKernelName(name)) {
    throw new KernelLoadError(name, `unknown built-in kernel; known kernels: ${builtinKernelNames.join(', ')}`);
  }
  const entry: BuiltinEntry = builtins[name];
  try {
    return await entry.create();
  } catch (e) {
    throw kernelLoadErrorFor(name, entry.packages, e);
  }
}

/**
 * Turns an error thrown while creating a built-in kernel into a `KernelLoadError`. A module that
 * cannot be found is reported with the npm package to install (the one the error names when it
 * is one of the kernel's packages, otherwise all of them).
 */
export function kernelLoadErrorFor(name: string, packages: readonly string[], error: unknown): KernelLoadError {
  if (error instanceof KernelLoadError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
    const named = packages.filter((p) => missing !== undefined && (missing === p || missing.startsWith(`${p}/`)));
    const toInstall = named.length > 0 ? named : packages;
    if (toInstall.length > 0) {
      return new KernelLoadError(
        name,
        `optional package ${toInstall.join(' and ')} is not installed; run: npm install ${toInstall.join(' ')}`,
      );
    }
  }
  const what = error instanceof ConvcheckError ? message : `${error instanceof Error ? error.name : 'Error'}: ${message}`;
  return new KernelLoadError(name, `could not be created (${oneLine(what)})`);
}

/** Collapses a multi-line message into one line. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
