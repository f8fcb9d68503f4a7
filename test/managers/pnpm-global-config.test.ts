// pnpm 11's global config.yaml: where pnpm 11 looks for it, and what of it the build policy takes.
// What each case expects is what the real pnpm 11.29.0 did (its exit status, `Ignored build
// scripts`, the build running or not) with the same file; the real install is in
// test/e2e/manager-hooks.test.ts ("pnpm 11, strictDepBuilds: false in the global config.yaml").
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  pnpmGlobalBuildSettings,
  pnpmGlobalConfigFile,
  pnpmGlobalRcFile,
} from '../../src/managers/pnpm-global-config.js';
import type { PackageRecord } from '../../src/model/package.js';
import type { NpmConfigView } from '../../src/tree/npm-config.js';
import { pnpmScriptPolicy } from '../../src/tree/pnpm-policy.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-pnpm-global-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('where pnpm 11 reads its global config.yaml (its getConfigDir)', () => {
  it('$XDG_CONFIG_HOME/pnpm first, on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'])
      expect(pnpmGlobalConfigFile({ XDG_CONFIG_HOME: '/x', HOME: '/h' }, platform)).toBe(
        join('/x', 'pnpm', 'config.yaml'),
      );
  });

  it('else ~/.config/pnpm on Linux, ~/Library/Preferences/pnpm on macOS, %LOCALAPPDATA%/pnpm/config on Windows', () => {
    expect(pnpmGlobalConfigFile({ HOME: '/h' }, 'linux')).toBe(join('/h', '.config', 'pnpm', 'config.yaml'));
    expect(pnpmGlobalConfigFile({ XDG_CONFIG_HOME: '', HOME: '/h' }, 'linux')).toBe(
      join('/h', '.config', 'pnpm', 'config.yaml'),
    );
    expect(pnpmGlobalConfigFile({ HOME: '/h' }, 'darwin')).toBe(
      join('/h', 'Library', 'Preferences', 'pnpm', 'config.yaml'),
    );
    expect(pnpmGlobalConfigFile({ LOCALAPPDATA: '/l', USERPROFILE: '/u' }, 'win32')).toBe(
      join('/l', 'pnpm', 'config', 'config.yaml'),
    );
    expect(pnpmGlobalConfigFile({ USERPROFILE: '/u' }, 'win32')).toBe(
      join('/u', '.config', 'pnpm', 'config.yaml'),
    );
  });

  it("pnpm 10's rc sits in the same folder", () => {
    expect(pnpmGlobalRcFile({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(join('/x', 'pnpm', 'rc'));
    expect(pnpmGlobalRcFile({ HOME: '/h' }, 'linux')).toBe(join('/h', '.config', 'pnpm', 'rc'));
    expect(pnpmGlobalRcFile({}, 'linux')).toBeNull();
  });

  it('no home folder in the environment: none (the machine’s own is never guessed)', () => {
    expect(pnpmGlobalConfigFile({}, 'linux')).toBeNull();
    expect(pnpmGlobalConfigFile({ USERPROFILE: '/u' }, 'linux')).toBeNull();
  });
});

describe('the build settings a global config.yaml can set', () => {
  it('strictDepBuilds and dangerouslyAllowAllBuilds, as booleans only', () => {
    expect(pnpmGlobalBuildSettings({ strictDepBuilds: false, dangerouslyAllowAllBuilds: true })).toEqual({
      strictDepBuilds: false,
      dangerouslyAllowAllBuilds: true,
    });
    expect(pnpmGlobalBuildSettings({ strictDepBuilds: 'false', dangerouslyAllowAllBuilds: 1 })).toEqual({});
  });

  it('not allowBuilds or onlyBuiltDependencies (pnpm 11 warns and ignores them there)', () => {
    expect(
      pnpmGlobalBuildSettings({ allowBuilds: { bufferutil: false }, onlyBuiltDependencies: ['x'] }),
    ).toEqual({});
  });

  it('not a mapping: nothing', () => {
    for (const doc of [null, undefined, 'strictDepBuilds: false', [], 3])
      expect(pnpmGlobalBuildSettings(doc)).toBeNull();
    // an inherited key is not a setting
    expect(pnpmGlobalBuildSettings(Object.create({ strictDepBuilds: false }))).toEqual({});
  });
});

const npm: NpmConfigView = {
  cache: '/nonexistent',
  offline: false,
  ignoreScripts: false,
  flat: {},
  loadError: null,
};
const bufferutil = {
  name: 'bufferutil',
  version: '4.1.0',
  id: 'bufferutil@4.1.0',
  manifest: { scripts: { install: 'node-gyp-build' } },
} as unknown as PackageRecord;

/** A pnpm project and a config folder, `config.yaml` in it holding `global` (when given). */
function setup(version: string, files: Record<string, string>, global?: string) {
  const dir = mkdtempSync(join(scratch, 'p-'));
  const root = join(dir, 'project');
  mkdirSync(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ packageManager: `pnpm@${version}` }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  const xdg = join(dir, 'xdg');
  if (global !== undefined) {
    mkdirSync(join(xdg, 'pnpm'), { recursive: true });
    writeFileSync(join(xdg, 'pnpm', 'config.yaml'), global);
  }
  const env = { XDG_CONFIG_HOME: xdg };
  return { policy: pnpmScriptPolicy(root, npm, { env }), file: join(xdg, 'pnpm', 'config.yaml') };
}

describe('pnpm 11 with a global config.yaml (measured with pnpm 11.29.0)', () => {
  it('strictDepBuilds: false there: an undecided build is skipped, not a failed install', () => {
    // pnpm: exit 0, "Ignored build scripts: bufferutil@4.1.0."
    const { policy } = setup('11.29.0', {}, 'strictDepBuilds: false\n');
    expect(policy.strict).toBeUndefined();
    expect(policy.verdict(bufferutil)).toBe('not-allowed');
  });

  it('strictDepBuilds: true there is named as the source', () => {
    const { policy, file } = setup('11.29.0', {}, 'strictDepBuilds: true\n');
    expect(policy.strict).toEqual({ source: file, keepsIgnoredBuilds: false });
    expect(policy.verdict(bufferutil)).toBe('unreviewed-strict');
  });

  it('pnpm-workspace.yaml and pnpm_config_strict_dep_builds win over it', () => {
    // pnpm: strictDepBuilds: true in pnpm-workspace.yaml and false in config.yaml, ERR_PNPM_IGNORED_BUILDS
    const yaml = setup(
      '11.29.0',
      { 'pnpm-workspace.yaml': 'strictDepBuilds: true\n' },
      'strictDepBuilds: false\n',
    );
    expect(yaml.policy.strict?.source).toBe('pnpm-workspace.yaml');
    expect(yaml.policy.verdict(bufferutil)).toBe('unreviewed-strict');
    const { file } = setup('11.29.0', {}, 'strictDepBuilds: true\n');
    const root = join(file, '..', '..', '..', 'project');
    const env = { XDG_CONFIG_HOME: join(file, '..', '..'), pnpm_config_strict_dep_builds: 'false' };
    expect(pnpmScriptPolicy(root, npm, { env }).strict).toBeUndefined();
    expect(
      pnpmScriptPolicy(root, npm, { env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME } }).strict?.source,
    ).toBe(file);
  });

  it('allowBuilds there is ignored, as pnpm ignores it: the install still fails on the build', () => {
    // pnpm: "cannot be set in the global config file … and were ignored: "allowBuilds"", exit 1
    const { policy } = setup('11.29.0', {}, 'allowBuilds:\n  bufferutil: false\n');
    expect(policy.verdict(bufferutil)).toBe('unreviewed-strict');
    expect(policy.strict?.source).toBeNull();
  });

  it('dangerouslyAllowAllBuilds: true there runs every build, even one pnpm-workspace.yaml denies', () => {
    // pnpm: `bufferutil install$ node-gyp-build` with `allowBuilds: { bufferutil: false }` in the project
    const { policy, file } = setup(
      '11.29.0',
      { 'pnpm-workspace.yaml': 'allowBuilds:\n  bufferutil: false\n' },
      'dangerouslyAllowAllBuilds: true\n',
    );
    expect(policy.verdict(bufferutil)).toBe('allowed');
    expect(policy.source).toBe(file);
  });

  it('no config.yaml, or one that does not parse: the pnpm 11 default (strict)', () => {
    for (const global of [undefined, 'strictDepBuilds: [\n', '- a list\n']) {
      const { policy } = setup('11.29.0', {}, global);
      expect(policy.strict).toEqual({ source: null, keepsIgnoredBuilds: false });
    }
  });

  it('pnpm 10 reads no config.yaml', () => {
    const { policy } = setup('10.34.9', {}, 'strictDepBuilds: true\ndangerouslyAllowAllBuilds: true\n');
    expect(policy.strict).toBeUndefined();
    expect(policy.verdict(bufferutil)).toBe('not-allowed');
  });
});

describe("pnpm 10's strict-dep-builds in npmrc files (measured with pnpm 10.34.9)", () => {
  /** A pnpm 10 project, a home folder and a config folder; each file only when its text is given. */
  function pnpm10(
    files: { npmrc?: string; userNpmrc?: string; rc?: string },
    extra: Record<string, string> = {},
  ) {
    const dir = mkdtempSync(join(scratch, 'p10-'));
    const root = join(dir, 'project');
    const home = join(dir, 'home');
    const xdg = join(dir, 'xdg');
    for (const d of [root, home, join(xdg, 'pnpm')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ packageManager: 'pnpm@10.34.9' }));
    if (files.npmrc !== undefined) writeFileSync(join(root, '.npmrc'), files.npmrc);
    if (files.userNpmrc !== undefined) writeFileSync(join(home, '.npmrc'), files.userNpmrc);
    if (files.rc !== undefined) writeFileSync(join(xdg, 'pnpm', 'rc'), files.rc);
    const env = { HOME: home, XDG_CONFIG_HOME: xdg, ...extra };
    return { policy: pnpmScriptPolicy(root, npm, { env }), home, rc: join(xdg, 'pnpm', 'rc') };
  }
  const on = 'strict-dep-builds=true\n';
  const off = 'strict-dep-builds=false\n';

  it('pnpm’s global rc alone turns it on (pnpm: ERR_PNPM_IGNORED_BUILDS)', () => {
    const { policy, rc } = pnpm10({ rc: on });
    expect(policy.strict?.source).toBe(rc);
    expect(policy.verdict(bufferutil)).toBe('unreviewed-strict');
  });

  it('the user’s ~/.npmrc alone turns it on, and wins over the global rc', () => {
    const { policy, home } = pnpm10({ userNpmrc: on, rc: off });
    expect(policy.strict?.source).toBe(join(home, '.npmrc'));
    expect(pnpm10({ userNpmrc: off, rc: on }).policy.strict).toBeUndefined();
  });

  it('the project’s .npmrc and npm_config_strict_dep_builds win over the global rc', () => {
    expect(pnpm10({ npmrc: off, rc: on }).policy.strict).toBeUndefined();
    expect(pnpm10({ npmrc: on, rc: off }).policy.strict?.source).toBe('.npmrc');
    expect(pnpm10({ rc: on }, { npm_config_strict_dep_builds: 'false' }).policy.strict).toBeUndefined();
  });

  it('pnpm 11 reads none of them (pnpm 11.29.0 with strict-dep-builds=false in its rc: ERR_PNPM_IGNORED_BUILDS)', () => {
    const dir = mkdtempSync(join(scratch, 'p11rc-'));
    mkdirSync(join(dir, 'xdg', 'pnpm'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ packageManager: 'pnpm@11.29.0' }));
    writeFileSync(join(dir, 'xdg', 'pnpm', 'rc'), off);
    const policy = pnpmScriptPolicy(dir, npm, { env: { XDG_CONFIG_HOME: join(dir, 'xdg') } });
    expect(policy.strict).toEqual({ source: null, keepsIgnoredBuilds: false });
  });
});
