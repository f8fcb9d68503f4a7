import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { muslHarnessRunnable, muslLoads } from '../helpers/musl.js';
import { installRealProject, readJson } from '../helpers/real-project.js';
import { CLI } from '../helpers/build.js';

/**
 * `native-guard check` on real registry packages installed by the real npm. Every expectation is
 * derived from that package's own files (package.json, prebuilds/, package-lock.json), not from
 * native-guard's code.
 */

const TARGETS = ['host', 'node:22-alpine', 'node:22-slim', 'node20-linux-arm64-glibc'];

interface Report {
  targets: Array<{ id: string; libc: string | null; arch: string }>;
  packages: Array<{
    name: string;
    version: string;
    location: string;
    strategies: string[];
    predictions: Array<{
      target: string;
      outcome: string;
      binary?: string;
      fromPackage?: string;
      url?: string;
    }>;
  }>;
  findings: Array<{
    code: string;
    severity: string;
    package: string | null;
    target: string | null;
    evidence: Record<string, unknown>;
  }>;
}

let project: string;
let report: Report;
let lock: { packages: Record<string, { version?: string; os?: string[]; cpu?: string[]; libc?: string[] }> };

const pkgJson = (name: string) =>
  readJson<{
    version: string;
    scripts?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  }>(join(project, 'node_modules', name, 'package.json'));
const pkg = (name: string) => {
  const p = report.packages.find((x) => x.name === name);
  if (!p) throw new Error(`${name} not reported`);
  return p;
};
const prediction = (name: string, target: string) => pkg(name).predictions.find((p) => p.target === target)!;

beforeAll(() => {
  project = installRealProject(
    ['bufferutil@4', 'better-sqlite3@12', 'sharp@0.33', 'bcrypt@5', '@parcel/watcher@2', 'is-number@7'],
    { label: 'check-real' },
  );
  lock = readJson(join(project, 'package-lock.json'));
  const out = runCheck();
  report = JSON.parse(out) as Report;
}, 20 * 60_000);

/** The CLI as users run it; exit 1 is expected (slim and alpine cannot compile), its stdout is the report. */
function runCheck(): string {
  try {
    return execFileSync(process.execPath, [CLI, 'check', '--json', ...TARGETS.flatMap((t) => ['-t', t])], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, NATIVE_GUARD_TODAY: '2026-11-25' },
    });
  } catch (err) {
    const e = err as { status: number; stdout: string };
    if (e.status !== 1) throw err;
    return e.stdout;
  }
}

describe('check on real registry packages', () => {
  it('reports the native packages and not the pure-JS one', () => {
    const names = report.packages.map((p) => p.name).sort();
    expect(names).toEqual(['@parcel/watcher', 'bcrypt', 'better-sqlite3', 'bufferutil', 'sharp']);
    expect(existsSync(join(project, 'node_modules/is-number/package.json'))).toBe(true);
    expect(report.targets.map((t) => t.id)).toEqual(TARGETS);
  });

  it('bufferutil: node-gyp-build with bundled prebuilds, compiled where none matches', () => {
    const manifest = pkgJson('bufferutil');
    expect(manifest.scripts?.install).toBe('node-gyp-build');
    expect(pkg('bufferutil').strategies).toEqual(['node-gyp-build', 'source-build']);
    const tuples = readdirSync(join(project, 'node_modules/bufferutil/prebuilds'));
    expect(tuples).toContain('linux-x64');
    const file = readdirSync(join(project, 'node_modules/bufferutil/prebuilds/linux-x64')).find((f) =>
      f.endsWith('.node'),
    );
    for (const target of ['host', 'node:22-slim']) {
      expect(prediction('bufferutil', target)).toMatchObject({
        outcome: 'prebuilt',
        binary: `prebuilds/linux-x64/${file}`,
      });
    }
    // alpine: musl's own dynamic linker (test/helpers/musl.ts) says whether the glibc-built prebuild
    // loads there; if not, node-gyp-build's load test falls back to node-gyp, which alpine cannot run
    if (muslHarnessRunnable) {
      const verdict = muslLoads(join(project, 'node_modules/bufferutil/prebuilds/linux-x64', file!));
      expect(prediction('bufferutil', 'node:22-alpine').outcome).toBe(verdict.loads ? 'prebuilt' : 'fails');
    }
    // no linux-arm64 prebuild: the install script falls back to node-gyp; a tuple target says nothing about a toolchain
    expect(tuples).not.toContain('linux-arm64');
    expect(prediction('bufferutil', 'node20-linux-arm64-glibc').outcome).toBe('source-build');
  });

  it('better-sqlite3: prebuild-install download, then node-gyp; unknown offline, toolchain decides the severity', () => {
    const manifest = pkgJson('better-sqlite3');
    expect(manifest.scripts?.install).toMatch(/^prebuild-install \|\| node-gyp rebuild/);
    expect(pkg('better-sqlite3').strategies).toEqual(['prebuild-install', 'source-build']);
    for (const target of TARGETS) expect(prediction('better-sqlite3', target).outcome).toBe('unknown');
    const v = manifest.version;
    const hostUnverified = report.findings.find(
      (f) =>
        f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED' &&
        f.package === `better-sqlite3@${v}` &&
        f.target === 'host',
    );
    // prebuild-install's URL template: {name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz
    expect(hostUnverified?.evidence.url).toBe(
      `https://github.com/WiseLibs/better-sqlite3/releases/download/v${v}/better-sqlite3-v${v}-node-v${process.versions.modules}-linux-x64.tar.gz`,
    );
    const alpineUrl = report.findings.find(
      (f) =>
        f.code === 'PREBUILD_DOWNLOAD_UNVERIFIED' &&
        f.package === `better-sqlite3@${v}` &&
        f.target === 'node:22-alpine',
    )?.evidence.url;
    expect(alpineUrl).toMatch(/-node-v127-linuxmusl-x64\.tar\.gz$/);
    for (const target of ['node:22-alpine', 'node:22-slim']) {
      expect(report.findings).toContainEqual(
        expect.objectContaining({
          code: 'TOOLCHAIN_MISSING',
          package: `better-sqlite3@${v}`,
          target,
          severity: 'warning',
        }),
      );
    }
  });

  it('bcrypt: node-pre-gyp with --fallback-to-build', () => {
    expect(pkgJson('bcrypt').scripts?.install).toBe('node-pre-gyp install --fallback-to-build');
    expect(pkg('bcrypt').strategies).toEqual(['node-pre-gyp', 'source-build']);
    for (const target of TARGETS) expect(prediction('bcrypt', target).outcome).toBe('unknown');
  });

  it.each([
    ['sharp', '@img/sharp-'],
    ['@parcel/watcher', '@parcel/watcher-'],
  ])(
    '%s: the platform package each target needs, from the installed tree or the lockfile',
    (name, prefix) => {
      expect(pkg(name).strategies[0]).toBe('platform-packages');
      const optional = Object.keys(pkgJson(name).optionalDependencies ?? {});
      for (const target of report.targets) {
        const p = prediction(name, target.id);
        expect(p.outcome).toBe('prebuilt');
        // the package it names is an optional dependency whose lockfile os/cpu/libc fit the target
        const [pname] = p.fromPackage!.split(/@(?=[^@]*$)/);
        expect(pname!.startsWith(prefix)).toBe(true);
        expect(optional).toContain(pname);
        const entry = lock.packages[`node_modules/${pname}`]!;
        expect(entry.os).toContain('linux');
        expect(entry.cpu).toContain(target.arch);
        if (entry.libc) expect(entry.libc).toContain(target.libc);
      }
      // on this machine the binary is the one npm installed
      expect(prediction(name, 'host').binary).toMatch(/\.node$/);
    },
  );
});
