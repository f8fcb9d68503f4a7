// evaluateChain on hand-built chains and in-memory files: the walk an install makes through a
// package's strategy chain for one target. The first link whose binary fits wins; a load-tested
// prebuild that does not fit falls to the build after it; an unverifiable link keeps the outcome
// unknown; gates and `|| echo` tails end it with no binary. One problem per test.
import { describe, expect, it } from 'vitest';
import type { BinaryFacts } from '../../src/model/binary.js';
import type { PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { ChainLink } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { packageFiles } from '../helpers/package-files.js';
import { targets } from '../helpers/targets.js';
import { predictContext } from '../helpers/predict-context.js';
import { manifestOf, packageRecord } from '../helpers/records.js';

const [bookworm, slim, win] = targets(['node:22-bookworm', 'node:22-slim', 'node22-win32-x64']) as [
  Target,
  Target,
  Target,
];

const elf = (libc: 'glibc' | 'musl'): BinaryFacts => ({
  format: 'elf',
  arch: 'x64',
  arches: ['x64'],
  platform: 'linux',
  libc,
  needed: libc === 'musl' ? ['libc.musl-x86_64.so.1'] : ['libc.so.6'],
  glibcVersion: libc === 'glibc' ? '2.17' : null,
  glibcxxVersion: null,
  module: { kind: 'napi' },
  napiVersion: null,
  notes: [],
});

function files(facts: Record<string, BinaryFacts>): PackageFiles {
  const base = packageFiles(Object.keys(facts));
  return { ...base, facts: (f) => facts[f] ?? null };
}

const pkg: PackageRecord = packageRecord('addon', '1.0.0', {
  manifest: manifestOf({ dependencies: { 'node-gyp-build': '^4.8.0' } }),
  rootEntries: ['binding.gyp', 'prebuilds/', 'package.json'],
});

function verdict(chain: ChainLink[], target: Target, f: PackageFiles = files({})) {
  return evaluateChain(predictContext({ native: { pkg, chain, scripts: [] }, files: f, target }));
}

const script = (text: string) => ({ event: 'install' as const, text });
const NGB_SCRIPT = script('node-gyp-build');
const LOAD_TESTED: ChainLink = { strategy: 'node-gyp-build', optionalPackages: false, script: NGB_SCRIPT };
const RUN_TIME_ONLY: ChainLink = { strategy: 'node-gyp-build', optionalPackages: false, script: null };
const BUILD: ChainLink = { strategy: 'source-build', builder: 'node-gyp', script: NGB_SCRIPT };
const shipped = (file: string): ChainLink => ({ strategy: 'shipped-binary', files: [file] });
const opaque = (text: string, extra: { advisory?: boolean; optIn?: boolean } = {}): ChainLink => ({
  strategy: 'unknown-script',
  script: script(text),
  optIn: extra.optIn ?? false,
  ...(extra.advisory ? { advisory: true } : {}),
});
const download: ChainLink = {
  strategy: 'script-download',
  script: script('node install.js'),
  file: 'install.js',
  hosts: ['downloads.example.com'],
};

describe('the first link whose binary fits wins', () => {
  it('a fitting prebuild ends the walk: the build after it never runs', () => {
    const v = verdict(
      [LOAD_TESTED, BUILD],
      slim,
      files({ 'prebuilds/linux-x64/addon.glibc.node': elf('glibc') }),
    );
    expect(v.prediction).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'node-gyp-build',
      binary: 'prebuilds/linux-x64/addon.glibc.node',
    });
    expect(v.findings).toEqual([]);
  });

  it('no prebuild for the target: the build decides (source-build where it can compile, fails where not)', () => {
    const f = files({ 'prebuilds/darwin-arm64/addon.node': elf('glibc') });
    expect(verdict([LOAD_TESTED, BUILD], bookworm, f).prediction.outcome).toBe('source-build');
    const v = verdict([LOAD_TESTED, BUILD], slim, f);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings.map((x) => x.code)).toEqual(['TOOLCHAIN_MISSING']);
  });

  it('every link misses: NO_PREBUILD_FOR_TARGET, naming the strategies tried', () => {
    const v = verdict([RUN_TIME_ONLY], slim, files({ 'prebuilds/darwin-arm64/addon.node': elf('glibc') }));
    expect(v.prediction).toMatchObject({ outcome: 'fails', strategy: null });
    expect(v.findings).toMatchObject([
      { code: 'NO_PREBUILD_FOR_TARGET', evidence: { strategies: ['node-gyp-build'] } },
    ]);
  });
});

describe('a prebuild whose binary facts do not fit', () => {
  const musl = files({ 'prebuilds/linux-x64/addon.node': elf('musl') });

  it("node-gyp-build's install load-tests it and compiles instead: the mismatch is an info, the build decides", () => {
    const v = verdict([LOAD_TESTED, BUILD], bookworm, musl);
    expect(v.prediction.outcome).toBe('source-build');
    expect(v.findings.map((f) => [f.code, f.severity])).toEqual([
      ['LIBC_MISMATCH', 'info'],
      ['SOURCE_BUILD_REQUIRED', 'warning'],
    ]);
    expect(v.findings[0]!.evidence).toMatchObject({ fallback: 'source-build' });
    expect(v.prediction.evidence).toContainEqual({
      kind: 'prebuild-rejected',
      file: 'prebuilds/linux-x64/addon.node',
      reasons: ['LIBC_MISMATCH'],
    });
  });

  it('picked at run time only (no install script to test it): fails, an error, no fallback', () => {
    const v = verdict([RUN_TIME_ONLY, BUILD], bookworm, musl);
    expect(v.prediction).toMatchObject({ outcome: 'fails', strategy: 'node-gyp-build' });
    expect(v.findings).toMatchObject([
      { code: 'LIBC_MISMATCH', severity: 'error', evidence: { fallback: 'none' } },
    ]);
  });
});

describe('what cannot be known offline', () => {
  it('an install script not understood: unknown, INSTALL_SCRIPT_UNKNOWN with its text', () => {
    const v = verdict([opaque('node fetch.js')], bookworm);
    expect(v.prediction).toMatchObject({ outcome: 'unknown', strategy: 'unknown-script' });
    expect(v.findings).toMatchObject([
      { code: 'INSTALL_SCRIPT_UNKNOWN', evidence: { event: 'install', script: 'node fetch.js' } },
    ]);
  });

  it('a script that only builds when asked (npm_config_build_from_source) does nothing by default: a miss', () => {
    const v = verdict(
      [opaque('node install.js', { optIn: true }), shipped('addon.node')],
      bookworm,
      files({ 'addon.node': elf('glibc') }),
    );
    expect(v.prediction).toMatchObject({ outcome: 'prebuilt', strategy: 'shipped-binary' });
  });

  it('an advisory phase beside a recognised one is said, and the recognised one decides', () => {
    const v = verdict(
      [opaque('node gen-header.js', { advisory: true }), shipped('addon.node')],
      bookworm,
      files({ 'addon.node': elf('glibc') }),
    );
    expect(v.prediction.outcome).toBe('prebuilt');
    expect(v.findings.map((f) => f.code)).toEqual(['INSTALL_SCRIPT_UNKNOWN']);
  });

  it('an unchecked download then a fitting binary: prebuilt either way', () => {
    const v = verdict([download, shipped('addon.node')], bookworm, files({ 'addon.node': elf('glibc') }));
    expect(v.prediction.outcome).toBe('prebuilt');
    expect(v.findings).toEqual([]);
  });

  it('an unknown script then a fitting binary: still unknown (the script may replace or break it)', () => {
    const v = verdict(
      [opaque('node fetch.js'), shipped('addon.node')],
      bookworm,
      files({ 'addon.node': elf('glibc') }),
    );
    expect(v.prediction).toMatchObject({
      outcome: 'unknown',
      strategy: 'shipped-binary',
      binary: 'addon.node',
    });
    expect(v.findings.map((f) => f.code)).toEqual(['INSTALL_SCRIPT_UNKNOWN']);
  });
});

describe('ends with no binary', () => {
  it('a platform gate (`node skip.js || node-gyp-build`): off the gated platform nothing is built by design', () => {
    const gate: ChainLink = {
      strategy: 'no-binary',
      script: script('node skip.js || node-gyp-build'),
      tail: 'skip.js',
      gate: { platforms: ['win32'], negate: false },
    };
    const v = verdict([gate, LOAD_TESTED, BUILD], bookworm);
    expect(v.prediction).toMatchObject({ outcome: 'no-binary', strategy: 'no-binary' });
    expect(v.findings).toMatchObject([
      { code: 'NO_BUILD_ON_PLATFORM', evidence: { platform: 'linux', file: 'skip.js' } },
    ]);
    // on the gated platform the gate fails and what follows it runs
    const onWin = verdict([gate, LOAD_TESTED, BUILD], win, packageFiles(['prebuilds/win32-x64/addon.node']));
    expect(onWin.findings.map((f) => f.code)).not.toContain('NO_BUILD_ON_PLATFORM');
    expect(onWin.prediction).toMatchObject({ outcome: 'prebuilt', strategy: 'node-gyp-build' });
  });

  it('`|| echo` after a link that only misses: installed without a binary, cause script', () => {
    const tail: ChainLink = {
      strategy: 'no-binary',
      script: script('node-gyp-build || echo none'),
      tail: 'echo none',
    };
    const v = verdict([RUN_TIME_ONLY, tail], slim);
    expect(v.prediction.outcome).toBe('no-binary');
    expect(v.findings).toMatchObject([
      {
        code: 'INSTALLED_WITHOUT_BINARY',
        evidence: { cause: 'script', tail: 'echo none', failed: 'no-binary' },
      },
    ]);
  });

  it('`|| echo` after an unknown link: the outcome stays unknown', () => {
    const tail: ChainLink = {
      strategy: 'no-binary',
      script: script('node fetch.js || echo none'),
      tail: 'echo none',
    };
    expect(verdict([opaque('node fetch.js'), tail], slim).prediction.outcome).toBe('unknown');
  });
});
