/**
 * What the lockfile readers of pnpm, Yarn and Bun hand to the rest of native-guard. Plain data: the
 * readers take the file's text and return these, they never touch the disk, and they carry no
 * English (problems are codes with arguments; words belong to the renderer).
 */

export type ManagerName = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun';

/** The managers whose lockfiles src/managers/ reads (npm's stays with src/tree/lockfile.ts). */
export type LockfileManager = Exclude<ManagerName, 'npm'>;

/**
 * Where a locked package comes from. Only `registry` packages can be fetched from the registry by
 * name and version; the others are read from where they point (or not at all).
 */
export type PackageSource =
  | 'registry'
  /** a local tarball (`file:../x.tgz`) */
  | 'file'
  /** a local folder copied in (`file:./dir`) */
  | 'directory'
  /** a symlink to a folder (`link:`, Yarn's `portal:`) */
  | 'link'
  | 'git'
  /** a remote tarball URL */
  | 'tarball'
  | 'other';

export interface LockedPackage {
  /**
   * Stable key, unique in one result: pnpm `name@version` (the `packages` key, peer suffixes folded),
   * Yarn the locator (`resolution:`), Bun the tuple's `name@version` ident.
   */
  id: string;
  name: string;
  /** The package's own version; for non-registry packages whatever the lockfile records (may be ''). */
  version: string;
  source: PackageSource;
  /** Yarn `patch:` and pnpm `(patch_hash=…)`: the files differ from the registry tarball of `version`. */
  patched: boolean;
  resolved?: string;
  integrity?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  /**
   * Platform fields the lockfile names without a usable value: Bun writes `"none"` for an os or cpu
   * it does not know (netbsd, riscv64…). Unknown, not "no constraint": ask the manifest.
   */
  unknownPlatform?: Array<'os' | 'cpu' | 'libc'>;
  engines?: { node?: string };
  /** name → what the lockfile records: a range (yarn.lock, bun.lock) or a resolved reference (pnpm). */
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  /** name → id of the locked package that dependency (optional ones included) resolves to. */
  dependencyIds: Record<string, string>;
  /** true/false when the lockfile says; undefined when it does not (pnpm, yarn.lock): read the tarball. */
  hasInstallScript: boolean | undefined;
  /** The bin map, or `true` when the lockfile only says there are bins (pnpm `hasBin`). */
  bin?: Record<string, string> | true;
  /** Reached only through devDependencies; undefined when the lockfile cannot tell (Berry merges dev into dependencies). */
  dev: boolean | undefined;
  /** Reached only through optional edges (or flagged optional by the lockfile); undefined when unreachable. */
  optional: boolean | undefined;
  /** Importer paths (`''` = root) whose dependency graph reaches this package, sorted. */
  importers: string[];
  /** The lockfile's own keys read into this package: pnpm peer variants, Yarn descriptors, Bun install paths. */
  keys: string[];
}

export interface DependencyMeta {
  built?: boolean;
  optional?: boolean;
  unplugged?: boolean;
}

export interface ImporterDependency {
  name: string;
  /** The specifier as written in the importer's package.json (pnpm `specifier`, Yarn/Bun range). */
  spec: string;
  /** true/false when known; undefined when the lockfile merges devDependencies into dependencies (Berry). */
  dev: boolean | undefined;
  optional: boolean;
  /** The locked package it resolves to, or null (a workspace link, or not in the lockfile). */
  id: string | null;
  /** When it links to another importer of the same lockfile: that importer's path. */
  workspace?: string;
  /** pnpm `link:` to a folder that is no importer: its path from the lockfile's folder. */
  link?: string;
}

export interface LockedImporter {
  /** POSIX path relative to the lockfile's folder; `''` is the root. */
  path: string;
  name?: string;
  dependencies: ImporterDependency[];
  /** Yarn Berry: the workspace's `dependenciesMeta` (`built: false` is the per-package build deny). */
  dependenciesMeta?: Record<string, DependencyMeta>;
}

/** A workspace's manifest, for yarn.lock (v1 has no importers; Berry merges devDependencies). */
export interface WorkspaceManifest {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export type LockfileProblem =
  /** Not parseable; position when the parser gives one, `parserCode` a parser's own identifier (jsonc-parser). */
  | { code: 'syntax'; line: number | null; column: number | null; parserCode: string | null }
  /** Parsed, but the top level is not a mapping. */
  | { code: 'not-a-lockfile' }
  | { code: 'unsupported-version'; found: string }
  /** A version newer than the readers know: read as the newest known format. */
  | { code: 'newer-version'; found: string }
  /** A top-level section of the wrong type, ignored. */
  | { code: 'section-invalid'; section: string }
  /** One entry (or one field of it, `field`) of the wrong shape, skipped. */
  | { code: 'entry-invalid'; key: string; field: string | null }
  /** A dependency the lockfile names but has no entry for. */
  | { code: 'dependency-unresolved'; from: string; fromImporter: boolean; name: string; spec: string }
  /** bun.lockb: native-guard reads only the text lockfile (`bun install --save-text-lockfile`). */
  | { code: 'binary-lockfile'; file: string }
  /**
   * Over a budget: `entries` read, dependency `edges` read, or steps of the `walk` that gives
   * importers/dev/optional (then those stay undefined). The result is partial.
   */
  | { code: 'too-large'; what: 'entries' | 'edges' | 'walk'; limit: number }
  /** More problems than are kept; the first ones are listed. */
  | { code: 'problems-truncated'; omitted: number };

export type LockfileProblemCode = LockfileProblem['code'];

export interface LockfileReadResult {
  manager: LockfileManager;
  /** As the file writes it (`'9.0'`, `'5.4'`, `'1'`, `'10'`, `'2'`), or null when it could not be read. */
  lockfileVersion: string | null;
  importers: Record<string, LockedImporter>;
  /** Sorted by id. */
  packages: LockedPackage[];
  problems: LockfileProblem[];
  /** bun.lock: the `trustedDependencies` it records (present only when package.json has one). */
  trustedDependencies?: string[];
}

export interface ReadOptions {
  /** Yarn: the workspaces' manifests by path (`''` = root), to give v1 its importers and Berry its dev flags. */
  workspaces?: Record<string, WorkspaceManifest>;
  /** Reading budgets (tests lower them). */
  limits?: Partial<ReadLimits>;
}

export interface ReadLimits {
  entries: number;
  edges: number;
  problems: number;
}
