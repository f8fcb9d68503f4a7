import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import { realNode } from '../helpers/node-binary.js';
import { realNpm } from './real-npm.js';

/**
 * The hooks `init` wires, under the real npm 12 (from the registry, on a real Node 22: npm 12 wants
 * ^22.22.2) and the machine's npm 11, on one project: bufferutil (node-gyp-build prebuilds: its
 * install script is not needed) and tiny-gyp (a binding.gyp package: npm's implicit `node-gyp
 * rebuild` is its only binary), neither in allowScripts. npm 11 runs the root preinstall after the
 * install and runs tiny-gyp's build with a warning; npm 12 runs the preinstall first, before
 * native-guard is installed, and blocks tiny-gyp's build (/work/notes/npm12.md §1, §2).
 */
const runnable = process.platform === 'linux' && process.arch === 'x64';
const MINUTES = 60_000;

let tmp: ReturnType<typeof tempDir>;
let template: string;
let npm12: ReturnType<typeof realNpm> = { cli: null, version: null, reason: 'not fetched' };
let node22: ReturnType<typeof realNode> = { path: null, reason: 'not fetched' };

/** The environment of a user's shell: nothing from the npm (or CI) process running these tests. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

interface Run {
  status: number | null;
  stdout: string;
  /** stdout and stderr together. */
  output: string;
}

function run(cwd: string, command: string, args: string[], extra: Record<string, string> = {}): Run {
  const r = spawnSync(command, args, {
    cwd,
    env: userEnv(extra),
    encoding: 'utf8',
    timeout: 10 * MINUTES,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

const FLAGS = ['--no-audit', '--no-fund', '--prefer-offline'];
const npm11 = (cwd: string, args: string[], extra: Record<string, string> = {}) =>
  run(cwd, 'npm', [...args, ...FLAGS], extra);
/** npm 12 on Node 22, that Node first on PATH so the root scripts' `node` is the same one. */
const npm12run = (cwd: string, args: string[], extra: Record<string, string> = {}) =>
  run(cwd, node22.path!, [npm12.cli!, ...args, ...FLAGS], {
    PATH: `${dirname(node22.path!)}${delimiter}${process.env.PATH}`,
    ...extra,
  });

function ok(r: Run): Run {
  if (r.status !== 0) throw new Error(`exit ${r.status}:\n${r.output}`);
  return r;
}

/** The lines the hooks print (npm 12 echoes the script text on stderr too: only stdout is theirs). */
const hookLines = (r: Run) =>
  r.stdout.split('\n').filter((l) => /^(native-guard |\s+(error|warning) )/.test(l));

let n = 0;
/** A fresh copy of the wired project, without node_modules. */
function project(): string {
  const dir = join(tmp.dir, `app${++n}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  tmp = tempDir('ng-e2e-npm12-');
  const packed = ok(run(REPO, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir]));
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
  const tarball = join(tmp.dir, info!.filename);

  // a binding.gyp package (N-API, a few lines of C) and a plain one, packed as a registry would serve them
  const tiny = join(tmp.dir, 'tiny-gyp');
  mkdirSync(tiny);
  writeFileSync(
    join(tiny, 'package.json'),
    JSON.stringify({
      name: 'tiny-gyp',
      version: '1.0.0',
      main: 'index.js',
      dependencies: { 'node-gyp-build': '^4.8.4' },
    }),
  );
  writeFileSync(join(tiny, 'index.js'), "module.exports = require('node-gyp-build')(__dirname)\n");
  writeFileSync(join(tiny, 'binding.gyp'), '{"targets":[{"target_name":"tiny","sources":["tiny.c"]}]}\n');
  writeFileSync(
    join(tiny, 'tiny.c'),
    '#include <node_api.h>\nstatic napi_value Init(napi_env env, napi_value exports) { return exports; }\nNAPI_MODULE(NODE_GYP_MODULE_NAME, Init)\n',
  );
  ok(run(tiny, 'npm', ['pack', '--pack-destination', tmp.dir]));
  const plain = join(tmp.dir, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'package.json'), JSON.stringify({ name: 'plain', version: '1.0.0' }));
  ok(run(plain, 'npm', ['pack', '--pack-destination', tmp.dir]));

  template = join(tmp.dir, 'template');
  mkdirSync(template);
  writeFileSync(
    join(template, 'package.json'),
    JSON.stringify(
      {
        name: 'e2e-npm12',
        version: '1.0.0',
        private: true,
        dependencies: { bufferutil: '^4.0.9', 'tiny-gyp': 'file:../tiny-gyp-1.0.0.tgz' },
        devDependencies: { 'native-guard': `file:${tarball}` },
      },
      null,
      2,
    ) + '\n',
  );
  // the lockfile and the wiring, as a user has them committed; then no node_modules
  ok(npm11(template, ['install', '--ignore-scripts']));
  ok(
    run(template, process.execPath, [
      join(template, 'node_modules', 'native-guard', 'dist', 'bin.js'),
      'init',
    ]),
  );
  rmSync(join(template, 'node_modules'), { recursive: true, force: true });

  npm12 = realNpm(12);
  node22 = realNode(22);
}, 15 * MINUTES);
afterAll(() => tmp?.cleanup());

const CHECK_NPM12 = [
  'native-guard check: 2 native packages for host (installed tree): 1 error, 1 warning, 1 info; fixes: npx native-guard check',
  '  error   INSTALL_SCRIPT_DENIED  tiny-gyp@1.0.0 on host: its binary comes from its install script (source-build); npm 12.2.3 will not run it: it is not in allowScripts, and npm 12 blocks every install script allowScripts does not cover',
  '  warning SOURCE_BUILD_REQUIRED  tiny-gyp@1.0.0 compiles from source on host (node-gyp)',
];
const VERIFY_NPM12 = [
  'native-guard verify: 1 binary with Node 22.23.5, 1 loaded, 1 failed: 1 error, 0 warnings, 0 info; fixes: npx native-guard verify',
  '  error   BINARY_MISSING  tiny-gyp@1.0.0: no binary where node-gyp-build looks for it: No native build was found for platform=linux arch=x64 runtime=node abi=127 uv=1 libc=glibc node=22.23.5',
];

describe.skipIf(!runnable)('npm 12 (real, on Node 22)', () => {
  let app: string;
  beforeAll(() => {
    if (!npm12.cli) throw new Error(npm12.reason);
    if (!node22.path) throw new Error(node22.reason);
    app = project();
  });

  it(
    'fresh npm ci: the preinstall runs before native-guard is installed and says so; the postinstall checks and verifies',
    () => {
      const r = ok(npm12run(app, ['ci']));
      // the Node the test fetched is the one the expected lines name
      expect(run(app, node22.path!, ['-p', 'process.versions.node']).stdout.trim()).toBe('22.23.5');
      expect(hookLines(r)).toEqual([
        'native-guard check: not installed yet: the postinstall hook will check',
        ...CHECK_NPM12,
        ...VERIFY_NPM12,
      ]);
      // npm's own word for it: the script was blocked
      expect(r.output).toContain(
        'npm warn install-scripts 2 packages had install scripts blocked because they are not covered by allowScripts:',
      );
    },
    10 * MINUTES,
  );

  it(
    'npm install on the installed tree: the preinstall defers (it would see the previous tree), the postinstall checks and verifies',
    () => {
      const r = ok(npm12run(app, ['install']));
      expect(hookLines(r)).toEqual([
        'native-guard check: deferred: npm 12.2.3 runs preinstall before it installs; the postinstall hook will check',
        ...CHECK_NPM12,
        ...VERIFY_NPM12,
      ]);
    },
    10 * MINUTES,
  );

  it(
    'npm install <pkg>: npm runs no root script, so no hook',
    () => {
      const r = ok(npm12run(app, ['install', 'file:../plain-1.0.0.tgz']));
      expect(existsSync(join(app, 'node_modules', 'plain'))).toBe(true);
      expect(hookLines(r)).toEqual([]);
    },
    10 * MINUTES,
  );

  it(
    'the fix the finding gives works: approve, then npm rebuild; the next install checks clean and loads both',
    () => {
      ok(npm12run(app, ['install-scripts', 'approve', 'tiny-gyp']));
      const allow = (JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { allowScripts: object })
        .allowScripts;
      // npm 12 pins a file: dependency by its absolute path
      expect(Object.keys(allow)).toEqual([`file:${join(tmp.dir, 'tiny-gyp-1.0.0.tgz')}`]);
      ok(npm12run(app, ['rebuild', 'tiny-gyp']));
      const r = ok(npm12run(app, ['install']));
      expect(hookLines(r)).toEqual([
        'native-guard check: deferred: npm 12.2.3 runs preinstall before it installs; the postinstall hook will check',
        'native-guard check: 2 native packages for host (installed tree): 0 errors, 1 warning, 1 info; fixes: npx native-guard check',
        '  warning SOURCE_BUILD_REQUIRED  tiny-gyp@1.0.0 compiles from source on host (node-gyp)',
        'native-guard verify: 2 binaries with Node 22.23.5, 2 loaded, 0 failed: 0 errors, 0 warnings, 0 info',
      ]);
    },
    10 * MINUTES,
  );

  it(
    'npm ci --omit=dev: native-guard is not installed at all, one line per hook',
    () => {
      const r = ok(npm12run(app, ['ci', '--omit=dev']));
      expect(existsSync(join(app, 'node_modules', 'native-guard'))).toBe(false);
      expect(hookLines(r)).toEqual([
        'native-guard check: skipped: native-guard is not installed (--omit=dev)',
        'native-guard verify: skipped: native-guard is not installed (npm ci --omit=dev?)',
      ]);
    },
    10 * MINUTES,
  );

  it(
    'strict: the postinstall check and verify decide once, and npm ci fails',
    () => {
      const strict = project();
      const file = join(strict, 'package.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...manifest, nativeGuard: { strict: true } }, null, 2) + '\n');
      const r = npm12run(strict, ['ci']);
      expect(r.status).not.toBe(0);
      expect(hookLines(r)).toEqual([
        'native-guard check: not installed yet: the postinstall hook will check',
        ...CHECK_NPM12,
        ...VERIFY_NPM12,
      ]);
      expect(r.output).toContain(
        'native-guard verify: failing the install: 2 error findings and "strict": true in package.json (NATIVE_GUARD=0 skips native-guard)',
      );
    },
    10 * MINUTES,
  );
});

const CHECK_NPM11 = [
  'native-guard check: 2 native packages for host (installed tree): 0 errors, 2 warnings, 1 info; fixes: npx native-guard check',
  '  warning INSTALL_SCRIPT_DENIED  tiny-gyp@1.0.0 on host: its binary comes from its install script (source-build); not reviewed by the npm allowScripts policy: it runs today with a warning, and breaks as soon as the policy denies it',
  '  warning SOURCE_BUILD_REQUIRED  tiny-gyp@1.0.0 compiles from source on host (node-gyp)',
];
const VERIFY_NPM11 = new RegExp(
  `^native-guard verify: 2 binaries with Node ${process.versions.node.replace(/\./g, '\\.')}, 2 loaded, 0 failed: 0 errors, 0 warnings, 0 info$`,
);

describe.skipIf(!runnable)('npm 11 (the machine’s), same project', () => {
  let app: string;
  let major: number;
  beforeAll(() => {
    app = project();
    major = Number(run(app, 'npm', ['--version']).stdout.split('.')[0]);
  });

  it(
    'fresh npm ci: the root preinstall runs after the install, so it checks the installed tree; tiny-gyp builds with a warning',
    () => {
      expect(major).toBe(11);
      const r = ok(npm11(app, ['ci']));
      const lines = hookLines(r);
      expect(lines.slice(0, 3)).toEqual(CHECK_NPM11);
      expect(lines[3]).toMatch(VERIFY_NPM11);
      expect(lines).toHaveLength(4);
    },
    10 * MINUTES,
  );

  it(
    'npm install again: the same two hooks, nothing deferred',
    () => {
      const lines = hookLines(ok(npm11(app, ['install'])));
      expect(lines.slice(0, 3)).toEqual(CHECK_NPM11);
      expect(lines[3]).toMatch(VERIFY_NPM11);
      expect(lines).toHaveLength(4);
    },
    10 * MINUTES,
  );

  it(
    'npm install <pkg>: no hook',
    () => {
      expect(hookLines(ok(npm11(app, ['install', 'file:../plain-1.0.0.tgz'])))).toEqual([]);
    },
    10 * MINUTES,
  );

  it(
    'npm ci --omit=dev: one line per hook',
    () => {
      const r = ok(npm11(app, ['ci', '--omit=dev']));
      expect(hookLines(r)).toEqual([
        'native-guard check: skipped: native-guard is not installed (--omit=dev)',
        'native-guard verify: skipped: native-guard is not installed (npm ci --omit=dev?)',
      ]);
    },
    10 * MINUTES,
  );
});
