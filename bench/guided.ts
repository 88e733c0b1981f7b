/**
 * `npm run bench:guided`: random vs coverage-guided generation on a planted bug hidden behind a
 * branch. The kernel (test/fixtures/kernels/branch-gated-bug.mjs) is a correct float64 conv
 * except on one path, taken only when C % 4 == 3 and the last stride is 2, where it zeroes the
 * last output column. For each seed, `conv-matches-reference` runs twice in a fresh kernel
 * process with the same budget — once with random shapes (coverage observed only: the same
 * cases as without it), once guided — and the table counts the seeds whose run reached the
 * buggy path and whose run failed (found the bug).
 *
 * Options: `--seeds N` (default 40), `--budget B` shapes per property (default 6, the browser's
 * default), `--runs R` cases per property (default 12), `--kernel PATH` (default the fixture).
 * Writes reports/guided.json and reports/guided.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIsolatedKernel } from '../src/runner/isolated-kernel.js';
import { verifyKernel } from '../src/runner/verify.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const arg = (name: string, d: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : d);
const seeds = Number(arg('seeds', '40'));
const budget = Number(arg('budget', '6'));
const runs = Number(arg('runs', '12'));
const kernelPath = arg('kernel', join(ROOT, 'test/fixtures/kernels/branch-gated-bug.mjs'));
/** The function behind the planted bug's branch. */
const GATED = arg('gated', kernelPath.includes('deep') ? 'remainder3Stride2Dilation2' : 'remainder3Stride2');

interface Outcome {
  found: boolean;
  reached: boolean;
  ms: number;
}

async function once(seed: number, guided: boolean): Promise<Outcome> {
  const k = await createIsolatedKernel(kernelPath, { timeoutMs: 10_000, coverage: {} });
  try {
    const t0 = Date.now();
    const r = await verifyKernel(k, {
      runs,
      seed,
      properties: ['conv-matches-reference'],
      shapeBudget: budget,
      // random vs guided: shapes drawn at random, not from the run's shape plan
      shapePlan: 'off',
      coverage: true,
      guided,
      shrinkBudgetMs: 1,
    });
    const unreached = r.kernelCoverage?.unreachedFunctions.map((f) => f.what) ?? [];
    return { found: r.status === 'failed', reached: !unreached.includes(GATED), ms: Date.now() - t0 };
  } finally {
    await k.close();
  }
}

const rows: Array<{ seed: number; random: Outcome; guided: Outcome }> = [];
for (let seed = 1; seed <= seeds; seed++) {
  const random = await once(seed, false);
  const guided = await once(seed, true);
  rows.push({ seed, random, guided });
  process.stderr.write(
    `seed ${seed}: random ${random.found ? 'FOUND' : random.reached ? 'reached' : '-'}, guided ${guided.found ? 'FOUND' : guided.reached ? 'reached' : '-'}\n`,
  );
}

const count = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length;
const summary = {
  date: new Date().toISOString(),
  command: `npm run bench:guided -- --seeds ${seeds} --budget ${budget} --runs ${runs}`,
  kernel: kernelPath.startsWith(ROOT) ? kernelPath.slice(ROOT.length + 1) : kernelPath,
  property: 'conv-matches-reference',
  seeds,
  shapeBudget: budget,
  runs,
  random: {
    found: count((r) => r.random.found),
    reached: count((r) => r.random.reached),
    meanMs: Math.round(rows.reduce((a, r) => a + r.random.ms, 0) / rows.length),
  },
  guided: {
    found: count((r) => r.guided.found),
    reached: count((r) => r.guided.reached),
    meanMs: Math.round(rows.reduce((a, r) => a + r.guided.ms, 0) / rows.length),
  },
  onlyGuided: count((r) => r.guided.found && !r.random.found),
  onlyRandom: count((r) => r.random.found && !r.guided.found),
};
const md = [
  `# Random vs coverage-guided generation (${summary.date})`,
  '',
  `\`${summary.command}\` — ${summary.property} on \`${summary.kernel}\`, ${budget} shapes per property, ${runs} cases, seeds 1–${seeds}.`,
  '',
  '| Generation | Seeds that reached the gated path | Seeds that found the bug | Mean time per run |',
  '| --- | ---: | ---: | ---: |',
  `| random | ${summary.random.reached}/${seeds} | ${summary.random.found}/${seeds} | ${summary.random.meanMs} ms |`,
  `| guided | ${summary.guided.reached}/${seeds} | ${summary.guided.found}/${seeds} | ${summary.guided.meanMs} ms |`,
  '',
  `Found by guided only: ${summary.onlyGuided} seeds; by random only: ${summary.onlyRandom} seeds.`,
  '',
].join('\n');
mkdirSync(join(ROOT, 'reports'), { recursive: true });
writeFileSync(join(ROOT, 'reports', 'guided.json'), `${JSON.stringify({ ...summary, rows }, null, 2)}\n`);
writeFileSync(join(ROOT, 'reports', 'guided.md'), md);
process.stdout.write(md);
