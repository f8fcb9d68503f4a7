// --online against a local server standing in for the release hosts, reached through the mirror
// variables prebuild-install and node-pre-gyp honour.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';
import { checkCommand } from '../../src/commands/check.js';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { closedPort, startServer } from '../helpers/http-server.js';
import type { TestServer } from '../helpers/http-server.js';
import { lockfileOnlyProject } from '../helpers/lockfile-project.js';

const TODAY = '2026-11-25';
let project: string;
let releases: TestServer;

beforeAll(async () => {
  project = lockfileOnlyProject(['better-sqlite3@12', 'bcrypt@5'], 'online');
  releases = await startServer((req, res) => {
    const url = req.url ?? '';
    // better-sqlite3 publishes glibc x64 builds for this Node, and no musl build
    if (url.startsWith('/sqlite/') && url.includes(`-node-v${process.versions.modules}-linux-x64.tar.gz`))
      res.writeHead(200).end();
    else if (url.startsWith('/bcrypt-slow/')) setTimeout(() => res.writeHead(200).end(), 5000).unref();
    else res.writeHead(404).end();
  });
}, 10 * 60_000);
afterAll(() => releases.close());

function hostWith(env: Record<string, string>) {
  const base = currentHostEnvironment();
  return { ...base, env: { ...base.env, ...env } };
}

const pred = (r: CheckReport, name: string, target: string) =>
  r.packages.find((p) => p.name === name)!.predictions.find((p) => p.target === target)!;

describe('check --online', () => {
  it('present → prebuilt, missing → the fallback decides, slow → timeout, all with the evidence', async () => {
    const host = hostWith({
      npm_config_better_sqlite3_binary_host_mirror: `${releases.url}/sqlite`,
      npm_config_bcrypt_lib_binary_host_mirror: `${releases.url}/bcrypt-slow`,
    });
    const targets = ['host', 'node:22-alpine'];
    const offline = await check({ cwd: project, targets, today: TODAY, host, lockfileOnly: true });
    expect(pred(offline, 'better-sqlite3', 'host').outcome).toBe('unknown');
    expect(releases.requests).toEqual([]);

    const report = await check({
      cwd: project,
      targets,
      today: TODAY,
      host,
      lockfileOnly: true,
      online: true,
      onlineTimeoutMs: 500,
    });
    const sqliteHost = pred(report, 'better-sqlite3', 'host');
    expect(sqliteHost).toMatchObject({ outcome: 'prebuilt', strategy: 'prebuild-install' });
    expect(sqliteHost.url).toMatch(
      new RegExp(
        `^${releases.url}/sqlite/v12\\.[0-9.]+/better-sqlite3-v12\\.[0-9.]+-node-v${process.versions.modules}-linux-x64\\.tar\\.gz$`,
      ),
    );
    expect(sqliteHost.evidence).toContainEqual(
      expect.objectContaining({ kind: 'url-check', status: 'present', httpStatus: 200, method: 'HEAD' }),
    );
    // no musl build on the host: alpine compiles, and alpine has no compiler
    const sqliteAlpine = pred(report, 'better-sqlite3', 'node:22-alpine');
    expect(sqliteAlpine).toMatchObject({ outcome: 'fails', strategy: 'source-build' });
    expect(sqliteAlpine.evidence).toContainEqual(
      expect.objectContaining({ kind: 'url-check', status: 'missing', httpStatus: 404 }),
    );
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'TOOLCHAIN_MISSING',
        severity: 'error',
        target: 'node:22-alpine',
        package: expect.stringMatching(/^better-sqlite3@/),
      }),
    );
    // bcrypt's host did not answer in time: node-pre-gyp falls back to a build, which the host can do
    const bcryptHost = pred(report, 'bcrypt', 'host');
    expect(bcryptHost).toMatchObject({ outcome: 'source-build', strategy: 'source-build' });
    expect(bcryptHost.evidence).toContainEqual(
      expect.objectContaining({ kind: 'url-check', status: 'timeout' }),
    );
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'DOWNLOAD_HOST_UNREACHABLE',
        target: 'host',
        evidence: expect.objectContaining({ status: 'timeout', tool: 'node-pre-gyp' }),
      }),
    );
    expect(report.findings.filter((f) => f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED')).toEqual([]);
    expect(report.online?.checks.map((c) => c.status).sort()).toEqual([
      'missing',
      'present',
      'timeout',
      'timeout',
    ]);
  }, 300_000);

  it('unreachable host → the fallback; and a slim image without a compiler then fails: NO binary, said so', async () => {
    const port = await closedPort();
    const host = hostWith({
      npm_config_better_sqlite3_binary_host_mirror: `http://127.0.0.1:${port}/sqlite`,
      npm_config_bcrypt_lib_binary_host_mirror: `http://127.0.0.1:${port}/bcrypt`,
    });
    const report = await check({
      cwd: project,
      targets: ['node:22-slim'],
      today: TODAY,
      host,
      lockfileOnly: true,
      online: true,
    });
    for (const name of ['better-sqlite3', 'bcrypt']) {
      const p = pred(report, name, 'node:22-slim');
      expect(p.outcome).toBe('fails');
      expect(p.evidence).toContainEqual(
        expect.objectContaining({ kind: 'url-check', status: 'unreachable' }),
      );
    }
    expect(report.findings.filter((f) => f.code === 'DOWNLOAD_HOST_UNREACHABLE').length).toBe(2);
  }, 300_000);

  it("the project's ignore config applies to what --online adds", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ng-online-ignore-'));
    try {
      const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ ...pkg, nativeGuard: { ignore: ['DOWNLOAD_HOST_UNREACHABLE'] } }),
      );
      copyFileSync(join(project, 'package-lock.json'), join(dir, 'package-lock.json'));
      const port = await closedPort();
      const host = hostWith({
        npm_config_better_sqlite3_binary_host_mirror: `http://127.0.0.1:${port}/sqlite`,
      });
      const report = await check({ cwd: dir, targets: ['node:22-slim'], today: TODAY, host, online: true });
      expect(report.findings.filter((f) => f.code === 'DOWNLOAD_HOST_UNREACHABLE')).toEqual([]);
      expect(report.ignored).toBeGreaterThanOrEqual(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('the text output says which answers --online would change, and what it checked', async () => {
    const env = {
      ...process.env,
      NATIVE_GUARD_TODAY: TODAY,
      npm_config_better_sqlite3_binary_host_mirror: `${releases.url}/sqlite`,
      npm_config_bcrypt_lib_binary_host_mirror: `${releases.url}/nothing-here`,
    };
    const io = { isTTY: false, env, cwd: project };
    // a slim image whose Node is not this one: the mirror serves only this Node's build
    const slim = process.versions.modules === '127' ? 'node:24-slim' : 'node:22-slim';
    const offline = await checkCommand.run(['--lockfile-only', '-t', slim], io);
    expect(offline.stdout).toMatch(
      new RegExp(
        `--online would settle 2 answers that depend on a download: bcrypt@5\\.\\d+\\.\\d+ on ${slim}, better-sqlite3@12\\.[\\d.]+ on ${slim}`,
      ),
    );
    const online = await checkCommand.run(['--lockfile-only', '--online', '-t', slim], io);
    expect(online.stdout).toMatch(/--online: checked 2 download URLs \(2 missing\)/);
    expect(online.stdout).not.toMatch(/would settle/);
    expect(online.exitCode).toBe(1);
  }, 300_000);

  it('rejects flag combinations that make no sense', async () => {
    const io = { isTTY: false, env: process.env, cwd: project };
    await expect(checkCommand.run(['--online-timeout', '100'], io)).rejects.toThrow(
      /only applies with --online/,
    );
    await expect(checkCommand.run(['--online', '--online-timeout', 'soon'], io)).rejects.toThrow(
      /positive number/,
    );
    await expect(checkCommand.run(['--online', '--offline'], io)).rejects.toThrow(/cannot be used together/);
  });
});
