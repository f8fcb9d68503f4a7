// `check` runs no package code: proof with the real npm on this machine. A dependency ships bins
// named like the tools the toolchain probe and detect-libc run (python3, make, g++, cc, ldd…);
// npm links them into node_modules/.bin, which npm (lifecycle scripts) and npx put first on PATH.
// Every bin appends its name to a marker file when run. native-guard is packed and installed as
// users get it; check, check --dockerfile, check --lockfile-only and the preinstall hook (wired by
// `native-guard init`, run by `npm install`) must leave no marker, and say what they skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';

const runnable = process.platform === 'linux';
const MINUTES = 60_000;
/** Every name the probe or detect-libc would look up on PATH (and a few compilers they might). */
const HOSTILE_BINS = [
  'python3',
  'python',
  'make',
  'g++',
  'cc',
  'gcc',
  'c++',
  'clang',
  'clang++',
  'ldd',
  'getconf',
];

let tmp: ReturnType<typeof tempDir>;
let app: string;
let marker: string;

/** The environment of a user's shell: nothing from the npm (or CI) process running these tests. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST)/i.test(k)) continue;
    env[k] = v;
  }
  // the shell's PATH, without the node_modules/.bin folders npm exec put first for vitest
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => !d.split('/').includes('node_modules'))
    .join(delimiter);
  return { ...env, NO_COLOR: '1', ...extra };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cwd: string, command: string, args: string[], extra: Record<string, string> = {}): Run {
  const r = spawnSync(command, args, {
    cwd,
    env: userEnv(extra),
    encoding: 'utf8',
    // a hang fails the test (status null), it never passes it
    timeout: 10 * MINUTES,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const npm = (cwd: string, args: string[], extra: Record<string, string> = {}) =>
  run(cwd, 'npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], extra);

function ok(r: Run): Run {
  if (r.status !== 0) throw new Error(`exit ${r.status}:\n${r.stdout}${r.stderr}`);
  return r;
}

const ran = (): string => (existsSync(marker) ? readFileSync(marker, 'utf8') : '');

interface RejectedJson {
  tool: string;
  candidate: string;
  source: string;
  reason: string;
}

/** The host target's rejected toolchain candidates from a `check --json` report. */
function hostRejected(stdout: string): RejectedJson[] {
  const report = JSON.parse(stdout) as {
    targets: Array<{ id: string; toolchain: { details?: { rejected?: RejectedJson[] } } }>;
  };
  const host = report.targets.find((t) => t.id === 'host');
  if (!host) throw new Error(`no host target in:\n${stdout.slice(0, 400)}`);
  return host.toolchain.details?.rejected ?? [];
}

/** The project's bins the report says it did not run: their names. */
const skippedInProject = (rejected: RejectedJson[]) =>
  rejected
    .filter((r) => r.reason === 'inside-project' && r.candidate.startsWith(join(app, 'node_modules', '.bin')))
    .map((r) => r.candidate.split('/').pop());

beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  tmp = tempDir('ng-safety-probe-');
  marker = join(tmp.dir, 'MARKER');
  // --ignore-scripts: `prepare` would rebuild dist/ under the feet of test files running beside this one
  const packed = ok(run(REPO, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir]));
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
  const tarball = join(tmp.dir, info!.filename);

  // the hostile package: only bins, no install script (npm's script policy has nothing to deny)
  const evil = join(tmp.dir, 'evil-tools');
  mkdirSync(join(evil, 'bin'), { recursive: true });
  const bin: Record<string, string> = {};
  for (const name of HOSTILE_BINS) {
    bin[name] = `bin/${name}.js`;
    writeFileSync(
      join(evil, 'bin', `${name}.js`),
      `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(name)} + ' ' + process.argv.slice(2).join(' ') + '\\n');\nconsole.log('3.12.0');\n`,
    );
  }
  writeFileSync(join(evil, 'package.json'), JSON.stringify({ name: 'evil-tools', version: '1.0.0', bin }));
  ok(run(evil, 'npm', ['pack', '--pack-destination', tmp.dir]));

  app = join(tmp.dir, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'probe-app',
        version: '1.0.0',
        private: true,
        // records the PATH the lifecycle gives the hooks that follow it
        scripts: {
          preinstall: "node -e \"require('fs').writeFileSync('preinstall-path.txt', process.env.PATH)\"",
        },
        dependencies: { 'evil-tools': `file:${join(tmp.dir, 'evil-tools-1.0.0.tgz')}` },
        devDependencies: { 'native-guard': `file:${tarball}` },
      },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(
    join(app, 'Dockerfile'),
    'FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n',
  );
  writeFileSync(join(app, '.dockerignore'), 'node_modules\n');
  ok(npm(app, ['install']));
  // the bins are where npm and npx look first
  for (const name of HOSTILE_BINS) expect(existsSync(join(app, 'node_modules', '.bin', name))).toBe(true);
}, 10 * MINUTES);
afterAll(() => tmp?.cleanup());
beforeEach(() => {
  if (marker) rmSync(marker, { force: true });
});

describe.skipIf(!runnable)('check runs no package code (real npm, a dependency with tool-named bins)', () => {
  it(
    'npx native-guard check: no bin ran; the report names the project bins it skipped',
    () => {
      const r = run(app, 'npx', ['--no', 'native-guard', 'check', '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(ran()).toBe('');
      expect(skippedInProject(hostRejected(r.stdout))).toEqual(
        expect.arrayContaining(['python3', 'make', 'g++', 'cc']),
      );
      const text = run(app, 'npx', ['--no', 'native-guard', 'check']);
      expect(ran()).toBe('');
      expect(text.stdout).toMatch(/not run, inside the project: .*python3/);
    },
    5 * MINUTES,
  );

  it(
    'npx native-guard check --dockerfile Dockerfile: no bin ran',
    () => {
      const r = run(app, 'npx', ['--no', 'native-guard', 'check', '--dockerfile', 'Dockerfile', '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(ran()).toBe('');
      const report = JSON.parse(r.stdout) as { targets: Array<{ id: string }> };
      expect(report.targets.map((t) => t.id)).toContain('node:22-bookworm-slim');
      expect(skippedInProject(hostRejected(r.stdout))).toEqual(expect.arrayContaining(['python3', 'make']));
    },
    5 * MINUTES,
  );

  it(
    'npx native-guard check --lockfile-only: no bin ran',
    () => {
      const r = run(app, 'npx', ['--no', 'native-guard', 'check', '--lockfile-only', '--offline', '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(ran()).toBe('');
      expect((JSON.parse(r.stdout) as { mode: string }).mode).toBe('lockfile');
      expect(skippedInProject(hostRejected(r.stdout))).toEqual(expect.arrayContaining(['python3', 'make']));
    },
    5 * MINUTES,
  );

  it(
    "the preinstall hook npm install runs (init wiring, npm's lifecycle PATH): no bin ran",
    () => {
      ok(run(app, 'npx', ['--no', 'native-guard', 'init']));
      const r = ok(npm(app, ['install']));
      // the hook ran, after the user's preinstall, with the project's .bin first on PATH
      expect(r.stdout).toMatch(/^native-guard check: 0 native packages for host \(installed tree\)/m);
      const hookPath = readFileSync(join(app, 'preinstall-path.txt'), 'utf8').split(delimiter);
      expect(hookPath[0]).toBe(join(app, 'node_modules', '.bin'));
      expect(ran()).toBe('');
    },
    10 * MINUTES,
  );

  it(
    "the built CLI on a host where detect-libc falls back to its shell (getconf, ldd): PATH's bins are not run",
    () => {
      // /proc/self/exe and /usr/bin/ldd unreadable and no glibc in the process report, as on some
      // musl hosts: detect-libc then runs `getconf …; ldd --version` through a shell
      const preload = join(tmp.dir, 'libc-by-shell.cjs');
      writeFileSync(
        preload,
        `const fs = require('fs');
const hidden = new Set(['/proc/self/exe', '/usr/bin/ldd']);
const deny = (p) => Object.assign(new Error('ENOENT: ' + p), { code: 'ENOENT' });
const { open, openSync } = fs;
fs.open = (p, ...rest) => (hidden.has(String(p)) ? rest[rest.length - 1](deny(p)) : open(p, ...rest));
fs.openSync = (p, ...rest) => { if (hidden.has(String(p))) throw deny(p); return openSync(p, ...rest); };
process.report.getReport = () => ({});
`,
      );
      const path = [join(app, 'node_modules', '.bin'), userEnv().PATH].join(delimiter);
      const r = run(app, process.execPath, ['--require', preload, CLI, 'check', '--json'], { PATH: path });
      expect(r.status, r.stderr).toBe(0);
      expect(ran()).toBe('');
      // the shell did run: the machine's getconf answered
      const host = (JSON.parse(r.stdout) as { targets: Array<{ id: string; libc: string | null }> })
        .targets[0];
      expect(host).toMatchObject({ id: 'host', libc: 'glibc' });
    },
    5 * MINUTES,
  );
});
