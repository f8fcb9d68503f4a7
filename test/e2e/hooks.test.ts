import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookScript } from '../../src/hooks/init-plan.js';
import { ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';

/**
 * The product promise end to end, with the real npm on this machine: native-guard packed as users
 * get it (`npm pack`), a project that depends on the tarball and on real native packages from the
 * registry, `npx native-guard init`, then `npm install` / `npm ci` running the hooks.
 */
const runnable = process.platform === 'linux' && process.arch === 'x64';
const MINUTES = 60_000;

let tmp: ReturnType<typeof tempDir>;
let tarball: string;

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
  /** stdout and stderr together, as a user's terminal shows them. */
  output: string;
}

function run(cwd: string, command: string, args: string[], extra: Record<string, string> = {}): Run {
  const r = spawnSync(command, args, {
    cwd,
    env: userEnv(extra),
    encoding: 'utf8',
    timeout: 10 * MINUTES,
    // one stream, in the order it was written
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const npm = (cwd: string, args: string[], extra: Record<string, string> = {}) =>
  run(cwd, 'npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], extra);

/** Fails with npm's own output, which says what went wrong. */
function ok(r: Run): Run {
  if (r.status !== 0) throw new Error(`exit ${r.status}:\n${r.output}`);
  return r;
}

const read = (file: string) => readFileSync(file, 'utf8');

beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  tmp = tempDir('ng-e2e-hooks-');
  const packed = ok(run(REPO, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir]));
  const [info] = JSON.parse(packed.output.slice(packed.output.indexOf('['))) as Array<{ filename: string }>;
  tarball = join(tmp.dir, info!.filename);
}, 5 * MINUTES);
afterAll(() => tmp?.cleanup());

describe.skipIf(!runnable)('npm install with the hooks init wires (real npm, real registry packages)', () => {
  let app: string;
  /** package.json as the user wrote it: 4-space indent, its own pre- and postinstall. */
  let original: string;

  beforeAll(() => {
    app = join(tmp.dir, 'app');
    mkdirSync(app);
    original =
      JSON.stringify(
        {
          name: 'e2e-app',
          version: '1.0.0',
          private: true,
          scripts: {
            // what is in node_modules when npm runs the root preinstall, recorded by the user's own script
            preinstall:
              "node -e \"require('fs').writeFileSync('preinstall-saw.json', JSON.stringify(require('fs').readdirSync('node_modules').sort()))\"",
            postinstall: 'node -e "console.log(\'user postinstall ran\')"',
          },
          dependencies: { '@parcel/watcher': '^2.5.1', bufferutil: '^4.0.9' },
          devDependencies: { 'native-guard': `file:${tarball}` },
        },
        null,
        4,
      ) + '\n';
    writeFileSync(join(app, 'package.json'), original);
  });

  it(
    'init wires the hooks through the installed bin; a second init changes nothing',
    () => {
      ok(npm(app, ['install']));
      const first = ok(run(app, 'npx', ['--no', 'native-guard', 'init']));
      expect(first.output).toContain('~ scripts.preinstall ');
      expect(first.output).toContain('~ scripts.postinstall ');
      const wired = read(join(app, 'package.json'));
      const scripts = (JSON.parse(wired) as { scripts: Record<string, string> }).scripts;
      expect(scripts.preinstall!.endsWith(` && ${hookScript('preinstall')}`)).toBe(true);
      expect(scripts.postinstall).toBe(
        `node -e "console.log('user postinstall ran')" && ${hookScript('postinstall')}`,
      );
      expect(wired).toContain('\n        "postinstall": "node -e ');

      const second = ok(run(app, 'npx', ['--no', 'native-guard', 'init']));
      expect(second.output).toContain('Already wired; package.json unchanged.');
      expect(read(join(app, 'package.json'))).toBe(wired);
    },
    10 * MINUTES,
  );

  it(
    'npm ci: npm 11 runs the root preinstall after reify, and both hooks print their results',
    () => {
      const r = ok(npm(app, ['ci']));
      // the user's preinstall saw the dependencies already in node_modules
      const saw = JSON.parse(read(join(app, 'preinstall-saw.json'))) as string[];
      expect(saw).toEqual(
        expect.arrayContaining(['.package-lock.json', 'bufferutil', 'native-guard', '@parcel']),
      );
      // so the preinstall hook checked the installed tree: both native packages, all good
      expect(r.output).toContain(
        // the info: neither package needs its install script on this machine (INSTALL_SCRIPT_NOT_NEEDED)
        'native-guard check: 2 native packages for host (installed tree): 0 errors, 0 warnings, 2 info',
      );
      expect(r.output).toMatch(
        /native-guard verify: 2 binaries with Node [\d.]+, 2 loaded, 0 failed: 0 errors, 0 warnings, 0 info/,
      );
      // chained: the user's postinstall ran first
      expect(r.output.indexOf('user postinstall ran')).toBeGreaterThan(-1);
      expect(r.output.indexOf('user postinstall ran')).toBeLessThan(r.output.indexOf('native-guard verify:'));
      // the root's scripts are shown without --foreground-scripts
      expect(r.output).toContain('> e2e-app@1.0.0 preinstall');
    },
    10 * MINUTES,
  );

  it(
    'npm install with no changes runs the hooks again; NATIVE_GUARD=0 skips them in one line',
    () => {
      const again = ok(npm(app, ['install']));
      expect(again.output).toContain('native-guard check: 2 native packages for host (installed tree)');
      const off = ok(npm(app, ['install'], { NATIVE_GUARD: '0' }));
      expect(off.output).toContain('native-guard check: skipped (NATIVE_GUARD=0)');
      expect(off.output).toContain('native-guard verify: skipped (NATIVE_GUARD=0)');
    },
    10 * MINUTES,
  );

  it(
    'npm ci --omit=dev: native-guard is absent, the install succeeds and says so in one line per hook',
    () => {
      const r = ok(npm(app, ['ci', '--omit=dev']));
      expect(existsSync(join(app, 'node_modules', 'native-guard'))).toBe(false);
      expect(existsSync(join(app, 'node_modules', 'bufferutil'))).toBe(true);
      expect(r.output).toContain('native-guard check: skipped: native-guard is not installed (--omit=dev)');
      expect(r.output).toContain(
        'native-guard verify: skipped: native-guard is not installed (npm ci --omit=dev?)',
      );
      expect(r.output).toContain('user postinstall ran');
    },
    10 * MINUTES,
  );

  it(
    'the preinstall hook where node_modules is absent (called as npm would, with only a lockfile)',
    () => {
      // npm 11 never runs it so; npm 6, npm 12 and Yarn 1 run a root preinstall before they install
      ok(npm(app, ['install']));
      const fresh = join(tmp.dir, 'fresh-clone');
      mkdirSync(fresh);
      writeFileSync(join(fresh, 'package.json'), read(join(app, 'package.json')));
      writeFileSync(join(fresh, 'package-lock.json'), read(join(app, 'package-lock.json')));
      const hook = join(app, 'node_modules', 'native-guard', 'hooks', 'preinstall.js');
      const r = run(fresh, process.execPath, [hook], { npm_lifecycle_event: 'preinstall' });
      // the lockfile-only check: tarballs of the native packages come from npm's cache, warm from the install above
      expect(r.status).toBe(0);
      expect(r.output).toMatch(/^native-guard check: .*lockfile only/);
      expect(r.output).not.toMatch(/\n\s+at /);
    },
    10 * MINUTES,
  );

  it(
    'init --remove gives back the original package.json byte for byte',
    () => {
      const r = ok(run(app, 'npx', ['--no', 'native-guard', 'init', '--remove']));
      expect(r.output).toContain('back to "node -e');
      expect(read(join(app, 'package.json'))).toBe(original);
    },
    10 * MINUTES,
  );
});

describe.skipIf(!runnable)('strict, with a broken native dependency', () => {
  let app: string;

  beforeAll(() => {
    // a node-gyp-build package whose prebuild for this machine is not a binary, packed like a download
    const pkg = join(tmp.dir, 'broken-addon');
    mkdirSync(join(pkg, 'prebuilds', 'linux-x64'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'broken-addon',
        version: '1.0.0',
        main: 'index.js',
        dependencies: { 'node-gyp-build': '^4.8.4' },
      }),
    );
    writeFileSync(join(pkg, 'index.js'), "module.exports = require('node-gyp-build')(__dirname)\n");
    writeFileSync(join(pkg, 'prebuilds', 'linux-x64', 'broken-addon.napi.node'), 'not an ELF file at all\n');
    ok(run(pkg, 'npm', ['pack', '--pack-destination', tmp.dir]));

    app = join(tmp.dir, 'strict-app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'strict-app',
          version: '1.0.0',
          private: true,
          dependencies: {
            'broken-addon': `file:${join(tmp.dir, 'broken-addon-1.0.0.tgz')}`,
            bufferutil: '^4.0.9',
          },
          devDependencies: { 'native-guard': `file:${tarball}` },
        },
        null,
        2,
      ) + '\n',
    );
    ok(npm(app, ['install']));
  }, 10 * MINUTES);

  it(
    'without strict the install succeeds and names the package and the finding',
    () => {
      ok(run(app, 'npx', ['--no', 'native-guard', 'init']));
      const r = ok(npm(app, ['install']));
      expect(r.output).toContain(
        'error   INVALID_BINARY  broken-addon@1.0.0 on host: prebuilds/linux-x64/broken-addon.napi.node is not a loadable binary',
      );
      expect(r.output).toContain(
        'error   INVALID_BINARY  broken-addon@1.0.0: node_modules/broken-addon/prebuilds/linux-x64/broken-addon.napi.node is not a loadable binary',
      );
    },
    10 * MINUTES,
  );

  it(
    'with strict (init --strict) npm install exits non-zero, naming the package and the finding',
    () => {
      const wired = ok(run(app, 'npx', ['--no', 'native-guard', 'init', '--strict']));
      expect(wired.output).toContain('+ nativeGuard          {"strict":true}');
      const r = npm(app, ['install']);
      expect(r.status).not.toBe(0);
      expect(r.output).toContain('INVALID_BINARY  broken-addon@1.0.0');
      expect(r.output).toContain(
        'native-guard check: failing the install: 1 error finding and "strict": true in package.json',
      );
      // npm's own report of the failed script
      expect(r.output).toMatch(/npm error .*preinstall/);
    },
    10 * MINUTES,
  );

  it(
    'under GitHub Actions the findings are workflow annotations too',
    () => {
      const r = npm(app, ['install'], { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: tmp.dir });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(
        /^::error file=strict-app\/node_modules\/broken-addon\/package\.json,title=INVALID_BINARY::broken-addon@1\.0\.0 on host: /m,
      );
    },
    10 * MINUTES,
  );

  it(
    'NATIVE_GUARD=0 lets the same install through',
    () => {
      const r = ok(npm(app, ['install'], { NATIVE_GUARD: '0' }));
      expect(r.output).toContain('native-guard check: skipped (NATIVE_GUARD=0)');
    },
    10 * MINUTES,
  );
});

describe.skipIf(!runnable)('a workspace root', () => {
  it(
    'one run of each hook per install covers every workspace; init in a workspace is refused',
    () => {
      const root = join(tmp.dir, 'mono');
      const api = join(root, 'packages', 'api');
      mkdirSync(api, { recursive: true });
      writeFileSync(
        join(root, 'package.json'),
        JSON.stringify(
          {
            name: 'mono',
            private: true,
            workspaces: ['packages/*'],
            devDependencies: { 'native-guard': `file:${tarball}` },
          },
          null,
          2,
        ) + '\n',
      );
      writeFileSync(
        join(api, 'package.json'),
        JSON.stringify(
          { name: '@mono/api', version: '1.0.0', dependencies: { bufferutil: '^4.0.9' } },
          null,
          2,
        ) + '\n',
      );
      ok(npm(root, ['install']));
      const member = run(api, 'npx', ['--no', 'native-guard', 'init']);
      expect(member.status).toBe(2);
      expect(member.output).toContain(`${api} is a workspace of ${root}: the hooks belong in the root`);

      const wired = ok(run(root, 'npx', ['--no', 'native-guard', 'init']));
      expect(wired.output).toContain("The root's hooks cover its 1 workspace (@mono/api).");
      const r = ok(npm(root, ['install']));
      // (npm's banner shows the script text, which holds the words too: count the hooks' own lines)
      expect(r.output.match(/^native-guard check:/gm)).toHaveLength(1);
      expect(r.output.match(/^native-guard verify:/gm)).toHaveLength(1);
      expect(r.output).toContain('native-guard check: 1 native package for host (installed tree): 0 errors');
      expect(r.output).toMatch(
        /native-guard verify: 1 binary with Node [\d.]+, 1 loaded, 0 failed: 0 errors/,
      );
    },
    10 * MINUTES,
  );
});
