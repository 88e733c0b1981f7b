/**
 * Turns a run's kernel coverage into files and the report's section: monocart-coverage-reports
 * (built for V8 coverage, Node's and the browser's, source maps included) writes the HTML view
 * (`index.html`, one self-contained file, uncovered branches marked in the code) and `lcov.info`
 * into the output directory; its per-file results give the functions and branches never reached
 * with their lines in the original sources (TypeScript through tsx's or esbuild's inline source
 * map). Shader variants' sources go to `shaders/<key>.<ext>` next to them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isKernelPath } from './coverage-agent.js';
import type { KernelCoverageCollector } from './kernel-coverage.js';
import type { KernelCoverageFile, KernelCoverageReport, PropertyGuidance, ShaderVariantSummary, UnreachedCode } from './kernel-coverage-summary.js';

/** Unreached functions and branches listed in the report at most (each); the counts say how many in all. */
export const MAX_UNREACHED = 100;
/** Call signatures listed per shader variant at most. */
export const SHAPES_PER_VARIANT = 12;

/** What `buildKernelCoverageReport` writes into its output directory (and removes there first). */
const OUTPUT_FILES = ['index.html', 'lcov.info', 'shaders'];

/** Options of `buildKernelCoverageReport`. */
export interface KernelCoverageReportOptions {
  /** Where the HTML view, lcov.info and shader sources go; default: nowhere (only the report section). */
  readonly outputDir?: string;
  readonly kernelName: string;
  readonly libraries: boolean;
  readonly guidance?: readonly PropertyGuidance[];
  /** Paths in the report are relative to this (default `process.cwd()`). */
  readonly cwd?: string;
}

/** One file of monocart's results, as far as it is read here. */
interface McrFile {
  sourcePath: string;
  source?: string;
  summary: { functions: { covered: number; total: number }; branches: { covered: number; total: number }; lines: { covered: number; total: number } };
  data?: {
    functions?: Array<{ start: number; end: number; count: number; name?: string }>;
    branches?: Array<{ start: number; end: number; count: number; none?: boolean }>;
  };
}

/** A source path monocart unpacked (relative to `cwd`, or absolute) that is the kernel's (`isKernelPath`). */
function isKernelSource(path: string, libraries: boolean, cwd: string): boolean {
  if (/(^|[\\/])convcheck-page-entry\.js$/.test(path)) return false;
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  // the bundler's virtual modules (Node built-ins emptied for the page, the left-out registry) are no files
  return isKernelPath(abs, { libraries }) && existsSync(abs);
}

/** 1-based line of a character offset. */
function lineOf(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The first line of a code range, trimmed to 80 characters. */
function snippet(source: string, start: number, end: number): string {
  const text = source.slice(start, Math.min(end, start + 200)).split('\n')[0].trim();
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** File extension of a shader variant's source. */
const SHADER_EXT: Record<string, string> = { wgsl: 'wgsl', 'glsl-vertex': 'vert', 'glsl-fragment': 'frag' };

/**
 * Builds the report section from `collector` and, with `outputDir`, writes the HTML view, lcov
 * and the shader sources there. A failure of the report library is a note, not an error: the
 * verification's verdict stands without it.
 */
export async function buildKernelCoverageReport(collector: KernelCoverageCollector, o: KernelCoverageReportOptions): Promise<KernelCoverageReport> {
  const cwd = o.cwd ?? process.cwd();
  const shown = (p: string) => {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    const rel = relative(cwd, abs);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' ? rel : abs;
  };
  const entries = collector.entries();
  const files: KernelCoverageFile[] = [];
  const unreachedFunctions: UnreachedCode[] = [];
  const unreachedBranches: UnreachedCode[] = [];
  let note: string | undefined;
  let outputs: KernelCoverageReport['outputs'];

  const dir = o.outputDir ?? (await mkdtemp(join(tmpdir(), 'convcheck-kcov-')));
  // a previous run's files must not pass for this one's (only the files this writes are removed)
  if (o.outputDir !== undefined) await Promise.all(OUTPUT_FILES.map((f) => rm(join(o.outputDir!, f), { recursive: true, force: true })));
  try {
    if (entries.length === 0) note = 'no code of the kernel\'s own files ran in its process or page (a built-in kernel is convcheck\'s or a library\'s code: add --coverage-libraries to see the library)';
    else {
      await mkdir(dir, { recursive: true });
      const { CoverageReport } = await import('monocart-coverage-reports');
      const mcr = new CoverageReport({
        name: `convcheck kernel coverage: ${o.kernelName}`,
        outputDir: dir,
        reports: o.outputDir === undefined ? [['none']] : [['v8', { outputFile: 'index.html', inline: true }], ['lcovonly', { file: 'lcov.info' }]],
        logging: 'off',
        clean: true,
        cleanCache: true,
        baseDir: cwd,
        sourceFilter: (p: string) => isKernelSource(p, o.libraries, cwd),
      });
      await mcr.add(entries);
      const results = await mcr.generate();
      const list = ((results?.files ?? []) as McrFile[]).filter((f) => isKernelSource(f.sourcePath, o.libraries, cwd));
      for (const f of list.sort((a, b) => a.sourcePath.localeCompare(b.sourcePath))) {
        const path = shown(f.sourcePath);
        const s = f.summary;
        files.push({ path, functions: { covered: s.functions.covered, total: s.functions.total }, branches: { covered: s.branches.covered, total: s.branches.total }, lines: { covered: s.lines.covered, total: s.lines.total } });
        const source = f.source ?? '';
        const starts = lineStartsOf(source);
        for (const fn of f.data?.functions ?? []) {
          if (fn.count === 0) unreachedFunctions.push({ path, line: lineOf(starts, fn.start), what: fn.name !== undefined && fn.name !== '' ? fn.name : '(anonymous)' });
        }
        for (const br of f.data?.branches ?? []) {
          if (br.count === 0) unreachedBranches.push({ path, line: lineOf(starts, br.start), what: br.none ? '(implicit else: the condition was never false)' : snippet(source, br.start, br.end) });
        }
      }
      if (o.outputDir !== undefined) outputs = { html: shown(join(dir, 'index.html')), lcov: shown(join(dir, 'lcov.info')) };
      if (files.length === 0) note = 'coverage was collected, but none of it is in the kernel\'s own files';
    }
  } catch (e) {
    note = `the coverage report could not be generated: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    if (o.outputDir === undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  const shaderVariants: ShaderVariantSummary[] = [];
  for (const v of collector.shaderVariants()) {
    let sourceFile: string | undefined;
    if (o.outputDir !== undefined && v.source !== undefined) {
      const file = join(o.outputDir, 'shaders', `${v.key}.${SHADER_EXT[v.kind] ?? 'txt'}`);
      await mkdir(join(o.outputDir, 'shaders'), { recursive: true });
      await writeFile(file, v.source);
      sourceFile = shown(file);
    }
    const shapes = [...v.shapes];
    shaderVariants.push({ key: v.key, kind: v.kind, shapes: shapes.slice(0, SHAPES_PER_VARIANT), shapeCount: shapes.length, ...(v.firstCase !== undefined ? { firstCase: v.firstCase } : {}), ...(sourceFile !== undefined ? { sourceFile } : {}) });
  }
  const byPlace = (a: UnreachedCode, b: UnreachedCode) => a.path.localeCompare(b.path) || a.line - b.line;
  return {
    libraries: o.libraries,
    guided: o.guidance !== undefined,
    calls: collector.calls,
    files,
    unreachedFunctions: unreachedFunctions.sort(byPlace).slice(0, MAX_UNREACHED),
    unreachedFunctionCount: unreachedFunctions.length,
    unreachedBranches: unreachedBranches.sort(byPlace).slice(0, MAX_UNREACHED),
    unreachedBranchCount: unreachedBranches.length,
    shaderVariants,
    ...(o.guidance !== undefined ? { guidance: o.guidance } : {}),
    ...(outputs !== undefined ? { outputs } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}
