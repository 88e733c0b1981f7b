/**
 * Loads the kernel named on the command line: a built-in name (`builtin:im2col`, `tfjs:wasm`, …)
 * or a module path (.js, .mjs, .cjs, .ts, .mts, .cts) whose default export is a
 * `KernelUnderTest`, or a (possibly async) function returning one. Every failure is a
 * `KernelLoadError` with one line naming the file and what is wrong.
 */
import { spawnSync } from 'node:child_process';
import { numericFieldsProblem } from '../bound/error-model.js';
import { stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KernelUnderTest } from '../contract.js';
import type { KernelCapabilities } from '../capabilities.js';
import { capabilityProblem } from '../capabilities.js';
import { KernelLoadError } from '../errors.js';
import { operatorNames } from '../operators/index.js';
import { builtinKernelNames, createBuiltinKernel, isBuiltinKernelName } from './registry.js';

/** Options of `loadKernel`. */
export interface LoadKernelOptions {
  /** Directory relative module paths are resolved against; default `process.cwd()`. */
  readonly cwd?: string;
}

const JS_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

/** True when `spec` names a kernel by `family:variant` rather than by a file path. */
export function looksLikeKernelName(spec: string): boolean {
  // `C:\kernels\k.js` is a Windows path, not a name: names have a prefix of 2+ letters and no slash.
  return /^[a-z][a-z0-9-]+:[a-z0-9-]+$/i.test(spec);
}

/**
 * Loads a kernel from a built-in name or a module path (relative paths resolve against the cwd).
 * @example const kernel = await loadKernel('./my-kernel.ts');
 */
export async function loadKernel(spec: string, options: LoadKernelOptions = {}): Promise<KernelUnderTest> {
  if (isBuiltinKernelName(spec)) return createBuiltinKernel(spec);
  if (spec.trim() === '') throw new KernelLoadError('--kernel', 'kernel spec is empty; give a built-in name or a module path');
  if (looksLikeKernelName(spec)) {
    throw new KernelLoadError(spec, `unknown built-in kernel; known kernels: ${builtinKernelNames.join(', ')}`);
  }
  return loadKernelModule(spec, options.cwd ?? process.cwd());
}

/** Imports a kernel module and validates its default export. */
async function loadKernelModule(spec: string, cwd: string): Promise<KernelUnderTest> {
  const file = isAbsolute(spec) ? spec : resolve(cwd, spec);
  const shown = displayPath(file, cwd);
  const ext = extname(file).toLowerCase();
  const isTs = TS_EXTENSIONS.includes(ext);
  if (!isTs && !JS_EXTENSIONS.includes(ext)) {
    throw new KernelLoadError(
      shown,
      `unsupported file extension '${ext || '(none)'}'; a kernel module must be ${[...JS_EXTENSIONS, ...TS_EXTENSIONS].join(', ')} ` +
        `(built-in kernels: ${builtinKernelNames.join(', ')})`,
    );
  }
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new KernelLoadError(shown, 'is not a file');
  } catch (e) {
    if (e instanceof KernelLoadError) throw e;
    throw new KernelLoadError(shown, 'file not found');
  }

  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(file).href;
    if (isTs) {
      // tsx compiles the module on the fly in a private namespace; nothing is registered globally.
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (e) {
    const located = e instanceof SyntaxError && !isTs ? locateSyntaxError(file, cwd, e) : undefined;
    throw new KernelLoadError(shown, `import failed: ${located ?? describeError(e)}`);
  }

  if (!('default' in mod) || mod.default === undefined) {
    const named = Object.keys(mod).filter((k) => k !== 'default' && k !== '__esModule');
    throw new KernelLoadError(
      shown,
      `has no default export (export default a KernelUnderTest or a function returning one)` +
        (named.length > 0 ? `; it exports only ${named.join(', ')}` : ''),
    );
  }

  let value: unknown = mod.default;
  // tsx/CommonJS interop may wrap a default export one level deeper.
  if (isObject(value) && !('precision' in value) && 'default' in value && !operatorNames.some((fn) => fn in (value as object))) {
    value = (value as { default: unknown }).default;
  }
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (e) {
      throw new KernelLoadError(shown, `default-export factory threw: ${describeError(e)}`);
    }
  }
  return validateKernel(value, shown);
}

/**
 * Node's ESM SyntaxError does not say where the error is; `node --check` does (first line
 * `<file>:<line>`). Returns `SyntaxError at <file>:<line>: <message>`, or undefined when the file
 * itself parses (the SyntaxError came from a dependency or from linking, e.g. a missing export).
 */
function locateSyntaxError(file: string, cwd: string, error: SyntaxError): string | undefined {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const m = r.status !== 0 ? /^(.+):(\d+)$/m.exec(r.stderr ?? '') : null;
  return m ? `SyntaxError at ${displayPath(m[1], cwd)}:${m[2]}: ${oneLine(error.message)}` : undefined;
}

/**
 * Reads a kernel object once and returns a validated, frozen snapshot of it; otherwise throws a
 * `KernelLoadError` for `file` saying which field is wrong. Every field (`name`, `precision`,
 * `accumulation`, `errorModel`, `errorFactor`, `capabilities` and each of its fields, the methods) is read exactly once, so a getter that
 * answers differently the second time cannot change the run after validation; the methods are
 * called with the original object as `this`. Capabilities that leave nothing to generate (empty
 * `spatialRanks`, `maxElements` below the one-element smallest problem) are load errors too.
 */
export function validateKernel(value: unknown, file: string): KernelUnderTest {
  if (!isObject(value)) {
    throw new KernelLoadError(
      file,
      `default export is ${describeValue(value)}, expected a KernelUnderTest object (or a function returning one)`,
    );
  }
  const read = (field: string, from: object = value, label = `kernel.${field}`): unknown => {
    try {
      return (from as Record<string, unknown>)[field];
    } catch (e) {
      throw new KernelLoadError(file, `reading ${label} threw ${describeError(e)}`);
    }
  };
  const name = read('name');
  if (typeof name !== 'string' || name.trim() === '') {
    throw new KernelLoadError(file, `kernel.name must be a non-empty string, got ${describeValue(name)}`);
  }
  // the numeric promise, each field read once (see error-model.ts for the rules)
  const numerics: Record<string, unknown> = {};
  for (const field of ['precision', 'accumulation', 'errorModel', 'errorFactor']) {
    const v = read(field);
    if (v !== undefined) numerics[field] = v;
  }
  const numeric = numericFieldsProblem(numerics);
  if (numeric !== undefined) throw new KernelLoadError(file, numeric);
  const methods: Record<string, (...args: unknown[]) => unknown> = {};
  for (const fn of operatorNames) {
    const f = read(fn);
    if (f !== undefined && typeof f !== 'function') {
      throw new KernelLoadError(file, `kernel.${fn} must be a function, got ${describeValue(f)}`);
    }
    if (typeof f === 'function') methods[fn] = (...args: unknown[]) => Reflect.apply(f, value, args);
  }
  if (Object.keys(methods).length === 0) {
    throw new KernelLoadError(file, `kernel '${name}' implements none of the operators (${operatorNames.join(', ')})`);
  }
  const capsValue = read('capabilities');
  let capabilities: KernelCapabilities | undefined;
  if (capsValue !== undefined) {
    if (!isObject(capsValue) || Array.isArray(capsValue)) {
      throw new KernelLoadError(file, `kernel.capabilities must be an object, got ${describeValue(capsValue)}`);
    }
    let fields: string[];
    try {
      fields = Object.keys(capsValue);
    } catch (e) {
      throw new KernelLoadError(file, `listing kernel.capabilities threw ${describeError(e)}`);
    }
    const copy: Record<string, unknown> = {};
    for (const field of fields) {
      const v = read(field, capsValue, `kernel.capabilities.${field}`);
      const problem = capabilityProblem(field, v);
      if (problem !== undefined)
        throw new KernelLoadError(file, `kernel.capabilities${problem}${problem.startsWith('.') ? `, got ${describeValue(v)}` : ''}`);
      if (v === undefined) continue;
      copy[field] = Array.isArray(v) ? Object.freeze([...new Set(v as number[])].sort()) : v;
    }
    capabilities = Object.freeze(copy) as KernelCapabilities;
  }
  return Object.freeze({
    name,
    ...numerics,
    ...(capabilities !== undefined ? { capabilities } : {}),
    ...methods,
  }) as KernelUnderTest;
}

/** A path for messages: relative to the cwd when it is inside it, else absolute. */
function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** A short description of a value for error messages: `'float16'`, `42`, `undefined`, `an array`. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v))
    return `an array [${v
      .slice(0, 5)
      .map((e) => (typeof e === 'object' ? typeof e : String(e)))
      .join(', ')}${v.length > 5 ? ', …' : ''}]`;
  return `an object`;
}

/** One line describing an error thrown by an import or a factory (`SyntaxError: Unexpected token '}'`). */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return oneLine(String(e));
  let text = e.message;
  // esbuild (via tsx) reports "Transform failed with 1 error:\n<file>:3:5: ERROR: Expected ';'": keep the location line.
  const esbuild = /Transform failed with \d+ errors?:\s*\n(.*)/.exec(text);
  if (esbuild) text = esbuild[1];
  const line = oneLine(text);
  const named = e.name && e.name !== 'Error' && !line.startsWith(e.name) ? `${e.name}: ${line}` : line;
  return named.length > 300 ? `${named.slice(0, 300)}…` : named;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
