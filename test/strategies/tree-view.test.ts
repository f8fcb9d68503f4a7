// tree-view on a hand-built ProjectTree: how a package's platform packages and tools resolve
// (the edge the tree resolved, else Node's node_modules walk up, then the lockfile entry npm skipped,
// then lockfile mode's registry answer), and which installed platform packages are reported
// through the package that picks them. One problem per test.
import { describe, expect, it } from 'vitest';
import type { LockEntry, PackageRecord, ProjectTree, UnlockedPackage } from '../../src/model/package.js';
import type { NativePackage } from '../../src/model/prediction.js';
import { candidateResolver, platformPackageLocations } from '../../src/strategies/tree-view.js';
import { packageRecord } from '../helpers/records.js';

const record = (name: string, location: string, extra: Partial<PackageRecord> = {}): PackageRecord =>
  packageRecord(name, '1.0.0', { location, path: `/p/${location}`, rootEntries: [], ...extra });

const entry = (name: string, location: string, version = '2.0.0'): LockEntry => ({
  location,
  name,
  version,
  os: ['linux'],
  cpu: ['x64'],
  libc: ['musl'],
  optional: true,
  dev: false,
  hasInstallScript: false,
});

function tree(packages: PackageRecord[], lock: LockEntry[] = []): ProjectTree {
  return {
    root: '/p',
    mode: 'installed',
    packages,
    lockfile: lock.length
      ? { file: 'package-lock.json', lockfileVersion: 3, entries: new Map(lock.map((e) => [e.location, e])) }
      : null,
    problems: [],
  };
}

describe('candidateResolver: where a name resolves from a package', () => {
  it('the record the tree resolved the edge to, even where the walk up would find another copy', () => {
    const parent = record('sharp', 'node_modules/sharp', {
      dependencies: [
        {
          name: 'detect-libc',
          spec: '^1',
          type: 'prod',
          location: 'node_modules/other/node_modules/detect-libc',
        },
      ],
    });
    const nested = record('detect-libc', 'node_modules/other/node_modules/detect-libc');
    const hoisted = record('detect-libc', 'node_modules/detect-libc');
    const r = candidateResolver(tree([parent, nested, hoisted]))(parent)('detect-libc', '^1');
    expect(r).toEqual({ source: 'installed', record: nested });
  });

  it("no edge: Node's walk up, its own node_modules before the root's", () => {
    const parent = record('a', 'node_modules/b/node_modules/a');
    const own = record('x', 'node_modules/b/node_modules/a/node_modules/x');
    const top = record('x', 'node_modules/x');
    const resolve = candidateResolver(tree([parent, own, top]));
    expect(resolve(parent)('x', '*')).toEqual({ source: 'installed', record: own });
    expect(resolve(record('c', 'node_modules/c'))('x', '*')).toEqual({ source: 'installed', record: top });
  });

  it('a workspace member walks up its folders to the root', () => {
    const member = record('app', 'packages/app', { isWorkspace: true });
    const top = record('x', 'node_modules/x');
    expect(candidateResolver(tree([member, top]))(member)('x', '*')).toEqual({
      source: 'installed',
      record: top,
    });
  });

  it('not installed: the lockfile entry npm skipped on this machine, found the same way', () => {
    const parent = record('sharp', 'node_modules/sharp');
    const skipped = entry('@img/sharp-linuxmusl-x64', 'node_modules/@img/sharp-linuxmusl-x64');
    const r = candidateResolver(tree([parent], [skipped]))(parent)('@img/sharp-linuxmusl-x64', '0.34.5');
    expect(r).toEqual({ source: 'lockfile', entry: skipped });
  });

  it('an installed record wins over a lockfile entry for the same place', () => {
    const parent = record('sharp', 'node_modules/sharp');
    const inst = record('@img/sharp-linux-x64', 'node_modules/@img/sharp-linux-x64');
    const r = candidateResolver(tree([parent, inst], [entry(inst.name, inst.location)]))(parent)(
      inst.name,
      '*',
    );
    expect(r.source).toBe('installed');
  });

  it('lockfile mode: a record whose tarball could not be had is unavailable, not installed', () => {
    const parent = record('sharp', 'node_modules/sharp');
    const gone = record('@img/sharp-linux-x64', 'node_modules/@img/sharp-linux-x64', {
      installed: false,
      unavailable: { code: 'ENOTCACHED', detail: '' },
    });
    expect(candidateResolver(tree([parent, gone]))(parent)(gone.name, '*')).toEqual({
      source: 'unavailable',
      record: gone,
    });
  });

  it('lockfile mode: absent from the lockfile, a registry answer the parent carries; one without a manifest is missing', () => {
    const known: UnlockedPackage = {
      name: '@x/linux-x64-musl',
      spec: '1.0.0',
      version: '1.0.0',
      os: ['linux'],
      listedInLockfile: false,
    };
    const failed: UnlockedPackage = {
      name: '@x/linux-arm64-musl',
      spec: '1.0.0',
      version: null,
      listedInLockfile: false,
      unavailable: { code: 'E404', detail: '' },
    };
    const parent = record('x', 'node_modules/x', { unlocked: [known, failed] });
    const resolve = candidateResolver(tree([parent]))(parent);
    expect(resolve(known.name, '1.0.0')).toEqual({ source: 'registry', unlocked: known });
    expect(resolve(failed.name, '1.0.0')).toEqual({ source: 'missing', name: failed.name, spec: '1.0.0' });
    expect(resolve('@x/other', '^1')).toEqual({ source: 'missing', name: '@x/other', spec: '^1' });
  });
});

describe('platformPackageLocations: installed platform packages belong to their picker', () => {
  const gnu = record('@x/linux-x64-gnu', 'node_modules/@x/linux-x64-gnu');
  const other = record('plain', 'node_modules/plain');

  it("a platform-packages link's installed candidates, and nothing only locked", () => {
    const parent = record('x', 'node_modules/x');
    const native: NativePackage = {
      pkg: parent,
      chain: [{ strategy: 'platform-packages', candidates: [gnu.name, '@x/linux-x64-musl'] }],
      scripts: [],
    };
    const t = tree([parent, gnu, other], [entry('@x/linux-x64-musl', 'node_modules/@x/linux-x64-musl')]);
    expect([...platformPackageLocations([native], candidateResolver(t))]).toEqual([gnu.location]);
  });

  it("node-gyp-build-optional-packages: every installed optional dependency (lmdb's @lmdb/*)", () => {
    const lmdb = record('lmdb', 'node_modules/lmdb', {
      manifest: {
        scripts: {},
        dependencies: {},
        optionalDependencies: { [gnu.name]: '1.0.0', plain: '1.0.0', absent: '1.0.0' },
      },
    });
    const native: NativePackage = {
      pkg: lmdb,
      chain: [{ strategy: 'node-gyp-build', optionalPackages: true, script: null }],
      scripts: [],
    };
    const r = platformPackageLocations([native], candidateResolver(tree([lmdb, gnu, other])));
    expect([...r].sort()).toEqual([gnu.location, other.location]);
    // plain node-gyp-build reads no optional dependencies
    const plain: NativePackage = {
      ...native,
      chain: [{ strategy: 'node-gyp-build', optionalPackages: false, script: null }],
    };
    expect(platformPackageLocations([plain], candidateResolver(tree([lmdb, gnu, other]))).size).toBe(0);
  });
});
