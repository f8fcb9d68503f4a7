// platform-packages (sharp's @img/*, esbuild, rollup, napi-rs) on hand-built records and in-memory
// files: which optional dependency npm would install on the target (npm-install-checks' os/cpu/libc
// rules, as npm's own EBADPLATFORM), where its binary is, and what an entry that is missing, only
// in the lockfile, only in the registry or unreadable makes of the answer. One problem per test.
import { describe, expect, it } from 'vitest';
import type { BinaryFacts } from '../../src/model/binary.js';
import type { FileEntry, LockEntry, PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { PlatformCandidate, PredictContext } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { platformFlags } from '../../src/report/message-parts.js';
import {
  findNodeFile,
  nameLooksLikeTarget,
  predictPlatformPackages,
} from '../../src/strategies/platform-packages.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { fakeHost, targets } from '../helpers/targets.js';
import { packageRecord } from '../helpers/records.js';
import { predictContext } from '../helpers/predict-context.js';

const [glibc, musl, darwin, win, arm64] = targets([
  'node22-linux-x64-glibc',
  'node22-linux-x64-musl',
  'node22-darwin-arm64',
  'node22-win32-x64',
  'node22-linux-arm64-glibc',
]) as [Target, Target, Target, Target, Target];
const host = fakeHost();

/** A package holding these files: text, or a `.node` with the given facts. */
function memFiles(files: Record<string, string | BinaryFacts>): PackageFiles {
  const paths = Object.keys(files);
  return {
    list(dir) {
      const prefix = dir ? `${dir}/` : '';
      const names = new Map<string, boolean>();
      for (const p of paths) {
        if (!p.startsWith(prefix)) continue;
        const [head, ...rest] = p.slice(prefix.length).split('/');
        names.set(head!, rest.length > 0 || names.get(head!) === true);
      }
      return names.size ? [...names].map(([name, d]): FileEntry => ({ name, dir: d })) : null;
    },
    exists: (f) => Object.hasOwn(files, f),
    readText: (f) => {
      const v = files[f];
      return typeof v === 'string' ? v : null;
    },
    facts: (f) => {
      const v = files[f];
      return v && typeof v === 'object' ? v : null;
    },
  };
}

const elf = (libc: 'glibc' | 'musl', arch = 'x64'): BinaryFacts => ({
  format: 'elf',
  arch,
  arches: [arch],
  platform: 'linux',
  libc,
  needed: libc === 'musl' ? ['libc.musl-x86_64.so.1'] : ['libc.so.6'],
  glibcVersion: libc === 'glibc' ? '2.17' : null,
  glibcxxVersion: null,
  module: { kind: 'napi' },
  napiVersion: null,
  notes: [],
});

const record = (name: string, version: string, extra: Partial<PackageRecord> = {}): PackageRecord =>
  packageRecord(name, version, { rootEntries: ['package.json'], ...extra });

/** A platform package as installed, with its manifest's os/cpu/libc. */
function installed(
  name: string,
  c: { os?: string[]; cpu?: string[]; libc?: string[]; main?: string },
): PlatformCandidate {
  return {
    source: 'installed',
    record: record(name, '1.2.3', {
      optional: true,
      manifest: { scripts: {}, dependencies: {}, optionalDependencies: {}, ...c },
    }),
  };
}

/** A platform package only in package-lock.json (npm skipped it on this machine). */
function locked(name: string, c: { os?: string[]; cpu?: string[]; libc?: string[] }): PlatformCandidate {
  const entry: LockEntry = {
    location: `node_modules/${name}`,
    name,
    version: '1.2.3',
    ...c,
    optional: true,
    dev: false,
    hasInstallScript: false,
  };
  return { source: 'lockfile', entry };
}

interface Setup {
  candidates: Record<string, PlatformCandidate>;
  files?: Record<string, PackageFiles>;
  /** The parent is installed (installed-tree mode) or only locked (lockfile mode). */
  parentInstalled?: boolean;
}

function context({ candidates, files = {}, parentInstalled = true }: Setup, target: Target): PredictContext {
  const names = Object.keys(candidates);
  const pkg = record('sharpish', '0.34.0', {
    installed: parentInstalled,
    manifest: {
      scripts: {},
      dependencies: {},
      optionalDependencies: Object.fromEntries(names.map((n) => [n, '1.2.3'])),
    },
  });
  return predictContext({
    native: { pkg, chain: [{ strategy: 'platform-packages', candidates: names }], scripts: [] },
    files: memFiles({}),
    target,
    resolvePlatformCandidate: (name, spec) => candidates[name] ?? { source: 'missing', name, spec },
    filesOf: (r) => files[r.name] ?? memFiles({}),
  });
}

const link = (s: Setup, target: Target) => {
  const ctx = context(s, target);
  return predictPlatformPackages(ctx, Object.keys(s.candidates));
};
const verdict = (s: Setup, target: Target) => evaluateChain(context(s, target));

/** esbuild-style: one package per os/cpu, libc told apart on linux. */
const LINUX = {
  '@x/linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  '@x/linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  '@x/darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
};

describe("npm's os/cpu/libc rules decide which platform package a target gets", () => {
  it('musl and glibc get the entry whose libc names theirs, never the other', () => {
    const s: Setup = {
      candidates: Object.fromEntries(Object.entries(LINUX).map(([n, c]) => [n, locked(n, c)])),
      parentInstalled: false,
    };
    expect(link(s, musl)).toEqual({
      kind: 'binary',
      strategy: 'platform-packages',
      binary: null,
      facts: null,
      fromPackage: '@x/linux-x64-musl@1.2.3',
      evidence: [
        {
          kind: 'platform-package',
          name: '@x/linux-x64-musl',
          version: '1.2.3',
          location: 'node_modules/@x/linux-x64-musl',
          source: 'lockfile',
          os: ['linux'],
          cpu: ['x64'],
          libc: ['musl'],
          binary: null,
        },
      ],
    });
    expect(link(s, glibc)).toMatchObject({ kind: 'binary', fromPackage: '@x/linux-x64-gnu@1.2.3' });
    expect(link(s, darwin)).toMatchObject({ kind: 'binary', fromPackage: '@x/darwin-arm64@1.2.3' });
  });

  it('a libc field leaves out every non-Linux target (npm-install-checks knows no libc there)', () => {
    const s: Setup = {
      candidates: { a: locked('a', { os: ['darwin'], cpu: ['arm64'], libc: ['glibc'] }), b: locked('b', {}) },
      parentInstalled: false,
    };
    const r = link(s, darwin);
    expect(r.kind).toBe('binary');
    expect(r.evidence.map((e) => (e.kind === 'platform-package' ? e.name : e.kind))).toEqual(['b']);
  });

  it('negated lists: `!win32` is everywhere but Windows, `!arm64` every other cpu', () => {
    const s: Setup = {
      candidates: {
        'not-win': locked('not-win', { os: ['!win32'] }),
        'not-arm64': locked('not-arm64', { cpu: ['!arm64'] }),
      },
      parentInstalled: false,
    };
    const names = (t: Target) =>
      link(s, t).evidence.flatMap((e) => (e.kind === 'platform-package' ? [e.name] : []));
    expect(names(glibc)).toEqual(['not-win', 'not-arm64']);
    expect(names(win)).toEqual(['not-arm64']);
    expect(names(arm64)).toEqual(['not-win']);
  });

  it('no entry fits the target: a miss that lists every candidate with its constraints', () => {
    const s: Setup = {
      candidates: Object.fromEntries(Object.entries(LINUX).map(([n, c]) => [n, locked(n, c)])),
      parentInstalled: false,
    };
    expect(link(s, win)).toEqual({
      kind: 'miss',
      strategy: 'platform-packages',
      evidence: [
        {
          kind: 'platform-packages-unmatched',
          candidates: Object.entries(LINUX).map(([name, c]) => ({
            name,
            os: c.os,
            cpu: c.cpu,
            libc: 'libc' in c ? c.libc : undefined,
          })),
        },
      ],
    });
    const v = verdict(s, win);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings.map((f) => f.code)).toEqual(['NO_PREBUILD_FOR_TARGET']);
  });
});

describe('an installed platform package: its binary, read and judged', () => {
  const setup = (files: Record<string, string | BinaryFacts>, main?: string): Setup => ({
    candidates: {
      '@x/linux-x64-gnu': installed('@x/linux-x64-gnu', { ...LINUX['@x/linux-x64-gnu'], main }),
      '@x/linux-x64-musl': locked('@x/linux-x64-musl', LINUX['@x/linux-x64-musl']),
    },
    files: { '@x/linux-x64-gnu': memFiles(files) },
  });

  it("the host gets the installed package's .node, with its facts and where it comes from", () => {
    const v = verdict(setup({ 'package.json': '{}', 'x.linux-x64-gnu.node': elf('glibc') }), host);
    expect(v.findings).toEqual([]);
    expect(v.prediction).toMatchObject({
      outcome: 'prebuilt',
      strategy: 'platform-packages',
      binary: 'x.linux-x64-gnu.node',
      fromPackage: '@x/linux-x64-gnu@1.2.3',
    });
    expect(v.prediction.evidence[0]).toMatchObject({
      kind: 'platform-package',
      source: 'installed',
      location: 'node_modules/@x/linux-x64-gnu',
      binary: 'x.linux-x64-gnu.node',
    });
  });

  it('a binary whose facts do not fit the target fails it, although npm picked the package', () => {
    const v = verdict(setup({ 'x.node': elf('musl') }), host);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings.map((f) => f.code)).toEqual(['LIBC_MISMATCH']);
    expect(v.findings[0]!.evidence).toMatchObject({
      file: 'x.node',
      binaryLibc: 'musl',
      targetLibc: 'glibc',
    });
  });

  it('`main` pointing at a .node wins over any other .node in the package', () => {
    const r = link(setup({ 'a.node': elf('glibc'), 'lib/b.node': elf('glibc') }, './lib/b.node'), host);
    expect(r).toMatchObject({ kind: 'binary', binary: 'lib/b.node' });
  });

  it('an installed package with no .node in reach: prebuilt with no file named (nothing to judge)', () => {
    const r = link(setup({ 'package.json': '{}', 'a/b/c/deep.node': elf('glibc') }), host);
    expect(r).toMatchObject({ kind: 'binary', binary: null, facts: null });
    expect(r).not.toHaveProperty('fromPackage');
    expect(verdict(setup({ 'a/b/c/deep.node': elf('musl') }), host).prediction.outcome).toBe('prebuilt');
  });
});

describe('findNodeFile: the .node inside a platform package', () => {
  const rec = record('@koromix/koffi-linux-x64', '2.9.0');

  it('builds told apart by name (koffi: linux_x64/ and musl_x64/, no libc field): the one for the target libc', () => {
    const files = memFiles({ 'linux_x64/koffi.node': elf('glibc'), 'musl_x64/koffi.node': elf('musl') });
    expect(findNodeFile(files, rec, glibc)).toBe('linux_x64/koffi.node');
    expect(findNodeFile(files, rec, musl)).toBe('musl_x64/koffi.node');
  });

  it('otherwise the shallowest .node, at most two folders down, never inside node_modules', () => {
    expect(findNodeFile(memFiles({ 'build/Release/a.node': elf('glibc') }), rec)).toBe(
      'build/Release/a.node',
    );
    expect(findNodeFile(memFiles({ 'node_modules/dep/a.node': elf('glibc') }), rec)).toBeNull();
    expect(findNodeFile(memFiles({ 'a/b/c/a.node': elf('glibc') }), rec)).toBeNull();
  });
});

describe('what is only in the lockfile, only in the registry, unreadable or unknown', () => {
  it('on the host, an installed tree without the entry npm would have installed is PLATFORM_PACKAGE_MISSING', () => {
    const s: Setup = {
      candidates: Object.fromEntries(Object.entries(LINUX).map(([n, c]) => [n, locked(n, c)])),
    };
    expect(link(s, host)).toMatchObject({
      kind: 'miss',
      evidence: [
        { kind: 'platform-package', name: '@x/linux-x64-gnu', source: 'lockfile' },
        {
          kind: 'platform-package-not-installed',
          name: '@x/linux-x64-gnu',
          location: 'node_modules/@x/linux-x64-gnu',
        },
      ],
    });
    const v = verdict(s, host);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings).toMatchObject([
      {
        code: 'PLATFORM_PACKAGE_MISSING',
        evidence: { name: '@x/linux-x64-gnu', location: 'node_modules/@x/linux-x64-gnu' },
      },
    ]);
  });

  it('the same lockfile entry answers prebuilt for another target, and for the host in lockfile mode', () => {
    const s: Setup = {
      candidates: Object.fromEntries(Object.entries(LINUX).map(([n, c]) => [n, locked(n, c)])),
    };
    expect(verdict(s, musl).prediction).toMatchObject({
      outcome: 'prebuilt',
      fromPackage: '@x/linux-x64-musl@1.2.3',
    });
    expect(verdict({ ...s, parentInstalled: false }, host).prediction.outcome).toBe('prebuilt');
  });

  it("a package the target needs that only the registry knows (no lockfile entry): `npm ci` won't install it", () => {
    const s: Setup = {
      candidates: {
        '@x/linux-x64-gnu': locked('@x/linux-x64-gnu', LINUX['@x/linux-x64-gnu']),
        '@x/linux-x64-musl': {
          source: 'registry',
          unlocked: {
            name: '@x/linux-x64-musl',
            spec: '1.2.3',
            version: '1.2.3',
            ...LINUX['@x/linux-x64-musl'],
            listedInLockfile: false,
          },
        },
      },
      parentInstalled: false,
    };
    const v = verdict(s, musl);
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings).toMatchObject([
      {
        code: 'PLATFORM_PACKAGE_NOT_IN_LOCKFILE',
        evidence: {
          name: '@x/linux-x64-musl',
          version: '1.2.3',
          os: ['linux'],
          cpu: ['x64'],
          libc: ['musl'],
          listedInLockfile: false,
        },
      },
    ]);
    // the fix names the npm flags that would make that entry install on another machine
    expect(platformFlags(v.findings[0]!.evidence as { os?: string[]; cpu?: string[]; libc?: string[] })).toBe(
      '--os=linux --cpu=x64 --libc=musl',
    );
    // glibc needs the locked one: the registry-only package is not its concern
    expect(verdict(s, glibc).prediction.outcome).toBe('prebuilt');
  });

  it('a needed package whose tarball could not be had is unknown, with npm’s error code', () => {
    const rec = record('@x/linux-x64-musl', '1.2.3', {
      installed: false,
      manifest: { scripts: {}, dependencies: {}, optionalDependencies: {}, ...LINUX['@x/linux-x64-musl'] },
      unavailable: { code: 'ENOTCACHED', detail: '' },
    });
    const s: Setup = {
      candidates: { '@x/linux-x64-musl': { source: 'unavailable', record: rec } },
      parentInstalled: false,
    };
    expect(link(s, musl)).toEqual({
      kind: 'unknown',
      strategy: 'platform-packages',
      reason: 'unresolved',
      evidence: [
        { kind: 'manifest-unavailable', name: '@x/linux-x64-musl', version: '1.2.3', code: 'ENOTCACHED' },
      ],
    });
    // not needed on glibc: no entry fits, so nothing is unknown there
    expect(link(s, glibc).kind).toBe('miss');
  });

  it('an entry nothing describes is unresolved (unknown), with a hint when its name reads like the target', () => {
    const s: Setup = {
      candidates: {
        '@x/darwin-arm64': locked('@x/darwin-arm64', LINUX['@x/darwin-arm64']),
        '@x/linux-x64-musl': { source: 'missing', name: '@x/linux-x64-musl', spec: '1.2.3' },
        '@x/linux-x64-gnu': { source: 'missing', name: '@x/linux-x64-gnu', spec: '1.2.3' },
      },
      parentInstalled: false,
    };
    expect(link(s, musl)).toEqual({
      kind: 'unknown',
      strategy: 'platform-packages',
      reason: 'unresolved',
      evidence: [
        {
          kind: 'platform-packages-unmatched',
          candidates: [{ name: '@x/darwin-arm64', os: ['darwin'], cpu: ['arm64'], libc: undefined }],
        },
        { kind: 'platform-packages-unresolved', names: ['@x/linux-x64-musl', '@x/linux-x64-gnu'] },
        { kind: 'platform-package-name-hint', name: '@x/linux-x64-musl' },
      ],
    });
    const v = verdict(s, musl);
    expect(v.prediction.outcome).toBe('unknown');
    expect(v.findings).toMatchObject([
      {
        code: 'PLATFORM_PACKAGES_UNRESOLVED',
        evidence: { names: ['@x/linux-x64-musl', '@x/linux-x64-gnu'] },
      },
    ]);
    // a described entry that fits wins over unresolved ones
    expect(link(s, darwin).kind).toBe('binary');
  });
});

describe('nameLooksLikeTarget: evidence only, from the words of a name', () => {
  it('platform, arch and libc words in the spellings packages use', () => {
    expect(nameLooksLikeTarget('@img/sharp-linuxmusl-x64', musl)).toBe(true);
    expect(nameLooksLikeTarget('@img/sharp-linuxmusl-x64', glibc)).toBe(false);
    expect(nameLooksLikeTarget('@img/sharp-linux-x64', glibc)).toBe(true);
    expect(nameLooksLikeTarget('@rollup/rollup-linux-x64-gnu', musl)).toBe(false);
    expect(nameLooksLikeTarget('@rollup/rollup-linux-x64-gnu', glibc)).toBe(true);
    expect(nameLooksLikeTarget('@esbuild/darwin-arm64', darwin)).toBe(true);
    expect(nameLooksLikeTarget('@esbuild/darwin-arm64', arm64)).toBe(false);
    expect(nameLooksLikeTarget('@swc/core-win32-x64-msvc', win)).toBe(true);
    expect(nameLooksLikeTarget('@node-rs/xxhash-linux-aarch64-gnu', arm64)).toBe(true);
    expect(nameLooksLikeTarget('@x/linux-x64-musl', win)).toBe(false);
  });
});
