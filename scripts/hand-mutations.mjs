#!/usr/bin/env node
/**
 * Hand mutations of the error bound that Stryker cannot make (module-level constants such as
 * UNIT_ROUNDOFF are not switchable per mutant) or that matter most: each is applied to a copy of
 * the repository in a temporary directory (the working tree is never touched), the bound's tests
 * run there, and the failing tests are listed. Exits 1 when a hand mutation fails no test.
 *
 * Usage: node scripts/hand-mutations.mjs            (npm run mutation:hand; about 1 min)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const TESTS = ['test/bound/error-bound-edges.test.ts', 'test/property/judge.test.ts', 'properties/error-bound.test.ts'];

/** Each mutation: a file, a text that must occur exactly once, its replacement. */
const MUTATIONS = [
  { name: 'float32 unit roundoff 2^-24 → 2^-23', file: 'src/precision.ts', from: 'unitRoundoff: 2 ** -24,', to: 'unitRoundoff: 2 ** -23,' },
  { name: 'float16 unit roundoff 2^-11 → 2^-10', file: 'src/precision.ts', from: 'unitRoundoff: 2 ** -11,', to: 'unitRoundoff: 2 ** -10,' },
  { name: 'float64 unit roundoff 2^-53 → 2^-52', file: 'src/precision.ts', from: 'unitRoundoff: 2 ** -53,', to: 'unitRoundoff: 2 ** -52,' },
  {
    name: 'float16 subnormal rounding η 2^-25 → 2^-24',
    file: 'src/precision.ts',
    from: 'subnormalRounding: 2 ** -25,',
    to: 'subnormalRounding: 2 ** -24,',
  },
  {
    name: 'factor 2 on γ (elementwise model) → 1',
    file: 'src/bound/error-model.ts',
    from: '0 : 2 * g * magnitude[i])',
    to: '0 : 1 * g * magnitude[i])',
  },
  {
    name: 'factor 2 on γ (elementBound) → 1',
    file: 'src/bound/error-bound.ts',
    from: '0 : 2 * gamma(n, u) * magnitude)',
    to: '0 : 1 * gamma(n, u) * magnitude)',
  },
  {
    name: 'factor 2 on u|y| (elementwise model) → 1',
    file: 'src/bound/error-model.ts',
    from: ') + 2 * us * Math.abs(expected[i]) + eta;',
    to: ') + 1 * us * Math.abs(expected[i]) + eta;',
  },
  {
    name: 'factor 2 on u|y| (normwise model) → 1',
    file: 'src/bound/error-model.ts',
    from: 'scale + 2 * us * Math.abs(expected[i])',
    to: 'scale + 1 * us * Math.abs(expected[i])',
  },
  { name: 'γ(n) = n·u/(1 − n·u) → n·u (first order)', file: 'src/bound/error-bound.ts', from: ': nu / (1 - nu);', to: ': nu;' },
  { name: 'γ(n) = n·u/(1 − n·u) → n·u/(1 + n·u)', file: 'src/bound/error-bound.ts', from: ': nu / (1 - nu);', to: ': nu / (1 + nu);' },
  { name: 'γ(n) → γ(n − 1)', file: 'src/bound/error-bound.ts', from: 'const nu = n * u;', to: 'const nu = (n - 1) * u;' },
];

const work = mkdtempSync(join(tmpdir(), 'convcheck-hand-'));
const cleanup = () => rmSync(work, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

let survived = 0;
try {
  for (const entry of ['src', 'test', 'properties', 'package.json', 'tsconfig.json', 'vitest.mutation.config.ts']) {
    cpSync(join(ROOT, entry), join(work, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  for (const m of MUTATIONS) {
    const path = join(work, m.file);
    const original = readFileSync(path, 'utf8');
    if (original.split(m.from).length !== 2)
      throw new Error(`${m.file}: '${m.from}' must occur exactly once (update scripts/hand-mutations.mjs)`);
    writeFileSync(path, original.replace(m.from, m.to));
    const out = join(work, 'result.json');
    try {
      execFileSync('npx', ['vitest', 'run', '-c', 'vitest.mutation.config.ts', ...TESTS, '--reporter=json', `--outputFile=${out}`], {
        cwd: work,
        stdio: 'ignore',
      });
    } catch {
      // failing tests are the point; the JSON report says which
    }
    writeFileSync(path, original);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    const failed = result.testResults.flatMap((f) =>
      f.assertionResults.filter((t) => t.status === 'failed').map((t) => `${f.name.slice(work.length + 1)} > ${t.fullName}`),
    );
    if (failed.length === 0) survived++;
    console.log(`${failed.length === 0 ? 'SURVIVED' : 'killed  '}  ${m.name}: ${failed.length} of ${result.numTotalTests} tests fail`);
    for (const t of failed) console.log(`            ${t}`);
  }
} finally {
  cleanup();
}
console.log(
  survived === 0
    ? `\nhand-mutations: all ${MUTATIONS.length} detected`
    : `\nhand-mutations: ${survived} of ${MUTATIONS.length} not detected`,
);
process.exit(survived === 0 ? 0 : 1);
