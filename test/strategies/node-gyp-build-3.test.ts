// node-gyp-build 3.x on hand-built records and in-memory files: which release a package gets (the
// one it resolves, else the lowest its range allows), and the exact folder and file names each
// release's index.js tries. One problem per test.
import { describe, expect, it } from 'vitest';
import type { PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { PlatformCandidate } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { legacyFolders, legacyVersion, pickLegacyPrebuild } from '../../src/strategies/node-gyp-build-3.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { packageFiles } from '../helpers/package-files.js';
import { targets } from '../helpers/targets.js';
import { manifestOf, packageRecord } from '../helpers/records.js';
import { predictContext } from '../helpers/predict-context.js';

const [glibc, musl, arm, arm64, darwin, node20, electron] = targets([
  'node22-linux-x64-glibc',
  'node22-linux-x64-musl',
  'node22-linux-arm-glibc',
  'node22-linux-arm64-glibc',
  'node22-darwin-arm64',
  'node20-linux-x64-glibc',
  'electron@33',
]) as [Target, Target, Target, Target, Target, Target, Target];

const record = (name: string, version: string, deps: Record<string, string> = {}): PackageRecord =>
  packageRecord(name, version, {
    rootEntries: ['prebuilds/', 'package.json'],
    manifest: manifestOf({ dependencies: deps }),
  });

function context(
  range: string | null,
  resolved: PlatformCandidate | null,
  files: PackageFiles,
  target: Target,
) {
  const pkg = record('@datadog/native-metrics', '2.0.0', range === null ? {} : { 'node-gyp-build': range });
  return predictContext({
    native: {
      pkg,
      chain: [{ strategy: 'node-gyp-build', optionalPackages: false, script: null }],
      scripts: [],
    },
    files,
    target,
    resolvePlatformCandidate: (name, spec) =>
      name === 'node-gyp-build' && resolved ? resolved : { source: 'missing', name, spec },
  });
}

const installedGyp = (version: string): PlatformCandidate => ({
  source: 'installed',
  record: record('node-gyp-build', version),
});
const none = packageFiles([]);

describe('legacyVersion: the node-gyp-build release the package runs', () => {
  it('the version it resolves, when that satisfies its range', () => {
    expect(legacyVersion(context('^3.9.0', installedGyp('3.9.0'), none, glibc))).toBe('3.9.0');
  });

  it('a copy outside the range (hoisted for another package) is not its: the lowest the range allows', () => {
    expect(legacyVersion(context('^3.3.0', installedGyp('4.8.4'), none, glibc))).toBe('3.3.0');
  });

  it('a lockfile entry answers the same as an installed copy', () => {
    const entry: PlatformCandidate = {
      source: 'lockfile',
      entry: {
        location: 'node_modules/node-gyp-build',
        name: 'node-gyp-build',
        version: '3.7.0',
        optional: false,
        dev: false,
        hasInstallScript: false,
      },
    };
    expect(legacyVersion(context('~3.7.0', entry, none, glibc))).toBe('3.7.0');
  });

  it('4.x and later are not legacy (tags decide there), nor is a package without the dependency', () => {
    expect(legacyVersion(context('^4.8.0', installedGyp('4.8.4'), none, glibc))).toBeNull();
    expect(legacyVersion(context(null, installedGyp('3.9.0'), none, glibc))).toBeNull();
    expect(legacyVersion(context('github:prebuild/node-gyp-build', null, none, glibc))).toBeNull();
  });
});

describe('legacyFolders: the prebuilds/ folders each release tries, most specific first', () => {
  it('3.8+ adds <platform><libc>-<arch> before <platform>-<arch>; glibc wherever the target is not musl', () => {
    expect(legacyFolders('3.8.0', glibc)).toEqual(['linuxglibc-x64', 'linux-x64']);
    expect(legacyFolders('3.9.0', musl)).toEqual(['linuxmusl-x64', 'linux-x64']);
    expect(legacyFolders('3.9.0', darwin)).toEqual([
      'darwinglibc-arm64-v8',
      'darwin-arm64-v8',
      'darwinglibc-arm64',
      'darwin-arm64',
    ]);
  });

  it('32-bit arm gets -v<armv> variants from the target’s ARM version', () => {
    expect(legacyFolders('3.9.0', arm)).toEqual([
      `linuxglibc-arm-v${arm.armv}`,
      `linux-arm-v${arm.armv}`,
      'linuxglibc-arm',
      'linux-arm',
    ]);
    expect(arm.armv).toBe('7');
  });

  it('before 3.8: <platform>-<arch> only, on any libc and arch', () => {
    expect(legacyFolders('3.7.0', musl)).toEqual(['linux-x64']);
    expect(legacyFolders('3.0.0', arm64)).toEqual(['linux-arm64']);
  });
});

describe('pickLegacyPrebuild: the file a release loads', () => {
  const datadog = packageFiles([
    'prebuilds/linuxglibc-x64/node-napi.node',
    'prebuilds/linuxmusl-x64/node-napi.node',
    'prebuilds/darwin-arm64/node-napi.node',
  ]);

  it('3.9 finds the libc folder for each Linux libc', () => {
    expect(pickLegacyPrebuild(datadog, '3.9.0', glibc).file).toBe('prebuilds/linuxglibc-x64/node-napi.node');
    expect(pickLegacyPrebuild(datadog, '3.9.0', musl)).toEqual({
      file: 'prebuilds/linuxmusl-x64/node-napi.node',
      dir: 'prebuilds/linuxmusl-x64',
      available: ['linuxglibc-x64', 'linuxmusl-x64', 'darwin-arm64'],
    });
  });

  it('3.7 has no libc folders, so the same package has nothing for Linux', () => {
    expect(pickLegacyPrebuild(datadog, '3.7.0', glibc)).toEqual({
      file: null,
      dir: null,
      available: ['linuxglibc-x64', 'linuxmusl-x64', 'darwin-arm64'],
    });
    expect(pickLegacyPrebuild(datadog, '3.7.0', darwin).file).toBe('prebuilds/darwin-arm64/node-napi.node');
  });

  it('before 3.3 only <runtime>-<abi>.node: a napi file is not loaded, the ABI file for the target Node is', () => {
    const files = packageFiles(['prebuilds/linux-x64/node-napi.node', 'prebuilds/linux-x64/node-115.node']);
    expect(pickLegacyPrebuild(files, '3.2.0', glibc).file).toBeNull();
    expect(pickLegacyPrebuild(files, '3.2.0', node20).file).toBe('prebuilds/linux-x64/node-115.node');
  });

  it('the ABI file wins over the napi files; <runtime>-napi.node over node-napi.node', () => {
    const abi = packageFiles(['prebuilds/linux-x64/node-napi.node', 'prebuilds/linux-x64/node-115.node']);
    expect(pickLegacyPrebuild(abi, '3.9.0', node20).file).toBe('prebuilds/linux-x64/node-115.node');
    const runtimes = packageFiles([
      'prebuilds/linux-x64/node-napi.node',
      'prebuilds/linux-x64/electron-napi.node',
    ]);
    expect(pickLegacyPrebuild(runtimes, '3.9.0', electron).file).toBe(
      'prebuilds/linux-x64/electron-napi.node',
    );
    const nodeOnly = packageFiles(['prebuilds/linux-x64/node-napi.node']);
    expect(pickLegacyPrebuild(nodeOnly, '3.9.0', electron).file).toBe('prebuilds/linux-x64/node-napi.node');
  });

  it('a more specific folder wins even when a less specific one also has a file', () => {
    const files = packageFiles([
      'prebuilds/linux-x64/node-napi.node',
      'prebuilds/linuxmusl-x64/node-napi.node',
    ]);
    expect(pickLegacyPrebuild(files, '3.9.0', musl).file).toBe('prebuilds/linuxmusl-x64/node-napi.node');
    expect(pickLegacyPrebuild(files, '3.9.0', glibc).file).toBe('prebuilds/linux-x64/node-napi.node');
  });
});

describe('through the chain: the resolved release decides the outcome', () => {
  const files = packageFiles(['prebuilds/linuxglibc-x64/node-napi.node']);

  it('with node-gyp-build 3.9 the libc folder is prebuilt', () => {
    const v = evaluateChain(context('^3.9.0', installedGyp('3.9.0'), files, glibc));
    expect(v.prediction).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'node-gyp-build',
      binary: 'prebuilds/linuxglibc-x64/node-napi.node',
    });
  });

  it('with node-gyp-build 4 the same folder is not a platform it knows: no prebuild', () => {
    const v = evaluateChain(context('^4.8.0', installedGyp('4.8.4'), files, glibc));
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings.map((f) => f.code)).toEqual(['NO_PREBUILD_FOR_TARGET']);
  });
});
