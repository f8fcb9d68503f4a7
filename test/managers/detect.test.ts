import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DETECT_CANDIDATES,
  detectManager,
  parsePackageManager,
  parseUserAgent,
  type DetectInput,
} from '../../src/managers/detect.js';
import { boundedReader, LOCKFILES } from './fixtures.js';

/** Detection over a fixture folder, the way the wiring will run it: stat the candidates, bounded reads. */
function detectFixture(project: string, userAgent?: string) {
  const root = join(LOCKFILES, project);
  const input: DetectInput = {
    present: DETECT_CANDIDATES.filter((p) => existsSync(join(root, p))),
    read: boundedReader(root),
  };
  if (userAgent) input.userAgent = userAgent;
  return detectManager(input);
}

/** Detection over files given in memory. */
function detectFiles(files: Record<string, string>, userAgent?: string) {
  const input: DetectInput = {
    present: Object.keys(files),
    read: (p, max) =>
      Object.prototype.hasOwnProperty.call(files, p) ? (files[p] as string).slice(0, max) : null,
  };
  if (userAgent) input.userAgent = userAgent;
  return detectManager(input);
}

describe('detectManager on the installs of the research', () => {
  it('pnpm: .modules.yaml decides manager and linker, isolated or hoisted', () => {
    expect(detectFixture('pnpm/v9-single')).toEqual({
      manager: 'pnpm',
      version: '10.34.9',
      linker: 'isolated',
      lockfile: 'pnpm-lock.yaml',
      evidence: {
        manager: { source: 'installed', file: 'node_modules/.modules.yaml' },
        version: { source: 'packageManager', file: 'package.json' },
        linker: { source: 'installed', file: 'node_modules/.modules.yaml' },
      },
      conflicts: [],
    });
    expect(detectFixture('pnpm/v9-hoisted')).toMatchObject({ manager: 'pnpm', linker: 'hoisted' });
    expect(detectFixture('pnpm/v9-workspace')).toMatchObject({
      manager: 'pnpm',
      version: '12.25.1',
      linker: 'isolated',
    });
  });

  it('pnpm 8 wrote .modules.yaml as YAML: its version comes from there when package.json has none', () => {
    expect(detectFixture('pnpm/v6-installed')).toMatchObject({
      manager: 'pnpm',
      version: '8.15.9',
      linker: 'isolated',
      evidence: { version: { source: 'installed', file: 'node_modules/.modules.yaml' } },
    });
  });

  it('pnpm lockfile only: the lockfile decides, the linker is pnpm’s default', () => {
    expect(detectFixture('pnpm/v9-peers')).toMatchObject({
      manager: 'pnpm',
      linker: 'isolated',
      lockfile: 'pnpm-lock.yaml',
      evidence: { manager: { source: 'lockfile', file: 'pnpm-lock.yaml' }, linker: { source: 'default' } },
    });
  });

  it('Yarn 1: .yarn-integrity when installed, the v1 header of yarn.lock otherwise', () => {
    expect(detectFixture('yarn-classic/single')).toMatchObject({
      manager: 'yarn-classic',
      version: '1.22.22',
      linker: 'hoisted',
      lockfile: 'yarn.lock',
      evidence: { manager: { source: 'installed', file: 'node_modules/.yarn-integrity' } },
    });
    expect(detectFixture('yarn-classic/workspace')).toMatchObject({
      manager: 'yarn-classic',
      evidence: { manager: { source: 'lockfile', file: 'yarn.lock' } },
    });
  });

  it('Yarn 4: .yarn-state.yml means node-modules, .pnp.cjs means PnP, else .yarnrc.yml', () => {
    expect(detectFixture('yarn-berry/nm-single')).toMatchObject({
      manager: 'yarn-berry',
      version: '4.18.1',
      linker: 'hoisted',
      evidence: { manager: { source: 'installed', file: 'node_modules/.yarn-state.yml' } },
    });
    expect(detectFixture('yarn-berry/pnp-workspace')).toMatchObject({
      manager: 'yarn-berry',
      linker: 'pnp',
      evidence: { manager: { source: 'installed', file: '.pnp.cjs' } },
    });
    expect(detectFixture('yarn-berry/protocols')).toMatchObject({
      manager: 'yarn-berry',
      linker: 'hoisted',
      evidence: {
        manager: { source: 'lockfile', file: 'yarn.lock' },
        linker: { source: 'config', file: '.yarnrc.yml' },
      },
    });
  });

  it('Bun: node_modules/.bun is isolated; a plain node_modules with bun.lock is hoisted', () => {
    expect(detectFixture('bun/workspace')).toMatchObject({
      manager: 'bun',
      linker: 'isolated',
      lockfile: 'bun.lock',
      evidence: { manager: { source: 'installed', file: 'node_modules/.bun' } },
    });
    expect(detectFixture('bun/single')).toMatchObject({
      manager: 'bun',
      linker: 'hoisted',
      evidence: {
        manager: { source: 'lockfile', file: 'bun.lock' },
        linker: { source: 'installed', file: 'node_modules' },
      },
    });
    // not installed: bun.lock configVersion 1 and package.json workspaces → Bun's isolated default
    expect(detectFixture('bun/nested')).toMatchObject({
      manager: 'bun',
      linker: 'isolated',
      evidence: { linker: { source: 'lockfile', file: 'bun.lock' } },
    });
    expect(detectFixture('bun/lockb')).toMatchObject({ manager: 'bun', lockfile: 'bun.lockb' });
  });
});

describe('detectManager without an install', () => {
  it('takes the running manager’s user agent as its version, and pnpm 11’s rules for .npmrc', () => {
    const pnpm11 = detectFiles(
      { '.npmrc': 'node-linker=hoisted\n' },
      'pnpm/11.29.0 npm/? node/v22.23.5 linux x64',
    );
    expect(pnpm11).toMatchObject({
      manager: 'pnpm',
      version: '11.29.0',
      linker: 'isolated',
      evidence: {
        manager: { source: 'user-agent' },
        version: { source: 'user-agent' },
        linker: { source: 'default' },
      },
    });
    const pnpm10 = detectFiles(
      { '.npmrc': 'node-linker=hoisted\n' },
      'pnpm/10.34.9 npm/? node/v20.20.2 linux x64',
    );
    expect(pnpm10).toMatchObject({
      linker: 'hoisted',
      evidence: { linker: { source: 'config', file: '.npmrc' } },
    });
    const ws = detectFiles(
      { 'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\nnodeLinker: hoisted\n" },
      'pnpm/12.25.1 npm/? node/? linux x64',
    );
    expect(ws).toMatchObject({
      linker: 'hoisted',
      evidence: { linker: { source: 'config', file: 'pnpm-workspace.yaml' } },
    });
  });

  it('tells Yarn 1 from Berry by version, and Berry defaults to PnP', () => {
    expect(detectFiles({}, 'yarn/1.22.22 npm/? node/v20.20.2 linux x64')).toMatchObject({
      manager: 'yarn-classic',
      linker: 'hoisted',
    });
    expect(detectFiles({}, 'yarn/4.18.1 npm/? node/v20.20.2 linux x64')).toMatchObject({
      manager: 'yarn-berry',
      version: '4.18.1',
      linker: 'pnp',
      evidence: { linker: { source: 'default' } },
    });
  });

  it('reads packageManager (hash and all) and Yarn’s yarnPath', () => {
    expect(detectFiles({ 'package.json': '{"packageManager":"pnpm@10.34.9+sha512.abcdef"}' })).toMatchObject({
      manager: 'pnpm',
      version: '10.34.9',
      evidence: { manager: { source: 'packageManager', file: 'package.json' } },
    });
    expect(
      detectFiles({
        'yarn.lock': '__metadata:\n  version: 10\n',
        '.yarnrc.yml': 'nodeLinker: pnpm\nyarnPath: .yarn/releases/yarn-4.13.0.cjs\n',
      }),
    ).toMatchObject({
      manager: 'yarn-berry',
      version: '4.13.0',
      linker: 'isolated',
      evidence: { version: { source: 'config', file: '.yarnrc.yml' } },
    });
  });

  it('reads devEngines.packageManager: a range names the manager, not a version', () => {
    const pkg = JSON.stringify({ devEngines: { packageManager: { name: 'pnpm', version: '>=11.0.0' } } });
    const result = detectFiles({ 'package.json': pkg });
    expect(result).toMatchObject({ manager: 'pnpm', evidence: { manager: { source: 'packageManager' } } });
    expect(result.version).toBeUndefined();
  });

  it('finds packageManager in a package.json read cut short', () => {
    const pkg = `{"name":"x","packageManager":"yarn@1.22.22","description":"${'x'.repeat(2_000_000)}"}`;
    expect(detectFiles({ 'package.json': pkg })).toMatchObject({
      manager: 'yarn-classic',
      version: '1.22.22',
    });
  });

  it('says npm when nothing says anything', () => {
    expect(detectFiles({})).toEqual({
      manager: 'npm',
      linker: 'hoisted',
      evidence: { manager: { source: 'default' }, linker: { source: 'default' } },
      conflicts: [],
    });
  });
});

describe('detectManager conflicts', () => {
  it('several lockfiles: takes the one packageManager names and lists them all', () => {
    const result = detectFiles({
      'package.json': '{"packageManager":"yarn@1.22.22"}',
      'package-lock.json': '{}',
      'yarn.lock': '# yarn lockfile v1\n',
    });
    expect(result).toMatchObject({ manager: 'yarn-classic', lockfile: 'yarn.lock' });
    expect(result.conflicts).toEqual([
      { code: 'several-lockfiles', files: ['package-lock.json', 'yarn.lock'] },
    ]);
  });

  it('an install marker wins over packageManager, which is reported as a mismatch', () => {
    const result = detectFiles({
      'node_modules/.package-lock.json': '{}',
      'package.json': '{"packageManager":"pnpm@10.34.9"}',
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    });
    expect(result).toMatchObject({
      manager: 'npm',
      linker: 'hoisted',
      evidence: { manager: { source: 'installed', file: 'node_modules/.package-lock.json' } },
    });
    expect(result.lockfile).toBeUndefined();
    expect(result.version).toBeUndefined();
    expect(result.conflicts).toEqual([
      { code: 'manager-mismatch', declared: 'pnpm', source: 'packageManager' },
    ]);
  });

  it('markers of two managers: the first in order wins, both are reported', () => {
    const result = detectFiles({
      'node_modules/.modules.yaml': '{"nodeLinker":"hoisted"}',
      'node_modules/.yarn-integrity': '{}',
    });
    expect(result).toMatchObject({ manager: 'pnpm', linker: 'hoisted' });
    expect(result.conflicts).toEqual([
      { code: 'several-markers', files: ['node_modules/.modules.yaml', 'node_modules/.yarn-integrity'] },
    ]);
  });
});

describe('parsePackageManager / parseUserAgent', () => {
  it('read exact versions only', () => {
    expect(parsePackageManager('yarn@4.18.1')).toEqual({ manager: 'yarn-berry', version: '4.18.1' });
    expect(parsePackageManager('bun@1.4.5')).toEqual({ manager: 'bun', version: '1.4.5' });
    expect(parsePackageManager('pnpm@latest')).toBeNull();
    expect(parsePackageManager('cnpm@1.0.0')).toBeNull();
    expect(parseUserAgent('bun/1.4.5 npm/? node/v26.3.0 linux x64')).toEqual({
      manager: 'bun',
      version: '1.4.5',
    });
    expect(parseUserAgent('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false')).toEqual({
      manager: 'npm',
      version: '11.19.1',
    });
    expect(parseUserAgent(undefined)).toBeNull();
  });
});
