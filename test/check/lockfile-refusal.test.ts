import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HERE, recordKey } from '../../bench/truth/lib.mjs';
import { lockfileRefusal } from '../../src/check/lockfile.js';
import { describe as describeFinding } from '../../src/report/messages.js';
import { loadLockfileTree } from '../../src/tree/virtual.js';
import { analyzeTree } from '../helpers/analyze.js';

/**
 * Real lockfiles from the truth harness (bench/truth/records): `npm install --package-lock-only`
 * against a registry that does not serve some of the family's platform packages left them out,
 * and the real `npm ci` (npm 11) then stopped with EUSAGE on every target:
 *   npm error Missing: node-unix-socket-darwin-arm64@ from lock file   (…and four more)
 */
const scratch = mkdtempSync(join(tmpdir(), 'ng-refusal-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function projectOf(name: string, version: string): string {
  const dir = join(scratch, recordKey(name, version));
  mkdirSync(dir);
  const lockText = readFileSync(join(HERE, 'records', `${recordKey(name, version)}.lock.json`), 'utf8');
  const lock = JSON.parse(lockText) as {
    packages: Record<string, { dependencies?: Record<string, string> }>;
  };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'truth-project',
      version: '1.0.0',
      private: true,
      dependencies: lock.packages['']?.dependencies,
    }),
  );
  writeFileSync(join(dir, 'package-lock.json'), lockText);
  return dir;
}

describe('a lockfile npm ci refuses (LOCKFILE_ENTRIES_MISSING)', () => {
  it('names every optional dependency the lockfile lacks, as npm ci does (node-unix-socket 0.2.7)', async () => {
    const tree = await loadLockfileTree(projectOf('node-unix-socket', '0.2.7'));
    const refusal = lockfileRefusal(tree);
    expect(refusal?.findings).toHaveLength(1);
    const f = refusal!.findings[0]!;
    expect(f).toMatchObject({
      code: 'LOCKFILE_ENTRIES_MISSING',
      severity: 'error',
      package: 'node-unix-socket@0.2.7',
    });
    // the five names npm 11's `npm ci` printed for this very lockfile
    expect(f.code === 'LOCKFILE_ENTRIES_MISSING' && f.evidence.missing.map((m) => m.name)).toEqual([
      'node-unix-socket-darwin-arm64',
      'node-unix-socket-darwin-x64',
      'node-unix-socket-linux-arm-gnueabihf',
      'node-unix-socket-linux-arm64-gnu',
      'node-unix-socket-linux-arm64-musl',
    ]);
    expect(describeFinding(f).message).toContain('npm ci');
  });

  it('turns every prediction into fails, the linux-x64 package in the lockfile notwithstanding (@lancedb/lancedb 0.37.1)', async () => {
    const tree = await loadLockfileTree(projectOf('@lancedb/lancedb', '0.37.1'));
    const report = analyzeTree(tree, ['host', 'node22-linux-x64', 'node22-linux-arm64']);
    const lancedb = report.packages.find((p) => p.name === '@lancedb/lancedb');
    expect(lancedb?.predictions.map((p) => p.outcome)).toEqual(['fails', 'fails', 'fails']);
    expect(lancedb?.predictions[0]?.evidence[0]).toMatchObject({ kind: 'lockfile-refused' });
    const refused = report.findings.filter((f) => f.code === 'LOCKFILE_ENTRIES_MISSING');
    expect(refused.map((f) => f.package)).toEqual(['@lancedb/lancedb@0.37.1']);
  });

  it('says nothing of a complete lockfile: every platform package of sharp 0.35.6 has its entry', async () => {
    const tree = await loadLockfileTree(projectOf('sharp', '0.35.6'));
    expect(lockfileRefusal(tree)).toBeNull();
    const report = analyzeTree(tree, ['host']);
    expect(report.findings.filter((f) => f.code === 'LOCKFILE_ENTRIES_MISSING')).toEqual([]);
  });
});
