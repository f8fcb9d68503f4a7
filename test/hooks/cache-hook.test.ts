import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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
    'another Node version is a miss: its own run, with that Node',
    (ctx) => {
      const node22 = realNode(22);
      // no Node 22 binary to be had here (no registry): reported as skipped, with the reason
      if (!node22.path) return ctx.skip(node22.reason);
      hook('postinstall');
      expect(hook('postinstall').stdout).toContain(NOTE);
      const other = hook('postinstall', {}, node22.path);
      expect(other.status).toBe(0);
      expect(other.stdout).toMatch(
        /^native-guard verify: 2 binaries with Node 22\.\d+\.\d+, 2 loaded, 0 failed/,
      );
      expect(other.stdout).not.toContain(NOTE);
      expect(loadedRealHook(other.imported)).toBe(true);
      rmSync(join(project, 'node_modules', '.cache'), { recursive: true, force: true });
    },
    4 * KILL_AFTER_MS,
  );
});
