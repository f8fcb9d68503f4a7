import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planNodePreGyp, type DownloadPackage } from '../../../src/strategies/download/index.js';
import { fixture, nodePreGypTargetEnv, scriptArgs, slashes, targetsFor, type ParityCase } from './cases.js';
import { runAll, runTool, toolDir, toolVersion, type ToolName, type ToolRun } from './run-tool.js';
import { ELECTRON, HOST_VERSION_TARGETS, makeTarget, TARGETS } from './targets.js';
import type { DownloadProblemReason } from '../../../src/model/prediction.js';
import { downloadProblemWords, downloadReasonWords } from '../../../src/report/download-words.js';

const bcrypt = fixture('bcrypt-5.1.1');
const sqlite3 = fixture('sqlite3-5.0.11');
const canvas = fixture('canvas-2.11.2');

const addon = (binary: Record<string, unknown>, extra: Partial<DownloadPackage> = {}): DownloadPackage => ({
  name: 'fast-addon',
  version: '1.4.0',
  main: 'index.js',
  binary: {
    module_name: 'fast_addon',
    module_path: './lib/binding/{node_abi}-{platform}-{arch}',
    host: 'https://github.com/someone/fast-addon/releases/download/',
    remote_path: 'v{version}',
    ...binary,
  },
  ...extra,
});
const napiAddon = (napiVersions: unknown[], label = '{napi_build_version}') =>
  addon({
    module_path: './lib/binding/napi-v{napi_build_version}',
    package_name: `{module_name}-v{version}-${label === '{napi_build_version}' ? 'napi-v{napi_build_version}' : label}-{platform}-{libc}-{arch}.tar.gz`,
    napi_versions: napiVersions,
  });
const labelled = (napiVersions: unknown[]) =>
  addon({
    module_path: './lib/binding/{node_napi_label}',
    package_name: '{module_name}-v{version}-{node_napi_label}-{platform}-{arch}.tar.gz',
    napi_versions: napiVersions,
  });
const install = ['install', '--fallback-to-build'];

const CASES: ParityCase[] = [
  { name: 'bcrypt@5.1.1', pkg: bcrypt, args: scriptArgs(bcrypt), everywhere: true },
  { name: 'sqlite3@5.0.11', pkg: sqlite3, args: scriptArgs(sqlite3), everywhere: true },
  { name: 'canvas@2.11.2', pkg: canvas, args: scriptArgs(canvas), everywhere: true },
  {
    name: 'mirror variable of a module_name with dashes',
    pkg: addon({ module_name: 'fast-addon-lib' }),
    args: install,
    env: {
      // @mapbox/node-pre-gyp >= 1.0.1 replaces the first '-' only; the legacy package none
      'npm_config_fast_addon-lib_binary_host_mirror': 'https://mapbox-style.example.com/mirror',
      'npm_config_fast-addon-lib_binary_host_mirror': 'https://legacy-style.example.com/mirror/',
      npm_config_fast_addon_lib_binary_host_mirror: 'https://nobody-reads-this.example.com/',
    },
  },
  {
    name: 'staging_host/production_host',
    pkg: addon({
      host: undefined,
      staging_host: 'https://staging.example.com/',
      production_host: 'https://prod.example.com/',
    }),
    args: install,
  },
  {
    name: 'staging host chosen by node_pre_gyp_s3_host',
    pkg: addon({
      host: undefined,
      staging_host: 'https://staging.example.com/',
      production_host: 'https://prod.example.com/',
    }),
    args: install,
    env: { node_pre_gyp_s3_host: 'staging' },
  },
  {
    name: 'invalid --s3_host',
    pkg: addon({
      host: undefined,
      staging_host: 'https://staging.example.com/',
      production_host: 'https://prod.example.com/',
    }),
    args: [...install, '--s3_host=qa'],
  },
  {
    name: 'binary.host as an object with endpoint',
    pkg: addon({ host: { endpoint: 'https://cdn.example.com/' } }),
    args: install,
  },
  { name: 'plain http host', pkg: addon({ host: 'http://insecure.example.com/' }), args: install },
  { name: 'napi_versions none buildable', pkg: napiAddon([100]), args: install },
  { name: 'napi_versions with {node_napi_label}', pkg: labelled([3, 100]), args: install },
  { name: '{node_napi_label} falls back to the ABI', pkg: labelled([100]), args: install },
  // '3' <= '9' but not <= '10' in string order: which error the tool stops on depends on the level
  { name: 'napi_versions as strings', pkg: napiAddon(['3']), args: install, napiFromHost: true },
  {
    name: 's3ForcePathStyle',
    pkg: addon({
      host: 'https://s3.example.com',
      bucket: 'my-bucket',
      s3ForcePathStyle: true,
      remote_path: '{name}/v{version}',
    }),
    args: install,
  },
  { name: "'+' in the version", pkg: addon({}, { version: '1.2.3+build.7' }), args: install },
  {
    name: './remote_path',
    pkg: addon({ host: 'https://cdn.example.com/base/', remote_path: './{name}/v{version}' }),
    args: install,
  },
  {
    name: '/absolute remote_path',
    pkg: addon({ host: 'https://cdn.example.com/base/', remote_path: '/abs/{version}/' }),
    args: install,
  },
  {
    name: 'mirror templated with {name}',
    pkg: addon({}),
    args: install,
    env: { npm_config_fast_addon_binary_host_mirror: 'https://mirror.example.com/{name}' },
  },
  {
    name: '--target_arch=/--target_platform= in argv',
    pkg: bcrypt,
    args: [...install, '--target_arch=arm64', '--target_platform=darwin'],
  },
  {
    name: '--target_arch arm64 (nopt reads a bare flag)',
    pkg: bcrypt,
    args: ['install', '--target_arch', 'arm64'],
  },
  { name: '--build-from-source', pkg: bcrypt, args: [...install, '--build-from-source'] },
  {
    name: 'npm_config_build_from_source=<name>',
    pkg: bcrypt,
    args: install,
    env: { npm_config_build_from_source: 'bcrypt' },
  },
  { name: 'no --fallback-to-build', pkg: bcrypt, args: ['install'] },
  { name: '--fallback-to-build=false', pkg: bcrypt, args: ['install', '--fallback-to-build=false'] },
  {
    name: 'npm_config_fallback_to_build=true',
    pkg: bcrypt,
    args: ['install'],
    env: { npm_config_fallback_to_build: 'true' },
  },
  {
    name: '--debug and {configuration}',
    pkg: addon({ package_name: '{module_name}-{configuration}-{node_abi}-{platform}-{arch}.tar.gz' }),
    args: [...install, '--debug'],
  },
  { name: 'reinstall', pkg: bcrypt, args: ['reinstall', '--fallback-to-build'] },
  { name: 'rebuild only', pkg: bcrypt, args: ['rebuild'] },
  { name: 'missing main', pkg: addon({}, { main: undefined }), args: install },
  { name: 'file:// host', pkg: addon({ host: 'file:///nonexistent/prebuilt/' }), args: install },
  {
    name: '--target=<another Node>',
    pkg: canvas,
    args: [...install, '--target=22.21.1'],
    skip: ['@mapbox/node-pre-gyp@1', 'node-pre-gyp@0.17', '@discordjs/node-pre-gyp@0.4'],
  },
];

const MATRIX: Array<{ tool: ToolName; toolPackage: string; targets: typeof TARGETS; newest: boolean }> = [
  { tool: '@mapbox/node-pre-gyp@2', toolPackage: '@mapbox/node-pre-gyp', targets: TARGETS, newest: true },
  // abi_crosswalk.json of 1.0.11 ends at Node 17.1.0, of 0.17.0 at 15.3.0 and of @discordjs 0.4.5 at
  // 18.4.0: platforms and Electron only
  {
    tool: '@mapbox/node-pre-gyp@1',
    toolPackage: '@mapbox/node-pre-gyp',
    targets: [...HOST_VERSION_TARGETS, ELECTRON],
    newest: false,
  },
  {
    tool: 'node-pre-gyp@0.17',
    toolPackage: 'node-pre-gyp',
    targets: [...HOST_VERSION_TARGETS, ELECTRON],
    newest: false,
  },
  // the fork @discordjs/opus runs; its {libc_version} is tested in node-pre-gyp-forks.test.ts
  {
    tool: '@discordjs/node-pre-gyp@0.4',
    toolPackage: '@discordjs/node-pre-gyp',
    targets: [...HOST_VERSION_TARGETS, ELECTRON],
    newest: false,
  },
];

/** Reasons whose words are node-pre-gyp's own error message. */
const TOOL_WORDED = new Set<DownloadProblemReason['why']>([
  'runtime-missing',
  'empty-target-version',
  'unknown-runtime',
  'unknown-target-version',
  'host-http',
  'napi-versions-not-positive',
  'napi-build-version-not-used',
  'napi-build-version-without-versions',
]);

describe.each(MATRIX)('parity with $tool', ({ tool, toolPackage, targets, newest }) => {
  const version = toolVersion(tool);
  const jobs = CASES.filter((c) => !c.skip?.includes(tool)).flatMap((c) =>
    targetsFor(c, targets, newest).map((target) => ({
      c,
      target,
      env: { ...c.env, ...nodePreGypTargetEnv(target) },
    })),
  );
  let runs: ToolRun[] = [];
  beforeAll(async () => {
    runs = await runAll(jobs, (job) => runTool(tool, job.c.pkg, job.c.args, job.env));
  });

  it.each(jobs.map((job, i) => ({ ...job, i, title: `${job.c.name} on ${job.target.id}` })))(
    '$title',
    ({ c, target, env, i }) => {
      const run = runs[i]!;
      const plan = planNodePreGyp({
        pkg: c.pkg,
        args: c.args,
        target,
        env,
        npmCache: run.npmCache,
        toolVersion: version,
        toolPackage,
      });
      const bare = planNodePreGyp({
        pkg: c.pkg,
        args: c.args,
        target,
        env: c.env ?? {},
        npmCache: run.npmCache,
        toolVersion: version,
        toolPackage,
      });
      // npm config overrides argv in node-pre-gyp: with --target_* in argv only the target decides
      if (!c.args.some((a) => a.startsWith('--target'))) expect(bare).toEqual(plan);

      if (plan.buildFromSource) {
        expect(run.requested).toEqual([]);
        expect(run.built).not.toBeNull();
        return;
      }
      if (plan.url === null) {
        // evaluate() threw: install.js passes the error on without its build fallback
        expect(run.requested).toEqual([]);
        expect(run.built).toBeNull();
        expect(run.error ?? `exit ${run.exitCode}`).toBeTruthy();
        if (plan.problem?.code === 'NAPI_UNSUPPORTED') expect(run.error).toMatch(/cannot run this module/);
        // where node-pre-gyp has its own message for the reason, the renderer's words are that message
        if (plan.problem && TOOL_WORDED.has(plan.problem.reason.why))
          expect(run.error).toContain(downloadReasonWords(plan.problem.reason));
        return;
      }
      // a file:// host is read from disk, not requested
      expect(run.requested).toEqual(plan.url.startsWith('file://') ? [] : [plan.url]);
      expect(slashes(plan.modulePath)).toBe(run.module);
      // every download answers 404 here, so a build follows exactly when the fallback is on
      expect(run.built !== null).toBe(plan.fallbackToBuild);
    },
  );
});

const alpine = makeTarget('node:22-alpine', 'node', '22.21.1', 'linux', 'x64', 'musl');
const plan = (
  pkg: DownloadPackage,
  args: string[],
  target = alpine,
  env: Record<string, string> = {},
  toolVersion?: string,
) => planNodePreGyp({ pkg, args, target, env, npmCache: '/root/.npm', toolVersion });

describe('planNodePreGyp', () => {
  it('plans bcrypt on node:22-alpine', () => {
    expect(plan(bcrypt, scriptArgs(bcrypt))).toEqual({
      tool: 'node-pre-gyp',
      url: 'https://github.com/kelektiv/node.bcrypt.js/releases/download/v5.1.1/bcrypt_lib-v5.1.1-napi-v3-linux-x64-musl.tar.gz',
      modulePath: 'lib/binding/napi-v3/bcrypt_lib.node',
      napiBuildVersion: 3,
      fallbackToBuild: true,
      buildFromSource: false,
    });
  });

  it('names canvas by ABI, with unknown libc off Linux', () => {
    const mac = makeTarget('mac', 'node', '22.21.1', 'darwin', 'arm64', null);
    expect(plan(canvas, scriptArgs(canvas), mac).url).toBe(
      'https://github.com/Automattic/node-canvas/releases/download/v2.11.2/canvas-v2.11.2-node-v127-darwin-unknown-arm64.tar.gz',
    );
    expect(plan(canvas, scriptArgs(canvas), ELECTRON).url).toMatch(
      /canvas-v2\.11\.2-electron-v33\.2-linux-glibc-x64\.tar\.gz$/,
    );
  });

  // The tools read the host's Node-API level, so the target's is checked here.
  it('picks the best Node-API version for the target, not the host', () => {
    const pkg = napiAddon([3, 8, 9, 10]);
    expect(plan(pkg, install).napiBuildVersion).toBe(10);
    const node20 = makeTarget('node20', 'node', '20.0.0', 'linux', 'x64', 'glibc');
    expect(node20.napi).toBe(8);
    expect(plan(pkg, install, node20).url).toMatch(/-napi-v8-linux-glibc-x64\.tar\.gz$/);
  });

  it('reports NAPI_UNSUPPORTED when no listed version is loadable', () => {
    const result = plan(napiAddon([11]), install);
    expect(result.url).toBeNull();
    expect(result.napiBuildVersion).toBeNull();
    expect(result.problem?.code).toBe('NAPI_UNSUPPORTED');
    const fallback = plan(labelled([11]), install);
    expect(fallback.url).toMatch(/-node-v127-linux-x64\.tar\.gz$/);
    expect(fallback.problem?.code).toBe('NAPI_UNSUPPORTED');
  });

  it('reads the mirror variable each version reads', () => {
    const pkg = addon({ module_name: 'fast-addon-lib' });
    const env = {
      'npm_config_fast_addon-lib_binary_host_mirror': 'https://new.example.com/',
      'npm_config_fast-addon-lib_binary_host_mirror': 'https://old.example.com/',
    };
    expect(plan(pkg, install, alpine, env).mirrorVariable).toBe(
      'npm_config_fast_addon-lib_binary_host_mirror',
    );
    expect(plan(pkg, install, alpine, env, '1.0.0').mirrorVariable).toBe(
      'npm_config_fast-addon-lib_binary_host_mirror',
    );
    expect(plan(pkg, install, alpine, env, '0.17.0').url).toMatch(/^https:\/\/old\.example\.com\//);
  });

  it('puts the bucket into the path for s3ForcePathStyle from 2.0', () => {
    const pkg = addon({ host: 'https://s3.example.com', bucket: 'b', s3ForcePathStyle: true });
    expect(plan(pkg, install).url).toMatch(/^https:\/\/s3\.example\.com\/b\/v1\.4\.0\//);
    expect(plan(pkg, install, alpine, {}, '1.0.11').url).toMatch(/^https:\/\/s3\.example\.com\/v1\.4\.0\//);
  });

  it('rejects a binary.host object in every published version', () => {
    const pkg = addon({ host: { endpoint: 'https://cdn.example.com/' } });
    for (const v of ['0.17.0', '1.0.11', '2.0.3'])
      expect(plan(pkg, install, alpine, {}, v).problem?.code).toBe('BAD_BINARY_CONFIG');
  });

  it('reports a Node version node-abi does not know as RUNTIME_UNSUPPORTED', () => {
    expect(plan(canvas, [...install, '--target=99.0.0']).problem?.code).toBe('RUNTIME_UNSUPPORTED');
    expect(plan(canvas, [...install, '--runtime=nw']).problem?.code).toBe('RUNTIME_UNSUPPORTED');
    // the plan says why as data; the renderer words it as node-pre-gyp's own error does
    const nw = plan(canvas, [...install, '--runtime=nw']).problem!;
    expect(nw).toEqual({ code: 'RUNTIME_UNSUPPORTED', reason: { why: 'unknown-runtime', runtime: 'nw' } });
    expect(downloadProblemWords(nw)).toBe("RUNTIME_UNSUPPORTED: Unknown Runtime: 'nw'");
    expect(plan(canvas, [...install, '--target=99.0.0']).problem?.reason).toEqual({
      why: 'unsupported-target-version',
      version: '99.0.0',
    });
  });

  it('builds Windows module paths for a win32 target', () => {
    const win = makeTarget('win', 'node', '22.21.1', 'win32', 'x64', null);
    expect(plan(bcrypt, install, win).modulePath).toBe('lib\\binding\\napi-v3\\bcrypt_lib.node');
  });

  it('agrees with versioning.evaluate driven through its options for every target', () => {
    const load = createRequire(path.join(toolDir('@mapbox/node-pre-gyp@2'), 'package.json'));
    const versioning = load('./lib/util/versioning.js') as {
      evaluate(pkg: object, options: object, napiBuildVersion?: number): { hosted_tarball: string };
    };
    for (const target of TARGETS) {
      const ours = plan(canvas, install, target);
      const theirs = versioning.evaluate(canvas, {
        runtime: target.runtime,
        // the crosswalk lookup, which node-abi stands in for in the plan
        target: target.isHost ? undefined : target.version,
        target_platform: target.platform,
        target_arch: target.arch,
        target_libc: target.libc ?? 'unknown',
      });
      expect(ours.url).toBe(theirs.hosted_tarball);
    }
  });
});
