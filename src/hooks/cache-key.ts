// The key of the hooks' answer cache (cache.ts): everything but the binaries that decides a hook's
// answer, hashed. Like cache.ts, this file loads node: built-ins and the bounded reader only.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILE_LIMITS, parseJsonText, readBounded } from '../io/files.js';
import { pnpmGlobalConfigFile, pnpmGlobalRcFile } from '../managers/pnpm-global-config.js';
import type { HookEvent } from './init-plan.js';

/** The inputs the entry has; the same as hooks/run.ts's HookIo. */
export interface CacheIo {
  env: Record<string, string | undefined>;
  cwd: string;
  isTTY: boolean;
}

/** Bumped whenever the entry format or what the key covers changes: an old entry is then a miss. */
export const FORMAT = 'native-guard-hook-answer/1';

/**
 * Each manager's record of the tree it installed, rewritten by every install that changes the tree:
 * npm's hidden lockfile, pnpm's `.modules.yaml` and hidden lockfile, Yarn 1's integrity file, Yarn
 * Berry's install state (node-modules linker), and Bun's lockfile (Bun keeps no record in a hoisted
 * node_modules: the lockfile it installs from is the record).
 */
const INSTALL_RECORDS = [
  'node_modules/.package-lock.json',
  'node_modules/.modules.yaml',
  'node_modules/.pnpm/lock.yaml',
  'node_modules/.yarn-integrity',
  'node_modules/.yarn-state.yml',
  'bun.lock',
  'bun.lockb',
];

/** Files of the project whose bytes decide the answer (lockfiles, npm config, the Dockerfile check). */
const PROJECT_FILES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  ...INSTALL_RECORDS,
  'yarn.lock',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  '.npmrc',
  'Dockerfile',
  '.dockerignore',
];

/** Commands the toolchain probe looks for on PATH: one installed or removed changes a source-build verdict. */
const TOOLS = [
  'python3',
  'python',
  'make',
  'gmake',
  'cc',
  'gcc',
  'c++',
  'g++',
  'clang',
  'clang++',
  'node-gyp',
];

/** Environment variables check or verify read besides npm's own npm_config_* (all of which count). */
const ENV_NAMES = [
  'PATH',
  'CC',
  'CXX',
  'PYTHON',
  'LIBC',
  'PREBUILDS_ONLY',
  'NODE_OPTIONS',
  'NODE_BINDINGS_COMPILED_DIR',
  'ARM_VERSION',
  'NATIVE_GUARD_TODAY',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'npm_execpath',
  'npm_package_resolved',
  'npm_package_from',
  // the output's form: colour and GitHub annotations
  'NO_COLOR',
  'FORCE_COLOR',
  'TERM',
  'GITHUB_ACTIONS',
  'GITHUB_WORKSPACE',
];

/** A file's identity for the key: a content hash (null when it is not there or not readable). */
function fileHash(path: string): string | null {
  const text = readBounded(path, FILE_LIMITS.lockfile);
  return text === null ? null : createHash('sha256').update(text).digest('hex');
}

const hashAt = (path: string | null) => (path && isAbsolute(path) ? fileHash(path) : null);

/** The C library this Node runs on, from its own report header (no detect-libc: node: built-ins only). */
function hostLibc(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const report = process.report as { excludeNetwork?: boolean; getReport(): unknown };
    report.excludeNetwork = true;
    const header = (report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
    return header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'not glibc';
  } catch {
    return 'unknown';
  }
}

/**
 * Folders a package manager makes afresh for each script it runs and puts on its PATH: Yarn 1's
 * shims (`/tmp/yarn--1796590233927-0.0834…`, its `yarn` and `node` wrappers) and Bun's node-gyp
 * shim (`/tmp/.9a90b226cfe805aa-1.node-gyp`). Their names are new every install, their contents are
 * not: in the key each is its kind, so an unchanged install still finds its answer.
 */
const RUN_FOLDERS: Array<[RegExp, string]> = [
  [/^yarn--\d+-[\d.]+$/, '<yarn shims>'],
  [/^\.[0-9a-f]+-\d+\.node-gyp$/, '<bun node-gyp shim>'],
];

/** A PATH folder as the key holds it: a manager's per-run folder by its kind, any other as it is. */
function stableFolder(dir: string): { name: string; fresh: boolean } {
  const base = basename(dir);
  const kind = RUN_FOLDERS.find(([pattern]) => pattern.test(base))?.[1];
  return kind ? { name: kind, fresh: true } : { name: dir, fresh: false };
}

const stablePath = (path: string | undefined) =>
  path === undefined
    ? undefined
    : path
        .split(delimiter)
        .map((d) => stableFolder(d).name)
        .join(delimiter);

/** First match of each toolchain command on PATH, with its size and mtime (a per-run shim: its size). */
function toolStamps(env: Record<string, string | undefined>): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d));
  return TOOLS.map((tool) => {
    for (const dir of dirs) {
      const s = statOrNull(join(dir, tool));
      if (!s?.isFile()) continue;
      const folder = stableFolder(dir);
      return `${tool}=${join(folder.name, tool)}:${s.size}${folder.fresh ? '' : `:${s.mtimeMs}`}`;
    }
    return `${tool}=`;
  });
}

export function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The same rule as hooks/run.ts's treeIsReified (that file is not loaded on a hit). */
function reified(root: string): boolean {
  const modules = join(root, 'node_modules');
  if (statOrNull(join(modules, '.package-lock.json'))) return true;
  if (statOrNull(join(root, '.pnp.cjs')) || statOrNull(join(root, '.pnp.data.json'))) return true;
  try {
    return readdirSync(modules).some((name) => !name.startsWith('.'));
  } catch {
    return false;
  }
}

/** native-guard's own version and build (a rebuilt dist/ of the same version is another answer). */
function guardIdentity(): unknown {
  const own = fileURLToPath(new URL('../../package.json', import.meta.url));
  let version: unknown = null;
  try {
    version = (parseJsonText(readBounded(own, FILE_LIMITS.manifest) ?? '') as { version?: unknown }).version;
  } catch {
    // no readable package.json: the build stamp below still tells versions apart
  }
  const run = statOrNull(fileURLToPath(new URL('./run.js', import.meta.url)));
  return { version, build: run ? `${run.size}:${run.mtimeMs}` : null };
}

/** The Node running the hook and the machine under it: verify loads with this Node, check's `host` is it. */
export interface Runtime {
  version: string;
  modules: string;
  napi: string | undefined;
  execPath: string;
  platform: string;
  arch: string;
  libc: string | null;
}

export const currentRuntime = (): Runtime => ({
  version: process.versions.node,
  modules: process.versions.modules,
  napi: process.versions.napi,
  execPath: process.execPath,
  platform: process.platform,
  arch: process.arch,
  libc: hostLibc(),
});

/**
 * Everything but the binaries that decides a hook's answer, or null when this project's answer is not
 * to be cached (no package.json native-guard can read, no record of the installed tree).
 */
export function cacheKey(
  event: HookEvent,
  io: CacheIo,
  runtime: Runtime = currentRuntime(),
  now = new Date(),
): string | null {
  const root = resolve(io.cwd);
  const env = io.env;
  let config: unknown;
  try {
    const pkg = parseJsonText(readBounded(join(root, 'package.json'), FILE_LIMITS.manifest) ?? '');
    config = (pkg as { nativeGuard?: unknown } | null)?.nativeGuard ?? null;
  } catch {
    return null;
  }
  const files = Object.fromEntries(PROJECT_FILES.map((f) => [f, fileHash(join(root, f))]));
  const isReified = reified(root);
  // without a manager's record of the installed tree nothing here tells one installed tree from another
  if (isReified && INSTALL_RECORDS.every((f) => files[f] === null)) return null;
  const userconfig = env.npm_config_userconfig || join(homedir(), '.npmrc');
  const npmEnv = Object.keys(env)
    // pnpm 11 reads its settings (pnpm_config_strict_dep_builds) from pnpm_config_*, not npm_config_*
    .filter((k) => k.startsWith('npm_config_') || k.startsWith('pnpm_config_') || ENV_NAMES.includes(k))
    .sort()
    .map((k) => [k, k === 'PATH' ? stablePath(env[k]) : env[k]]);
  const material = {
    format: FORMAT,
    event,
    root,
    guard: guardIdentity(),
    runtime,
    npm: (env.npm_config_user_agent ?? '').split(' ')[0],
    config,
    files,
    userNpmrc: isAbsolute(userconfig) ? fileHash(userconfig) : null,
    globalNpmrc:
      env.npm_config_globalconfig && isAbsolute(env.npm_config_globalconfig)
        ? fileHash(env.npm_config_globalconfig)
        : null,
    // pnpm's global config: 11's config.yaml (strictDepBuilds, dangerouslyAllowAllBuilds), 10's rc
    pnpmGlobalConfig: hashAt(pnpmGlobalConfigFile(env, runtime.platform)),
    pnpmGlobalRc: hashAt(pnpmGlobalRcFile(env, runtime.platform)),
    reified: isReified,
    env: npmEnv,
    tools: toolStamps(env),
    isTTY: io.isTTY,
    // check's `node:lts` is the LTS line of the day: an answer is kept for that day at most
    day: env.NATIVE_GUARD_TODAY || now.toISOString().slice(0, 10),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}
