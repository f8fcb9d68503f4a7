import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installRealProject, readJson } from '../helpers/real-project.js';
import { CLI } from '../helpers/build.js';

/**
 * Conventions beyond the ones the check issue names, on real registry packages installed by the
 * real npm: zeromq 6 ships its builds under build/<os>/<arch>/ and picks one at run time through
 * cmake-ts's build/manifest.json; lmdb (node-gyp-build-optional-packages) keeps every libc and ABI
 * variant in its platform package; sodium-native 4 resolves through require-addon;
 * @sentry-internal/node-cpu-profiler and oracledb name one binary per platform and pick by name.
 * Expectations come from the packages' own files and code, and from what Node really loads.
 */

let project: string;
beforeAll(() => {
  project = installRealProject(
    [
      'zeromq@6.8.0',
      'lmdb@3.5.6',
      'sodium-native@4.3.3',
      '@sentry-internal/node-cpu-profiler@2.4.1',
      'oracledb@6.10.0',
    ],
    { label: 'conventions' },
  );
}, 20 * 60_000);

interface Prediction {
  target: string;
  outcome: string;
  strategy: string | null;
  binary?: string;
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NATIVE_GUARD_TODAY: '2026-11-25' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What `build/manifest.json` lists for an os/arch/libc, highest ABI first (cmake-ts's loader order). */
function manifestEntries(os: string, arch: string, libc: string): string[] {
  const manifest = readJson<Record<string, string>>(join(project, 'node_modules/zeromq/build/manifest.json'));
  return Object.entries(manifest)
    .map(([key, file]) => ({ cfg: JSON.parse(key) as Record<string, unknown>, file }))
    .filter(({ cfg }) => cfg.os === os && cfg.arch === arch && cfg.libc === libc)
    .sort((a, b) => Number(b.cfg.abi ?? 0) - Number(a.cfg.abi ?? 0))
    .map(({ file }) => `build/${file}`);
}

interface CheckReport {
  targets: Array<{ id: string; abi: string }>;
  packages: Array<{ name: string; strategies: string[]; predictions: Prediction[] }>;
  findings: Array<{
    code: string;
    severity: string;
    package: string | null;
    target: string | null;
    fix: string;
  }>;
}

/** `check --json` on the project for these targets (exit 1 is fine: its stdout is the report). */
function checkJson(targets: string[], flags: string[] = []): CheckReport {
  const r = cli(['check', '--json', ...flags, ...targets.flatMap((t) => ['-t', t])]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as CheckReport;
}

/** The `.node` files Node really loads when the app requires the package. */
function loadedAddons(name: string): string[] {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.endsWith('.node'))))`,
    ],
    { cwd: project, encoding: 'utf8' },
  );
  return JSON.parse(out) as string[];
}

const TARGETS = ['host', 'node:22-alpine', 'node22-linux-arm64-glibc'];

describe('zeromq 6 (cmake-ts manifest)', () => {
  let zeromq: { strategies: string[]; predictions: Prediction[] };
  beforeAll(() => {
    zeromq = checkJson(TARGETS).packages.find((p) => p.name === 'zeromq')!;
  });

  it('is prebuilt on every target the manifest covers, not a failed install', () => {
    expect(zeromq.strategies[0]).toBe('shipped-binary');
    for (const p of zeromq.predictions) expect(p, p.target).toMatchObject({ outcome: 'prebuilt' });
  });

  it('predicts on the host the very file Node loads when the app requires zeromq', () => {
    const files = loadedAddons('zeromq');
    expect(files).toHaveLength(1);
    const host = zeromq.predictions.find((p) => p.target === 'host')!;
    expect(join(project, 'node_modules/zeromq', host.binary!)).toBe(files[0]);
  });

  it('on alpine picks the musl build the manifest lists (the loader checks /etc/alpine-release)', () => {
    const alpine = zeromq.predictions.find((p) => p.target === 'node:22-alpine')!;
    const musl = manifestEntries('linux', 'x64', 'musl');
    expect(musl.length).toBeGreaterThan(0);
    expect(musl).toContain(alpine.binary);
    const arm = zeromq.predictions.find((p) => p.target === 'node22-linux-arm64-glibc')!;
    expect(manifestEntries('linux', 'arm64', 'glibc')).toContain(arm.binary);
  });

  it('lockfile mode predicts the same, from the tarball (manifest and build facts read from it)', () => {
    const report = checkJson(TARGETS, ['--lockfile-only']);
    const fromLock = report.packages.find((p) => p.name === 'zeromq')!;
    const pick = (ps: Prediction[]) => ps.map((p) => [p.target, p.outcome, p.binary]);
    expect(fromLock.strategies).toEqual(zeromq.strategies);
    expect(pick(fromLock.predictions)).toEqual(pick(zeromq.predictions));
  });
});

/**
 * The paths bare-addon-resolve (require-addon's resolver, the real package in the project) tries for
 * sodium-native's own folder on a `host`, with whether each exists.
 */
function addonResolution(host: string): Array<[string, boolean]> {
  const script = `
    const resolve = require('bare-addon-resolve');
    const url = require('url'), fs = require('fs');
    const parent = url.pathToFileURL(require.resolve('sodium-native'));
    const out = [];
    const read = (u) => { try { return JSON.parse(fs.readFileSync(u, 'utf8')); } catch { return null; } };
    for (const r of resolve('.', parent, { host: ${JSON.stringify(host)}, conditions: ['addon', 'node'], extensions: ['.node'] }, read))
      if (r.protocol === 'file:') out.push([url.fileURLToPath(r), fs.existsSync(r)]);
    console.log(JSON.stringify(out));`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' });
  const own = join(project, 'node_modules/sodium-native') + '/';
  return (JSON.parse(out) as Array<[string, boolean]>)
    .filter(([f]) => f.startsWith(own))
    .map(([f, e]) => [f.slice(own.length), e]);
}

describe('sodium-native 4 (require-addon)', () => {
  let sodium: { strategies: string[]; predictions: Prediction[] };
  let findings: CheckReport['findings'];
  beforeAll(() => {
    const report = checkJson(['host', 'node:22-alpine', 'node22-darwin-arm64']);
    sodium = report.packages.find((p) => p.name === 'sodium-native')!;
    findings = report.findings.filter((f) => f.package?.startsWith('sodium-native@'));
  });

  it('is found as native although it has no install script', () => {
    expect(sodium.strategies).toEqual(['shipped-binary']);
  });

  it('on the host and on macOS picks the file the real resolver finds', () => {
    for (const [target, host] of [
      ['host', 'linux-x64'],
      ['node22-darwin-arm64', 'darwin-arm64'],
    ] as const) {
      const found = addonResolution(host).find(([, exists]) => exists)?.[0];
      expect(found, host).toBeDefined();
      expect(sodium.predictions.find((p) => p.target === target)).toMatchObject({
        outcome: 'prebuilt',
        binary: found,
      });
    }
    const host = sodium.predictions.find((p) => p.target === 'host')!;
    expect(loadedAddons('sodium-native')).toEqual([
      join(project, 'node_modules/sodium-native', host.binary!),
    ]);
  });

  it('fails on Alpine, where the resolver looks only in linux-x64-musl, which the package lacks', () => {
    const musl = addonResolution('linux-x64-musl');
    expect(musl.length).toBeGreaterThan(0);
    expect(musl.filter(([, exists]) => exists)).toEqual([]);
    expect(sodium.predictions.find((p) => p.target === 'node:22-alpine')).toMatchObject({ outcome: 'fails' });
    expect(findings).toContainEqual(
      expect.objectContaining({
        code: 'NO_PREBUILD_FOR_TARGET',
        severity: 'error',
        target: 'node:22-alpine',
        // the fix names what works: a glibc image, or a release with a musl build
        fix: expect.stringMatching(/glibc-based image.*prebuilds\/linux-x64\/.*prebuilds\/linux-x64-musl\//),
      }),
    );
  });
});

describe('binaries named per platform (@sentry-internal/node-cpu-profiler, oracledb)', () => {
  const SENTRY = '@sentry-internal/node-cpu-profiler';
  let report: CheckReport;
  const pred = (name: string, target: string) =>
    report.packages.find((p) => p.name === name)!.predictions.find((p) => p.target === target)!;
  beforeAll(() => {
    report = checkJson(['host', 'node:22-alpine', 'node22-darwin-arm64', 'node22-linux-ppc64-glibc']);
  });

  it("predicts on the host the file the profiler's own code loads", () => {
    expect(report.packages.find((p) => p.name === SENTRY)!.strategies[0]).toBe('shipped-binary');
    const host = pred(SENTRY, 'host');
    expect(host.outcome).toBe('prebuilt');
    expect(loadedAddons(SENTRY)).toEqual([join(project, 'node_modules', SENTRY, host.binary!)]);
  });

  it('on Alpine picks its musl file for the target ABI, on macOS its darwin one', () => {
    const abi = (id: string) => report.targets.find((t) => t.id === id)!.abi;
    expect(pred(SENTRY, 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      binary: `lib/sentry_cpu_profiler-linux-x64-musl-${abi('node:22-alpine')}.node`,
    });
    expect(pred(SENTRY, 'node22-darwin-arm64').binary).toBe(
      `lib/sentry_cpu_profiler-darwin-arm64-${abi('node22-darwin-arm64')}.node`,
    );
    // no ppc64 file: its install script would compile, so the answer is unknown, not a failure
    expect(pred(SENTRY, 'node22-linux-ppc64-glibc').outcome).toBe('unknown');
  });

  it("finds oracledb's Thick-mode binaries by name although nothing else hints at them", () => {
    const version = readJson<{ version: string }>(
      join(project, 'node_modules/oracledb/package.json'),
    ).version;
    expect(pred('oracledb', 'host')).toMatchObject({
      outcome: 'prebuilt',
      binary: `build/Release/oracledb-${version}-linux-x64.node`,
    });
    expect(pred('oracledb', 'node22-darwin-arm64').binary).toBe(
      `build/Release/oracledb-${version}-darwin-arm64.node`,
    );
    // neither package is wrong anywhere: at worst (ppc64) its install script decides
    const errors = report.findings.filter(
      (f) =>
        f.severity === 'error' && /^(?:oracledb|@sentry-internal\/node-cpu-profiler)@/.test(f.package ?? ''),
    );
    expect(errors).toEqual([]);
  });
});

describe('verify on every package here', () => {
  it('loads what the packages load and calls none of their shipped variants stray', () => {
    const r = cli(['verify', '--json']);
    const report = JSON.parse(r.stdout) as {
      binaries: Array<{ package: string; file: string | null; loaded: boolean; resolvedBy: string }>;
      findings: Array<{ code: string; location: string | null }>;
    };
    expect(report.findings.map((f) => `${f.code} ${f.location}`)).toEqual([]);
    expect(r.status).toBe(0);
    const zeromq = report.binaries.filter((b) => b.package.startsWith('zeromq@'));
    expect(zeromq).toHaveLength(1);
    expect(zeromq[0]!.loaded).toBe(true);
    expect(zeromq[0]!.file).toMatch(
      /^node_modules\/zeromq\/build\/linux\/x64\/node\/glibc-\d+-Release\/addon\.node$/,
    );
    expect(report.binaries.find((b) => b.package.startsWith('sodium-native@'))).toMatchObject({
      loaded: true,
      file: expect.stringMatching(/^node_modules\/sodium-native\/prebuilds\/linux-x64\//),
    });
    const lmdb = report.binaries.find((b) => b.package.startsWith('lmdb@'))!;
    expect(lmdb).toMatchObject({ loaded: true, resolvedBy: 'node-gyp-build' });
    // lmdb's platform package ships musl and other-ABI builds beside the one this Node loads
    expect(report.binaries.filter((b) => b.resolvedBy === 'stray')).toEqual([]);
  });
});
