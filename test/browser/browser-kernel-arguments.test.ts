/**
 * `createBrowserKernel` and `launchChromium` reject bad arguments before any browser starts:
 * typed errors naming the function, the argument and the value (or the module spec).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserKernel } from '../../src/browser/browser-kernel.js';
import { launchChromium } from '../../src/browser/launch.js';
import { InvalidArgumentError, KernelLoadError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-browser-args-'));
  await mkdir(join(dir, 'kernel.js'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error `run` rejects with (fails the test if it resolves). */
async function rejection(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

// an executable that does not exist: each case must fail before a browser is launched
const options = { timeoutMs: 1000, executable: '/nonexistent/chromium' };

describe('createBrowserKernel', () => {
  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('timeoutMs %s is an InvalidArgumentError', async (timeoutMs) => {
    const e = await rejection(() => createBrowserKernel('kernel.js', { ...options, timeoutMs, cwd: dir }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ fn: 'createBrowserKernel', argument: 'timeoutMs', code: 'ERR_INVALID_ARGUMENT' });
    expect((e as InvalidArgumentError).value).toBe(timeoutMs);
    expect(e.message).toBe(`createBrowserKernel: timeoutMs must be a positive number, got ${timeoutMs}`);
  });
  it('a module with an extension that is no JavaScript or TypeScript: KernelLoadError naming the extension', async () => {
    const e = await rejection(() => createBrowserKernel('kernel.wasm', { ...options, cwd: dir }));
    expect(e).toBeInstanceOf(KernelLoadError);
    expect(e.message).toBe("kernel.wasm: unsupported file extension '.wasm'; a kernel module must be .js, .mjs, .cjs, .ts, .mts, .cts");
  });
  it('a module without an extension: the message says (none)', async () => {
    const e = await rejection(() => createBrowserKernel(join(dir, 'kernel'), options));
    expect(e).toBeInstanceOf(KernelLoadError);
    expect(e.message).toMatch(/kernel: unsupported file extension '\(none\)'/);
  });
  it('a missing module, and a directory named like a module: file not found', async () => {
    const missing = await rejection(() => createBrowserKernel('missing.ts', { ...options, cwd: dir }));
    expect(missing).toBeInstanceOf(KernelLoadError);
    expect(missing).toMatchObject({ file: 'missing.ts', message: 'missing.ts: file not found' });
    const directory = await rejection(() => createBrowserKernel('kernel.js', { ...options, cwd: dir }));
    expect(directory).toBeInstanceOf(KernelLoadError);
    expect(directory.message).toBe('kernel.js: file not found');
  });
});

describe('launchChromium', () => {
  it.each([0, -1])('timeoutMs %s is an InvalidArgumentError', async (timeoutMs) => {
    const e = await rejection(() => launchChromium('/nonexistent/chromium', { timeoutMs }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ fn: 'launchChromium', argument: 'timeoutMs', value: timeoutMs });
    expect(e.message).toBe(`launchChromium: timeoutMs must be > 0, got ${timeoutMs}`);
  });
  it('an executable that does not exist: KernelLoadError naming it (Chromium did not start)', async () => {
    const e = await rejection(() => launchChromium('/nonexistent/chromium', { timeoutMs: 10_000 }));
    expect(e).toBeInstanceOf(KernelLoadError);
    expect(e.message).toMatch(/^\/nonexistent\/chromium: Chromium did not start: /);
  });
});
