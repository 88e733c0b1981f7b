/**
 * The import graph of src/: every import between folders runs downward through the layers, and
 * no two folders import each other (directly or through others). Root files are the core; the
 * public entry `src/index.ts` sits on top. Static imports, `export … from` and dynamic
 * `import('…')` all count, type-only ones included (a type cycle is still a design cycle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Layers, lowest first. A folder may import its own layer's lower entries and anything below. */
const LAYERS: readonly string[] = [
  'core', // contract, capabilities, tensor, geometry helpers, errors, vocabulary
  'numeric',
  'bound',
  'arbitraries',
  'property',
  'operators',
  'models', // real networks' layer shapes, users' --shapes files
  'adapters',
  'kernels',
  'fc-as-conv', // FC layers as convolutions: the conversions (flatten, fcToConv, linear)
  'catalog',
  'runner',
  'browser', // the page host and page runtime: the kernel process's role played by a Chromium page
  'reports',
  'cli',
  'api', // src/index.ts
];

const SRC = resolve(__dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The layer of a source file: its top folder under src/, `core` for root files, `api` for the entry points index.ts and internal.ts. */
function layerOf(file: string): string {
  const rel = relative(SRC, file).split(/[\\/]/);
  if (rel.length === 1) return rel[0] === 'index.ts' || rel[0] === 'internal.ts' ? 'api' : 'core';
  return rel[0];
}

/** Relative module specifiers a file imports (static, re-export, dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^;'"]*?from\s*'([^']+)'/g)) specs.push(m[1]);
  for (const m of text.matchAll(/(?:^|[;\s])import\s*'([^']+)'/g)) specs.push(m[1]);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]);
  for (const m of text.matchAll(/declare module '([^']+)'/g)) specs.push(m[1]);
  return specs.filter((s) => s.startsWith('.'));
}

const all = files(SRC);
const edges = all.flatMap((from) =>
  importsOf(from).map((spec) => {
    const to = resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
    return { from, to, fromLayer: layerOf(from), toLayer: layerOf(to) };
  }),
);

describe('architecture: imports run downward', () => {
  it('finds the source files and their imports (the parser works)', () => {
    expect(all.length).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(100);
    expect(new Set(all.map(layerOf))).toEqual(new Set(LAYERS));
    for (const e of edges) expect(all, `${relative(SRC, e.from)} imports a missing file ${relative(SRC, e.to)}`).toContain(e.to);
  });

  it('no import from a lower layer to a higher one', () => {
    const upward = edges
      .filter((e) => LAYERS.indexOf(e.toLayer) > LAYERS.indexOf(e.fromLayer))
      .map((e) => `${relative(SRC, e.from)} (${e.fromLayer}) → ${relative(SRC, e.to)} (${e.toLayer})`);
    expect(upward).toEqual([]);
  });

  it('no cycle between folders (each operator folder counted on its own, so one operator may use another)', () => {
    const node = (f: string) => {
      const rel = relative(SRC, f).split(/[\\/]/);
      if (rel.length === 1) return rel[0] === 'index.ts' || rel[0] === 'internal.ts' ? '(api)' : '(core)';
      if (rel[0] !== 'operators') return rel[0];
      // operators/operator.ts (what an operator is) < operators/<op>/ < the table (table.ts, index.ts)
      if (rel.length > 2) return `operators/${rel[1]}`;
      return rel[1] === 'operator.ts' ? 'operators/(definition)' : 'operators/(table)';
    };
    expect(folderCycles(edges.map((e) => [node(e.from), node(e.to)] as const))).toEqual([]);
  });

  it('the checks can fail: a made-up upward import and a made-up cycle are found', () => {
    const fake = [
      { fromLayer: 'bound', toLayer: 'runner' },
      { fromLayer: 'runner', toLayer: 'catalog' },
    ];
    expect(fake.filter((e) => LAYERS.indexOf(e.toLayer) > LAYERS.indexOf(e.fromLayer))).toHaveLength(1);
    expect(
      folderCycles([
        ['catalog', 'runner'],
        ['runner', 'reports'],
        ['reports', 'catalog'],
        ['cli', 'runner'],
      ]),
    ).toEqual(['catalog → runner → reports → catalog']);
    expect(
      folderCycles([
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
      ]),
    ).toEqual([]);
  });
});

/** Relative module specifiers a file imports statically: `import … from`, `import '…'` and `export … from`, type-only ones included. */
function staticImportsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^;'"]*?from\s*'([^']+)'/g)) specs.push(m[1]);
  for (const m of text.matchAll(/(?:^|[;\s])import\s*'([^']+)'/g)) specs.push(m[1]);
  return specs.filter((s) => s.startsWith('.'));
}

describe('architecture: no file-level import cycle', () => {
  // A file never imports, directly or through others, a file that imports it: interfaces live in
  // their own small files (or the lowest layer using them), never in the file that imports their
  // implementers. Static imports only (type-only included: a type cycle is a design cycle);
  // a dynamic import() loads lazily and is not followed.
  const fileEdges = all.flatMap((from) =>
    staticImportsOf(from).map(
      (spec) => [relative(SRC, from), relative(SRC, resolve(dirname(from), spec.replace(/\.js$/, '.ts')))] as const,
    ),
  );

  it('follows the static imports of every file', () => {
    expect(fileEdges.length).toBeGreaterThan(300);
  });

  it('no file of src/ imports itself through others', () => {
    expect(importCycles(fileEdges)).toEqual([]);
  });

  it('the check can fail: made-up cycles (two files, three files, a file importing itself) are found', () => {
    expect(
      importCycles([
        ['a.ts', 'b.ts'],
        ['b.ts', 'a.ts'],
        ['c.ts', 'a.ts'],
      ]),
    ).toEqual(['a.ts ↔ b.ts']);
    expect(
      importCycles([
        ['x/p.ts', 'x/q.ts'],
        ['x/q.ts', 'y/r.ts'],
        ['y/r.ts', 'x/p.ts'],
        ['y/r.ts', 'z.ts'],
      ]),
    ).toEqual(['x/p.ts ↔ x/q.ts ↔ y/r.ts']);
    expect(importCycles([['s.ts', 's.ts']])).toEqual(['s.ts ↔ s.ts']);
    expect(
      importCycles([
        ['a.ts', 'b.ts'],
        ['b.ts', 'c.ts'],
        ['a.ts', 'c.ts'],
      ]),
    ).toEqual([]);
  });
});

/**
 * The files on import cycles, one entry per strongly connected component of more than one file
 * (or a file importing itself), its files sorted (Tarjan's algorithm).
 */
function importCycles(pairs: ReadonlyArray<readonly [string, string]>): string[] {
  const graph = new Map<string, string[]>();
  const self: string[] = [];
  for (const [a, b] of pairs) {
    if (a === b) self.push(`${a} ↔ ${a}`);
    if (!graph.has(a)) graph.set(a, []);
    if (!graph.has(b)) graph.set(b, []);
    graph.get(a)!.push(b);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[] = [...new Set(self)];
  const strongConnect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort().join(' ↔ '));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strongConnect(v);
  return out.sort();
}

/** Cycles of a directed graph given by its edges (self-edges ignored), found by depth-first search. */
function folderCycles(pairs: ReadonlyArray<readonly [string, string]>): string[] {
  const graph = new Map<string, Set<string>>();
  for (const [a, b] of pairs) {
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (n: string, path: string[]): void => {
    state.set(n, 'open');
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') cycles.push([...path.slice(path.indexOf(m)), m].join(' → '));
      else if (!state.has(m)) visit(m, path);
    }
    path.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n, []);
  return cycles;
}

describe('architecture: only the operator table names the operators', () => {
  // the dispatch code — guard, worker proxy and handler, loader, capability validation, CLI,
  // reports, runner — knows operators only through the table
  const dispatch = [
    'runner/guarded-call.ts',
    'runner/isolated-kernel.ts',
    'runner/worker-handler.ts',
    'runner/kernel-process.ts',
    'runner/verify.ts',
    'kernels/load-kernel.ts',
    'capabilities.ts',
    'contract.ts',
    'vocabulary.ts',
    'cli/main.ts',
    'reports/writer.ts',
    'reports/json.ts',
    'reports/markdown.ts',
    'reports/junit.ts',
    'kernels/reference.ts',
    'catalog/hygiene.ts',
    'operators/index.ts',
    'operators/operator.ts',
  ];
  for (const f of dispatch) {
    it(`${f} has no code naming an operator (conv, dense, convTranspose)`, () => {
      const code = readFileSync(join(SRC, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:])\/\/.*$/gm, '$1');
      expect(code).not.toMatch(/['"`.](conv|dense|convTranspose)\b|\bhas(Conv|Dense)\b|\b(conv|dense|convTranspose)\(/);
    });
  }
});

describe('architecture: one import path for each symbol', () => {
  /** `export … from` lines outside the two entry points: each gives its symbols a second path. */
  const reexports = (file: string, text: string): string[] =>
    text
      .split('\n')
      .filter((l) => /^export (type )?(\*|\{[^}]*\}) from /.test(l))
      .map((l) => `${relative(SRC, file)}: ${l}`);
  // the operator table is the one list of operators (its lines are the table); onnx-proto.ts names the generated ONNX types
  const allowed = (f: string) =>
    ['index.ts', 'internal.ts', join('operators', 'table.ts'), join('models', 'onnx-proto.ts')].includes(relative(SRC, f));

  it('no file of src/ re-exports another module, except the entry points, the operator table and the ONNX type alias', () => {
    const found = files(SRC)
      .filter((f) => !allowed(f))
      .flatMap((f) => reexports(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('the check can fail: a made-up re-export is found', () => {
    expect(
      reexports(
        join(SRC, 'runner', 'x.ts'),
        "import a from './a.js';\nexport { KernelFault } from '../vocabulary.js';\nexport type { A } from './a.js';",
      ),
    ).toHaveLength(2);
  });
});
