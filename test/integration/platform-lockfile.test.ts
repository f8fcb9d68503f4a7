// A real lockfile for rollup@4 and sharp@0.33, made by npm from the registry, then broken the
// ways lockfiles really break (npm/cli#4828: made on another platform; written by an npm that did
// not record libc).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';
import { currentHostEnvironment } from '../../src/targets/index.js';
import { loadNpmConfig } from '../../src/tree/npm-config.js';
import { pacoteFetcher } from '../../src/tree/registry.js';
import type { PackageFetcher } from '../../src/tree/registry.js';
import { lockfileOnlyProject } from '../helpers/lockfile-project.js';

const TODAY = '2026-11-25';
const MUSL = [
  '@rollup/rollup-linux-x64-musl',
  '@img/sharp-linuxmusl-x64',
  '@img/sharp-libvips-linuxmusl-x64',
];

type Lock = { packages: Record<string, Record<string, unknown>> };
let source: string;
const scratch = mkdtempSync(join(tmpdir(), 'ng-platform-lock-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A project folder holding the real package.json and a lockfile edited by `edit`. */
function variant(name: string, edit: (lock: Lock) => void): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(source, 'package.json'), join(dir, 'package.json'));
  const lock = JSON.parse(readFileSync(join(source, 'package-lock.json'), 'utf8')) as Lock;
  edit(lock);
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  return dir;
}

const dropEntries = (lock: Lock) => {
  for (const name of MUSL) delete lock.packages[`node_modules/${name}`];
};
const dropReferences = (lock: Lock) => {
  for (const entry of Object.values(lock.packages))
    for (const field of ['dependencies', 'optionalDependencies'])
      for (const name of MUSL) delete (entry[field] as Record<string, string> | undefined)?.[name];
};

const notInLockfile = (r: CheckReport) =>
  r.findings
    .filter((f) => f.code === 'PLATFORM_PACKAGE_NOT_IN_LOCKFILE')
    .map(
      (f) =>
        `${f.package!.replace(/@[^@]+$/, '')} ${f.target} ${f.code === 'PLATFORM_PACKAGE_NOT_IN_LOCKFILE' ? f.evidence.name : ''}`,
    )
    .sort();
const outcome = (r: CheckReport, name: string, target: string) =>
  r.packages.find((p) => p.name === name)?.predictions.find((p) => p.target === target);

async function npmFetcher(cwd: string): Promise<PackageFetcher> {
  const host = currentHostEnvironment();
  return pacoteFetcher(
    await loadNpmConfig({
      cwd,
      env: host.env,
      execPath: host.execPath,
      platform: host.platform,
      homedir: host.homedir,
    }),
  );
}

beforeAll(() => {
  source = lockfileOnlyProject(['rollup@4', 'sharp@0.33'], 'rollup-sharp');
}, 10 * 60_000);

describe('platform packages in a real rollup@4 + sharp@0.33 lockfile', () => {
  it('the intact lockfile has every platform entry: nothing to report on alpine or slim', async () => {
    const report = await check({
      cwd: source,
      targets: ['node:22-alpine', 'node:22-slim'],
      today: TODAY,
      lockfileOnly: true,
    });
    expect(notInLockfile(report)).toEqual([]);
    expect(outcome(report, 'rollup', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      fromPackage: expect.stringMatching(/^@rollup\/rollup-linux-x64-musl@4\./),
      binary: expect.stringMatching(/rollup\.linux-x64-musl\.node$/),
    });
    expect(outcome(report, 'sharp', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      fromPackage: '@img/sharp-linuxmusl-x64@0.33.5',
    });
  }, 300_000);

  it('entries removed (made on macOS, npm/cli#4828): PLATFORM_PACKAGE_NOT_IN_LOCKFILE on alpine; npm ci refuses it on slim too', async () => {
    const dir = variant('entries-removed', dropEntries);
    const alpine = await check({ cwd: dir, targets: ['node:22-alpine'], today: TODAY });
    expect(notInLockfile(alpine)).toEqual([
      'rollup node:22-alpine @rollup/rollup-linux-x64-musl',
      'sharp node:22-alpine @img/sharp-libvips-linuxmusl-x64',
      'sharp node:22-alpine @img/sharp-linuxmusl-x64',
    ]);
    expect(outcome(alpine, 'rollup', 'node:22-alpine')?.outcome).toBe('fails');
    expect(outcome(alpine, 'sharp', 'node:22-alpine')?.outcome).toBe('fails');
    const f = alpine.findings.find(
      (x) => x.code === 'PLATFORM_PACKAGE_NOT_IN_LOCKFILE' && x.package?.startsWith('rollup@'),
    );
    // the registry says what the missing package is: npm installs it on musl x64 only
    expect(f?.evidence).toMatchObject({
      os: ['linux'],
      cpu: ['x64'],
      libc: ['musl'],
      listedInLockfile: true,
    });
    expect(f?.severity).toBe('error');

    // the references stay, so `npm ci` stops with "Missing: … from lock file" on glibc as well
    // (the next test runs the real npm on this very lockfile): nothing installs on slim either
    const slim = await check({ cwd: dir, targets: ['node:22-slim'], today: TODAY });
    expect(notInLockfile(slim)).toEqual([]);
    expect(outcome(slim, 'rollup', 'node:22-slim')?.outcome).toBe('fails');
    expect(outcome(slim, 'sharp', 'node:22-slim')?.outcome).toBe('fails');
    expect(outcome(slim, 'rollup', 'node:22-slim')?.evidence[0]).toMatchObject({ kind: 'lockfile-refused' });
    expect(
      slim.findings.filter((x) => x.code === 'LOCKFILE_ENTRIES_MISSING').map((x) => x.package?.split('@')[0]),
    ).toEqual(['rollup', 'sharp']);
  }, 300_000);

  it('npm 11 itself refuses that lockfile in `npm ci` (why the finding says so), and accepts the intact one', () => {
    const dir = variant('npm-ci', dropEntries);
    let message = '';
    try {
      execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: dir,
        stdio: 'pipe',
      });
    } catch (err) {
      message = String((err as { stderr?: Buffer }).stderr ?? '');
    }
    expect(message).toMatch(/Missing: @rollup\/rollup-linux-x64-musl@.* from lock file/);
    const ok = variant('npm-ci-intact', () => {});
    execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: ok,
      stdio: 'pipe',
    });
  }, 300_000);

  it('entries and references removed: npm ci would install without them; the registry manifest still tells', async () => {
    const dir = variant('refs-removed', (lock) => {
      dropEntries(lock);
      dropReferences(lock);
    });
    const alpine = await check({ cwd: dir, targets: ['node:22-alpine'], today: TODAY });
    expect(notInLockfile(alpine)).toEqual([
      'rollup node:22-alpine @rollup/rollup-linux-x64-musl',
      'sharp node:22-alpine @img/sharp-libvips-linuxmusl-x64',
      'sharp node:22-alpine @img/sharp-linuxmusl-x64',
    ]);
    const f = alpine.findings.find(
      (x) => x.code === 'PLATFORM_PACKAGE_NOT_IN_LOCKFILE' && x.package?.startsWith('rollup@'),
    );
    expect(f?.evidence).toMatchObject({ listedInLockfile: false });
    const slim = await check({ cwd: dir, targets: ['node:22-slim'], today: TODAY });
    expect(notInLockfile(slim)).toEqual([]);
  }, 300_000);

  it('registry down for the missing manifest: MANIFEST_UNAVAILABLE, the name only as evidence, and npm ci still refuses', async () => {
    const dir = variant('registry-down', dropEntries);
    const inner = await npmFetcher(dir);
    const fetcher: PackageFetcher = {
      tarball: (request, handler) => inner.tarball(request, handler),
      manifest: () => Promise.reject(Object.assign(new Error('registry down'), { code: 'E503' })),
    };
    const alpine = await check({ cwd: dir, targets: ['node:22-alpine'], today: TODAY, fetcher });
    expect(notInLockfile(alpine)).toEqual([]);
    const rollup = outcome(alpine, 'rollup', 'node:22-alpine')!;
    // whatever the missing package is, the parent's entry lists it without an entry of its own
    expect(rollup.outcome).toBe('fails');
    expect(rollup.evidence).toContainEqual({
      kind: 'platform-package-name-hint',
      name: '@rollup/rollup-linux-x64-musl',
    });
    expect(
      alpine.findings
        .filter((x) => x.code === 'MANIFEST_UNAVAILABLE')
        .map((x) =>
          x.code === 'MANIFEST_UNAVAILABLE' ? `${x.evidence.name} ${x.evidence.role} ${x.evidence.code}` : '',
        )
        .sort(),
    ).toEqual([
      '@img/sharp-libvips-linuxmusl-x64 unlocked-platform-package E503',
      '@img/sharp-linuxmusl-x64 unlocked-platform-package E503',
      '@rollup/rollup-linux-x64-musl unlocked-platform-package E503',
    ]);
  }, 300_000);

  it('entries that lost their libc field: LOCKFILE_LIBC_MISSING, and alpine still gets the musl binary', async () => {
    const dir = variant('no-libc', (lock) => {
      for (const entry of Object.values(lock.packages)) delete entry.libc;
    });
    const report = await check({ cwd: dir, targets: ['node:22-alpine', 'node:22-slim'], today: TODAY });
    const lost = report.findings
      .filter((f) => f.code === 'LOCKFILE_LIBC_MISSING')
      .map((f) => (f.code === 'LOCKFILE_LIBC_MISSING' ? `${f.evidence.name} ${f.evidence.libc.join()}` : ''))
      .sort();
    expect(lost).toEqual([
      '@img/sharp-libvips-linux-x64 glibc',
      '@img/sharp-libvips-linuxmusl-x64 musl',
      '@img/sharp-linux-x64 glibc',
      '@img/sharp-linuxmusl-x64 musl',
      '@rollup/rollup-linux-x64-gnu glibc',
      '@rollup/rollup-linux-x64-musl musl',
    ]);
    expect(report.findings.find((f) => f.code === 'LOCKFILE_LIBC_MISSING')?.severity).toBe('warning');
    expect(outcome(report, 'rollup', 'node:22-alpine')).toMatchObject({
      outcome: 'prebuilt',
      fromPackage: expect.stringMatching(/^@rollup\/rollup-linux-x64-musl@/),
    });
    expect(outcome(report, 'sharp', 'node:22-slim')).toMatchObject({
      outcome: 'prebuilt',
      fromPackage: '@img/sharp-linux-x64@0.33.5',
    });
  }, 300_000);
});
