// Lockfile mode reads tarballs the way npm does: a scoped registry from .npmrc, npm's cache, its
// offline switch. A local registry (node:http on 127.0.0.1) serves one scoped native package.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { registryTarballUrl } from '../../src/tree/registry.js';
import { addon } from '../binary/paths.js';
import { startServer } from '../helpers/http-server.js';
import type { TestServer } from '../helpers/http-server.js';
import { packTarball } from '../helpers/tarball.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-registry-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let registry: TestServer;
let integrity: string;

beforeAll(async () => {
  const tgz = await packTarball({
    'package.json': JSON.stringify({
      name: '@corp/native',
      version: '1.0.0',
      scripts: { install: 'node-gyp-build' },
      dependencies: { 'node-gyp-build': '^4.8.0' },
    }),
    'prebuilds/linux-x64/native.napi.node': { copy: addon('napi-ok') },
  });
  integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  registry = await startServer((req, res) => {
    const tarball = `${registry.url}/@corp/native/-/native-1.0.0.tgz`;
    if (req.url === '/@corp%2fnative' || req.url === '/@corp%2Fnative') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          name: '@corp/native',
          'dist-tags': { latest: '1.0.0' },
          versions: {
            '1.0.0': {
              name: '@corp/native',
              version: '1.0.0',
              dependencies: { 'node-gyp-build': '^4.8.0' },
              dist: { tarball, integrity },
            },
          },
        }),
      );
    } else if (req.url === '/@corp/native/-/native-1.0.0.tgz') res.writeHead(200).end(tgz);
    else res.writeHead(404).end();
  });
});
afterAll(() => registry.close());

/** A project whose lockfile names @corp/native without a resolved URL (omit-lockfile-registry-resolved). */
function project(npmrc: string): string {
  const dir = mkdtempSync(join(scratch, 'p-'));
  const root = { name: 'app', version: '1.0.0', dependencies: { '@corp/native': '1.0.0' } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(root));
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': root,
        'node_modules/@corp/native': {
          version: '1.0.0',
          integrity,
          hasInstallScript: true,
          dependencies: { 'node-gyp-build': '^4.8.0' },
        },
        'node_modules/node-gyp-build': { version: '4.8.4' },
      },
    }),
  );
  writeFileSync(join(dir, '.npmrc'), npmrc);
  return dir;
}

function hostWithCache(cache: string) {
  const base = currentHostEnvironment();
  return { ...base, env: { ...base.env, npm_config_cache: cache } };
}

describe('registry access through npm config', () => {
  it('computes the tarball URL of the configured (scoped) registry', () => {
    const opts = { registry: 'https://registry.example/', '@corp:registry': 'https://npm.corp.example/r/' };
    expect(registryTarballUrl('@corp/native', '1.0.0', opts)).toBe(
      'https://npm.corp.example/r/@corp/native/-/native-1.0.0.tgz',
    );
    expect(registryTarballUrl('rollup', '4.0.0', opts)).toBe(
      'https://registry.example/rollup/-/rollup-4.0.0.tgz',
    );
  });

  it('a scoped registry from .npmrc serves the tarball; then offline answers from the cache it filled', async () => {
    const dir = project(`@corp:registry=${registry.url}/\nfetch-retries=0\n`);
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const host = hostWithCache(cache);
    const online = await check({ cwd: dir, targets: ['node22-linux-x64-glibc'], host, indexCache: null });
    expect(online.packages[0]?.predictions[0]).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/linux-x64/native.napi.node',
    });
    expect(registry.requests.map((r) => r.url)).toEqual([
      '/@corp%2fnative',
      '/@corp/native/-/native-1.0.0.tgz',
    ]);
    const offline = await check({
      cwd: dir,
      targets: ['node22-linux-x64-glibc'],
      host,
      offline: true,
      indexCache: null,
    });
    expect(offline.packages[0]?.predictions[0]?.outcome).toBe('prebuilt');
    expect(offline.findings.filter((f) => f.code === 'MANIFEST_UNAVAILABLE')).toEqual([]);
    expect(registry.requests.length).toBe(2);
  });

  it('a registry that refuses connections: MANIFEST_UNAVAILABLE with npm’s error code', async () => {
    const dir = project('@corp:registry=http://127.0.0.1:9/\nfetch-retries=0\n');
    const report = await check({
      cwd: dir,
      targets: ['node22-linux-x64-glibc'],
      host: hostWithCache(mkdtempSync(join(scratch, 'cache-'))),
      indexCache: null,
    });
    expect(report.findings.find((f) => f.code === 'MANIFEST_UNAVAILABLE')).toMatchObject({
      package: '@corp/native@1.0.0',
      evidence: { code: 'ECONNREFUSED', offline: false, role: 'package' },
    });
    expect(report.packages[0]?.predictions[0]?.outcome).toBe('unknown');
  });
});
