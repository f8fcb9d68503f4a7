import { describe, expect, it } from 'vitest';
import { readPnpmLock } from '../../src/managers/pnpm-lock.js';
import type { LockfileReadResult } from '../../src/managers/types.js';
import { byName, fixtureText, pkg } from './fixtures.js';

const read = (project: string) => readPnpmLock(fixtureText(`pnpm/${project}/pnpm-lock.yaml`));

describe('pnpm-lock.yaml 9.0 written by pnpm 10 (single project)', () => {
  const result = read('v9-single');

  it('reads the root importer and every platform package, with no problem', () => {
    expect(result.manager).toBe('pnpm');
    expect(result.lockfileVersion).toBe('9.0');
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.importers)).toEqual(['']);
    expect(result.packages).toHaveLength(117);
    const root = result.importers['']!.dependencies;
    expect(root.find((d) => d.name === 'better-sqlite3')).toEqual({
      name: 'better-sqlite3',
      spec: '^12.0.0',
      dev: false,
      optional: false,
      id: 'better-sqlite3@12.11.1',
    });
    expect(root.find((d) => d.name === 'is-number')).toMatchObject({ dev: true, id: 'is-number@7.0.0' });
  });

  it('keeps os/cpu/libc of the platform packages pnpm skipped on this glibc machine', () => {
    expect(pkg(result, '@img/sharp-linuxmusl-x64@0.35.6')).toMatchObject({
      name: '@img/sharp-linuxmusl-x64',
      version: '0.35.6',
      source: 'registry',
      os: ['linux'],
      cpu: ['x64'],
      libc: ['musl'],
      optional: true,
      dev: false,
      dependencyIds: { '@img/sharp-libvips-linuxmusl-x64': '@img/sharp-libvips-linuxmusl-x64@1.3.5' },
      importers: [''],
    });
    expect(pkg(result, '@parcel/watcher-linux-x64-musl@2.6.0')).toMatchObject({
      libc: ['musl'],
      optional: true,
    });
    const esbuilds = result.packages.filter((p) => p.name.startsWith('@esbuild/'));
    expect(esbuilds).toHaveLength(26);
    expect(esbuilds.every((p) => p.os && p.cpu && p.optional === true)).toBe(true);
    // sharp's platform packages are optionalDependencies of sharp, resolved to their entries
    const sharp = pkg(result, 'sharp@0.35.6');
    expect(sharp.optionalDependencies['@img/sharp-linuxmusl-x64']).toBe('0.35.6');
    expect(sharp.dependencyIds['@img/sharp-linuxmusl-x64']).toBe('@img/sharp-linuxmusl-x64@0.35.6');
    expect(sharp.optional).toBe(false);
  });

  it('says nothing about install scripts (lockfile 9 has no such flag): undefined, never false', () => {
    expect(result.packages.every((p) => p.hasInstallScript === undefined)).toBe(true);
    expect(pkg(result, 'esbuild@0.28.2').bin).toBe(true);
    expect(pkg(result, 'better-sqlite3@12.11.1').engines).toEqual({
      node: '20.x || 22.x || 23.x || 24.x || 25.x || 26.x',
    });
  });

  it('marks the local tarball as a file, not a registry package', () => {
    expect(pkg(result, 'envprobe@file:../../fixtures/envprobe-1.0.0.tgz')).toMatchObject({
      name: 'envprobe',
      version: '1.0.0',
      source: 'file',
      resolved: 'file:../../fixtures/envprobe-1.0.0.tgz',
    });
    expect(result.packages.filter((p) => p.source !== 'registry').map((p) => p.name)).toEqual(['envprobe']);
  });

  it('reads the hoisted install’s lockfile the same (the linker is not in the lockfile)', () => {
    expect(read('v9-hoisted')).toEqual(result);
  });
});

describe('pnpm-lock.yaml 9.0 written by pnpm 12 (2-member workspace)', () => {
  const result = read('v9-workspace');

  it('gives each importer its direct dependencies and links workspace: specs to the member', () => {
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.importers)).toEqual(['', 'packages/a', 'packages/b']);
    expect(result.importers['packages/b']!.dependencies.find((d) => d.name === 'a')).toEqual({
      name: 'a',
      spec: 'workspace:*',
      dev: false,
      optional: false,
      id: null,
      workspace: 'packages/a',
    });
  });

  it('knows which importers need each package, through the workspace link', () => {
    expect(pkg(result, 'better-sqlite3@12.11.1').importers).toEqual(['packages/a', 'packages/b']);
    expect(pkg(result, 'sharp@0.35.6').importers).toEqual(['packages/b']);
    expect(pkg(result, '@img/sharp-linuxmusl-x64@0.35.6').importers).toEqual(['packages/b']);
    expect(pkg(result, 'envprobe@file:../../fixtures/envprobe-1.0.0.tgz').importers).toEqual(['']);
    expect(pkg(result, 'is-number@7.0.0')).toMatchObject({ importers: [''], dev: true });
  });
});

describe('peer variants, folders and links, as pnpm 7, 8 and 10 write them', () => {
  const v5 = read('v5-peers');
  const v6 = read('v6-peers');
  const v9 = read('v9-peers');

  it('reads all three formats', () => {
    expect([v5.lockfileVersion, v6.lockfileVersion, v9.lockfileVersion]).toEqual(['5.4', '6.0', '9.0']);
    for (const r of [v5, v6, v9]) expect(r.problems).toEqual([]);
  });

  it('folds the two peer variants of sharp into one package that both members import', () => {
    for (const r of [v5, v6, v9]) {
      expect(byName(r, 'sharp').map((p) => p.id)).toEqual(['sharp@0.35.6']);
      expect(pkg(r, 'sharp@0.35.6').importers).toEqual(['packages/b', 'packages/c']);
      expect(pkg(r, 'sharp@0.35.6').keys).toHaveLength(2);
      expect(byName(r, '@types/node').map((p) => p.id)).toEqual([
        '@types/node@20.19.43',
        '@types/node@22.20.7',
      ]);
    }
    expect(pkg(v9, 'sharp@0.35.6').keys).toEqual([
      'sharp@0.35.6(@types/node@20.19.43)',
      'sharp@0.35.6(@types/node@22.20.7)',
    ]);
    expect(pkg(v5, 'sharp@0.35.6').keys).toEqual([
      '/sharp/0.35.6_@types+node@20.19.43',
      '/sharp/0.35.6_@types+node@22.20.7',
    ]);
  });

  it('gives the same packages, sources, platforms, flags and graph whichever pnpm wrote the file', () => {
    const summary = (r: LockfileReadResult) =>
      r.packages.map((p) => ({
        id: p.id,
        source: p.source,
        os: p.os,
        cpu: p.cpu,
        libc: p.libc,
        dev: p.dev,
        optional: p.optional,
        importers: p.importers,
        targets: Object.values(p.dependencyIds).sort(),
      }));
    expect(summary(v5)).toEqual(summary(v9));
    expect(summary(v6)).toEqual(summary(v9));
  });

  it('marks a file: folder as a directory and a link: outside the workspace as a link', () => {
    for (const r of [v5, v6, v9]) {
      expect(pkg(r, 'localdir@file:localdir')).toMatchObject({
        source: 'directory',
        resolved: 'localdir',
        dependencyIds: { 'is-number': 'is-number@7.0.0' },
      });
      expect(r.importers['packages/c']!.dependencies.find((d) => d.name === 'linked')).toEqual({
        name: 'linked',
        spec: 'link:../../linked',
        dev: false,
        optional: false,
        id: null,
        link: 'linked',
      });
    }
    // is-number is the root's devDependency but also localdir's dependency: not dev
    expect(pkg(v9, 'is-number@7.0.0').dev).toBe(false);
  });
});

describe('pnpm-lock.yaml shapes the fixtures do not have', () => {
  const single = fixtureText('pnpm/v9-single/pnpm-lock.yaml');

  it('reads the project document when a self-pinning pnpm writes its environment first', () => {
    const env = [
      '---',
      "lockfileVersion: '9.0'",
      '',
      'importers:',
      '',
      '  .:',
      '    packageManagerDependencies:',
      '      pnpm:',
      '        specifier: 12.25.1',
      '        version: 12.25.1',
      '',
      'packages:',
      '',
      '  pnpm@12.25.1:',
      '    resolution: {integrity: sha512-AAAA}',
      '',
      'snapshots:',
      '',
      '  pnpm@12.25.1: {}',
      '',
      '---',
      '',
    ].join('\n');
    const result = readPnpmLock(env + single);
    expect(result).toEqual(readPnpmLock(single));
    expect(result.packages.some((p) => p.name === 'pnpm')).toBe(false);
  });

  it('marks a patched package and folds it under its version', () => {
    const text = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      lodash:',
      '        specifier: ^4.17.0',
      '        version: 4.18.1(patch_hash=2f3a9c)',
      'packages:',
      '  lodash@4.18.1:',
      '    resolution: {integrity: sha512-AAAA}',
      'snapshots:',
      '  lodash@4.18.1(patch_hash=2f3a9c): {}',
    ].join('\n');
    const result = readPnpmLock(text);
    expect(result.problems).toEqual([]);
    expect(result.packages).toMatchObject([
      { id: 'lodash@4.18.1', version: '4.18.1', patched: true, importers: [''] },
    ]);
  });

  it('tells git, remote tarball and registry-with-tarball entries apart', () => {
    const text = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      a: {specifier: github:o/a, version: https://codeload.github.com/o/a/tar.gz/abc}',
      '      b: {specifier: git+https://example.com/b.git, version: git+https://example.com/b.git#def}',
      '      c: {specifier: ^1.0.0, version: 1.0.0}',
      'packages:',
      '  a@https://codeload.github.com/o/a/tar.gz/abc:',
      '    resolution: {tarball: https://codeload.github.com/o/a/tar.gz/abc}',
      '    version: 1.0.0',
      '  b@git+https://example.com/b.git#def:',
      '    resolution: {commit: def, repo: https://example.com/b.git, type: git}',
      '    version: 2.0.0',
      '  c@1.0.0:',
      '    resolution: {integrity: sha512-AAAA, tarball: https://npm.example.com/c/-/c-1.0.0.tgz}',
      'snapshots:',
      '  a@https://codeload.github.com/o/a/tar.gz/abc: {}',
      '  b@git+https://example.com/b.git#def: {}',
      '  c@1.0.0: {}',
    ].join('\n');
    const result = readPnpmLock(text);
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => [p.id, p.source, p.version, p.resolved])).toEqual([
      [
        'a@https://codeload.github.com/o/a/tar.gz/abc',
        'tarball',
        '1.0.0',
        'https://codeload.github.com/o/a/tar.gz/abc',
      ],
      ['b@git+https://example.com/b.git#def', 'git', '2.0.0', 'https://example.com/b.git#def'],
      ['c@1.0.0', 'registry', '1.0.0', 'https://npm.example.com/c/-/c-1.0.0.tgz'],
    ]);
    expect(result.importers['']!.dependencies.map((d) => d.id)).toEqual([
      'a@https://codeload.github.com/o/a/tar.gz/abc',
      'b@git+https://example.com/b.git#def',
      'c@1.0.0',
    ]);
  });

  it('refuses formats it does not know and reads a newer one as 9.0, saying so', () => {
    for (const version of ['3.9', '4', "'7.0'", 'abc']) {
      const result = readPnpmLock(`lockfileVersion: ${version}\nimporters: {}\n`);
      expect(result.problems).toEqual([{ code: 'unsupported-version', found: version.replace(/'/g, '') }]);
      expect(result.packages).toEqual([]);
    }
    const newer = readPnpmLock(single.replace("lockfileVersion: '9.0'", "lockfileVersion: '12.0'"));
    expect(newer.problems).toEqual([{ code: 'newer-version', found: '12.0' }]);
    expect(newer.lockfileVersion).toBe('12.0');
    expect(newer.packages).toHaveLength(117);
  });

  it('reports a dependency whose entry is missing, naming where it was asked', () => {
    const text = single.replace(/\n {2}bindings@1\.5\.0:\n(?: {4}.*\n)+/g, '\n');
    const result = readPnpmLock(text);
    expect(result.packages.some((p) => p.name === 'bindings')).toBe(false);
    expect(result.problems).toEqual([
      {
        code: 'dependency-unresolved',
        from: 'better-sqlite3@12.11.1',
        fromImporter: false,
        name: 'bindings',
        spec: '1.5.0',
      },
    ]);
  });
});
