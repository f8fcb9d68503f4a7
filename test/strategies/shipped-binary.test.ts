// shipped-binary with no loader convention, on hand-built records and in-memory files: a `.node` that
// comes in the tarball is what every target gets, and its binary facts alone decide whether it loads
// there. No install step runs, so nothing falls back to a build. One problem per test.
import { describe, expect, it } from 'vitest';
import type { BinaryFacts } from '../../src/model/binary.js';
import type { PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { ChainLink, PredictContext } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { predictShippedBinary } from '../../src/strategies/shipped-binary.js';
import { packageFiles } from '../helpers/package-files.js';
import { targets } from '../helpers/targets.js';
import { predictContext } from '../helpers/predict-context.js';
import { packageRecord } from '../helpers/records.js';

const [node22, node20, alpine, arm64, darwin] = targets([
  'node22-linux-x64-glibc',
  'node20-linux-x64-glibc',
  'node22-linux-x64-musl',
  'node22-linux-arm64-glibc',
  'node22-darwin-arm64',
]) as [Target, Target, Target, Target, Target];

/** An x64 glibc ELF addon; `module` and the rest as given. */
const elf = (extra: Partial<BinaryFacts> = {}): BinaryFacts => ({
  format: 'elf',
  arch: 'x64',
  arches: ['x64'],
  platform: 'linux',
  libc: 'glibc',
  needed: ['libc.so.6'],
  glibcVersion: '2.17',
  glibcxxVersion: null,
  module: { kind: 'napi' },
  napiVersion: null,
  notes: [],
  ...extra,
});

/** Paths of the package, each `.node` with the facts given (a path without facts cannot be read). */
function files(facts: Record<string, BinaryFacts | null>): PackageFiles {
  const base = packageFiles(Object.keys(facts));
  return { ...base, facts: (f) => facts[f] ?? null };
}

const pkg: PackageRecord = packageRecord('addon', '1.0.0', { rootEntries: ['addon.node', 'package.json'] });

function context(f: PackageFiles, target: Target, shipped: string[]): PredictContext {
  const link: ChainLink = { strategy: 'shipped-binary', files: shipped };
  return predictContext({ native: { pkg, chain: [link], scripts: [] }, files: f, target });
}

const verdict = (facts: Record<string, BinaryFacts | null>, target: Target, shipped = Object.keys(facts)) =>
  evaluateChain(context(files(facts), target, shipped));

describe('predictShippedBinary: the file, its facts, the evidence', () => {
  it('the first file listed is the binary, with its facts; every file is evidence', () => {
    const a = elf();
    const r = predictShippedBinary(context(files({ 'a.node': a, 'b.node': elf() }), node22, []), [
      'a.node',
      'b.node',
    ]);
    expect(r).toEqual({
      kind: 'binary',
      strategy: 'shipped-binary',
      binary: 'a.node',
      facts: a,
      evidence: [
        { kind: 'shipped-binary', file: 'a.node' },
        { kind: 'shipped-binary', file: 'b.node' },
      ],
    });
  });

  it('no file at all: a binary result that names none', () => {
    expect(predictShippedBinary(context(files({}), node22, []), [])).toEqual({
      kind: 'binary',
      strategy: 'shipped-binary',
      binary: null,
      facts: null,
      evidence: [],
    });
  });
});

describe('the same file for every target: its facts decide', () => {
  it('a fitting Node-API addon is prebuilt, with its facts in the evidence', () => {
    const v = verdict({ 'addon.node': elf() }, node22);
    expect(v.findings).toEqual([]);
    expect(v.prediction).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'shipped-binary',
      binary: 'addon.node',
    });
    expect(v.prediction.evidence).toEqual([
      { kind: 'shipped-binary', file: 'addon.node' },
      {
        kind: 'binary-facts',
        file: 'addon.node',
        format: 'elf',
        arches: ['x64'],
        platform: 'linux',
        libc: 'glibc',
        glibcVersion: '2.17',
        module: 'napi',
        abi: null,
        napiVersion: null,
      },
    ]);
  });

  it('another arch fails with ARCH_MISMATCH, and no build to fall back on', () => {
    const v = verdict({ 'addon.node': elf() }, arm64);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings).toMatchObject([
      {
        code: 'ARCH_MISMATCH',
        severity: 'error',
        evidence: { file: 'addon.node', binaryArches: ['x64'], targetArch: 'arm64', fallback: 'none' },
      },
    ]);
  });

  it('another OS fails with PLATFORM_MISMATCH, and ARCH_MISMATCH too where the arch differs as well', () => {
    const linuxArm64 = elf({ arch: 'arm64', arches: ['arm64'] });
    const v = verdict({ 'addon.node': linuxArm64 }, darwin);
    expect(v.findings.map((f) => f.code)).toEqual(['PLATFORM_MISMATCH']);
    expect(v.findings[0]!.evidence).toMatchObject({ binaryPlatform: 'linux', targetPlatform: 'darwin' });
    expect(verdict({ 'addon.node': elf() }, darwin).findings.map((f) => f.code)).toEqual([
      'PLATFORM_MISMATCH',
      'ARCH_MISMATCH',
    ]);
  });

  it('a musl-linked file on glibc fails with LIBC_MISMATCH', () => {
    const musl = elf({ libc: 'musl', needed: ['libc.musl-x86_64.so.1'], glibcVersion: null });
    expect(verdict({ 'addon.node': musl }, alpine).prediction.outcome).toBe('prebuilt');
    const v = verdict({ 'addon.node': musl }, node22);
    expect(v.findings).toMatchObject([
      {
        code: 'LIBC_MISMATCH',
        evidence: { binaryLibc: 'musl', targetLibc: 'glibc', missingLibraries: ['libc.musl-x86_64.so.1'] },
      },
    ]);
  });

  it('an ABI-tied addon loads only on its Node: ABI_MISMATCH elsewhere', () => {
    const abi = elf({ module: { kind: 'abi', abi: String(node22.abi) } });
    expect(verdict({ 'addon.node': abi }, node22).prediction.outcome).toBe('prebuilt');
    const v = verdict({ 'addon.node': abi }, node20);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings).toMatchObject([
      { code: 'ABI_MISMATCH', evidence: { binaryAbi: node22.abi, targetAbi: node20.abi } },
    ]);
  });

  it('a file that is not a binary (format null) is INVALID_BINARY, with its notes', () => {
    const lfs = elf({
      format: null,
      arch: null,
      arches: [],
      platform: null,
      libc: null,
      notes: [{ code: 'EMPTY_FILE' }],
    });
    const v = verdict({ 'addon.node': lfs }, node22);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings).toMatchObject([
      { code: 'INVALID_BINARY', evidence: { notes: [{ code: 'EMPTY_FILE' }] } },
    ]);
  });

  it('a file whose facts cannot be read is taken as it is: prebuilt, nothing to judge', () => {
    const v = verdict({ 'addon.node': null }, darwin);
    expect(v.findings).toEqual([]);
    expect(v.prediction).toMatchObject({ outcome: 'prebuilt', binary: 'addon.node' });
    expect(v.prediction).not.toHaveProperty('facts');
  });
});
