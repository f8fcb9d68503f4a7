import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/model/reports.js';
import { parseNameTuple, tupleFit } from '../../src/strategies/named-binaries.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import type { ProjectTree } from '../../src/model/package.js';
import { analyzeTree } from '../helpers/analyze.js';
import { targets } from '../helpers/targets.js';

const root = fileURLToPath(new URL('../../fixtures/trees/named', import.meta.url));

let tree: ProjectTree;
beforeAll(async () => {
  tree = await loadInstalledTree(root);
});

const run = (specs: string[]): CheckReport => analyzeTree(tree, specs);

const prediction = (r: CheckReport, name: string, target: string) =>
  r.packages.find((p) => p.name === name)!.predictions.find((p) => p.target === target)!;

describe('platform tuples in binary names', () => {
  it('reads the names real packages use', () => {
    expect(parseNameTuple('lib/sentry_cpu_profiler-linux-x64-musl-127.node')).toEqual({
      platform: 'linux',
      arch: 'x64',
      libc: 'musl',
      abi: '127',
      nodeMajor: null,
    });
    expect(parseNameTuple('lib/sentry_cpu_profiler-darwin-arm64-108.node')).toMatchObject({
      platform: 'darwin',
      arch: 'arm64',
      libc: null,
      abi: '108',
    });
    // a version before the tuple is no ABI
    expect(parseNameTuple('build/Release/oracledb-6.10.0-linux-x64.node')).toEqual({
      platform: 'linux',
      arch: 'x64',
      libc: null,
      abi: null,
      nodeMajor: null,
    });
    expect(parseNameTuple('bin/linux-x64-node-22/deasync.node')).toMatchObject({
      platform: 'linux',
      arch: 'x64',
      nodeMajor: '22',
    });
    expect(parseNameTuple('bin/darwin-x64-node-0.10/deasync.node')).toMatchObject({
      nodeMajor: '0',
      abi: null,
    });
    expect(parseNameTuple('x-linux-x86_64-gnu.node')).toMatchObject({ arch: 'x64', libc: 'glibc' });
    expect(parseNameTuple('x.linuxmusl-aarch64.node')).toMatchObject({ arch: 'arm64', libc: 'musl' });
    expect(parseNameTuple('x-win32-x64-abi115.node')).toMatchObject({ platform: 'win32', abi: '115' });
    // no platform and arch: not a family member
    expect(parseNameTuple('build/Release/addon.node')).toBeNull();
    expect(parseNameTuple('lib/x64-helper.node')).toBeNull();
    expect(parseNameTuple('linux.node')).toBeNull();
  });

  it('fits a target by platform and arch, and by libc, ABI and Node major where the name says them', () => {
    const [alpine, slim, mac] = targets(['node:22-alpine', 'node:22-slim', 'node22-darwin-arm64']);
    const t = (name: string) => parseNameTuple(name)!;
    expect(tupleFit(t('p-linux-x64-musl-127.node'), alpine!)).toBe(2);
    expect(tupleFit(t('p-linux-x64-glibc-127.node'), alpine!)).toBeNull();
    expect(tupleFit(t('p-linux-x64-musl-115.node'), alpine!)).toBeNull();
    expect(tupleFit(t('o-1.0.0-linux-x64.node'), slim!)).toBe(0);
    expect(tupleFit(t('bin/linux-x64-node-22/d.node'), slim!)).toBe(1);
    expect(tupleFit(t('bin/linux-x64-node-20/d.node'), slim!)).toBeNull();
    expect(tupleFit(t('p-darwin-universal.node'), mac!)).toBe(0);
    expect(tupleFit(t('p-linux-arm64.node'), slim!)).toBeNull();
  });
});

describe('check on packages that name their binaries per platform', () => {
  it('finds both families: one hinted by binding.gyp, one by a shipped build/ folder alone', () => {
    const r = run(['host']);
    expect(r.packages.map((p) => [p.name, p.strategies])).toEqual([
      ['prof-addon', ['shipped-binary', 'unknown-script']],
      ['thick-addon', ['shipped-binary', 'unknown-script']],
    ]);
  });

  it('picks the file named for the target, and its binary facts still judge it', () => {
    const r = run(['node:22-slim', 'node:22-alpine', 'node22-linux-arm64-glibc', 'node:24-bullseye-slim']);
    expect(prediction(r, 'prof-addon', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'shipped-binary',
      binary: 'lib/prof-linux-x64-glibc-127.node',
    });
    expect(prediction(r, 'prof-addon', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'lib/prof-linux-x64-musl-127.node',
    });
    expect(prediction(r, 'prof-addon', 'node22-linux-arm64-glibc')).toMatchObject({
      binary: 'lib/prof-linux-arm64-glibc-127.node',
    });
    // Node 24 on bullseye: the ABI 137 file needs GLIBC_2.36, bullseye has 2.31
    expect(prediction(r, 'prof-addon', 'node:24-bullseye-slim')).toMatchObject({
      outcome: 'fails',
      binary: 'lib/prof-linux-x64-glibc-137.node',
    });
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        code: 'GLIBC_TOO_OLD',
        package: 'prof-addon@1.0.0',
        target: 'node:24-bullseye-slim',
      }),
    );
    expect(prediction(r, 'thick-addon', 'node22-linux-arm64-glibc')).toMatchObject({
      outcome: 'prebuilt',
      binary: 'build/Release/thick-2.1.0-linux-arm64.node',
    });
  });

  it('a target no name matches leaves it to the install script: unknown, never a guess', () => {
    const r = run(['node22-darwin-arm64', 'node26-linux-x64-glibc']);
    for (const [name, target] of [
      ['prof-addon', 'node22-darwin-arm64'],
      ['prof-addon', 'node26-linux-x64-glibc'],
      ['thick-addon', 'node22-darwin-arm64'],
    ] as const) {
      const p = prediction(r, name, target);
      expect(p.outcome, `${name} ${target}`).toBe('unknown');
      expect(p.evidence).toContainEqual(
        expect.objectContaining({
          kind: 'prebuilds-none-for-target',
          available: expect.arrayContaining([expect.stringMatching(/^linux-(?:x64|arm64)/)]),
        }),
      );
    }
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
