/**
 * The loopback HTTP server kernel pages are loaded from and talk to. It listens on 127.0.0.1
 * only, on a random port, and answers only under a random secret prefix, so nothing else on
 * the machine can use it. Every response carries COOP/COEP/CORP headers, so the page is
 * `crossOriginIsolated` (SharedArrayBuffer, high-resolution timers, threaded WASM).
 *
 * - `GET  /<secret>/page/<id>`  the page of session `id` (loads the bundle as a module);
 * - `GET  /<secret>/fs/<absolute path>`  a file from disk: the bundle (served from memory at
 *   a path next to the kernel module), and anything the kernel fetches relative to its own
 *   `import.meta.url` (WGSL/GLSL sources, `.wasm` files of npm packages);
 * - `GET  /<secret>/ws/<id>`  the session's WebSocket: binary messages (`wire.ts`) both ways, the
 *   page's replies and Node's requests. One kernel call is one message each way (about half a
 *   millisecond on loopback; a long-polled `fetch` per call took 5–9 ms in Chromium, which a
 *   browser run of thousands of calls felt).
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.wgsl': 'text/plain',
  '.glsl': 'text/plain',
  '.txt': 'text/plain',
};

/** One page's channel: what it sent, and what to send it next. */
export interface PageChannel {
  /** Called with each message body the page posts. */
  onMessage(body: Uint8Array): void;
}

interface Session {
  readonly channel: PageChannel;
  /** The page's WebSocket, once it has connected. */
  socket: WebSocket | undefined;
  /** Messages sent before the page connected, in order. */
  readonly outbox: Uint8Array[];
}

/** A running kernel server. */
export interface KernelServer {
  /** `http://127.0.0.1:<port>/<secret>` — every URL starts with it. */
  readonly base: string;
  /** The URL a file on disk is served at. */
  fileUrl(absolutePath: string): string;
  /** Serves `bytes` at `fileUrl(absolutePath)` instead of the file (the bundle). */
  setVirtualFile(absolutePath: string, bytes: Uint8Array, contentType: string): void;
  /** Opens a session; its page is at the returned URL. */
  openSession(id: string, channel: PageChannel, scriptPath: string): string;
  /** Queues a message for a session's page. */
  send(id: string, body: Uint8Array): void;
  /** Forgets a session (its WebSocket is closed). */
  closeSession(id: string): void;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (random port). */
export async function startKernelServer(): Promise<KernelServer> {
  const secret = randomBytes(16).toString('hex');
  const sessions = new Map<string, Session>();
  const virtual = new Map<string, { bytes: Uint8Array; type: string }>();
  const pages = new Map<string, string>();

  const reply = (res: ServerResponse, status: number, type: string, body: Uint8Array | string) => {
    res.writeHead(status, { ...ISOLATION_HEADERS, 'content-type': type });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = `/${secret}/`;
    if (!url.pathname.startsWith(prefix)) return reply(res, 404, 'text/plain', 'not found');
    const rest = url.pathname.slice(prefix.length);
    const [kind, ...tail] = rest.split('/');
    if (kind === 'page' && req.method === 'GET') {
      const html = pages.get(tail.join('/'));
      return html === undefined ? reply(res, 404, 'text/plain', 'no such session') : reply(res, 200, 'text/html; charset=utf-8', html);
    }
    if (kind === 'fs' && (req.method === 'GET' || req.method === 'HEAD')) {
      const path = decodeURIComponent(`/${tail.join('/')}`);
      const v = virtual.get(path);
      if (v) return reply(res, 200, v.type, v.bytes);
      try {
        if (!(await stat(path)).isFile()) throw new Error('not a file');
        const bytes = await readFile(path);
        return reply(res, 200, CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', bytes);
      } catch {
        return reply(res, 404, 'text/plain', `not found: ${path}`);
      }
    }
    return reply(res, 404, 'text/plain', 'not found');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, 'text/plain', e instanceof Error ? e.message : String(e));
    });
  });
  // A session's WebSocket: only under the secret prefix, only for an open session, only once.
  // No payload limit: a production-tier call carries tensors of hundreds of megabytes.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 0 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const prefix = `/${secret}/ws/`;
    const id = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    const session = id === undefined ? undefined : sessions.get(id);
    if (session === undefined || session.socket !== undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      if (sessions.get(id!) !== session) return ws.close(1000, 'session closed');
      session.socket = ws;
      ws.binaryType = 'nodebuffer';
      ws.on('message', (data: Buffer) => session.channel.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
      ws.on('error', () => undefined); // a page that goes away closes the socket; the kernel host notices the page
      for (const body of session.outbox.splice(0)) ws.send(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}/${secret}`;
  const fileUrl = (p: string) => `${base}/fs${p.split('/').map(encodeURIComponent).join('/')}`;

  const kernelServer: KernelServer = {
    base,
    fileUrl,
    setVirtualFile(p, bytes, type) {
      virtual.set(p, { bytes, type });
    },
    openSession(id, channel, scriptPath) {
      sessions.set(id, { channel, socket: undefined, outbox: [] });
      pages.set(
        id,
        `<!doctype html><meta charset="utf-8"><title>convcheck kernel page</title>` +
          `<script>globalThis.__convcheckRpc = ${JSON.stringify(`${base.replace(/^http:/, 'ws:')}/ws/${id}`)};</script>` +
          `<script type="module" src="${fileUrl(scriptPath)}"></script>`,
      );
      return `${base}/page/${id}`;
    },
    send(id, body) {
      const s = sessions.get(id);
      if (s === undefined) return;
      if (s.socket !== undefined) s.socket.send(body);
      else s.outbox.push(body);
    },
    closeSession(id) {
      const s = sessions.get(id);
      sessions.delete(id);
      pages.delete(id);
      s?.socket?.close(1000, 'session closed');
    },
    close() {
      for (const id of [...sessions.keys()]) kernelServer.closeSession(id);
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return kernelServer;
}
