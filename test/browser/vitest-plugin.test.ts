/**
 * `nodeBuiltinStubs` (src/browser/vitest-plugin.ts) as Vite calls it: which ids it claims, and the
 * stand-in module it writes for a `node:*` import — every named export present, each one throwing
 * only when called. The browser suite (npm run test:browser) loads it for real; this runs it in Node.
 */
import { describe, expect, it } from 'vitest';
import { nodeBuiltinStubs } from '../../src/browser/vitest-plugin.js';

/** Evaluates the generated module text and returns its named exports and default. */
async function evaluate(code: string): Promise<Record<string, unknown>> {
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
}

describe('nodeBuiltinStubs', () => {
  const plugin = nodeBuiltinStubs();
  it('claims node:* builtins only, before other plugins', () => {
    expect(plugin.enforce).toBe('pre');
    expect(plugin.resolveId('node:path')).toBe('\0convcheck-node-stub:path');
    expect(plugin.resolveId('node:fs/promises')).toBe('\0convcheck-node-stub:fs/promises');
    expect(plugin.resolveId('node:no-such-module')).toBeUndefined();
    expect(plugin.resolveId('path')).toBeUndefined();
    expect(plugin.resolveId('./node:path')).toBeUndefined();
  });
  it('loads nothing but its own ids', async () => {
    expect(await plugin.load('node:path')).toBeUndefined();
    expect(await plugin.load('/src/x.ts')).toBeUndefined();
  });
  it('node:path: every named export of the real module, each throwing when called, naming module and export', async () => {
    const code = await plugin.load(plugin.resolveId('node:path')!);
    expect(code).toBeDefined();
    const stub = await evaluate(code!);
    const real = await import('node:path');
    const named = Object.keys(real).filter((k) => k !== 'default');
    expect(named).toContain('join');
    for (const n of named) expect(typeof stub[n], n).toBe('function');
    expect(stub.default).toEqual({});
    expect(() => (stub.join as () => unknown)()).toThrowError('node:path: join is not available in the browser');
  });
  it('every node: built-in: the stand-in is valid JavaScript with exactly the real named exports', async () => {
    const { builtinModules } = await import('node:module');
    let checked = 0;
    for (const name of builtinModules) {
      const id = plugin.resolveId(`node:${name}`);
      if (id === undefined) continue;
      let real: Record<string, unknown>;
      try {
        real = (await import(`node:${name}`)) as Record<string, unknown>;
      } catch {
        continue; // a built-in this Node cannot import here (e.g. an experimental one behind a flag)
      }
      const stub = await evaluate((await plugin.load(id))!);
      const named = (o: object) =>
        Object.keys(o)
          .filter((k) => k !== 'default')
          .sort();
      expect(named(stub), name).toEqual(named(real));
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });
});
