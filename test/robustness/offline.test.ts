// Offline by default, proven twice over: with networking made impossible (`unshare -n`: a network
// namespace with no interface up), and with every proxy variable pointing at a local server that
// records each connection. check (installed), verify, inspect, targets and docker must give their normal
// results and make no connection. Lockfile mode reads the registry through npm's cache: with a
// warm cache and --offline it makes no connection; without --offline it contacts the configured
// registry and nothing else.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockfileOnlyProject } from '../helpers/lockfile-project.js';
import { REPO } from './corpus.js';
import { CLI } from '../helpers/build.js';

const ADDONS = join(REPO, 'fixtures', 'addons', 'bin');
const MIXED = join(REPO, 'fixtures', 'trees', 'mixed');

/** Why `unshare -n` cannot be used here, or null when it works. */
const unshareSkip = (() => {
  const r = spawnSync('unshare', ['-n', 'true'], { encoding: 'utf8' });
  if (r.error) return `unshare is not installed (${r.error.message})`;
  if (r.status !== 0) return `unshare -n is not permitted here: ${(r.stderr || '').trim()}`;
  return null;
})();
if (unshareSkip) console.warn(`offline tests under unshare -n skipped: ${unshareSkip}`);

/** A local HTTP proxy that records every connection; it tunnels CONNECTs only to `allow`ed hosts. */
interface RecordingProxy {
  url: string;
  /** TCP connections accepted. */
  connections: number;
  /** CONNECT targets and absolute-form request URLs, in order. */
  targets: string[];
  allow: Set<string>;
  close(): Promise<void>;
}

async function startRecordingProxy(): Promise<RecordingProxy> {
  const sockets = new Set<Socket>();
  const proxy: RecordingProxy = {
    url: '',
    connections: 0,
    targets: [],
    allow: new Set(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    proxy.targets.push(req.url ?? '');
    res.writeHead(403).end('native-guard offline test: no plain-HTTP proxying');
  });
  server.on('connection', (socket: Socket) => {
    proxy.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    proxy.targets.push(target);
    if (!proxy.allow.has(target)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** Every proxy variable a Node HTTP client, npm or node-gyp reads, pointing at `url`. */
const proxyEnv = (url: string) => ({
  HTTP_PROXY: url,
  HTTPS_PROXY: url,
  http_proxy: url,
  https_proxy: url,
  npm_config_proxy: url,
  npm_config_https_proxy: url,
  NO_PROXY: '',
  no_proxy: '',
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>, wrap: string[] = []): Promise<Run> {
  const [cmd, argv] = wrap.length
    ? [wrap[0]!, [...wrap.slice(1), process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  return new Promise((resolve) => {
    execFile(
      cmd,
      argv,
      {
        env: { ...process.env, NO_COLOR: '1', NATIVE_GUARD_TODAY: '2026-11-25', ...env },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
      },
    );
  });
}

let work: string;
let verifyProject: string;
const COMMANDS: Record<string, string[]> = {};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ng-offline-'));
  // a project whose binaries verify really loads: one that loads, one built for another libc
  verifyProject = join(work, 'verify-project');
  mkdirSync(verifyProject, { recursive: true });
  writeFileSync(
    join(verifyProject, 'package.json'),
    JSON.stringify({ name: 'offline-verify', version: '1.0.0', private: true }),
  );
  for (const [name, file] of [
    ['napi-ok', 'napi-ok.node'],
    ['musl-only', 'musl.node'],
  ] as const) {
    const dir = join(verifyProject, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'addon.node' }));
    copyFileSync(join(ADDONS, file), join(dir, 'addon.node'));
  }
  const mixed = join(work, 'mixed');
  writeFileSync(join(work, 'Dockerfile'), 'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\n');
  cpSync(MIXED, mixed, { recursive: true, verbatimSymlinks: true });
  Object.assign(COMMANDS, {
    check: ['check', '--json', '-C', mixed, '--target', 'host,node:22-alpine,node24-linux-arm64'],
    verify: ['verify', '--json', '-C', verifyProject],
    inspect: ['inspect', '--json', join(ADDONS, 'napi-ok.node'), join(ADDONS, 'musl.node')],
    targets: ['targets', '--json'],
    docker: ['docker', '--json', '--dockerfile', join(work, 'Dockerfile'), '-C', mixed],
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What must not change between a run with the network and one without: the whole JSON report. */
const normal = new Map<string, Run>();
async function baseline(name: string): Promise<Run> {
  let run = normal.get(name);
  if (!run) {
    run = await runCli(COMMANDS[name]!, {});
    normal.set(name, run);
  }
  return run;
}

describe('installed-tree commands never touch the network', () => {
  for (const name of ['check', 'verify', 'inspect', 'targets', 'docker']) {
    it.skipIf(!!unshareSkip)(`${name} under unshare -n gives its normal result`, async () => {
      const base = await baseline(name);
      expect([0, 1], base.stderr).toContain(base.code);
      const run = await runCli(COMMANDS[name]!, {}, ['unshare', '-n']);
      expect(run.stderr).toBe(base.stderr);
      expect(run.code).toBe(base.code);
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(base.stdout));
    });

    it(`${name} with every proxy variable on a recording proxy: zero connections`, async () => {
      const base = await baseline(name);
      const proxy = await startRecordingProxy();
      try {
        const run = await runCli(COMMANDS[name]!, proxyEnv(proxy.url));
        expect(run.code, run.stderr).toBe(base.code);
        expect(JSON.parse(run.stdout)).toEqual(JSON.parse(base.stdout));
        expect(proxy.targets).toEqual([]);
        expect(proxy.connections).toBe(0);
      } finally {
        await proxy.close();
      }
    });
  }

  it('the results are the real ones, not an empty report', async () => {
    const check = JSON.parse((await baseline('check')).stdout) as { packages: unknown[] };
    expect(check.packages.length).toBeGreaterThan(10);
    const verify = JSON.parse((await baseline('verify')).stdout) as {
      binaries: Array<{ package: string; loaded: boolean; code?: string }>;
    };
    expect(verify.binaries.find((b) => b.package === 'napi-ok@1.0.0')?.loaded).toBe(true);
    expect(verify.binaries.find((b) => b.package === 'musl-only@1.0.0')?.code).toBe('LIBC_MISMATCH');
  });
});

describe('lockfile mode: only the registry, and nothing with a warm cache and --offline', () => {
  let project: string;
  let cache: string;
  let registryHost: string;
  beforeAll(() => {
    const source = lockfileOnlyProject(['bufferutil@4', 'is-number@7'], 'offline-proof');
    project = join(work, 'lockfile-project');
    mkdirSync(project, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(source, f), join(project, f));
    cache = join(work, 'npm-cache');
    const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
    const url = new URL(registry);
    registryHost = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  }, 600_000);

  const args = (...more: string[]) => ['check', '--lockfile-only', '--json', '-C', project, ...more];
  const predictions = (run: Run) =>
    (JSON.parse(run.stdout) as { packages: Array<{ name: string; predictions: unknown[] }> }).packages;

  let online: Run;
  it('a cold cache: every connection goes to the configured registry, through npm proxy config', async () => {
    const proxy = await startRecordingProxy();
    proxy.allow.add(registryHost);
    try {
      online = await runCli(args(), { ...proxyEnv(proxy.url), npm_config_cache: cache });
      expect(online.code, online.stderr).not.toBe(2);
      const report = JSON.parse(online.stdout) as {
        findings: Array<{ code: string }>;
        packages: Array<{ name: string }>;
        fetched: { tarballs: number };
      };
      expect(report.findings.map((f) => f.code)).not.toContain('MANIFEST_UNAVAILABLE');
      expect(report.packages.map((p) => p.name)).toContain('bufferutil');
      expect(report.fetched.tarballs).toBeGreaterThan(0);
      expect(proxy.connections).toBeGreaterThan(0);
      expect(new Set(proxy.targets)).toEqual(new Set([registryHost]));
    } finally {
      await proxy.close();
    }
  }, 300_000);

  it('a warm cache with --offline: zero connections, the same predictions', async () => {
    const proxy = await startRecordingProxy();
    try {
      const run = await runCli(args('--offline'), { ...proxyEnv(proxy.url), npm_config_cache: cache });
      expect(run.code, run.stderr).toBe(online.code);
      expect(predictions(run)).toEqual(predictions(online));
      expect(proxy.targets).toEqual([]);
      expect(proxy.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it.skipIf(!!unshareSkip)('a warm cache with --offline under unshare -n: the same predictions', async () => {
    const run = await runCli(args('--offline'), { npm_config_cache: cache }, ['unshare', '-n']);
    expect(run.code, run.stderr).toBe(online.code);
    expect(predictions(run)).toEqual(predictions(online));
  });

  it('a warm cache without --offline: tarballs come from the cache by integrity, no connection', async () => {
    const proxy = await startRecordingProxy();
    proxy.allow.add(registryHost);
    try {
      const run = await runCli(args(), { ...proxyEnv(proxy.url), npm_config_cache: cache });
      expect(run.code, run.stderr).toBe(online.code);
      expect(predictions(run)).toEqual(predictions(online));
      expect(proxy.targets).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
