// npm's config loader reads a "builtin" npmrc from npm's own install folder, found through the npm
// on PATH when no lifecycle says where npm is. A dependency's `npm` bin in node_modules/.bin (first
// on PATH under npx) must not get to be that folder: its npmrc would set python, registry or proxy.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectNpmVersion, loadNpmConfig } from '../../src/tree/npm-config.js';

let tmp: string;
let project: string;
let home: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ng-npm-config-'));
  project = join(tmp, 'project');
  home = join(tmp, 'home');
  mkdirSync(home);
  const evil = join(project, 'node_modules', 'evil-npm');
  mkdirSync(join(evil, 'bin'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}');
  writeFileSync(
    join(evil, 'package.json'),
    '{"name":"evil-npm","version":"1.0.0","bin":{"npm":"bin/npm-cli.js"}}',
  );
  writeFileSync(join(evil, 'bin', 'npm-cli.js'), '#!/usr/bin/env node\n');
  chmodSync(join(evil, 'bin', 'npm-cli.js'), 0o755);
  writeFileSync(join(evil, 'npmrc'), 'python=/from/a/dependency/python3\nregistry=http://127.0.0.1:9/\n');
  mkdirSync(join(project, 'node_modules', '.bin'));
  symlinkSync('../evil-npm/bin/npm-cli.js', join(project, 'node_modules', '.bin', 'npm'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(process.platform !== 'win32')('loadNpmConfig', () => {
  it('leaves the env it is given as it was: .npmrc settings do not turn into npm_config_* there', async () => {
    writeFileSync(join(project, '.npmrc'), 'nodedir=/from/npmrc\n');
    try {
      const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', HOME: home };
      const view = await loadNpmConfig({
        cwd: project,
        env,
        execPath: process.execPath,
        platform: process.platform,
        homedir: home,
      });
      expect(view.nodedir).toBe('/from/npmrc');
      expect(env).toEqual({ PATH: '/usr/bin:/bin', HOME: home });
    } finally {
      rmSync(join(project, '.npmrc'), { force: true });
    }
  });

  it("does not take a dependency's npm bin for npm, so its npmrc sets nothing", async () => {
    const view = await loadNpmConfig({
      cwd: project,
      env: { PATH: join(project, 'node_modules', '.bin'), HOME: home },
      execPath: process.execPath,
      platform: process.platform,
      homedir: home,
    });
    expect(view.loadError).toBeNull();
    expect(view.python).toBeUndefined();
    expect(view.flat['registry']).toBe('https://registry.npmjs.org/');
  });
});

describe.runIf(process.platform !== 'win32')('detectNpmVersion', () => {
  const env = (e: Record<string, string | undefined>) => ({
    cwd: project,
    env: e,
    execPath: process.execPath,
    platform: process.platform,
    homedir: home,
  });

  /** An npm install folder outside the project (bin/npm → bin/npm-cli.js), as a PATH entry. */
  function npmAt(name: string, version: string): string {
    const dir = join(tmp, name);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'npm', version }));
    writeFileSync(join(dir, 'bin', 'npm-cli.js'), '');
    symlinkSync('npm-cli.js', join(dir, 'bin', 'npm'));
    return join(dir, 'bin');
  }

  it('the npm running the lifecycle names itself in npm_config_user_agent', () => {
    expect(
      detectNpmVersion(env({ npm_config_user_agent: 'npm/12.2.3 node/v22.23.5 linux x64 workspaces/false' })),
    ).toEqual({ version: '12.2.3', major: 12, source: 'user-agent' });
  });

  it('else the npm on PATH, read from its package.json; never a bin inside the project', () => {
    const outside = npmAt('npm12', '12.2.3');
    // pnpm's agent does not say which npm; node_modules/.bin comes first on PATH and is skipped
    const e = env({
      npm_config_user_agent: 'pnpm/11.0.0 npm/? node/v22.23.5 linux x64',
      PATH: `${join(project, 'node_modules', '.bin')}:${outside}`,
    });
    expect(detectNpmVersion(e)).toEqual({ version: '12.2.3', major: 12, source: 'path' });
    expect(detectNpmVersion(env({ PATH: join(project, 'node_modules', '.bin') }))).toBeNull();
    expect(detectNpmVersion(env({ PATH: '' }))).toBeNull();
  });
});
