import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import { realManager } from '../managers/real-managers.js';
import type { ManagerKey } from '../managers/real-managers.js';

/**
 * The hooks `native-guard init` wires, under the real pnpm 10 and 11, Yarn 1, Yarn 4 (node-modules and
 * Plug'n'Play) and Bun (issue 15): native-guard packed from this checkout as users get it and
 * installed as a devDependency, bufferutil (node-gyp-build prebuilds) and is-number (pure JS). A fresh
 * install must print the check and the verify summary once each, compact, and exit 0; a second
 * install with nothing changed answers from the hooks' cache (Yarn Berry runs no root script then);
 * a strict project on a layout native-guard cannot read (pnpm's node-linker=pnp) is told so and its
 * install does not fail. The managers and their stores are cached in .cache/managers. Each case
 * installs in its first test, so `-t "pnpm 11"` runs pnpm 11 only.
 */
const runnable = process.platform === 'linux' && process.arch === 'x64';
const MINUTES = 60_000;
const HOME = join(REPO, '.cache', 'managers', 'home');

let tmp: ReturnType<typeof tempDir>;
let tarball: string;

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST|CI$|YARN_|PNPM_|BUN_)/i.test(k)) continue;
    env[k] = v;
  }
  // pnpm 11 reads a global config.yaml from $XDG_CONFIG_HOME/pnpm: one of the test's own, or none
  const xdg = join(HOME, '.config');
  return {
    ...env,
    HOME,
    XDG_CONFIG_HOME: xdg,
    NO_COLOR: '1',
    YARN_ENABLE_TELEMETRY: '0',
    COREPACK_ENABLE_STRICT: '0',
    ...extra,
  };
}

interface Run {
  status: number | null;
  stdout: string;
  /** stdout and stderr together. */
  output: string;
}

/** Runs to the end (the kill timer fails the run, never passes it). */
function run(cwd: string, command: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(command[0]!, command.slice(1), {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 10 * MINUTES,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

function ok(r: Run): Run {
  if (r.status !== 0) throw new Error(`exit ${r.status}:\n${r.output}`);
  return r;
}

/**
 * The lines the hooks printed. Yarn Berry shows a build's output only with --inline-builds, each
 * line after `➤ YN0000: │ <name>@workspace:. STDOUT `; pnpm 11 in a project with a
 * pnpm-workspace.yaml puts the project's folder and the event before each line
 * (`. postinstall: native-guard verify: …`); the others print it as it is.
 */
function hookLines(r: Run): string[] {
  return r.output
    .split('\n')
    .map((l) => / STD(?:OUT|ERR) (.*)$/.exec(l)?.[1] ?? l)
    .map((l) => /^\S+ (?:pre|post)install: (.*)$/.exec(l)?.[1] ?? l)
    .filter((l) => /^(native-guard (check|verify):|\s+(error|warning|info)\s)/.test(l));
}

interface Case {
  label: string;
  manager: ManagerKey;
  install: string[];
  files?: Record<string, string>;
  strict?: boolean;
  /** pnpm 11's global config.yaml (in an XDG_CONFIG_HOME of the case's own). */
  globalConfig?: string;
  /** The fresh install fails (the manager's own verdict, after the hooks ran): its status and words. */
  fails?: { status: number; says: RegExp };
  /** The hook lines of the fresh install and of the second one, as patterns. */
  first: RegExp[];
  second: RegExp[] | null;
  /**
   * Bun may save bun.lock (its record of the tree, part of the cache key) while or after its root
   * preinstall runs on a fresh install: the preinstall's answer is then kept under the key without
   * it, and the first repeat install checks again (and keeps that answer). The install after it is
   * the one asserted; the one between must still go through with the compact lines.
   */
  settles?: boolean;
}

const CHECK =
  /^native-guard check: 1 native package for host \(installed tree\): 0 errors, 0 warnings, \d+ info$/;
const VERIFY =
  /^native-guard verify: 1 binary with Node [\d.]+, 1 loaded, 0 failed: 0 errors, 0 warnings, 0 info$/;
const NOT_YET = /^native-guard check: not installed yet: the postinstall hook will check$/;
const CACHED = (line: RegExp) => new RegExp(`${line.source.slice(0, -1)} \\(unchanged since last check\\)$`);

const CASES: Case[] = [
  {
    // pnpm 10 runs the root preinstall after it links: the preinstall checks, the postinstall verifies
    label: 'pnpm 10',
    manager: 'pnpm10',
    install: ['install'],
    first: [CHECK, VERIFY],
    second: [CACHED(CHECK), CACHED(VERIFY)],
  },
  {
    // Yarn 1 runs it before it installs: native-guard is not there yet, so the postinstall checks too
    label: 'Yarn 1',
    manager: 'yarn1',
    install: ['install'],
    first: [NOT_YET, CHECK, VERIFY],
    second: [
      /^native-guard check: deferred: yarn 1\.\d+\.\d+ runs preinstall before it installs; the postinstall hook will check$/,
      CACHED(CHECK),
      CACHED(VERIFY),
    ],
  },
  {
    // pnpm 11 runs the root preinstall before it links (node_modules holds only .tmp), so the
    // postinstall checks too; on a repeat install ("Already up to date") it still runs both. Its
    // strictDepBuilds fails an install whose dependency builds are undecided: bufferutil's is not
    // needed (prebuilds), so it is denied in pnpm-workspace.yaml, where pnpm 11 reads its settings
    label: 'pnpm 11',
    manager: 'pnpm11',
    install: ['install'],
    files: { 'pnpm-workspace.yaml': 'allowBuilds:\n  bufferutil: false\n' },
    first: [NOT_YET, CHECK, VERIFY],
    second: [
      /^native-guard check: deferred: pnpm 11\.\d+\.\d+ runs preinstall before it installs; the postinstall hook will check$/,
      CACHED(CHECK),
      CACHED(VERIFY),
    ],
  },
  {
    // the same without a decision on bufferutil's build: the postinstall's check names the failure
    // pnpm 11 then reports (ERR_PNPM_IGNORED_BUILDS, exit 1) after the root's scripts ran
    label: 'pnpm 11, a build left undecided',
    manager: 'pnpm11',
    install: ['install'],
    fails: { status: 1, says: /ERR_PNPM_IGNORED_BUILDS/ },
    first: [
      NOT_YET,
      /^native-guard check: 1 native package for host \(installed tree\): 1 error, 0 warnings, 0 info; fixes: npx native-guard check$/,
      /^ {2}error {3}INSTALL_FAILS_IGNORED_BUILD {2}bufferutil@4\.1\.0: pnpm 11\.\d+\.\d+ fails the whole install on it \(ERR_PNPM_IGNORED_BUILDS/,
      VERIFY,
    ],
    second: null,
  },
  {
    // strictDepBuilds: false in the global config.yaml (pnpm 11 reads it there, not allowBuilds):
    // pnpm skips the undecided build with a warning and goes on, and so does the check
    label: 'pnpm 11, strictDepBuilds: false in the global config.yaml',
    manager: 'pnpm11',
    install: ['install'],
    globalConfig: 'strictDepBuilds: false\n',
    first: [NOT_YET, CHECK, VERIFY],
    second: null,
  },
  {
    // Yarn Berry runs the root's scripts after the link step, and not again while nothing changed
    label: 'Yarn 4 node-modules',
    manager: 'yarn4',
    install: ['install', '--inline-builds'],
    files: { '.yarnrc.yml': 'nodeLinker: node-modules\n', 'yarn.lock': '' },
    first: [CHECK, VERIFY],
    second: [],
  },
  {
    // no node_modules at all: the hook is imported through Yarn's PnP loader and reads .pnp.cjs
    label: "Yarn 4 Plug'n'Play, strict",
    manager: 'yarn4',
    install: ['install', '--inline-builds'],
    files: { '.yarnrc.yml': 'nodeLinker: pnp\n', 'yarn.lock': '' },
    strict: true,
    first: [CHECK, VERIFY],
    second: [],
  },
  {
    label: 'Bun',
    manager: 'bun',
    install: ['install'],
    first: [CHECK, VERIFY],
    second: [CACHED(CHECK), CACHED(VERIFY)],
    settles: true,
  },
  {
    // a layout native-guard cannot read: said once by each command, and a strict install goes on
    label: 'pnpm 10 node-linker=pnp, strict',
    manager: 'pnpm10',
    install: ['install'],
    files: { '.npmrc': 'node-linker=pnp\n' },
    strict: true,
    first: [
      /^native-guard check: 0 native packages for host \(installed tree\): 0 errors, 1 warning, 0 info; fixes: npx native-guard check$/,
      /^ {2}warning LAYOUT_UNREADABLE {2}\S+\/node_modules: /,
      /^native-guard verify: 0 binaries with Node [\d.]+, 0 loaded, 0 failed: 0 errors, 1 warning, 0 info; fixes: npx native-guard verify$/,
      /^ {2}warning LAYOUT_UNREADABLE {2}\S+\/node_modules: /,
    ],
    second: null,
  },
  {
    // pnpm 11 reads nodeLinker from pnpm-workspace.yaml only (node-linker=pnp in .npmrc installs
    // the isolated layout): the postinstall is the first hook to see the tree, and says so once each
    label: 'pnpm 11 nodeLinker: pnp, strict',
    manager: 'pnpm11',
    install: ['install'],
    files: { 'pnpm-workspace.yaml': 'nodeLinker: pnp\nallowBuilds:\n  bufferutil: false\n' },
    strict: true,
    first: [
      NOT_YET,
      /^native-guard check: 0 native packages for host \(installed tree\): 0 errors, 1 warning, 0 info; fixes: npx native-guard check$/,
      /^ {2}warning LAYOUT_UNREADABLE {2}\S+\/node_modules: /,
      /^native-guard verify: 0 binaries with Node [\d.]+, 0 loaded, 0 failed: 0 errors, 1 warning, 0 info; fixes: npx native-guard verify$/,
      /^ {2}warning LAYOUT_UNREADABLE {2}\S+\/node_modules: /,
    ],
    second: null,
  },
];

const results = new Map<string, { first: Run; second: Run | null }>();

beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  tmp = tempDir('ng-manager-hooks-');
  const packed = ok(run(REPO, ['npm', 'pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir]));
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  // a name of its own per run: Yarn 1 caches a file: tarball by its path relative to the project
  // (`file:../native-guard-0.1.0.tgz`) and installs that cached copy whatever the file now holds
  tarball = join(tmp.dir, `native-guard-${basename(tmp.dir)}.tgz`);
  renameSync(join(tmp.dir, info!.filename), tarball);
}, 10 * MINUTES);

/** The case's installs, run once by whichever of its tests comes first. */
function installed(c: Case): { first: Run; second: Run | null } {
  const done = results.get(c.label);
  if (done) return done;
  const got = realManager(c.manager);
  if (!got.manager) throw new Error(`no install: ${got.reason}`);
  const dir = join(tmp.dir, c.label.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir);
  const pkg = {
    name: 'manager-hooks',
    version: '1.0.0',
    private: true,
    dependencies: { bufferutil: '4.1.0', 'is-number': '7.0.0' },
    devDependencies: { 'native-guard': `file:${tarball}` },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  for (const [file, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, file), text);
  const env: Record<string, string> = {};
  if (c.globalConfig !== undefined) {
    env.XDG_CONFIG_HOME = `${dir}-config`;
    mkdirSync(join(env.XDG_CONFIG_HOME, 'pnpm'), { recursive: true });
    writeFileSync(join(env.XDG_CONFIG_HOME, 'pnpm', 'config.yaml'), c.globalConfig);
  }
  // the wiring as a user has it committed, before any install
  ok(run(dir, [process.execPath, CLI, 'init', ...(c.strict ? ['--strict'] : [])]));
  const command = [...got.manager.command, ...c.install];
  const first = run(dir, command, env);
  const between = c.second && c.settles ? run(dir, command, env) : null;
  if (between) {
    ok(between);
    if (hookLines(between).length !== c.first.length) throw new Error(`hook lines:\n${between.output}`);
  }
  const result = { first, second: c.second ? run(dir, command, env) : null };
  results.set(c.label, result);
  return result;
}

afterAll(() => tmp?.cleanup());

describe.runIf(runnable)('the hooks under pnpm, Yarn and Bun (the real managers)', () => {
  for (const c of CASES) {
    const goesOn = c.fails ? `and the manager exits ${c.fails.status}` : 'and goes on';
    it(
      `${c.label}: the fresh install checks and verifies once, compactly, ${goesOn}`,
      () => {
        const r = installed(c);
        const lines = hookLines(r.first);
        expect(r.first.status, r.first.output).toBe(c.fails?.status ?? 0);
        expect(lines.length, r.first.output).toBe(c.first.length);
        c.first.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
        if (c.fails) expect(r.first.output).toMatch(c.fails.says);
        // never the full report (its matrix says prebuilt); an internal error would be one more line
        expect(r.first.output).not.toMatch(/prebuilt/);
      },
      20 * MINUTES,
    );
    if (c.second) {
      it(
        `${c.label}: ${c.settles ? 'a repeat install' : 'a second install'} with nothing changed ${c.second.length ? 'answers from the cache' : 'runs no hook'}`,
        () => {
          const r = installed(c);
          if (!r.second) throw new Error('no second install');
          const lines = hookLines(r.second);
          expect(r.second.status, r.second.output).toBe(0);
          expect(lines.length, r.second.output).toBe(c.second!.length);
          c.second!.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
        },
        20 * MINUTES,
      );
    }
  }
});
