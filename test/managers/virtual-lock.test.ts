// The tree built from another manager's lockfile: npm's hoisting, and hostile names kept inside
// node_modules. Synthetic reader results (the real lockfiles are in lockfile-only-lock.test.ts).
import { describe, expect, it } from 'vitest';
import type { LockedPackage, LockfileReadResult } from '../../src/managers/types.js';
import { isPackageName, managerLockfileTree } from '../../src/tree/virtual-managers.js';

const pkg = (name: string, version: string, deps: Record<string, string> = {}): LockedPackage => ({
  id: `${name}@${version}`,
  name,
  version,
  source: 'registry',
  patched: false,
  dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, '*'])),
  optionalDependencies: {},
  dependencyIds: deps,
  hasInstallScript: undefined,
  dev: false,
  optional: false,
  importers: [''],
  keys: [],
});

const lock = (packages: LockedPackage[], root: Record<string, string>): LockfileReadResult => ({
  manager: 'pnpm',
  lockfileVersion: '9.0',
  importers: {
    '': {
      path: '',
      dependencies: Object.entries(root).map(([name, id]) => ({
        name,
        spec: '*',
        dev: false,
        optional: false,
        id,
      })),
    },
    '../outside': { path: '../outside', dependencies: [] },
  },
  packages,
  problems: [],
});

describe('managerLockfileTree', () => {
  it('hoists like npm: one version on top, another nested under the package that needs it', () => {
    const tree = managerLockfileTree(
      '/nonexistent-project',
      'pnpm-lock.yaml',
      lock([pkg('a', '1.0.0', { b: 'b@2.0.0' }), pkg('b', '1.0.0'), pkg('b', '2.0.0')], {
        a: 'a@1.0.0',
        b: 'b@1.0.0',
      }),
    );
    expect(tree.packages.map((p) => `${p.location} ${p.id}`)).toEqual([
      ' root@0.0.0',
      'node_modules/a a@1.0.0',
      'node_modules/a/node_modules/b b@2.0.0',
      'node_modules/b b@1.0.0',
    ]);
    // no install-script flag in pnpm-lock.yaml: the tarball must be read
    expect(tree.packages.find((p) => p.id === 'a@1.0.0')?.scriptsUnknown).toBe(true);
  });

  it('a hostile name or importer path never places a record outside node_modules', () => {
    const tree = managerLockfileTree(
      '/nonexistent-project',
      'pnpm-lock.yaml',
      lock([pkg('../../evil', '1.0.0'), pkg('@x/..', '1.0.0'), pkg('ok', '1.0.0')], {
        '../../evil': '../../evil@1.0.0',
        '@x/..': '@x/..@1.0.0',
        ok: 'ok@1.0.0',
      }),
    );
    expect(tree.packages.map((p) => p.location)).toEqual(['', 'node_modules/ok']);
    expect(isPackageName('@scope/name')).toBe(true);
    expect(isPackageName('a\\b')).toBe(false);
  });
});
