import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon } from '../binary/paths.js';
import { ensureBuilt } from '../helpers/build.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import {
  CLI,
  cleanEnv,
  hostile,
  isDead,
  killAll,
  linuxX64Glibc,
  recordedPids,
  runToExit,
  waitDead,
} from './run-to-exit.js';

/**
 * An addon whose init forks a child that lives on (a daemonizing addon) used to keep `verify`
 * waiting for ever after it had printed its results: the child held the loader's pipes. The built
 * CLI, a fixture project, the real compiled addons (fixtures/addons/hostile/fork-child.c).
 */
const KILL_AFTER_MS = 120_000;

let tmp: ReturnType<typeof tempDir>;
const pidfiles: string[] = [];
beforeAll(() => {
  ensureBuilt();
  tmp = tempDir('ng-safety-daemon-');
});
afterAll(() => {
  for (const file of pidfiles) killAll(recordedPids(file));
  tmp?.cleanup();
});

interface Report {
  binaries: Array<{ package: string; loaded: boolean; code?: string }>;
  findings: Array<{ code: string; package?: string }>;
}

/** A project with the forking addon, an addon that loads and one that fails, run through `verify --json`. */
async function verifyWith(daemon: 'fork-child' | 'fork-setsid') {
  const dir = writeProject(join(tmp.dir, daemon), {
    packages: {
      'node_modules/daemon': {
        manifest: { main: 'addon.node' },
        files: { 'addon.node': { copy: hostile(daemon) } },
      },
      'node_modules/fast': {
        manifest: { main: 'addon.node' },
        files: { 'addon.node': { copy: addon('napi-ok') } },
      },
      'node_modules/alpine-build': {
        manifest: { main: 'addon.node' },
        files: { 'addon.node': { copy: addon('musl') } },
      },
    },
  });
  const pidfile = join(tmp.dir, `${daemon}.pids`);
  pidfiles.push(pidfile);
  const r = await runToExit(process.execPath, [CLI, 'verify', '--json', '-C', dir], {
    cwd: dir,
    env: cleanEnv({ NG_FIXTURE_PIDFILE: pidfile }),
    killAfterMs: KILL_AFTER_MS,
  });
  return { r, report: JSON.parse(r.stdout) as Report, pids: recordedPids(pidfile) };
}

describe.skipIf(!linuxX64Glibc)('verify exits although an addon forked a child that lives on', () => {
  it(
    'a child in the loader’s process group: verify reports and exits, and the child is killed with the group',
    async () => {
      const { r, report, pids } = await verifyWith('fork-child');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      const byPackage = Object.fromEntries(report.binaries.map((b) => [b.package, b]));
      expect(byPackage['daemon@1.0.0']).toMatchObject({ loaded: true });
      expect(byPackage['fast@1.0.0']).toMatchObject({ loaded: true });
      expect(byPackage['alpine-build@1.0.0']).toMatchObject({ loaded: false, code: 'LIBC_MISMATCH' });
      expect(report.findings.map((f) => f.code)).toEqual(['LIBC_MISMATCH']);
      // the addon forked once: the child went with the loader's group
      expect(pids).toHaveLength(1);
      expect(await waitDead(pids[0]!)).toBe(true);
    },
    KILL_AFTER_MS + 60_000,
  );

  it(
    'a child that left the group with setsid(): verify does not wait on the pipes it holds',
    async () => {
      const { r, report, pids } = await verifyWith('fork-setsid');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      expect(report.binaries.map((b) => [b.package, b.loaded])).toEqual([
        ['alpine-build@1.0.0', false],
        ['daemon@1.0.0', true],
        ['fast@1.0.0', true],
      ]);
      // the escaped child is still there, holding the loader's pipes, and verify exited all the same
      expect(pids).toHaveLength(1);
      expect(isDead(pids[0]!)).toBe(false);
    },
    KILL_AFTER_MS + 60_000,
  );
});
