/**
 * The one table of built-in kernels: each name, where it runs, how it is created and the optional
 * packages it needs. The CLI (`openKernel`), the module loader, the browser page
 * (`browser/builtins.ts`), `describeKernel` and `--help` all read it, so adding a built-in adapter
 * is its own file plus one line here. Every kernel is created by importing its module lazily, so
 * the core (and the pure-JS kernels) work when the optional adapter packages (tfjs, onnxruntime)
 * are not installed.
 */
import type { KernelUnderTest } from '../contract.js';
import { ConvcheckError, KernelLoadError } from '../errors.js';

/**
 * Where a built-in kernel runs: `in-process` in the caller's process (pure JS that gives the event
 * loop its turns), `own-process` in a child process of its own (an adapter may block in native
 * code or never return), `browser` in a headless Chromium page (WebGL, WebGPU).
 */
export type KernelPlace = 'in-process' | 'own-process' | 'browser';

/**
 * How a built-in kernel is created: `[module, exported, ...args]` — the module (a path under
 * `src/`, without extension) and its export: a kernel, or a factory called with `args` (plain
 * JSON values, so a browser page can make the same call from its generated entry).
 */
export type KernelRecipe = readonly [module: string, exported: string, ...args: ReadonlyArray<RecipeArgument>];

/** An argument of a kernel factory: a JSON value. */
type RecipeArgument = string | number | boolean | Readonly<Record<string, string | number | boolean>>;

/** One built-in kernel. */
export interface BuiltinKernel {
  readonly runs: KernelPlace;
  readonly create: KernelRecipe;
  /** npm packages the kernel needs besides convcheck itself (named in the install hint). */
  readonly packages: readonly string[];
  /** One line for `--help` and error messages. */
  readonly description: string;
}

const TFJS = '@tensorflow/tfjs-core';

// biome-ignore format: one line per kernel
const builtins = {
  'builtin:reference': { runs: 'in-process', create: ['kernels/reference', 'referenceKernel'], packages: [], description: 'trusted float64 reference (direct loops, compensated sums)' },
  'builtin:im2col': { runs: 'in-process', create: ['kernels/im2col', 'im2colKernel'], packages: [], description: 'im2col + GEMM, float32 (the default)' },
  'builtin:im2col64': { runs: 'in-process', create: ['kernels/im2col', 'im2colKernel64'], packages: [], description: 'im2col + GEMM, float64' },
  'tfjs:cpu': { runs: 'own-process', create: ['adapters/tfjs', 'createTfjsKernel', 'cpu'], packages: [TFJS, '@tensorflow/tfjs-backend-cpu'], description: 'TensorFlow.js CPU backend' },
  'tfjs:wasm': { runs: 'own-process', create: ['adapters/tfjs', 'createTfjsKernel', 'wasm'], packages: [TFJS, '@tensorflow/tfjs-backend-wasm'], description: 'TensorFlow.js WASM backend (XNNPACK)' },
  'tfjs:webgl': { runs: 'browser', create: ['adapters/tfjs', 'createTfjsKernel', 'webgl'], packages: [TFJS, '@tensorflow/tfjs-backend-webgl'], description: 'TensorFlow.js WebGL backend (runs in headless Chromium)' },
  'tfjs:webgpu': { runs: 'browser', create: ['adapters/tfjs', 'createTfjsKernel', 'webgpu'], packages: [TFJS, '@tensorflow/tfjs-backend-webgpu'], description: 'TensorFlow.js WebGPU backend (runs in headless Chromium)' },
  'onnxruntime:node': { runs: 'own-process', create: ['adapters/onnxruntime', 'createOnnxruntimeKernel', 'node'], packages: ['onnxruntime-node'], description: 'onnxruntime-node (native CPU execution provider)' },
  'onnxruntime:web': { runs: 'own-process', create: ['adapters/onnxruntime', 'createOnnxruntimeKernel', 'web'], packages: ['onnxruntime-web'], description: 'onnxruntime-web (WASM execution provider)' },
  'onnxruntime:webgpu': { runs: 'browser', create: ['adapters/onnxruntime', 'createOnnxruntimeKernel', 'webgpu'], packages: ['onnxruntime-web'], description: 'onnxruntime-web, WebGPU execution provider (runs in headless Chromium)' },
  'onnxruntime:node-const': { runs: 'own-process', create: ['adapters/onnxruntime', 'createOnnxruntimeKernel', 'node', { constantWeights: true }], packages: ['onnxruntime-node'], description: 'onnxruntime-node, W and B as initializers (NCHWc, pre-packing)' },
  'onnxruntime:web-const': { runs: 'own-process', create: ['adapters/onnxruntime', 'createOnnxruntimeKernel', 'web', { constantWeights: true }], packages: ['onnxruntime-web'], description: 'onnxruntime-web, W and B as initializers' },
  'onnxruntime:node-fp16': { runs: 'own-process', create: ['adapters/onnxruntime', 'createOnnxruntimeKernel', 'node', { float16: true }], packages: ['onnxruntime-node'], description: 'onnxruntime-node on a float16 model (float16 tensors, float32 accumulation)' },
  'onnxruntime:web-fp16': { runs: 'own-process', create: ['adapters/onnxruntime', 'createOnnxruntimeKernel', 'web', { float16: true }], packages: ['onnxruntime-web'], description: 'onnxruntime-web on a float16 model (float16 tensors, float32 accumulation)' },
} as const satisfies Record<string, BuiltinKernel>;

/** A built-in kernel name such as `builtin:im2col` or `tfjs:wasm`. */
export type BuiltinKernelName = keyof typeof builtins;

/** Every built-in kernel name, in the order `--help` lists them. */
export const builtinKernelNames: readonly BuiltinKernelName[] = Object.keys(builtins) as BuiltinKernelName[];

/** The kernel the CLI verifies when `--kernel` is not given. */
export const defaultKernelName: BuiltinKernelName = 'builtin:im2col';

/** Built-in kernels that run in-process (pure JS, cannot hang the event loop by design). */
export const inProcessKernelNames: readonly BuiltinKernelName[] = builtinKernelNames.filter((n) => builtins[n].runs === 'in-process');

/** The table entry of a built-in kernel, or undefined for any other spec (a module path). */
export function builtinKernel(name: string): BuiltinKernel | undefined {
  return isBuiltinKernelName(name) ? builtins[name] : undefined;
}

/** True when `name` is a key of the built-in table. */
export function isBuiltinKernelName(name: string): name is BuiltinKernelName {
  return Object.hasOwn(builtins, name);
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
  const entry: BuiltinKernel = builtins[name];
  try {
    const [module, exported, ...args] = entry.create;
    // the module next to this one's folder: .js from dist/, mapped to .ts by tsx from source
    const m = (await import(new URL(`../${module}.js`, import.meta.url).href)) as Record<string, unknown>;
    const made = m[exported];
    return (typeof made === 'function' ? await made(...args) : made) as KernelUnderTest;
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
