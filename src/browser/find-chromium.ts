/**
 * Where the Chromium that runs browser kernels is: `CONVCHECK_CHROMIUM` (a path) if set, else
 * Debian's `/usr/bin/chromium` and `/usr/lib/chromium/chromium-headless-shell`, else the newest
 * build in Playwright's cache (`PLAYWRIGHT_BROWSERS_PATH` or `~/.cache/ms-playwright`). convcheck
 * never downloads a browser.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BrowserNotFoundError } from '../errors.js';

/** The fixed places looked at after `CONVCHECK_CHROMIUM`. */
export const SYSTEM_CHROMIUM_PATHS: readonly string[] = ['/usr/bin/chromium', '/usr/lib/chromium/chromium-headless-shell'];

/** How to get a browser, in one line (the exit-2 message ends with it). */
export const GET_CHROMIUM_HINT =
  'install one with `apt-get install chromium` (Debian/Ubuntu) or `npx playwright install chromium`, or set CONVCHECK_CHROMIUM to its path';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Chromium executables in a Playwright browsers directory, newest build first. */
export function playwrightCacheCandidates(root: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const build = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? 0);
  const dirs = entries.filter((e) => /^chromium(_headless_shell)?-\d+$/.test(e)).sort((a, b) => build(b) - build(a));
  const out: string[] = [];
  for (const d of dirs) {
    for (const rel of [
      'chrome-linux/chrome',
      'chrome-linux64/chrome',
      'chrome-linux/headless_shell',
      'chrome-headless-shell-linux64/chrome-headless-shell',
    ]) {
      out.push(join(root, d, rel));
    }
  }
  return out;
}

/**
 * The Chromium executable to launch. Throws `BrowserNotFoundError` (exit code 2 in the CLI)
 * naming what was searched and how to get one; a `CONVCHECK_CHROMIUM` that points nowhere is an
 * error too (it is not silently replaced by another browser).
 * @example const exe = findChromium(process.env);
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env, systemPaths: readonly string[] = SYSTEM_CHROMIUM_PATHS): string {
  const given = env.CONVCHECK_CHROMIUM;
  if (given !== undefined && given.trim() !== '') {
    if (isExecutableFile(given)) return given;
    throw new BrowserNotFoundError([given], `CONVCHECK_CHROMIUM=${given} is not an executable file; ${GET_CHROMIUM_HINT}`);
  }
  const cache =
    env.PLAYWRIGHT_BROWSERS_PATH && env.PLAYWRIGHT_BROWSERS_PATH !== '0'
      ? env.PLAYWRIGHT_BROWSERS_PATH
      : join(env.HOME ?? homedir(), '.cache', 'ms-playwright');
  const candidates = [...systemPaths, ...playwrightCacheCandidates(cache)];
  const found = candidates.find(isExecutableFile);
  if (found !== undefined) return found;
  throw new BrowserNotFoundError(
    [...systemPaths, cache],
    `no Chromium found (looked at CONVCHECK_CHROMIUM, ${[...systemPaths, cache].join(', ')}); ${GET_CHROMIUM_HINT}`,
  );
}
