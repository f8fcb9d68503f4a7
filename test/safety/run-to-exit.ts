import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The package under test: this checkout, or another build of native-guard (NG_SAFETY_PACKAGE, a
 * folder holding dist/ and hooks/), to see these tests fail on a build without the fixes.
 */
export const PACKAGE = process.env.NG_SAFETY_PACKAGE ?? REPO;
/** Its bin: dist/bin.js, or dist/cli.js in a build from before bin.js existed. */
export const CLI =
  [join(PACKAGE, 'dist', 'bin.js'), join(PACKAGE, 'dist', 'cli.js')].find((f) => existsSync(f)) ??
  join(PACKAGE, 'dist', 'bin.js');
export const HOSTILE = join(REPO, 'fixtures', 'addons', 'hostile');
export const hostile = (name: string) => join(HOSTILE, `${name}.node`);

/** The hostile addons are linux-x64 glibc builds, like the other fixture addons. */
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
export const linuxX64Glibc =
  process.platform === 'linux' && process.arch === 'x64' && !!report?.header?.glibcVersionRuntime;

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end: resolves once it has exited and closed its output. The proof that it
 * never hangs is that this resolves; the kill timer is only a guard, far above any normal run, that
 * kills the command's process group and fails the test with what it printed so far.
 */
export function runToExit(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; killAfterMs: number },
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own group, so that the kill timer takes everything it started
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish; killed by the test's guard.\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, options.killAfterMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** A process's state letter from /proc (`Z` for a zombie), or null when there is no such process. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: the state follows the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** The session a process belongs to (a process that called setsid() leads its own), or null when gone. */
export function sessionOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after the command name: state, ppid, pgrp, session
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[3]);
  } catch {
    return null;
  }
}

/** Dead: gone, or a zombie nobody has reaped yet (it holds nothing open). */
export const isDead = (pid: number) => {
  const state = processState(pid);
  return state === null || state === 'Z' || state === 'X';
};

/**
 * Waits until a process is dead. A SIGKILL is delivered at once but the process ends when the
 * kernel next schedules it: this polls, and gives up (returning false) only after the guard.
 */
export async function waitDead(pid: number, guardMs = 30_000): Promise<boolean> {
  for (let waited = 0; waited < guardMs; waited += 50) {
    if (isDead(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return isDead(pid);
}

/** Pids an addon recorded (NG_FIXTURE_PIDFILE), one a line. */
export function recordedPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(l));
  } catch {
    return [];
  }
}

/** SIGKILL to each pid, for cleanup; the ones already gone are skipped. */
export function killAll(pids: number[]) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** The environment of a user's shell: nothing from the npm or vitest process running these tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}
