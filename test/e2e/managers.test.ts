import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import { realManager } from '../managers/real-managers.js';
import type { ManagerKey } from '../managers/real-managers.js';

/**
 * The same project installed by each real package manager (npm, pnpm 10 and 11, Yarn 1, Yarn 4 with
 * its node-modules linker and with Plug'n'Play, Bun) and by a 2-member workspace of each: `check` and
 * `verify` must find the same native package with the same outcome as under npm, name the manager
 * and its linker, and say nothing false about the layout (pnpm's and Bun's store folders are not
 * packages). The managers come from the registry (cached in .cache/managers), their package stores
 * in .cache/managers/home, so later runs install from the cache.
 */
const runnable = process.platform === 'linux' && process.arch === 'x64';
const MINUTES = 60_000;
const HOME = join(REPO, '.cache', 'managers', 'home');

let tmp: ReturnType<typeof tempDir>;

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST|CI$|YARN_|PNPM_|BUN_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME, NO_COLOR: '1', YARN_ENABLE_TELEMETRY: '0', COREPACK_ENABLE_STRICT: '0' };
}

/** Runs to the end (the kill timer fails the run, never passes it) and returns the output. */
function run(cwd: string, command: string[]): { status: number | null; stdout: string; output: string } {
  const r = spawnSync(command[0]!, command.slice(1), {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 10 * MINUTES,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

function ok(r: ReturnType<typeof run>) {
  if (r.status !== 0) throw new Error(`exit ${r.status}:\n${r.output}`);
  return r;
}

interface Case {
  label: string;
  manager: ManagerKey | 'npm';
  install: string[];
  files?: Record<string, string>;
  workspace?: boolean;
  /** How member b names member a: `workspace:*` where the manager knows the protocol (npm and Yarn 1 do not). */
  memberSpec?: string;
  expect: { name: string; linker: string };
}

const SINGLE = {
  name: 'pm-single',
  version: '1.0.0',
  private: true,
  dependencies: { bufferutil: '4.1.0', esbuild: '0.25.0', 'is-number': '7.0.0' },
};

const CASES: Case[] = [
  { label: 'npm', manager: 'npm', install: ['install'], expect: { name: 'npm', linker: 'hoisted' } },
  { label: 'pnpm 10', manager: 'pnpm10', install: ['install'], expect: { name: 'pnpm', linker: 'isolated' } },
  {
    // pnpm 11 (the registry's latest) fails an install whose dependency builds are not decided
    // (strictDepBuilds): neither build is needed here (prebuilt, platform packages), so both are denied
    label: 'pnpm 11',
    manager: 'pnpm11',
    install: ['install'],
    files: { 'pnpm-workspace.yaml': 'allowBuilds:\n  bufferutil: false\n  esbuild: false\n' },
    expect: { name: 'pnpm', linker: 'isolated' },
  },
  {
    label: 'pnpm 10 hoisted',
    manager: 'pnpm10',
    install: ['install'],
    files: { '.npmrc': 'node-linker=hoisted\n' },
    expect: { name: 'pnpm', linker: 'hoisted' },
  },
  {
    label: 'Yarn 1',
    manager: 'yarn1',
    install: ['install'],
    expect: { name: 'yarn-classic', linker: 'hoisted' },
  },
  {
    label: 'Yarn 4 node-modules',
    manager: 'yarn4',
    install: ['install'],
    files: { '.yarnrc.yml': 'nodeLinker: node-modules\n', 'yarn.lock': '' },
    expect: { name: 'yarn-berry', linker: 'hoisted' },
  },
  {
    label: "Yarn 4 Plug'n'Play",
    manager: 'yarn4',
    install: ['install'],
    files: { '.yarnrc.yml': 'nodeLinker: pnp\n', 'yarn.lock': '' },
    expect: { name: 'yarn-berry', linker: 'pnp' },
  },
  { label: 'Bun', manager: 'bun', install: ['install'], expect: { name: 'bun', linker: 'hoisted' } },
  {
    label: 'npm workspace',
    manager: 'npm',
    install: ['install'],
    workspace: true,
    memberSpec: '1.0.0',
    expect: { name: 'npm', linker: 'hoisted' },
  },
  {
    label: 'Yarn 1 workspace',
    manager: 'yarn1',
    install: ['install'],
    workspace: true,
    memberSpec: '1.0.0',
    expect: { name: 'yarn-classic', linker: 'hoisted' },
  },
  {
    label: 'pnpm 11 workspace',
    manager: 'pnpm11',
    install: ['install'],
    workspace: true,
    files: {
      'pnpm-workspace.yaml':
        'packages:\n  - "packages/*"\nallowBuilds:\n  bufferutil: false\n  esbuild: false\n',
    },
    expect: { name: 'pnpm', linker: 'isolated' },
  },
  {
    label: 'pnpm 10 workspace',
    manager: 'pnpm10',
    install: ['install'],
    workspace: true,
    files: { 'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n' },
    expect: { name: 'pnpm', linker: 'isolated' },
  },
  {
    label: 'Yarn 4 node-modules workspace',
    manager: 'yarn4',
    install: ['install'],
    workspace: true,
    files: { '.yarnrc.yml': 'nodeLinker: node-modules\n', 'yarn.lock': '' },
    expect: { name: 'yarn-berry', linker: 'hoisted' },
  },
  {
    label: "Yarn 4 Plug'n'Play workspace",
    manager: 'yarn4',
    install: ['install'],
    workspace: true,
    files: { '.yarnrc.yml': 'nodeLinker: pnp\n', 'yarn.lock': '' },
    expect: { name: 'yarn-berry', linker: 'pnp' },
  },
  {
    label: 'Bun workspace',
    manager: 'bun',
    install: ['install'],
    workspace: true,
    expect: { name: 'bun', linker: 'isolated' },
  },
];

/** A project: the single one, or a root with two members (`a` depends on bufferutil, `b` on `a`). */
function makeProject(dir: string, c: Case): void {
  mkdirSync(dir, { recursive: true });
  if (!c.workspace) {
    writeFileSync(join(dir, 'package.json'), JSON.stringify(SINGLE, null, 2));
  } else {
    const root = {
      name: 'pm-ws',
      version: '1.0.0',
      private: true,
      workspaces: ['packages/*'],
      dependencies: { 'is-number': '7.0.0' },
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(root, null, 2));
    mkdirSync(join(dir, 'packages', 'a'), { recursive: true });
    mkdirSync(join(dir, 'packages', 'b'), { recursive: true });
    const a = { name: 'a', version: '1.0.0', dependencies: { bufferutil: '4.1.0' } };
    const b = {
      name: 'b',
      version: '1.0.0',
      dependencies: { a: c.memberSpec ?? 'workspace:*', esbuild: '0.25.0', 'is-number': '7.0.0' },
    };
    writeFileSync(join(dir, 'packages', 'a', 'package.json'), JSON.stringify(a, null, 2));
    writeFileSync(join(dir, 'packages', 'b', 'package.json'), JSON.stringify(b, null, 2));
  }
  for (const [file, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, file), text);
}

interface Outcome {
  check: {
    packageManager?: { name: string; linker: string };
    packages: unknown[];
    findings: Array<{ code: string; severity: string }>;
  };
  verify: {
    packageManager?: { name: string; linker: string };
    binaries: Array<{ package: string; loaded: boolean; resolvedBy: string; file: string | null }>;
    findings: Array<{ code: string; severity: string }>;
  };
  checkStatus: number | null;
  verifyStatus: number | null;
}

const results = new Map<string, Outcome>();
const skipped = new Map<string, string>();

beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  tmp = tempDir('ng-managers-');
  for (const c of CASES) {
    let command: string[];
    if (c.manager === 'npm') {
      command = ['npm', 'install', '--no-audit', '--no-fund', '--prefer-offline'];
    } else {
      const got = realManager(c.manager);
      if (!got.manager) {
        skipped.set(c.label, got.reason);
        continue;
      }
      command = [...got.manager.command, ...c.install];
    }
    const dir = join(tmp.dir, c.label.replace(/[^a-z0-9]+/gi, '-'));
    makeProject(dir, c);
    ok(run(dir, command));
    const check = run(dir, [process.execPath, CLI, 'check', '--json']);
    const verify = run(dir, [process.execPath, CLI, 'verify', '--json']);
    results.set(c.label, {
      check: JSON.parse(check.stdout),
      verify: JSON.parse(verify.stdout),
      checkStatus: check.status,
      verifyStatus: verify.status,
    });
  }
}, 60 * MINUTES);

afterAll(() => tmp?.cleanup());

const LAYOUT_CODES = ['PACKAGE_JSON_INVALID', 'LINK_BROKEN', 'FOLDER_UNREADABLE', 'LAYOUT_UNREADABLE'];

describe.runIf(runnable)('the same answers whatever installed the tree', () => {
  for (const c of CASES) {
    it(`${c.label}: the manager, the native package and its outcome as under npm`, () => {
      const r = results.get(c.label);
      if (!r) throw new Error(`no install: ${skipped.get(c.label) ?? 'not run'}`);
      const npm = results.get('npm')!;
      expect(r.check.packageManager).toMatchObject(c.expect);
      expect(r.verify.packageManager).toMatchObject(c.expect);
      // the same native package with the same prediction (locations differ by layout)
      const strip = (pkgs: unknown[]) =>
        (
          pkgs as Array<{
            name: string;
            version: string;
            strategies: string[];
            predictions: Array<{ target: string; outcome: string }>;
          }>
        )
          .map((p) => ({
            name: p.name,
            version: p.version,
            // a zipped PnP package's files other than package.json are not read (only its manifest
            // comes out of the archive), so esbuild's `node install.js` stays an unread script there
            // while npm's tree reads it as a download: the outcome is the same, the strategy name not
            strategies:
              c.expect.linker === 'pnp'
                ? p.strategies.map((x) => (x === 'unknown-script' ? 'script-download' : x))
                : p.strategies,
            outcomes: p.predictions.map((x) => [x.target, x.outcome]),
          }))
          .sort((x, y) => x.name.localeCompare(y.name));
      expect(strip(r.check.packages)).toEqual(strip(npm.check.packages));
      expect(strip(r.check.packages).map((p) => p.name)).toEqual(['bufferutil', 'esbuild']);
      // nothing false about the layout: no store folder read as a broken package
      expect(r.check.findings.map((f) => f.code).filter((code) => LAYOUT_CODES.includes(code))).toEqual([]);
      expect(r.verify.findings.map((f) => f.code).filter((code) => LAYOUT_CODES.includes(code))).toEqual([]);
      // verify loads bufferutil's binary, as under npm
      const loaded = r.verify.binaries.map((b) => ({
        package: b.package,
        loaded: b.loaded,
        resolvedBy: b.resolvedBy,
      }));
      expect(loaded).toEqual([{ package: 'bufferutil@4.1.0', loaded: true, resolvedBy: 'node-gyp-build' }]);
      expect(r.verify.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(r.checkStatus).toBe(0);
      expect(r.verifyStatus).toBe(0);
    });
  }
});

describe.runIf(runnable)("Yarn Plug'n'Play with a build Yarn disabled", () => {
  it(
    'verify finds better-sqlite3 without its binary where it used to say "No native binaries" and exit 0',
    () => {
      const got = realManager('yarn4');
      if (!got.manager) throw new Error(got.reason);
      const dir = join(tmp.dir, 'pnp-better-sqlite3');
      mkdirSync(dir);
      const pkg = {
        name: 'pnp-bs3',
        version: '1.0.0',
        private: true,
        dependencies: { 'better-sqlite3': '12.4.1' },
      };
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      writeFileSync(join(dir, 'yarn.lock'), '');
      writeFileSync(join(dir, '.yarnrc.yml'), 'nodeLinker: pnp\n');
      // Yarn 4.14+ runs no build script by default: better-sqlite3 stays without its binary
      ok(run(dir, [...got.manager.command, 'install']));
      const verify = run(dir, [process.execPath, CLI, 'verify', '--json']);
      const report = JSON.parse(verify.stdout) as {
        binaries: Array<{ package: string; loaded: boolean; code?: string }>;
      };
      expect(report.binaries).toEqual([
        expect.objectContaining({ package: 'better-sqlite3@12.4.1', loaded: false, code: 'BINARY_MISSING' }),
      ]);
      expect(verify.status).toBe(1);
    },
    20 * MINUTES,
  );
});
