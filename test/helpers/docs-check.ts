/**
 * Checks for the Markdown docs (README.md, docs/*.md): every `convcheck …` command quoted in code
 * names a real command and real flags, and every internal link (a relative file, `#anchor`, or
 * both) resolves, anchors by GitHub's heading slugs. Pure functions over text, so the test can
 * also show that each check fails on a planted mistake.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A Markdown page: its path (for messages and relative links) and its text. */
export interface Page {
  readonly path: string;
  readonly text: string;
}

/** The option table of the CLI: command → its options (without `--`). */
export type OptionTable = Readonly<Record<string, readonly string[]>>;

/** Options every command accepts, and the words that may follow `convcheck` directly. */
const GLOBAL = ['help', 'version'];
const GLOBAL_SHORT = ['-h', '-V', '-v'];

/** The code of a page: fenced blocks (as lines) and inline code spans, with their line numbers. */
export function codeSnippets(text: string): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  const lines = text.split('\n');
  let fence: string | undefined;
  let block: Array<{ line: number; code: string }> = [];
  lines.forEach((raw, i) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (fence !== undefined) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length) {
        fence = undefined;
        out.push(...joinContinuations(block));
        block = [];
      } else block.push({ line: i + 1, code: raw });
      return;
    }
    if (m) {
      fence = m[1];
      return;
    }
    for (const span of raw.matchAll(/(`+)([^`]|[^`].*?[^`])\1(?!`)/g)) out.push({ line: i + 1, code: span[2] });
  });
  return out;
}

/** In a code block, a usage line continued on the next, indented lines (`  [--flag X]`) is one command. */
function joinContinuations(block: Array<{ line: number; code: string }>): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  for (const b of block) {
    const prev = out[out.length - 1];
    if (prev !== undefined && /^\s+\[--/.test(b.code) && /convcheck/.test(prev.code)) prev.code += ` ${b.code.trim()}`;
    else out.push({ ...b });
  }
  return out;
}

/**
 * The `convcheck` commands in a piece of code: `convcheck` as a word of its own (also after
 * `npx` or a path such as `./node_modules/.bin/`), followed by a space and a command word or an
 * option. Output text such as `convcheck: …` or `convcheck 0.1.0` is not a command.
 */
export function commandsIn(code: string): string[] {
  const out: string[] = [];
  // comments (`# …` in shell and YAML, `// …` in code) are prose
  const uncommented = code.replace(/(^|\s)(#|\/\/)\s.*$/gm, '');
  for (const m of uncommented.matchAll(/(?:^|[\s/"'(])convcheck(?:\.js)? +([a-z-][^\n]*)/g)) {
    // one command: up to a comment, a pipe to another program, or a shell separator
    const rest = m[1].split(/\s+#\s|\s*(?:&&|;|\|\||\s\|\s(?!--))\s*/)[0];
    if (/^[a-z]/.test(rest) || rest.startsWith('-')) out.push(rest.trim());
  }
  return out;
}

/** What is wrong with one command (`verify --kernel K …`, without `convcheck`), or undefined. */
export function commandProblem(command: string, table: OptionTable): string | undefined {
  const words = command.split(/\s+/);
  const first = words[0];
  if (first.startsWith('-')) {
    const flags = command.match(/--?[A-Za-z][\w-]*/g) ?? [];
    const bad = flags.filter((f) => !GLOBAL.includes(f.replace(/^--/, '')) && !GLOBAL_SHORT.includes(f));
    return bad.length > 0 ? `unknown option ${bad.join(', ')} (before a command only --help and --version)` : undefined;
  }
  if (first === 'help') return undefined;
  const options = table[first];
  if (options === undefined) return `unknown command '${first}' (commands: ${Object.keys(table).join(', ')})`;
  const flags = [...command.matchAll(/(?:^|[\s[|(])--([A-Za-z][\w-]*)/g)].map((f) => f[1]);
  const bad = flags.filter((f) => !options.includes(f) && f !== 'help');
  return bad.length > 0 ? `convcheck ${first}: unknown option ${bad.map((f) => `--${f}`).join(', ')}` : undefined;
}

/** Every problem with the commands of `page`, as `path:line: message`. */
export function commandProblems(page: Page, table: OptionTable): string[] {
  const out: string[] = [];
  for (const { line, code } of codeSnippets(page.text)) {
    for (const command of commandsIn(code)) {
      const p = commandProblem(command, table);
      if (p !== undefined) out.push(`${page.path}:${line}: \`convcheck ${command}\`: ${p}`);
    }
  }
  return out;
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, punctuation dropped (letters,
 * digits, `_`, `-` and spaces stay), spaces turned into `-`; repeats get `-1`, `-2`, ….
 */
export function headingSlugs(text: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  let fence: string | undefined;
  for (const raw of text.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (f) {
      if (fence === undefined) fence = f[1];
      else if (f[1][0] === fence[0] && f[1].length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (!h) continue;
    const rendered = h[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, '') // inline HTML tags
      .replace(/[`*~]/g, '');
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** The Markdown links of a page outside code: `[text](target)`, with line numbers. */
export function linksIn(text: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const f = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (f) {
      if (fence === undefined) fence = f[1];
      else if (f[1][0] === fence[0] && f[1].length >= fence.length) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const prose = raw.replace(/(`+)([^`]|[^`].*?[^`])\1(?!`)/g, '');
    for (const m of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g))
      out.push({ line: i + 1, target: m[1] });
  });
  return out;
}

/**
 * Every internal link of `page` that does not resolve, as `path:line: message`. External links
 * (a scheme such as `https:`) are not followed. `readPage` reads a linked Markdown file (for its
 * anchors); by default from disk.
 */
export function linkProblems(page: Page, readPage: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  const out: string[] = [];
  for (const { line, target } of linksIn(page.text)) {
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const hash = target.indexOf('#');
    const file = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const path = file === '' ? page.path : resolve(dirname(page.path), file);
    const where = `${page.path}:${line}: link (${target})`;
    if (file !== '' && !existsSync(path)) {
      out.push(`${where}: ${file} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (file !== '' && (statSync(path).isDirectory() || !/\.md$/i.test(path))) {
      out.push(`${where}: an anchor into ${file}, which is not a Markdown page`);
      continue;
    }
    const slugs = headingSlugs(file === '' ? page.text : readPage(path));
    if (!slugs.has(anchor)) out.push(`${where}: no heading with anchor #${anchor} in ${file === '' ? 'this page' : file}`);
  }
  return out;
}

/** README.md and every Markdown page under docs/ (recursively), read from `root`. */
export function docPages(root: string): Page[] {
  const pages: Page[] = [];
  const readme = join(root, 'README.md');
  if (existsSync(readme)) pages.push({ path: readme, text: readFileSync(readme, 'utf8') });
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.md$/i.test(name)) pages.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(root, 'docs'));
  return pages;
}
