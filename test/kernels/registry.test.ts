/** The built-in kernel registry: names, descriptions and the errors of kernels that cannot be created. */
import { describe, expect, it } from 'vitest';
import { ConvcheckError, KernelLoadError } from '../../src/errors.js';
import {
  builtinKernelNames,
  createBuiltinKernel,
  defaultKernelName,
  describeBuiltinKernel,
  inProcessKernelNames,
  isBuiltinKernelName,
  kernelLoadErrorFor,
} from '../../src/kernels/registry.js';

describe('registry', () => {
  it('lists every kernel with a description; the default and in-process kernels are among them', () => {
    expect(builtinKernelNames).toContain(defaultKernelName);
    for (const n of inProcessKernelNames) expect(builtinKernelNames).toContain(n);
    for (const n of builtinKernelNames) expect(describeBuiltinKernel(n).length).toBeGreaterThan(5);
    expect(describeBuiltinKernel('builtin:im2col')).toMatch(/float32/);
    expect(isBuiltinKernelName('builtin:reference')).toBe(true);
    expect(isBuiltinKernelName('toString')).toBe(false);
  });

  it('creates the tfjs CPU adapter through its lazy factory', async () => {
    const k = await createBuiltinKernel('tfjs:cpu');
    expect(k.precision).toBe('float32');
    expect(typeof k.conv).toBe('function');
  });

  it('an unknown name is a KernelLoadError listing the known kernels', async () => {
    const e = await createBuiltinKernel('builtin:nope').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KernelLoadError);
    expect((e as KernelLoadError).message).toBe(`builtin:nope: unknown built-in kernel; known kernels: ${builtinKernelNames.join(', ')}`);
  });
});

describe('kernelLoadErrorFor', () => {
  const notFound = (what: string) =>
    Object.assign(new Error(`Cannot find package '${what}' imported from /x.js`), { code: 'ERR_MODULE_NOT_FOUND' });

  it('passes a KernelLoadError through unchanged', () => {
    const e = new KernelLoadError('k', 'already explained');
    expect(kernelLoadErrorFor('tfjs:cpu', [], e)).toBe(e);
  });

  it('names only the missing package when the error names one of the kernel packages (or a subpath)', () => {
    const pkgs = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'];
    expect(kernelLoadErrorFor('tfjs:cpu', pkgs, notFound('@tensorflow/tfjs-backend-cpu')).message).toBe(
      'tfjs:cpu: optional package @tensorflow/tfjs-backend-cpu is not installed; run: npm install @tensorflow/tfjs-backend-cpu',
    );
    expect(kernelLoadErrorFor('tfjs:cpu', pkgs, notFound('@tensorflow/tfjs-core/dist/x.js')).message).toMatch(
      /optional package @tensorflow\/tfjs-core is not installed; run: npm install @tensorflow\/tfjs-core$/,
    );
  });

  it('names all the packages when the missing module is another one (CommonJS code too)', () => {
    const e = Object.assign(new Error("Cannot find module 'long'"), { code: 'MODULE_NOT_FOUND' });
    expect(kernelLoadErrorFor('onnxruntime:node', ['onnxruntime-node', 'x'], e).message).toMatch(
      /optional package onnxruntime-node and x is not installed; run: npm install onnxruntime-node x/,
    );
    const unnamed = Object.assign(new Error('no such thing'), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(kernelLoadErrorFor('tfjs:wasm', ['a'], unnamed).message).toMatch(/optional package a is not installed/);
  });

  it('a missing module with no packages to install, or any other error, is "could not be created"', () => {
    expect(kernelLoadErrorFor('builtin:im2col', [], notFound('zzz')).message).toMatch(
      /^builtin:im2col: could not be created \(Error: Cannot find package 'zzz'/,
    );
    expect(kernelLoadErrorFor('k', [], new ConvcheckError('E', 'already\n  convcheck-worded')).message).toBe(
      'k: could not be created (already convcheck-worded)',
    );
    expect(kernelLoadErrorFor('k', [], 'a string')).toBeInstanceOf(KernelLoadError);
    expect(kernelLoadErrorFor('k', [], 'a string').message).toBe('k: could not be created (Error: a string)');
    expect(kernelLoadErrorFor('k', [], null).message).toBe('k: could not be created (Error: null)');
  });
});
