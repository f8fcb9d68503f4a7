import type { BinaryFacts, BinaryNote, FactsMismatch } from './binary.js';
import type {
  LockEntry,
  PackageFiles,
  PackageRecord,
  PlatformConstraints,
  UnlockedPackage,
} from './package.js';
import type { Target } from './target.js';

export type StrategyName =
  | 'node-gyp-build'
  | 'prebuild-install'
  | 'node-pre-gyp'
  | 'platform-packages'
  | 'source-build'
  | 'shipped-binary'
  | 'unknown-script'
  /** An install script of the package's own (`node scripts/install.js`) that downloads from a named host. */
  | 'script-download'
  /** A `|| echo …` / `|| exit 0` tail: when every link before it fails, the install still succeeds. */
  | 'no-binary'
  /** `pkg-prebuilds-verify <options> || <build>`: a bundled prebuild named by the package's options file. */
  | 'pkg-prebuilds';

/**
 * `no-binary`: the install succeeds with no binary (a failed build whose script ends in `|| echo …`,
 * or an optional dependency npm drops when its install fails); whether the package then works
 * depends on its JavaScript fallback.
 */
export type Outcome = 'prebuilt' | 'source-build' | 'fails' | 'unknown' | 'no-binary';

/** The tools that download a prebuilt binary at install time. */
export type DownloadTool = 'prebuild-install' | 'node-pre-gyp' | 'install-script';

/** The package managers whose install-script policy native-guard reads. */
export type ScriptTool = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** Whether a target's binary needs the install script to run (`unknown`: a script native-guard cannot read). */
export type ScriptNeed = 'yes' | 'no' | 'unknown';

/** One link of a package's strategy chain, as read from its manifest and install script. */
export type ChainLink =
  | { strategy: 'node-gyp-build'; optionalPackages: boolean; script: ScriptRef | null }
  | { strategy: 'prebuild-install'; args: string[]; script: ScriptRef }
  | { strategy: 'node-pre-gyp'; args: string[]; script: ScriptRef }
  | { strategy: 'platform-packages'; candidates: string[] }
  /**
   * pkg-prebuilds: `options` is the file `pkg-prebuilds-verify` is given (null: none, and it exits 1);
   * `script` null where only its run-time loader picks a shipped prebuild.
   */
  | { strategy: 'pkg-prebuilds'; options: string | null; script: ScriptRef | null }
  | {
      strategy: 'source-build';
      builder: 'node-gyp' | 'cmake-js' | 'cmake-ts' | 'implicit-node-gyp';
      script: ScriptRef | null;
    }
  /**
   * Binaries that come in the tarball, with nothing to run at install. `loader`: picked at run time
   * by a loader convention rather than named files: cmake-ts's `<dir>/manifest.json` (zeromq 6),
   * require-addon's `prebuilds/<host>/` (sodium-native 4).
   */
  | { strategy: 'shipped-binary'; files: string[]; loader?: ShippedLoader }
  /**
   * `advisory`: a lifecycle phase beside a recognised install (a preinstall that generates a header):
   * reported, but it does not decide the outcome.
   */
  | { strategy: 'unknown-script'; script: ScriptRef; optIn: boolean; advisory?: boolean }
  | { strategy: 'script-download'; script: ScriptRef; file: string; hosts: string[] }
  /**
   * With `gate`: the head of `gate || build` (win-version-info's `node skip.js || node-gyp-build`): on a
   * target where the gate succeeds nothing is built by design; where it fails, the links after it run.
   */
  | { strategy: 'no-binary'; script: ScriptRef; tail: string; gate?: PlatformGate };

/**
 * Why pkg-prebuilds tries no prebuild file: no options file given or none there (its bin exits 1),
 * `npm_config_build_from_source` set (it exits 1 at once), options without `napi_versions` (it
 * throws "Not implemented for NAN!"), or an options file that is code native-guard does not run.
 */
export type PkgPrebuildsProblem = 'options-missing' | 'build-from-source' | 'not-node-api' | 'options-unread';

/** A file that exits non-zero on `platforms` only (with `negate`: everywhere but them), and 0 elsewhere. */
export interface PlatformGate {
  platforms: string[];
  negate: boolean;
}

export type ShippedLoader =
  | { kind: 'cmake-ts'; dir: string }
  | { kind: 'require-addon' }
  /** The package's own code picks among `files` by the platform in their names. */
  | { kind: 'named' };

export interface ScriptRef {
  event: 'preinstall' | 'install' | 'postinstall';
  /** The whole script as written in package.json. */
  text: string;
}

/** What a package's installs will do, read once per package; predictions then run per target. */
export interface NativePackage {
  pkg: PackageRecord;
  chain: ChainLink[];
  /** Install scripts as written, for the evidence. */
  scripts: ScriptRef[];
}

/** Platform package as npm would resolve it from the parent: installed, or only in the lockfile. */
export type PlatformCandidate =
  | { source: 'installed'; record: PackageRecord }
  | { source: 'lockfile'; entry: LockEntry }
  | { source: 'missing'; name: string; spec: string }
  /** Lockfile mode: named by the parent, absent from the lockfile, described by the registry. */
  | { source: 'registry'; unlocked: UnlockedPackage }
  /** Lockfile mode: in the lockfile, but its tarball could not be had, so what it holds is unknown. */
  | { source: 'unavailable'; record: PackageRecord };

/** Structured evidence; the renderer turns it into words. */
export type Evidence =
  | { kind: 'install-script'; event: ScriptRef['event']; script: string }
  | { kind: 'binding-gyp' }
  | { kind: 'prebuild-match'; file: string; dir: string }
  | { kind: 'prebuilds-none-for-target'; available: string[] }
  | { kind: 'prebuild-tags-rejected'; dir: string; files: string[] }
  | { kind: 'build-dir-ignored'; file: string }
  /**
   * pkg-prebuilds' lookup: the options file it reads, the prebuild name found in it, the files it
   * tries on the target in order, and why it tries none (`problem`).
   */
  | {
      kind: 'pkg-prebuilds-lookup';
      options: string;
      name: string | null;
      tried: string[];
      problem: PkgPrebuildsProblem | null;
    }
  /** node-gyp-build's install-time load test would reject this prebuild (the facts say why), so the install compiles. */
  | { kind: 'prebuild-rejected'; file: string; reasons: Array<Mismatch['code']> }
  | {
      kind: 'download';
      tool: DownloadTool;
      url: string | null;
      cached: string | null;
      local: string | null;
      /** Why the tool would not fetch the right binary, as a code and its arguments (words: report/). */
      problem: DownloadProblem | null;
    }
  | {
      kind: 'platform-package';
      name: string;
      version: string | null;
      location: string | null;
      source: 'installed' | 'lockfile';
      os?: string[];
      cpu?: string[];
      libc?: string[];
      binary: string | null;
    }
  | {
      kind: 'platform-packages-unmatched';
      candidates: Array<{ name: string } & PlatformConstraints>;
    }
  | { kind: 'platform-packages-unresolved'; names: string[] }
  | { kind: 'platform-package-not-installed'; name: string; location: string | null }
  | { kind: 'toolchain'; python: boolean; make: boolean; cxx: boolean; known: boolean }
  | { kind: 'shipped-binary'; file: string }
  /** A run-time loader's lookup: the paths it tries on the target, in order. */
  | { kind: 'addon-lookup'; loader: 'require-addon'; host: string; tried: string[] }
  | {
      kind: 'cmake-ts-manifest';
      file: string;
      /** The libc name cmake-ts's loader computes on the target (null: the manifest is unreadable). */
      libc: string | null;
      /** The entries for the target's os/arch/libc, in the order the loader tries them. */
      candidates: string[];
      /** Candidates whose binary facts rule them out on the target, with the reason codes. */
      rejected: Array<{ file: string; reason: string }>;
    }
  | {
      kind: 'binary-facts';
      file: string;
      format: string | null;
      arches: string[];
      platform: string | null;
      libc: string | null;
      glibcVersion: string | null;
      module: string;
      abi: string | null;
      napiVersion: number | null;
    }
  | { kind: 'opt-in-script'; script: string; file: string | null }
  /** A package's own install file that downloads (the hosts named in it), read without running it. */
  | { kind: 'script-download'; file: string; hosts: string[] }
  /** The script tail that lets a failed install succeed (`echo …`, `exit 0`, `node suppress-error.js`). */
  | { kind: 'tolerated-failure'; tail: string }
  /** npm drops an optional dependency whose install fails; its parent installs without it. */
  | { kind: 'optional-dependency' }
  | ({ kind: 'platform-package-not-in-lockfile' } & PlatformPackageNotInLockfile)
  | { kind: 'manifest-unavailable'; name: string; version: string | null; code: string }
  /** `npm ci` stops before installing anything: the lockfile lacks these dependencies (`name@spec`). */
  | { kind: 'lockfile-refused'; missing: string[] }
  /** Offline: a platform package whose manifest is unknown but whose name looks like the target's. */
  | { kind: 'platform-package-name-hint'; name: string }
  | ({ kind: 'url-check' } & UrlCheck)
  | {
      kind: 'install-script-policy';
      tool: ScriptTool;
      verdict: InstallScriptVerdict;
      needed: ScriptNeed;
    };

/** A platform package a target needs that the lockfile lacks, as the registry describes it. */
export interface PlatformPackageNotInLockfile extends PlatformConstraints {
  name: string;
  version: string | null;
  /** The parent's lockfile entry lists it: `npm ci` then refuses the lockfile on every platform. */
  listedInLockfile: boolean;
}

/**
 * What the install-script policy does with a package's scripts: `allowed`, `denied` (an explicit
 * deny), `ignored` (ignore-scripts), `not-allowed` (pnpm, and npm 12+: not on the allowlist, so not
 * run), `unreviewed` (npm 11: runs, with a warning), `unreviewed-strict` (npm --strict-allow-scripts: the
 * whole install fails).
 */
export type InstallScriptVerdict =
  'allowed' | 'denied' | 'ignored' | 'not-allowed' | 'unreviewed' | 'unreviewed-strict';

/**
 * The npm whose behaviour a verdict assumes: the one running the hook (`npm_config_user_agent`
 * `npm/12.2.3 node/v22…`), else the npm on PATH outside the project (its package.json version).
 */
export interface NpmVersion {
  version: string;
  major: number;
  source: 'user-agent' | 'path';
}

/** One package manager's install-script policy (read by tree/script-config.ts), as a verdict per package. */
export interface InstallScriptPolicy {
  tool: ScriptTool;
  /** The tool's version the verdicts assume (npm 12 blocks what npm 11 runs with a warning); absent when unknown. */
  toolVersion?: string;
  /** Where the policy came from (`package.json`, `.npmrc (project)`, `pnpm-workspace.yaml`…), null for defaults. */
  source: string | null;
  verdict(record: PackageRecord): InstallScriptVerdict;
  /** A strict setting is on (pnpm strictDepBuilds): an unapproved script fails the whole install; source null: the default. */
  strict?: {
    source: string | null;
    /** pnpm 10: a build the failed install skipped keeps failing the next install after it is denied (until node_modules is removed). */
    keepsIgnoredBuilds?: boolean;
  };
  /** Where this manager allows a package's script (what --suggest-allow-scripts prints); npm's allowScripts when absent. */
  allowSetting?: AllowSetting;
  /** The install recorded that it skipped this package's script (pnpm: .modules.yaml ignoredBuilds). */
  ignoredAtLastInstall?: (record: PackageRecord) => boolean;
}

/**
 * The setting a manager allows an install script with: npm `allowScripts` (package.json), pnpm
 * `allowBuilds` (10.26+) or `onlyBuiltDependencies` (pnpm-workspace.yaml), Yarn Berry
 * `dependenciesMeta.<name>.built`, Bun `trustedDependencies`; key null: nothing to allow (Yarn 1 and
 * pnpm 9 run every script).
 */
export interface AllowSetting {
  manager: 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun';
  file: 'package.json' | 'pnpm-workspace.yaml' | null;
  key:
    | 'allowScripts'
    | 'allowBuilds'
    | 'onlyBuiltDependencies'
    | 'dependenciesMeta'
    | 'trustedDependencies'
    | null;
}

/** Why a binary that a link picked would not load on the target (from binary facts). */
export type Mismatch = FactsMismatch | { code: 'INVALID_BINARY'; notes: BinaryNote[] };

/** The result of one link for one target. */
export type LinkResult =
  | {
      kind: 'binary';
      strategy: StrategyName;
      /** Package-relative path of the .node it would use (or the platform package's). */
      binary: string | null;
      /** For platform packages: `name@version` of the package holding the binary. */
      fromPackage?: string;
      url?: string;
      evidence: Evidence[];
      /** What the picked file is, when it is on disk (or in a tarball) to be read. */
      facts?: BinaryFacts | null;
    }
  | { kind: 'build'; strategy: 'source-build'; evidence: Evidence[] }
  | { kind: 'miss'; strategy: StrategyName; evidence: Evidence[] }
  | {
      kind: 'unknown';
      strategy: StrategyName;
      /** `options-unread`: pkg-prebuilds' options file is code, not a literal native-guard can read. */
      reason: 'download-unverified' | 'script' | 'unresolved' | 'options-unread';
      url?: string;
      evidence: Evidence[];
    };

export interface Prediction {
  target: string;
  /**
   * The picked binary's full facts, for consumers that judge it against another target (a Docker
   * final stage). Not part of the JSON output.
   */
  facts?: BinaryFacts;
  outcome: Outcome;
  /** The link that decided the outcome. */
  strategy: StrategyName | null;
  binary?: string;
  fromPackage?: string;
  url?: string;
  evidence: Evidence[];
  /**
   * Whether this target's binary depends on the package's install script running, and what the
   * install-script policy does with it. Set for packages that have install scripts.
   */
  installScript?: { needed: ScriptNeed; tool: ScriptTool; verdict: InstallScriptVerdict };
}

/**
 * Which node-gyp the project's package manager runs for a build, where it is not npm's own: Yarn 2+
 * (the top-level workspace's node-gyp dependency, `topLevel`) and Bun (one on PATH, else the
 * registry's latest). npm, pnpm and Yarn 1 need none (they run the node-gyp they bundle).
 */
export interface NodeGypRunner {
  manager: 'yarn-berry' | 'bun';
  /** The node-gyp the project's root depends on (any dependency type), as installed or locked. */
  topLevel: { version: string; engines: string | null } | null;
}

export interface PredictContext {
  native: NativePackage;
  files: PackageFiles;
  target: Target;
  /** Platform packages as npm would resolve them from this package (installed, else lockfile). */
  resolvePlatformCandidate(name: string, spec: string): PlatformCandidate;
  /** Files of another package in the tree (a platform package), when installed. */
  filesOf(record: PackageRecord): PackageFiles;
  /** Environment the install would see (mirror variables, npm_config_*), never read from process here. */
  env: Record<string, string | undefined>;
  npmCache: string;
  /** Whether a file exists outside the package (npm's cache of prebuilt downloads). */
  cacheHas(path: string): boolean;
}

/** What `--online` learned about a URL; undefined when it was not checked. */
export type UrlStatus = 'present' | 'missing' | 'unreachable' | 'timeout' | 'error';

/** One URL `--online` checked, and what answered. */
export interface UrlCheck {
  url: string;
  status: UrlStatus;
  /** Last HTTP status seen (after redirects), or null when no response came. */
  httpStatus: number | null;
  /** The URL that answered, after redirects (GitHub release assets redirect to their object store). */
  finalUrl: string | null;
  method: 'HEAD' | 'GET';
  /** The network error, when there was one. */
  error: string | null;
}

export type DownloadProblemCode =
  | 'NO_REPOSITORY'
  | 'NAPI_UNSUPPORTED'
  | 'BAD_BINARY_CONFIG'
  | 'RUNTIME_UNSUPPORTED'
  /** node-pre-gyp: the URL keeps a `{word}` the fork does not set. */
  | 'TEMPLATE_UNSET'
  /** node-pre-gyp: the fork sets the `{word}` from the machine, and the target does not tell it. */
  | 'TEMPLATE_VALUE_UNKNOWN';

/**
 * Where prebuild-install or node-pre-gyp would stop, or fetch a file that cannot be the right one:
 * a code, and why as data (`why` and its values, as the package or the tool's environment gave
 * them; `message`: an error's own text). The renderer owns the words, which mirror the tool's own
 * error messages where it has one.
 */
export interface DownloadProblem {
  code: DownloadProblemCode;
  reason: DownloadProblemReason;
}

export type DownloadProblemReason =
  // RUNTIME_UNSUPPORTED
  | { why: 'runtime-missing' }
  | { why: 'empty-target-version'; runtime: 'node-webkit' | 'electron' }
  | { why: 'invalid-electron-version'; version: string }
  | { why: 'unknown-runtime'; runtime: string }
  | { why: 'unknown-target-version'; version: string }
  | { why: 'unsupported-target-version'; version: string }
  | { why: 'target-not-a-string'; target: string }
  | { why: 'abi-lookup-failed'; message: string }
  | { why: 'electron-abi-64'; target: string }
  // BAD_BINARY_CONFIG
  | { why: 'name-or-version-not-string' }
  | { why: 'fields-missing'; fields: string[] }
  | { why: 'host-not-string' }
  | { why: 'host-http' }
  | { why: 'host-not-absolute'; host: string }
  | { why: 'invalid-s3-host'; host: string }
  | { why: 'napi-versions-not-array' }
  | { why: 'napi-versions-not-positive' }
  | { why: 'napi-build-version-not-used' }
  | { why: 'napi-build-version-without-versions' }
  | { why: 'version-not-semver'; version: string }
  | { why: 'no-command' }
  | { why: 'no-install-command'; commands: string[] }
  | { why: 'template-not-string'; template: string }
  | { why: 'template-loop'; key: string }
  | { why: 'binary-value-not-string'; value: string }
  // NAPI_UNSUPPORTED
  | { why: 'napi-versions-unrunnable'; napi: string; versions: string }
  | { why: 'no-napi-entry'; napi: string }
  | { why: 'napi-above-target'; abi: string; napi: string }
  // NO_REPOSITORY
  | { why: 'no-github-url' }
  // TEMPLATE_UNSET, TEMPLATE_VALUE_UNKNOWN: the `{word}`s, as written in the template
  | { why: 'template-unset'; words: string[] }
  | { why: 'template-value-unknown'; words: string[] };
