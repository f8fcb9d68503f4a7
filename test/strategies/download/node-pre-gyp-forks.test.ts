// Template variables of the node-pre-gyp forks (issue 16): each fork expands its own set, and a
// `{word}` it does not set, or whose value the target does not tell, makes the URL not computable.
// The parity tests run the real forks (devDependencies) through the harness, on this machine.
import { versionSync } from 'detect-libc';
import { describe, expect, it } from 'vitest';
import { planNodePreGyp, type DownloadPackage } from '../../../src/strategies/download/index.js';
import { featuresOf } from '../../../src/strategies/download/node-pre-gyp-forks.js';
import type { Target } from '../../../src/model/target.js';
import { fixture, scriptArgs, slashes } from './cases.js';
import { runTool, toolVersion } from './run-tool.js';
import { HOST, makeTarget } from './targets.js';

const opus = fixture('discordjs-opus-0.10.0');
const install = scriptArgs(opus);
const DISCORDJS = '@discordjs/node-pre-gyp';
const MAPBOX = '@mapbox/node-pre-gyp';

const withLibcVersion = (t: Target, libcVersion: string | null): Target => ({ ...t, libcVersion });
const alpine = withLibcVersion(
  makeTarget('node:22-alpine', 'node', '22.21.1', 'linux', 'x64', 'musl'),
  '1.2.5',
);
const bookworm = withLibcVersion(
  makeTarget('node:22-bookworm', 'node', '22.21.1', 'linux', 'x64', 'glibc'),
  '2.36',
);
const plan = (
  pkg: DownloadPackage,
  target: Target,
  toolPackage?: string,
  toolVersion?: string,
  env: Record<string, string> = {},
) => planNodePreGyp({ pkg, args: install, target, env, npmCache: '/root/.npm', toolPackage, toolVersion });

/** The opus block without napi_versions, which would require {napi_build_version} in every template. */
const byAbi = (binary: Record<string, unknown>): DownloadPackage => {
  const { napi_versions: _napi, ...rest } = opus.binary!;
  return { ...opus, binary: { ...rest, module_path: './prebuild/{node_abi}', ...binary } };
};

/** This machine with the libc version detect-libc reads here, which the forks put into {libc_version}. */
const host = withLibcVersion(HOST, HOST.platform === 'linux' ? versionSync() : null);

describe('@discordjs/node-pre-gyp expands {libc_version}', () => {
  it('names @discordjs/opus by the musl version of an alpine target', () => {
    const p = plan(opus, alpine, DISCORDJS, '0.4.5');
    expect(p.problem).toBeUndefined();
    expect(p.url).toBe(
      'https://github.com/discordjs/opus/releases/download/v0.10.0/opus-v0.10.0-node-v127-napi-v3-linux-x64-musl-1.2.5.tar.gz',
    );
    expect(p.modulePath).toBe('prebuild/node-v127-napi-v3-linux-x64-musl-1.2.5/opus.node');
  });

  it('names it by the glibc version of a Debian target', () => {
    expect(plan(opus, bookworm, DISCORDJS, '0.4.5').url).toMatch(/-linux-x64-glibc-2\.36\.tar\.gz$/);
  });

  it('uses the newest @discordjs release when the version is not known', () => {
    expect(plan(opus, bookworm, DISCORDJS).url).toBe(plan(opus, bookworm, DISCORDJS, '0.4.5').url);
  });

  it('says unknown off Linux, where detect-libc has no version', () => {
    const mac = makeTarget('node22-darwin-arm64', 'node', '22.21.1', 'darwin', 'arm64', null);
    expect(plan(opus, mac, DISCORDJS, '0.4.5').url).toMatch(
      /opus-v0\.10\.0-node-v127-napi-v3-darwin-arm64-unknown-unknown\.tar\.gz$/,
    );
  });

  it('keeps the libc version when --target_libc names another libc, as the fork does', () => {
    const p = planNodePreGyp({
      pkg: opus,
      args: [...install, '--target_libc=musl'],
      target: bookworm,
      env: {},
      npmCache: '/root/.npm',
      toolPackage: DISCORDJS,
    });
    expect(p.url).toMatch(/-linux-x64-musl-2\.36\.tar\.gz$/);
  });

  it('gives no URL for a Linux target whose libc version is not known', () => {
    const glibc = makeTarget('node22-linux-x64-glibc', 'node', '22.21.1', 'linux', 'x64', 'glibc');
    const p = plan(opus, glibc, DISCORDJS, '0.4.5');
    expect(p.url).toBeNull();
    expect(p.modulePath).toBeUndefined();
    expect(p.problem).toEqual({
      code: 'TEMPLATE_VALUE_UNKNOWN',
      reason: { why: 'template-value-unknown', words: ['{libc_version}'] },
    });
    // the fallback the tool would take is still known
    expect(p.fallbackToBuild).toBe(true);
  });
});

describe('a {word} the fork does not set', () => {
  it('is TEMPLATE_UNSET for {libc_version} under @mapbox/node-pre-gyp, with no URL', () => {
    for (const v of ['1.0.11', '2.0.3']) {
      const p = plan(opus, bookworm, MAPBOX, v);
      expect(p.url).toBeNull();
      expect(p.problem).toEqual({
        code: 'TEMPLATE_UNSET',
        reason: { why: 'template-unset', words: ['{libc_version}'] },
      });
      // find() loads from module_path as written, braces and all: verify still knows where to look
      expect(p.modulePath).toBe('prebuild/node-v127-napi-v3-linux-x64-glibc-{libc_version}/opus.node');
    }
  });

  it('is TEMPLATE_UNSET for {bucket} under the legacy node-pre-gyp, and expanded from @mapbox 1.0.3', () => {
    const pkg = byAbi({ package_name: '{module_name}-{bucket}-{node_abi}.tar.gz', bucket: 'b1' });
    expect(plan(pkg, bookworm, 'node-pre-gyp', '0.17.0').problem?.code).toBe('TEMPLATE_UNSET');
    expect(plan(pkg, bookworm, MAPBOX, '1.0.11').url).toMatch(/\/opus-b1-node-v127\.tar\.gz$/);
    expect(plan(pkg, bookworm, DISCORDJS, '0.4.5').problem).toEqual({
      code: 'TEMPLATE_UNSET',
      reason: { why: 'template-unset', words: ['{bucket}'] },
    });
  });

  it('names every unset word once, from host, remote_path and package_name', () => {
    const pkg: DownloadPackage = {
      ...opus,
      binary: {
        ...opus.binary,
        host: 'https://cdn.example.com/{channel}/',
        remote_path: '{channel}/{libc_version}',
      },
    };
    expect(plan(pkg, bookworm, MAPBOX, '2.0.3').problem).toEqual({
      code: 'TEMPLATE_UNSET',
      reason: { why: 'template-unset', words: ['{channel}', '{libc_version}'] },
    });
  });

  it('is not looked for in module_path, which is a folder and not part of the URL', () => {
    const pkg = byAbi({ module_path: './prebuild/{libc_version}', package_name: 'opus-{node_abi}.tar.gz' });
    const p = plan(pkg, bookworm, MAPBOX, '2.0.3');
    expect(p.problem).toBeUndefined();
    expect(p.modulePath).toBe('prebuild/{libc_version}/opus.node');
  });
});

describe('featuresOf', () => {
  it('reads @discordjs 0.x by its own numbering, not as the legacy unscoped package', () => {
    expect(featuresOf(DISCORDJS, '0.4.5')).toMatchObject({
      legacy: false,
      mirrorNameDash: true,
      libcVersion: true,
    });
    expect(featuresOf(DISCORDJS, '0.1.0')).toMatchObject({ legacy: true, mirrorNameDash: false });
    expect(featuresOf(undefined, '0.4.5')).toMatchObject({ legacy: true, libcVersion: false });
  });

  it('reads @acalcutt and @xprofiler by @mapbox numbering', () => {
    expect(featuresOf('@acalcutt/node-pre-gyp', '2.0.4')).toEqual(featuresOf(MAPBOX, '2.0.4'));
    expect(featuresOf('@xprofiler/node-pre-gyp', '1.0.11')).toEqual(featuresOf(MAPBOX, '1.0.11'));
  });
});

describe('parity with the real forks on this machine', () => {
  it('@discordjs/node-pre-gyp requests the URL planned with this machine’s libc version', async () => {
    const run = await runTool('@discordjs/node-pre-gyp@0.4', opus, install, {});
    const p = plan(opus, host, DISCORDJS, toolVersion('@discordjs/node-pre-gyp@0.4'));
    expect(p.url).toContain(`-${host.libcVersion ?? 'unknown'}.tar.gz`);
    expect(run.requested).toEqual([p.url]);
    expect(slashes(p.modulePath)).toBe(run.module);
    expect(run.built !== null).toBe(p.fallbackToBuild);
  }, 60_000);

  it('@mapbox/node-pre-gyp leaves {libc_version} in the URL it requests, then builds', async () => {
    const run = await runTool('@mapbox/node-pre-gyp@2', opus, install, {});
    const p = plan(opus, host, MAPBOX, toolVersion('@mapbox/node-pre-gyp@2'));
    expect(p.problem?.code).toBe('TEMPLATE_UNSET');
    expect(run.requested).toHaveLength(1);
    expect(run.requested[0]).toContain('%7Blibc_version%7D');
    expect(slashes(p.modulePath)).toBe(run.module);
    expect(run.built !== null).toBe(p.fallbackToBuild);
  }, 60_000);
});
