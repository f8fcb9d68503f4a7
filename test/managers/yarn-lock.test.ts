import { describe, expect, it } from 'vitest';
import { parseConditions, readYarnLock } from '../../src/managers/yarn-lock.js';
import { byName, fixtureText, manifests, pkg } from './fixtures.js';

describe('yarn.lock v1 (Yarn 1.22.22)', () => {
  const single = readYarnLock(fixtureText('yarn-classic/single/yarn.lock'));

  it('reads every entry, registry packages with their resolved URL and integrity', () => {
    expect(single.manager).toBe('yarn-classic');
    expect(single.lockfileVersion).toBe('1');
    expect(single.problems).toEqual([]);
    expect(single.packages).toHaveLength(117);
    expect(pkg(single, 'better-sqlite3@12.11.1')).toMatchObject({
      source: 'registry',
      resolved:
        'https://registry.yarnpkg.com/better-sqlite3/-/better-sqlite3-12.11.1.tgz#067846efabf7671957fc8a9e8df3be39c6cc0b84',
      integrity:
        'sha512-dq9AtApgg5PGFtBzPFSBl3HZQjHok5gaQCM6zh2Yk0aSmDCs1CbnVI8/HgASQkNKsWFpseIO9beg5xxpYhbIfA==',
      dependencies: { bindings: '^1.5.0', 'prebuild-install': '^7.1.1' },
      dependencyIds: { bindings: 'bindings@1.5.0', 'prebuild-install': 'prebuild-install@7.1.3' },
      keys: ['better-sqlite3@^12.0.0'],
    });
  });

  it('has no os/cpu/libc and no script flag: undefined (unknown), never empty or false', () => {
    const musl = pkg(single, '@parcel/watcher-linux-x64-musl@2.6.0');
    expect(musl.os).toBeUndefined();
    expect(musl.cpu).toBeUndefined();
    expect(musl.libc).toBeUndefined();
    expect(single.packages.every((p) => p.os === undefined && p.hasInstallScript === undefined)).toBe(true);
    expect(pkg(single, 'esbuild@0.28.2').optionalDependencies['@esbuild/linux-x64']).toBe('0.28.2');
  });

  it('marks the local tarball as a file', () => {
    expect(pkg(single, 'envprobe@file:../../fixtures/envprobe-1.0.0.tgz')).toMatchObject({
      source: 'file',
      version: '1.0.0',
    });
  });

  it('has no importers of its own: without the manifests, nothing is reached', () => {
    expect(single.importers).toEqual({});
    expect(single.packages.every((p) => p.importers.length === 0 && p.dev === undefined)).toBe(true);
  });

  it('takes its importers from the workspaces’ manifests, members linked by name', () => {
    const project = 'yarn-classic/workspace';
    const ws = readYarnLock(fixtureText(`${project}/yarn.lock`), {
      workspaces: manifests(project, ['', 'packages/a', 'packages/b']),
    });
    expect(ws.problems).toEqual([]);
    expect(Object.keys(ws.importers)).toEqual(['', 'packages/a', 'packages/b']);
    expect(ws.importers['packages/b']!.dependencies.find((d) => d.name === 'a')).toEqual({
      name: 'a',
      spec: '1.0.0',
      dev: false,
      optional: false,
      id: null,
      workspace: 'packages/a',
    });
    expect(pkg(ws, 'better-sqlite3@12.11.1').importers).toEqual(['packages/a', 'packages/b']);
    expect(pkg(ws, '@img/sharp-linuxmusl-x64@0.35.6')).toMatchObject({
      importers: ['packages/b'],
      optional: true,
      dev: false,
    });
    expect(pkg(ws, 'is-number@7.0.0')).toMatchObject({ importers: [''], dev: true });
  });
});

describe('yarn.lock Berry (Yarn 4.18.1, __metadata version 10)', () => {
  const project = 'yarn-berry/nm-single';
  const single = readYarnLock(fixtureText(`${project}/yarn.lock`));

  it('reads conditions into os/cpu/libc', () => {
    expect(single.manager).toBe('yarn-berry');
    expect(single.lockfileVersion).toBe('10');
    expect(single.problems).toEqual([]);
    expect(pkg(single, '@parcel/watcher-linux-x64-musl@npm:2.6.0')).toMatchObject({
      name: '@parcel/watcher-linux-x64-musl',
      version: '2.6.0',
      source: 'registry',
      os: ['linux'],
      cpu: ['x64'],
      libc: ['musl'],
      optional: true,
      importers: [''],
    });
    expect(pkg(single, '@esbuild/aix-ppc64@npm:0.28.2')).toMatchObject({ os: ['aix'], cpu: ['ppc64'] });
    expect(pkg(single, 'lodash@npm:4.18.1').os).toBeUndefined();
    expect(single.packages.every((p) => p.hasInstallScript === undefined)).toBe(true);
  });

  it('splits dependencies flagged optional in dependenciesMeta into optionalDependencies', () => {
    const sharp = pkg(single, 'sharp@npm:0.35.6');
    expect(sharp.optionalDependencies['@img/sharp-linuxmusl-x64']).toBe('npm:0.35.6');
    expect(sharp.dependencies['@img/sharp-linuxmusl-x64']).toBeUndefined();
    expect(sharp.dependencies['detect-libc']).toBe('npm:^2.1.2');
    expect(sharp.dependencyIds['@img/sharp-linuxmusl-x64']).toBe('@img/sharp-linuxmusl-x64@npm:0.35.6');
    expect(pkg(single, '@img/sharp-linuxmusl-x64@npm:0.35.6')).toMatchObject({
      libc: ['musl'],
      optional: true,
    });
  });

  it('keeps the workspace’s dependenciesMeta (its build allow-list)', () => {
    expect(single.importers['']).toMatchObject({
      name: 'pm-single',
      dependenciesMeta: { 'better-sqlite3': { built: true }, esbuild: { built: true } },
    });
  });

  it('resolves the implicit node-gyp through the resolutions override the lockfile kept', () => {
    // better-sqlite3 lists `node-gyp: npm:latest`; resolutions pinned it, the only entry is 12.3.0
    expect(pkg(single, 'better-sqlite3@npm:12.11.1').dependencyIds['node-gyp']).toBe('node-gyp@npm:12.3.0');
    expect(byName(single, 'node-gyp').map((p) => p.id)).toEqual(['node-gyp@npm:12.3.0']);
  });

  it('finds a file: dependency under the locator Yarn binds it to, and marks it a file', () => {
    const root = single.importers['']!.dependencies.find((d) => d.name === 'envprobe');
    const id =
      'envprobe@file:../../fixtures/envprobe-1.0.0.tgz#../../fixtures/envprobe-1.0.0.tgz::hash=e6879e&locator=pm-single%40workspace%3A.';
    expect(root).toMatchObject({ spec: 'file:../../fixtures/envprobe-1.0.0.tgz', id });
    expect(pkg(single, id)).toMatchObject({ name: 'envprobe', version: '1.0.0', source: 'file' });
  });

  it('cannot tell devDependencies in a workspace entry; the manifest can', () => {
    expect(pkg(single, 'is-number@npm:7.0.0').dev).toBeUndefined();
    const withManifest = readYarnLock(fixtureText(`${project}/yarn.lock`), {
      workspaces: manifests(project, ['']),
    });
    expect(pkg(withManifest, 'is-number@npm:7.0.0').dev).toBe(true);
    expect(pkg(withManifest, 'better-sqlite3@npm:12.11.1').dev).toBe(false);
    expect(withManifest.importers['']!.dependencies.find((d) => d.name === 'better-sqlite3')!.spec).toBe(
      '^12.0.0',
    );
  });

  it('reads a PnP workspace: members from workspace: entries, linked to each other', () => {
    const ws = readYarnLock(fixtureText('yarn-berry/pnp-workspace/yarn.lock'));
    expect(ws.problems).toEqual([]);
    expect(Object.keys(ws.importers)).toEqual(['', 'packages/a', 'packages/b']);
    expect(ws.importers['packages/b']!.dependencies.find((d) => d.name === 'a')).toMatchObject({
      spec: 'workspace:*',
      id: null,
      workspace: 'packages/a',
    });
    expect(pkg(ws, 'better-sqlite3@npm:12.11.1').importers).toEqual(['packages/a', 'packages/b']);
    expect(ws.packages.some((p) => p.name === 'a' || p.name === 'b')).toBe(false);
  });
});

describe('Berry protocols: patch:, npm: aliases, dependenciesMeta', () => {
  const result = readYarnLock(fixtureText('yarn-berry/protocols/yarn.lock'));
  const root = () => result.importers['']!.dependencies;

  it('resolves a dependency Yarn patches to the patch: entry: the npm version underneath, marked patched', () => {
    expect(result.problems).toEqual([]);
    const resolve = root().find((d) => d.name === 'resolve')!;
    expect(resolve.id).toBe(
      'resolve@patch:resolve@npm%3A1.22.14#optional!builtin<compat/resolve>::version=1.22.14&hash=9bd1a5',
    );
    expect(pkg(result, resolve.id!)).toMatchObject({
      name: 'resolve',
      version: '1.22.14',
      source: 'registry',
      patched: true,
      importers: [''],
    });
    // the unpatched entry stays locked, but nothing installs it
    expect(pkg(result, 'resolve@npm:1.22.14')).toMatchObject({ patched: false, importers: [] });
  });

  it('keeps fsevents’ darwin condition on its patched entry and the workspace’s built: false', () => {
    const fsevents = pkg(result, root().find((d) => d.name === 'fsevents')!.id!);
    expect(fsevents).toMatchObject({ patched: true, os: ['darwin'], version: '2.3.3' });
    expect(result.importers['']!.dependenciesMeta).toEqual({ fsevents: { built: false } });
  });

  it('resolves an npm: alias to the real package', () => {
    expect(root().find((d) => d.name === 'string-width-cjs')).toMatchObject({
      spec: 'npm:string-width@^4.2.0',
      id: 'string-width@npm:4.2.3',
    });
    expect(pkg(result, 'string-width@npm:4.2.3').name).toBe('string-width');
  });
});

describe('parseConditions', () => {
  it('reads the expression Yarn writes from os/cpu/libc, negations in npm’s form', () => {
    expect(parseConditions('os=linux & cpu=x64 & libc=musl')).toEqual({
      os: ['linux'],
      cpu: ['x64'],
      libc: ['musl'],
    });
    expect(parseConditions('(os=darwin | os=linux) & !cpu=ia32')).toEqual({
      os: ['darwin', 'linux'],
      cpu: ['!ia32'],
    });
    expect(parseConditions('os=darwin')).toEqual({ os: ['darwin'] });
  });

  it('gives null for anything else, and the reader reports the entry', () => {
    expect(parseConditions('os=linux & engine=node')).toBeNull();
    expect(parseConditions('invalid')).toBeNull();
    const text = [
      '__metadata:',
      '  version: 10',
      '',
      '"x@npm:^1.0.0":',
      '  version: 1.0.0',
      '  resolution: "x@npm:1.0.0"',
      '  conditions: os=linux & weird',
    ].join('\n');
    const result = readYarnLock(text);
    expect(result.problems).toEqual([{ code: 'entry-invalid', key: 'x@npm:^1.0.0', field: 'conditions' }]);
    expect(pkg(result, 'x@npm:1.0.0').os).toBeUndefined();
  });
});

describe('yarn.lock versions', () => {
  it('reads a newer Berry format, saying so, and refuses a version that is not a number', () => {
    const text = fixtureText('yarn-berry/protocols/yarn.lock');
    const newer = readYarnLock(text.replace('  version: 10\n', '  version: 11\n'));
    expect(newer.problems).toEqual([{ code: 'newer-version', found: '11' }]);
    expect(newer.packages.length).toBeGreaterThan(0);
    const odd = readYarnLock(text.replace('  version: 10\n', '  version: ten\n'));
    expect(odd.problems).toEqual([{ code: 'unsupported-version', found: 'ten' }]);
    expect(odd.packages).toEqual([]);
  });
});
