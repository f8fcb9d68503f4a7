// pnpm's build policy reader: strictDepBuilds per pnpm version and per source, the installed tree's
// .modules.yaml ignoredBuilds, and the setting a suggestion uses. What each case expects is what the
// real pnpm 10.34.9 and 11.29.0 did with the same settings (docs/findings.md#install_fails_ignored_build).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackageRecord } from '../../src/model/package.js';
import type { NpmConfigView } from '../../src/tree/npm-config.js';
import { pnpmScriptPolicy, readIgnoredBuilds } from '../../src/tree/pnpm-policy.js';
import type { PnpmContext } from '../../src/tree/pnpm-policy.js';

const scratch = mkdtempSync(join(tmpdir(), 'ng-pnpm-policy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const npm: NpmConfigView = {
  cache: '/nonexistent',
  offline: false,
  ignoreScripts: false,
  flat: {},
  loadError: null,
};

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'p-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const rec = (name: string, version = '1.0.0') =>
  ({
    name,
    version,
    id: `${name}@${version}`,
    manifest: { scripts: { install: 'x' } },
  }) as unknown as PackageRecord;

const pm = (version: string) => JSON.stringify({ packageManager: `pnpm@${version}` });
const verdictOf = (files: Record<string, string>, ctx: PnpmContext = {}, name = 'bufferutil') =>
  pnpmScriptPolicy(project(files), npm, ctx).verdict(rec(name));

describe('strictDepBuilds, pnpm 10 (off by default)', () => {
  it('off by default: an unapproved build is skipped, not a failed install', () => {
    const p = pnpmScriptPolicy(project({ 'package.json': pm('10.34.9') }), npm);
    expect(p.verdict(rec('bufferutil'))).toBe('not-allowed');
    expect(p.strict).toBeUndefined();
  });

  it('on from pnpm-workspace.yaml, npm_config_strict_dep_builds or .npmrc; the yaml wins over the environment', () => {
    const yaml = pnpmScriptPolicy(
      project({ 'package.json': pm('10.34.9'), 'pnpm-workspace.yaml': 'strictDepBuilds: true\n' }),
      npm,
    );
    expect(yaml.verdict(rec('bufferutil'))).toBe('unreviewed-strict');
    expect(yaml.strict).toEqual({ source: 'pnpm-workspace.yaml', keepsIgnoredBuilds: true });
    const env = { npm_config_strict_dep_builds: 'true' };
    expect(pnpmScriptPolicy(project({ 'package.json': pm('10.34.9') }), npm, { env }).strict?.source).toBe(
      'npm_config_strict_dep_builds',
    );
    expect(verdictOf({ 'package.json': pm('10.34.9'), '.npmrc': 'strict-dep-builds=true\n' })).toBe(
      'unreviewed-strict',
    );
    expect(
      verdictOf(
        { 'package.json': pm('10.34.9'), 'pnpm-workspace.yaml': 'strictDepBuilds: false\n' },
        { env },
      ),
    ).toBe('not-allowed');
    // pnpm 11's variable is not pnpm 10's
    expect(
      verdictOf({ 'package.json': pm('10.34.9') }, { env: { pnpm_config_strict_dep_builds: 'true' } }),
    ).toBe('not-allowed');
  });

  it('package.json "pnpm".strictDepBuilds is not read by pnpm 10 (its build lists there are)', () => {
    const pkg = JSON.stringify({
      packageManager: 'pnpm@10.34.9',
      pnpm: { strictDepBuilds: true, onlyBuiltDependencies: ['is-number'] },
    });
    expect(verdictOf({ 'package.json': pkg })).toBe('not-allowed');
    expect(verdictOf({ 'package.json': pkg }, {}, 'is-number')).toBe('allowed');
  });

  it('denied quietly under strict: allowBuilds false and ignoredBuiltDependencies; neverBuiltDependencies fails', () => {
    const strict = 'strictDepBuilds: true\n';
    expect(
      verdictOf({
        'package.json': pm('10.34.9'),
        'pnpm-workspace.yaml': `${strict}allowBuilds:\n  bufferutil: false\n`,
      }),
    ).toBe('denied');
    expect(
      verdictOf({
        'package.json': pm('10.34.9'),
        'pnpm-workspace.yaml': `${strict}ignoredBuiltDependencies:\n  - bufferutil\n`,
      }),
    ).toBe('denied');
    expect(
      verdictOf({
        'package.json': pm('10.34.9'),
        'pnpm-workspace.yaml': `${strict}neverBuiltDependencies:\n  - bufferutil\n`,
      }),
    ).toBe('unreviewed-strict');
    expect(
      verdictOf({
        'package.json': pm('10.34.9'),
        'pnpm-workspace.yaml': `${strict}onlyBuiltDependencies:\n  - bufferutil\n`,
      }),
    ).toBe('allowed');
  });
});

describe('strictDepBuilds, pnpm 11 (on by default)', () => {
  it('on by default; pnpm_config_strict_dep_builds beats the yaml; npm_config_ and .npmrc are not read', () => {
    const p = pnpmScriptPolicy(project({ 'package.json': pm('11.29.0') }), npm);
    expect(p.verdict(rec('bufferutil'))).toBe('unreviewed-strict');
    expect(p.strict).toEqual({ source: null, keepsIgnoredBuilds: false });
    expect(
      verdictOf({ 'package.json': pm('11.29.0'), 'pnpm-workspace.yaml': 'strictDepBuilds: false\n' }),
    ).toBe('not-allowed');
    expect(
      verdictOf(
        { 'package.json': pm('11.29.0'), 'pnpm-workspace.yaml': 'strictDepBuilds: true\n' },
        { env: { pnpm_config_strict_dep_builds: 'false' } },
      ),
    ).toBe('not-allowed');
    expect(
      verdictOf(
        { 'package.json': pm('11.29.0'), '.npmrc': 'strict-dep-builds=false\n' },
        { env: { npm_config_strict_dep_builds: 'false' } },
      ),
    ).toBe('unreviewed-strict');
  });

  it('package.json "pnpm" is not read at all; allowBuilds false in the yaml is a quiet deny', () => {
    const pkg = JSON.stringify({
      packageManager: 'pnpm@11.29.0',
      pnpm: { allowBuilds: { bufferutil: true } },
    });
    const p = pnpmScriptPolicy(project({ 'package.json': pkg }), npm);
    expect(p.source).toBeNull();
    expect(p.verdict(rec('bufferutil'))).toBe('unreviewed-strict');
    expect(
      verdictOf({
        'package.json': pm('11.29.0'),
        'pnpm-workspace.yaml': 'allowBuilds:\n  bufferutil: false\n',
      }),
    ).toBe('denied');
  });

  it('the detected version (user agent, .modules.yaml) wins over packageManager', () => {
    expect(verdictOf({ 'package.json': pm('10.34.9') }, { version: '11.29.0' })).toBe('unreviewed-strict');
    expect(verdictOf({ 'package.json': pm('11.29.0') }, { version: '10.34.9' })).toBe('not-allowed');
    // unknown: read as pnpm 10
    expect(verdictOf({ 'package.json': '{}' })).toBe('not-allowed');
  });
});

describe('.modules.yaml ignoredBuilds (installed trees only)', () => {
  const modules = (ignored: string[]) =>
    JSON.stringify({
      layoutVersion: 5,
      nodeLinker: 'isolated',
      packageManager: 'pnpm@10.34.9',
      ignoredBuilds: ignored,
    });

  it('name@version (pnpm 10.34, 11) and bare names (early pnpm 10)', () => {
    const dir = project({
      'package.json': pm('10.34.9'),
      'node_modules/.modules.yaml': modules(['bufferutil@4.1.0', 'esbuild']),
    });
    expect([...readIgnoredBuilds(dir)!]).toEqual(['bufferutil@4.1.0', 'esbuild']);
    const p = pnpmScriptPolicy(dir, npm, { installed: true });
    expect(p.ignoredAtLastInstall?.(rec('bufferutil', '4.1.0'))).toBe(true);
    expect(p.ignoredAtLastInstall?.(rec('bufferutil', '4.2.0'))).toBe(false);
    expect(p.ignoredAtLastInstall?.(rec('esbuild', '0.25.0'))).toBe(true);
    expect(p.ignoredAtLastInstall?.(rec('sharp'))).toBe(false);
  });

  it('not read for a lockfile check, nor when there is no such file', () => {
    const dir = project({
      'package.json': pm('10.34.9'),
      'node_modules/.modules.yaml': modules(['bufferutil@1.0.0']),
    });
    expect(pnpmScriptPolicy(dir, npm).ignoredAtLastInstall).toBeUndefined();
    expect(readIgnoredBuilds(project({ 'package.json': '{}' }))).toBeNull();
    expect(
      pnpmScriptPolicy(project({ 'package.json': '{}' }), npm, { installed: true }).ignoredAtLastInstall,
    ).toBe(undefined);
  });
});

describe('the setting a build is allowed with', () => {
  const settingOf = (version: string) =>
    pnpmScriptPolicy(project({ 'package.json': pm(version) }), npm).allowSetting?.key ?? null;
  it('allowBuilds from pnpm 10.26, onlyBuiltDependencies before, nothing for pnpm 9', () => {
    expect(settingOf('10.25.1')).toBe('onlyBuiltDependencies');
    expect(settingOf('10.26.0')).toBe('allowBuilds');
    expect(settingOf('11.29.0')).toBe('allowBuilds');
    expect(settingOf('9.15.0')).toBeNull();
    expect(pnpmScriptPolicy(project({ 'package.json': '{}' }), npm).allowSetting?.key).toBe('allowBuilds');
  });
});
