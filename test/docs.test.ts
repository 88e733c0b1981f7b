/**
 * The docs keep their promises: every `convcheck …` command quoted in README.md and docs/**.md
 * names a real command and real flags (the parser's own option table), every internal link and
 * anchor resolves, and docs/catalog.md is what `npm run docs:catalog` generates. Whatever pages
 * exist are checked, so pages added later are covered without a change here.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_PAGE, catalogTable, listedProperties, withCatalogTable } from '../scripts/docs-catalog.js';
import { OPTION_TABLE } from '../src/cli/args.js';
import { builtinKernelNames } from '../src/kernels/registry.js';
import { codeSnippets, commandProblem, commandProblems, commandsIn, docPages, headingSlugs, linkProblems } from './helpers/docs-check.js';

const ROOT = resolve(__dirname, '..');
const pages = docPages(ROOT);
const table = OPTION_TABLE.commands;

describe('docs', () => {
  it('README.md and docs/ exist, and the README stays a short entry (≤ 250 lines)', () => {
    expect(pages.map((p) => p.path)).toContain(join(ROOT, 'README.md'));
    expect(pages.filter((p) => p.path.includes(`${join(ROOT, 'docs')}`)).length).toBeGreaterThanOrEqual(10);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
  });

  it('every convcheck command in the docs names a real command and real flags', () => {
    const commands = pages.flatMap((p) => commandProblems(p, table));
    expect(commands).toEqual([]);
    // the check sees the commands at all: dozens are quoted, verify, replay and list among them
    const quoted = pages.flatMap((p) => codeSnippets(p.text).flatMap((s) => commandsIn(s.code)));
    expect(quoted.length).toBeGreaterThanOrEqual(20);
    const named = new Set(quoted.map((c) => c.split(' ')[0]));
    for (const command of ['verify', 'replay', 'list']) expect(named).toContain(command);
  });

  it('every internal link and anchor resolves', () => {
    expect(pages.flatMap((p) => linkProblems(p))).toEqual([]);
  });

  it('docs/contract.md names every built-in kernel of the table', () => {
    const contract = readFileSync(join(ROOT, 'docs', 'contract.md'), 'utf8');
    expect(builtinKernelNames.filter((name) => !contract.includes(`\`${name}\``))).toEqual([]);
  });

  it(`${CATALOG_PAGE} is up to date with convcheck list (run npm run docs:catalog)`, async () => {
    const page = readFileSync(join(ROOT, CATALOG_PAGE), 'utf8');
    expect(page).toBe(withCatalogTable(page, catalogTable(await listedProperties())));
  });
});

describe('the docs checks fail on planted mistakes', () => {
  it('finds commands in inline code and blocks, also after npx and a bin path, and not in output text', () => {
    expect(commandsIn('npx convcheck verify --kernel K --seed 1   # comment --no')).toEqual(['verify --kernel K --seed 1']);
    expect(commandsIn('./node_modules/.bin/convcheck replay f.json --kernel k && echo --x')).toEqual(['replay f.json --kernel k']);
    expect(commandsIn('convcheck: cannot load kernel')).toEqual([]);
    expect(commandsIn('convcheck 0.1.0: verifying')).toEqual([]);
  });

  it('an unknown flag, a flag of another command and an unknown command are problems; real ones are not', () => {
    expect(commandProblem('verify --kernel K --runs 5 --every-layer', table)).toBeUndefined();
    expect(commandProblem('verify [--kernel K] [--size small|default|large|production]', table)).toBeUndefined();
    expect(commandProblem('--help | --version', table)).toBeUndefined();
    expect(commandProblem('verify --kernal K', table)).toMatch(/unknown option --kernal/);
    expect(commandProblem('replay f.json --runs 3', table)).toMatch(/unknown option --runs/);
    expect(commandProblem('verfy --kernel K', table)).toMatch(/unknown command 'verfy'/);
    expect(commandProblems({ path: 'x.md', text: 'run `npx convcheck verify --sed 1`\n' }, table)).toEqual([
      'x.md:1: `convcheck verify --sed 1`: convcheck verify: unknown option --sed',
    ]);
    expect(
      commandProblems({ path: 'x.md', text: '```\nconvcheck verify [--kernel K]\n                 [--bogus X]\n```\n' }, table),
    ).toHaveLength(1);
  });

  it('GitHub heading slugs: punctuation dropped, code and links rendered, repeats numbered', () => {
    const slugs = headingSlugs(
      '# A\n## Real model layers (`--size production`, `--shapes`)\n## FC ≡ conv: the question\n## Why the installed binary, not `npx`\n## A\n```\n# not a heading\n```\n',
    );
    expect([...slugs]).toEqual([
      'a',
      'real-model-layers---size-production---shapes',
      'fc--conv-the-question',
      'why-the-installed-binary-not-npx',
      'a-1',
    ]);
  });

  it('a missing file, a missing anchor and an anchor into a missing heading of another page are problems', () => {
    const page = {
      path: join(ROOT, 'docs', 'x.md'),
      text: '# Here\n[a](#here) [b](#there) [c](cli.md#exit-codes) [d](cli.md#nope) [e](nope.md) `[f](nope.md)` [g](https://example.com/#x)\n',
    };
    const problems = linkProblems(page);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/#there/);
    expect(problems[1]).toMatch(/#nope in cli\.md/);
    expect(problems[2]).toMatch(/nope\.md does not exist/);
  });
});
