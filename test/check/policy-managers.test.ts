// Script policy per detected manager (issue 15): one policy, in that manager's words, for the
// lockfiles pnpm, Yarn 1, Yarn 4 and Bun really wrote (fixtures/lockfiles) and their real settings
// (pm-research §3: what each manager ran and blocked for the same project).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { Finding } from '../../src/model/findings.js';
import type { CheckReport } from '../../src/model/reports.js';
import { suggestAllowScripts } from '../../src/commands/check-lockfile.js';
import { describe as words } from '../../src/report/messages.js';
import { load as loadYaml } from 'js-yaml';
import { LOCKFILES } from '../managers/fixtures.js';

const TODAY = '2026-12-06';
// arm64 glibc: bufferutil and better-sqlite3 build from source there; x64: prebuilt, script not needed
const TARGETS = ['node20-linux-x64-glibc', 'node20-linux-arm64-glibc'];
const scratch = mkdtempSync(join(tmpdir(), 'ng-policy-pm-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
function project(
  fixture: string,
  lockfile: string,
  edit: (pkg: Record<string, unknown>) => void = () => {},
  extra: Record<string, string> = {},
): string {
  const dir = join(scratch, `p${n++}`);
  mkdirSync(dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(LOCKFILES, fixture, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  delete pkg.scripts;
  edit(pkg);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  copyFileSync(join(LOCKFILES, fixture, lockfile), join(dir, lockfile));
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return dir;
}

const run = (dir: string) => check({ cwd: dir, targets: TARGETS, today: TODAY, lockfileOnly: true });

type ScriptFinding = Extract<Finding, { code: 'INSTALL_SCRIPT_DENIED' | 'INSTALL_SCRIPT_NOT_NEEDED' }>;
const scriptFindings = (r: CheckReport) =>
  r.findings.filter(
    (f): f is ScriptFinding => f.code === 'INSTALL_SCRIPT_DENIED' || f.code === 'INSTALL_SCRIPT_NOT_NEEDED',
  );
/** `CODE name tool verdict` per script finding, sorted. */
const summary = (r: CheckReport) =>
  scriptFindings(r)
    .map((f) => `${f.code} ${f.package!.replace(/@[^@]*$/, '')} ${f.evidence.tool} ${f.evidence.verdict}`)
    .sort();
const fixOf = (r: CheckReport, code: string, name: string) => {
  const f = scriptFindings(r).find((x) => x.code === code && x.package!.startsWith(`${name}@`));
  return f ? words(f) : null;
};

describe('script policy of the detected manager only', () => {
  it('pnpm-lock.yaml without packageManager: pnpm findings once, never npm ones too', async () => {
    const r = await run(project('pnpm/v9-single', 'pnpm-lock.yaml', (p) => delete p.packageManager));
    expect(r.scriptPolicy?.tools.map((t) => t.tool)).toEqual(['pnpm']);
    const tools = new Set(scriptFindings(r).map((f) => f.evidence.tool));
    expect([...tools]).toEqual(['pnpm']);
    expect(summary(r)).toEqual([
      'INSTALL_SCRIPT_DENIED better-sqlite3 pnpm not-allowed',
      'INSTALL_SCRIPT_DENIED bufferutil pnpm not-allowed',
      'INSTALL_SCRIPT_NOT_NEEDED @parcel/watcher pnpm not-allowed',
      'INSTALL_SCRIPT_NOT_NEEDED esbuild pnpm not-allowed',
    ]);
    expect(fixOf(r, 'INSTALL_SCRIPT_DENIED', 'bufferutil')?.fix).toContain('pnpm approve-builds');
    // no version anywhere: read as pnpm 10 (skipped), saying what pnpm 11 would do instead
    expect(r.scriptPolicy?.tools).toEqual([{ tool: 'pnpm', source: null }]);
    expect(fixOf(r, 'INSTALL_SCRIPT_DENIED', 'bufferutil')?.message).toContain('pnpm 11');
  }, 600_000);

  it('Yarn 1: every script runs, nothing is denied', async () => {
    const r = await run(project('yarn-classic/single', 'yarn.lock'));
    expect(r.scriptPolicy?.tools.map((t) => t.tool)).toEqual(['yarn']);
    expect(summary(r).filter((s) => s.startsWith('INSTALL_SCRIPT_DENIED'))).toEqual([]);
    expect(r.packages.find((p) => p.name === 'bufferutil')?.predictions.map((p) => p.outcome)).toEqual([
      'prebuilt',
      'source-build',
    ]);
  }, 600_000);

  it('Yarn 4.18 (enableScripts false by default): builds blocked unless dependenciesMeta says built', async () => {
    const r = await run(
      project('yarn-berry/nm-single', 'yarn.lock', (p) => {
        p.packageManager = 'yarn@4.18.1';
        p.dependenciesMeta = { bufferutil: { built: true }, esbuild: { built: false } };
      }),
    );
    expect(r.scriptPolicy?.tools.map((t) => t.tool)).toEqual(['yarn']);
    expect(summary(r)).toEqual([
      'INSTALL_SCRIPT_DENIED better-sqlite3 yarn not-allowed',
      'INSTALL_SCRIPT_NOT_NEEDED @parcel/watcher yarn not-allowed',
      'INSTALL_SCRIPT_NOT_NEEDED esbuild yarn denied',
    ]);
    const fix = fixOf(r, 'INSTALL_SCRIPT_DENIED', 'better-sqlite3')!;
    expect(fix.message).toContain('enableScripts is false');
    expect(fix.fix).toContain('"dependenciesMeta": { "better-sqlite3": { "built": true } }');
    expect(fix.fix).not.toContain('allowScripts');
    expect(r.packages.find((p) => p.name === 'bufferutil')?.predictions.map((p) => p.outcome)).toEqual([
      'prebuilt',
      'source-build',
    ]);
  }, 600_000);

  it('Yarn 4.13 (enableScripts true by default) and enableScripts: false in .yarnrc.yml', async () => {
    const on = await run(
      project('yarn-berry/nm-single', 'yarn.lock', (p) => (p.packageManager = 'yarn@4.13.0')),
    );
    expect(summary(on).filter((s) => s.startsWith('INSTALL_SCRIPT_DENIED'))).toEqual([]);
    const off = await run(
      project('yarn-berry/nm-single', 'yarn.lock', (p) => (p.packageManager = 'yarn@4.13.0'), {
        '.yarnrc.yml': 'nodeLinker: node-modules\nenableScripts: false\n',
      }),
    );
    expect(summary(off)).toContain('INSTALL_SCRIPT_DENIED bufferutil yarn not-allowed');
  }, 600_000);

  it('Bun: the default trusted list (not @parcel/watcher), replaced by trustedDependencies', async () => {
    const byDefault = await run(project('bun/single', 'bun.lock'));
    expect(byDefault.scriptPolicy?.tools.map((t) => t.tool)).toEqual(['bun']);
    expect(summary(byDefault)).toEqual([
      'INSTALL_SCRIPT_NOT_NEEDED @parcel/watcher bun not-allowed',
      'INSTALL_SCRIPT_NOT_NEEDED esbuild bun allowed',
    ]);
    // bufferutil is on Bun's default list: its arm64 source build runs, with `bun x node-gyp` (the
    // latest, node-gyp 13), which crashes on Node 20 fetching the headers: it fails for that reason,
    // not for the policy
    expect(
      byDefault.packages.find((p) => p.name === 'bufferutil')?.predictions.map((p) => p.outcome),
    ).toEqual(['prebuilt', 'fails']);
    expect(
      byDefault.findings.filter((f) => f.package?.startsWith('bufferutil@')).map((f) => f.code),
    ).toContain('NODE_GYP_UNSUPPORTED_NODE');
    // the project's list replaces the default one: bufferutil and better-sqlite3 are no longer trusted
    const listed = await run(
      project('bun/single', 'bun.lock', (p) => (p.trustedDependencies = ['@parcel/watcher'])),
    );
    expect(summary(listed)).toEqual([
      'INSTALL_SCRIPT_DENIED better-sqlite3 bun not-allowed',
      'INSTALL_SCRIPT_DENIED bufferutil bun not-allowed',
      'INSTALL_SCRIPT_NOT_NEEDED @parcel/watcher bun allowed',
      'INSTALL_SCRIPT_NOT_NEEDED esbuild bun not-allowed',
    ]);
    const fix = fixOf(listed, 'INSTALL_SCRIPT_DENIED', 'bufferutil')!;
    expect(fix.fix).toContain('bun pm trust bufferutil');
    expect(fix.fix).not.toContain('npm');
  }, 600_000);

  it('pnpm 11 (strictDepBuilds on by default): every unapproved build fails the install, needed or not', async () => {
    const r = await run(
      project('pnpm/v9-single', 'pnpm-lock.yaml', (p) => (p.packageManager = 'pnpm@11.29.0')),
    );
    expect(r.scriptPolicy?.tools).toEqual([{ tool: 'pnpm', source: null, version: '11.29.0', strict: true }]);
    const failing = r.findings
      .filter((f) => f.code === 'INSTALL_FAILS_IGNORED_BUILD')
      .map((f) => `${f.package!.replace(/@[^@]*$/, '')} ${f.evidence.needed}`)
      .sort();
    expect(failing).toEqual(['@parcel/watcher no', 'better-sqlite3 yes', 'bufferutil yes', 'esbuild no']);
    // and nothing else said of the same builds
    expect(summary(r)).toEqual([]);
    const esbuild = r.findings.find(
      (f) => f.code === 'INSTALL_FAILS_IGNORED_BUILD' && f.package!.startsWith('esbuild@'),
    )!;
    expect(words(esbuild).message).toContain('the pnpm 11 default');
    expect(words(esbuild).fix).toContain('allowBuilds: { "esbuild": false }');
    // the block allows what a target needs and denies (quietly) what none needs
    const suggested = suggestAllowScripts(r);
    expect(loadYaml(suggested)).toEqual({
      allowBuilds: { 'better-sqlite3': true, bufferutil: true, '@parcel/watcher': false, esbuild: false },
    });
    expect(r.scriptPolicy?.allowScripts).toEqual({ 'better-sqlite3': true, bufferutil: true });
    expect(r.scriptPolicy?.deny).toEqual(['@parcel/watcher', 'esbuild']);
  }, 600_000);

  it("--suggest-allow-scripts in each manager's own setting", async () => {
    const pnpm10 = await run(
      project('pnpm/v9-single', 'pnpm-lock.yaml', (p) => (p.packageManager = 'pnpm@10.20.0')),
    );
    expect(suggestAllowScripts(pnpm10)).toBe(
      'onlyBuiltDependencies:\n  - "better-sqlite3"\n  - "bufferutil"\n',
    );
    const pnpm1026 = await run(
      project('pnpm/v9-single', 'pnpm-lock.yaml', (p) => (p.packageManager = 'pnpm@10.34.9')),
    );
    expect(suggestAllowScripts(pnpm1026)).toBe(
      'allowBuilds:\n  "better-sqlite3": true\n  "bufferutil": true\n',
    );
    const berry = await run(
      project('yarn-berry/nm-single', 'yarn.lock', (p) => (p.packageManager = 'yarn@4.18.1')),
    );
    expect(JSON.parse(suggestAllowScripts(berry))).toEqual({
      dependenciesMeta: { 'better-sqlite3': { built: true }, bufferutil: { built: true } },
    });
    const bun = await run(project('bun/single', 'bun.lock'));
    expect(JSON.parse(suggestAllowScripts(bun))).toEqual({
      trustedDependencies: ['better-sqlite3', 'bufferutil'],
    });
    const classic = await run(project('yarn-classic/single', 'yarn.lock'));
    expect(JSON.parse(suggestAllowScripts(classic))).toEqual({});
  }, 600_000);
});
