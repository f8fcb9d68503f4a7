// Install-script chains on the real registry tarballs, in lockfile mode, from the lockfiles the
// truth harness committed (bench/truth/records/): what each package's `npm ci` really did is in the
// record beside its lockfile, quoted at each case.
//   mmap-io 1.1.7: install `npm run build-addon` → `node-gyp configure && node-gyp rebuild`
//   scrypt 6.0.3:  preinstall `node node-scrypt-preinstall.js`, install `node-gyp rebuild`
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';

const RECORDS = fileURLToPath(new URL('../../bench/truth/records', import.meta.url));
const SLIM = 'node:22-bookworm-slim';
const FULL = 'node:22-bookworm';
const scratch = mkdtempSync(join(tmpdir(), 'ng-script-chains-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** package.json and the committed package-lock.json of one truth record: nothing installed. */
function lockfileProject(pkg: string): string {
  const dir = join(scratch, pkg);
  mkdirSync(dir, { recursive: true });
  const lockFile = join(RECORDS, `${pkg}.lock.json`);
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as {
    packages: Record<string, { dependencies?: Record<string, string> }>;
  };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'truth-project',
      version: '1.0.0',
      private: true,
      dependencies: lock.packages['']!.dependencies,
    }),
  );
  copyFileSync(lockFile, join(dir, 'package-lock.json'));
  return dir;
}

/** The truth harness's label for one run of a record (install-failed, worked-compiled, …). */
function truth(pkg: string, run: string): string | undefined {
  const record = JSON.parse(readFileSync(join(RECORDS, `${pkg}.json`), 'utf8')) as {
    runs: Record<string, { truth?: { label?: string } }>;
  };
  return record.runs[run]?.truth?.label;
}

const verdict = (r: CheckReport, name: string, id: string) => {
  const pkg = r.packages.find((p) => p.name === name);
  expect(r.targets.map((t) => t.id)).toContain(id);
  return {
    strategies: pkg?.strategies,
    outcome: pkg?.predictions.find((p) => p.target === id)?.outcome,
    findings: r.findings
      .filter((f) => f.package?.startsWith(`${name}@`) && f.target === id)
      .map((f) => `${f.code}/${f.severity}`)
      .filter((c) => !c.startsWith('INSTALL_SCRIPT_DENIED/'))
      .sort(),
  };
};

let mmap: CheckReport;
let scrypt: CheckReport;
beforeAll(async () => {
  const opts = { targets: [SLIM, FULL], today: '2026-12-06', indexCache: null };
  [mmap, scrypt] = await Promise.all([
    check({ cwd: lockfileProject('mmap-io@1.1.7'), ...opts }),
    check({ cwd: lockfileProject('scrypt@6.0.3'), ...opts }),
  ]);
}, 5 * 60_000);

describe('install-script chains of real packages, read from their registry tarballs', () => {
  it('mmap-io 1.1.7: `npm run build-addon` is followed to its node-gyp build', () => {
    expect(mmap.mode).toBe('lockfile');
    // truth: without a toolchain (slim, node22-slim, node24-slim) `npm ci` fails in node-gyp
    expect(truth('mmap-io@1.1.7', 'node22-slim')).toBe('install-failed');
    expect(verdict(mmap, 'mmap-io', SLIM)).toEqual({
      strategies: ['source-build'],
      outcome: 'fails',
      findings: ['TOOLCHAIN_MISSING/error'],
    });
    // with a toolchain the build fails too: binding.gyp pins -std=c++11 for its target, after
    // node-gyp's -std=gnu++17, and the Node headers need C++17 (truth: the host install failed)
    expect(truth('mmap-io@1.1.7', 'host')).toBe('install-failed');
    expect(verdict(mmap, 'mmap-io', FULL)).toEqual({
      strategies: ['source-build'],
      outcome: 'fails',
      findings: ['BUILD_CXX_STANDARD_TOO_OLD/error'],
    });
  });

  it('scrypt 6.0.3: the unread preinstall is said beside the install it does not decide', () => {
    expect(scrypt.mode).toBe('lockfile');
    // truth: without a toolchain the preinstall's ./configure and then node-gyp rebuild fail
    expect(truth('scrypt@6.0.3', 'node22-slim')).toBe('install-failed');
    expect(verdict(scrypt, 'scrypt', SLIM)).toEqual({
      strategies: ['unknown-script', 'source-build'],
      outcome: 'fails',
      findings: ['INSTALL_SCRIPT_UNKNOWN/warning', 'TOOLCHAIN_MISSING/error'],
    });
    expect(verdict(scrypt, 'scrypt', FULL)).toEqual({
      strategies: ['unknown-script', 'source-build'],
      outcome: 'source-build',
      findings: ['INSTALL_SCRIPT_UNKNOWN/warning', 'SOURCE_BUILD_REQUIRED/warning'],
    });
  });
});
