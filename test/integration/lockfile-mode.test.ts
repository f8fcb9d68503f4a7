// Lockfile-only mode on a real project: the same predictions as the installed tree, nothing
// fetched for packages that cannot be native, and no guesses when the cache is cold and offline.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';
import type { Prediction } from '../../src/model/prediction.js';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { loadNpmConfig } from '../../src/tree/npm-config.js';
import { pacoteFetcher } from '../../src/tree/registry.js';
import type { PackageFetcher } from '../../src/tree/registry.js';
import { installRealProject, readJson } from '../helpers/real-project.js';

const PACKAGES = [
  'bufferutil@4',
  'better-sqlite3@12',
  'sharp@0.33',
  'bcrypt@5',
  '@parcel/watcher@2',
  'is-number@7',
];
const TARGETS = ['host', 'node:22-alpine', 'node:22-slim', 'node20-linux-arm64-glibc'];
const TODAY = '2026-11-25';

let installedDir: string;
let lockDir: string;
const scratch = mkdtempSync(join(tmpdir(), 'ng-lockfile-mode-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** package.json and package-lock.json only: what a Docker build context or a CI checkout has before `npm ci`. */
function lockfileCopy(from: string, name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(from, file), join(dir, file));
  return dir;
}

/** A fetcher that records every request, so tests see exactly what lockfile mode asked for. */
function countingFetcher(inner: PackageFetcher) {
  const calls: string[] = [];
  const fetcher: PackageFetcher = {
    tarball(request, handler) {
      calls.push(`tarball ${request.name}@${request.version}`);
      return inner.tarball(request, handler);
    },
    manifest(name, spec) {
      calls.push(`manifest ${name}@${spec}`);
      return inner.manifest(name, spec);
    },
  };
  return { fetcher, calls };
}

const byKey = (r: CheckReport) => {
  const out = new Map<string, Prediction>();
  for (const p of r.packages) for (const pred of p.predictions) out.set(`${p.name} ${pred.target}`, pred);
  return out;
};
const findingKeys = (r: CheckReport) =>
  r.findings.map((f) => `${f.code} ${f.package ?? ''} ${f.target ?? ''}`).sort();

beforeAll(() => {
  installedDir = installRealProject(PACKAGES, { label: 'natives' });
  lockDir = lockfileCopy(installedDir, 'lock');
}, 20 * 60_000);

describe('lockfile-only check of a real project', () => {
  it('predicts what the installed tree predicts, target by target', async () => {
    const installed = await check({ cwd: installedDir, targets: TARGETS, today: TODAY });
    // no node_modules in the copy: lockfile mode without being asked, with a fresh index each time
    const locked = await check({ cwd: lockDir, targets: TARGETS, today: TODAY, indexCache: null });
    expect(installed.mode).toBe('installed');
    expect(locked.mode).toBe('lockfile');
    expect(locked.packages.map((p) => `${p.name}@${p.version} ${p.strategies.join(',')}`)).toEqual(
      installed.packages.map((p) => `${p.name}@${p.version} ${p.strategies.join(',')}`),
    );
    const a = byKey(installed);
    const b = byKey(locked);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBe(5 * TARGETS.length);
    for (const [key, pa] of a) {
      const pb = b.get(key)!;
      expect({ key, outcome: pb.outcome, strategy: pb.strategy }).toEqual({
        key,
        outcome: pa.outcome,
        strategy: pa.strategy,
      });
      if (pa.binary) {
        expect({ key, binary: pb.binary, from: pb.fromPackage }).toEqual({
          key,
          binary: pa.binary,
          from: pa.fromPackage,
        });
      } else if (pa.strategy === 'platform-packages') {
        // Intended difference: the installed tree only holds this machine's platform package, so
        // for other targets it names the lockfile entries npm would install and no file. Lockfile
        // mode reads that package's tarball: it names the binary, from one of those same entries.
        const lockfileEntries = pa.evidence.flatMap((e) =>
          e.kind === 'platform-package' && e.source === 'lockfile' ? [`${e.name}@${e.version}`] : [],
        );
        expect(lockfileEntries).toContain(pb.fromPackage);
        expect(pb.binary).toMatch(/\.node$/);
      }
    }
    expect(findingKeys(locked)).toEqual(findingKeys(installed));
    // the binaries lockfile mode names for other targets were read, not assumed: alpine gets musl
    const alpineSharp = b.get('sharp node:22-alpine')!;
    expect(alpineSharp.fromPackage).toBe('@img/sharp-linuxmusl-x64@0.33.5');
    expect(alpineSharp.evidence).toContainEqual(
      expect.objectContaining({ kind: 'binary-facts', libc: 'musl' }),
    );
  }, 120_000);

  it('reads tarballs only for packages that can be native', async () => {
    const host = currentHostEnvironment();
    const npm = await loadNpmConfig({
      cwd: lockDir,
      env: host.env,
      execPath: host.execPath,
      platform: host.platform,
      homedir: host.homedir,
    });
    const { fetcher, calls } = countingFetcher(pacoteFetcher(npm));
    await check({
      cwd: lockDir,
      targets: ['host', 'node:22-alpine'],
      today: TODAY,
      fetcher,
      indexCache: null,
    });
    const lock = readJson<{ packages: Record<string, { version: string }> }>(
      join(lockDir, 'package-lock.json'),
    );
    const fetched = calls.map((c) => c.replace(/^tarball /, ''));
    expect(calls.every((c) => c.startsWith('tarball '))).toBe(true);
    // the native packages themselves, and the platform packages host and alpine would install
    expect(fetched.sort()).toEqual(
      [
        '@img/sharp-libvips-linux-x64',
        '@img/sharp-libvips-linuxmusl-x64',
        '@img/sharp-linux-x64',
        '@img/sharp-linuxmusl-x64',
        '@parcel/watcher',
        '@parcel/watcher-linux-x64-glibc',
        '@parcel/watcher-linux-x64-musl',
        'bcrypt',
        'better-sqlite3',
        'bufferutil',
        'sharp',
      ]
        .map((name) => `${name}@${lock.packages[`node_modules/${name}`]!.version}`)
        .sort(),
    );
    // of a lockfile of more than a hundred packages
    expect(Object.keys(lock.packages).length).toBeGreaterThan(100);
  }, 120_000);

  it('offline with a cold cache: MANIFEST_UNAVAILABLE per package it could not read, outcomes unknown', async () => {
    const emptyCache = mkdtempSync(join(scratch, 'cache-'));
    const base = currentHostEnvironment();
    const host = { ...base, env: { ...base.env, npm_config_cache: emptyCache } };
    const report = await check({
      cwd: lockDir,
      targets: ['host', 'node:22-alpine'],
      today: TODAY,
      offline: true,
      host,
    });
    const unavailable = report.findings.filter((f) => f.code === 'MANIFEST_UNAVAILABLE');
    expect(unavailable.map((f) => f.evidence.name).sort()).toEqual([
      '@img/sharp-libvips-linux-x64',
      '@img/sharp-libvips-linuxmusl-x64',
      '@img/sharp-linux-x64',
      '@img/sharp-linuxmusl-x64',
      '@parcel/watcher',
      '@parcel/watcher-linux-x64-glibc',
      '@parcel/watcher-linux-x64-musl',
      'bcrypt',
      'better-sqlite3',
      'bufferutil',
      'sharp',
    ]);
    expect(unavailable.every((f) => f.evidence.code === 'ENOTCACHED' && f.evidence.offline)).toBe(true);
    // never a guess: every native package it knows of is unknown everywhere
    expect(report.packages.map((p) => p.name).sort()).toEqual([
      '@parcel/watcher',
      'bcrypt',
      'better-sqlite3',
      'bufferutil',
      'sharp',
    ]);
    for (const p of report.packages)
      expect(p.predictions.map((x) => x.outcome)).toEqual(['unknown', 'unknown']);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.fetched).toMatchObject({ offline: true, unavailable: 11 });
  }, 120_000);

  it('a second run answers from the tarball index without reading a tarball', async () => {
    const indexDir = mkdtempSync(join(scratch, 'index-'));
    const { folderIndexCache } = await import('../../src/tree/index-cache.js');
    const host = currentHostEnvironment();
    const npm = await loadNpmConfig({
      cwd: lockDir,
      env: host.env,
      execPath: host.execPath,
      platform: host.platform,
      homedir: host.homedir,
    });
    const first = countingFetcher(pacoteFetcher(npm));
    const a = await check({
      cwd: lockDir,
      targets: TARGETS,
      today: TODAY,
      fetcher: first.fetcher,
      indexCache: folderIndexCache(indexDir),
    });
    const second = countingFetcher(pacoteFetcher(npm));
    const b = await check({
      cwd: lockDir,
      targets: TARGETS,
      today: TODAY,
      fetcher: second.fetcher,
      indexCache: folderIndexCache(indexDir),
    });
    expect(first.calls.length).toBeGreaterThan(10);
    expect(second.calls).toEqual([]);
    expect(b.packages).toEqual(a.packages);
    expect(b.findings).toEqual(a.findings);
  }, 120_000);
});
