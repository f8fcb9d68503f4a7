import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import { analyze } from '../../src/check/analyze.js';
import type { CheckReport } from '../../src/model/reports.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import type { ProjectTree } from '../../src/model/package.js';
import { analyzeTree } from '../helpers/analyze.js';
import { fakeHost, noToolchain, targets } from '../helpers/targets.js';

const root = fileURLToPath(new URL('../../fixtures/trees/mixed', import.meta.url));

let tree: ProjectTree;
beforeAll(async () => {
  tree = await loadInstalledTree(root);
});

const run = (specs: string[], host = fakeHost()): CheckReport =>
  analyzeTree(tree, specs, { host, readFacts: () => null });

const outcome = (r: CheckReport, name: string, target: string) =>
  r.packages.find((p) => p.name === name)?.predictions.find((p) => p.target === target);

describe('fixture tree: one package per convention', () => {
  it('finds the native packages and only those', () => {
    const r = run(['host']);
    expect(r.packages.map((p) => p.name)).toEqual([
      'custom-script',
      'gyp-only',
      'ngb-glibc-bound',
      'ngb-glibc-only',
      'ngb-glibc-runtime',
      'ngb-tagged',
      'ngbop-parent',
      'npg-addon',
      'opt-in-builder',
      'pbi-addon',
      'plat-parent',
      'runtime-only',
    ]);
    const strategies = Object.fromEntries(r.packages.map((p) => [p.name, p.strategies]));
    expect(strategies).toMatchObject({
      // scripts/install.js fetches a .node over https: the package's own downloader
      'custom-script': ['script-download'],
      'gyp-only': ['source-build'],
      'ngb-glibc-only': ['node-gyp-build', 'source-build'],
      'npg-addon': ['node-pre-gyp', 'source-build'],
      'opt-in-builder': ['platform-packages', 'unknown-script'],
      'pbi-addon': ['prebuild-install', 'source-build'],
      'plat-parent': ['platform-packages'],
      'runtime-only': ['node-gyp-build'],
    });
  });

  it('node-gyp-build picks what node-gyp-build would, per target', () => {
    const r = run(['host', 'node:22-alpine', 'node22-darwin-arm64', 'node22-win32-x64']);
    expect(outcome(r, 'ngb-tagged', 'host')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/linux-x64/ngb-tagged.node',
    });
    // the musl-tagged file is more specific, so node-gyp-build prefers it on alpine
    expect(outcome(r, 'ngb-tagged', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/linux-x64/ngb-tagged.musl.node',
    });
    expect(outcome(r, 'ngb-glibc-only', 'node22-darwin-arm64')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/darwin-arm64/ngb-glibc-only.node',
    });
    // no win32 prebuild: the install falls back to node-gyp, and a tuple target says nothing of a toolchain
    expect(outcome(r, 'ngb-glibc-only', 'node22-win32-x64')).toMatchObject({ outcome: 'source-build' });
    expect(outcome(r, 'runtime-only', 'host')).toMatchObject({ outcome: 'fails' });
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        code: 'NO_PREBUILD_FOR_TARGET',
        package: 'runtime-only@1.0.0',
        target: 'host',
      }),
    );
  });

  it('binary facts: an untagged glibc prebuild fails on alpine only when musl cannot stand in for glibc', () => {
    const r = analyze({
      tree,
      targets: targets(['node:22-alpine', 'node:22-slim']),
      config: {},
      env: {},
      npmCache: '/nonexistent-npm-cache',
      readFacts: inspectFile,
      cacheHas: () => false,
    });
    // needs only libc.so.6 and symbols musl exports (bufferutil's real prebuild): musl loads it
    expect(outcome(r, 'ngb-glibc-only', 'node:22-alpine')).toMatchObject({ outcome: 'prebuilt' });
    // imports arc4random, which musl does not export; no install script to fall back on
    expect(outcome(r, 'ngb-glibc-runtime', 'node:22-alpine')).toMatchObject({ outcome: 'fails' });
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        code: 'LIBC_MISMATCH',
        severity: 'error',
        package: 'ngb-glibc-runtime@1.0.0',
        target: 'node:22-alpine',
        evidence: expect.objectContaining({
          binaryLibc: 'glibc',
          targetLibc: 'musl',
          missingSymbols: ['arc4random'],
        }),
      }),
    );
    // needs glibc's own loader; node-gyp-build's install load-tests it, falls back to node-gyp, and alpine has no toolchain
    expect(outcome(r, 'ngb-glibc-bound', 'node:22-alpine')).toMatchObject({ outcome: 'fails' });
    const bound = r.findings.filter(
      (f) => f.package === 'ngb-glibc-bound@1.0.0' && f.target === 'node:22-alpine',
    );
    expect(bound.map((f) => [f.code, f.severity])).toEqual(
      expect.arrayContaining([
        ['LIBC_MISMATCH', 'info'],
        ['TOOLCHAIN_MISSING', 'error'],
      ]),
    );
    // the same files on a glibc image are fine
    expect(outcome(r, 'ngb-glibc-runtime', 'node:22-slim')).toMatchObject({ outcome: 'prebuilt' });
    expect(outcome(r, 'ngb-glibc-bound', 'node:22-slim')).toMatchObject({ outcome: 'prebuilt' });
  });

  it('node-gyp-build-optional-packages: tags matched inside the platform package it resolves', () => {
    const r = run(['host', 'node:22-alpine', 'node22-darwin-arm64', 'node22-linux-arm64']);
    expect(outcome(r, 'ngbop-parent', 'host')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'node.napi.glibc.node',
      fromPackage: '@ngbop-parent/ngbop-parent-linux-x64@3.0.7',
    });
    expect(outcome(r, 'ngbop-parent', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'node.napi.musl.node',
    });
    // only in the lockfile: which file (and libc) it holds is known from its tarball, not here
    expect(outcome(r, 'ngbop-parent', 'node22-darwin-arm64')).toMatchObject({ outcome: 'unknown' });
    // the darwin package is only a lockfile entry here: said, and where the answer is
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        code: 'PLATFORM_PACKAGE_NOT_READ',
        severity: 'info',
        target: 'node22-darwin-arm64',
        evidence: { name: '@ngbop-parent/ngbop-parent-darwin-arm64', version: '3.0.7' },
      }),
    );
    expect(r.findings.filter((f) => f.code === 'PLATFORM_PACKAGE_NOT_READ').map((f) => f.target)).toEqual([
      'node22-darwin-arm64',
    ]);
    // none for linux-arm64: the install compiles, and a tuple target says nothing about a toolchain
    expect(outcome(r, 'ngbop-parent', 'node22-linux-arm64')).toMatchObject({ outcome: 'source-build' });
    expect(r.packages.some((p) => p.name.startsWith('@ngbop-parent/'))).toBe(false);
  });

  it('platform packages: installed for the host, from the lockfile for other targets', () => {
    const r = run(['host', 'node:22-alpine', 'node24-darwin-arm64', 'node22-linux-arm64']);
    expect(outcome(r, 'plat-parent', 'host')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'plat.linux-x64-gnu.node',
      fromPackage: '@plat/linux-x64-gnu@1.0.0',
    });
    expect(outcome(r, 'plat-parent', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      fromPackage: '@plat/linux-x64-musl@1.0.0',
    });
    expect(outcome(r, 'plat-parent', 'node24-darwin-arm64')).toMatchObject({ outcome: 'prebuilt' });
    expect(outcome(r, 'plat-parent', 'node22-linux-arm64')).toMatchObject({ outcome: 'fails' });
    // the platform package itself is not reported as a native package of its own
    expect(r.packages.some((p) => p.name.startsWith('@plat/'))).toBe(false);
  });

  it('an install script that only builds on request does not make the outcome unknown', () => {
    const r = run(['host', 'node22-linux-arm64', 'node22-win32-x64']);
    expect(outcome(r, 'opt-in-builder', 'host')).toMatchObject({ outcome: 'prebuilt' });
    expect(outcome(r, 'opt-in-builder', 'node22-linux-arm64')).toMatchObject({ outcome: 'prebuilt' });
    expect(outcome(r, 'opt-in-builder', 'node22-win32-x64')).toMatchObject({ outcome: 'fails' });
    // a script that downloads is another matter
    expect(outcome(r, 'custom-script', 'host')).toMatchObject({ outcome: 'unknown' });
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        code: 'PREBUILD_DOWNLOAD_UNVERIFIED',
        package: 'custom-script@3.0.0',
        evidence: expect.objectContaining({ tool: 'install-script', file: 'scripts/install.js' }),
      }),
    );
  });

  it('source builds follow the toolchain', () => {
    const withTools = run(['host', 'node:22', 'node:22-slim']);
    expect(outcome(withTools, 'gyp-only', 'host')).toMatchObject({ outcome: 'source-build' });
    expect(outcome(withTools, 'gyp-only', 'node:22')).toMatchObject({ outcome: 'source-build' });
    expect(outcome(withTools, 'gyp-only', 'node:22-slim')).toMatchObject({ outcome: 'fails' });
    expect(withTools.findings).toContainEqual(
      expect.objectContaining({
        code: 'TOOLCHAIN_MISSING',
        severity: 'error',
        target: 'node:22-slim',
        package: 'gyp-only@0.1.0',
      }),
    );
    const bare = run(['host'], fakeHost({ toolchain: noToolchain }));
    expect(outcome(bare, 'gyp-only', 'host')).toMatchObject({ outcome: 'fails' });
  });

  it('an unverifiable download keeps the outcome unknown, and the fallback sets the severity', () => {
    const r = run(['host', 'node:22-slim']);
    // the URL to check is on the prediction, whether the fallback could compile (host) or not (slim)
    const url = expect.stringMatching(/^https:\/\/.+\.tar\.gz$/);
    expect(outcome(r, 'pbi-addon', 'host')).toMatchObject({ outcome: 'unknown', url });
    expect(outcome(r, 'pbi-addon', 'node:22-slim')).toMatchObject({ outcome: 'unknown', url });
    const slim = r.findings.filter((f) => f.package === 'pbi-addon@2.3.4' && f.target === 'node:22-slim');
    expect(slim.map((f) => [f.code, f.severity])).toEqual(
      expect.arrayContaining([
        ['TOOLCHAIN_MISSING', 'warning'],
        ['PREBUILD_DOWNLOAD_UNVERIFIED', 'warning'],
      ]),
    );
  });

  it('config ignores packages and codes, and allows source builds', () => {
    const base = run(['host', 'node:22-slim']);
    const ignored = analyze({
      tree,
      targets: targets(['host', 'node:22-slim']),
      config: { ignore: ['runtime-only', 'TOOLCHAIN_MISSING'], allowSourceBuild: ['gyp-only'] },
      env: {},
      npmCache: '/nonexistent-npm-cache',
      readFacts: () => null,
      cacheHas: () => false,
    });
    expect(ignored.findings.some((f) => f.package === 'runtime-only@1.0.0')).toBe(false);
    expect(ignored.findings.some((f) => f.code === 'TOOLCHAIN_MISSING')).toBe(false);
    expect(
      ignored.findings.some((f) => f.code === 'SOURCE_BUILD_REQUIRED' && f.package === 'gyp-only@0.1.0'),
    ).toBe(false);
    expect(ignored.ignored).toBeGreaterThan(0);
    expect(ignored.findings.length + ignored.ignored).toBe(base.findings.length);
  });
});
