import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/check/analyze.js';
import { fetchLockfilePackages, selectTarballs } from '../../src/tree/fetch-lockfile.js';
import type { PackageFetcher } from '../../src/tree/registry.js';
import { loadLockfileTree } from '../../src/tree/virtual.js';
import { addon } from '../binary/paths.js';
import { packTarball } from '../helpers/tarball.js';
import { targets } from '../helpers/targets.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-fetch-lockfile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Entry = Record<string, unknown>;
/** A project folder with package.json and a lockfile v3 holding these entries. */
function lockProject(deps: Record<string, string>, entries: Record<string, Entry>): string {
  const dir = mkdtempSync(join(scratch, 'p-'));
  const root = { name: 'app', version: '1.0.0', dependencies: deps };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(root));
  const packages: Record<string, Entry> = { '': root };
  for (const [name, e] of Object.entries(entries))
    packages[`node_modules/${name}`] = { integrity: `sha512-${name}`, ...e };
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
  return dir;
}

/** Serves tarballs and manifests from memory, and records every request. */
function fakeRegistry(
  tarballs: Record<string, Buffer>,
  manifests: Record<string, Record<string, unknown>> = {},
) {
  const calls: string[] = [];
  const fetcher: PackageFetcher = {
    async tarball(request, handler) {
      calls.push(`tarball ${request.name}@${request.version}`);
      const tgz = tarballs[request.name];
      if (!tgz) throw Object.assign(new Error(`no cached data for ${request.name}`), { code: 'ENOTCACHED' });
      const s = new PassThrough();
      s.end(tgz);
      return handler(s);
    },
    async manifest(name, spec) {
      calls.push(`manifest ${name}@${spec}`);
      const m = manifests[name];
      if (!m) throw Object.assign(new Error('404 Not Found'), { code: 'E404' });
      return m;
    },
  };
  return { fetcher, calls };
}

const pj = (m: Record<string, unknown>) => ({ 'package.json': JSON.stringify(m) });

describe('which lockfile packages are fetched', () => {
  it('install scripts, native dependencies, target-matching platform packages and family parents; nothing else', async () => {
    const dir = lockProject(
      {
        scripted: '1.0.0',
        loader: '1.0.0',
        plain: '1.0.0',
        fam: '1.0.0',
        'node-gyp-build': '4.0.0',
        single: '1.0.0',
      },
      {
        scripted: { version: '1.0.0', hasInstallScript: true },
        loader: { version: '1.0.0', dependencies: { 'node-gyp-build': '^4.0.0' } },
        'node-gyp-build': { version: '4.0.0' },
        plain: { version: '1.0.0', dependencies: { 'is-number': '^7.0.0' } },
        'is-number': { version: '7.0.0' },
        fam: {
          version: '1.0.0',
          optionalDependencies: { 'fam-linux-x64': '1.0.0', 'fam-darwin-arm64': '1.0.0' },
        },
        'fam-linux-x64': { version: '1.0.0', os: ['linux'], cpu: ['x64'], optional: true },
        'fam-darwin-arm64': { version: '1.0.0', os: ['darwin'], cpu: ['arm64'], optional: true },
        // one OS-only optional dependency (chokidar's fsevents) is not a family
        single: { version: '1.0.0', optionalDependencies: { 'single-mac': '1.0.0' } },
        'single-mac': { version: '1.0.0', os: ['darwin'], optional: true },
        bundler: {
          version: '1.0.0',
          bundleDependencies: ['bundled-native'],
          dependencies: { 'bundled-native': '1.0.0' },
        },
        'bundler/node_modules/bundled-native': { version: '1.0.0', hasInstallScript: true, inBundle: true },
      },
    );
    const tree = await loadLockfileTree(dir);
    expect(tree.mode).toBe('lockfile');
    expect(tree.packages.every((p) => !p.installed)).toBe(true);
    // bundled dependencies come inside their parent's tarball and never run install scripts
    expect(tree.packages.find((p) => p.name === 'bundled-native')?.inBundle).toBe(true);
    const linux = selectTarballs(tree, targets(['node22-linux-x64-glibc'])).map((r) => r.name);
    expect(linux.sort()).toEqual(['fam', 'fam-linux-x64', 'loader', 'scripted']);
    const both = selectTarballs(tree, targets(['node22-linux-x64-glibc', 'node22-darwin-arm64'])).map(
      (r) => r.name,
    );
    expect(both.sort()).toEqual([
      'fam',
      'fam-darwin-arm64',
      'fam-linux-x64',
      'loader',
      'scripted',
      'single-mac',
    ]);
  });

  it('fetched records carry the tarball manifest and listing; a failed fetch is `unavailable`', async () => {
    const dir = lockProject(
      { scripted: '1.0.0', gone: '1.0.0' },
      {
        scripted: { version: '1.0.0', hasInstallScript: true },
        gone: { version: '1.0.0', hasInstallScript: true },
      },
    );
    const tarballs = {
      scripted: await packTarball({
        ...pj({
          name: 'scripted',
          version: '1.0.0',
          scripts: { install: 'node-gyp-build' },
          dependencies: { 'node-gyp-build': '^4' },
        }),
        'prebuilds/linux-x64/scripted.node': { copy: addon('napi-ok') },
      }),
    };
    const { fetcher, calls } = fakeRegistry(tarballs);
    const result = await fetchLockfilePackages(await loadLockfileTree(dir), {
      targets: targets(['host']),
      fetcher,
    });
    expect(calls.sort()).toEqual(['tarball gone@1.0.0', 'tarball scripted@1.0.0']);
    const scripted = result.tree.packages.find((p) => p.name === 'scripted')!;
    expect(scripted).toMatchObject({
      manifestSource: 'package',
      rootEntries: expect.arrayContaining(['prebuilds/', 'package.json']),
    });
    expect(scripted.manifest.scripts.install).toBe('node-gyp-build');
    expect(result.files.get(scripted.location)?.list('prebuilds/linux-x64')).toEqual([
      { name: 'scripted.node', dir: false },
    ]);
    expect(result.tree.packages.find((p) => p.name === 'gone')?.unavailable).toEqual({
      code: 'ENOTCACHED',
      detail: 'no cached data for gone',
    });

    // and the analysis: a node-gyp-build prebuild for the scripted one; unknown for the one it could not read
    const report = analyze({
      tree: result.tree,
      targets: targets(['host']),
      config: {},
      env: {},
      npmCache: '/nonexistent',
      readFacts: () => null,
      cacheHas: () => false,
      filesOf: (r) => result.files.get(r.location) ?? null,
    });
    expect(
      report.packages.map((p) => `${p.name} ${p.predictions[0]!.outcome} ${p.predictions[0]!.binary ?? ''}`),
    ).toEqual(['gone unknown ', 'scripted prebuilt prebuilds/linux-x64/scripted.node']);
    expect(report.findings.map((f) => `${f.code} ${f.package}`)).toEqual(['MANIFEST_UNAVAILABLE gone@1.0.0']);
  });

  it('a platform package the parent names but the lockfile lacks: its manifest from the registry', async () => {
    const dir = lockProject(
      { fam: '1.0.0' },
      {
        fam: {
          version: '1.0.0',
          optionalDependencies: { 'fam-linux-x64': '1.0.0', 'fam-linux-x64-musl': '1.0.0' },
        },
        'fam-linux-x64': { version: '1.0.0', os: ['linux'], cpu: ['x64'], libc: ['glibc'], optional: true },
      },
    );
    const tarballs = {
      fam: await packTarball(
        pj({
          name: 'fam',
          version: '1.0.0',
          optionalDependencies: { 'fam-linux-x64': '1.0.0', 'fam-linux-x64-musl': '1.0.0' },
        }),
      ),
      'fam-linux-x64': await packTarball({
        ...pj({ name: 'fam-linux-x64', version: '1.0.0', os: ['linux'], cpu: ['x64'], libc: ['glibc'] }),
        'fam.node': { copy: addon('napi-ok') },
      }),
    };
    const manifests = {
      'fam-linux-x64-musl': {
        name: 'fam-linux-x64-musl',
        version: '1.0.0',
        os: ['linux'],
        cpu: ['x64'],
        libc: ['musl'],
      },
    };
    const { fetcher, calls } = fakeRegistry(tarballs, manifests);
    const t = targets(['node:22-alpine', 'node:22-slim']);
    const result = await fetchLockfilePackages(await loadLockfileTree(dir), { targets: t, fetcher });
    expect(calls.sort()).toEqual([
      'manifest fam-linux-x64-musl@1.0.0',
      'tarball fam-linux-x64@1.0.0',
      'tarball fam@1.0.0',
    ]);
    expect(result.tree.packages.find((p) => p.name === 'fam')?.unlocked).toEqual([
      {
        name: 'fam-linux-x64-musl',
        spec: '1.0.0',
        version: '1.0.0',
        os: ['linux'],
        cpu: ['x64'],
        libc: ['musl'],
        listedInLockfile: true,
      },
    ]);
    const report = analyze({
      tree: result.tree,
      targets: t,
      config: {},
      env: {},
      npmCache: '/nonexistent',
      readFacts: () => null,
      cacheHas: () => false,
      filesOf: (r) => result.files.get(r.location) ?? null,
    });
    const fam = report.packages.find((p) => p.name === 'fam')!;
    // fam's lockfile entry lists fam-linux-x64-musl, which has no entry: npm ci refuses the
    // lockfile (EUSAGE, "Missing: fam-linux-x64-musl@ from lock file") on glibc targets too
    expect(fam.predictions.map((p) => `${p.target} ${p.outcome} ${p.fromPackage ?? ''}`)).toEqual([
      'node:22-alpine fails ',
      'node:22-slim fails ',
    ]);
    expect(report.findings.map((f) => `${f.severity} ${f.code} ${f.target}`)).toEqual([
      'error LOCKFILE_ENTRIES_MISSING undefined',
      'error PLATFORM_PACKAGE_NOT_IN_LOCKFILE node:22-alpine',
    ]);
  });

  it('no node_modules and no lockfile: a clear error', async () => {
    const dir = mkdtempSync(join(scratch, 'empty-'));
    writeFileSync(join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}');
    await expect(loadLockfileTree(dir)).rejects.toMatchObject({ code: 'ENOLOCKFILE' });
    writeFileSync(join(dir, 'package-lock.json'), '{ not json');
    await expect(loadLockfileTree(dir)).rejects.toMatchObject({ code: 'ELOCKFILE' });
  });
});
