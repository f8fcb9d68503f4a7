// --online against hosts that misbehave: endless, huge or trickled bodies, headers that never end,
// silence after connect, redirect loops. Each probe must end with its coded outcome, read no body,
// and close every connection it opened (a connection left draining keeps the process alive).
import { createServer as createHttpServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUrl, checkUrls } from '../../src/net/url-check.js';

/** Open connections per server, so a test can wait until the client has closed every one of them. */
class Connections {
  private open = new Set<Socket>();
  private waiting: Array<() => void> = [];
  accepted = 0;

  track(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.accepted++;
      this.open.add(socket);
      socket.on('close', () => {
        this.open.delete(socket);
        if (this.open.size === 0) for (const resolve of this.waiting.splice(0)) resolve();
      });
    });
  }

  /** Resolves once no connection is open; a client that leaves one open makes the test time out. */
  allClosed(): Promise<void> {
    return this.open.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}

const GiB = 1024 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x41);

let http: { url: string; server: Server; conns: Connections; sent: Map<string, number> };
let silent: { url: string; server: Server; conns: Connections };
let slowHeaders: { url: string; server: Server; conns: Connections };
const timers = new Set<NodeJS.Timeout>();

/** Writes `limit` bytes (endless by default) as fast as the client takes them, counting them under `key`. */
function pour(res: ServerResponse, key: string, limit = Infinity): void {
  let written = 0;
  const more = () => {
    while (written < limit && !res.destroyed) {
      written += CHUNK.length;
      http.sent.set(key, (http.sent.get(key) ?? 0) + CHUNK.length);
      if (!res.write(CHUNK)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

/** One byte every 10 ms, for ever (until the client goes). */
function trickle(socket: {
  write(b: string): unknown;
  destroyed: boolean;
  once(e: 'close', f: () => void): unknown;
}) {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write('a');
  }, 10);
  timers.add(timer);
  socket.once('close', () => {
    clearInterval(timer);
    timers.delete(timer);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const conns = new Connections();
  const server = createHttpServer((req, res) => {
    const path = req.url ?? '';
    // every host here refuses HEAD, so the probe falls back to the ranged GET the attacks aim at
    if (req.method === 'HEAD') return void res.writeHead(405).end();
    if (path === '/endless') {
      res.writeHead(206, { 'content-range': 'bytes 0-0/1' });
      pour(res, path);
    } else if (path === '/huge') {
      res.writeHead(200, { 'content-length': String(GiB) });
      pour(res, path, GiB);
    } else if (path === '/trickle') {
      res.writeHead(206, { 'content-type': 'application/octet-stream' });
      res.flushHeaders();
      trickle(res.socket!);
    } else if (path.startsWith('/loop')) {
      // every hop a new connection; /loop-body also pours an endless body into each redirect
      res.writeHead(302, { location: path });
      if (path === '/loop-body') pour(res, path);
      else res.end();
    } else res.writeHead(404).end();
  });
  conns.track(server);
  http = { url: await listen(server), server, conns, sent: new Map() };

  // accepts, reads (so it sees the client close), says nothing
  const quiet = createTcpServer((socket) => void socket.resume());
  const quietConns = new Connections();
  quietConns.track(quiet);
  silent = { url: await listen(quiet), server: quiet, conns: quietConns };

  const headers = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.resume();
    socket.write('HTTP/1.1 200 OK\r\nx-never-ends: ');
    trickle(socket);
  });
  const headerConns = new Connections();
  headerConns.track(headers);
  slowHeaders = { url: await listen(headers), server: headers, conns: headerConns };
});

afterAll(() => {
  for (const t of timers) clearInterval(t);
  for (const s of [http.server, silent.server, slowHeaders.server]) {
    (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    s.close();
  }
});

const TIMEOUT = { timeoutMs: 1500 };

describe('hostile download hosts', () => {
  it('an endless ranged-GET body: present, the connection closed after the headers', async () => {
    const r = await checkUrl(`${http.url}/endless`, TIMEOUT);
    expect(r).toMatchObject({ status: 'present', httpStatus: 206, method: 'GET', error: null });
    await http.conns.allClosed();
  });

  it('a 1 GiB body: present, and the host gets to send only what the socket buffers hold', async () => {
    const r = await checkUrl(`${http.url}/huge`, TIMEOUT);
    expect(r).toMatchObject({ status: 'present', httpStatus: 200, method: 'GET' });
    await http.conns.allClosed();
    expect(http.sent.get('/huge')).toBeLessThan(GiB / 16);
  });

  it('a body trickled a byte at a time: present, without waiting for it', async () => {
    const r = await checkUrl(`${http.url}/trickle`, TIMEOUT);
    expect(r).toMatchObject({ status: 'present', httpStatus: 206 });
    await http.conns.allClosed();
  });

  it('headers trickled a byte at a time, never complete: timeout', async () => {
    const r = await checkUrl(`${slowHeaders.url}/x`, TIMEOUT);
    expect(r).toMatchObject({ status: 'timeout', httpStatus: null });
    await slowHeaders.conns.allClosed();
  });

  it('no answer after connect: timeout, and the connection closed', async () => {
    const r = await checkUrl(`${silent.url}/x`, TIMEOUT);
    expect(r).toMatchObject({ status: 'timeout', httpStatus: null });
    await silent.conns.allClosed();
  });

  it('a TLS handshake that never completes: timeout, and the connection closed', async () => {
    const r = await checkUrl(`${silent.url.replace('http:', 'https:')}/x`, TIMEOUT);
    expect(r).toMatchObject({ status: 'timeout', httpStatus: null });
    await silent.conns.allClosed();
  });

  it('a redirect loop: error after the redirect limit, every hop closed', async () => {
    const before = http.conns.accepted;
    const r = await checkUrl(`${http.url}/loop`, TIMEOUT);
    expect(r).toMatchObject({ status: 'error', httpStatus: 302 });
    expect(r.error).toMatch(/redirect/i);
    await http.conns.allClosed();
    // HEAD refused, then the GET and its 20 redirects
    expect(http.conns.accepted - before).toBe(22);
  });

  it('a redirect loop whose every hop pours an endless body: error, no hop drained', async () => {
    const r = await checkUrl(`${http.url}/loop-body`, TIMEOUT);
    expect(r).toMatchObject({ status: 'error', httpStatus: 302 });
    await http.conns.allClosed();
  });

  it('all of them at once, through the bounded pool: each its own outcome', async () => {
    const urls = [
      `${http.url}/endless`,
      `${http.url}/huge`,
      `${http.url}/trickle`,
      `${slowHeaders.url}/y`,
      `${silent.url}/y`,
      `${http.url}/loop`,
    ];
    const results = await checkUrls(urls, { ...TIMEOUT, concurrency: 3 });
    expect(urls.map((u) => results.get(u)?.status)).toEqual([
      'present',
      'present',
      'present',
      'timeout',
      'timeout',
      'error',
    ]);
    await Promise.all([http.conns.allClosed(), silent.conns.allClosed(), slowHeaders.conns.allClosed()]);
  });
});
