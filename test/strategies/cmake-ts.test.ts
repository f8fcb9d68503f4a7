import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import { scriptNeed } from '../../src/check/script-policy.js';
import type { CheckReport } from '../../src/model/reports.js';
import { cmakeTsCandidates, cmakeTsLibc, readCmakeTsManifest } from '../../src/strategies/cmake-ts.js';
import { folderFiles } from '../../src/io/files.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import type { ProjectTree } from '../../src/model/package.js';
import { analyzeTree } from '../helpers/analyze.js';
import { fakeHost, targets } from '../helpers/targets.js';

/**
 * cmake-ts's convention (zeromq 6): builds listed in build/manifest.json, picked at run time by
 * os/arch/libc, highest ABI first, the first that loads. The fixture's binaries are real
 * (fixtures/addons/bin), so "loads" is judged from their binary facts.
 */
const root = fileURLToPath(new URL('../../fixtures/trees/cmake-ts', import.meta.url));
const pkgDir = `${root}/node_modules/cmts-addon`;

let tree: ProjectTree;
beforeAll(async () => {
  tree = await loadInstalledTree(root);
});

const run = (specs: string[]): CheckReport => analyzeTree(tree, specs);

const prediction = (r: CheckReport, target: string) =>
  r.packages.find((p) => p.name === 'cmts-addon')!.predictions.find((p) => p.target === target)!;

describe('cmake-ts manifest', () => {
  it('reads every entry of the manifest, with the path under build/', () => {
    const entries = readCmakeTsManifest(folderFiles(pkgDir, inspectFile), 'build');
    expect(entries?.map((e) => [e.file, e.os, e.arch, e.libc, e.abi])).toEqual([
      ['build/linux/x64/node/glibc-127-Release/addon.node', 'linux', 'x64', 'glibc', 127],
      ['build/linux/x64/node/glibc-137-Release/addon.node', 'linux', 'x64', 'glibc', 137],
      ['build/linux/x64/node/musl-127-Release/addon.node', 'linux', 'x64', 'musl', 127],
      ['build/linux/arm64/node/glibc-127-Release/addon.node', 'linux', 'arm64', 'glibc', 127],
    ]);
  });

  it('orders candidates as the loader tries them: same os/arch/libc, highest ABI first', () => {
    const entries = readCmakeTsManifest(folderFiles(pkgDir, inspectFile), 'build')!;
    const [slim] = targets(['node:22-slim']);
    expect(
      cmakeTsCandidates(
        entries,
        slim!,
        cmakeTsLibc(slim!, () => false),
      ).map((e) => e.abi),
    ).toEqual([137, 127]);
    // the loader asks /etc/alpine-release, not the C library, on the machine it runs on
    const host = fakeHost();
    expect(cmakeTsLibc(host, () => true)).toBe('musl');
    expect(cmakeTsLibc(host, () => false)).toBe('glibc');
    const [alpine, mac, win] = targets(['node:22-alpine', 'node22-darwin-arm64', 'node22-win32-x64']);
    expect([alpine, mac, win].map((t) => cmakeTsLibc(t!, () => false))).toEqual(['musl', 'libc', 'msvc']);
  });

  it('unreadable manifests and hostile entries give nothing, not a crash', () => {
    const files = (text: string | null) => ({
      list: () => null,
      exists: () => text !== null,
      readText: () => text,
      facts: () => null,
    });
    expect(readCmakeTsManifest(files(null), 'build')).toBeNull();
    expect(readCmakeTsManifest(files('{not json'), 'build')).toBeNull();
    expect(readCmakeTsManifest(files('[]'), 'build')).toBeNull();
    const hostile = JSON.stringify({
      '{bad key': 'a.node',
      '{"os":"linux"}': 42,
      '{"os":"linux","arch":"x64"}': '../../etc/passwd',
      '{"os":"linux","arch":"x64","abi":"127"}': 'ok/addon.node',
    });
    expect(readCmakeTsManifest(files(hostile), 'build')).toEqual([
      { file: 'build/ok/addon.node', os: 'linux', arch: 'x64', libc: null, abi: null, runtime: null },
    ]);
  });
});

describe('check on a cmake-ts package', () => {
  it('detects the shipped builds ahead of the install script, which compiles with cmake-ts', () => {
    const r = run(['host']);
    expect(r.packages.map((p) => p.name)).toEqual(['cmts-addon']);
    expect(r.packages[0]!.strategies).toEqual(['shipped-binary', 'source-build']);
  });

  it('picks, per target, the build the loader would load', () => {
    const r = run(['node:22-slim', 'node:22-bullseye-slim', 'node:22-alpine', 'node22-linux-arm64-glibc']);
    // bookworm (glibc 2.36): the ABI 137 build is first and loads (it needs GLIBC_2.36)
    expect(prediction(r, 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'shipped-binary',
      binary: 'build/linux/x64/node/glibc-137-Release/addon.node',
    });
    // bullseye (glibc 2.31): that one fails to load, the loader goes on to the next
    const bullseye = prediction(r, 'node:22-bullseye-slim');
    expect(bullseye).toMatchObject({
      outcome: 'prebuilt',
      binary: 'build/linux/x64/node/glibc-127-Release/addon.node',
    });
    expect(bullseye.evidence).toContainEqual(
      expect.objectContaining({
        kind: 'cmake-ts-manifest',
        rejected: [{ file: 'build/linux/x64/node/glibc-137-Release/addon.node', reason: 'GLIBC_TOO_OLD' }],
      }),
    );
    expect(prediction(r, 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'build/linux/x64/node/musl-127-Release/addon.node',
    });
    expect(prediction(r, 'node22-linux-arm64-glibc')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'build/linux/arm64/node/glibc-127-Release/addon.node',
    });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a target with no build in the manifest falls back to the cmake-ts compile', () => {
    const r = run(['node22-darwin-arm64', 'node:22-alpine', 'node22-linux-arm64-musl']);
    const mac = prediction(r, 'node22-darwin-arm64');
    expect(mac.outcome).toBe('source-build');
    expect(mac.evidence).toContainEqual(
      expect.objectContaining({ kind: 'cmake-ts-manifest', libc: 'libc', candidates: [] }),
    );
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        code: 'SOURCE_BUILD_REQUIRED',
        target: 'node22-darwin-arm64',
        evidence: expect.objectContaining({ builder: 'cmake-ts' }),
      }),
    );
    expect(prediction(r, 'node22-linux-arm64-musl').outcome).toBe('source-build');
  });

  it('with the binary shipped, the install script is not needed', () => {
    const r = run(['node:22-slim', 'node22-darwin-arm64']);
    const pkg = r.packages[0]!;
    expect(scriptNeed(prediction(r, 'node:22-slim'), pkg)).toBe('no');
    expect(scriptNeed(prediction(r, 'node22-darwin-arm64'), pkg)).toBe('yes');
  });
});
