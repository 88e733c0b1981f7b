/**
 * The loopback kernel server (src/browser/server.ts) driven with fetch, as a page drives it: the
 * secret prefix, the page of a session, files and virtual files, and the session's WebSocket.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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
    expect(await text(await fetch(`${server.base}/ws/x`))).toEqual([404, 'not found']); // a WebSocket only
  });
  it('a session’s page loads its script and names its rpc URL; an unknown or closed session has none', async () => {
    const url = server.openSession('s1', { onMessage: () => undefined }, join(dir, 'entry.js'));
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain(`globalThis.__convcheckRpc = "${server.base.replace('http:', 'ws:')}/ws/s1"`);
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
  it('the WebSocket: messages queued before the page connects arrive first, in order; both ways; closing the session closes it', async () => {
    const got: string[] = [];
    server.openSession('s2', { onMessage: (b) => got.push(new TextDecoder().decode(b)) }, join(dir, 'entry.js'));
    server.send('s2', new TextEncoder().encode('first'));
    server.send('s2', new TextEncoder().encode('second'));
    const url = `${server.base.replace('http:', 'ws:')}/ws/s2`;
    const ws = new WebSocket(url);
    const received: string[] = [];
    ws.on('message', (d: Buffer) => received.push(d.toString()));
    const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
    await new Promise((resolve) => ws.on('open', resolve));
    await expect.poll(() => received).toEqual(['first', 'second']);
    ws.send(new TextEncoder().encode('ready'));
    ws.send(new TextEncoder().encode('result 1'));
    await expect.poll(() => got).toEqual(['ready', 'result 1']);
    server.send('s2', new TextEncoder().encode('third'));
    await expect.poll(() => received.length).toBe(3);
    // a second socket for a session already connected is refused
    const second = new WebSocket(url);
    await expect(new Promise((resolve, reject) => second.on('open', resolve).on('error', (e: Error) => reject(e)))).rejects.toThrow(/404/);
    server.send('gone', new TextEncoder().encode('dropped')); // an unknown session: nothing happens
    server.closeSession('s2');
    expect(await closed).toBe(1000);
    // a closed or unknown session has no socket
    const late = new WebSocket(url);
    await expect(new Promise((resolve, reject) => late.on('open', resolve).on('error', (e: Error) => reject(e)))).rejects.toThrow(/404/);
    const outside = new WebSocket(url.replace(/\/[0-9a-f]{32}\//, '/'));
    await expect(new Promise((resolve, reject) => outside.on('open', resolve).on('error', (e: Error) => reject(e)))).rejects.toThrow(/404/);
  });
});
