// npm's implicit `node-gyp rebuild` in lockfile mode, on a real package: iconv 3.0.1 has a
// binding.gyp, no install script and no `gypfile` in its published manifest, so its lockfile entry
// has no hasInstallScript, and yet `npm ci` compiles it (Arborist's rebuild looks for binding.gyp
// on disk: bench/truth/records/iconv@3.0.1.json has the real install on each target).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/run.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { currentHostEnvironment } from '../../src/targets/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-implicit-gyp-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const project = join(scratch, 'project');
// a cache of its own: what npm's cache holds is the point of the test
const cache = join(scratch, 'npm-cache');

const npm = (args: string[]) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    env: { ...process.env, npm_config_cache: cache },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 5 * 60_000,
  });

const run = () => {
  const base = currentHostEnvironment();
  return check({
    cwd: project,
    targets: ['host', 'node:22-slim'],
    today: '2026-12-06',
    indexCache: null,
    host: { ...base, env: { ...base.env, npm_config_cache: cache } },
  });
};

beforeAll(() => {
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'gyp-project',
      version: '1.0.0',
      private: true,
      dependencies: { iconv: '3.0.1' },
    }),
  );
  // the lockfile only: npm resolves from packuments and caches no tarball
  npm(['install', '--package-lock-only', '--ignore-scripts']);
}, 10 * 60_000);

describe('lockfile mode sees the node-gyp rebuild npm runs for a binding.gyp with no install script', () => {
  it('with the tarball not in npm cache: not claimed native, and the report says what was not looked at', async () => {
    const report = await run();
    expect(report.mode).toBe('lockfile');
    expect(report.packages.map((p) => p.name)).toEqual([]);
    expect(report.fetched).toMatchObject({ gypScanned: 1, gypUncached: 1 });
    const text = renderCheckText(report, { color: false });
    expect(text).toContain(
      "1 package without install scripts is not in npm's cache and was not looked at for a binding.gyp",
    );
  }, 120_000);

  it("with the tarball in npm's cache (read there, never fetched): a source build, which fails where there is no toolchain", async () => {
    npm(['cache', 'add', 'iconv@3.0.1']);
    const report = await run();
    const iconv = report.packages.find((p) => p.name === 'iconv');
    expect(iconv?.predictions.map((p) => `${p.target} ${p.outcome}`)).toEqual([
      'host source-build',
      'node:22-slim fails',
    ]);
    expect(iconv?.strategies).toContain('source-build');
    expect(report.findings.map((f) => `${f.code} ${f.target ?? ''}`)).toContain(
      'TOOLCHAIN_MISSING node:22-slim',
    );
    expect(report.fetched).toMatchObject({ tarballs: 0, gypScanned: 1, gypUncached: 0 });
  }, 120_000);
});
