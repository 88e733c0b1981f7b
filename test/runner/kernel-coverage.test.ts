/**
 * Kernel coverage (`--coverage`): V8 block coverage of a Node kernel module's own files taken in
 * its process, the report files (monocart's HTML view, lcov) and the report section listing the
 * functions and branches never reached; shader-variant keys; the bookkeeping that decides what
 * a case reached first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { referenceKernel } from '../../src/kernels/reference.js';
import { MarkdownReportWriter } from '../../src/reports/markdown.js';
import { HtmlReportWriter } from '../../src/reports/html.js';
import { createIsolatedKernel } from '../../src/runner/isolated-kernel.js';
import { coveredSegments, IntervalSet, KernelCoverageCollector } from '../../src/runner/kernel-coverage.js';
import { shaderVariantKey } from '../../src/runner/kernel-coverage-probe.js';
import type { VerificationReport } from '../../src/runner/report.js';
import { verifyKernel } from '../../src/runner/verify.js';

const FIXTURE = 'test/fixtures/kernels/branch-gated.mjs';
/** The line of `if (rank === 3) return volumetric(…)` in the fixture: ranks 1 and 2 only are declared. */
const RANK3_LINE =
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('return volumetric(')) + 1;
/** The line of `function volumetric`, which only that branch calls. */
const VOLUMETRIC_LINE =
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .findIndex((l) => l.startsWith('function volumetric')) + 1;

describe('shaderVariantKey', () => {
  it('is the same for sources that differ only in numeric literals, different for another code path', () => {
    const a = 'const TILE = 16u; fn main() { let x = vec4<f32>(0.5, 1e-3, 2.0, 3); for (var i = 0u; i < 64u; i++) {} }';
    const b = 'const TILE = 32u; fn main() { let x = vec4<f32>(0.25, 2e-3, 4.0, 7); for (var i = 0u; i < 128u; i++) {} }';
    const c = 'const TILE = 16u; fn main() { let x = vec2<f32>(0.5, 1e-3); for (var i = 0u; i < 64u; i++) {} }';
    expect(shaderVariantKey(a)).toBe(shaderVariantKey(b));
    expect(shaderVariantKey(a)).not.toBe(shaderVariantKey(c));
    // vec4 → vec2 is a change of identifier, not of a literal
    expect(shaderVariantKey('vec4')).not.toBe(shaderVariantKey('vec2'));
  });
});

describe('what a case reached first', () => {
  it('coveredSegments: a position counts as its innermost range says', () => {
    // function [0,100) called once; block [20,40) not run; inside it, block [25,30) run (count 2)
    const f = {
      functionName: 'f',
      isBlockCoverage: true,
      ranges: [
        { startOffset: 0, endOffset: 100, count: 1 },
        { startOffset: 20, endOffset: 40, count: 0 },
        { startOffset: 25, endOffset: 30, count: 2 },
      ],
    };
    expect(coveredSegments(f)).toEqual([
      [0, 20],
      [25, 30],
      [40, 100],
    ]);
  });

  it('IntervalSet.add is true only when something new is covered', () => {
    const s = new IntervalSet();
    expect(s.add(10, 20)).toBe(true);
    expect(s.add(12, 18)).toBe(false);
    expect(s.add(30, 40)).toBe(true);
    expect(s.add(15, 35)).toBe(true);
    expect(s.add(10, 40)).toBe(false);
    expect(s.size).toBe(30);
  });

  it('a case is new when a function covers more than before, or uses a shader variant not seen before', () => {
    const c = new KernelCoverageCollector();
    const take = (count: number) => ({
      url: 'file:///k.mjs',
      functions: [
        {
          functionName: 'f',
          isBlockCoverage: true,
          ranges: [
            { startOffset: 0, endOffset: 50, count: 1 },
            { startOffset: 10, endOffset: 20, count },
          ],
        },
      ],
    });
    c.beginCase('a');
    c.onCall({ signature: 'conv a', scripts: [take(0)] });
    expect(c.endCase()).toEqual({ newBlocks: 1, newVariants: 0 });
    c.beginCase('b');
    c.onCall({ signature: 'conv b', scripts: [take(0)] });
    expect(c.endCase()).toEqual({ newBlocks: 0, newVariants: 0 });
    c.beginCase('c');
    c.onCall({ signature: 'conv c', scripts: [take(3)], shaders: { created: [{ key: 'k1', kind: 'wgsl', source: 'x' }], used: ['k1'] } });
    expect(c.endCase()).toEqual({ newBlocks: 1, newVariants: 1 });
    c.beginCase('d');
    c.onCall({ signature: 'conv d', scripts: [], shaders: { created: [], used: ['k1'] } });
    expect(c.endCase()).toEqual({ newBlocks: 0, newVariants: 0 });
    expect(c.shaderVariants().map((v) => [v.key, [...v.shapes], v.firstCase])).toEqual([['k1', ['conv c', 'conv d'], 'c']]);
  });
});

describe('--coverage of a Node kernel module', () => {
  let dir: string;
  let report: VerificationReport;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'convcheck-kcov-test-'));
    const k = await createIsolatedKernel(FIXTURE, { timeoutMs: 10_000, coverage: {} });
    try {
      report = await verifyKernel(k, {
        runs: 30,
        seed: 5,
        properties: ['conv-matches-reference'],
        coverage: { outputDir: join(dir, 'kernel-coverage') },
      });
    } finally {
      await k.close();
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists the kernel files, not convcheck’s own code, and the rank-3 branch the run never reached', () => {
    const kc = report.kernelCoverage!;
    expect(report.status).toBe('passed');
    // the 30 cases plus the numerics probe's calls before them (one per probe the kernel answered)
    expect(kc.calls).toBe(30 + (report.platformNumerics?.probedWith.length ?? 0));
    expect(kc.files.map((f) => f.path)).toEqual(['test/fixtures/kernels/branch-gated.mjs', 'test/fixtures/kernels/naive.mjs']);
    expect(kc.unreachedFunctions).toContainEqual({
      path: 'test/fixtures/kernels/branch-gated.mjs',
      line: VOLUMETRIC_LINE,
      what: 'volumetric',
    });
    expect(kc.unreachedBranches).toContainEqual({
      path: 'test/fixtures/kernels/branch-gated.mjs',
      line: RANK3_LINE,
      what: 'return volumetric(x, w, b, attrs);',
    });
    // the conv path ran: its function is not among those never reached
    expect(kc.unreachedFunctions.map((f) => f.what)).not.toContain('conv');
    expect(kc.shaderVariants).toEqual([]);
  });

  it('writes the HTML view and lcov, and the Markdown and HTML reports carry the section', () => {
    const kc = report.kernelCoverage!;
    expect(kc.outputs?.html).toMatch(/kernel-coverage[\\/]index\.html$/);
    expect(existsSync(join(dir, 'kernel-coverage', 'index.html'))).toBe(true);
    const lcov = readFileSync(join(dir, 'kernel-coverage', 'lcov.info'), 'utf8');
    expect(lcov).toMatch(/SF:.*branch-gated\.mjs/);
    // the rank-3 line was never hit
    expect(lcov).toContain(`DA:${RANK3_LINE},`);
    expect(lcov).not.toMatch(/SF:.*src[\\/]runner/);
    const md = new MarkdownReportWriter().render(report);
    expect(md).toContain('## Kernel coverage');
    expect(md).toContain(`\`test/fixtures/kernels/branch-gated.mjs:${RANK3_LINE}\` \`return volumetric(x, w, b, attrs);\``);
    const html = new HtmlReportWriter().render(report);
    expect(html).toContain('<h2>Kernel coverage</h2>');
    expect(html).toContain(`branch-gated.mjs:${RANK3_LINE}`);
  });

  it('coverage only observes: the same cases run as without it', async () => {
    const k = await createIsolatedKernel(FIXTURE, { timeoutMs: 10_000 });
    try {
      const plain = await verifyKernel(k, { runs: 30, seed: 5, properties: ['conv-matches-reference'] });
      expect(plain.coverage).toEqual(report.coverage);
      expect(plain.kernelCoverage).toBeUndefined();
    } finally {
      await k.close();
    }
  });

  it('a kernel in this process cannot report coverage: a typed error naming the option', async () => {
    const e = await verifyKernel(referenceKernel, { runs: 1, coverage: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect((e as InvalidArgumentError).argument).toBe('coverage');
  });
});
