// npm 12 blocks the install scripts of packages allowScripts does not cover; npm 11 runs them with a
// warning (checked with npm 12.2.3 and 11.19.1, /work/notes/npm12.md §2). The verdict, the finding's
// severity and its words follow the npm that will run the install.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyInstallScriptPolicy } from '../../src/check/script-policy.js';
import type { PackageRecord, ProjectTree } from '../../src/model/package.js';
import type { NpmVersion } from '../../src/model/prediction.js';
import type { CheckReport } from '../../src/model/reports.js';
import { describe as words } from '../../src/report/messages.js';
import type { NpmConfigView } from '../../src/tree/npm-config.js';
import { npmScriptPolicy } from '../../src/tree/script-config.js';
import { manifestOf, packageRecord } from '../helpers/records.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-policy12-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NPM12: NpmVersion = { version: '12.2.3', major: 12, source: 'user-agent' };
const NPM11: NpmVersion = { version: '11.19.1', major: 11, source: 'path' };

const view = (over: Partial<NpmConfigView> = {}): NpmConfigView => ({
  cache: '/nonexistent',
  offline: false,
  ignoreScripts: false,
  flat: {},
  loadError: null,
  ...over,
});

function project(allowScripts?: Record<string, boolean>): string {
  const dir = mkdtempSync(join(scratch, 'p-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(allowScripts ? { allowScripts } : {}));
  return dir;
}

function record(name: string): PackageRecord {
  return packageRecord(name, '1.0.0', {
    manifest: manifestOf({ scripts: { install: 'node-gyp rebuild' } }),
    rootEntries: ['binding.gyp'],
    scriptIdentity: {
      resolved: `https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz`,
      registry: true,
      edgesIn: [{ name, spec: '^1.0.0' }],
      path: `/p/node_modules/${name}`,
      realpath: `/p/node_modules/${name}`,
    },
  });
}

describe('npm policy by npm version', () => {
  it('unreviewed: npm 12 does not run it, npm 11 (and an unknown npm) runs it with a warning', () => {
    const dir = project({ other: true });
    expect(npmScriptPolicy(dir, view({ npm: NPM12 })).verdict(record('gyp'))).toBe('not-allowed');
    expect(npmScriptPolicy(dir, view({ npm: NPM11 })).verdict(record('gyp'))).toBe('unreviewed');
    expect(npmScriptPolicy(dir, view()).verdict(record('gyp'))).toBe('unreviewed');
    expect(npmScriptPolicy(dir, view({ npm: NPM12 })).toolVersion).toBe('12.2.3');
  });

  it('allowed, denied, strict, ignore-scripts and allow-all are the same in npm 11 and 12', () => {
    const dir = project({ yes: true, no: false });
    for (const npm of [NPM11, NPM12]) {
      const policy = npmScriptPolicy(dir, view({ npm }));
      expect(policy.verdict(record('yes'))).toBe('allowed');
      expect(policy.verdict(record('no'))).toBe('denied');
      expect(npmScriptPolicy(dir, view({ npm, strictAllowScripts: true })).verdict(record('x'))).toBe(
        'unreviewed-strict',
      );
      expect(npmScriptPolicy(dir, view({ npm, ignoreScripts: true })).verdict(record('x'))).toBe('ignored');
      expect(npmScriptPolicy(dir, view({ npm, dangerouslyAllowAllScripts: true })).verdict(record('x'))).toBe(
        'allowed',
      );
    }
  });
});

describe('the finding under npm 12', () => {
  const pass = (npm: NpmVersion) => {
    const rec = record('gyp');
    const tree: ProjectTree = {
      root: '/p',
      mode: 'installed',
      packages: [rec],
      lockfile: null,
      problems: [],
    };
    const report: CheckReport = {
      schemaVersion: 1,
      root: '/p',
      mode: 'installed',
      targets: [],
      packages: [
        {
          name: 'gyp',
          version: '1.0.0',
          location: 'node_modules/gyp',
          strategies: ['source-build'],
          predictions: [{ target: 'host', outcome: 'source-build', strategy: 'source-build', evidence: [] }],
        },
      ],
      findings: [],
      ignored: 0,
    };
    return applyInstallScriptPolicy(report, tree, [npmScriptPolicy(project(), view({ npm }))]);
  };

  it('a needed script npm 12 blocks: error, the outcome fails, and the words name npm 12 and the rebuild', () => {
    const { report, summary } = pass(NPM12);
    expect(report.packages[0]!.predictions[0]!.outcome).toBe('fails');
    const f = report.findings.find((x) => x.code === 'INSTALL_SCRIPT_DENIED')!;
    expect(f.severity).toBe('error');
    expect(f.evidence).toMatchObject({ verdict: 'not-allowed', toolVersion: '12.2.3' });
    const w = words(f);
    expect(w.message).toBe(
      'gyp@1.0.0 on host: its binary comes from its install script (source-build); npm 12.2.3 will not run it: ' +
        'it is not in allowScripts, and npm 12 blocks every install script allowScripts does not cover',
    );
    expect(w.fix).toContain('then `npm rebuild gyp`');
    expect(summary.tools).toEqual([{ tool: 'npm', source: null, version: '12.2.3' }]);
  });

  it('npm 11: a warning, the outcome stays, the words as before', () => {
    const { report } = pass(NPM11);
    expect(report.packages[0]!.predictions[0]!.outcome).toBe('source-build');
    const f = report.findings.find((x) => x.code === 'INSTALL_SCRIPT_DENIED')!;
    expect(f.severity).toBe('warning');
    expect(words(f).message).toContain('it runs today with a warning');
  });
});
