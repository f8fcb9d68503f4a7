import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/model/reports.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { selectTarballs } from '../../src/tree/fetch-lockfile.js';
import { loadLockfileTree } from '../../src/tree/virtual.js';
import { legacyFolders } from '../../src/strategies/node-gyp-build-3.js';
import { parseNameTuple } from '../../src/strategies/named-binaries.js';
import type { ProjectTree } from '../../src/model/package.js';
import { analyzeTree } from '../helpers/analyze.js';
import { targets } from '../helpers/targets.js';

// real packages' package.json, loader JS and file listings (fixtures/trees/conventions/README.md)
const root = fileURLToPath(new URL('../../fixtures/trees/conventions', import.meta.url));

let tree: ProjectTree;
beforeAll(async () => {
  tree = await loadInstalledTree(root);
});

const SPECS = ['node:22-slim', 'node:22-alpine', 'node22-linux-arm64-glibc', 'node20-linux-x64-glibc'];
let report: CheckReport;
beforeAll(() => {
  report = analyzeTree(tree, SPECS);
});

const prediction = (name: string, target: string) => {
  const pkg = report.packages.find((p) => p.name === name);
  expect(pkg, `${name} is reported as native`).toBeDefined();
  return pkg!.predictions.find((p) => p.target === target)!;
};

describe('node-gyp-build 3.x: exact folder and file names (the version the package resolves)', () => {
  it('@datadog/native-metrics (node-gyp-build ^3.9.0): prebuilds/linux<libc>-<arch>/node-napi.node', () => {
    expect(prediction('@datadog/native-metrics', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'node-gyp-build',
      binary: 'prebuilds/linuxglibc-x64/node-napi.node',
    });
    expect(prediction('@datadog/native-metrics', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/linuxmusl-x64/node-napi.node',
    });
    expect(prediction('@datadog/native-metrics', 'node22-linux-arm64-glibc')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/linuxglibc-arm64/node-napi.node',
    });
    expect(report.findings.filter((f) => f.package?.startsWith('@datadog/'))).toEqual([]);
  });

  it('@datadog/native-iast-taint-tracking: node-<abi>.node for the target Node', () => {
    expect(prediction('@datadog/native-iast-taint-tracking', 'node20-linux-x64-glibc')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/linuxglibc-x64/node-115.node',
    });
    expect(prediction('@datadog/native-iast-taint-tracking', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/linuxmusl-x64/node-127.node',
    });
  });

  it('a target with no folder of its names is still NO_PREBUILD_FOR_TARGET', () => {
    const r = analyzeTree(tree, ['node22-freebsd-x64']);
    const p = r.packages.find((x) => x.name === '@datadog/native-metrics')!.predictions[0]!;
    expect(p.outcome).toBe('fails');
    expect(r.findings).toContainEqual(
      expect.objectContaining({ code: 'NO_PREBUILD_FOR_TARGET', package: '@datadog/native-metrics@4.0.0' }),
    );
  });

  it('folders per release, most specific first, as each index.js tries them', () => {
    const [slim, alpine, arm64] = targets(['node:22-slim', 'node:22-alpine', 'node22-linux-arm64-glibc']);
    expect(legacyFolders('3.9.0', slim!)).toEqual(['linuxglibc-x64', 'linux-x64']);
    expect(legacyFolders('3.8.0', alpine!)).toEqual(['linuxmusl-x64', 'linux-x64']);
    expect(legacyFolders('3.9.0', arm64!)).toEqual([
      'linuxglibc-arm64-v8',
      'linux-arm64-v8',
      'linuxglibc-arm64',
      'linux-arm64',
    ]);
    // before 3.8 there was no libc folder
    expect(legacyFolders('3.7.0', alpine!)).toEqual(['linux-x64']);
  });
});

describe('binaries named per platform and picked by the package’s own JS', () => {
  it('farmhash: build/farmhash-<platform><musl>-<arch>.node, no install script', () => {
    expect(prediction('farmhash', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'shipped-binary',
      binary: 'build/farmhash-linux-x64.node',
    });
    expect(prediction('farmhash', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'build/farmhash-linuxmusl-x64.node',
    });
    expect(prediction('farmhash', 'node22-linux-arm64-glibc')).toMatchObject({
      binary: 'build/farmhash-linux-arm64.node',
    });
  });

  it('@parcel/source-map: parcel_sourcemap_node/artifacts/index.<platform>-<arch>-<gnu|musl>.node', () => {
    expect(prediction('@parcel/source-map', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'parcel_sourcemap_node/artifacts/index.linux-x64-gnu.node',
    });
    expect(prediction('@parcel/source-map', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'parcel_sourcemap_node/artifacts/index.linux-x64-musl.node',
    });
  });

  it('aws-crt: dist/bin/<platform>-<arch>-<libc>/aws-crt-nodejs.node, its install script builds only when absent', () => {
    expect(prediction('aws-crt', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'dist/bin/linux-x64-glibc/aws-crt-nodejs.node',
    });
    expect(prediction('aws-crt', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'dist/bin/linux-x64-musl/aws-crt-nodejs.node',
    });
  });

  it('@sap/hana-client: prebuilt/<platform><arch>[_alpine]/ with its own words', () => {
    expect(parseNameTuple('prebuilt/linuxx86_64_alpine/hana-client.node')).toMatchObject({
      platform: 'linux',
      arch: 'x64',
      libc: 'musl',
    });
    expect(parseNameTuple('prebuilt/darwinintel64/hana-client.node')).toMatchObject({
      platform: 'darwin',
      arch: 'x64',
    });
    expect(parseNameTuple('prebuilt/ntamd64/hana-client.node')).toMatchObject({
      platform: 'win32',
      arch: 'x64',
    });
    // a platform word glued to anything but an arch is no tuple
    expect(parseNameTuple('lib/linuxish/x.node')).toBeNull();
    expect(prediction('@sap/hana-client', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilt/linuxx86_64/hana-client.node',
    });
    expect(prediction('@sap/hana-client', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilt/linuxx86_64_alpine/hana-client.node',
    });
    expect(prediction('@sap/hana-client', 'node22-linux-arm64-glibc')).toMatchObject({
      binary: 'prebuilt/linuxaarch64/hana-client.node',
    });
  });
});

describe('one platform package holding several libc builds', () => {
  it('@koromix/koffi-linux-x64: linux_x64/ and musl_x64/ side by side, no libc field: the one for the target’s libc', () => {
    expect(parseNameTuple('musl_x64/koffi.node')).toMatchObject({
      platform: 'linux',
      arch: 'x64',
      libc: 'musl',
    });
    expect(prediction('koffi', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'platform-packages',
      binary: 'linux_x64/koffi.node',
    });
    expect(prediction('koffi', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'platform-packages',
      binary: 'musl_x64/koffi.node',
    });
  });
});

describe('--lockfile-only reads the tarball of a package that picks its own binary by libc', () => {
  it('farmhash and @parcel/source-map (their real truth-harness lockfiles): depending on detect-libc gets the tarball read', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'ng-conventions-'));
    try {
      for (const [key, name] of [
        ['farmhash@5.0.1', 'farmhash'],
        ['@parcel+source-map@2.1.1', '@parcel/source-map'],
      ] as const) {
        const lockText = readFileSync(
          new URL(`../../bench/truth/records/${key}.lock.json`, import.meta.url),
          'utf8',
        );
        const lock = JSON.parse(lockText) as {
          packages: Record<string, { dependencies?: Record<string, string> }>;
        };
        const dir = join(scratch, key);
        mkdirSync(dir);
        writeFileSync(
          join(dir, 'package.json'),
          JSON.stringify({ name: 'p', version: '1.0.0', dependencies: lock.packages['']?.dependencies }),
        );
        writeFileSync(join(dir, 'package-lock.json'), lockText);
        const tree = await loadLockfileTree(dir);
        const picked = selectTarballs(tree, targets(['node:22-slim'])).map((r) => r.name);
        expect(picked, key).toContain(name);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
