import { execFile } from 'node:child_process';
import { access, stat } from 'node:fs/promises';
import { constants, realpathSync } from 'node:fs';
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
// node-gyp waits for python and the compilers without a limit; ours only bounds a tool that hangs.
// 2 s was too short on a loaded machine (python3 starting under a load average of 17 timed out and
// the host was reported without a toolchain), so the limit is generous.
export const TOOL_TIMEOUT_MS = 10_000;

/**
 * Why a tool is never run: it belongs to the project or to an npm package, not to the machine. npm
 * and npx put every `node_modules/.bin` first on PATH, so a dependency with a `python3` or `make` bin
 * would otherwise be run by the probe, whatever npm's script policy said about that package.
 */
export type ProjectPlace = 'inside-project' | 'inside-node-modules';

/** Reads an environment variable the way the platform does: case-insensitively on Windows (`Path`). */
export function envValue(env: ExecEnvironment, name: string): string | undefined {
  if (env.platform !== 'win32') return env.env[name];
  const key = Object.keys(env.env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env.env[key];
}

const pathApi = (platform: string) => (platform === 'win32' ? path.win32 : path.posix);
// npm writes `node_modules` in lower case; these file systems would also match other cases
const foldCase = (platform: string) =>
  platform === 'win32' || platform === 'darwin' ? (s: string) => s.toLowerCase() : (s: string) => s;

/**
 * Where `absolute` lies: inside the project folder, inside any node_modules folder, or neither.
 * `projectRoot` and `absolute` are compared as given: pass real paths.
 */
export function placeOf(absolute: string, projectRoot: string | null, platform: string): ProjectPlace | null {
  const p = pathApi(platform);
  const fold = foldCase(platform);
  if (projectRoot !== null) {
    const rel = p.relative(fold(projectRoot), fold(absolute));
    if (!p.isAbsolute(rel) && rel.split(/[\\/]/)[0] !== '..') return 'inside-project';
  }
  const parts = fold(absolute).split(platform === 'win32' ? /[\\/]/ : '/');
  return parts.includes('node_modules') ? 'inside-node-modules' : null;
}

/**
 * Where a path lies by its own name and by the real path its links lead to (a PATH entry that is a
 * link into the project is the project); the first of the two that is not the machine's.
 */
export function placeOfPath(file: string, projectRoot: string | null, platform: string): ProjectPlace | null {
  const resolved = pathApi(platform).resolve(file);
  let real = resolved;
  try {
    real = realpathSync(resolved);
  } catch {
    // a PATH entry that does not exist is judged by its name
  }
  return placeOf(resolved, projectRoot, platform) ?? placeOf(real, projectRoot, platform);
}

/**
 * What the toolchain probe may look at and run: PATH without the entries that lie inside the project
 * or a node_modules folder, and the project's real path for checking configured commands
 * (`CC=./tools/cc`, `PYTHON=…`).
 */
export interface ToolScope extends ExecEnvironment {
  /** Real path of the project folder; null when there is none (every node_modules is still refused). */
  projectRoot: string | null;
  /** PATH entries in order, each with why it is not searched (null: it is searched). */
  dirs: Array<{ dir: string; refused: ProjectPlace | null }>;
}

/** The real path of a project folder, or the folder as given when it cannot be resolved. */
export function realProjectRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return path.resolve(root);
  }
}

export function toolScope(env: ExecEnvironment, projectRoot: string | null): ToolScope {
  const p = pathApi(env.platform);
  const root = projectRoot === null ? null : realProjectRoot(projectRoot);
  const entries = (envValue(env, 'PATH') ?? '').split(p.delimiter).filter((d) => d !== '');
  const dirs = entries.map((dir) => ({ dir, refused: placeOfPath(dir, root, env.platform) }));
  const searched = dirs.filter((d) => d.refused === null).map((d) => d.dir);
  // tools run with the same PATH they were found on: a ccache or pyenv shim looks up the real
  // compiler or python on PATH, and must not find the project's either
  const pathKey =
    env.platform === 'win32'
      ? (Object.keys(env.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH')
      : 'PATH';
  return {
    platform: env.platform,
    env: { ...env.env, [pathKey]: searched.join(p.delimiter) },
    projectRoot: root,
    dirs,
  };
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

/** A file that exists where a tool was looked for, and why it is not used. */
export interface RefusedTool {
  path: string;
  reason: ProjectPlace;
}

export interface PathSearch {
  /** The executable PATH (or the path as given) resolves to, or null. */
  found: string | null;
  /** Executables with that name inside the project or a node_modules folder, skipped in PATH order. */
  refused: RefusedTool[];
}

/**
 * Where `name` resolves on PATH (honouring PATHEXT on Windows), as a shell would look, but skipping
 * PATH entries inside the project or a node_modules folder, and an executable whose real path lies
 * there (a link into the project). A name with a path separator is checked as given.
 * `files: false` checks only the PATH folders, not where a file's links lead: npm itself lives in a
 * node_modules folder, and is read, never run.
 */
export async function searchPath(
  name: string,
  scope: ToolScope,
  options: { files?: boolean } = {},
): Promise<PathSearch> {
  const win = scope.platform === 'win32';
  const p = pathApi(scope.platform);
  const exts = win
    ? ['', ...(envValue(scope, 'PATHEXT') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
    : [''];
  const withExts = (base: string) =>
    exts.filter((e) => e === '' || !base.toUpperCase().endsWith(e.toUpperCase())).map((e) => base + e);
  const refused: RefusedTool[] = [];
  const place = (file: string) =>
    options.files === false ? null : placeOfPath(file, scope.projectRoot, scope.platform);

  if (name.includes('/') || (win && name.includes('\\'))) {
    for (const candidate of withExts(name)) {
      if (!(await isExecutableFile(candidate, win))) continue;
      const reason = place(candidate);
      if (reason) refused.push({ path: candidate, reason });
      else return { found: candidate, refused };
    }
    return { found: null, refused };
  }
  for (const { dir, refused: dirReason } of scope.dirs) {
    for (const candidate of withExts(p.join(dir, name))) {
      if (!(await isExecutableFile(candidate, win))) continue;
      const reason = dirReason ?? place(candidate);
      if (reason) refused.push({ path: candidate, reason });
      else return { found: candidate, refused };
    }
  }
  return { found: null, refused };
}

/**
 * Where `name` resolves on the environment's PATH (honouring PATHEXT on Windows), or null.
 * A name containing a path separator is checked as given, as a shell would. This plain lookup
 * refuses nothing: the toolchain probe, which runs what it finds, uses `searchPath`.
 */
export async function findOnPath(name: string, env: ExecEnvironment): Promise<string | null> {
  const p = pathApi(env.platform);
  const dirs = (envValue(env, 'PATH') ?? '')
    .split(p.delimiter)
    .filter((d) => d !== '')
    .map((dir) => ({ dir, refused: null }));
  const { found } = await searchPath(name, { ...env, projectRoot: null, dirs }, { files: false });
  return found;
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
