// pnpm 10 runs no dependency build script that is not allowed. A real pnpm (fetched from the
// registry by npx) installs better-sqlite3 and bufferutil; the check of that tree must say which
// one breaks, and the packages must really behave so.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import type { CheckReport } from '../../src/model/reports.js';

const PNPM = 'pnpm@10.12.1';
const scratch = mkdtempSync(join(tmpdir(), 'ng-pnpm-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dir: string;
let install: ReturnType<typeof spawnSync>;
let report: CheckReport;

beforeAll(async () => {
  dir = join(scratch, 'project');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'pnpm-project',
      version: '1.0.0',
      private: true,
      packageManager: PNPM,
      dependencies: { 'better-sqlite3': '12.4.1', bufferutil: '4.1.0' },
    }),
  );
  install = spawnSync('npx', ['-y', PNPM, 'install', `--config.store-dir=${join(scratch, 'store')}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  report = await check({ cwd: dir, targets: ['host'] });
}, 15 * 60_000);

describe('pnpm 10 build policy on a real pnpm install', () => {
  it('pnpm ignored both build scripts', () => {
    expect(install.status).toBe(0);
    expect(String(install.stdout)).toMatch(/Ignored build scripts: better-sqlite3, bufferutil/);
  });

  it('better-sqlite3: needed and not allowed, so it fails — and really cannot load', () => {
    expect(report.findings.find((f) => f.code === 'INSTALL_SCRIPT_DENIED')).toMatchObject({
      severity: 'error',
      package: 'better-sqlite3@12.4.1',
      evidence: { tool: 'pnpm', verdict: 'not-allowed', needed: 'yes' },
    });
    expect(report.packages.find((p) => p.name === 'better-sqlite3')?.predictions[0]?.outcome).toBe('fails');
    const load = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:')"], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(load.status).not.toBe(0);
    expect(load.stderr).toMatch(/Could not locate the bindings file/);
  });

  it('bufferutil: its script is not needed (a bundled prebuild), and it loads', () => {
    expect(report.findings.find((f) => f.package === 'bufferutil@4.1.0')).toMatchObject({
      code: 'INSTALL_SCRIPT_NOT_NEEDED',
      evidence: { tool: 'pnpm', verdict: 'not-allowed' },
    });
    expect(report.packages.find((p) => p.name === 'bufferutil')?.predictions[0]?.outcome).toBe('prebuilt');
    const load = spawnSync(process.execPath, ['-e', "require('bufferutil')"], { cwd: dir, encoding: 'utf8' });
    expect(load.status).toBe(0);
  });

  it("the suggested block lists what must be allowed to build, in pnpm 10.12's onlyBuiltDependencies", () => {
    expect(report.scriptPolicy?.allowScripts).toEqual({ 'better-sqlite3': true });
    expect(report.scriptPolicy?.tools).toEqual([{ tool: 'pnpm', source: null, version: '10.12.1' }]);
    // allowBuilds came in pnpm 10.26
    expect(report.scriptPolicy?.allowSetting).toEqual({
      manager: 'pnpm',
      file: 'pnpm-workspace.yaml',
      key: 'onlyBuiltDependencies',
    });
  });
});
