/**
 * `bundleForPage` (src/browser/bundle.ts) in Node: `import.meta.url` rewritten in each kind of
 * module (js, jsx, ts, tsx) with every line kept in place, Node built-ins emptied, the registry
 * left out, the inline source map on request, and bundling errors as KernelLoadErrors with their place.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForPage } from '../../src/browser/bundle.js';
import { KernelLoadError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-bundle-'));
  const line = (what: string) => `export const ${what} = new URL('./${what}.wgsl', import.meta.url).href;\n`;
  await writeFile(join(dir, 'a.js'), line('a'));
  await writeFile(join(dir, 'b.jsx'), `const tag = <div />;\n${line('b')}`);
  await writeFile(join(dir, 'c.ts'), `const n: number = 1;\n${line('c')}`);
  await writeFile(join(dir, 'd.tsx'), `const t: JSX.Element = <div />;\n${line('d')}`);
  await writeFile(join(dir, 'plain.ts'), 'export const plain: number = 2;\n');
  await writeFile(join(dir, 'uses-fs.js'), "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
  await writeFile(join(dir, 'broken.ts'), 'export const x = ;\n');
  await mkdir(join(dir, 'kernels'));
  await writeFile(join(dir, 'kernels', 'registry.js'), "export const every = 'every adapter, onnxruntime-node among them';\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bundle = async (entry: string, extra: { sourcemap?: boolean } = {}) =>
  new TextDecoder().decode(
    await bundleForPage({ entry, resolveDir: dir, urlOf: (p) => `http://server/fs${p}`, label: 'kernel.ts', ...extra }),
  );

/** The error `p` rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('bundleForPage', () => {
  it('import.meta.url in .js, .jsx, .ts and .tsx: the URL each file has on the server', async () => {
    const out = await bundle(
      "export * from './a.js';\nexport * from './b.jsx';\nexport * from './c.ts';\nexport * from './d.tsx';\nexport * from './plain.ts';\n",
    );
    for (const f of ['a.js', 'b.jsx', 'c.ts', 'd.tsx']) expect(out).toContain(JSON.stringify(`http://server/fs${join(dir, f)}`));
    expect(out).not.toContain('import.meta.url');
    expect(out).not.toContain(`http://server/fs${join(dir, 'plain.ts')}`);
    const mod = (await import(
      `data:text/javascript;base64,${Buffer.from(out.replace(/React\.createElement/g, '(() => 0)')).toString('base64')}`
    )) as Record<string, string>;
    expect(mod.a).toBe(`http://server/fs${join(dir, 'a.wgsl')}`);
    expect(mod.d).toBe(`http://server/fs${join(dir, 'd.wgsl')}`);
    expect(mod.plain).toBe(2);
  });
  it('a Node built-in becomes an empty module; no source map unless asked', async () => {
    const out = await bundle("export * from './uses-fs.js';\n");
    expect(out).not.toMatch(/from ["']node:fs["']/);
    expect(out).not.toContain('sourceMappingURL');
    expect(await bundle("export * from './plain.ts';\n", { sourcemap: true })).toMatch(
      /\/\/# sourceMappingURL=data:application\/json;base64,/,
    );
  });
  it('the registry of built-in kernels is left out (an empty module)', async () => {
    const out = await bundle("import * as r from './kernels/registry.js';\nexport const n = Object.keys(r).length;\n");
    expect(out).not.toContain('every adapter');
  });
  it('a module that does not compile: KernelLoadError with file, line and column', async () => {
    const e = await rejection(bundle("export * from './broken.ts';\n"));
    expect(e).toBeInstanceOf(KernelLoadError);
    expect(e.message).toMatch(/^kernel\.ts: cannot be bundled for the browser: .*broken\.ts:1:17: Unexpected ";"$/);
  });
  it('an import that does not resolve: KernelLoadError naming it', async () => {
    const e = await rejection(bundle("import './missing.js';\n"));
    expect(e).toBeInstanceOf(KernelLoadError);
    expect(e.message).toMatch(
      /^kernel\.ts: cannot be bundled for the browser: \S*convcheck-page-entry\.js:1:7: Could not resolve "\.\/missing\.js"$/,
    );
  });
});
