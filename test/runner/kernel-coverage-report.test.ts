/**
 * `buildKernelCoverageReport` (src/runner/kernel-coverage-report.ts) on a collector fed by hand:
 * the notes for nothing collected and for coverage only outside the kernel's files, the unreached
 * function of a real kernel file with its line, and shader variants with and without their source.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelCoverageCollector } from '../../src/runner/kernel-coverage.js';
import { LOAD_SIGNATURE } from '../../src/runner/kernel-coverage-probe.js';
import { buildKernelCoverageReport } from '../../src/runner/kernel-coverage-report.js';

let dir: string;
const SOURCE = 'export function used(a) {\n  return a + 1;\n}\nexport function never(a) {\n  return a - 1;\n}\n';
// a function whose `if` body never ran: V8 reports the body as a block range with count 0
const BRANCHY = 'export function f(a) {\n  if (a > 0) {\n    return 1;\n  }\n  return 2;\n}\n';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-kcov-report-'));
  await writeFile(join(dir, 'kernel.mjs'), SOURCE);
  await writeFile(join(dir, 'branch.mjs'), BRANCHY);
  await mkdir(join(dir, 'node_modules', 'lib'), { recursive: true });
  await writeFile(join(dir, 'node_modules', 'lib', 'index.js'), SOURCE);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** V8 block coverage of SOURCE: the module ran, `used` ran once, `never` did not. */
const scriptOf = (file: string) => ({
  url: pathToFileURL(file).href,
  source: SOURCE,
  functions: [
    { functionName: '', isBlockCoverage: true, ranges: [{ startOffset: 0, endOffset: SOURCE.length, count: 1 }] },
    { functionName: 'used', isBlockCoverage: true, ranges: [{ startOffset: 7, endOffset: 44, count: 1 }] },
    { functionName: 'never', isBlockCoverage: true, ranges: [{ startOffset: 51, endOffset: SOURCE.length - 1, count: 0 }] },
  ],
});

describe('buildKernelCoverageReport', () => {
  it('nothing collected: a note saying so, no files, the load not counted as a call', async () => {
    const c = new KernelCoverageCollector();
    c.onCall({ signature: LOAD_SIGNATURE, scripts: [] });
    const r = await buildKernelCoverageReport(c, { kernelName: 'k', libraries: false, cwd: dir });
    expect(r.calls).toBe(0);
    expect(r.files).toEqual([]);
    expect(r.note).toMatch(/^no code of the kernel's own files ran in its process or page/);
    expect(r).not.toHaveProperty('outputs');
    expect(r.guided).toBe(false);
  });
  it('coverage only in a library, without --coverage-libraries: collected, but none in the kernel’s files', async () => {
    const c = new KernelCoverageCollector();
    c.onCall({ signature: 'conv [1,1,3] [1,1,1] - {}', scripts: [scriptOf(join(dir, 'node_modules', 'lib', 'index.js'))] });
    const r = await buildKernelCoverageReport(c, { kernelName: 'k', libraries: false, cwd: dir });
    expect(r.calls).toBe(1);
    expect(r.files).toEqual([]);
    expect(r.note).toBe("coverage was collected, but none of it is in the kernel's own files");
  });
  it('a kernel file: its summary, the unreached function by name and line, the HTML and lcov written', async () => {
    const c = new KernelCoverageCollector();
    c.onCall({ signature: 'conv [1,1,3] [1,1,1] - {}', scripts: [scriptOf(join(dir, 'kernel.mjs'))] });
    const out = join(dir, 'out');
    const r = await buildKernelCoverageReport(c, { kernelName: 'k', libraries: false, cwd: dir, outputDir: out, guidance: [] });
    expect(r.note).toBeUndefined();
    expect(r.files.map((f) => f.path)).toEqual(['kernel.mjs']);
    expect(r.files[0].functions).toEqual({ covered: 1, total: 2 });
    expect(r.unreachedFunctions).toEqual([{ path: 'kernel.mjs', line: 4, what: 'never' }]);
    expect(r.unreachedFunctionCount).toBe(1);
    expect(r.outputs).toEqual({ html: join('out', 'index.html'), lcov: join('out', 'lcov.info') });
    expect(await readFile(join(out, 'lcov.info'), 'utf8')).toMatch(/FNDA:0,never/);
    expect(r.guided).toBe(true);
    expect(r.guidance).toEqual([]);
  });
  it('a branch never taken: listed with its line and its first line of code', async () => {
    const c = new KernelCoverageCollector();
    const body = BRANCHY.indexOf('{\n    return 1');
    c.onCall({
      signature: 'dense [1,2] [1,2] - {}',
      scripts: [
        {
          url: pathToFileURL(join(dir, 'branch.mjs')).href,
          source: BRANCHY,
          functions: [
            { functionName: '', isBlockCoverage: true, ranges: [{ startOffset: 0, endOffset: BRANCHY.length, count: 1 }] },
            {
              functionName: 'f',
              isBlockCoverage: true,
              ranges: [
                { startOffset: 7, endOffset: BRANCHY.length - 1, count: 1 },
                { startOffset: body, endOffset: BRANCHY.indexOf('}\n  return 2') + 1, count: 0 },
              ],
            },
          ],
        },
      ],
    });
    const r = await buildKernelCoverageReport(c, { kernelName: 'k', libraries: false, cwd: dir });
    expect(r.unreachedFunctions).toEqual([]);
    expect(r.unreachedBranchCount).toBeGreaterThanOrEqual(1);
    expect(r.unreachedBranches[0]).toMatchObject({ path: 'branch.mjs', line: 2 });
  });
  it('shader variants: the source written by kind (unknown kind: .txt), the first case, shapes counted', async () => {
    const c = new KernelCoverageCollector();
    c.beginCase('conv x=[1,1,3]');
    c.onCall({
      signature: 'conv [1,1,3] [1,1,1] - {}',
      scripts: [],
      shaders: { created: [{ key: 'aaa', kind: 'wgsl', source: '@compute fn main() {}' }], used: ['bbb'] },
    });
    c.endCase();
    c.onCall({ signature: 'conv [1,1,4] [1,1,1] - {}', scripts: [], shaders: { created: [], used: ['aaa'] } });
    const out = join(dir, 'shaders-out');
    const r = await buildKernelCoverageReport(c, { kernelName: 'k', libraries: false, cwd: dir, outputDir: out });
    expect(r.shaderVariants).toEqual([
      {
        key: 'aaa',
        kind: 'wgsl',
        shapes: ['conv [1,1,3] [1,1,1] - {}', 'conv [1,1,4] [1,1,1] - {}'],
        shapeCount: 2,
        firstCase: 'conv x=[1,1,3]',
        sourceFile: join('shaders-out', 'shaders', 'aaa.wgsl'),
      },
      { key: 'bbb', kind: 'unknown', shapes: ['conv [1,1,3] [1,1,1] - {}'], shapeCount: 1, firstCase: 'conv x=[1,1,3]' },
    ]);
    expect(await readFile(join(out, 'shaders', 'aaa.wgsl'), 'utf8')).toBe('@compute fn main() {}');
    const noDir = await buildKernelCoverageReport(c, { kernelName: 'k', libraries: false, cwd: dir });
    expect(noDir.shaderVariants[0]).not.toHaveProperty('sourceFile');
  });
});
