// `check --lockfile-only` on the lockfiles pnpm, Yarn 1, Yarn 4 and Bun really wrote for the same
// project (fixtures/lockfiles, see its README): the same native packages and the same outcomes per
// target as npm's own lockfile for the same versions, read from the real registry (npm's cache first).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';
import { lockfileOnlyProject } from '../helpers/lockfile-project.js';
import { LOCKFILES } from './fixtures.js';

const TODAY = '2026-12-06';
const TARGETS = ['node20-linux-x64-glibc', 'node20-linux-x64-musl', 'node20-linux-arm64-glibc'];
const SAME = ['@parcel/watcher', 'bufferutil', 'esbuild', 'sharp'];
const BIN = join(import.meta.dirname, '../../dist/bin.js');

const scratch = mkdtempSync(join(tmpdir(), 'ng-pm-lock-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The fixture's lockfile (and Yarn config) with its package.json, without the research probe scripts. */
function project(fixture: string, files: string[]): string {
  const dir = join(scratch, fixture.replace('/', '-'));
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(LOCKFILES, fixture, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  delete manifest.scripts;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const f of files) copyFileSync(join(LOCKFILES, fixture, f), join(dir, f));
  return dir;
}

/** name → target → outcome and the package the binary comes from. */
function outcomes(report: CheckReport, names: string[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const name of names) {
    const pkg = report.packages.find((p) => p.name === name);
    out[name] = Object.fromEntries(
      (pkg?.predictions ?? []).map((p) => [
        p.target,
        `${p.outcome}${'fromPackage' in p && p.fromPackage ? ` from ${p.fromPackage}` : ''}`,
      ]),
    );
  }
  return out;
}

let npmReport: CheckReport;
beforeAll(async () => {
  const dir = lockfileOnlyProject(
    ['better-sqlite3@12.11.1', 'sharp@0.35.6', 'bufferutil@4.1.0', '@parcel/watcher@2.6.0', 'esbuild@0.28.2'],
    'pm-lock-npm',
  );
  npmReport = await check({ cwd: dir, targets: TARGETS, today: TODAY, lockfileOnly: true });
}, 10 * 60_000);

/**
 * Where the manager's own script policy changes the answer: pnpm 10+ runs no unlisted build; Yarn
 * 4.18 (enableScripts false) builds only what dependenciesMeta marks built (better-sqlite3, esbuild).
 */
const POLICY: Record<string, Record<string, Record<string, string>>> = {
  'pnpm/v9-single': { bufferutil: { 'node20-linux-arm64-glibc': 'fails' } },
  'yarn-berry/nm-single': { bufferutil: { 'node20-linux-arm64-glibc': 'fails' } },
};

// Builds the manager's node-gyp cannot run: Bun runs `bun x node-gyp` (node-gyp 13), which crashes
// on Node 20 when it downloads Node's headers (test/e2e/manager-node-gyp.test.ts measures it)
const NODE_GYP: Record<string, Record<string, Record<string, string>>> = {
  'bun/single': { bufferutil: { 'node20-linux-arm64-glibc': 'fails' } },
};

const CASES: Array<[string, string, string[]]> = [
  ['pnpm 10 (pnpm-lock.yaml v9)', 'pnpm/v9-single', ['pnpm-lock.yaml']],
  ['Yarn 1 (yarn.lock v1)', 'yarn-classic/single', ['yarn.lock']],
  ['Yarn 4 (yarn.lock, Berry)', 'yarn-berry/nm-single', ['yarn.lock']],
  ['Bun (bun.lock)', 'bun/single', ['bun.lock']],
];

describe('check --lockfile-only with the lockfiles of pnpm, Yarn and Bun', () => {
  it('npm baseline: the four registry native packages get an answer on every target', () => {
    const names = npmReport.packages.map((p) => p.name).sort();
    expect(names).toEqual(['@parcel/watcher', 'better-sqlite3', 'bufferutil', 'esbuild', 'sharp']);
    expect(outcomes(npmReport, ['sharp']).sharp!['node20-linux-x64-musl']).toBe(
      'prebuilt from @img/sharp-linuxmusl-x64@0.35.6',
    );
  });

  for (const [label, fixture, files] of CASES) {
    it(`${label}: the same native packages and outcomes as npm's lockfile`, async () => {
      const dir = project(fixture, files);
      const report = await check({ cwd: dir, targets: TARGETS, today: TODAY, lockfileOnly: true });
      const names = report.packages.map((p) => p.name).sort();
      // envprobe is the project's local tarball (file:): in the lockfile, never fetched or run
      expect(names).toEqual([
        '@parcel/watcher',
        'better-sqlite3',
        'bufferutil',
        'envprobe',
        'esbuild',
        'sharp',
      ]);
      const expected = outcomes(npmReport, SAME);
      for (const [name, byTarget] of Object.entries(POLICY[fixture] ?? {})) {
        for (const [target, outcome] of Object.entries(byTarget)) {
          // npm builds it from source there; the manager's policy blocks that build
          expect(expected[name]![target]).toBe('source-build');
          expect(
            report.findings.some(
              (f) =>
                f.code === 'INSTALL_SCRIPT_DENIED' &&
                f.package?.startsWith(`${name}@`) &&
                (f.evidence as { targets?: string[] }).targets?.includes(target),
            ),
          ).toBe(true);
          expected[name]![target] = outcome;
        }
      }
      for (const [name, byTarget] of Object.entries(NODE_GYP[fixture] ?? {})) {
        for (const [target, outcome] of Object.entries(byTarget)) {
          expect(expected[name]![target]).toBe('source-build');
          expect(
            report.findings.some(
              (f) =>
                f.code === 'NODE_GYP_UNSUPPORTED_NODE' &&
                f.package?.startsWith(`${name}@`) &&
                f.target === target,
            ),
          ).toBe(true);
          expected[name]![target] = outcome;
        }
      }
      expect(outcomes(report, SAME)).toEqual(expected);
      const envprobe = report.findings.filter((f) => f.code === 'MANIFEST_UNAVAILABLE');
      expect(
        envprobe.map((f) => [f.package?.replace(/@[^@]*$/, ''), (f.evidence as { code: string }).code]),
      ).toEqual([['envprobe', 'ENOTREGISTRY']]);
      // npm's lockfile faults are not said of another manager's lockfile
      expect(report.findings.filter((f) => f.code === 'LOCKFILE_LIBC_MISSING')).toEqual([]);
    }, 600_000);
  }

  it('bun.lockb: one line asking for a text lockfile, exit 2', () => {
    const dir = project('bun/lockb', ['bun.lockb']);
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [BIN, 'check', '--lockfile-only', '--target', TARGETS[0]!], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringContaining('save a text lockfile: bun install --save-text-lockfile'),
    ]);
  });
});

/** A workspace fixture: the lockfile, the root and member package.json files (probe scripts dropped). */
function workspaceProject(fixture: string, files: string[]): string {
  const dir = project(fixture, files);
  for (const member of ['packages/a', 'packages/b']) {
    mkdirSync(join(dir, member), { recursive: true });
    copyFileSync(join(LOCKFILES, fixture, member, 'package.json'), join(dir, member, 'package.json'));
  }
  return dir;
}

const WORKSPACES: Array<[string, string, string[]]> = [
  ['pnpm 12 (importers)', 'pnpm/v9-workspace', ['pnpm-lock.yaml', 'pnpm-workspace.yaml']],
  ['Yarn 1 (members read from package.json workspaces)', 'yarn-classic/workspace', ['yarn.lock']],
  ['Yarn 4 PnP', 'yarn-berry/pnp-workspace', ['yarn.lock']],
  ['Bun', 'bun/workspace', ['bun.lock']],
];

describe('check --lockfile-only on a 2-member workspace of each manager', () => {
  for (const [label, fixture, files] of WORKSPACES) {
    it(`${label}: the members' native packages, with the musl platform packages`, async () => {
      const dir = workspaceProject(fixture, files);
      const report = await check({ cwd: dir, targets: TARGETS, today: TODAY, lockfileOnly: true });
      expect(report.packages.map((p) => p.name).sort()).toEqual([
        'better-sqlite3',
        'envprobe',
        'esbuild',
        'sharp',
      ]);
      const got = outcomes(report, ['sharp', 'esbuild']);
      expect(got.sharp!['node20-linux-x64-musl']).toBe('prebuilt from @img/sharp-linuxmusl-x64@0.35.6');
      expect(got.esbuild).toEqual(outcomes(npmReport, ['esbuild']).esbuild);
    }, 600_000);
  }
});
