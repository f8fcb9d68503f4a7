// A registry that answers and then trickles a tarball forever, or never finishes a packument, must
// not hold `check --lockfile-only`: each request has a deadline (npm's fetch-timeout), after which
// the package is MANIFEST_UNAVAILABLE with ETIMEDOUT and the process exits by itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageTarball, startRegistry, writeLockfileProject } from '../../bench/big-binaries.mjs';
import type { BigPackage, Registry } from '../../bench/big-binaries.mjs';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { loadNpmConfig } from '../../src/tree/npm-config.js';
import { pacoteFetcher } from '../../src/tree/registry.js';
import { addon } from '../binary/paths.js';
import { CLI, ensureBuilt } from '../helpers/build.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-lockfile-deadline-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const manifest = (name: string) =>
  JSON.stringify({
    name,
    version: '1.0.0',
    scripts: { install: 'node-gyp-build' },
    dependencies: { 'node-gyp-build': '^4.8.0' },
  });

/** Sends the status and headers, then a byte every 100 ms, forever (until the client goes). */
function trickle(res: ServerResponse, contentType: string, first: string): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': 100 * 1024 * 1024 });
  res.write(first);
  const timer = setInterval(() => res.write(' '), 100);
  res.on('close', () => clearInterval(timer));
}

let registry: Registry;
let packages: BigPackage[];
beforeAll(async () => {
  const prebuild = { 'prebuilds/linux-x64/x.napi.node': readFileSync(addon('napi-ok')) };
  packages = await Promise.all(
    ['slow-tarball', 'slow-packument', 'fine'].map(async (name) => ({
      name,
      version: '1.0.0',
      tgz: await packageTarball({ 'package.json': manifest(name), ...prebuild }),
    })),
  );
  registry = await startRegistry(packages, (req, res) => {
    if (req.url === '/slow-tarball/-/slow-tarball-1.0.0.tgz') {
      // a gzip header, then never the rest
      trickle(res, 'application/octet-stream', '\x1f\x8b');
      return true;
    }
    if (req.url === '/slow-packument') {
      trickle(res, 'application/json', '{"name":"slow-packument",');
      return true;
    }
    return false;
  });
});
afterAll(() => registry.close());

const npmrc = ['fetch-timeout=1500', 'fetch-retries=0'];

describe('lockfile fetches have a deadline per request', () => {
  it('check --lockfile-only: a trickled tarball and an endless packument are MANIFEST_UNAVAILABLE (ETIMEDOUT); the process exits', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(scratch, 'project-'));
    await writeLockfileProject(dir, registry.url, packages, npmrc);
    // slow-packument without resolved/integrity: pacote must ask the registry for its packument first
    const lockPath = join(dir, 'package-lock.json');
    const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
      packages: Record<string, Record<string, unknown>>;
    };
    delete lock.packages['node_modules/slow-packument']!.resolved;
    delete lock.packages['node_modules/slow-packument']!.integrity;
    writeFileSync(lockPath, JSON.stringify(lock));

    const out = await new Promise<{ code: number | null; signal: string | null; stdout: string }>(
      (resolve) => {
        const p = spawn(
          process.execPath,
          [CLI, 'check', '--lockfile-only', '--json', '-C', dir, '-t', 'node22-linux-x64-glibc'],
          { env: { ...process.env, npm_config_cache: mkdtempSync(join(scratch, 'cache-')) } },
        );
        let stdout = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        // a kill timer that makes the test fail (signal set, no JSON), never pass
        const kill = setTimeout(() => p.kill('SIGKILL'), 100_000);
        p.on('close', (code, signal) => {
          clearTimeout(kill);
          resolve({ code, signal, stdout });
        });
      },
    );
    expect(out.signal).toBeNull();
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as {
      findings: Array<{ code: string; package?: string; evidence: Record<string, unknown> }>;
      packages: Array<{ name: string; predictions: Array<{ outcome: string }> }>;
    };
    const unavailable = report.findings
      .filter((f) => f.code === 'MANIFEST_UNAVAILABLE')
      .map((f) => `${f.package} ${String(f.evidence.code)}`)
      .sort();
    expect(unavailable).toEqual(['slow-packument@1.0.0 ETIMEDOUT', 'slow-tarball@1.0.0 ETIMEDOUT']);
    const detail = report.findings.find((f) => f.code === 'MANIFEST_UNAVAILABLE')!.evidence.detail;
    expect(detail).toBe("no complete answer within 1.5 s (npm's fetch-timeout)");
    const outcome = (name: string) => report.packages.find((p) => p.name === name)?.predictions[0]?.outcome;
    expect(outcome('slow-tarball')).toBe('unknown');
    expect(outcome('slow-packument')).toBe('unknown');
    expect(outcome('fine')).toBe('prebuilt');
  }, 120_000);

  it('a platform manifest that never ends: the fetcher rejects with ETIMEDOUT', async () => {
    const dir = mkdtempSync(join(scratch, 'npmrc-'));
    await writeLockfileProject(dir, registry.url, [], npmrc);
    const host = currentHostEnvironment();
    const npm = await loadNpmConfig({
      cwd: dir,
      env: { ...host.env, npm_config_cache: mkdtempSync(join(scratch, 'cache-')) },
      execPath: host.execPath,
      platform: host.platform,
      homedir: host.homedir,
    });
    const fetcher = pacoteFetcher(npm);
    await expect(fetcher.manifest('slow-packument', '^1.0.0')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    // the same registry still answers the packages that behave
    await expect(fetcher.manifest('fine', '^1.0.0')).resolves.toMatchObject({
      name: 'fine',
      version: '1.0.0',
    });
  }, 60_000);
});
