import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockfileOnlyCheck, preinstallRunsFirst, runHook, treeIsReified } from '../../src/hooks/run.js';
import type { HookIo } from '../../src/hooks/run.js';
import { verify } from '../../src/verify/run.js';
import { addon } from '../binary/paths.js';
import { ensureBuilt, REPO } from '../helpers/build.js';
import { copyRealPackage, tempDir, writeProject } from '../helpers/fixture-project.js';
import type { FakePackage } from '../helpers/fixture-project.js';
import { fakeHost } from '../helpers/targets.js';

/** The fixture addons are linux-x64 glibc builds (napi-ok, the one loaded here, is Node-API: any Node). */
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const runnable =
  process.platform === 'linux' && process.arch === 'x64' && !!report?.header?.glibcVersionRuntime;

let tmp: ReturnType<typeof tempDir>;
let good: string;
let broken: string;

/** What npm leaves after a reify: its hidden lockfile (content irrelevant to the hook). */
const HIDDEN_LOCKFILE = { 'node_modules/.package-lock.json': '{"lockfileVersion":3,"packages":{}}\n' };

/** A node-gyp-build package whose only prebuild for this platform is not a binary at all. */
const brokenAddon: FakePackage = {
  manifest: { main: 'index.js', dependencies: { 'node-gyp-build': '^4.8.4' } },
  files: {
    'index.js': "module.exports = require('node-gyp-build')(__dirname)\n",
    'prebuilds/linux-x64/broken-addon.napi.node': 'not an ELF file at all\n',
  },
};

beforeAll(() => {
  tmp = tempDir('ng-hook-');
  good = writeProject(join(tmp.dir, 'good'), {
    root: { dependencies: { fast: '1.0.0' } },
    files: HIDDEN_LOCKFILE,
    packages: {
      'node_modules/fast': {
        manifest: { main: 'addon.node' },
        files: { 'addon.node': { copy: addon('napi-ok') } },
      },
    },
  });
  broken = writeProject(join(tmp.dir, 'broken'), {
    root: { dependencies: { 'broken-addon': '1.0.0' } },
    files: HIDDEN_LOCKFILE,
    packages: { 'node_modules/broken-addon': brokenAddon },
  });
  copyRealPackage('node-gyp-build', join(broken, 'node_modules'));
});
afterAll(() => tmp.cleanup());

/** Hook mode: npm sets npm_lifecycle_event for every script it runs. */
const hookIo = (cwd: string, env: Record<string, string | undefined> = {}, event = 'preinstall'): HookIo => ({
  cwd,
  isTTY: false,
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    npm_lifecycle_event: event,
    ...env,
  },
});

/** A copy of a project with another root package.json "nativeGuard" block. */
function withConfig(project: string, name: string, nativeGuard: unknown): string {
  const dir = join(tmp.dir, name);
  spawnSync('cp', ['-a', project, dir]);
  const manifest = { name: 'fixture-app', version: '1.0.0', private: true, nativeGuard };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

describe('treeIsReified', () => {
  it('is npm’s hidden lockfile, Yarn’s .pnp.cjs, or a package folder; not an empty or missing node_modules', () => {
    const dir = (name: string, files: Record<string, string>) =>
      writeProject(join(tmp.dir, 'reified', name), { files });
    expect(treeIsReified(dir('npm', HIDDEN_LOCKFILE))).toBe(true);
    expect(
      treeIsReified(dir('pnpm', { 'node_modules/.modules.yaml': '', 'node_modules/a/package.json': '{}' })),
    ).toBe(true);
    // Yarn Plug'n'Play: no node_modules at all, the package map is the installed tree
    expect(treeIsReified(dir('pnp', { '.pnp.cjs': '', 'yarn.lock': '' }))).toBe(true);
    expect(treeIsReified(dir('none', { 'package-lock.json': '{}' }))).toBe(false);
    expect(treeIsReified(dir('dot-only', { 'node_modules/.cache/x': '' }))).toBe(false);
  });
});

describe('the order of decisions', () => {
  it('NATIVE_GUARD=0 skips in one line before anything is read', async () => {
    const r = await runHook('preinstall', hookIo(join(tmp.dir, 'no-such-folder'), { NATIVE_GUARD: '0' }));
    expect(r).toEqual({ stdout: 'native-guard check: skipped (NATIVE_GUARD=0)\n', stderr: '', exitCode: 0 });
    const v = await runHook('postinstall', hookIo(good, { NATIVE_GUARD: 'false' }, 'postinstall'));
    expect(v.stdout).toBe('native-guard verify: skipped (NATIVE_GUARD=false)\n');
  });

  it('a config that does not validate: one line naming the key, and the install goes on', async () => {
    const dir = withConfig(good, 'typo', { target: ['node:22-alpine'] });
    const r = await runHook('preinstall', hookIo(dir));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `native-guard check: skipped: ${join(dir, 'package.json')}: unknown key "nativeGuard.target" (known: targets, strict, ignore, allowSourceBuild) ` +
        '(a config that does not validate cannot turn on "strict"); the install goes on\n',
    );
  });

  it('... unless it says "strict": true in so many words: then the broken config fails the install', async () => {
    const dir = withConfig(good, 'typo-strict', { strict: true, targets: 'node:22-alpine' });
    const r = await runHook('postinstall', hookIo(dir, {}, 'postinstall'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      '"nativeGuard.targets" must be an array of strings; failing the install ("strict": true)',
    );
  });

  it('preinstall with no installed tree runs the lockfile-only check', async () => {
    // a lockfile with nothing native in it: the check reads it and has nothing to fetch
    const dir = writeProject(join(tmp.dir, 'fresh-clone'), {
      files: { 'package-lock.json': '{"lockfileVersion":3,"packages":{"":{}}}\n' },
    });
    expect((await lockfileOnlyCheck({ cwd: dir, targets: ['node:22-slim'], today: '2026-11-25' })).mode).toBe(
      'lockfile',
    );
    const r = await runHook('preinstall', hookIo(dir));
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^native-guard check: .*lockfile only/);
  });

  it('preinstall with no installed tree hands the lockfile-only report to the same renderer', async () => {
    const dir = join(tmp.dir, 'fresh-clone');
    let asked: unknown = null;
    const r = await runHook('preinstall', hookIo(dir), {
      lockfileCheck: async (options) => {
        asked = options;
        return {
          schemaVersion: 1,
          root: dir,
          mode: 'lockfile',
          targets: [fakeHost()],
          packages: [],
          findings: [],
          ignored: 0,
        };
      },
      check: () => Promise.reject(new Error('the installed check must not run without node_modules')),
    });
    expect(asked).toMatchObject({ cwd: dir });
    expect(r.stdout).toBe(
      'native-guard check: 0 native packages for host (lockfile only): 0 errors, 0 warnings, 0 info\n',
    );
  });
});

describe.skipIf(!runnable)('check and verify in hook mode (fixture addons: linux-x64 glibc)', () => {
  it('preinstall on a good tree: one summary line', async () => {
    const r = await runHook('preinstall', hookIo(good));
    expect(r).toEqual({
      stdout:
        'native-guard check: 1 native package for host (installed tree): 0 errors, 0 warnings, 0 info\n',
      stderr: '',
      exitCode: 0,
    });
  });

  it('postinstall on a good tree: one summary line', async () => {
    const r = await runHook('postinstall', hookIo(good, {}, 'postinstall'));
    expect(r.stdout).toBe(
      `native-guard verify: 1 binary with Node ${process.versions.node}, 1 loaded, 0 failed: 0 errors, 0 warnings, 0 info\n`,
    );
    expect(r.exitCode).toBe(0);
  });

  it('an error finding without strict: printed, one line per finding, and the install goes on', async () => {
    const r = await runHook('preinstall', hookIo(broken));
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'native-guard check: 1 native package for host (installed tree): 1 error, 0 warnings, 0 info; fixes: npx native-guard check',
      '  error   INVALID_BINARY  broken-addon@1.0.0 on host: prebuilds/linux-x64/broken-addon.napi.node is not a loadable binary (a text file, not a binary)',
      '',
    ]);
    expect(r.stderr).toBe('');
  });

  it('strict: an error finding fails the install, naming the package and the code', async () => {
    const dir = withConfig(broken, 'broken-strict', { strict: true });
    const pre = await runHook('preinstall', hookIo(dir));
    expect(pre.exitCode).toBe(1);
    expect(pre.stdout).toContain('INVALID_BINARY  broken-addon@1.0.0');
    expect(pre.stderr).toBe(
      'native-guard check: failing the install: 1 error finding and "strict": true in package.json (NATIVE_GUARD=0 skips native-guard)\n',
    );
    const post = await runHook('postinstall', hookIo(dir, {}, 'postinstall'));
    expect(post.exitCode).toBe(1);
    expect(post.stdout).toContain(
      'error   INVALID_BINARY  broken-addon@1.0.0: node_modules/broken-addon/prebuilds/linux-x64/broken-addon.napi.node is not a loadable binary',
    );
  });

  it('strict with only warnings passes', async () => {
    const dir = writeProject(join(tmp.dir, 'warn-strict'), {
      root: { nativeGuard: { strict: true } },
      files: HIDDEN_LOCKFILE,
      packages: {
        'node_modules/builds': {
          manifest: { scripts: { install: 'node-gyp rebuild' } },
          files: { 'binding.gyp': '{"targets":[{"target_name":"x","sources":["x.c"]}]}' },
        },
      },
    });
    const r = await runHook('preinstall', hookIo(dir));
    // the source build, and npm's allowScripts policy not covering the script it needs
    expect(r.stdout).toContain('0 errors, 2 warnings');
    expect(r.stdout).toContain('warning SOURCE_BUILD_REQUIRED  builds@1.0.0');
    expect(r.stdout).toContain('warning INSTALL_SCRIPT_DENIED  builds@1.0.0');
    expect(r.exitCode).toBe(0);
    const allowed = join(tmp.dir, 'warn-allowed');
    spawnSync('cp', ['-a', dir, allowed]);
    writeFileSync(
      join(allowed, 'package.json'),
      JSON.stringify({ name: 'app', nativeGuard: { strict: true, allowSourceBuild: ['builds'] } }),
    );
    // allowSourceBuild drops the source-build warning; the allowScripts one is another matter
    const quieter = await runHook('preinstall', hookIo(allowed));
    expect(quieter.stdout).toContain(
      'native-guard check: 1 native package for host (installed tree): 0 errors, 1 warning, 0 info, 1 ignored by config',
    );
    expect(quieter.stdout).not.toContain('SOURCE_BUILD_REQUIRED');
    expect(quieter.exitCode).toBe(0);
  });

  it('honours targets and ignore from the config', async () => {
    const targeted = withConfig(good, 'targets', { targets: ['host', 'node:22-alpine'] });
    expect((await runHook('preinstall', hookIo(targeted))).stdout).toContain(
      'native-guard check: 1 native package for host, node:22-alpine (installed tree)',
    );
    const ignored = withConfig(broken, 'ignored', { strict: true, ignore: ['broken-addon'] });
    const pre = await runHook('preinstall', hookIo(ignored));
    expect(pre.stdout).toBe(
      'native-guard check: 1 native package for host (installed tree): 0 errors, 0 warnings, 0 info, 1 ignored by config\n',
    );
    expect(pre.exitCode).toBe(0);
    const post = await runHook('postinstall', hookIo(ignored, {}, 'postinstall'));
    expect(post.stdout).toContain('0 errors, 0 warnings, 0 info, 1 ignored by config');
    expect(post.exitCode).toBe(0);
  });

  it('NATIVE_GUARD_VERBOSE=1: the full report, still the hook’s exit code', async () => {
    const r = await runHook('preinstall', hookIo(broken, { NATIVE_GUARD_VERBOSE: '1' }));
    expect(r.stdout).toContain('\nTargets\n');
    expect(r.stdout).toContain('fix: reinstall broken-addon');
    expect(r.exitCode).toBe(0);
  });

  it('run by hand (no npm_lifecycle_event): the full report and the CLI’s exit codes', async () => {
    const r = await runHook('postinstall', {
      cwd: broken,
      isTTY: false,
      env: { PATH: process.env.PATH, NO_COLOR: '1' },
    });
    expect(r.stdout).toContain('native-guard verify ' + broken);
    expect(r.stdout).toContain('\nFindings\n');
    expect(r.exitCode).toBe(1);
  });

  it('under GitHub Actions, every finding is also a workflow annotation on its package.json', async () => {
    const r = await runHook(
      'preinstall',
      hookIo(broken, { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: tmp.dir }),
    );
    const annotation = r.stdout.split('\n').find((l) => l.startsWith('::'));
    expect(annotation).toMatch(
      /^::error file=broken\/node_modules\/broken-addon\/package\.json,title=INVALID_BINARY::broken-addon@1\.0\.0 on host: prebuilds\/linux-x64\/broken-addon\.napi\.node is not a loadable binary \(a text file, not a binary\)%0Afix: reinstall broken-addon/,
    );
    expect(annotation).toContain('%0Adocs/findings.md#invalid_binary');
  });

  it('verify does not count native-guard itself (a node-gyp-build dependency, no binary) as a native package', async () => {
    const dir = writeProject(join(tmp.dir, 'self'), {
      root: { devDependencies: { 'native-guard': '0.1.0' } },
      packages: {
        'node_modules/native-guard': {
          manifest: { main: 'index.js', dependencies: { 'node-gyp-build': '^4.8.4' } },
          files: { 'index.js': "exports.tags = require('node-gyp-build').parseTags\n" },
        },
      },
    });
    copyRealPackage('node-gyp-build', join(dir, 'node_modules'));
    const r = await verify({ cwd: dir, env: {}, jobs: 1 });
    expect(r.findings).toEqual([]);
    expect(r.binaries).toEqual([]);
  });
});

describe('native-guard’s own failures', () => {
  it('an internal error is one line and the install goes on; strict fails it', async () => {
    const boom = {
      check: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')")),
    };
    const r = await runHook('preinstall', hookIo(good), boom);
    expect(r).toEqual({
      stdout: '',
      stderr:
        "native-guard check: internal error: Cannot read properties of undefined (reading 'x') (NATIVE_GUARD_VERBOSE=1 prints the stack); the install goes on\n",
      exitCode: 0,
    });
    const strict = withConfig(good, 'strict-internal', { strict: true });
    const s = await runHook('preinstall', hookIo(strict), boom);
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toContain('; failing the install ("strict": true)');
    const verbose = await runHook('preinstall', hookIo(good, { NATIVE_GUARD_VERBOSE: '1' }), boom);
    expect(verbose.stderr).toContain('TypeError: Cannot read properties');
    expect(verbose.stderr).toContain('    at ');
  });

  it('an expected operational error is its own message, in one line', async () => {
    const r = await runHook('postinstall', hookIo(good, {}, 'postinstall'), {
      verify: () =>
        Promise.reject(
          Object.assign(new Error('cannot read the installed tree at /x: EACCES'), { code: 'EACCES' }),
        ),
    });
    expect(r.stderr).toBe(
      'native-guard verify: cannot read the installed tree at /x: EACCES; the install goes on\n',
    );
    expect(r.exitCode).toBe(0);
  });

  it('under GitHub Actions the failure is an annotation too', async () => {
    const r = await runHook('preinstall', hookIo(good, { GITHUB_ACTIONS: 'true' }), {
      check: () => Promise.reject(new Error('boom\nsecond line')),
    });
    expect(r.stdout).toBe(
      '::warning title=native-guard::native-guard check: internal error: boom (NATIVE_GUARD_VERBOSE=1 prints the stack)\n',
    );
  });

  it('hooks/run.js without the built code: one line, exit 0; strict fails; by hand exits 2', () => {
    // a copy of the hooks folder with no ../dist beside it: what a broken install of native-guard looks like
    const pkg = join(tmp.dir, 'no-dist');
    mkdirSync(join(pkg, 'hooks'), { recursive: true });
    for (const f of ['run.js', 'preinstall.js', 'postinstall.js'])
      copyFileSync(join(REPO, 'hooks', f), join(pkg, 'hooks', f));
    writeFileSync(join(pkg, 'package.json'), '{"type":"module"}\n');
    const project = writeProject(join(tmp.dir, 'no-dist-project'), {});
    const strictProject = writeProject(join(tmp.dir, 'no-dist-strict'), {
      root: { nativeGuard: { strict: true } },
    });
    const run = (cwd: string, env: Record<string, string>) =>
      spawnSync(process.execPath, [join(pkg, 'hooks', 'postinstall.js')], {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...env },
      });
    const r = run(project, { npm_lifecycle_event: 'postinstall' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /^native-guard verify: internal error: Cannot find module .*dist\/hooks\/(entry|run)\.js.*; the install goes on\n$/,
    );
    expect(run(strictProject, { npm_lifecycle_event: 'postinstall' }).status).toBe(1);
    expect(run(project, {}).status).toBe(2);
  });
});

describe('a package manager that runs the root preinstall before it installs (npm 12, pnpm, Yarn 1)', () => {
  const agent = (ua: string) => ({ npm_config_user_agent: ua });
  const NPM12 = agent('npm/12.2.3 node/v22.23.5 linux x64 workspaces/false');
  const NPM11 = agent('npm/11.19.1 node/v20.20.2 linux x64 workspaces/false');

  it('is told by npm_config_user_agent', () => {
    expect(preinstallRunsFirst(NPM12)).toBe('npm 12.2.3');
    expect(preinstallRunsFirst(agent('npm/13.0.0-pre.1 node/v24.1.0 linux x64'))).toBe('npm 13.0.0');
    expect(preinstallRunsFirst(agent('pnpm/11.0.0 npm/? node/v22.23.5 linux x64'))).toBe('pnpm 11.0.0');
    // measured with the real pnpm 10 (test/e2e/manager-hooks.test.ts): it runs the root preinstall after it links
    expect(preinstallRunsFirst(agent('pnpm/10.34.9 npm/? node/v20.20.2 linux x64'))).toBeNull();
    expect(preinstallRunsFirst(agent('pnpm/9.15.0 npm/? node/v20.20.2 linux x64'))).toBe('pnpm 9.15.0');
    expect(preinstallRunsFirst(agent('yarn/1.22.22 npm/? node/v20.20.2 linux x64'))).toBe('yarn 1.22.22');
    expect(preinstallRunsFirst(agent('yarn/4.5.0 npm/? node/v20.20.2 linux x64'))).toBeNull();
    expect(preinstallRunsFirst(agent('bun/1.3.0 npm/? node/v24.3.0 linux x64'))).toBeNull();
    expect(preinstallRunsFirst(NPM11)).toBeNull();
    expect(preinstallRunsFirst(agent('npm/7.0.0 node/v14.0.0'))).toBeNull();
    expect(preinstallRunsFirst({})).toBeNull();
  });

  it('the preinstall defers in one line and runs nothing (the tree it would see is not the one being installed)', async () => {
    const never = () =>
      Promise.reject(new Error('the preinstall must not check a tree npm has not installed yet'));
    const r = await runHook('preinstall', hookIo(good, NPM12), { check: never, lockfileCheck: never });
    expect(r).toEqual({
      stdout:
        'native-guard check: deferred: npm 12.2.3 runs preinstall before it installs; the postinstall hook will check\n',
      stderr: '',
      exitCode: 0,
    });
  });

  it('the postinstall checks, then verifies, with one exit decision; npm 11 keeps verify alone', async () => {
    const order: string[] = [];
    const runners = {
      check: async () => {
        order.push('check');
        return {
          schemaVersion: 1 as const,
          root: good,
          mode: 'installed' as const,
          targets: [],
          packages: [],
          findings: [],
          ignored: 0,
        };
      },
      verify: async () => {
        order.push('verify');
        return verify({ cwd: good, env: {}, jobs: 1 });
      },
    };
    const r = await runHook('postinstall', hookIo(good, NPM12, 'postinstall'), runners);
    expect(order).toEqual(['check', 'verify']);
    expect(r.stdout.split('\n')[0]).toBe(
      'native-guard check: 0 native packages for  (installed tree): 0 errors, 0 warnings, 0 info',
    );
    expect(r.stdout.split('\n')[1]).toMatch(/^native-guard verify: /);
    expect(r.exitCode).toBe(0);
    order.length = 0;
    const old = await runHook('postinstall', hookIo(good, NPM11, 'postinstall'), runners);
    expect(order).toEqual(['verify']);
    expect(old.stdout).toMatch(/^native-guard verify: /);
  });
});

describe.skipIf(!runnable)('the checking postinstall on a real tree (npm 12)', () => {
  const NPM12 = { npm_config_user_agent: 'npm/12.2.3 node/v22.23.5 linux x64 workspaces/false' };

  it('good tree: a check line and a verify line', async () => {
    const r = await runHook('postinstall', hookIo(good, NPM12, 'postinstall'));
    expect(r.stdout).toBe(
      'native-guard check: 1 native package for host (installed tree): 0 errors, 0 warnings, 0 info\n' +
        `native-guard verify: 1 binary with Node ${process.versions.node}, 1 loaded, 0 failed: 0 errors, 0 warnings, 0 info\n`,
    );
    expect(r.exitCode).toBe(0);
  });

  it('strict: the errors of both count once, in one line, and fail the install', async () => {
    const dir = withConfig(broken, 'broken-strict-npm12', { strict: true });
    const r = await runHook('postinstall', hookIo(dir, NPM12, 'postinstall'));
    expect(r.stdout).toContain(
      'error   INVALID_BINARY  broken-addon@1.0.0 on host: prebuilds/linux-x64/broken-addon.napi.node is not a loadable binary',
    );
    expect(r.stdout).toContain(
      'error   INVALID_BINARY  broken-addon@1.0.0: node_modules/broken-addon/prebuilds/linux-x64/broken-addon.napi.node is not a loadable binary',
    );
    expect(r.stderr).toBe(
      'native-guard verify: failing the install: 2 error findings and "strict": true in package.json (NATIVE_GUARD=0 skips native-guard)\n',
    );
    expect(r.exitCode).toBe(1);
  });
});

// The real hook file in the real package, end to end through the bin-less entry point.
describe.skipIf(!runnable)('hooks/preinstall.js in a child process', () => {
  beforeAll(() => ensureBuilt());
  it('prints the compact report and sets the exit code', () => {
    const strict = withConfig(broken, 'child-strict', { strict: true });
    const r = spawnSync(process.execPath, [join(REPO, 'hooks', 'preinstall.js')], {
      cwd: strict,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NO_COLOR: '1', npm_lifecycle_event: 'preinstall' },
    });
    expect(r.stdout).toContain('INVALID_BINARY  broken-addon@1.0.0');
    expect(r.stderr).toContain('failing the install');
    expect(r.status).toBe(1);
  });
});
