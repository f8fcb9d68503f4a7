import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { loadProjectTree } from '../../src/tree/installed.js';
import { expandWorkspaces } from '../../src/tree/installed-workspaces.js';
import { tempDir } from '../helpers/fixture-project.js';

/**
 * pnpm's isolated layout (the same shape as Bun's), built by hand the way pnpm 10 writes it: store
 * folders in node_modules/.pnpm/<id>/node_modules/<name>, dependencies linked beside each package,
 * each importer linking its own direct dependencies. The real managers' layouts are in
 * test/e2e/managers.test.ts.
 */

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

const json = (value: unknown) => JSON.stringify(value, null, 2);

function write(root: string, file: string, text: string) {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), text);
}

function link(root: string, from: string, to: string) {
  mkdirSync(join(root, from, '..'), { recursive: true });
  symlinkSync(to, join(root, from));
}

/** root → addon (→ helper), is-dev (dev); member packages/a → addon; member packages/b → a (workspace). */
function pnpmWorkspace(): string {
  tmp = tempDir('ng-isolated-');
  const r = tmp.dir;
  write(
    r,
    'package.json',
    json({
      name: 'root',
      version: '1.0.0',
      dependencies: { addon: '1.0.0' },
      devDependencies: { 'is-dev': '1.0.0' },
    }),
  );
  write(r, 'pnpm-workspace.yaml', 'packages:\n  - "packages/*"\n');
  write(
    r,
    'node_modules/.modules.yaml',
    json({ nodeLinker: 'isolated', packageManager: 'pnpm@10.34.9', virtualStoreDir: '.pnpm' }),
  );
  write(r, 'node_modules/.pnpm/lock.yaml', "lockfileVersion: '9.0'\n");
  const store = 'node_modules/.pnpm';
  write(
    r,
    `${store}/addon@1.0.0/node_modules/addon/package.json`,
    json({
      name: 'addon',
      version: '1.0.0',
      scripts: { install: 'node-gyp rebuild' },
      dependencies: { helper: '^2.0.0' },
    }),
  );
  write(r, `${store}/addon@1.0.0/node_modules/addon/binding.gyp`, '{}');
  link(r, `${store}/addon@1.0.0/node_modules/helper`, '../../helper@2.0.0/node_modules/helper');
  write(
    r,
    `${store}/helper@2.0.0/node_modules/helper/package.json`,
    json({ name: 'helper', version: '2.0.0' }),
  );
  write(
    r,
    `${store}/is-dev@1.0.0/node_modules/is-dev/package.json`,
    json({ name: 'is-dev', version: '1.0.0' }),
  );
  // pnpm's private hoist: not an importer, never a package of its own
  link(r, `${store}/node_modules/helper`, '../helper@2.0.0/node_modules/helper');
  link(r, 'node_modules/addon', '.pnpm/addon@1.0.0/node_modules/addon');
  link(r, 'node_modules/is-dev', '.pnpm/is-dev@1.0.0/node_modules/is-dev');
  write(
    r,
    'packages/a/package.json',
    json({ name: 'a', version: '1.0.0', dependencies: { addon: '1.0.0' } }),
  );
  link(r, 'packages/a/node_modules/addon', '../../../node_modules/.pnpm/addon@1.0.0/node_modules/addon');
  write(
    r,
    'packages/b/package.json',
    json({ name: 'b', version: '1.0.0', dependencies: { a: 'workspace:*' } }),
  );
  link(r, 'packages/b/node_modules/a', '../../a');
  return r;
}

describe("pnpm's isolated layout", () => {
  it('lists each package once at its store folder, the members at theirs, and no store folder as a package', async () => {
    const root = pnpmWorkspace();
    const tree = await loadProjectTree(root);
    expect(tree.problems).toEqual([]);
    expect(tree.packageManager).toEqual({
      name: 'pnpm',
      version: '10.34.9',
      linker: 'isolated',
      source: 'installed',
      file: 'node_modules/.modules.yaml',
    });
    expect(tree.packages.map((p) => [p.id, p.location, p.isWorkspace, p.dev])).toEqual([
      ['root@1.0.0', '', false, false],
      ['addon@1.0.0', 'node_modules/.pnpm/addon@1.0.0/node_modules/addon', false, false],
      ['helper@2.0.0', 'node_modules/.pnpm/helper@2.0.0/node_modules/helper', false, false],
      ['is-dev@1.0.0', 'node_modules/.pnpm/is-dev@1.0.0/node_modules/is-dev', false, true],
      ['a@1.0.0', 'packages/a', true, false],
      ['b@1.0.0', 'packages/b', true, false],
    ]);
    const addon = tree.packages.find((p) => p.name === 'addon')!;
    expect(addon.dependencies).toEqual([
      {
        name: 'helper',
        spec: '^2.0.0',
        type: 'prod',
        location: 'node_modules/.pnpm/helper@2.0.0/node_modules/helper',
      },
    ]);
    expect(addon.scriptIdentity).toMatchObject({
      registry: true,
      // linked from the root and from packages/a
      edgesIn: [
        { name: 'addon', spec: '1.0.0' },
        { name: 'addon', spec: '1.0.0' },
      ],
    });
    const b = tree.packages.find((p) => p.name === 'b')!;
    expect(b.dependencies).toEqual([
      { name: 'a', spec: 'workspace:*', type: 'prod', location: 'packages/a' },
    ]);
  });

  it("npm's reader, which read it before, reports pnpm's store folders as broken packages", async () => {
    // the regression this reader fixes (issue 15): kept as the reason the isolated reader exists
    const root = pnpmWorkspace();
    const tree = await loadInstalledTree(root);
    expect(
      tree.problems.some(
        (p) => p.kind === 'package-json-invalid' && p.location.startsWith('node_modules/.pnpm/'),
      ),
    ).toBe(true);
  });

  it('a dangling link in an importer is a broken link, and the rest is still read', async () => {
    const root = pnpmWorkspace();
    link(root, 'node_modules/gone', '.pnpm/gone@1.0.0/node_modules/gone');
    const tree = await loadProjectTree(root);
    expect(tree.problems).toEqual([
      expect.objectContaining({ kind: 'link-broken', location: 'node_modules/gone', errorCode: 'ENOENT' }),
    ]);
    expect(tree.packages.map((p) => p.name)).toContain('addon');
  });
});

describe('workspace globs', () => {
  it('expands `*`, `**` and `!` the way the managers do, skipping node_modules and dot folders', () => {
    tmp = tempDir('ng-globs-');
    const r = tmp.dir;
    for (const dir of [
      'packages/a',
      'packages/b',
      'packages/skip',
      'apps/web/x',
      'apps/web/node_modules/y',
      'apps/.hidden/z',
      'tools/c',
    ])
      write(r, `${dir}/package.json`, '{}');
    mkdirSync(join(r, 'packages', 'no-manifest'));
    expect(expandWorkspaces(r, ['packages/*', 'apps/**', '!packages/skip', './tools/c/'])).toEqual([
      'apps/web/x',
      'packages/a',
      'packages/b',
      'tools/c',
    ]);
  });
});
