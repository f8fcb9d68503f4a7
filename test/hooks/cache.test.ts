import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { answerCache, CACHED_NOTE, currentRuntime, entryPath } from '../../src/hooks/cache.js';
import type { CacheIo, HookAnswer } from '../../src/hooks/cache.js';
import type { HookEvent } from '../../src/hooks/init-plan.js';
import type { CheckReport, VerifyReport } from '../../src/model/reports.js';
import { addon } from '../binary/paths.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';

// The answer cache on its own: an answer recorded for a project comes back while nothing that
// decides it changes, and any such change is a miss. The hook end to end is in cache-hook.test.ts.

const tmp = tempDir('ng-hook-cache-');
afterAll(() => tmp.cleanup());

/** An mtime well in the past, so that a change made by the test always moves it. */
const PAST = new Date('2024-01-02T03:04:05Z');

let project: string;
let n = 0;
beforeEach(() => {
  project = writeProject(join(tmp.dir, `p${n++}`), {
    root: { dependencies: { fast: '1.0.0' }, nativeGuard: { targets: ['host'] } },
    files: {
      'package-lock.json': '{"lockfileVersion":3,"packages":{"node_modules/fast":{"version":"1.0.0"}}}\n',
      'node_modules/.package-lock.json': '{"lockfileVersion":3,"packages":{"node_modules/fast":{}}}\n',
    },
    packages: {
      'node_modules/fast': {
        manifest: { main: 'addon.node' },
        files: {
          'addon.node': { copy: addon('napi-ok') },
          'prebuilds/linux-x64/fast.napi.node': { copy: addon('napi-ok') },
        },
      },
    },
  });
  for (const rel of [
    'node_modules/fast',
    'node_modules/fast/prebuilds',
    'node_modules/fast/prebuilds/linux-x64',
  ])
    utimesSync(join(project, rel), PAST, PAST);
});

const io = (env: Record<string, string> = {}): CacheIo => ({
  cwd: project,
  isTTY: false,
  env: { PATH: process.env.PATH, npm_lifecycle_event: 'postinstall', ...env },
});

const ANSWER: HookAnswer = {
  stdout: 'native-guard verify: 2 binaries with Node 20.0.0, 2 loaded, 0 failed: 1 error\n  error   X  y\n',
  stderr: 'native-guard verify: failing the install: 1 error finding and "strict": true\n',
  exitCode: 1,
};

const verifyReport = {
  binaries: [{ location: 'node_modules/fast', file: 'node_modules/fast/addon.node' }],
} as unknown as VerifyReport;
const checkReport = { packages: [{ location: 'node_modules/fast' }] } as unknown as CheckReport;

function remember(event: HookEvent = 'postinstall', env: Record<string, string> = {}) {
  const cache = answerCache(event, io(env));
  expect(cache).not.toBeNull();
  cache!.record(ANSWER, event === 'postinstall' ? verifyReport : checkReport);
}
const lookup = (event: HookEvent = 'postinstall', env: Record<string, string> = {}) =>
  answerCache(event, io(env))?.lookup() ?? null;

describe('the hooks’ answer cache', () => {
  it('gives the last answer back, the same text and exit, its first line marked as cached', () => {
    expect(lookup()).toBeNull();
    remember();
    expect(lookup()).toEqual({
      stdout: ANSWER.stdout.replace('1 error\n', `1 error${CACHED_NOTE}\n`),
      stderr: ANSWER.stderr,
      exitCode: 1,
    });
    // written whole: no temporary file is left beside the entry
    expect(readdirSync(join(project, 'node_modules', '.cache', 'native-guard'))).toEqual([
      'postinstall.json',
    ]);
  });

  it('a hook that checks and verifies (npm 12 postinstall): both summary lines marked, both reports stamped', () => {
    const both: HookAnswer = {
      stdout:
        '\u001b[1mnative-guard check:\u001b[22m 1 native package for host (installed tree): 0 errors\n' +
        '  warning  X  fast@1.0.0: native-guard check: in a finding, not a summary\n' +
        'native-guard verify: 1 binary with Node 20.0.0, 1 loaded, 0 failed: 0 errors\n' +
        '::warning file=node_modules/fast/package.json,title=X::fast@1.0.0\n',
      stderr: '',
      exitCode: 0,
    };
    answerCache('postinstall', io())!.record(both, [checkReport, verifyReport]);
    expect(lookup()?.stdout).toBe(
      `\u001b[1mnative-guard check:\u001b[22m 1 native package for host (installed tree): 0 errors${CACHED_NOTE}\n` +
        '  warning  X  fast@1.0.0: native-guard check: in a finding, not a summary\n' +
        `native-guard verify: 1 binary with Node 20.0.0, 1 loaded, 0 failed: 0 errors${CACHED_NOTE}\n` +
        '::warning file=node_modules/fast/package.json,title=X::fast@1.0.0\n',
    );
    utimesSync(join(project, 'node_modules/fast/addon.node'), PAST, PAST);
    expect(lookup()).toBeNull();
  });

  it('keeps one answer per event', () => {
    remember('preinstall', { npm_lifecycle_event: 'preinstall' });
    expect(lookup('postinstall')).toBeNull();
    expect(lookup('preinstall', { npm_lifecycle_event: 'preinstall' })).not.toBeNull();
  });

  const changes: Array<[string, () => void]> = [
    ['package-lock.json', () => writeFileSync(join(project, 'package-lock.json'), '{"lockfileVersion":3}\n')],
    [
      "npm's hidden lockfile",
      () => writeFileSync(join(project, 'node_modules', '.package-lock.json'), '{"lockfileVersion":3}\n'),
    ],
    ['a new npm-shrinkwrap.json', () => writeFileSync(join(project, 'npm-shrinkwrap.json'), '{}\n')],
    [
      'a touched .node (same bytes, new mtime)',
      () => utimesSync(join(project, 'node_modules/fast/addon.node'), PAST, PAST),
    ],
    [
      'a .node rewritten in place by a build',
      () => writeFileSync(join(project, 'node_modules/fast/addon.node'), readFileSync(addon('napi-v10'))),
    ],
    ['a deleted .node', () => rmSync(join(project, 'node_modules/fast/prebuilds/linux-x64/fast.napi.node'))],
    [
      'a new .node in a folder of a native package',
      () => writeFileSync(join(project, 'node_modules/fast/prebuilds/linux-x64/other.node'), 'x'),
    ],
    [
      'the nativeGuard config',
      () =>
        writeFileSync(
          join(project, 'package.json'),
          JSON.stringify({ name: 'fixture-app', nativeGuard: { targets: ['host', 'node:22-alpine'] } }),
        ),
    ],
    ["the project's .npmrc", () => writeFileSync(join(project, '.npmrc'), 'build-from-source=true\n')],
    ['a Dockerfile', () => writeFileSync(join(project, 'Dockerfile'), 'FROM node:22-alpine\n')],
  ];
  for (const [what, change] of changes) {
    it(`a change of ${what} is a miss`, () => {
      remember();
      expect(lookup()).not.toBeNull();
      change();
      expect(lookup()).toBeNull();
    });
  }

  it('package.json edits outside "nativeGuard" (init rewiring the scripts) keep the answer', () => {
    remember();
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...pkg, scripts: { test: 'vitest' } }));
    expect(lookup()).not.toBeNull();
  });

  it('another Node, another npm, another npm setting or another output form is a miss', () => {
    remember();
    const here = currentRuntime();
    // another Node than the one running the suite, whichever that is
    const other = {
      ...here,
      version: `${Number(here.version.split('.')[0]) + 1}.0.0`,
      modules: String(Number(here.modules) + 1),
    };
    expect(answerCache('postinstall', io(), other)?.lookup()).toBeNull();
    expect(lookup('postinstall', { npm_config_user_agent: 'npm/12.2.0 node/v20.20.2 linux x64' })).toBeNull();
    expect(lookup('postinstall', { npm_config_build_from_source: 'true' })).toBeNull();
    // pnpm 11's settings: strictDepBuilds decides whether an unapproved build fails the install
    expect(lookup('postinstall', { pnpm_config_strict_dep_builds: 'false' })).toBeNull();
    expect(lookup('postinstall', { GITHUB_ACTIONS: 'true' })).toBeNull();
    expect(answerCache('postinstall', { ...io(), isTTY: true })?.lookup()).toBeNull();
    expect(lookup()).not.toBeNull();
  });

  it("pnpm's global config.yaml and rc ($XDG_CONFIG_HOME/pnpm, else ~/.config/pnpm) are in the key", () => {
    // it can turn strictDepBuilds off or allow every build, which changes check's answer
    const xdg = { XDG_CONFIG_HOME: join(project, 'xdg') };
    remember('postinstall', xdg);
    expect(lookup('postinstall', xdg)).not.toBeNull();
    mkdirSync(join(project, 'xdg', 'pnpm'), { recursive: true });
    writeFileSync(join(project, 'xdg', 'pnpm', 'config.yaml'), 'strictDepBuilds: false\n');
    expect(lookup('postinstall', xdg)).toBeNull();
    remember('postinstall', xdg);
    expect(lookup('postinstall', xdg)).not.toBeNull();
    writeFileSync(join(project, 'xdg', 'pnpm', 'config.yaml'), 'strictDepBuilds: true\n');
    expect(lookup('postinstall', xdg)).toBeNull();
    // pnpm 10's rc beside it (strict-dep-builds)
    remember('postinstall', xdg);
    writeFileSync(join(project, 'xdg', 'pnpm', 'rc'), 'strict-dep-builds=true\n');
    expect(lookup('postinstall', xdg)).toBeNull();
    // without XDG_CONFIG_HOME, the one under HOME (on Linux; macOS keeps it in Library/Preferences)
    if (process.platform !== 'linux') return;
    const home = { HOME: join(project, 'home') };
    remember('postinstall', home);
    expect(lookup('postinstall', home)).not.toBeNull();
    mkdirSync(join(project, 'home', '.config', 'pnpm'), { recursive: true });
    writeFileSync(
      join(project, 'home', '.config', 'pnpm', 'config.yaml'),
      'dangerouslyAllowAllBuilds: true\n',
    );
    expect(lookup('postinstall', home)).toBeNull();
  });

  it('a corrupt, truncated, foreign or unreadable entry is a miss, never an error', () => {
    remember();
    const file = entryPath(project, 'postinstall');
    const good = readFileSync(file, 'utf8');
    const bad = [
      '',
      'not json at all',
      good.slice(0, good.length >> 1),
      'null',
      '[]',
      good.replace('native-guard-hook-answer/1', 'native-guard-hook-answer/0'),
      good.replace('"exitCode":1', '"exitCode":"1"'),
      good.replace(/"stamps":\[.*\]\}$/, '"stamps":[["node_modules/fast",-1]]}'),
      good.replace(/"key":"[0-9a-f]+"/, '"key":"0000"'),
    ];
    for (const text of bad) {
      writeFileSync(file, text);
      expect(lookup(), text.slice(0, 60)).toBeNull();
    }
    rmSync(file);
    mkdirSync(file);
    expect(lookup()).toBeNull();
    // and the next run's answer cannot be written over a folder: still no error, still a miss
    remember();
    expect(lookup()).toBeNull();
  });

  it('NATIVE_GUARD_CACHE=0 turns it off: nothing read, nothing written', () => {
    remember();
    for (const off of ['0', 'false', 'off', 'no'])
      expect(answerCache('postinstall', io({ NATIVE_GUARD_CACHE: off }))).toBeNull();
    rmSync(join(project, 'node_modules', '.cache'), { recursive: true });
    expect(answerCache('postinstall', io({ NATIVE_GUARD_CACHE: '0' }))).toBeNull();
    expect(existsSync(join(project, 'node_modules', '.cache'))).toBe(false);
  });

  it('run by hand or verbose (the full report is wanted) it does not apply', () => {
    expect(answerCache('postinstall', { ...io(), env: { PATH: process.env.PATH } })).toBeNull();
    expect(answerCache('postinstall', io({ NATIVE_GUARD_VERBOSE: '1' }))).toBeNull();
  });

  it('an installed tree without any manager’s record of it cannot be keyed: no cache', () => {
    rmSync(join(project, 'node_modules', '.package-lock.json'));
    expect(answerCache('postinstall', io())).toBeNull();
  });

  // the record each manager rewrites when it changes the tree (seen with the real managers in
  // test/e2e/manager-hooks.test.ts): any one keys the tree, and its change is a miss
  const RECORDS: Array<[string, string]> = [
    ['pnpm', 'node_modules/.modules.yaml'],
    ['pnpm', 'node_modules/.pnpm/lock.yaml'],
    ['Yarn 1', 'node_modules/.yarn-integrity'],
    ['Yarn Berry (node-modules)', 'node_modules/.yarn-state.yml'],
    ['Bun', 'bun.lock'],
    ['Bun (binary lockfile)', 'bun.lockb'],
  ];
  for (const [manager, record] of RECORDS) {
    it(`a ${manager} tree is keyed by ${record}: kept, and a miss when it changes`, () => {
      rmSync(join(project, 'node_modules', '.package-lock.json'));
      mkdirSync(join(project, record, '..'), { recursive: true });
      writeFileSync(join(project, record), 'first install\n');
      remember();
      expect(lookup()).not.toBeNull();
      writeFileSync(join(project, record), 'another install\n');
      expect(lookup()).toBeNull();
    });
  }

  it('the folders Yarn 1 and Bun make afresh on PATH for each script are the same folder to the key', () => {
    // Yarn 1 puts its shims first (/tmp/yarn--<ms>-<random>), Bun its node-gyp shim last (here
    // before the rest, so that it is the node-gyp the toolchain stamps find, whatever this machine has)
    const shims = (yarn: string, bun: string) => {
      for (const dir of [yarn, bun]) mkdirSync(join(tmp.dir, dir), { recursive: true });
      writeFileSync(join(tmp.dir, bun, 'node-gyp'), '#!/bin/sh\nexec bun x node-gyp "$@"\n');
      return { PATH: [join(tmp.dir, yarn), join(tmp.dir, bun), process.env.PATH].join(':') };
    };
    remember('postinstall', shims('yarn--1796590233927-0.08347730195339498', '.9a90b226cfe805aa-1.node-gyp'));
    const next = shims('yarn--1796590236076-0.39751340896811294', '.ebfb58b56fa48814-1.node-gyp');
    expect(lookup('postinstall', next)).not.toBeNull();
    // any other folder of PATH still counts, and a shim of another size is another shim
    expect(lookup('postinstall', { PATH: `${next.PATH}:${join(tmp.dir, 'other')}` })).toBeNull();
    writeFileSync(join(tmp.dir, '.ebfb58b56fa48814-1.node-gyp', 'node-gyp'), '#!/bin/sh\nexit 1\n');
    expect(lookup('postinstall', next)).toBeNull();
  });

  it('a binary that changes while the hook runs: the answer is not kept', () => {
    const cache = answerCache('postinstall', io())!;
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(project, 'node_modules/fast/addon.node'), later, later);
    cache.record(ANSWER, verifyReport);
    expect(existsSync(entryPath(project, 'postinstall'))).toBe(false);
  });

  it('a lockfile-only preinstall with no node_modules yet keeps nothing and creates no node_modules', () => {
    rmSync(join(project, 'node_modules'), { recursive: true });
    const cache = answerCache('preinstall', io({ npm_lifecycle_event: 'preinstall' }));
    cache?.record(ANSWER, { packages: [] } as unknown as CheckReport);
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });
});
