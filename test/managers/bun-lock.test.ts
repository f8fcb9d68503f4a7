import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBunLock, readBunLockb } from '../../src/managers/bun-lock.js';
import { byName, fixtureText, LOCKFILES, pkg } from './fixtures.js';

describe('bun.lock (Bun 1.4.5, lockfileVersion 2), single project', () => {
  const result = readBunLock(fixtureText('bun/single/bun.lock'));

  it('reads the JSONC file, its root workspace and every platform package', () => {
    expect(result.manager).toBe('bun');
    expect(result.lockfileVersion).toBe('2');
    expect(result.problems).toEqual([]);
    expect(result.packages).toHaveLength(117);
    expect(result.importers['']!.dependencies.find((d) => d.name === 'better-sqlite3')).toEqual({
      name: 'better-sqlite3',
      spec: '^12.0.0',
      dev: false,
      optional: false,
      id: 'better-sqlite3@12.11.1',
    });
  });

  it('keeps Bun’s install-script flag: true where set, false elsewhere (this writer records it)', () => {
    expect(pkg(result, 'better-sqlite3@12.11.1').hasInstallScript).toBe(true);
    expect(pkg(result, 'bufferutil@4.1.0').hasInstallScript).toBe(true);
    expect(pkg(result, 'esbuild@0.28.2')).toMatchObject({
      hasInstallScript: true,
      bin: { esbuild: 'bin/esbuild' },
    });
    expect(pkg(result, 'lodash@4.18.1').hasInstallScript).toBe(false);
    expect(pkg(result, 'sharp@0.35.6').hasInstallScript).toBe(false);
  });

  it('reads sharp’s platform packages with os/cpu/libc', () => {
    const sharp = pkg(result, 'sharp@0.35.6');
    expect(Object.keys(sharp.optionalDependencies)).toContain('@img/sharp-linuxmusl-x64');
    expect(pkg(result, '@img/sharp-linuxmusl-x64@0.35.6')).toMatchObject({
      os: ['linux'],
      cpu: ['x64'],
      libc: ['musl'],
      optional: true,
      dependencyIds: { '@img/sharp-libvips-linuxmusl-x64': '@img/sharp-libvips-linuxmusl-x64@1.3.5' },
    });
    expect(pkg(result, '@img/sharp-linux-x64@0.35.6')).toMatchObject({ libc: ['glibc'] });
    expect(byName(result, '@img/sharp-linuxmusl-x64')[0]!.unknownPlatform).toBeUndefined();
  });

  it('treats Bun’s "none" as an unknown value, not as no constraint', () => {
    expect(pkg(result, '@esbuild/netbsd-x64@0.28.2')).toMatchObject({
      cpu: ['x64'],
      unknownPlatform: ['os'],
    });
    expect(pkg(result, '@esbuild/netbsd-x64@0.28.2').os).toBeUndefined();
    expect(pkg(result, '@esbuild/linux-riscv64@0.28.2')).toMatchObject({
      os: ['linux'],
      unknownPlatform: ['cpu'],
    });
    expect(pkg(result, '@img/sharp-libvips-linux-riscv64@1.3.5')).toMatchObject({
      os: ['linux'],
      libc: ['glibc'],
      unknownPlatform: ['cpu'],
    });
    expect(pkg(result, '@img/sharp-webcontainers-wasm32@0.35.6').unknownPlatform).toEqual(['cpu']);
  });

  it('marks the local tarball as a file, with its script flag and integrity', () => {
    expect(pkg(result, 'envprobe@../../fixtures/envprobe-1.0.0.tgz')).toMatchObject({
      name: 'envprobe',
      source: 'file',
      resolved: '../../fixtures/envprobe-1.0.0.tgz',
      hasInstallScript: true,
      integrity:
        'sha512-5oeeNK9P3lT1ILXImmnehaeQc1hQplZ9Z9g78hsbH2bkNukyzlr5Gi67MS3KIqmZjA6T6g5JfIyyH6X9yIN2JQ==',
    });
  });
});

describe('bun.lock of the 2-member workspace', () => {
  const result = readBunLock(fixtureText('bun/workspace/bun.lock'));

  it('reads every workspace as an importer and links workspace: specs to the member', () => {
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.importers)).toEqual(['', 'packages/a', 'packages/b']);
    expect(result.importers['packages/b']).toMatchObject({ name: 'b' });
    expect(result.importers['packages/b']!.dependencies.find((d) => d.name === 'a')).toEqual({
      name: 'a',
      spec: 'workspace:*',
      dev: false,
      optional: false,
      id: null,
      workspace: 'packages/a',
    });
    expect(result.packages.some((p) => p.name === 'a' || p.name === 'b')).toBe(false);
  });

  it('knows which members need each package', () => {
    expect(pkg(result, 'better-sqlite3@12.11.1').importers).toEqual(['packages/a', 'packages/b']);
    expect(pkg(result, 'sharp@0.35.6').importers).toEqual(['packages/b']);
    expect(pkg(result, '@img/sharp-linuxmusl-x64@0.35.6').importers).toEqual(['packages/b']);
    expect(pkg(result, 'is-number@7.0.0')).toMatchObject({ importers: [''], dev: true });
  });
});

describe('bun.lock shapes', () => {
  it('returns trustedDependencies when package.json has them', () => {
    const result = readBunLock(fixtureText('bun/trust/bun.lock'));
    expect(result.problems).toEqual([]);
    expect(result.trustedDependencies).toEqual(['esbuild', '@parcel/watcher']);
    expect(readBunLock(fixtureText('bun/single/bun.lock')).trustedDependencies).toBeUndefined();
  });

  it('resolves nested install paths and a member’s own copies the way Node would', () => {
    const result = readBunLock(fixtureText('bun/nested/bun.lock'));
    expect(result.problems).toEqual([]);
    // string-width (root) needs strip-ansi 6 (nested), the root itself strip-ansi 7
    expect(pkg(result, 'string-width@4.2.3').dependencyIds['strip-ansi']).toBe('strip-ansi@6.0.1');
    expect(result.importers['']!.dependencies.find((d) => d.name === 'strip-ansi')!.id).toBe(
      'strip-ansi@7.2.0',
    );
    expect(pkg(result, 'strip-ansi@6.0.1').keys).toEqual([
      'string-width-cjs/strip-ansi',
      'string-width/strip-ansi',
    ]);
    // packages/x (named x) has its own is-number 6 under `x/is-number`
    expect(result.importers['packages/x']!.dependencies.find((d) => d.name === 'is-number')!.id).toBe(
      'is-number@6.0.0',
    );
    expect(pkg(result, 'is-number@6.0.0')).toMatchObject({ importers: ['packages/x'], dev: false });
    expect(pkg(result, 'is-odd@3.0.1')).toMatchObject({ importers: ['packages/x'], dev: true });
    // an npm: alias and the real name are one package
    expect(pkg(result, 'string-width@4.2.3').keys).toEqual(['string-width', 'string-width-cjs']);
    expect(pkg(result, 'localdir@file:localdir')).toMatchObject({
      source: 'directory',
      resolved: 'localdir',
      dependencyIds: { 'is-number': 'is-number@7.0.0' },
    });
    expect(pkg(result, 'fsevents@2.3.3')).toMatchObject({ os: ['darwin'], optional: true });
  });

  it('leaves the script flag unknown when no entry of the file records one', () => {
    // bun/nested locks no package with a script: nothing shows that its writer records the flag
    const result = readBunLock(fixtureText('bun/nested/bun.lock'));
    expect(result.packages.every((p) => p.hasInstallScript === undefined)).toBe(true);
  });

  it('marks libc unknown for Linux platform packages of a writer that never records libc', () => {
    const text = JSON.stringify({
      lockfileVersion: 1,
      workspaces: { '': { dependencies: { sharp: '^0.33.0' } } },
      packages: {
        sharp: [
          'sharp@0.33.0',
          '',
          { optionalDependencies: { '@img/sharp-linuxmusl-x64': '0.33.0' } },
          'sha512-A',
        ],
        '@img/sharp-linuxmusl-x64': [
          '@img/sharp-linuxmusl-x64@0.33.0',
          '',
          { os: 'linux', cpu: 'x64' },
          'sha512-B',
        ],
        '@img/sharp-darwin-x64': [
          '@img/sharp-darwin-x64@0.33.0',
          '',
          { os: 'darwin', cpu: 'x64' },
          'sha512-C',
        ],
      },
    });
    const result = readBunLock(text);
    expect(result.problems).toEqual([]);
    expect(pkg(result, '@img/sharp-linuxmusl-x64@0.33.0')).toMatchObject({
      os: ['linux'],
      cpu: ['x64'],
      unknownPlatform: ['libc'],
      hasInstallScript: undefined,
    });
    expect(pkg(result, '@img/sharp-darwin-x64@0.33.0').unknownPlatform).toBeUndefined();
  });

  it('reads link, git, github and remote tarball tuples as non-registry sources', () => {
    const text = `{
      // comments are allowed in bun.lock
      "lockfileVersion": 2,
      "workspaces": { "": { "dependencies": { "l": "link:l", "g": "git+https://example.com/g.git", "h": "github:o/h", "t": "https://example.com/t.tgz" } } },
      "packages": {
        "l": ["l@link:../l", {}],
        "g": ["g@git+https://example.com/g.git#abc", { "hasInstallScript": true }, "abc"],
        "h": ["h@github:o/h#def", {}, "o-h-def"],
        "t": ["t@https://example.com/t.tgz", {}, "sha512-T"],
      },
    }`;
    const result = readBunLock(text);
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => [p.id, p.source, p.resolved, p.integrity])).toEqual([
      ['g@git+https://example.com/g.git#abc', 'git', 'git+https://example.com/g.git#abc', undefined],
      ['h@github:o/h#def', 'git', 'github:o/h#def', undefined],
      ['l@link:../l', 'link', '../l', undefined],
      ['t@https://example.com/t.tgz', 'tarball', 'https://example.com/t.tgz', 'sha512-T'],
    ]);
    expect(pkg(result, 'h@github:o/h#def').hasInstallScript).toBe(false);
  });
});

describe('bun.lockb', () => {
  it('is a coded problem, from the bytes or without them', () => {
    const bytes = readFileSync(join(LOCKFILES, 'bun/lockb/bun.lockb'));
    const fromBytes = readBunLock(bytes.toString('latin1'));
    expect(fromBytes.problems).toEqual([{ code: 'binary-lockfile', file: 'bun.lockb' }]);
    expect(fromBytes.packages).toEqual([]);
    expect(readBunLock(bytes.toString('utf8')).problems).toEqual([
      { code: 'binary-lockfile', file: 'bun.lockb' },
    ]);
    expect(readBunLockb()).toEqual({
      manager: 'bun',
      lockfileVersion: null,
      importers: {},
      packages: [],
      problems: [{ code: 'binary-lockfile', file: 'bun.lockb' }],
    });
  });
});

describe('bun.lock versions', () => {
  it('reads a newer version, saying so, and refuses a missing one', () => {
    const text = fixtureText('bun/trust/bun.lock');
    const newer = readBunLock(text.replace('"lockfileVersion": 2', '"lockfileVersion": 3'));
    expect(newer.problems).toEqual([{ code: 'newer-version', found: '3' }]);
    expect(newer.packages.length).toBeGreaterThan(0);
    const missing = readBunLock(text.replace('"lockfileVersion": 2,', ''));
    expect(missing.problems).toEqual([{ code: 'unsupported-version', found: '' }]);
  });
});
