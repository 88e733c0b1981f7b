/**
 * The loopback kernel server (src/browser/server.ts) driven with fetch, as a page drives it: the
 * secret prefix, the page of a session, files and virtual files, and the long-poll message channel.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KernelServer, startKernelServer } from '../../src/browser/server.js';

let dir: string;
let server: KernelServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-server-'));
  await writeFile(join(dir, 'shader.wgsl'), '@compute fn main() {}');
  await writeFile(join(dir, 'data.bin'), new Uint8Array([1, 2, 3]));
  server = await startKernelServer();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const text = async (r: Response) => [r.status, await r.text()] as const;

describe('startKernelServer', () => {
  it('listens on 127.0.0.1 under a secret prefix; anything else is 404, with the isolation headers', async () => {
    expect(server.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
    const outside = await fetch(server.base.replace(/\/[0-9a-f]{32}$/, '/page/x'));
    expect(await text(outside)).toEqual([404, 'not found']);
    expect(outside.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await text(await fetch(`${server.base}/other/x`))).toEqual([404, 'not found']);
    expect(await text(await fetch(`${server.base}/rpc/x`))).toEqual([404, 'not found']); // rpc is POST only
  });
  it('a session’s page loads its script and names its rpc URL; an unknown or closed session has none', async () => {
    const url = server.openSession('s1', { onMessage: () => undefined }, join(dir, 'entry.js'));
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain(`globalThis.__convcheckRpc = "${server.base}/rpc/s1"`);
    expect(html).toContain(`src="${server.fileUrl(join(dir, 'entry.js'))}"`);
    expect(await text(await fetch(`${server.base}/page/nope`))).toEqual([404, 'no such session']);
    server.closeSession('s1');
    expect((await fetch(url)).status).toBe(404);
  });
  it('files: by extension, unknown extensions as octet-stream, a directory or missing file 404, a virtual file before the disk', async () => {
    const wgsl = await fetch(server.fileUrl(join(dir, 'shader.wgsl')));
    expect(wgsl.headers.get('content-type')).toBe('text/plain');
    expect(await wgsl.text()).toBe('@compute fn main() {}');
    const bin = await fetch(server.fileUrl(join(dir, 'data.bin')));
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await bin.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(await text(await fetch(server.fileUrl(dir)))).toEqual([404, `not found: ${dir}`]);
    expect((await fetch(server.fileUrl(join(dir, 'missing.js')))).status).toBe(404);
    server.setVirtualFile(join(dir, 'data.bin'), new TextEncoder().encode('bundle'), 'text/javascript');
    const v = await fetch(server.fileUrl(join(dir, 'data.bin')), { method: 'HEAD' });
    expect([v.status, v.headers.get('content-type')]).toEqual([200, 'text/javascript']);
  });
  it('rpc: a queued message answers the next post; a post with nothing queued waits; a newer post ends the older with 204', async () => {
    const got: string[] = [];
    server.openSession('s2', { onMessage: (b) => got.push(new TextDecoder().decode(b)) }, join(dir, 'entry.js'));
    const post = (body: string) => fetch(`${server.base}/rpc/s2`, { method: 'POST', body });
    server.send('s2', new TextEncoder().encode('first'));
    expect(await text(await post('ready'))).toEqual([200, 'first']);
    const waiting = post('result 1');
    await expect.poll(() => got.length).toBe(2);
    const newer = post('device lost');
    expect(await text(await waiting)).toEqual([204, '']);
    await expect.poll(() => got.length).toBe(3);
    server.send('s2', new TextEncoder().encode('second'));
    expect(await text(await newer)).toEqual([200, 'second']);
    expect(got).toEqual(['ready', 'result 1', 'device lost']);
    server.send('gone', new TextEncoder().encode('dropped')); // an unknown session: nothing happens
    const last = post('result 2');
    await expect.poll(() => got.length).toBe(4);
    server.closeSession('s2');
    expect(await text(await last)).toEqual([410, 'session closed']);
    expect(await text(await post('late'))).toEqual([410, 'session closed']);
  });
});
