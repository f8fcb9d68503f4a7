import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_DEADLINE_MS, hookDeadlineMs, runHook } from '../../src/hooks/run.js';
import type { HookIo } from '../../src/hooks/run.js';
import { addon } from '../binary/paths.js';
import { ensureBuilt } from '../helpers/build.js';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { cleanEnv, linuxX64Glibc, PACKAGE, runToExit } from './run-to-exit.js';

/**
 * The lifecycle hook has an overall deadline (NATIVE_GUARD_HOOK_TIMEOUT, seconds; 5 minutes by
 * default): past it, it says so in one line and the install goes on (or stops, with "strict": true),
 * and verify's loaders are killed rather than left running.
 */
const KILL_AFTER_MS = 120_000;

let tmp: ReturnType<typeof tempDir>;
let project: string;
let strictProject: string;
beforeAll(() => {
  tmp = tempDir('ng-safety-deadline-');
  project = writeProject(join(tmp.dir, 'project'), {});
  strictProject = writeProject(join(tmp.dir, 'strict'), { root: { nativeGuard: { strict: true } } });
});
afterAll(() => tmp?.cleanup());

const hookIo = (cwd: string, env: Record<string, string> = {}): HookIo => ({
  cwd,
  isTTY: false,
  env: { PATH: process.env.PATH, NO_COLOR: '1', npm_lifecycle_event: 'postinstall', ...env },
});

describe('NATIVE_GUARD_HOOK_TIMEOUT', () => {
  it('is seconds, decimals allowed; 0 turns the deadline off; anything else is the default', () => {
    expect(hookDeadlineMs({})).toBe(DEFAULT_HOOK_DEADLINE_MS);
    expect(DEFAULT_HOOK_DEADLINE_MS).toBe(300_000);
    expect(hookDeadlineMs({ NATIVE_GUARD_HOOK_TIMEOUT: '90' })).toBe(90_000);
    expect(hookDeadlineMs({ NATIVE_GUARD_HOOK_TIMEOUT: ' 0.25 ' })).toBe(250);
    expect(hookDeadlineMs({ NATIVE_GUARD_HOOK_TIMEOUT: '0' })).toBeNull();
    expect(hookDeadlineMs({ NATIVE_GUARD_HOOK_TIMEOUT: 'soon' })).toBe(DEFAULT_HOOK_DEADLINE_MS);
    expect(hookDeadlineMs({ NATIVE_GUARD_HOOK_TIMEOUT: '-5' })).toBe(DEFAULT_HOOK_DEADLINE_MS);
  });
});

describe('runHook past its deadline', () => {
  const never = () => new Promise<never>(() => {});

  it('says so in one line and lets the install go on; strict stops it', async () => {
    const r = await runHook('postinstall', hookIo(project, { NATIVE_GUARD_HOOK_TIMEOUT: '0.2' }), {
      verify: never,
    });
    expect(r).toEqual({
      stdout: '',
      stderr:
        'native-guard verify: did not finish within 0.2 s (NATIVE_GUARD_HOOK_TIMEOUT): stopped; the install goes on\n',
      exitCode: 0,
    });
    // the strict project has no node_modules, so the preinstall takes the lockfile path: both
    // runners hang, so whichever the hook picks, only the deadline can end it
    const s = await runHook('preinstall', hookIo(strictProject, { NATIVE_GUARD_HOOK_TIMEOUT: '0.2' }), {
      check: never,
      lockfileCheck: never,
    });
    expect(s.stderr).toBe(
      'native-guard check: did not finish within 0.2 s (NATIVE_GUARD_HOOK_TIMEOUT): stopped; failing the install ("strict": true)\n',
    );
    expect(s.exitCode).toBe(1);
  });

  it('aborts verify through the signal it passes', async () => {
    let seen: AbortSignal | undefined;
    await runHook('postinstall', hookIo(project, { NATIVE_GUARD_HOOK_TIMEOUT: '0.2' }), {
      verify: (options) => {
        seen = options.signal;
        return never();
      },
    });
    expect(seen?.aborted).toBe(true);
  });
});

/** Processes whose working folder is `dir`: verify's loaders run there. */
function processesIn(dir: string): number[] {
  const real = realpathSync(dir);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === real) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

describe.skipIf(!linuxX64Glibc)('the postinstall hook with an addon that never finishes loading', () => {
  beforeAll(() => ensureBuilt());

  it(
    'stops at the deadline, exits 0, and leaves no loader behind',
    async () => {
      const dir = writeProject(join(tmp.dir, 'hangs'), {
        files: { 'node_modules/.package-lock.json': '{"lockfileVersion":3,"packages":{}}\n' },
        packages: {
          'node_modules/spins': {
            manifest: { main: 'addon.node' },
            files: { 'addon.node': { copy: addon('hang') } },
          },
        },
      });
      const r = await runToExit(process.execPath, [join(PACKAGE, 'hooks', 'postinstall.js')], {
        cwd: dir,
        env: cleanEnv({ npm_lifecycle_event: 'postinstall', NATIVE_GUARD_HOOK_TIMEOUT: '1' }),
        killAfterMs: KILL_AFTER_MS,
      });
      expect(r.stderr).toBe(
        'native-guard verify: did not finish within 1 s (NATIVE_GUARD_HOOK_TIMEOUT): stopped; the install goes on\n',
      );
      expect(r.status).toBe(0);
      // the loader spinning in the addon's init was killed with its group (SIGKILL lands at once, the
      // process ends when next scheduled: wait for it, under the guard)
      let left = processesIn(dir);
      for (let waited = 0; left.length && waited < 30_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        left = processesIn(dir);
      }
      expect(left).toEqual([]);
    },
    KILL_AFTER_MS + 60_000,
  );
});
