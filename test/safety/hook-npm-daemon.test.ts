import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../binary/paths.js';
import { ensureBuilt } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import type { Finished } from './run-to-exit.js';
import {
  cleanEnv,
  hostile,
  isDead,
  killAll,
  linuxX64Glibc,
  PACKAGE,
  recordedPids,
  runToExit,
  sessionOf,
  waitDead,
} from './run-to-exit.js';

/**
 * The attack end to end, with the real npm: a dependency whose addon forks a child that lives on
 * (one in the loader's process group, one that setsid()s out of it), and the postinstall hook that
 * `native-guard init` wires. `npm install` used to wait for ever after verify had printed its results.
 * native-guard is packed as users get it (`npm pack`), like test/e2e/hooks.test.ts does.
 */
const MINUTES = 60_000;
const KILL_AFTER_MS = 5 * MINUTES;

let tmp: ReturnType<typeof tempDir>;
let app: string;
let pidfile: string;

function ok(r: Finished): Finished {
  if (r.status !== 0) throw new Error(`exit ${r.status}:\n${r.stdout}${r.stderr}`);
  return r;
}

const run = (cwd: string, command: string, args: string[]) =>
  runToExit(command, args, {
    cwd,
    env: cleanEnv({ NG_FIXTURE_PIDFILE: pidfile }),
    killAfterMs: KILL_AFTER_MS,
  });

const npm = (cwd: string, args: string[]) =>
  run(cwd, 'npm', [...args, '--no-audit', '--no-fund', '--prefer-offline']);

/** `npm pack` of a folder into the temp folder; returns the tarball's path. */
async function pack(dir: string): Promise<string> {
  const before = new Set(readdirSync(tmp.dir));
  // --ignore-scripts: native-guard's `prepare` would rebuild dist/ under test files running beside this one
  ok(await run(dir, 'npm', ['pack', '--ignore-scripts', '--pack-destination', tmp.dir, '--loglevel=error']));
  const made = readdirSync(tmp.dir).find((f) => f.endsWith('.tgz') && !before.has(f));
  if (!made) throw new Error(`npm pack made no tarball in ${dir}`);
  return join(tmp.dir, made);
}

/** A package whose main is a fixture addon, packed like a download. */
async function addonPackage(name: string, file: string): Promise<string> {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'addon.node' }));
  copyFileSync(file, join(dir, 'addon.node'));
  return pack(dir);
}

beforeAll(async () => {
  if (!linuxX64Glibc) return;
  ensureBuilt();
  tmp = tempDir('ng-safety-npm-');
  pidfile = join(tmp.dir, 'daemons.pids');
  const guard = await pack(PACKAGE);
  const group = await addonPackage('daemon-group', hostile('fork-child'));
  const setsid = await addonPackage('daemon-setsid', hostile('fork-setsid'));
  const fast = await addonPackage('fast', addon('napi-ok'));
  app = join(tmp.dir, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'daemon-app',
        version: '1.0.0',
        private: true,
        dependencies: {
          'daemon-group': `file:${group}`,
          'daemon-setsid': `file:${setsid}`,
          fast: `file:${fast}`,
        },
        devDependencies: { 'native-guard': `file:${guard}` },
      },
      null,
      2,
    ) + '\n',
  );
}, 10 * MINUTES);

afterAll(() => {
  if (pidfile) killAll(recordedPids(pidfile));
  tmp?.cleanup();
});

describe.skipIf(!linuxX64Glibc)('npm install with a daemonizing addon and the hooks init wires', () => {
  it(
    'npm install finishes, the postinstall verify reports every addon, and the child in the group is gone',
    async () => {
      ok(await npm(app, ['install']));
      ok(await run(app, 'npx', ['--no', 'native-guard', 'init']));
      const r = ok(await npm(app, ['install']));
      const output = r.stdout + r.stderr;
      expect(output).toMatch(
        /native-guard verify: 3 binaries with Node [\d.]+, 3 loaded, 0 failed: 0 errors/,
      );
      // each forking addon was loaded once, by the postinstall hook (npm itself loads no addon)
      const pids = recordedPids(pidfile);
      expect(pids).toHaveLength(2);
      // the one that left the group leads its own session: it is still running, holding the
      // loader's pipes, and the install finished all the same
      const escaped = pids.filter((pid) => sessionOf(pid) === pid);
      expect(escaped).toHaveLength(1);
      expect(isDead(escaped[0]!)).toBe(false);
      // the one that stayed in the loader's group went with it
      const grouped = pids.find((pid) => pid !== escaped[0])!;
      expect(await waitDead(grouped)).toBe(true);
    },
    3 * KILL_AFTER_MS + MINUTES,
  );
});
