// The built CLI, `check --online`, against download hosts that misbehave (fixtures/trees/hostile-hosts):
// each URL gets its outcome, and the process exits by itself. A kill timer ends a hung run, and the
// test then fails: it asserts the exit, never a duration.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI } from '../helpers/build.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/trees/hostile-hosts', import.meta.url));
const CHUNK = Buffer.alloc(64 * 1024, 0x42);
const GiB = 1024 * 1024 * 1024;

let server: Server;
let base: string;
/** Accepts connections and never says a word: for https://, a TLS handshake that never ends. */
let mute: NetServer;
let tlsBase: string;
const timers = new Set<NodeJS.Timeout>();

function pour(res: ServerResponse, limit = Infinity): void {
  let written = 0;
  const more = () => {
    while (written < limit && !res.destroyed) {
      written += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

function trickle(
  socket: NodeJS.WritableStream & { destroyed: boolean; once(e: 'close', f: () => void): unknown },
) {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write('a');
  }, 10);
  timers.add(timer);
  socket.once('close', () => {
    clearInterval(timer);
    timers.delete(timer);
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const kind = (req.url ?? '').split('/')[1];
    if (kind === 'silent') return; // reads the request, never answers
    if (kind === 'headers') {
      // a status line, then one header that never ends
      req.socket.write('HTTP/1.1 200 OK\r\nx-never-ends: ');
      return trickle(req.socket);
    }
    if (req.method === 'HEAD') return void res.writeHead(405).end();
    if (kind === 'endless') {
      res.writeHead(206, { 'content-range': 'bytes 0-0/1' });
      pour(res);
    } else if (kind === 'huge') {
      res.writeHead(200, { 'content-length': String(GiB) });
      pour(res, GiB);
    } else if (kind === 'trickle') {
      res.writeHead(206);
      res.flushHeaders();
      trickle(res.socket!);
    } else if (kind === 'loop') {
      res.writeHead(302, { location: req.url });
      pour(res);
    } else res.writeHead(404).end();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mute = createTcpServer((socket) => void socket.resume());
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  tlsBase = `https://127.0.0.1:${(mute.address() as AddressInfo).port}`;
});

afterAll(() => {
  for (const t of timers) clearInterval(t);
  server.closeAllConnections();
  server.close();
  mute.close();
});

const KINDS = ['endless', 'huge', 'trickle', 'headers', 'silent', 'loop', 'tls'] as const;

it('check --online: each hostile host gets its outcome, and the process exits', async () => {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    NATIVE_GUARD_TODAY: '2026-11-25',
  };
  for (const kind of KINDS)
    env[`npm_config_host_${kind}_binary_host_mirror`] = `${kind === 'tls' ? tlsBase : base}/${kind}`;
  const child = spawn(
    process.execPath,
    [CLI, 'check', '--json', '--online', '--online-timeout', '1500', '-t', 'host'],
    { cwd: FIXTURE, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let killed = false;
  // generous: each probe has a 1.5 s deadline; a run still going after this has hung
  const killTimer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(killTimer);

  expect(killed, `the CLI did not exit by itself; stderr: ${stderr}`).toBe(false);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as {
    online: { checks: Array<{ url: string; status: string; error: string | null }> };
  };
  const status = Object.fromEntries(report.online.checks.map((c) => [c.url.split('/')[3], c.status]));
  expect(status).toEqual({
    endless: 'present',
    huge: 'present',
    trickle: 'present',
    headers: 'timeout',
    silent: 'timeout',
    loop: 'error',
    tls: 'timeout',
  });
  expect(report.online.checks.find((c) => c.url.includes('/loop/'))?.error).toMatch(/^EMAXREDIRECT/);
}, 120_000);
