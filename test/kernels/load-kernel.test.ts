/** `loadKernel` / `validateKernel` / `describeError`: every way a kernel spec or module can be wrong. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelLoadError } from '../../src/errors.js';
import { describeError, loadKernel, looksLikeKernelName, validateKernel } from '../../src/kernels/load-kernel.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-load-kernel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadFails(spec: string, cwd?: string): Promise<KernelLoadError> {
  const e = await loadKernel(spec, cwd === undefined ? {} : { cwd }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KernelLoadError);
  return e as KernelLoadError;
}

async function module(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const ok = `name: 'm', precision: 'float64', conv: () => ({ shape: [1], data: new Float64Array(1) })`;

describe('loadKernel: specs', () => {
  it('loads a built-in kernel by name', async () => {
    expect((await loadKernel('builtin:reference')).precision).toBe('float64');
  });

  it('rejects an empty spec, an unknown name and an unsupported extension', async () => {
    expect((await loadFails('  ')).message).toMatch(/kernel spec is empty/);
    expect((await loadFails('builtin:nope')).message).toMatch(/unknown built-in kernel; known kernels: builtin:reference/);
    expect((await loadFails('kernels/k.py')).message).toMatch(/unsupported file extension '\.py'/);
    expect((await loadFails('kernels/k')).message).toMatch(/unsupported file extension '\(none\)'/);
  });

  it('resolves relative paths against cwd (default process.cwd()) and shows them relative', async () => {
    expect((await loadKernel('test/fixtures/kernels/good.mjs')).name).toBe('fixture:good');
    expect((await loadKernel('kernels/good.mjs', { cwd: resolve('test/fixtures') })).name).toBe('fixture:good');
    const e = await loadFails('nowhere.mjs', dir);
    expect(e.file).toBe('nowhere.mjs');
    expect(e.message).toMatch(/file not found/);
  });

  it('shows a path outside cwd as absolute, and rejects a directory', async () => {
    const sub = join(dir, 'a-dir.mjs');
    await mkdir(sub, { recursive: true });
    const e = await loadFails(sub, resolve('test'));
    expect(e.file).toBe(sub);
    expect(e.message).toMatch(/is not a file/);
  });

  it('loads a TypeScript module through tsx', async () => {
    const k = await loadKernel('test/fixtures/kernels/good-kernel.ts');
    expect(typeof k.conv === 'function' || typeof k.dense === 'function').toBe(true);
  });
});

describe('loadKernel: module contents', () => {
  it('reports a syntax error in a JS module', async () => {
    const file = await module('syntax.mjs', "export default {\n  name: 'x'\n  conv() {}\n};\n");
    const e = await loadFails(file, dir);
    expect(e.file).toBe('syntax.mjs');
    // Plain Node names the line via \`node --check\`; under vitest the module goes through vite's parser.
    expect(e.message).toMatch(/import failed: (SyntaxError at syntax\.mjs:3|.*Parse fail)/);
  });

  it('reports a TS module that does not compile', async () => {
    const file = await module('broken.ts', 'export default {\n  name: "x"\n  precision: 1\n};\n');
    expect((await loadFails(file, dir)).message).toMatch(/^.*import failed: .*broken\.ts:3/);
  });

  it('reports a module that throws while importing', async () => {
    const file = await module('throws-at-import.mjs', "throw new RangeError('no backend');\n");
    expect((await loadFails(file, dir)).message).toMatch(/import failed: RangeError: no backend/);
  });

  it('reports a missing default export, with or without other exports', async () => {
    const none = await module('empty.mjs', 'export {};\n');
    expect((await loadFails(none, dir)).message).toMatch(
      /has no default export \(export default a KernelUnderTest or a function returning one\)$/,
    );
    const undef = await module('undef.mjs', 'export default undefined;\nexport const a = 1;\n');
    expect((await loadFails(undef, dir)).message).toMatch(/has no default export .*; it exports only a$/);
  });

  it('unwraps a default export nested one level deeper (CommonJS interop)', async () => {
    const file = await module('nested.cjs', `module.exports = { default: { ${ok} } };\n`);
    expect((await loadKernel(file)).name).toBe('m');
  });

  it('calls a sync or async factory; a rejecting factory is a load error', async () => {
    const sync = await module('factory.mjs', `export default () => ({ ${ok} });\n`);
    expect((await loadKernel(sync)).name).toBe('m');
    const rejects = await module('rejects.mjs', `export default async () => { throw new TypeError('bad config'); };\n`);
    expect((await loadFails(rejects, dir)).message).toMatch(/default-export factory threw: TypeError: bad config/);
    const throwsString = await module('throws-string.mjs', `export default () => { throw 'plain\\nstring'; };\n`);
    expect((await loadFails(throwsString, dir)).message).toMatch(/default-export factory threw: plain string$/);
  });
});

describe('validateKernel', () => {
  const fn = () => ({ shape: [1], data: new Float64Array(1) });
  const base = { name: 'k', precision: 'float32', conv: fn };
  const bad = (value: unknown) => {
    try {
      validateKernel(value, 'k.mjs');
    } catch (e) {
      expect(e).toBeInstanceOf(KernelLoadError);
      expect((e as KernelLoadError).file).toBe('k.mjs');
      return (e as Error).message;
    }
    throw new Error('expected validateKernel to throw');
  };

  it('accepts float16, mixed accumulation and the normwise model with κ ≥ 1, and keeps those fields in the snapshot', () => {
    for (const k of [
      { ...base, precision: 'float16' },
      { ...base, precision: 'float16', accumulation: 'float32' },
      { ...base, precision: 'float32', accumulation: 'float64' },
      { ...base, errorModel: 'elementwise' },
      { ...base, errorModel: 'normwise', errorFactor: 1 },
      { ...base, errorModel: 'normwise', errorFactor: 4165 },
    ]) {
      const { conv: _conv, ...fields } = k;
      expect(validateKernel(k, 'k.mjs')).toMatchObject(fields);
    }
  });

  it('returns a frozen snapshot of a valid kernel whose methods call the original with its this', () => {
    const snap = validateKernel(base, 'k.mjs');
    expect(snap).not.toBe(base);
    expect(Object.isFrozen(snap)).toBe(true);
    expect(snap).toMatchObject({ name: 'k', precision: 'float32' });
    const full = { ...base, dense: fn, capabilities: { spatialRanks: [1, 2, 3], group: true, maxElements: 10, dilation: undefined } };
    expect(validateKernel(full, 'k.mjs').capabilities).toEqual({ spatialRanks: [1, 2, 3], group: true, maxElements: 10 });
    const self = {
      name: 'self',
      precision: 'float64' as const,
      conv(this: unknown) {
        return this;
      },
    };
    expect((validateKernel(self, 'k.mjs').conv as unknown as () => unknown)()).toBe(self);
  });

  it('reads every field once: a getter that changes its answer after validation changes nothing', () => {
    let reads = 0;
    const fickle = {
      get name() {
        reads++;
        return reads === 1 ? 'fickle' : (42 as unknown as string);
      },
      get precision() {
        return reads > 1 ? 'float16' : 'float32';
      },
      conv: fn,
    };
    const snap = validateKernel(fickle, 'k.mjs');
    expect(snap.name).toBe('fickle');
    expect(snap.name).toBe('fickle');
    expect(snap.precision).toBe('float32');
    expect(reads).toBe(1);
  });

  it('a getter that throws is a load error naming the field', () => {
    const k = {
      ...base,
      get capabilities(): never {
        throw new Error('no caps');
      },
    };
    expect(bad(k)).toMatch(/reading kernel\.capabilities threw Error: no caps|reading kernel\.capabilities threw no caps/);
  });

  it.each([
    [{ spatialRanks: [] }, /capabilities\.spatialRanks must be a non-empty array of spatial ranks/],
    [
      { maxElements: 1e-9 },
      /capabilities\.maxElements must be an integer >= 1 \(the smallest problem has one element per tensor\) or Infinity, got 1e-9/,
    ],
    [{ maxElements: 2.5 }, /capabilities\.maxElements must be an integer >= 1/],
  ])('capabilities that leave nothing to generate are load errors: %o', (capabilities, message) => {
    expect(bad({ ...base, capabilities })).toMatch(message);
  });

  it.each([
    [null, /default export is null, expected a KernelUnderTest/],
    [42, /default export is 42/],
    ['k', /default export is 'k'/],
    [{ ...base, name: '' }, /kernel\.name must be a non-empty string, got ''/],
    [{ ...base, name: 7 }, /kernel\.name must be a non-empty string, got 7/],
    [
      { ...base, name: 'x'.repeat(50), precision: 'bfloat16' },
      /kernel\.precision must be 'float16', 'float32' or 'float64', got 'bfloat16'/,
    ],
    [{ ...base, precision: 'float16', accumulation: 'int8' }, /kernel\.accumulation must be 'float16', 'float32' or 'float64', got 'int8'/],
    [
      { ...base, precision: 'float32', accumulation: 'float16' },
      /kernel\.accumulation \('float16'\) is narrower than kernel\.precision \('float32'\)/,
    ],
    [{ ...base, errorModel: 'blockwise' }, /kernel\.errorModel must be 'elementwise' or 'normwise', got 'blockwise'/],
    [{ ...base, errorModel: 'normwise' }, /kernel\.errorFactor \(κ ≥ 1\) is required with errorModel 'normwise'/],
    [{ ...base, errorModel: 'normwise', errorFactor: 0.5 }, /kernel\.errorFactor must be a finite number >= 1, got 0\.5/],
    [{ ...base, errorModel: 'normwise', errorFactor: Infinity }, /kernel\.errorFactor must be a finite number >= 1, got Infinity/],
    [{ ...base, errorModel: 'normwise', errorFactor: '12' }, /kernel\.errorFactor must be a finite number >= 1, got '12'/],
    [{ ...base, errorFactor: 4 }, /kernel\.errorFactor \(4\) applies only with errorModel 'normwise'/],
    [{ ...base, precision: undefined }, /got undefined/],
    [{ ...base, conv: 'loops' }, /kernel\.conv must be a function, got 'loops'/],
    [{ ...base, dense: 1n }, /kernel\.dense must be a function, got 1/],
    [{ name: 'k', precision: 'float64' }, /kernel 'k' implements none of the operators \(conv, /],
    [{ ...base, capabilities: [1] }, /kernel\.capabilities must be an object, got an array \[1\]/],
    [{ ...base, capabilities: true }, /kernel\.capabilities must be an object, got true/],
    [{ ...base, capabilities: { turbo: true } }, /unknown field 'turbo'; known fields: spatialRanks, group/],
    [
      { ...base, capabilities: { spatialRanks: [1, 4] } },
      /capabilities\.spatialRanks must be a non-empty array of spatial ranks from \{1, 2, 3\}.*, got an array \[1, 4\]/,
    ],
    [{ ...base, capabilities: { spatialRanks: 2 } }, /spatialRanks must be .*, got 2/],
    [{ ...base, capabilities: { group: 'yes' } }, /capabilities\.group must be a boolean, got 'yes'/],
    [{ ...base, capabilities: { dilation: 1 } }, /capabilities\.dilation must be a boolean/],
    [{ ...base, capabilities: { strideWithDilation: null } }, /strideWithDilation must be a boolean, got null/],
    [{ ...base, capabilities: { asymmetricPads: {} } }, /asymmetricPads must be a boolean, got an object/],
    [{ ...base, capabilities: { specialValues: () => true } }, /specialValues must be a boolean, got a function/],
    [{ ...base, capabilities: { maxElements: 0 } }, /maxElements must be an integer >= 1 .*, got 0/],
    [{ ...base, capabilities: { maxElements: '10' } }, /maxElements must be an integer >= 1 .*, got '10'/],
    [{ ...base, capabilities: { spatialRanks: [1, 2, 3, 1, 2, 3, [1]] } }, /got an array \[1, 2, 3, 1, 2, …\]/],
    [{ ...base, capabilities: { spatialRanks: [[1]] } }, /got an array \[object\]/],
  ])('%#: %o', (value, message) => {
    expect(bad(value)).toMatch(message);
  });

  it('shortens a long string in the message', () => {
    expect(bad({ ...base, precision: 'p'.repeat(60) })).toContain(`'${'p'.repeat(40)}…'`);
  });

  it('accepts a function object with the kernel fields', () => {
    const k = Object.assign(() => undefined, { precision: 'float64', conv: fn });
    expect(bad(k)).toMatch(/kernel\.name must be a non-empty string, got ''/);
  });
});

describe('describeError and looksLikeKernelName', () => {
  it('describes errors in one line', () => {
    expect(describeError(new TypeError('a\n  b'))).toBe('TypeError: a b');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError(Object.assign(new Error('SyntaxError: x'), { name: 'SyntaxError' }))).toBe('SyntaxError: x');
    expect(describeError(new Error('Transform failed with 1 error:\n/k.ts:3:5: ERROR: Expected ";"\nmore'))).toBe(
      '/k.ts:3:5: ERROR: Expected ";"',
    );
    expect(describeError(new Error('x'.repeat(400)))).toHaveLength(301);
    expect(describeError(42)).toBe('42');
  });

  it('tells names from paths', () => {
    expect(looksLikeKernelName('tfjs:wasm')).toBe(true);
    expect(looksLikeKernelName('C:\\k\\k.js')).toBe(false);
    expect(looksLikeKernelName('./k.mjs')).toBe(false);
  });
});
