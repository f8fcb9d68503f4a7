import { execFile } from 'node:child_process';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';

/** The slice of a HostEnvironment that PATH lookup and tool runs need. */
export interface ExecEnvironment {
  platform: string;
  env: Record<string, string | undefined>;
}

export interface RunResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** True when the tool was killed for running past the timeout. */
  timedOut: boolean;
}

/** A probe must never hang detection: a `python3` that waits on a network mount counts as not usable. */
export const TOOL_TIMEOUT_MS = 2000;

/** Reads an environment variable the way the platform does: case-insensitively on Windows (`Path`). */
export function envValue(env: ExecEnvironment, name: string): string | undefined {
  if (env.platform !== 'win32') return env.env[name];
  const key = Object.keys(env.env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env.env[key];
}

async function isExecutableFile(file: string, win: boolean): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    // Windows has no execute bit; PATHEXT decides what runs.
    if (!win) await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `name` resolves on the environment's PATH (honouring PATHEXT on Windows), or null.
 * A name containing a path separator is checked as given, as a shell would.
 */
export async function findOnPath(name: string, env: ExecEnvironment): Promise<string | null> {
  const win = env.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const exts = win
    ? ['', ...(envValue(env, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
    : [''];
  const withExts = (base: string) =>
    exts.filter((e) => e === '' || !base.toUpperCase().endsWith(e.toUpperCase())).map((e) => base + e);

  if (name.includes('/') || (win && name.includes('\\'))) {
    for (const candidate of withExts(name)) if (await isExecutableFile(candidate, win)) return candidate;
    return null;
  }
  for (const dir of (envValue(env, 'PATH') ?? '').split(p.delimiter)) {
    if (dir === '') continue;
    for (const candidate of withExts(p.join(dir, name))) {
      if (await isExecutableFile(candidate, win)) return candidate;
    }
  }
  return null;
}

/**
 * Runs a tool without a shell and with a timeout. Failure of any kind (missing, not executable,
 * non-zero exit, timeout) is a result, never a throw: detection reports, it doesn't crash.
 */
export function runTool(
  file: string,
  args: readonly string[],
  env: ExecEnvironment,
  timeoutMs = TOOL_TIMEOUT_MS,
): Promise<RunResult> {
  return new Promise((resolve) => {
    try {
      const child = execFile(
        file,
        args,
        { env: { ...env.env, TERM: 'dumb' }, timeout: timeoutMs, windowsHide: true, encoding: 'utf8' },
        (err, stdout, stderr) => {
          const timedOut =
            err !== null && (err as NodeJS.ErrnoException & { killed?: boolean }).killed === true;
          resolve({ ok: err === null, stdout, stderr, timedOut });
        },
      );
      // A tool that reads stdin (a broken wrapper script) must see EOF, not wait for the timeout.
      child.stdin?.end();
    } catch {
      resolve({ ok: false, stdout: '', stderr: '', timedOut: false });
    }
  });
}
