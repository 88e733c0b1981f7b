/**
 * A Vite plugin for vitest browser mode: convcheck's runner imports a few Node modules
 * (`node:path`, `node:fs/promises`, … for the example database, worker isolation and module
 * loading). Vite's default stand-in throws as soon as a module touches one of their names, so
 * importing `describeKernel` in the page would fail; this plugin gives every `node:*` import a
 * stand-in with the same named exports, each throwing only when called. In the page, convcheck
 * never calls them: kernels run in the page itself and no example database is kept.
 *
 * @example
 * // vitest.browser.config.ts
 * import { nodeBuiltinStubs } from 'convcheck/vitest-browser';
 * export default defineConfig({ plugins: [nodeBuiltinStubs()], test: { browser: { … } } });
 */
import { builtinModules } from 'node:module';

const PREFIX = '\0convcheck-node-stub:';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The structural part of a Vite plugin this uses (no dependency on Vite's types). */
export interface NodeBuiltinStubsPlugin {
  readonly name: string;
  readonly enforce: 'pre';
  resolveId(id: string): string | undefined;
  load(id: string): Promise<string | undefined>;
}

/** Stand-ins for `node:*` modules in the browser: same named exports, each throws when called. */
export function nodeBuiltinStubs(): NodeBuiltinStubsPlugin {
  return {
    name: 'convcheck-node-builtin-stubs',
    enforce: 'pre',
    resolveId(id) {
      if (!id.startsWith('node:')) return undefined;
      const name = id.slice('node:'.length);
      return builtinModules.includes(name) ? `${PREFIX}${name}` : undefined;
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return undefined;
      const name = id.slice(PREFIX.length);
      const real = (await import(`node:${name}`)) as Record<string, unknown>;
      const names = Object.keys(real).filter((k) => k !== 'default' && IDENTIFIER.test(k));
      return [
        `const unavailable = (n) => function () { throw new Error('node:${name}: ' + n + ' is not available in the browser'); };`,
        ...names.map((n) => `export const ${n} = unavailable(${JSON.stringify(n)});`),
        'export default {};',
      ].join('\n');
    },
  };
}
