// source-build on hand-built records: whether the target can compile (python3, make, a C++
// compiler, or a toolchain nothing is known about) and what the chain makes of a build that can or
// cannot run: alone, after a download nobody checked, before `|| echo`, in an optional dependency.
// One problem per test.
import { describe, expect, it } from 'vitest';
import type { PackageRecord } from '../../src/model/package.js';
import type { ChainLink } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import {
  predictSourceBuild,
  toolchainComplete,
  toolchainEvidence,
} from '../../src/strategies/source-build.js';
import { packageFiles } from '../helpers/package-files.js';
import { fakeHost, targets } from '../helpers/targets.js';
import { packageRecord } from '../helpers/records.js';
import { predictContext } from '../helpers/predict-context.js';

const [bookworm, slim, alpine, tuple] = targets([
  'node:22-bookworm',
  'node:22-slim',
  'node:22-alpine',
  'node22-linux-x64-glibc',
]) as [Target, Target, Target, Target];
const host = fakeHost();
const noMake = fakeHost({ toolchain: { python: true, make: false, cxx: true } });

const record = (extra: Partial<PackageRecord> = {}): PackageRecord => packageRecord('addon', '1.0.0', extra);

const script = (text: string) => ({ event: 'install' as const, text });
const BUILD: ChainLink = {
  strategy: 'source-build',
  builder: 'node-gyp',
  script: script('node-gyp rebuild'),
};

function verdict(target: Target, chain: ChainLink[] = [BUILD], pkg = record()) {
  return evaluateChain(
    predictContext({
      native: { pkg, chain, scripts: [] },
      files: packageFiles(['binding.gyp', 'package.json']),
      target,
    }),
  );
}

describe('the toolchain a target has', () => {
  it('complete only with python, make and a C++ compiler together', () => {
    expect(toolchainComplete(host)).toBe(true);
    expect(toolchainComplete(noMake)).toBe(false);
    expect(toolchainComplete(fakeHost({ toolchain: { python: false, make: true, cxx: true } }))).toBe(false);
    expect(toolchainComplete(fakeHost({ toolchain: { python: true, make: true, cxx: false } }))).toBe(false);
  });

  it('images say what they ship: bookworm has it, slim and alpine do not', () => {
    expect(toolchainComplete(bookworm)).toBe(true);
    expect(toolchainComplete(slim)).toBe(false);
    expect(toolchainComplete(alpine)).toBe(false);
  });

  it('the evidence says each tool, and whether anything is known about them', () => {
    expect(toolchainEvidence(noMake)).toEqual({
      kind: 'toolchain',
      python: true,
      make: false,
      cxx: true,
      known: true,
    });
    expect(toolchainEvidence(tuple)).toEqual({
      kind: 'toolchain',
      python: false,
      make: false,
      cxx: false,
      known: false,
    });
  });

  it('the link itself only says a build happens; the chain decides what that means', () => {
    expect(predictSourceBuild()).toEqual({ kind: 'build', strategy: 'source-build', evidence: [] });
  });
});

describe('a build alone in the chain', () => {
  it('a target that can compile: source-build, with SOURCE_BUILD_REQUIRED naming the builder', () => {
    const v = verdict(bookworm);
    expect(v.prediction).toMatchObject({ outcome: 'source-build', strategy: 'source-build' });
    expect(v.findings).toMatchObject([
      {
        code: 'SOURCE_BUILD_REQUIRED',
        severity: 'warning',
        evidence: { builder: 'node-gyp', toolchainKnown: true },
      },
    ]);
  });

  it('a target without make: fails, TOOLCHAIN_MISSING names exactly what is missing', () => {
    const v = verdict(noMake);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings).toMatchObject([
      { code: 'TOOLCHAIN_MISSING', severity: 'error', evidence: { missing: ['make'], certain: true } },
    ]);
    expect(verdict(alpine).findings[0]!.evidence).toMatchObject({ missing: ['python', 'make', 'cxx'] });
  });

  it('a target nothing is known about (a node22-linux-x64 tuple): source-build, the toolchain marked unknown', () => {
    const v = verdict(tuple);
    expect(v.prediction.outcome).toBe('source-build');
    expect(v.findings).toMatchObject([
      { code: 'SOURCE_BUILD_REQUIRED', evidence: { toolchainKnown: false } },
    ]);
    expect(v.prediction.evidence).toContainEqual({
      kind: 'toolchain',
      python: false,
      make: false,
      cxx: false,
      known: false,
    });
  });
});

describe('a build that cannot run, and what the install does then', () => {
  it('`node-gyp rebuild || echo skipped`: the install goes on with no binary (a warning, not an error)', () => {
    const chain: ChainLink[] = [
      BUILD,
      { strategy: 'no-binary', script: script('node-gyp rebuild || echo skipped'), tail: 'echo skipped' },
    ];
    const v = verdict(slim, chain);
    expect(v.prediction.outcome).toBe('no-binary');
    expect(v.findings).toMatchObject([
      { code: 'TOOLCHAIN_MISSING', severity: 'warning', evidence: { installGoesOn: true } },
      {
        code: 'INSTALLED_WITHOUT_BINARY',
        evidence: { cause: 'script', tail: 'echo skipped', failed: 'build' },
      },
    ]);
    // where it can compile, the tail never matters
    expect(verdict(bookworm, chain).prediction.outcome).toBe('source-build');
  });

  it('an optional dependency npm drops when its build fails: no-binary, cause optional', () => {
    const v = verdict(slim, [BUILD], record({ optional: true }));
    expect(v.prediction.outcome).toBe('no-binary');
    expect(v.findings.map((f) => [f.code, f.severity])).toEqual([
      ['TOOLCHAIN_MISSING', 'warning'],
      ['INSTALLED_WITHOUT_BINARY', 'warning'],
    ]);
    expect(v.findings[1]!.evidence).toMatchObject({ cause: 'optional' });
  });

  it('an optional dev dependency (Arborist’s flag on an extraneous package) is not dropped: fails', () => {
    expect(verdict(slim, [BUILD], record({ optional: true, dev: true })).prediction.outcome).toBe('fails');
  });

  it('after a download nobody checked: unknown, and the missing toolchain is a warning that is not certain', () => {
    const text = 'node install.js || node-gyp rebuild';
    const chain: ChainLink[] = [
      { strategy: 'script-download', script: script(text), file: 'install.js', hosts: ['example.com'] },
      { ...BUILD, script: script(text) } as ChainLink,
    ];
    const v = verdict(slim, chain);
    expect(v.prediction.outcome).toBe('unknown');
    expect(v.findings).toMatchObject([
      { code: 'TOOLCHAIN_MISSING', severity: 'warning', evidence: { certain: false } },
      { code: 'PREBUILD_DOWNLOAD_UNVERIFIED', severity: 'warning', evidence: { fallback: 'fails' } },
    ]);
    // a target that could compile: the download decides nothing fatal, an info
    const ok = verdict(bookworm, chain);
    expect(ok.prediction.outcome).toBe('unknown');
    expect(ok.findings).toMatchObject([
      { code: 'PREBUILD_DOWNLOAD_UNVERIFIED', severity: 'info', evidence: { fallback: 'source-build' } },
    ]);
  });
});
