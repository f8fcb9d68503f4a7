// What decides a source build beyond the toolchain, on hand-built records: the package's engines.node
// and the node-gyp the project's manager runs (Yarn 2+: the package's or the top level's only; Bun:
// one on PATH, else the registry's latest). One problem per test.
import { describe, expect, it } from 'vitest';
import type { PackageRecord } from '../../src/model/package.js';
import type { ChainLink, NodeGypRunner, PlatformCandidate } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { packageFiles } from '../helpers/package-files.js';
import { fakeHost, targets } from '../helpers/targets.js';
import { packageRecord } from '../helpers/records.js';
import { predictContext } from '../helpers/predict-context.js';

const record = packageRecord;

const BUILD: ChainLink = { strategy: 'source-build', builder: 'implicit-node-gyp', script: null };

function predict(
  pkg: PackageRecord,
  target: Target,
  options: { runner?: NodeGypRunner; nodeGyp?: PackageRecord; chain?: ChainLink[] } = {},
) {
  const ctx = predictContext({
    native: { pkg, chain: options.chain ?? [BUILD], scripts: [] },
    files: packageFiles(['binding.gyp', 'package.json']),
    target,
    resolvePlatformCandidate: (name, spec): PlatformCandidate =>
      name === 'node-gyp' && options.nodeGyp
        ? { source: 'installed', record: options.nodeGyp }
        : { source: 'missing', name, spec },
  });
  const { prediction, findings } = evaluateChain(ctx, options.runner ? { nodeGyp: options.runner } : {});
  return { outcome: prediction.outcome, codes: findings.map((f) => f.code), findings };
}

const node20 = fakeHost();
const [node22, node24] = targets(['node22-linux-x64-glibc', 'node24-linux-x64-glibc']).map((t) => ({
  ...t,
  toolchain: { python: true, make: true, cxx: true },
})) as Target[];

describe('engines.node against the target Node', () => {
  const ivm = record('isolated-vm', '6.1.2', {
    manifest: { scripts: {}, dependencies: {}, optionalDependencies: {}, engines: { node: '>=22.0.0' } },
  });

  it('a build on a Node the engines leave out is not promised: unknown, with the range and the Node', () => {
    const r = predict(ivm, node20);
    expect(r.outcome).toBe('unknown');
    expect(r.codes).toEqual(['ENGINES_EXCLUDE_NODE']);
    expect(r.findings[0]!.evidence).toEqual({ engines: '>=22.0.0', nodeVersion: '20.20.2' });
  });

  it('a Node inside the range builds as before', () => {
    expect(predict(ivm, node22!).outcome).toBe('source-build');
  });

  it('a range that cannot be read claims nothing', () => {
    const odd = record('odd', '1.0.0', {
      manifest: { scripts: {}, dependencies: {}, optionalDependencies: {}, engines: { node: 'not a range' } },
    });
    expect(predict(odd, node20).outcome).toBe('source-build');
  });
});

describe("Yarn 2+: only the package's or the top-level workspace's node-gyp runs", () => {
  const iconv = record('iconv', '3.0.1');

  it('no node-gyp anywhere: the build fails', () => {
    const r = predict(iconv, node20, { runner: { manager: 'yarn-berry', topLevel: null } });
    expect(r.outcome).toBe('fails');
    expect(r.codes).toEqual(['NODE_GYP_NOT_FOUND']);
  });

  it("the top level's node-gyp 13 on Node 20: fails; on Node 24 it builds", () => {
    const runner: NodeGypRunner = { manager: 'yarn-berry', topLevel: { version: '13.1.0', engines: null } };
    const r = predict(iconv, node20, { runner });
    expect(r.outcome).toBe('fails');
    expect(r.findings[0]).toMatchObject({
      code: 'NODE_GYP_UNSUPPORTED_NODE',
      evidence: { nodeGyp: '13.1.0', source: 'top-level', engines: '^22.22.2 || ^24.15.0 || >=26.0.0' },
    });
    expect(predict(iconv, node24!, { runner }).outcome).toBe('source-build');
  });

  it('the engines an installed node-gyp declares win over the table', () => {
    const runner: NodeGypRunner = { manager: 'yarn-berry', topLevel: { version: '13.1.0', engines: '>=20' } };
    expect(predict(iconv, node20, { runner }).outcome).toBe('source-build');
  });

  it("a package that depends on node-gyp itself runs its own, not the top level's", () => {
    const own = record('iconv', '3.0.1', {
      dependencies: [{ name: 'node-gyp', spec: '^12.0.0', type: 'prod', location: 'node_modules/node-gyp' }],
    });
    const runner: NodeGypRunner = { manager: 'yarn-berry', topLevel: null };
    const r = predict(own, node20, { runner, nodeGyp: record('node-gyp', '12.4.0') });
    expect(r.outcome).toBe('source-build');
  });

  it('cmake-js builds are not node-gyp builds', () => {
    const r = predict(iconv, node20, {
      runner: { manager: 'yarn-berry', topLevel: null },
      chain: [{ strategy: 'source-build', builder: 'cmake-js', script: null }],
    });
    expect(r.outcome).toBe('source-build');
  });
});

describe('Bun: a node-gyp on PATH, else `bun x node-gyp` (the latest)', () => {
  const iconv = record('iconv', '3.0.1');
  const runner: NodeGypRunner = { manager: 'bun', topLevel: null };

  it('none in the tree: the latest, which leaves out Node 20', () => {
    const r = predict(iconv, node20, { runner });
    expect(r.outcome).toBe('fails');
    expect(r.findings[0]).toMatchObject({
      code: 'NODE_GYP_UNSUPPORTED_NODE',
      evidence: { manager: 'bun', source: 'latest', nodeVersion: '20.20.2' },
    });
  });

  it('a node-gyp 12 in the tree runs instead', () => {
    expect(predict(iconv, node20, { runner, nodeGyp: record('node-gyp', '12.4.0') }).outcome).toBe(
      'source-build',
    );
  });
});

describe('npm (no runner): nothing changes', () => {
  it('a plain build stays source-build', () => {
    expect(predict(record('iconv', '3.0.1'), node20).outcome).toBe('source-build');
  });
});

describe('a prebuild that needs libraries no list says the target has', () => {
  const iconv = record('hid', '3.4.0');
  const shipped: ChainLink = { strategy: 'shipped-binary', files: ['prebuilds/hid.node'] };
  const elf = (needed: string[], runpath: string[] = []) => ({
    format: 'elf' as const,
    arch: 'arm64',
    arches: ['arm64'],
    platform: 'linux',
    libc: 'glibc' as const,
    needed,
    runpath,
    glibcVersion: '2.17',
    glibcxxVersion: null,
    module: { kind: 'napi' as const },
    napiVersion: null,
    notes: [],
  });
  const [arm64] = targets(['node22-linux-arm64-glibc']) as [Target];

  function withFacts(facts: ReturnType<typeof elf>, target: Target) {
    const files = packageFiles(['prebuilds/hid.node', 'package.json']);
    const ctx = predictContext({
      native: { pkg: iconv, chain: [shipped], scripts: [] },
      files: { ...files, facts: () => facts as never },
      target,
    });
    const { prediction, findings } = evaluateChain(ctx);
    return { outcome: prediction.outcome, findings };
  }

  it('libusb on an arm64 target with no library list: unknown, naming the libraries', () => {
    const r = withFacts(elf(['libusb-1.0.so.0', 'libudev.so.1', 'libstdc++.so.6', 'libc.so.6']), arm64);
    expect(r.outcome).toBe('unknown');
    expect(r.findings).toEqual([
      expect.objectContaining({
        code: 'SHARED_LIBRARY_UNCHECKED',
        severity: 'warning',
        evidence: { file: 'prebuilds/hid.node', libraries: ['libusb-1.0.so.0', 'libudev.so.1'] },
      }),
    ]);
  });

  it('only the base every glibc image has, or a RUNPATH of its own: prebuilt', () => {
    expect(withFacts(elf(['libstdc++.so.6', 'libm.so.6', 'libc.so.6', 'libz.so.1']), arm64).outcome).toBe(
      'prebuilt',
    );
    expect(withFacts(elf(['libvips-cpp.so.42'], ['$ORIGIN/../lib']), arm64).outcome).toBe('prebuilt');
  });
});
