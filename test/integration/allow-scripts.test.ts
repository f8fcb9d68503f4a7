// npm 11's allowScripts policy, on real packages: which native packages need their install
// script, what the policy does with it, and what npm itself then installs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import { checkCommand } from '../../src/commands/check.js';
import { lockfileOnlyProject } from '../helpers/lockfile-project.js';

const TODAY = '2026-11-25';
const POLICY = { allowScripts: { 'better-sqlite3': false, bufferutil: false } };
let denied: string;
const scratch = mkdtempSync(join(tmpdir(), 'ng-allow-scripts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a lockfile project, with package.json edited and the lockfile's resolved URLs dropped (omit-lockfile-registry-resolved). */
function copyProject(
  from: string,
  name: string,
  edit: (pkg: Record<string, unknown>) => void = () => {},
): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as Record<string, unknown>;
  edit(pkg);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const lock = JSON.parse(readFileSync(join(from, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, Record<string, unknown>>;
  };
  for (const entry of Object.values(lock.packages)) delete entry.resolved;
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  return dir;
}

const npm = (cwd: string, args: string[]) =>
  spawnSync('npm', [...args, '--no-audit', '--no-fund', '--foreground-scripts'], {
    cwd,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });

beforeAll(() => {
  denied = lockfileOnlyProject(['better-sqlite3@12', 'bufferutil@4'], 'allow-scripts', POLICY);
}, 10 * 60_000);

describe('install-script policy (npm allowScripts)', () => {
  it('better-sqlite3 denied and needed: an error and `fails`; bufferutil denied but not needed on linux-x64', async () => {
    const report = await check({ cwd: denied, targets: ['node22-linux-x64-glibc'], today: TODAY });
    const sqlite = report.findings.filter((f) => f.package?.startsWith('better-sqlite3@'));
    const bufferutil = report.findings.filter((f) => f.package?.startsWith('bufferutil@'));
    expect(sqlite.find((f) => f.code === 'INSTALL_SCRIPT_DENIED')).toMatchObject({
      severity: 'error',
      evidence: {
        tool: 'npm',
        verdict: 'denied',
        needed: 'yes',
        policySource: 'package.json',
        targets: ['node22-linux-x64-glibc'],
      },
    });
    expect(report.packages.find((p) => p.name === 'better-sqlite3')?.predictions[0]).toMatchObject({
      outcome: 'fails',
      installScript: { needed: 'yes', tool: 'npm', verdict: 'denied' },
    });
    expect(bufferutil.map((f) => f.code)).toEqual(['INSTALL_SCRIPT_NOT_NEEDED']);
    expect(bufferutil[0]).toMatchObject({
      severity: 'info',
      evidence: { verdict: 'denied', strategies: ['node-gyp-build'] },
    });
    expect(report.packages.find((p) => p.name === 'bufferutil')?.predictions[0]).toMatchObject({
      outcome: 'prebuilt',
      installScript: { needed: 'no', verdict: 'denied' },
    });
    expect(report.scriptPolicy?.allowScripts).toEqual({ 'better-sqlite3': true });
  }, 300_000);

  it('--suggest-allow-scripts prints only the smallest block, as JSON', async () => {
    const io = { isTTY: false, env: { ...process.env, NATIVE_GUARD_TODAY: TODAY }, cwd: denied };
    const host = await checkCommand.run(['--suggest-allow-scripts', '-t', 'node22-linux-x64-glibc'], io);
    expect(host.exitCode).toBe(0);
    expect(JSON.parse(host.stdout)).toEqual({ allowScripts: { 'better-sqlite3': true } });
    // musl loads bufferutil's glibc prebuild (it needs nothing glibc-specific), so alpine adds nothing;
    // linux-arm64 has no prebuild: there its install script compiles one
    const alpine = await checkCommand.run(
      ['--suggest-allow-scripts', '-t', 'node22-linux-x64-glibc,node:22-alpine'],
      io,
    );
    expect(JSON.parse(alpine.stdout)).toEqual({ allowScripts: { 'better-sqlite3': true } });
    const both = await checkCommand.run(
      ['--suggest-allow-scripts', '-t', 'node22-linux-x64-glibc,node22-linux-arm64-glibc'],
      io,
    );
    expect(JSON.parse(both.stdout)).toEqual({ allowScripts: { 'better-sqlite3': true, bufferutil: true } });
  }, 300_000);

  it('npm really skips denied scripts: better-sqlite3 then cannot load, bufferutil loads its prebuild', () => {
    const dir = copyProject(denied, 'denied-ci');
    const ci = npm(dir, ['ci']);
    expect(ci.status).toBe(0);
    expect(ci.stdout).not.toMatch(/> (better-sqlite3|bufferutil)@.* install/);
    const load = (code: string) => spawnSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8' });
    const sqlite = load("require('better-sqlite3')(':memory:')");
    expect(sqlite.status).not.toBe(0);
    expect(sqlite.stderr).toMatch(/Could not locate the bindings file/);
    expect(load("require('bufferutil')").status).toBe(0);
  }, 600_000);

  it('unreviewed scripts run with a warning; a pinned allow is unverifiable without resolved URLs; strict fails', async () => {
    const only = lockfileOnlyProject(['bufferutil@4'], 'allow-scripts-bufferutil');
    const version = (
      JSON.parse(readFileSync(join(only, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { version: string }>;
      }
    ).packages['node_modules/bufferutil']!.version;
    const pinned = copyProject(only, 'pinned', (pkg) => {
      pkg.allowScripts = { [`bufferutil@${version}`]: true };
    });
    const ci = npm(pinned, ['ci']);
    expect(ci.status).toBe(0);
    expect(ci.stdout).toMatch(/> bufferutil@.* install/);
    expect(ci.stderr).toMatch(/not yet covered by allowScripts/);
    // native-guard's verdict is npm's: Arborist's matcher on the same lockfile
    const report = await check({
      cwd: pinned,
      // no linux-arm64 prebuild: the install script is what builds the binary there
      targets: ['node22-linux-arm64-glibc'],
      today: TODAY,
      lockfileOnly: true,
    });
    expect(report.packages[0]?.predictions[0]?.installScript).toMatchObject({
      verdict: 'unreviewed',
      needed: 'yes',
    });
    expect(report.findings.find((f) => f.code === 'INSTALL_SCRIPT_DENIED')?.severity).toBe('warning');

    const strict = npm(pinned, ['ci', '--strict-allow-scripts']);
    expect(strict.status).not.toBe(0);
    expect(strict.stderr).toMatch(/ESTRICTALLOWSCRIPTS/);
    writeFileSync(join(pinned, '.npmrc'), 'strict-allow-scripts=true\n');
    const strictReport = await check({
      cwd: pinned,
      targets: ['node22-linux-arm64-glibc'],
      today: TODAY,
      lockfileOnly: true,
    });
    expect(strictReport.findings.find((f) => f.code === 'INSTALL_SCRIPT_DENIED')).toMatchObject({
      severity: 'error',
      evidence: { verdict: 'unreviewed-strict' },
    });
  }, 600_000);

  it('.npmrc allow-scripts counts when package.json has no allowScripts; ignore-scripts blocks all', async () => {
    const dir = copyProject(denied, 'npmrc', (pkg) => {
      delete pkg.allowScripts;
    });
    writeFileSync(join(dir, '.npmrc'), 'allow-scripts=better-sqlite3\n');
    const report = await check({ cwd: dir, targets: ['node22-linux-x64-glibc'], today: TODAY });
    expect(report.packages.find((p) => p.name === 'better-sqlite3')?.predictions[0]?.installScript).toEqual({
      needed: 'yes',
      tool: 'npm',
      verdict: 'allowed',
    });
    expect(report.findings.filter((f) => f.code === 'INSTALL_SCRIPT_DENIED')).toEqual([]);
    writeFileSync(join(dir, '.npmrc'), 'ignore-scripts=true\n');
    const ignored = await check({ cwd: dir, targets: ['node22-linux-x64-glibc'], today: TODAY });
    expect(ignored.findings.find((f) => f.code === 'INSTALL_SCRIPT_DENIED')).toMatchObject({
      severity: 'error',
      package: expect.stringMatching(/^better-sqlite3@/),
      evidence: { verdict: 'ignored' },
    });
    // the real npm: ignore-scripts leaves better-sqlite3 without a binary too
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' });
    const load = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:')"], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(load.stderr).toMatch(/Could not locate the bindings file/);
  }, 600_000);
});
