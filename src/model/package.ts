/**
 * Plain records of what is installed (or locked). Arborist nodes never leave src/tree/:
 * everything downstream works on these, so strategies stay testable with in-memory input.
 */
import type { BinaryFacts } from './binary.js';
import type { TreeErrorFact } from './errors.js';

/** The manifest fields native-guard reads; everything else in package.json is dropped. */
export interface ManifestFacts {
  scripts: { preinstall?: string; install?: string; postinstall?: string };
  gypfile?: boolean;
  /** node-pre-gyp / prebuild-install `binary` block, as written. */
  binary?: Record<string, unknown>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  main?: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  /** `config` block (prebuild-install reads `config.runtime`/`config.target`). */
  config?: Record<string, unknown>;
  /** `repository` as written (prebuild-install derives its GitHub download host from it). */
  repository?: unknown;
  /** `engines.node` as written (a semver range the package says it supports), when a string. */
  engines?: { node: string };
}

/** A dependency as npm would resolve it from this package's folder. */
export interface ResolvedDependency {
  name: string;
  spec: string;
  type: 'prod' | 'optional' | 'dev' | 'peer' | 'peerOptional' | 'workspace';
  /** Location of the package it resolves to, or null when it is not in the tree. */
  location: string | null;
}

export interface PackageRecord {
  name: string;
  version: string;
  /** `name@version`, as findings name packages. */
  id: string;
  /** Relative to the project root, POSIX separators; `''` is the root itself. */
  location: string;
  /** Absolute path of the package folder (the link target's folder for linked packages). */
  path: string;
  manifest: ManifestFacts;
  /** Entries at the top of the package folder (one readdir: the cheap look every package gets). Dirs end in `/`. */
  rootEntries: string[] | null;
  dependencies: ResolvedDependency[];
  isRoot: boolean;
  isWorkspace: boolean;
  optional: boolean;
  dev: boolean;
  inBundle: boolean;
  /** True when read from an installed folder; false for lockfile-only records. */
  installed: boolean;
  /** The lockfile says this package has an install script (lockfile-only mode relies on it). */
  hasInstallScript?: boolean;
  /**
   * Lockfile mode: the lockfile records no install-script flag (pnpm-lock.yaml, yarn.lock), so only
   * the package's tarball can tell whether it has one: lockfile mode reads it.
   */
  scriptsUnknown?: boolean;
  /**
   * Where `manifest` came from: the package's own package.json (installed folder or registry
   * tarball), or only the lockfile entry (lockfile mode, for packages that need nothing more).
   */
  manifestSource?: 'package' | 'lockfile';
  /** Lockfile mode: the registry manifest/tarball could not be had (offline with a cold cache, registry down). */
  unavailable?: FetchProblem;
  /** Lockfile mode: platform packages the manifest names that the lockfile has no entry for. */
  unlocked?: UnlockedPackage[];
  /** What npm's allowScripts matcher reads about the package; set for packages with install scripts. */
  scriptIdentity?: ScriptIdentity;
}

/** Why a package's manifest or tarball could not be had. */
export interface FetchProblem {
  /** npm's error code: `ENOTCACHED` (offline, not in the cache), `E404`, `ECONNREFUSED`, `EINTEGRITY`… */
  code: string;
  /** npm's or the network's own error text; '' when `tarball` or `notRegistry` says what was wrong. */
  detail: string;
  /** What lockfile mode could not read whole in the tarball, as a code and its numbers. */
  tarball?: TarballProblem;
  /** `ENOTREGISTRY`: the package as the lockfile names it (`name@spec`), which is never fetched. */
  notRegistry?: string;
}

/** What in a tarball lockfile mode could not read whole: its package.json, or its listing. */
export type TarballProblem =
  | { code: 'EJSONPARSE'; kind: 'not-an-object' }
  /** `parserMessage`: JSON.parse's own words (its first 200 characters). */
  | { code: 'EJSONPARSE'; kind: 'not-json'; parserMessage: string }
  | { code: 'EMANIFESTTOOLARGE'; size: number; max: number }
  | ({ code: 'ETOOMANYENTRIES' } & ListingCut);

/** Where a tarball's listing stopped: at `max` files and folders, or `maxMiB` MiB of names. */
export type ListingCut = { limit: 'entries'; max: number } | { limit: 'names'; maxMiB: number };

/** An optional dependency the parent names but the lockfile lacks, as the registry describes it. */
export interface UnlockedPackage {
  name: string;
  spec: string;
  /** Resolved version, or null when the manifest could not be had. */
  version: string | null;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  /** Whether the parent's own lockfile entry lists it (then `npm ci` refuses the lockfile). */
  listedInLockfile: boolean;
  unavailable?: FetchProblem;
}

/**
 * The identity npm's allowScripts policy matches on (npm/rfcs#868): the lockfile's resolved URL and
 * the specs of incoming edges, never the package's self-reported name.
 */
export interface ScriptIdentity {
  resolved: string | null;
  /** Every incoming edge is a registry spec (Arborist's `isRegistryDependency`). */
  registry: boolean;
  edgesIn: Array<{ name: string; spec: string }>;
  path: string;
  realpath: string;
}

/** A package-lock.json entry, kept for the platform packages npm skipped on this machine. */
export interface LockEntry {
  location: string;
  name: string;
  version: string | null;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optional: boolean;
  dev: boolean;
  hasInstallScript: boolean;
  resolved?: string;
  integrity?: string;
  /** Declared dependency maps, for resolving platform packages of lockfile-only records. */
  optionalDependencies?: Record<string, string>;
  /** Set when the entry comes from another manager's lockfile (pnpm-lock.yaml, yarn.lock, bun.lock). */
  manager?: 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun';
}

export interface LockfileIndex {
  file: string;
  lockfileVersion: number;
  entries: Map<string, LockEntry>;
}

/** Something about the tree itself that is wrong (a malformed package.json, a dangling link…). */
export type TreeProblem = {
  kind:
    | 'package-json-invalid'
    | 'link-broken'
    | 'folder-unreadable'
    | 'lockfile-invalid'
    | 'case-conflict'
    /** A manager's layout native-guard cannot read (a `.pnp.cjs` without readable data…): said, never thrown. */
    | 'layout-unreadable';
  location: string;
  path: string;
  /** The underlying error code (`EJSONPARSE`, `ENOENT`, `EACCES`, `ELOOP`…). */
  errorCode: string | null;
} & TreeProblemReason;

/**
 * What is wrong at a tree problem's path, as a code and its arguments (report/ words it). `written`
 * is a symbolic link's text as it is on disk.
 */
export type TreeProblemReason =
  /** An error's own first line (the file system's, Arborist's or the JSON parser's), quoted as it said it. */
  | { reason: 'error'; error: string }
  /** A nested project whose tree cannot be loaded, as the tree loader's coded error said. */
  | { reason: 'tree-unreadable'; tree: TreeErrorFact }
  | { reason: 'case-conflict'; name: string; other: string }
  /** package.json is a FIFO, socket, device or dangling link. */
  | { reason: 'not-regular' }
  /** `folder` (a location, relative to its project) is a file where a folder should be. */
  | { reason: 'not-a-folder'; folder: string }
  | { reason: 'link-cycle'; name: string; written: string }
  | { reason: 'link-target-missing'; written: string }
  | { reason: 'link-target-not-folder'; written: string }
  | { reason: 'link-target-no-package-json'; written: string }
  /** name and/or version missing from an installed package.json; read as `reportedAs`. */
  | { reason: 'missing-fields'; missing: Array<'name' | 'version'>; reportedAs: string }
  /** A manager's layout that cannot be read; `detail`: `no-data`, `syntax`, `shape`, `too-large`, `unreadable`, `not-installed`, `unsupported-linker`. */
  | { reason: 'layout-unreadable'; detail: string };

export interface ProjectTree {
  root: string;
  mode: 'installed' | 'lockfile';
  packages: PackageRecord[];
  lockfile: LockfileIndex | null;
  problems: TreeProblem[];
  /** The package manager that laid out (or will lay out) the tree, and how. */
  packageManager?: PackageManagerInfo;
}

/** The package manager of a project, as the report header and JSON name it. */
export interface PackageManagerInfo {
  name: 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun';
  /** Exact version when something says it (package.json `packageManager`, `.modules.yaml`…). */
  version?: string;
  /** npm-like folders, pnpm/Bun's symlinked store, or Yarn Plug'n'Play. */
  linker: 'hoisted' | 'isolated' | 'pnp';
  /** What decided the manager: a file it wrote into the installed tree, the lockfile, package.json… */
  source: 'installed' | 'lockfile' | 'packageManager' | 'user-agent' | 'config' | 'default';
  /** The file that decided, relative to the project. */
  file?: string;
  /** Yarn PnP: packages read from zip archives (they cannot hold a loadable .node; Yarn unplugs those). */
  zipped?: number;
}

export interface FileEntry {
  name: string;
  dir: boolean;
}

/** Read access to one package's files: its installed folder, or (lockfile mode) its tarball. */
export interface PackageFiles {
  /** Entries of a folder relative to the package root (`''` is the root); null when absent or unreadable. */
  list(dir: string): FileEntry[] | null;
  exists(file: string): boolean;
  /** Text of a small file (bounded), or null. */
  readText(file: string, maxBytes?: number): string | null;
  /** Binary facts of a file, or null when it can't be opened. */
  facts(file: string): BinaryFacts | null;
}

/** Dependencies that only a package with a native addon has a reason to depend on. */
export const NATIVE_DEPENDENCIES: ReadonlySet<string> = new Set([
  'bindings',
  'node-gyp-build',
  'node-gyp-build-optional-packages',
  'prebuild-install',
  '@mapbox/node-pre-gyp',
  'node-pre-gyp',
  '@discordjs/node-pre-gyp',
  'nan',
  'node-addon-api',
  'cmake-js',
  'cmake-ts',
  'require-addon',
  'node-gyp',
  'napi-build-utils',
  'pkg-prebuilds',
  'napi-macros',
]);

/** The fields npm's install filter reads: a package declaring any of them is a platform package. */
export interface PlatformConstraints {
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** The os/cpu/libc a manifest, lockfile entry or registry answer declares; null when it declares none. */
export function constraintsOf(m: PlatformConstraints): PlatformConstraints | null {
  return m.os !== undefined || m.cpu !== undefined || m.libc !== undefined
    ? { os: m.os, cpu: m.cpu, libc: m.libc }
    : null;
}

/** Whether a package.json bundles dependencies (`bundleDependencies`, or its old spelling): a list, or `true` for all. */
export function bundlesDependencies(pkg: Record<string, unknown>): boolean {
  const bd = pkg.bundleDependencies ?? pkg.bundledDependencies;
  return (Array.isArray(bd) && bd.length > 0) || bd === true;
}
