import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../binary/paths.js';
import { ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { realNode } from '../helpers/node-binary.js';

// The real hook files of this package (hooks/*.js → dist/hooks/entry.js), run as npm runs them, on a
// project with two native addons: an unchanged project is answered from the cache without loading
// the hook's real code or Arborist; a change is a full run again.

/** napi-ok is a linux-x64 glibc build (Node-API: any Node); verify loads it. */
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const runnable =
  process.platform === 'linux' && process.arch === 'x64' && !!report?.header?.glibcVersionRuntime;

/** A guard far above any normal run: a hung hook is killed and the test fails on its output. */
const KILL_AFTER_MS = 120_000;
const NOTE = '(unchanged since last check)';
const NOTE_RE = NOTE.replace(/[()]/g, '\\$&');

let tmp: ReturnType<typeof tempDir>;
let project: string;
let recorder: string;
let log: string;

beforeAll(() => {
  ensureBuilt();
  tmp = tempDir('ng-hook-cache-e2e-');
  project = writeProject(join(tmp.dir, 'app'), {
    root: { dependencies: { one: '1.0.0', two: '1.0.0' } },
    files: {
      'package-lock.json': '{"lockfileVersion":3,"packages":{}}\n',
      'node_modules/.package-lock.json': '{"lockfileVersion":3,"packages":{}}\n',
    },
    packages: {
      'node_modules/one': {
        manifest: { main: 'one.node' },
        files: { 'one.node': { copy: addon('napi-ok') } },
      },
      'node_modules/two': {
        manifest: { main: 'two.node' },
        files: { 'two.node': { copy: addon('napi-ok') } },
      },
    },
  });
  // every module the hook process resolves, ESM resolve hooks writing each URL to a log file
  const hooks = join(tmp.dir, 'record-hooks.mjs');
  writeFileSync(
    hooks,
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const r = await next(specifier, context);\n' +
      "  appendFileSync(process.env.NG_IMPORT_LOG, r.url + '\\n');\n" +
      '  return r;\n' +
      '}\n',
  );
  recorder = join(tmp.dir, 'record.mjs');
  writeFileSync(
    recorder,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  log = join(tmp.dir, 'imports.log');
});
afterAll(() => tmp?.cleanup());

/** Runs hooks/<event>.js in the project as npm would; returns its output, exit and what it imported. */
function hook(
  event: 'preinstall' | 'postinstall',
  env: Record<string, string> = {},
  node = process.execPath,
) {
  writeFileSync(log, '');
  const r = spawnSync(node, ['--import', recorder, join(REPO, 'hooks', `${event}.js`)], {
    cwd: project,
    encoding: 'utf8',
    timeout: KILL_AFTER_MS,
    env: { PATH: process.env.PATH, NO_COLOR: '1', npm_lifecycle_event: event, NG_IMPORT_LOG: log, ...env },
  });
  const imported = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, imported };
}

const loadedRealHook = (imported: string[]) =>
  imported.some((u) => u.endsWith('/dist/hooks/run.js') || u.includes('/@npmcli/arborist/'));

describe.skipIf(!runnable)('the hooks answer an unchanged project from the cache', () => {
  it(
    'verify: a miss runs and keeps the answer; the same tree again is answered without Arborist',
    () => {
      const first = hook('postinstall');
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toBe(
        `native-guard verify: 2 binaries with Node ${process.versions.node}, 2 loaded, 0 failed: 0 errors, 0 warnings, 0 info\n`,
      );
      // the recorder sees the real hook and Arborist on a miss, so their absence below means something
      expect(first.imported.some((u) => u.endsWith('/dist/hooks/entry.js'))).toBe(true);
      expect(loadedRealHook(first.imported)).toBe(true);

      const again = hook('postinstall');
      expect(again.status).toBe(0);
      expect(again.stdout).toBe(first.stdout.replace('\n', ` ${NOTE}\n`));
      expect(again.imported.some((u) => u.endsWith('/dist/hooks/entry.js'))).toBe(true);
      expect(again.imported.filter((u) => u.includes('/dist/'))).toEqual(
        expect.not.arrayContaining([expect.stringMatching(/\/dist\/(check|verify|tree|report)\//)]),
      );
      expect(loadedRealHook(again.imported)).toBe(false);
    },
    3 * KILL_AFTER_MS,
  );

  it(
    'check: the same, and a touched .node or a changed lockfile is a full run again',
    () => {
      const first = hook('preinstall');
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(
        /^native-guard check: 2 native packages for host \(installed tree\): 0 errors/,
      );
      expect(first.stdout).not.toContain(NOTE);
      const hit = hook('preinstall');
      expect(hit.stdout).toBe(first.stdout.replace('\n', ` ${NOTE}\n`));
      expect(loadedRealHook(hit.imported)).toBe(false);

      const past = new Date('2024-01-02T03:04:05Z');
      utimesSync(join(project, 'node_modules', 'two', 'two.node'), past, past);
      const touched = hook('preinstall');
      expect(touched.stdout).toBe(first.stdout);
      expect(loadedRealHook(touched.imported)).toBe(true);
      expect(hook('preinstall').stdout).toContain(NOTE);

      writeFileSync(join(project, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{}}}\n');
      const locked = hook('preinstall');
      expect(locked.stdout).toBe(first.stdout);
      expect(loadedRealHook(locked.imported)).toBe(true);
    },
    6 * KILL_AFTER_MS,
  );

  it(
    'a corrupt cache file is a miss (and is replaced); NATIVE_GUARD_CACHE=0 always runs',
    () => {
      hook('postinstall');
      expect(hook('postinstall').stdout).toContain(NOTE);
      writeFileSync(
        join(project, 'node_modules', '.cache', 'native-guard', 'postinstall.json'),
        '{"format":',
      );
      const corrupt = hook('postinstall');
      expect(corrupt.stderr).toBe('');
      expect(corrupt.status).toBe(0);
      expect(corrupt.stdout).toMatch(
        /^native-guard verify: 2 binaries .*0 failed: 0 errors, 0 warnings, 0 info\n$/,
      );
      expect(loadedRealHook(corrupt.imported)).toBe(true);
      expect(hook('postinstall').stdout).toContain(NOTE);

      const off = hook('postinstall', { NATIVE_GUARD_CACHE: '0' });
      expect(off.stdout).not.toContain(NOTE);
      expect(loadedRealHook(off.imported)).toBe(true);
    },
    6 * KILL_AFTER_MS,
  );

  it(
    'a changed tree loads the Dockerfile code only when the project has a Dockerfile',
    () => {
      const dockerCode = (imported: string[]) =>
        imported.some((u) => u.includes('/dist/docker/') || u.includes('/dockerfile-ast/'));
      const without = hook('preinstall', { NATIVE_GUARD_CACHE: '0' });
      expect(without.status).toBe(0);
      expect(loadedRealHook(without.imported)).toBe(true);
      expect(dockerCode(without.imported)).toBe(false);
      const dockerfile = join(project, 'Dockerfile');
      writeFileSync(dockerfile, 'FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n');
      try {
        const withIt = hook('preinstall', { NATIVE_GUARD_CACHE: '0' });
        expect(withIt.status).toBe(0);
        expect(withIt.imported.some((u) => u.endsWith('/dist/docker/for-check.js'))).toBe(true);
      } finally {
        rmSync(dockerfile, { force: true });
      }
    },
    4 * KILL_AFTER_MS,
  );

  it(
    'another Node version is a miss: its own run, with that Node',
    (ctx) => {
      // a major other than the one running the suite (the matrix runs it on 20, 22 and 24)
      const major = Number(process.versions.node.split('.')[0]) === 22 ? 24 : 22;
      const otherNode = realNode(major);
      // no such Node binary to be had here (no registry): reported as skipped, with the reason
      if (!otherNode.path) return ctx.skip(otherNode.reason);
      hook('postinstall');
      expect(hook('postinstall').stdout).toContain(NOTE);
      const other = hook('postinstall', {}, otherNode.path);
      expect(other.status).toBe(0);
      expect(other.stdout).toMatch(
        new RegExp(`^native-guard verify: 2 binaries with Node ${major}\\.\\d+\\.\\d+, 2 loaded, 0 failed`),
      );
      expect(other.stdout).not.toContain(NOTE);
      expect(loadedRealHook(other.imported)).toBe(true);
      rmSync(join(project, 'node_modules', '.cache'), { recursive: true, force: true });
    },
    4 * KILL_AFTER_MS,
  );
});

/** Runs the real npm in `cwd`, offline (everything comes from local tarballs and folders). */
function npm(cwd: string, args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  // a user's shell: nothing of the npm or vitest process running these tests
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST)/i.test(k)) env[k] = v;
  const r = spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    timeout: 5 * KILL_AFTER_MS,
    env: { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false' },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!runnable)('with the real npm', () => {
  it(
    'a second `npm install` of an unchanged project answers both hooks from the cache; a touched .node runs them again',
    () => {
      // native-guard as a local folder dependency: this checkout's dist/ and hooks/, no dependencies of
      // its own to fetch (they resolve from this checkout, where dist/ really is)
      const dir = join(tmp.dir, 'npm');
      const guard = join(dir, 'native-guard');
      mkdirSync(guard, { recursive: true });
      const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(
        join(guard, 'package.json'),
        JSON.stringify({ name: own.name, version: own.version, type: own.type, exports: own.exports }),
      );
      for (const d of ['dist', 'hooks']) symlinkSync(join(REPO, d), join(guard, d), 'dir');
      const app = writeProject(join(dir, 'app'), {
        root: { dependencies: { 'native-guard': 'file:../native-guard', one: 'file:../one' } },
      });
      writeProject(join(dir, 'one'), { root: { name: 'one', main: 'one.node' } });
      copyFileSync(addon('napi-ok'), join(dir, 'one', 'one.node'));
      const wire = spawnSync(process.execPath, [join(REPO, 'dist', 'bin.js'), 'init', '-C', app], {
        encoding: 'utf8',
      });
      expect(wire.status, wire.stderr).toBe(0);

      const first = npm(app, ['install']);
      expect(first.status, first.output).toBe(0);
      expect(first.output).toMatch(
        /native-guard check: 1 native package for host \(installed tree\): 0 errors/,
      );
      expect(first.output).toMatch(/native-guard verify: 1 binary with Node .*, 1 loaded, 0 failed/);
      expect(first.output).not.toContain(NOTE);

      const again = npm(app, ['install']);
      expect(again.status, again.output).toBe(0);
      expect(again.output).toMatch(new RegExp(`native-guard check: 1 native package .*0 info ${NOTE_RE}`));
      expect(again.output).toMatch(new RegExp(`native-guard verify: 1 binary .*0 info ${NOTE_RE}`));

      // npm links a folder dependency: the binary it loads is the one in ../one
      const past = new Date('2024-01-02T03:04:05Z');
      utimesSync(join(dir, 'one', 'one.node'), past, past);
      const touched = npm(app, ['install']);
      expect(touched.status, touched.output).toBe(0);
      expect(touched.output).toMatch(/native-guard verify: 1 binary with Node .*, 1 loaded, 0 failed/);
      expect(touched.output).not.toContain(NOTE);
    },
    20 * KILL_AFTER_MS,
  );
});
