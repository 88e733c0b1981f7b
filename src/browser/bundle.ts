/**
 * Bundling a kernel for the page with esbuild: the kernel module (TypeScript allowed), the npm
 * packages it imports — resolved from the module's own location, as Node would — and the page
 * runtime, into one ES module.
 *
 * - `import.meta.url` in every bundled file is replaced by the URL that file has on the kernel
 *   server (`/fs/<its absolute path>`), so `fetch(new URL('./conv.wgsl', import.meta.url))`
 *   loads the shader next to the module, and packages find their `.wasm` files next to theirs.
 * - Node's built-in modules (`node:fs`, …) become empty modules: the page has none; code that
 *   only uses them on a Node path still bundles.
 * - convcheck's registry of built-in kernels is left out: it imports every adapter (native
 *   onnxruntime-node among them), and the page only ever runs the one kernel it was given.
 */
import { builtinModules } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KernelLoadError } from '../errors.js';

type Esbuild = typeof import('esbuild');

/** What to bundle: a generated entry module and the directory it resolves imports from. */
export interface BundleInput {
  /** Source of the entry module (ESM JavaScript). */
  readonly entry: string;
  /** Imports in `entry` resolve from here (the kernel module's directory). */
  readonly resolveDir: string;
  /** The URL a bundled file is served at (for `import.meta.url`). */
  readonly urlOf: (absolutePath: string) => string;
  /** Name shown in errors (the kernel spec). */
  readonly label: string;
  /** Packages left as runtime imports (never reached in the page). */
  readonly external?: readonly string[];
  /** Append an inline source map (with the sources' text): for kernel coverage (`--coverage`). Default false. */
  readonly sourcemap?: boolean;
}

/** Tooling convcheck's own Node code imports lazily (the kernel loader); never used in a page. */
const NODE_ONLY_PACKAGES = /^(tsx|esbuild|playwright-core|playwright|vitest)(\/|$)/;

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

async function esbuild(): Promise<Esbuild> {
  try {
    return await import('esbuild');
  } catch (e) {
    throw new KernelLoadError('esbuild', `cannot be imported (${e instanceof Error ? e.message : String(e)}); run: npm install esbuild`);
  }
}

/**
 * Bundles `input.entry` into one ES module for the page. A module or package that cannot be
 * resolved or compiled is a `KernelLoadError` naming the file, the line and what is wrong.
 */
export async function bundleForPage(input: BundleInput): Promise<Uint8Array> {
  const { build } = await esbuild();
  let result: import('esbuild').BuildResult & { outputFiles: import('esbuild').OutputFile[] };
  try {
    result = await build({
      stdin: { contents: input.entry, resolveDir: input.resolveDir, sourcefile: 'convcheck-page-entry.js', loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['browser', 'import', 'module', 'default'],
      mainFields: ['browser', 'module', 'main'],
      external: [...(input.external ?? [])],
      sourcemap: input.sourcemap === true ? 'inline' : false,
      sourcesContent: true,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [
        {
          name: 'convcheck-page',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => {
              if (NODE_BUILTINS.has(args.path) || NODE_ONLY_PACKAGES.test(args.path)) return { path: args.path, namespace: 'node-builtin' };
              if (/[\\/]kernels[\\/]registry\.[jt]s$/.test(args.path) || (args.path.endsWith('/registry.js') && /[\\/]kernels[\\/]load-kernel\.[jt]s$/.test(args.importer))) {
                return { path: 'registry', namespace: 'convcheck-no-registry' };
              }
              return undefined;
            });
            b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
            b.onLoad({ filter: /.*/, namespace: 'convcheck-no-registry' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
            b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
              const text = await readFile(args.path, 'utf8');
              if (!text.includes('import.meta.url')) return undefined;
              const ext = /\.([cm]?[jt]sx?)$/.exec(args.path)![1];
              const loader = (ext.includes('t') ? (ext.endsWith('x') ? 'tsx' : 'ts') : ext.endsWith('x') ? 'jsx' : 'js') as 'ts' | 'tsx' | 'js' | 'jsx';
              // A call, not a string literal, so an occurrence inside a string stays valid syntax; a
              // hoisted function declared after the last line, so every line keeps its number (the
              // source map and stack traces point at the file's own lines).
              const url = JSON.stringify(input.urlOf(args.path));
              const contents = `${text.replace(/\bimport\.meta\.url\b/g, '__convcheck_import_meta_url()')}\nfunction __convcheck_import_meta_url() { return ${url}; }\n`;
              return { contents, loader, resolveDir: dirname(args.path) };
            });
          },
        },
      ],
    });
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    const first = errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    const text = first ? `${where}${first.text}` : e instanceof Error ? e.message : String(e);
    throw new KernelLoadError(input.label, `cannot be bundled for the browser: ${text.replace(/\s*\n\s*/g, ' ')}`);
  }
  return result.outputFiles[0].contents;
}
