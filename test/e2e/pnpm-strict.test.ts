// pnpm's strictDepBuilds with the real pnpm 10 (issue 15): an unapproved dependency build fails the
// whole install (ERR_PNPM_IGNORED_BUILDS). check must say the install fails, with pnpm's fix, read
// .modules.yaml's ignoredBuilds as what the failed install skipped, and --suggest-allow-scripts must
// print the pnpm-workspace.yaml block that makes the same real install pass.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import { suggestAllowScripts } from '../../src/commands/check-lockfile.js';
import type { Finding } from '../../src/model/findings.js';
import { describe as words } from '../../src/report/messages.js';
import { REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import { realManager } from '../managers/real-managers.js';
import type { RealManager } from '../managers/real-managers.js';

const runnable = process.platform === 'linux' && process.arch === 'x64';
const MINUTES = 60_000;
const HOME = join(REPO, '.cache', 'managers', 'home');
// x64: bufferutil's bundled prebuild, its build not needed; arm64 glibc: it compiles there
const X64 = 'node20-linux-x64-glibc';
const ARM64 = 'node20-linux-arm64-glibc';

let tmp: ReturnType<typeof tempDir>;
let pnpm: RealManager;

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST|CI$|PNPM_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME, NO_COLOR: '1' };
}

function install(dir: string): { status: number | null; output: string } {
  const r = spawnSync(pnpm.command[0]!, [...pnpm.command.slice(1), 'install'], {
    cwd: dir,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 10 * MINUTES,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function project(name: string, extra: Record<string, string> = {}): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  const pkg = {
    name,
    version: '1.0.0',
    private: true,
    dependencies: { bufferutil: '4.1.0', 'is-number': '7.0.0', ...extra },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'strictDepBuilds: true\n');
  return dir;
}

const policyFindings = (findings: Finding[]) => findings.filter((f) => f.code.startsWith('INSTALL_'));

beforeAll(() => {
  if (!runnable) return;
  const got = realManager('pnpm10');
  if (!got.manager) throw new Error(got.reason);
  pnpm = got.manager;
  tmp = tempDir('ng-pnpm-strict-');
}, 20 * MINUTES);
afterAll(() => tmp?.cleanup());

describe.runIf(runnable)('pnpm 10 strictDepBuilds, with the real pnpm', () => {
  it(
    'a build no target needs: the install fails, check says so, and the suggested deny makes it pass',
    async () => {
      const dir = project('strict-x64');
      const first = install(dir);
      expect(first.status).toBe(1);
      expect(first.output).toContain('ERR_PNPM_IGNORED_BUILDS');
      // pnpm recorded what it skipped before failing
      expect(readFileSync(join(dir, 'node_modules', '.modules.yaml'), 'utf8')).toContain('bufferutil@4.1.0');

      const report = await check({ cwd: dir, targets: [X64] });
      expect(report.packageManager).toMatchObject({ name: 'pnpm', source: 'installed' });
      const found = policyFindings(report.findings);
      expect(found.map((f) => [f.code, f.package, f.severity])).toEqual([
        ['INSTALL_FAILS_IGNORED_BUILD', 'bufferutil@4.1.0', 'error'],
      ]);
      const f = found[0] as Extract<Finding, { code: 'INSTALL_FAILS_IGNORED_BUILD' }>;
      expect(f.evidence).toMatchObject({
        tool: 'pnpm',
        needed: 'no',
        strictSource: 'pnpm-workspace.yaml',
        toolVersion: expect.stringMatching(/^10\./),
        ignoredAtLastInstall: true,
      });
      const w = words(f);
      expect(w.message).toContain('ERR_PNPM_IGNORED_BUILDS');
      expect(w.message).toContain('ignoredBuilds');
      expect(w.fix).toContain('allowBuilds: { "bufferutil": false }');
      expect(w.fix).not.toContain('allowScripts');

      const suggested = suggestAllowScripts(report);
      expect(suggested).toBe('allowBuilds:\n  "bufferutil": false\n');
      writeFileSync(join(dir, 'pnpm-workspace.yaml'), `strictDepBuilds: true\n${suggested}`);
      // pnpm 10 keeps the failed install's ignoredBuilds: denied now, the next install fails again
      const second = install(dir);
      expect(second.status).toBe(1);
      expect(second.output).toContain('ERR_PNPM_IGNORED_BUILDS');
      const stale = policyFindings((await check({ cwd: dir, targets: [X64] })).findings);
      expect(stale.map((x) => [x.code, x.evidence])).toEqual([
        [
          'INSTALL_FAILS_IGNORED_BUILD',
          expect.objectContaining({
            verdict: 'denied',
            policySource: 'pnpm-workspace.yaml',
            ignoredAtLastInstall: true,
          }),
        ],
      ]);
      const staleFix = words(stale[0]!).fix;
      expect(staleFix).toContain('rm -rf node_modules && pnpm install');
      rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
      const third = install(dir);
      expect(third.status, third.output).toBe(0);
      const after = await check({ cwd: dir, targets: [X64] });
      expect(policyFindings(after.findings).map((x) => [x.code, x.evidence])).toEqual([
        ['INSTALL_SCRIPT_NOT_NEEDED', expect.objectContaining({ tool: 'pnpm', verdict: 'denied' })],
      ]);
      expect(after.findings.filter((x) => x.severity === 'error')).toEqual([]);
    },
    20 * MINUTES,
  );

  it(
    'a build arm64 needs: the prediction fails there, and the suggested allow makes the install pass and build',
    async () => {
      const dir = project('strict-arm64');
      expect(install(dir).status).toBe(1);
      const report = await check({ cwd: dir, targets: [X64, ARM64] });
      const f = policyFindings(report.findings);
      expect(f.map((x) => [x.code, x.package])).toEqual([
        ['INSTALL_FAILS_IGNORED_BUILD', 'bufferutil@4.1.0'],
      ]);
      expect(f[0]!.evidence).toMatchObject({ needed: 'yes', targets: [ARM64] });
      expect(words(f[0]!).fix).toContain('allowBuilds: { "bufferutil": true }');
      const outcomes = report.packages
        .find((p) => p.name === 'bufferutil')!
        .predictions.map((p) => p.outcome);
      expect(outcomes).toEqual(['prebuilt', 'fails']);

      const suggested = suggestAllowScripts(report);
      expect(suggested).toBe('allowBuilds:\n  "bufferutil": true\n');
      writeFileSync(join(dir, 'pnpm-workspace.yaml'), `strictDepBuilds: true\n${suggested}`);
      const second = install(dir);
      expect(second.status, second.output).toBe(0);
      expect(second.output).toContain('bufferutil install: Done');
      const after = await check({ cwd: dir, targets: [X64, ARM64] });
      expect(policyFindings(after.findings)).toEqual([]);
    },
    20 * MINUTES,
  );

  it(
    'a package that is not native: its skipped build fails the install too, from .modules.yaml; not judged, not suggested',
    async () => {
      // core-js's postinstall only prints a banner: nothing native-guard predicts for
      const dir = project('strict-core-js', { 'core-js': '3.39.0' });
      const first = install(dir);
      expect(first.status).toBe(1);
      expect(first.output).toMatch(/ERR_PNPM_IGNORED_BUILDS.*core-js@3\.39\.0/);
      const report = await check({ cwd: dir, targets: [X64] });
      expect(report.packages.map((p) => p.name)).toEqual(['bufferutil']);
      const found = policyFindings(report.findings);
      expect(found.map((f) => [f.code, f.package])).toEqual([
        ['INSTALL_FAILS_IGNORED_BUILD', 'bufferutil@4.1.0'],
        ['INSTALL_FAILS_IGNORED_BUILD', 'core-js@3.39.0'],
      ]);
      const coreJs = found[1]!;
      expect(coreJs.evidence).toMatchObject({ native: false, needed: 'unknown', ignoredAtLastInstall: true });
      expect(words(coreJs).message).toContain('not a native package');
      expect(words(coreJs).fix).toContain('pnpm approve-builds');
      // the block decides only what native-guard judged
      expect(suggestAllowScripts(report)).toBe('allowBuilds:\n  "bufferutil": false\n');
    },
    20 * MINUTES,
  );
});
