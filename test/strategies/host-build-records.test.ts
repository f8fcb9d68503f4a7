// hostSourceBuildFindings on hand-built records and in-memory files (host-build.test.ts runs the same
// checks over a fixture tree): Node headers node-gyp would download, Python 3.12 with a node-gyp
// before 10 (the package's own node-gyp first), and `-l<lib>` in binding.gyp the machine lacks.
// Only the host has these details; cmake-js builds are not node-gyp builds. One problem per test.
import { describe, expect, it } from 'vitest';
import type { PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { ChainLink, PlatformCandidate, PredictContext } from '../../src/model/prediction.js';
import type { Target, ToolchainDetails } from '../../src/model/target.js';
import { hostSourceBuildFindings } from '../../src/strategies/host-build.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { packageFiles } from '../helpers/package-files.js';
import { fakeHost, targets } from '../helpers/targets.js';
import { packageRecord } from '../helpers/records.js';
import { predictContext } from '../helpers/predict-context.js';

function details(overrides: Partial<ToolchainDetails> = {}): ToolchainDetails {
  return {
    python: { path: '/usr/bin/python3', version: '3.11.7', source: 'PATH' },
    make: { path: '/usr/bin/make', source: 'PATH' },
    cc: { path: '/usr/bin/cc', source: 'PATH' },
    cxx: { path: '/usr/bin/g++', source: 'PATH' },
    headers: { path: '/root/.cache/node-gyp/20.20.2', version: '20.20.2', source: 'node-gyp-cache' },
    nodeGyp: { path: '/usr/lib/node_modules/npm/node_modules/node-gyp', version: '10.1.0', source: 'npm' },
    distutilsTrap: false,
    ...overrides,
  };
}

const host = (d: ToolchainDetails, extra: Partial<Target> = {}) =>
  fakeHost({ toolchain: { python: true, make: true, cxx: true, details: d }, ...extra });

const record = (name: string, version: string): PackageRecord => packageRecord(name, version);

const NODE_GYP: Extract<ChainLink, { strategy: 'source-build' }> = {
  strategy: 'source-build',
  builder: 'implicit-node-gyp',
  script: null,
};

function context(
  target: Target,
  opts: { gyp?: string; ownNodeGyp?: PlatformCandidate } = {},
): PredictContext {
  const base = packageFiles(['binding.gyp', 'package.json']);
  const files: PackageFiles = { ...base, readText: (f) => (f === 'binding.gyp' ? (opts.gyp ?? null) : null) };
  return predictContext({
    native: { pkg: record('pam-addon', '1.0.5'), chain: [NODE_GYP], scripts: [] },
    files,
    target,
    resolvePlatformCandidate: (name, spec) =>
      name === 'node-gyp' && opts.ownNodeGyp ? opts.ownNodeGyp : { source: 'missing', name, spec },
  });
}

const codes = (target: Target, opts: Parameters<typeof context>[1] = {}, link = NODE_GYP) =>
  hostSourceBuildFindings(context(target, opts), link).map((f) => f.code);

describe('Node headers', () => {
  it('headers node-gyp can use offline: nothing to say', () => {
    expect(codes(host(details()))).toEqual([]);
  });

  it('no headers at all: NODE_HEADERS_UNAVAILABLE for the target Node, nothing beside node', () => {
    const f = hostSourceBuildFindings(context(host(details({ headers: null }))), NODE_GYP);
    expect(f).toMatchObject([
      {
        code: 'NODE_HEADERS_UNAVAILABLE',
        severity: 'warning',
        package: 'pam-addon@1.0.5',
        target: 'host',
        evidence: { nodeVersion: '20.20.2', besideNode: null },
      },
    ]);
  });
});

describe('Python 3.12 and node-gyp before 10 (distutils)', () => {
  const py312 = { python: { path: '/usr/bin/python3', version: '3.12.3', source: 'PATH' } };

  it("npm's node-gyp 10 with Python 3.12: fine", () => {
    expect(codes(host(details(py312)))).toEqual([]);
  });

  it("npm's node-gyp 9 with Python 3.12: PYTHON_DISTUTILS_MISSING, an error, with both versions", () => {
    const d = details({ ...py312, nodeGyp: { path: '/x/node-gyp', version: '9.4.1', source: 'npm' } });
    const f = hostSourceBuildFindings(context(host(d)), NODE_GYP);
    expect(f).toMatchObject([
      {
        code: 'PYTHON_DISTUTILS_MISSING',
        severity: 'error',
        evidence: { python: '/usr/bin/python3', pythonVersion: '3.12.3', nodeGyp: '9.4.1' },
      },
    ]);
    // Python 3.11 still has distutils
    expect(codes(host(details({ nodeGyp: d.nodeGyp })))).toEqual([]);
  });

  it("the package's own node-gyp dependency runs instead of npm's: its version decides", () => {
    const own: PlatformCandidate = { source: 'installed', record: record('node-gyp', '8.4.1') };
    expect(codes(host(details(py312)), { ownNodeGyp: own })).toEqual(['PYTHON_DISTUTILS_MISSING']);
    const lockedNew: PlatformCandidate = {
      source: 'lockfile',
      entry: {
        location: 'node_modules/node-gyp',
        name: 'node-gyp',
        version: '11.0.0',
        optional: false,
        dev: false,
        hasInstallScript: false,
      },
    };
    const old = details({ ...py312, nodeGyp: { path: '/x/node-gyp', version: '9.4.1', source: 'npm' } });
    expect(codes(host(old), { ownNodeGyp: lockedNew })).toEqual([]);
  });

  it('through the chain the error blocks the build: fails', () => {
    const d = details({ ...py312, nodeGyp: { path: '/x/node-gyp', version: '9.4.1', source: 'npm' } });
    const v = evaluateChain(context(host(d)), { sourceBuildFindings: hostSourceBuildFindings });
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings.map((f) => f.code)).toEqual(['PYTHON_DISTUTILS_MISSING']);
  });
});

describe('system libraries binding.gyp links', () => {
  const PAM = "{ 'targets': [ { 'target_name': 'pam', 'libraries': [ '-lpam' ] } ] }";

  it('-lpam with no libpam.so or libpam.a on the machine: BUILD_LIBRARY_MISSING', () => {
    const f = hostSourceBuildFindings(
      context(host(details(), { systemLibraries: ['libc.so', 'libz.so'] }), { gyp: PAM }),
      NODE_GYP,
    );
    expect(f).toMatchObject([
      {
        code: 'BUILD_LIBRARY_MISSING',
        severity: 'error',
        evidence: { libraries: ['pam'], file: 'binding.gyp' },
      },
    ]);
  });

  it('a shared or a static copy is enough', () => {
    expect(codes(host(details(), { systemLibraries: ['libpam.so'] }), { gyp: PAM })).toEqual([]);
    expect(codes(host(details(), { systemLibraries: ['libpam.a'] }), { gyp: PAM })).toEqual([]);
  });

  it('nothing known about the machine’s libraries, or a gyp file that cannot be told for certain: no claim', () => {
    expect(codes(host(details()), { gyp: PAM })).toEqual([]);
    const pkgConfig = "{ 'targets': [ { 'libraries': [ '<!@(pkg-config --libs libpam)' ] } ] }";
    expect(codes(host(details(), { systemLibraries: [] }), { gyp: pkgConfig })).toEqual([]);
  });
});

describe('pkg-config modules binding.gyp asks for', () => {
  const X11 =
    "{ 'targets': [ { 'conditions': [ ['OS==\"linux\"', { 'libraries': [ '<!@(pkg-config x11 xkbfile --libs)' ] }] ] } ] }";

  it('a module with no .pc file on the machine: BUILD_PKG_CONFIG_MISSING naming only that one', () => {
    const f = hostSourceBuildFindings(
      context(host(details(), { pkgConfigModules: ['x11', 'zlib'] }), { gyp: X11 }),
      NODE_GYP,
    );
    expect(f).toMatchObject([
      {
        code: 'BUILD_PKG_CONFIG_MISSING',
        severity: 'error',
        evidence: { modules: ['xkbfile'], file: 'binding.gyp' },
      },
    ]);
  });

  it('every module there, or the machine’s modules not known: no claim', () => {
    expect(codes(host(details(), { pkgConfigModules: ['x11', 'xkbfile'] }), { gyp: X11 })).toEqual([]);
    expect(codes(host(details()), { gyp: X11 })).toEqual([]);
  });

  it('a failure the command tolerates (`|| true`, `--exists`) is no claim', () => {
    const tolerant =
      "{ 'targets': [ { 'libraries': [ '<!@(pkg-config --libs alsa || true)' ], 'defines': [ '<!(pkg-config --exists alsa && echo HAVE_ALSA=1 || echo HAVE_ALSA=0)' ] } ] }";
    expect(codes(host(details(), { pkgConfigModules: [] }), { gyp: tolerant })).toEqual([]);
  });

  it('through the chain the error blocks the build: fails', () => {
    const v = evaluateChain(context(host(details(), { pkgConfigModules: ['x11'] }), { gyp: X11 }), {
      sourceBuildFindings: hostSourceBuildFindings,
    });
    expect(v.prediction.outcome).toBe('fails');
    expect(v.findings.map((f) => f.code)).toEqual(['BUILD_PKG_CONFIG_MISSING']);
  });
});

describe('where these checks do not apply', () => {
  it('any target but the host, even one with the same details', () => {
    const [image] = targets(['node:22-bookworm']);
    const d = details({ headers: null });
    expect(codes({ ...image!, toolchain: { ...image!.toolchain, details: d } })).toEqual([]);
    expect(codes(host(d))).toEqual(['NODE_HEADERS_UNAVAILABLE']);
  });

  it('cmake-js and cmake-ts builds (they are not node-gyp builds)', () => {
    const d = details({ headers: null });
    for (const builder of ['cmake-js', 'cmake-ts'] as const)
      expect(codes(host(d), {}, { strategy: 'source-build', builder, script: null }), builder).toEqual([]);
    expect(codes(host(d), {}, { strategy: 'source-build', builder: 'node-gyp', script: null })).toEqual([
      'NODE_HEADERS_UNAVAILABLE',
    ]);
  });
});
