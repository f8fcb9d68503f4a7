import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planPrebuildInstall, type DownloadPackage } from '../../../src/strategies/download/index.js';
import {
  fixture,
  prebuildInstallTargetEnv,
  scriptArgs,
  slashes,
  targetsFor,
  type ParityCase,
} from './cases.js';
import { runAll, runTool, toolDir, toolVersion, type ToolName, type ToolRun } from './run-tool.js';
import { HOST_VERSION_TARGETS, makeTarget, TARGETS } from './targets.js';

const betterSqlite3 = fixture('better-sqlite3-12.4.1');
const sqlite3 = fixture('sqlite3-5.1.7');
const keytar = fixture('keytar-7.9.0');
const scoped: DownloadPackage = {
  name: '@my-scope/fast-addon',
  version: '2.3.4-beta.1',
  main: 'index.js',
  // npm shorthand: github-from-package can't read it and falls back to the homepage, #readme and all
  repository: 'my-scope/fast-addon',
  homepage: 'https://github.com/my-scope/fast-addon#readme',
};
const noRepository: DownloadPackage = {
  name: 'lonely-addon',
  version: '1.0.0',
  repository: 'github:someone/lonely-addon',
};
const napiAddon = (napiVersions: unknown[]): DownloadPackage => ({
  name: 'napi-addon',
  version: '3.0.0',
  repository: { type: 'git', url: 'git+https://github.com/someone/napi-addon.git' },
  binary: { napi_versions: napiVersions },
});

const CASES: ParityCase[] = [
  { name: 'better-sqlite3@12.4.1', pkg: betterSqlite3, args: scriptArgs(betterSqlite3), everywhere: true },
  {
    name: 'sqlite3@5.1.7 (-r napi)',
    pkg: sqlite3,
    args: scriptArgs(sqlite3),
    napiRuntime: true,
    everywhere: true,
  },
  {
    name: 'keytar@7.9.0 (config runtime napi, target 3)',
    pkg: keytar,
    args: scriptArgs(keytar),
    napiRuntime: true,
    everywhere: true,
  },
  { name: 'scoped name, repository from the homepage', pkg: scoped, args: [] },
  { name: 'github: shorthand only: no host', pkg: noRepository, args: [] },
  {
    name: 'napi runtime picks the best listed version',
    pkg: napiAddon([3, 8, 9, 10]),
    args: ['--runtime', 'napi'],
    napiRuntime: true,
    napiFromHost: true,
  },
  {
    // napi-build-utils 1 (prebuild-install 6) compares '10' <= '9' as strings and takes it
    name: 'napi runtime, napi_versions [10]',
    pkg: napiAddon([10]),
    args: ['-r', 'napi'],
    napiRuntime: true,
    napiFromHost: true,
  },
  {
    name: 'napi runtime, no listed version fits',
    pkg: napiAddon([100]),
    args: ['-r', 'napi'],
    napiRuntime: true,
    napiFromHost: true,
  },
  { name: '--tag-prefix', pkg: betterSqlite3, args: ['--tag-prefix', 'release-'] },
  { name: 'empty --tag-prefix=', pkg: betterSqlite3, args: ['--tag-prefix='] },
  {
    name: '-d explicit URL template',
    pkg: betterSqlite3,
    args: [
      '-d',
      'https://mirror.example.com/{name}/v{version}/{name}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz',
    ],
  },
  {
    name: 'npm_config_download with prerelease/build/configuration',
    pkg: { ...betterSqlite3, version: '1.2.3-rc.1+sha.5' },
    args: [],
    env: {
      npm_config_download:
        'https://dl.example.com/{major}.{minor}.{patch}/{prerelease}/{build}/{configuration}/{package_name}.tgz',
      npm_config_debug: 'true',
    },
  },
  {
    name: 'npm_config_<name>_binary_host',
    pkg: betterSqlite3,
    args: [],
    env: { npm_config_better_sqlite3_binary_host: 'https://mirror.example.com/better-sqlite3' },
  },
  {
    name: 'npm_config_<name>_binary_host_mirror',
    pkg: betterSqlite3,
    args: [],
    env: {
      npm_config_better_sqlite3_binary_host_mirror: 'https://npmmirror.example.com/binaries/better-sqlite3',
    },
  },
  {
    name: '_binary_host wins over _binary_host_mirror',
    pkg: betterSqlite3,
    args: ['--tag-prefix=v'],
    env: {
      npm_config_better_sqlite3_binary_host: 'https://first.example.com',
      npm_config_better_sqlite3_binary_host_mirror: 'https://second.example.com',
    },
  },
  {
    name: 'scoped name mirror variable',
    pkg: scoped,
    args: [],
    env: { npm_config_my_scope_fast_addon_binary_host: 'https://mirror.example.com/fast-addon' },
  },
  {
    name: 'binary.host/remote_path/package_name',
    pkg: {
      ...scoped,
      binary: {
        host: 'https://cdn.example.com/{name}/',
        remote_path: './v{version}/',
        package_name: '{module_name}-{configuration}-{runtime}-v{abi}-{platform}{libc}-{arch}.tgz',
        module_name: 'fast_addon',
      },
    },
    args: [],
  },
  {
    name: 'binary.host as an object',
    pkg: { ...scoped, binary: { host: { endpoint: 'https://cdn.example.com' } } },
    args: [],
  },
  {
    name: 'npm_config_build_from_source=<name>',
    pkg: betterSqlite3,
    args: [],
    env: { npm_config_build_from_source: 'better-sqlite3' },
  },
  { name: '--build-from-source', pkg: betterSqlite3, args: ['--build-from-source'] },
  {
    name: 'installed from git',
    pkg: betterSqlite3,
    args: [],
    env: { npm_package_resolved: 'git+ssh://git@github.com/WiseLibs/better-sqlite3.git#abc' },
  },
  { name: '--force beats --build-from-source', pkg: betterSqlite3, args: ['--force', '--build-from-source'] },
  { name: 'LIBC=musl', pkg: betterSqlite3, args: [], env: { LIBC: 'musl' } },
  { name: '--libc glibc', pkg: betterSqlite3, args: ['--libc', 'glibc'] },
  { name: '--platform/--arch', pkg: betterSqlite3, args: ['--platform', 'darwin', '--arch', 'arm64'] },
  {
    name: 'npm_config_<name>_local_prebuilds',
    pkg: betterSqlite3,
    args: [],
    env: { npm_config_better_sqlite3_local_prebuilds: 'vendor/prebuilds' },
  },
  {
    name: '-t with another Node version (prebuild-install 6 bundles node-abi 2, which predates it)',
    pkg: betterSqlite3,
    args: ['-t', '22.21.1'],
    skip: ['prebuild-install@6'],
  },
  {
    name: '-r electron -t 33.2.1',
    pkg: betterSqlite3,
    args: ['-r', 'electron', '-t', '33.2.1'],
    skip: ['prebuild-install@6'],
  },
];

const MATRIX: Array<{ tool: ToolName; targets: typeof TARGETS; newest: boolean }> = [
  { tool: 'prebuild-install@7', targets: TARGETS, newest: true },
  // node-abi 2 inside prebuild-install 6 knows neither Node 22+ nor Electron 33: platforms only
  { tool: 'prebuild-install@6', targets: HOST_VERSION_TARGETS, newest: false },
];

describe.each(MATRIX)('parity with $tool', ({ tool, targets, newest }) => {
  const version = toolVersion(tool);
  const jobs = CASES.filter((c) => !c.skip?.includes(tool)).flatMap((c) =>
    targetsFor(c, targets, newest).map((target) => ({
      c,
      target,
      env: { ...c.env, ...prebuildInstallTargetEnv(target, !!c.napiRuntime) },
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
      const plan = planPrebuildInstall({
        pkg: c.pkg,
        args: c.args,
        target,
        env,
        npmCache: run.npmCache,
        toolVersion: version,
      });
      // the target alone must give the same plan as the variables that point the real tool at it
      const bare = planPrebuildInstall({
        pkg: c.pkg,
        args: c.args,
        target,
        env: c.env ?? {},
        npmCache: run.npmCache,
        toolVersion: version,
      });
      expect(bare).toEqual(plan);

      if (plan.problem?.code === 'NO_REPOSITORY') {
        expect(plan.url).toBeNull();
        // github-from-package answered undefined and the tool went on with it
        expect(run.requested[0]).toMatch(/^undefined\/releases\/download\//);
        return;
      }
      if (plan.buildFromSource || plan.url === null) {
        expect(run.requested).toEqual([]);
        if (!plan.buildFromSource) expect(run.exitCode).not.toBe(0);
        return;
      }
      expect(run.requested).toEqual([plan.url]);
      expect(slashes(plan.cachePath)).toBe(run.cachePath);
      expect(slashes(plan.localPrebuild)).toBe(run.localPrebuild);
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
) => planPrebuildInstall({ pkg, args, target, env, npmCache: '/root/.npm', toolVersion });

describe('planPrebuildInstall', () => {
  it('names the musl binary better-sqlite3 fetches on node:22-alpine', () => {
    const url =
      'https://github.com/WiseLibs/better-sqlite3/releases/download/v12.4.1/better-sqlite3-v12.4.1-node-v127-linuxmusl-x64.tar.gz';
    const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
    expect(plan(betterSqlite3, [])).toEqual({
      tool: 'prebuild-install',
      url,
      cachePath: `/root/.npm/_prebuilds/${digest}-better-sqlite3-v12.4.1-node-v127-linuxmusl-x64.tar.gz`,
      localPrebuild: 'prebuilds/better-sqlite3-v12.4.1-node-v127-linuxmusl-x64.tar.gz',
      fallbackToBuild: false,
      buildFromSource: false,
    });
  });

  it('names cache files with md5 before 7.1.2', () => {
    const { url, cachePath } = plan(betterSqlite3, [], alpine, {}, '7.1.1');
    const digest = createHash('md5').update(url!).digest('hex').slice(0, 6);
    expect(path.posix.basename(cachePath!)).toMatch(new RegExp(`^${digest}-`));
  });

  // Compared with the tools on this machine's Node-API level above; a Node-API 10 target can't be
  // given to them, so the string comparison of napi-build-utils 1 is pinned here.
  it('finds no Node-API version for [3, 6] on Node-API 10 with napi-build-utils 1 (prebuild-install < 7.1.3)', () => {
    const old = plan(sqlite3, ['-r', 'napi'], alpine, {}, '7.1.2');
    expect(old.url).toBe(
      'https://github.com/TryGhost/node-sqlite3/releases/download/v5.1.7/sqlite3-v5.1.7-napi-v127-linuxmusl-x64.tar.gz',
    );
    expect(old.napiBuildVersion).toBeNull();
    expect(old.problem?.code).toBe('NAPI_UNSUPPORTED');
    const current = plan(sqlite3, ['-r', 'napi'], alpine, {}, '7.1.3');
    expect(current.url).toMatch(/sqlite3-v5\.1\.7-napi-v6-linuxmusl-x64\.tar\.gz$/);
    expect(current.napiBuildVersion).toBe(6);
    expect(current.problem).toBeUndefined();
  });

  it('keeps the glibc suffix before 7.1.0 and drops it since', () => {
    const glibc = makeTarget('glibc', 'node', '22.21.1', 'linux', 'x64', 'glibc');
    expect(plan(betterSqlite3, ['--libc', 'glibc'], glibc, {}, '7.0.1').url).toMatch(
      /-linuxglibc-x64\.tar\.gz$/,
    );
    expect(plan(betterSqlite3, ['--libc', 'glibc'], glibc, {}, '7.1.0').url).toMatch(/-linux-x64\.tar\.gz$/);
  });

  it('asks for napi-v<electron version> when npm config targets Electron and the runtime is napi', () => {
    const electron = makeTarget('electron@33', 'electron', '33.2.1', 'linux', 'x64', 'glibc');
    const result = plan(sqlite3, ['-r', 'napi'], electron);
    expect(result.url).toMatch(/sqlite3-v5\.1\.7-napi-v33\.2\.1-linux-x64\.tar\.gz$/);
    expect(result.problem?.code).toBe('NAPI_UNSUPPORTED');
    expect(plan(betterSqlite3, [], electron).url).toMatch(
      /better-sqlite3-v12\.4\.1-electron-v130-linux-x64\.tar\.gz$/,
    );
  });

  it('flags a fixed napi target above the target Node-API level', () => {
    const old = makeTarget('node8', 'node', '8.9.0', 'linux', 'x64', 'glibc');
    expect(plan(keytar, [], old).problem?.code).toBe('NAPI_UNSUPPORTED');
    expect(plan(keytar, []).problem).toBeUndefined();
  });

  it('reports an unknown Node version as RUNTIME_UNSUPPORTED', () => {
    const result = plan(betterSqlite3, ['-t', '99.0.0']);
    expect(result.url).toBeNull();
    expect(result.problem?.code).toBe('RUNTIME_UNSUPPORTED');
  });

  it('builds Windows paths for a win32 target, with APPDATA as the tool reads it', () => {
    const win = makeTarget('node22-win32-x64', 'node', '22.21.1', 'win32', 'x64', null);
    const result = plan(betterSqlite3, [], win, { APPDATA: 'C:\\Users\\dev\\AppData\\Roaming' });
    expect(result.cachePath).toMatch(
      /^C:\\Users\\dev\\AppData\\Roaming\\npm-cache\\_prebuilds\\[0-9a-f]{6}-better-sqlite3-/,
    );
    expect(result.localPrebuild).toBe('prebuilds\\better-sqlite3-v12.4.1-node-v127-win32-x64.tar.gz');
  });

  it('skips the download when npm 6 recorded a git origin, unless forced', () => {
    const fromGit = { ...betterSqlite3, _from: 'git+https://github.com/WiseLibs/better-sqlite3.git' };
    expect(plan(fromGit, []).buildFromSource).toBe(true);
    expect(plan(fromGit, ['--force']).buildFromSource).toBe(false);
  });

  it('reads prebuild-install_* variables the way rc does', () => {
    const result = plan(betterSqlite3, [], alpine, {
      'prebuild-install_download': 'https://x.example.com/{name}.tgz',
    });
    expect(result.url).toBe('https://x.example.com/better-sqlite3.tgz');
    expect(result.mirrorVariable).toBe('prebuild-install_download');
  });

  it('cannot name the cache file when a GitHub token sends it through the API', () => {
    const result = plan(betterSqlite3, ['--token', 'abc']);
    expect(result.url).toMatch(/^https:\/\/github.com\//);
    expect(result.cachePath).toBeUndefined();
  });

  it('agrees with util.getDownloadUrl driven through its options for every target', () => {
    const util = createRequire(path.join(toolDir('prebuild-install@7'), 'package.json'))('./util.js') as {
      getDownloadUrl(opts: object): string;
    };
    for (const target of TARGETS) {
      const ours = planPrebuildInstall({ pkg: betterSqlite3, args: [], target, env: {}, npmCache: '/c' });
      const libc = target.platform === 'linux' && target.libc === 'musl' ? 'musl' : '';
      const theirs = util.getDownloadUrl({
        pkg: betterSqlite3,
        runtime: target.runtime,
        abi: target.abi,
        platform: target.platform,
        arch: target.arch,
        libc,
        'tag-prefix': 'v',
      });
      expect(ours.url).toBe(theirs);
    }
  });
});
