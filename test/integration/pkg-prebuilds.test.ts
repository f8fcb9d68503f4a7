import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/binary/facts.js';
import { hostSystemLibraries } from '../../src/targets/libc.js';
import type { ProjectTree } from '../../src/model/package.js';
import type { CheckReport } from '../../src/model/reports.js';
import { resolveRuntimeBinaries } from '../../src/strategies/runtime.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { isBundled, nativePackagesOf } from '../../src/verify/plan.js';
import { analyzeTree } from '../helpers/analyze.js';
import { CLI, ensureBuilt } from '../helpers/build.js';
import { installRealProject } from '../helpers/real-project.js';
import { fakeHost } from '../helpers/targets.js';

/**
 * node-hid 3.4.0 from the registry, installed by the real npm: its install is
 * `pkg-prebuilds-verify ./binding-options.js || node-gyp rebuild`, its prebuilds
 * `prebuilds/HID-<platform>-<arch>[-musl]/node-napi-v4.node`, and on glibc Linux they NEED
 * libusb-1.0.so.0 (bench/truth/records/node-hid@3.4.0.json: the first call throws where it is not
 * installed). The real pkg-prebuilds (its verify bin and its resolver) is the oracle for the names.
 */
let project: string;
let pkgDir: string;
let tree: ProjectTree;
beforeAll(async () => {
  project = installRealProject(['node-hid@3.4.0', '@julusian/midi@3.8.1'], { label: 'pkg-prebuilds' });
  pkgDir = join(project, 'node_modules/node-hid');
  tree = await loadInstalledTree(project);
}, 20 * 60_000);

const hid = (r: CheckReport) => r.packages.find((p) => p.name === 'node-hid')!;
const at = (r: CheckReport, target: string) => hid(r).predictions.find((p) => p.target === target)!;

/** A glibc x64 host whose loader finds these libraries. */
const hostWith = (systemLibraries: string[]) =>
  fakeHost({
    systemLibraries: [
      'libc.so.6',
      'libm.so.6',
      'libpthread.so.0',
      'libstdc++.so.6',
      'libgcc_s.so.1',
      ...systemLibraries,
    ],
  });

/** The real `pkg-prebuilds-verify ./binding-options.js`, run in the package for another platform and arch. */
function realVerify(dir: string, platform: string, arch: string): number | null {
  const bin = join(project, 'node_modules/pkg-prebuilds/bin/verify.mjs');
  const env: Record<string, string | undefined> = {
    ...process.env,
    npm_config_platform: platform,
    npm_config_arch: arch,
  };
  delete env.npm_config_build_from_source;
  return spawnSync(process.execPath, [bin, './binding-options.js'], { cwd: dir, env }).status;
}

const ORACLE_TARGETS: Array<[string, string, string]> = [
  ['node22-linux-x64-glibc', 'linux', 'x64'],
  ['node22-linux-arm64-glibc', 'linux', 'arm64'],
  ['node22-linux-arm-glibc', 'linux', 'arm'],
  ['node22-darwin-arm64', 'darwin', 'arm64'],
  ['node22-win32-x64', 'win32', 'x64'],
  ['node22-linux-ppc64-glibc', 'linux', 'ppc64'],
];

/**
 * For each glibc or non-Linux target: whether native-guard's pick agrees with the real verify bin
 * run for that platform and arch (exit 0: the prebuild is kept; 1: the build runs). Disagreements.
 */
function oracleMismatches(t: ProjectTree, name: string, prebuildName: string): string[] {
  const r = analyzeTree(
    t,
    ORACLE_TARGETS.map(([target]) => target),
  );
  const pkg = r.packages.find((p) => p.name === name)!;
  const dir = join(project, 'node_modules', name);
  const out: string[] = [];
  for (const [target, platform, arch] of ORACLE_TARGETS) {
    const p = pkg.predictions.find((x) => x.target === target)!;
    const kept = realVerify(dir, platform, arch) === 0;
    const expected = kept ? `prebuilds/${prebuildName}-${platform}-${arch}/` : null;
    const got = p.strategy === 'pkg-prebuilds' ? (p.binary ?? '') : null;
    if (kept ? !got?.startsWith(expected!) : got !== null)
      out.push(`${target}: real ${expected ?? 'exit 1'}, predicted ${got ?? p.outcome}`);
    // a miss is pkg-prebuilds' lookup, then the build
    if (!kept && !p.evidence.some((e) => e.kind === 'pkg-prebuilds-lookup'))
      out.push(`${target}: no lookup evidence`);
  }
  return out;
}

describe('node-hid 3.4.0 (pkg-prebuilds)', () => {
  it('reads as pkg-prebuilds, then node-gyp rebuild; its install script is understood', () => {
    const r = analyzeTree(tree, ['host']);
    expect(hid(r).strategies).toEqual(['pkg-prebuilds', 'source-build']);
    expect(r.findings.map((f) => f.code)).not.toContain('INSTALL_SCRIPT_UNKNOWN');
  });

  it('the prebuild needs libusb-1.0.so.0: fails where the target lacks it, prebuilt where it has it', () => {
    const without = analyzeTree(tree, ['host'], { host: hostWith(['libudev.so.1']) });
    expect(at(without, 'host')).toMatchObject({
      outcome: 'fails',
      strategy: 'pkg-prebuilds',
      binary: 'prebuilds/HID-linux-x64/node-napi-v4.node',
    });
    const missing = without.findings.find(
      (f) => f.code === 'SHARED_LIBRARY_MISSING' && f.package === 'node-hid@3.4.0',
    );
    expect(missing?.evidence).toMatchObject({ libraries: ['libusb-1.0.so.0'], fallback: 'none' });

    const withLib = analyzeTree(tree, ['host'], { host: hostWith(['libusb-1.0.so.0', 'libudev.so.1']) });
    expect(at(withLib, 'host')).toMatchObject({ outcome: 'prebuilt', strategy: 'pkg-prebuilds' });
  });

  it("on this machine: fails exactly when its loader's libraries lack one the prebuild needs", () => {
    const systemLibraries = hostSystemLibraries(process.arch) ?? [];
    const host = fakeHost({ arch: process.arch, systemLibraries });
    const p = at(analyzeTree(tree, ['host'], { host }), 'host');
    const file = `prebuilds/HID-linux-${process.arch}/node-napi-v4.node`;
    expect(p.binary).toBe(file);
    const lacking = inspectFile(join(pkgDir, file)).needed.filter((n) => !systemLibraries.includes(n));
    // the truth record's machine (Debian 12 without libusb-1.0-0) is the `fails` case
    expect(p.outcome).toBe(lacking.length ? 'fails' : 'prebuilt');
  });

  it('picks the file the real verify bin accepts, and misses where it exits 1', () => {
    expect(oracleMismatches(tree, 'node-hid', 'HID')).toEqual([]);
  });

  it('Alpine gets the -musl folder', () => {
    const r = analyzeTree(tree, ['node:22-alpine']);
    expect(at(r, 'node:22-alpine').binary).toBe('prebuilds/HID-linux-x64-musl/node-napi-v4.node');
  });

  it('verify resolves the file the real pkg-prebuilds loader resolves here, and none of the prebuilds is stray', () => {
    const target = fakeHost({ arch: process.arch, platform: process.platform });
    const { natives } = nativePackagesOf(tree, {
      target,
      env: {},
      execPath: process.execPath,
      readFacts: inspectFile,
    });
    const native = natives.find((n) => n.native.pkg.name === 'node-hid')!;
    const [resolved] = resolveRuntimeBinaries(native.ctx);
    const bindings = createRequire(join(pkgDir, 'package.json'))('pkg-prebuilds/bindings') as {
      resolve(dir: string, options: unknown, verify: boolean, throwOnMissing: boolean): string | null;
    };
    const options = { name: 'HID', napi_versions: [4] };
    const real = bindings.resolve(pkgDir, options, false, false);
    expect(real).not.toBeNull();
    expect(resolved).toMatchObject({ kind: 'file', loader: 'pkg-prebuilds', path: real });

    const record = native.native.pkg;
    for (const dir of readdirSync(join(pkgDir, 'prebuilds'))) {
      const rel = `prebuilds/${dir}/node-napi-v4.node`;
      expect(isBundled(rel, record, new Set()), rel).toBe(true);
    }
  });

  it('verify loads the prebuild pkg-prebuilds resolves: whatever happens, it is not missing and none is stray', () => {
    ensureBuilt();
    const r = spawnSync(process.execPath, [CLI, 'verify', '--json'], { cwd: project, encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as {
      binaries: Array<{ package: string; file: string | null; loaded: boolean; resolvedBy: string }>;
      findings: Array<{ code: string }>;
    };
    const codes = report.findings.map((f) => f.code);
    expect(codes).not.toContain('BINARY_MISSING');
    expect(codes).not.toContain('STRAY_BINARY');
    expect(report.binaries.filter((b) => b.resolvedBy === 'stray')).toEqual([]);
    const own = report.binaries.filter((b) => b.package === 'node-hid@3.4.0');
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      resolvedBy: 'pkg-prebuilds',
      file: `node_modules/node-hid/prebuilds/HID-linux-${process.arch}/node-napi-v4.node`,
    });
    // it loads exactly where the libraries it needs are there (this machine's truth: libusb is not)
    const file = join(project, own[0]!.file!);
    const lacking = inspectFile(file).needed.filter(
      (n) => !(hostSystemLibraries(process.arch) ?? []).includes(n),
    );
    expect(own[0]!.loaded).toBe(lacking.length === 0);
    if (lacking.length) expect(codes).toContain('SHARED_LIBRARY_MISSING');
  });
});

describe('@julusian/midi 3.8.1 (pkg-prebuilds)', () => {
  it('the same names: the real verify bin is the oracle', () => {
    const r = analyzeTree(tree, ['host']);
    expect(r.packages.find((p) => p.name === '@julusian/midi')!.strategies).toEqual([
      'pkg-prebuilds',
      'source-build',
    ]);
    expect(oracleMismatches(tree, '@julusian/midi', 'midi')).toEqual([]);
  });
});

describe('pkg-prebuilds from the lockfile alone', () => {
  it('reads binding-options.js and the prebuilds from the tarballs: the same picks as the installed tree', () => {
    ensureBuilt();
    const specs = [
      'node22-linux-arm64-glibc',
      'node:22-alpine',
      'node22-darwin-arm64',
      'node22-linux-ppc64-glibc',
    ];
    const args = ['check', '--lockfile-only', '--json', ...specs.flatMap((t) => ['--target', t])];
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: project, encoding: 'utf8' });
    const fromLock = JSON.parse(r.stdout) as CheckReport;
    const installed = analyzeTree(tree, specs);
    for (const name of ['node-hid', '@julusian/midi']) {
      const pick = (rep: CheckReport) =>
        rep.packages
          .find((p) => p.name === name)!
          .predictions.map((p) => `${p.target} ${p.strategy} ${p.binary ?? '-'}`);
      expect(pick(fromLock), name).toEqual(pick(installed));
      expect(
        pick(fromLock).filter((x) => x.includes(' pkg-prebuilds prebuilds/')),
        name,
      ).toHaveLength(3);
    }
  });
});
