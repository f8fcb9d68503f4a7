// pkg-prebuilds (node-hid 3, @julusian/*) on hand-built records and in-memory files: the options
// file read as text, the names its verify bin and loader try, and how the install chain ends.
import { describe, expect, it } from 'vitest';
import type { BinaryFacts } from '../../src/model/binary.js';
import type { FileEntry, PackageFiles, PackageRecord } from '../../src/model/package.js';
import type { ChainLink, PredictContext } from '../../src/model/prediction.js';
import type { Target } from '../../src/model/target.js';
import { detectNative } from '../../src/strategies/detect.js';
import {
  parseOptionsText,
  pkgPrebuildsCandidates,
  predictPkgPrebuilds,
  readPkgPrebuildsOptions,
} from '../../src/strategies/pkg-prebuilds.js';
import { evaluateChain } from '../../src/strategies/predict.js';
import { scriptChain } from '../../src/strategies/script-chain.js';
import { fakeHost, noToolchain, targets } from '../helpers/targets.js';
import { predictContext } from '../helpers/predict-context.js';

const [glibc, musl, darwin, win] = targets([
  'node22-linux-x64-glibc',
  'node22-linux-x64-musl',
  'node22-darwin-arm64',
  'node22-win32-x64',
]) as [Target, Target, Target, Target];

/** node-hid 3.4.0's binding-options.js, byte for byte. */
const NODE_HID_OPTIONS = "module.exports = {\n    name: 'HID',\n    napi_versions: [4],\n}";

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
    readText: (f, max = Infinity) => {
      const v = files[f];
      return typeof v === 'string' && v.length <= max ? v : null;
    },
    facts: (f) => {
      const v = files[f];
      return v && typeof v === 'object' ? v : null;
    },
  };
}

/** An x64 glibc Node-API addon that NEEDs these libraries. */
const elf = (needed: string[]): BinaryFacts => ({
  format: 'elf',
  arch: 'x64',
  arches: ['x64'],
  platform: 'linux',
  libc: 'glibc',
  needed,
  glibcVersion: '2.17',
  glibcxxVersion: null,
  module: { kind: 'napi' },
  napiVersion: null,
  notes: [],
});

const INSTALL = 'pkg-prebuilds-verify ./binding-options.js || node-gyp rebuild';

function context(
  files: PackageFiles,
  target: Target,
  chain: ChainLink[],
  env: Record<string, string> = {},
): PredictContext {
  const pkg = {
    id: 'hid@1.0.0',
    name: 'hid',
    version: '1.0.0',
    location: 'node_modules/hid',
    manifest: { scripts: { install: INSTALL }, dependencies: {}, optionalDependencies: {} },
    dependencies: [],
  };
  return predictContext({
    native: { pkg: pkg as unknown as PackageRecord, chain, scripts: [{ event: 'install', text: INSTALL }] },
    files,
    target,
    env,
  });
}

/** The chain node-hid's install script reads as. */
const chainOf = (files: PackageFiles, text = INSTALL): ChainLink[] =>
  scriptChain(
    [{ event: 'install', text }],
    { files, scripts: { install: text }, binaryField: true, usesCmakeTs: false, nativeHint: true },
    false,
  ).links;

describe('pkg-prebuilds: the options file, read as text', () => {
  it("reads node-hid's literal: name and Node-API versions", () => {
    expect(parseOptionsText(NODE_HID_OPTIONS, false)).toEqual({ name: 'HID', napiVersions: ['4'] });
  });

  it('reads the spellings real packages use: double quotes, semicolons, comments, quoted keys, JSON', () => {
    // @julusian/jpeg-turbo 3.0.1
    expect(
      parseOptionsText('module.exports = {\n  name: "jpeg-turbo",\n  napi_versions: [10],\n};\n', false),
    ).toEqual({
      name: 'jpeg-turbo',
      napiVersions: ['10'],
    });
    const commented =
      "'use strict'\n// the prebuild's name\nmodule.exports = { /* x */ 'name': 'midi', \"napi_versions\": [3, 7] }";
    expect(parseOptionsText(commented, false)).toEqual({ name: 'midi', napiVersions: ['3', '7'] });
    expect(parseOptionsText('{"name":"midi","napi_versions":[7]}', true)).toEqual({
      name: 'midi',
      napiVersions: ['7'],
    });
  });

  it('anything computed is not read: variables, calls, spreads, templates, strings hiding comment marks', () => {
    for (const text of [
      "const name = 'HID'\nmodule.exports = { name, napi_versions: [4] }",
      "module.exports = { name: process.env.NAME || 'HID', napi_versions: [4] }",
      "module.exports = { name: require('./name'), napi_versions: [4] }",
      "module.exports = { ...require('./base'), name: 'HID' }",
      'module.exports = { name: `HID`, napi_versions: [4] }',
      "module.exports = { name: 'HID', napi_versions: [4].concat([8]) }",
      "module.exports = { name: 'a/*', napi_versions: [4], x: f(), y: '*/' }",
      "module.exports = { name: 'HID', napi_versions: [4] }; require('child_process')",
      "module.exports = { name: 'HID', name: 'Other', napi_versions: [4] }",
    ]) {
      expect(parseOptionsText(text, false), text).toBeNull();
    }
  });

  it('hostile shapes at the size bound are refused in linear time, not backtracked over', () => {
    const pad = ' '.repeat(60_000);
    const cases = [
      `module.exports = {}${pad}x`,
      `'use strict'${pad}x`,
      `module.exports = { name: 'a', napi_versions: [${'1,'.repeat(30_000)}x] }`,
      `module.exports = {${pad}}x`,
      '/*'.repeat(30_000),
    ];
    const started = Date.now();
    for (const text of cases) expect(parseOptionsText(text, false)).toBeNull();
    // about 40 ms here; quadratic backtracking over 60 kB would take minutes
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a name that would leave its folder is not read', () => {
    expect(parseOptionsText("module.exports = { name: '../x', napi_versions: [4] }", false)).toBeNull();
    expect(parseOptionsText("module.exports = { name: 'a/b', napi_versions: [4] }", false)).toBeNull();
    expect(parseOptionsText("module.exports = { name: '', napi_versions: [4] }", false)).toBeNull();
  });

  it('no napi_versions array: read, and marked as what pkg-prebuilds refuses', () => {
    expect(parseOptionsText("module.exports = { name: 'HID' }", false)).toEqual({
      name: 'HID',
      napiVersions: null,
    });
  });

  it('resolves the argument as require does, and never outside the package', () => {
    const files = memFiles({ 'binding-options.js': NODE_HID_OPTIONS });
    expect(readPkgPrebuildsOptions(files, './binding-options.js')).toMatchObject({
      ok: true,
      file: 'binding-options.js',
    });
    expect(readPkgPrebuildsOptions(files, 'binding-options')).toMatchObject({
      ok: true,
      file: 'binding-options.js',
    });
    expect(readPkgPrebuildsOptions(files, '../binding-options.js')).toMatchObject({
      ok: false,
      problem: 'options-unread',
    });
    expect(readPkgPrebuildsOptions(files, './other.js')).toMatchObject({
      ok: false,
      problem: 'options-missing',
    });
    // there, but past the bound (or not kept from a tarball): not read, rather than missing
    const big = memFiles({ 'binding-options.js': `${NODE_HID_OPTIONS}\n${' '.repeat(70 * 1024)}` });
    expect(readPkgPrebuildsOptions(big, './binding-options.js')).toMatchObject({
      ok: false,
      problem: 'options-unread',
    });
  });
});

describe('pkg-prebuilds: the files it tries', () => {
  const never = () => {
    throw new Error('a predicted target does not look at this machine');
  };

  it('<name>-<platform>-<arch>/node-napi-v<N>.node, in the order of napi_versions', () => {
    const options = { name: 'midi', napiVersions: ['3', '7'] };
    expect(pkgPrebuildsCandidates(options, glibc, never)).toEqual([
      'prebuilds/midi-linux-x64/node-napi-v3.node',
      'prebuilds/midi-linux-x64/node-napi-v7.node',
    ]);
    expect(pkgPrebuildsCandidates(options, darwin, never)[0]).toBe(
      'prebuilds/midi-darwin-arm64/node-napi-v3.node',
    );
    expect(pkgPrebuildsCandidates(options, win, never)[0]).toBe('prebuilds/midi-win32-x64/node-napi-v3.node');
  });

  it('-musl from the target libc, or on the host from /etc/alpine-release', () => {
    const options = { name: 'HID', napiVersions: ['4'] };
    expect(pkgPrebuildsCandidates(options, musl, never)).toEqual([
      'prebuilds/HID-linux-x64-musl/node-napi-v4.node',
    ]);
    expect(pkgPrebuildsCandidates(options, fakeHost(), () => true)).toEqual([
      'prebuilds/HID-linux-x64-musl/node-napi-v4.node',
    ]);
    expect(pkgPrebuildsCandidates(options, fakeHost(), () => false)).toEqual([
      'prebuilds/HID-linux-x64/node-napi-v4.node',
    ]);
  });
});

describe('pkg-prebuilds: one target', () => {
  const shipped = {
    'binding-options.js': NODE_HID_OPTIONS,
    'prebuilds/HID-linux-x64/node-napi-v4.node': elf(['libc.so.6']),
    'prebuilds/HID-darwin-arm64/node-napi-v4.node': elf([]),
  };

  it('the first candidate that exists is the binary', () => {
    const files = memFiles(shipped);
    const r = predictPkgPrebuilds(context(files, glibc, []), './binding-options.js', () => false);
    expect(r).toMatchObject({
      kind: 'binary',
      strategy: 'pkg-prebuilds',
      binary: 'prebuilds/HID-linux-x64/node-napi-v4.node',
    });
  });

  it('none for the target is a miss that lists what it tried and what there is', () => {
    const r = predictPkgPrebuilds(context(memFiles(shipped), musl, []), './binding-options.js', () => false);
    expect(r.kind).toBe('miss');
    expect(r.evidence).toContainEqual({
      kind: 'pkg-prebuilds-lookup',
      options: 'binding-options.js',
      name: 'HID',
      tried: ['prebuilds/HID-linux-x64-musl/node-napi-v4.node'],
      problem: null,
    });
    expect(r.evidence).toContainEqual({
      kind: 'prebuilds-none-for-target',
      available: ['HID-linux-x64', 'HID-darwin-arm64'],
    });
  });

  it('npm_config_build_from_source: the bin exits 1 without looking', () => {
    const ctx = context(memFiles(shipped), glibc, [], { npm_config_build_from_source: 'true' });
    expect(predictPkgPrebuilds(ctx, './binding-options.js', () => false)).toMatchObject({
      kind: 'miss',
      evidence: [{ kind: 'pkg-prebuilds-lookup', problem: 'build-from-source' }],
    });
  });

  it('options without napi_versions: pkg-prebuilds throws, a miss', () => {
    const files = memFiles({ ...shipped, 'binding-options.js': "module.exports = { name: 'HID' }" });
    expect(predictPkgPrebuilds(context(files, glibc, []), './binding-options.js', () => false)).toMatchObject(
      {
        kind: 'miss',
        evidence: [{ kind: 'pkg-prebuilds-lookup', problem: 'not-node-api' }],
      },
    );
  });

  it('an options file that is code: unknown', () => {
    const files = memFiles({ ...shipped, 'binding-options.js': "module.exports = require('./opts')" });
    expect(predictPkgPrebuilds(context(files, glibc, []), './binding-options.js', () => false)).toMatchObject(
      {
        kind: 'unknown',
        reason: 'options-unread',
      },
    );
  });
});

describe('pkg-prebuilds: the install chain', () => {
  it('`pkg-prebuilds-verify <file> || node-gyp rebuild` reads as the lookup, then the build', () => {
    expect(chainOf(memFiles({}))).toEqual([
      {
        strategy: 'pkg-prebuilds',
        options: './binding-options.js',
        script: { event: 'install', text: INSTALL },
      },
      { strategy: 'source-build', builder: 'node-gyp', script: { event: 'install', text: INSTALL } },
    ]);
    // @julusian/jpeg-turbo 3.0.1 builds with cmake-js instead
    const jpeg = 'pkg-prebuilds-verify ./binding-options.js || cmake-js compile --target jpeg-turbo';
    expect(
      chainOf(memFiles({}), jpeg).map(
        (l) => l.strategy + (l.strategy === 'source-build' ? `:${l.builder}` : ''),
      ),
    ).toEqual(['pkg-prebuilds', 'source-build:cmake-js']);
  });

  it('a prebuild there is kept whether or not it loads: a missing library fails, with no build after', () => {
    const files = memFiles({
      'binding-options.js': NODE_HID_OPTIONS,
      'prebuilds/HID-linux-x64/node-napi-v4.node': elf(['libusb-1.0.so.0', 'libc.so.6']),
    });
    const host = fakeHost({ systemLibraries: ['libc.so.6', 'libstdc++.so.6'] });
    const v = evaluateChain(context(files, host, chainOf(files)));
    expect(v.prediction).toMatchObject({ outcome: 'fails', strategy: 'pkg-prebuilds' });
    expect(v.findings).toContainEqual(
      expect.objectContaining({
        code: 'SHARED_LIBRARY_MISSING',
        severity: 'error',
        evidence: expect.objectContaining({ libraries: ['libusb-1.0.so.0'], fallback: 'none' }) as unknown,
      }),
    );
  });

  it('the same prebuild where the library is there: prebuilt', () => {
    const files = memFiles({
      'binding-options.js': NODE_HID_OPTIONS,
      'prebuilds/HID-linux-x64/node-napi-v4.node': elf(['libusb-1.0.so.0', 'libc.so.6']),
    });
    const host = fakeHost({ systemLibraries: ['libc.so.6', 'libusb-1.0.so.0'] });
    const v = evaluateChain(context(files, host, chainOf(files)));
    expect(v.prediction).toMatchObject({
      outcome: 'prebuilt',
      binary: 'prebuilds/HID-linux-x64/node-napi-v4.node',
    });
    expect(v.findings).toEqual([]);
  });

  it('no prebuild for the target: the build after `||` runs, and needs a toolchain', () => {
    const files = memFiles({
      'binding-options.js': NODE_HID_OPTIONS,
      'prebuilds/HID-darwin-arm64/node-napi-v4.node': elf([]),
    });
    expect(evaluateChain(context(files, fakeHost(), chainOf(files))).prediction.outcome).toBe('source-build');
    const bare = evaluateChain(context(files, fakeHost({ toolchain: noToolchain }), chainOf(files)));
    expect(bare.prediction.outcome).toBe('fails');
    expect(bare.findings.map((f) => f.code)).toContain('TOOLCHAIN_MISSING');
  });

  it('an options file that is code: unknown, with the finding that says what to read', () => {
    const files = memFiles({ 'binding-options.js': 'module.exports = makeOptions()' });
    const v = evaluateChain(context(files, fakeHost(), chainOf(files)));
    expect(v.prediction.outcome).toBe('unknown');
    expect(v.findings).toContainEqual(
      expect.objectContaining({
        code: 'PKG_PREBUILDS_OPTIONS_UNREAD',
        evidence: { file: 'binding-options.js', fallback: 'source-build' },
      }),
    );
  });

  it('no install script, a pkg-prebuilds dependency and prebuilds/: its loader picks at run time', () => {
    const files = memFiles({
      'binding-options.js': NODE_HID_OPTIONS,
      'prebuilds/HID-linux-x64/node-napi-v4.node': elf([]),
    });
    const manifest = { dependencies: { 'pkg-prebuilds': '^1.1.0' }, optionalDependencies: {}, scripts: {} };
    const pkg = {
      name: 'hid',
      version: '1.0.0',
      manifest,
      rootEntries: ['binding-options.js', 'prebuilds/', 'package.json'],
    };
    const native = detectNative(pkg as unknown as PackageRecord, {
      files,
      resolvePlatformCandidate: (name, spec) => ({ source: 'missing', name, spec }),
    });
    expect(native?.chain).toEqual([
      { strategy: 'pkg-prebuilds', options: 'binding-options.js', script: null },
    ]);
  });
});
