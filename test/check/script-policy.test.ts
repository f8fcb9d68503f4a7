import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckReport, PackageReport } from '../../src/model/reports.js';
import { applyInstallScriptPolicy, installScriptsOf, scriptNeed } from '../../src/check/script-policy.js';
import type { InstallScriptPolicy } from '../../src/model/prediction.js';
import type { InstallScriptVerdict, Prediction } from '../../src/model/prediction.js';
import type { NpmConfigView } from '../../src/tree/npm-config.js';
import { npmScriptPolicy, pnpmScriptPolicy, readScriptPolicies } from '../../src/tree/script-config.js';
import type { PackageRecord, ProjectTree } from '../../src/model/package.js';
import { loadInstalledTree } from '../../src/tree/actual.js';
import { describe as describeFinding } from '../../src/report/messages.js';
import { analyzeTree } from '../helpers/analyze.js';
import { manifestOf, packageRecord } from '../helpers/records.js';

const MIXED = fileURLToPath(new URL('../../fixtures/trees/mixed', import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'ng-policy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function record(
  name: string,
  scripts: PackageRecord['manifest']['scripts'],
  extra: Partial<PackageRecord> = {},
): PackageRecord {
  return packageRecord(name, '1.0.0', {
    manifest: manifestOf({ scripts }),
    rootEntries: [],
    installed: false,
    ...extra,
  });
}

const prediction = (
  target: string,
  outcome: Prediction['outcome'],
  strategy: Prediction['strategy'],
): Prediction => ({
  target,
  outcome,
  strategy,
  evidence: [],
});

function report(packages: PackageReport[]): CheckReport {
  return { schemaVersion: 1, root: '/p', mode: 'lockfile', targets: [], packages, findings: [], ignored: 0 };
}

const tree = (records: PackageRecord[]): ProjectTree => ({
  root: '/p',
  mode: 'lockfile',
  packages: records,
  lockfile: null,
  problems: [],
});

const policyOf = (
  verdicts: Record<string, InstallScriptVerdict>,
  tool: 'npm' | 'pnpm' = 'npm',
): InstallScriptPolicy => ({
  tool,
  source: 'package.json',
  verdict: (r) => verdicts[r.name] ?? 'unreviewed',
});

describe('scriptNeed: does the target binary depend on the install script', () => {
  const pkg = (strategies: string[]): PackageReport => ({
    name: 'x',
    version: '1.0.0',
    location: 'node_modules/x',
    strategies,
    predictions: [],
  });
  // Not a table of strategy → answer (that would restate SCRIPT_STRATEGIES): real packages of the
  // fixture tree, analysed as check does, and what their own install scripts do for the binary.
  it('on the fixture tree: a shipped prebuild needs no script, a download or a compile does', async () => {
    const r = analyzeTree(await loadInstalledTree(MIXED), ['host', 'node:22-alpine'], {
      readFacts: () => null,
    });
    const need = (name: string, target: string) => {
      const p = r.packages.find((x) => x.name === name)!;
      return scriptNeed(
        p.predictions.find((x) => x.target === target)!,
        p,
      );
    };
    // "install": "node-gyp-build": the prebuild is in the tarball; the script only compiles when none matches
    expect(need('ngb-tagged', 'host')).toBe('no');
    // "install": "prebuild-install || node-gyp rebuild": the binary is what the script downloads or builds
    expect(need('pbi-addon', 'host')).toBe('yes');
    expect(need('pbi-addon', 'node:22-alpine')).toBe('yes');
    // "install": "node-pre-gyp install --fallback-to-build": the same, through node-pre-gyp
    expect(need('npg-addon', 'host')).toBe('yes');
    // "install": "node scripts/install.js": the file is read (never run); it downloads the binary
    expect(need('custom-script', 'host')).toBe('yes');
    // a binding.gyp and no script: npm's implicit `node-gyp rebuild` is what compiles it
    expect(need('gyp-only', 'host')).toBe('yes');
    // its binary comes from a platform package npm installs; its own script is not what provides it
    expect(need('opt-in-builder', 'host')).toBe('no');
    // no install script and no prebuild for linux: nothing run at install time could give one
    expect(need('runtime-only', 'host')).toBe('no');
  });
  it('nothing gave a binary: whatever could still try is a script', () => {
    expect(scriptNeed(prediction('t', 'fails', null), pkg(['node-gyp-build']))).toBe('no');
    expect(scriptNeed(prediction('t', 'fails', null), pkg(['node-pre-gyp', 'source-build']))).toBe('yes');
  });
});

describe('installScriptsOf', () => {
  it('lists the events npm runs, and the implicit node-gyp rebuild of a binding.gyp', () => {
    expect(installScriptsOf(record('a', { install: 'prebuild-install || node-gyp rebuild' }))).toEqual([
      'install: prebuild-install || node-gyp rebuild',
    ]);
    expect(installScriptsOf(record('b', {}, { rootEntries: ['binding.gyp'] }))).toEqual([
      'install: node-gyp rebuild',
    ]);
    expect(
      installScriptsOf(
        record(
          'c',
          {},
          {
            rootEntries: ['binding.gyp'],
            manifest: { scripts: {}, gypfile: false, dependencies: {}, optionalDependencies: {} },
          },
        ),
      ),
    ).toEqual([]);
    expect(installScriptsOf(record('d', {}, { hasInstallScript: true }))).toEqual([
      '(install scripts present)',
    ]);
    expect(installScriptsOf(record('e', {}))).toEqual([]);
  });
});

describe('applyInstallScriptPolicy', () => {
  const records = [
    record('sqlite', { install: 'prebuild-install || node-gyp rebuild' }),
    record('ngb', { install: 'node-gyp-build' }),
    record('odd', { postinstall: 'node setup.js' }),
    record('plain', {}),
  ];
  const packages: PackageReport[] = [
    {
      name: 'sqlite',
      version: '1.0.0',
      location: 'node_modules/sqlite',
      strategies: ['prebuild-install', 'source-build'],
      predictions: [
        prediction('host', 'unknown', 'prebuild-install'),
        prediction('alpine', 'source-build', 'source-build'),
      ],
    },
    {
      name: 'ngb',
      version: '1.0.0',
      location: 'node_modules/ngb',
      strategies: ['node-gyp-build', 'source-build'],
      predictions: [
        prediction('host', 'prebuilt', 'node-gyp-build'),
        prediction('alpine', 'source-build', 'source-build'),
      ],
    },
    {
      name: 'odd',
      version: '1.0.0',
      location: 'node_modules/odd',
      strategies: ['unknown-script'],
      predictions: [prediction('host', 'unknown', 'unknown-script')],
    },
    {
      name: 'plain',
      version: '1.0.0',
      location: 'node_modules/plain',
      strategies: ['node-gyp-build'],
      predictions: [prediction('host', 'prebuilt', 'node-gyp-build')],
    },
  ];

  it('denied and needed: error, and the outcome becomes fails; not needed: info; no scripts: nothing', () => {
    const { report: r, summary } = applyInstallScriptPolicy(report(packages), tree(records), [
      policyOf({ sqlite: 'denied', ngb: 'denied', odd: 'denied', plain: 'denied' }),
    ]);
    const codes = r.findings.map((f) => `${f.severity} ${f.code} ${f.package}`);
    expect(codes).toEqual([
      'error INSTALL_SCRIPT_DENIED ngb@1.0.0',
      'error INSTALL_SCRIPT_DENIED odd@1.0.0',
      'error INSTALL_SCRIPT_DENIED sqlite@1.0.0',
    ]);
    expect(r.findings.find((f) => f.package === 'ngb@1.0.0')?.evidence).toMatchObject({
      targets: ['alpine'],
      needed: 'yes',
    });
    expect(r.findings.find((f) => f.package === 'odd@1.0.0')?.evidence).toMatchObject({ needed: 'unknown' });
    const sqlite = r.packages.find((p) => p.name === 'sqlite')!;
    expect(sqlite.predictions.map((p) => p.outcome)).toEqual(['fails', 'fails']);
    expect(sqlite.predictions[0]!.evidence).toContainEqual({
      kind: 'install-script-policy',
      tool: 'npm',
      verdict: 'denied',
      needed: 'yes',
    });
    const ngb = r.packages.find((p) => p.name === 'ngb')!;
    expect(ngb.predictions.map((p) => [p.outcome, p.installScript?.needed])).toEqual([
      ['prebuilt', 'no'],
      ['fails', 'yes'],
    ]);
    // an unreadable script may be what provides the binary: said, but the outcome is not invented
    expect(r.packages.find((p) => p.name === 'odd')!.predictions[0]!.outcome).toBe('unknown');
    expect(summary.allowScripts).toEqual({ ngb: true, odd: true, sqlite: true });
  });

  it('only the host target: ngb needs no script there, and the suggested block leaves it out', () => {
    const hostOnly = packages.map((p) => ({
      ...p,
      predictions: p.predictions.filter((x) => x.target === 'host'),
    }));
    const { report: r, summary } = applyInstallScriptPolicy(report(hostOnly), tree(records), [
      policyOf({ ngb: 'denied' }),
    ]);
    expect(r.findings.find((f) => f.package === 'ngb@1.0.0')).toMatchObject({
      code: 'INSTALL_SCRIPT_NOT_NEEDED',
      severity: 'info',
      evidence: { verdict: 'denied', targets: ['host'], strategies: ['node-gyp-build'] },
    });
    expect(summary.allowScripts).toEqual({ odd: true, sqlite: true });
  });

  it('unreviewed is a warning and keeps the outcome; allowed says nothing; strict is an error', () => {
    const warn = applyInstallScriptPolicy(report(packages), tree(records), [policyOf({})]).report;
    expect(
      warn.findings.filter((f) => f.code === 'INSTALL_SCRIPT_DENIED').every((f) => f.severity === 'warning'),
    ).toBe(true);
    expect(warn.packages.find((p) => p.name === 'sqlite')!.predictions[0]!.outcome).toBe('unknown');
    const allowed = applyInstallScriptPolicy(report(packages), tree(records), [
      policyOf({ sqlite: 'allowed', ngb: 'allowed', odd: 'allowed' }),
    ]).report;
    expect(allowed.findings.filter((f) => f.code === 'INSTALL_SCRIPT_DENIED')).toEqual([]);
    const strict = applyInstallScriptPolicy(report(packages), tree(records), [
      policyOf({ sqlite: 'unreviewed-strict' }),
    ]).report;
    expect(strict.findings.find((f) => f.package === 'sqlite@1.0.0')).toMatchObject({
      severity: 'error',
      evidence: { verdict: 'unreviewed-strict' },
    });
  });

  // pnpm's strictDepBuilds and .modules.yaml ignoredBuilds (what the last install skipped)
  const verdictIn = (f: CheckReport['findings'][number]) => (f.evidence as { verdict?: string }).verdict;
  const pnpmPolicy = (
    verdicts: Record<string, InstallScriptVerdict>,
    skipped: string[],
    keepsIgnoredBuilds = true,
  ): InstallScriptPolicy => ({
    tool: 'pnpm',
    source: 'pnpm-workspace.yaml',
    toolVersion: '10.34.9',
    strict: { source: 'pnpm-workspace.yaml', keepsIgnoredBuilds },
    allowSetting: { manager: 'pnpm', file: 'pnpm-workspace.yaml', key: 'allowBuilds' },
    verdict: (r) => verdicts[r.name] ?? 'unreviewed-strict',
    ignoredAtLastInstall: (r) => skipped.includes(r.name),
  });

  it('strict pnpm: every unapproved build fails the install, needed or not, once per package', () => {
    const { report: r, summary } = applyInstallScriptPolicy(report(packages), tree(records), [
      pnpmPolicy({}, ['ngb']),
    ]);
    expect(r.findings.map((f) => `${f.severity} ${f.code} ${f.package}`)).toEqual([
      'error INSTALL_FAILS_IGNORED_BUILD ngb@1.0.0',
      'error INSTALL_FAILS_IGNORED_BUILD odd@1.0.0',
      'error INSTALL_FAILS_IGNORED_BUILD sqlite@1.0.0',
    ]);
    const ngb = r.findings.find((f) => f.package === 'ngb@1.0.0')!;
    // ngb's host prebuild needs no script, but alpine compiles: needed there
    expect(ngb.evidence).toMatchObject({ needed: 'yes', targets: ['alpine'], ignoredAtLastInstall: true });
    expect(r.findings.find((f) => f.package === 'sqlite@1.0.0')!.evidence).not.toHaveProperty(
      'ignoredAtLastInstall',
    );
    expect(r.packages.find((p) => p.name === 'sqlite')!.predictions.map((p) => p.outcome)).toEqual([
      'fails',
      'fails',
    ]);
    expect(summary.tools).toEqual([
      { tool: 'pnpm', source: 'pnpm-workspace.yaml', version: '10.34.9', strict: true },
    ]);
    expect(summary.deny).toBeUndefined();
    // host only: ngb needs nothing, so the block denies it (quietly) rather than allow it
    const hostOnly = packages.map((p) => ({
      ...p,
      predictions: p.predictions.filter((x) => x.target === 'host'),
    }));
    const host = applyInstallScriptPolicy(report(hostOnly), tree(records), [pnpmPolicy({}, [])]);
    expect(host.summary.deny).toEqual(['ngb']);
    expect(host.report.findings.find((f) => f.package === 'ngb@1.0.0')!.evidence).toMatchObject({
      needed: 'no',
      targets: [],
    });
  });

  it('denied since a failed pnpm 10 strict install: still fails (pnpm 10 keeps the record); pnpm 11 does not', () => {
    const denied = { sqlite: 'denied', ngb: 'allowed', odd: 'allowed' } as const;
    const p10 = applyInstallScriptPolicy(report(packages), tree(records), [
      pnpmPolicy(denied, ['sqlite']),
    ]).report;
    expect(p10.findings.map((f) => [f.code, f.package, verdictIn(f)])).toEqual([
      ['INSTALL_FAILS_IGNORED_BUILD', 'sqlite@1.0.0', 'denied'],
    ]);
    const p11 = applyInstallScriptPolicy(report(packages), tree(records), [
      pnpmPolicy(denied, ['sqlite'], false),
    ]).report;
    expect(p11.findings.map((f) => [f.code, f.package, f.severity])).toEqual([
      ['INSTALL_SCRIPT_DENIED', 'sqlite@1.0.0', 'error'],
    ]);
  });

  it('allowed now but skipped at the last install: a warning that pnpm install runs it', () => {
    const allowed = { sqlite: 'allowed', ngb: 'allowed', odd: 'allowed' } as const;
    const r = applyInstallScriptPolicy(report(packages), tree(records), [
      pnpmPolicy(allowed, ['sqlite', 'ngb']),
    ]).report;
    expect(r.findings.map((f) => [f.code, f.package, f.severity, verdictIn(f)])).toEqual([
      ['INSTALL_SCRIPT_DENIED', 'ngb@1.0.0', 'warning', 'allowed'],
      ['INSTALL_SCRIPT_DENIED', 'sqlite@1.0.0', 'warning', 'allowed'],
    ]);
    // a fresh install builds it: the predictions stay
    expect(r.packages.find((p) => p.name === 'sqlite')!.predictions.map((p) => p.outcome)).toEqual([
      'unknown',
      'source-build',
    ]);
    const w = describeFinding(r.findings[1]!);
    expect(w.message).toContain('allowed now');
    expect(w.fix).toContain('pnpm install');
  });
});

const npmView = (over: Partial<NpmConfigView> = {}): NpmConfigView => ({
  cache: '/nonexistent',
  offline: false,
  ignoreScripts: false,
  flat: {},
  loadError: null,
  ...over,
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'p-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('npm policy (Arborist matcher)', () => {
  const registryRecord = (name: string, resolved: string | null) =>
    record(
      name,
      { install: 'x' },
      {
        scriptIdentity: {
          resolved,
          registry: true,
          edgesIn: [{ name, spec: '^1.0.0' }],
          path: `/p/node_modules/${name}`,
          realpath: `/p/node_modules/${name}`,
        },
      },
    );

  it('package.json wins over .npmrc; ranges npm refuses are dropped', () => {
    const dir = project({
      'package.json': JSON.stringify({ allowScripts: { a: true, 'b@^1': true, c: false } }),
    });
    const policy = npmScriptPolicy(
      dir,
      npmView({ allowScripts: { source: '.npmrc (project)', entries: ['b'] } }),
    );
    expect(policy.source).toBe('package.json');
    expect(policy.verdict(registryRecord('a', null))).toBe('allowed');
    expect(policy.verdict(registryRecord('b', null))).toBe('unreviewed');
    expect(policy.verdict(registryRecord('c', null))).toBe('denied');
  });

  it('a pinned allow matches only with a resolved URL to read the version from; a pinned deny always blocks', () => {
    const dir = project({
      'package.json': JSON.stringify({ allowScripts: { 'a@1.0.0': true, 'b@1.0.0': false } }),
    });
    const policy = npmScriptPolicy(dir, npmView());
    expect(policy.verdict(registryRecord('a', 'https://registry.npmjs.org/a/-/a-1.0.0.tgz'))).toBe('allowed');
    expect(policy.verdict(registryRecord('a', null))).toBe('unreviewed');
    expect(policy.verdict(registryRecord('b', null))).toBe('denied');
  });

  it('.npmrc when package.json has none; ignore-scripts and dangerously-allow-all-scripts', () => {
    const dir = project({ 'package.json': '{}' });
    expect(
      npmScriptPolicy(dir, npmView({ allowScripts: { source: '.npmrc (user)', entries: ['a'] } })).verdict(
        registryRecord('a', null),
      ),
    ).toBe('allowed');
    expect(npmScriptPolicy(dir, npmView({ ignoreScripts: true })).verdict(registryRecord('a', null))).toBe(
      'ignored',
    );
    expect(
      npmScriptPolicy(dir, npmView({ dangerouslyAllowAllScripts: true })).verdict(registryRecord('a', null)),
    ).toBe('allowed');
    expect(
      npmScriptPolicy(dir, npmView({ strictAllowScripts: true })).verdict(registryRecord('a', null)),
    ).toBe('unreviewed-strict');
  });
});

describe('pnpm policy', () => {
  const r = (name: string, version = '1.0.0') => ({
    ...record(name, { install: 'x' }),
    version,
    id: `${name}@${version}`,
  });

  it('pnpm 10 without a list builds nothing; pnpm 9 built everything', () => {
    expect(
      pnpmScriptPolicy(project({ 'package.json': '{"packageManager":"pnpm@10.12.1"}' }), npmView()).verdict(
        r('a'),
      ),
    ).toBe('not-allowed');
    expect(
      pnpmScriptPolicy(project({ 'package.json': '{"packageManager":"pnpm@9.15.0"}' }), npmView()).verdict(
        r('a'),
      ),
    ).toBe('allowed');
  });

  it('onlyBuiltDependencies is an allowlist; ignoredBuiltDependencies denies quietly (pnpm 10)', () => {
    const dir = project({
      'package.json': '{"packageManager":"pnpm@10.12.1"}',
      'pnpm-workspace.yaml':
        'onlyBuiltDependencies:\n  - better-sqlite3\n  - nx@1.0.0 || 1.0.1\nignoredBuiltDependencies:\n  - bufferutil\n',
    });
    const p = pnpmScriptPolicy(dir, npmView());
    expect(p.source).toBe('pnpm-workspace.yaml');
    expect(p.verdict(r('better-sqlite3'))).toBe('allowed');
    expect(p.verdict(r('bufferutil'))).toBe('denied');
    expect(p.verdict(r('sharp'))).toBe('not-allowed');
    expect(p.verdict(r('nx', '1.0.1'))).toBe('allowed');
    expect(p.verdict(r('nx', '1.0.2'))).toBe('not-allowed');
  });

  it('allowBuilds: true allows, false denies and wins; pnpm 11 reads nothing else', () => {
    const yaml =
      "allowBuilds:\n  better-sqlite3: true\n  bufferutil: false\n  'nx@1.0.0': false\n  nx: true\nonlyBuiltDependencies:\n  - sharp\n";
    const p10 = pnpmScriptPolicy(
      project({ 'package.json': '{"packageManager":"pnpm@10.26.0"}', 'pnpm-workspace.yaml': yaml }),
      npmView(),
    );
    expect(p10.verdict(r('better-sqlite3'))).toBe('allowed');
    expect(p10.verdict(r('bufferutil'))).toBe('denied');
    expect(p10.verdict(r('nx', '1.0.0'))).toBe('denied');
    expect(p10.verdict(r('nx', '2.0.0'))).toBe('allowed');
    expect(p10.verdict(r('sharp'))).toBe('allowed');
    const p11 = pnpmScriptPolicy(
      project({ 'package.json': '{"packageManager":"pnpm@11.2.0"}', 'pnpm-workspace.yaml': yaml }),
      npmView(),
    );
    // pnpm 11's strictDepBuilds (on by default): an unapproved build fails the install instead
    expect(p11.verdict(r('sharp'))).toBe('unreviewed-strict');
    expect(p11.verdict(r('better-sqlite3'))).toBe('allowed');
  });

  it('package.json "pnpm" field, neverBuiltDependencies, dangerouslyAllowAllBuilds, ignore-scripts', () => {
    const never = project({
      'package.json': JSON.stringify({ pnpm: { neverBuiltDependencies: ['bufferutil'] } }),
    });
    const p = pnpmScriptPolicy(never, npmView());
    expect(p.source).toBe('package.json "pnpm"');
    expect(p.verdict(r('bufferutil'))).toBe('denied');
    expect(p.verdict(r('sharp'))).toBe('allowed');
    const all = project({ 'pnpm-workspace.yaml': 'dangerouslyAllowAllBuilds: true\n' });
    expect(pnpmScriptPolicy(all, npmView()).verdict(r('x'))).toBe('allowed');
    expect(pnpmScriptPolicy(all, npmView({ ignoreScripts: true })).verdict(r('x'))).toBe('ignored');
  });

  it('which tool applies: npm by default, pnpm when its config is there, only the manager detected (never two)', () => {
    expect(readScriptPolicies(project({ 'package.json': '{}' }), npmView()).map((p) => p.tool)).toEqual([
      'npm',
    ]);
    expect(
      readScriptPolicies(
        project({ 'package.json': '{}', 'pnpm-workspace.yaml': 'packages: []\n' }),
        npmView(),
      ).map((p) => p.tool),
    ).toEqual(['pnpm']);
    expect(
      readScriptPolicies(project({ 'package.json': '{"packageManager":"pnpm@10.0.0"}' }), npmView()).map(
        (p) => p.tool,
      ),
    ).toEqual(['pnpm']);
    expect(
      readScriptPolicies(project({ 'package.json': '{"packageManager":"yarn@4.0.0"}' }), npmView()).map(
        (p) => p.tool,
      ),
    ).toEqual(['yarn']);
  });
});
