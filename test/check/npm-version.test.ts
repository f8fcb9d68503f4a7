// npm 12 does not read npm-shrinkwrap.json (checked with npm 12.2.3: `npm ci` with only a shrinkwrap
// fails EUSAGE); npm 11 does, and reads it first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmVersionFindings } from '../../src/check/npm-version.js';
import { describe as words } from '../../src/report/messages.js';
import { CLI, ensureBuilt } from '../helpers/build.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-npm-version-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LOCK = JSON.stringify({
  name: 'p',
  lockfileVersion: 3,
  requires: true,
  packages: { '': { name: 'p' } },
});
function project(files: string[]): string {
  const dir = mkdtempSync(join(scratch, 'p-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0"}');
  for (const f of files) writeFileSync(join(dir, f), LOCK);
  return dir;
}
const NPM12 = { version: '12.2.3', major: 12, source: 'user-agent' as const };

describe('npmVersionFindings', () => {
  it('npm 12 and only a shrinkwrap: an error, with the rename as the fix', () => {
    const [f] = npmVersionFindings(project(['npm-shrinkwrap.json']), NPM12);
    expect(f).toMatchObject({
      code: 'NPM_SHRINKWRAP_IGNORED',
      severity: 'error',
      evidence: { npmVersion: '12.2.3', packageLock: false },
    });
    expect(words(f!).message).toContain('npm 12.2.3 ignores npm-shrinkwrap.json: `npm ci` fails');
    expect(words(f!).fix).toContain('git mv npm-shrinkwrap.json package-lock.json');
  });

  it('npm 12 with both: a warning; npm 11, an unknown npm, or no shrinkwrap: nothing', () => {
    expect(npmVersionFindings(project(['npm-shrinkwrap.json', 'package-lock.json']), NPM12)).toMatchObject([
      { severity: 'warning', evidence: { packageLock: true } },
    ]);
    const only = project(['npm-shrinkwrap.json']);
    expect(npmVersionFindings(only, { version: '11.19.1', major: 11, source: 'path' })).toEqual([]);
    expect(npmVersionFindings(only, null)).toEqual([]);
    expect(npmVersionFindings(project(['package-lock.json']), NPM12)).toEqual([]);
  });
});

describe('check --json under npm 12 (the built CLI, as a hook would run it)', () => {
  beforeAll(() => ensureBuilt());
  it('reports the npm it assumed and the ignored shrinkwrap', () => {
    const dir = project(['npm-shrinkwrap.json']);
    const env = {
      ...process.env,
      NO_COLOR: '1',
      npm_config_user_agent: 'npm/12.2.3 node/v22.23.5 linux x64',
    };
    const r = spawnSync(process.execPath, [CLI, 'check', '--json'], { cwd: dir, env, encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as { npm: unknown; findings: Array<{ code: string }> };
    expect(report.npm).toEqual(NPM12);
    expect(report.findings.map((f) => f.code)).toEqual(['NPM_SHRINKWRAP_IGNORED']);
    expect(r.status).toBe(1);
  });
});
