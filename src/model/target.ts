export type Libc = 'glibc' | 'musl';
export type Runtime = 'node' | 'electron';

/** What node-gyp needs to compile an addon on a target. */
export interface Toolchain {
  python: boolean;
  make: boolean;
  cxx: boolean;
  /**
   * False when nothing is known about the target's tools (a `node22-linux-x64` or `node@…/…` tuple says
   * nothing about the machine). python/make/cxx are then all false; a prediction that needs a build
   * says `source-build` with the toolchain marked unknown, and renderers say "toolchain unknown".
   * Absent or true: the booleans are facts (host detection) or published image contents.
   */
  known?: boolean;
  /** Host only: what was found where (omitted for predicted targets such as images). */
  details?: ToolchainDetails;
}

export interface ToolFound {
  path: string;
  version?: string | null;
  /** Where the choice came from: `npm_config_python`, `PYTHON`, `PATH`, `CXX`, … */
  source: string;
}

export interface ToolchainDetails {
  python: ToolFound | null;
  make: ToolFound | null;
  cc: ToolFound | null;
  cxx: ToolFound | null;
  /** Node headers that node-gyp can use without downloading (nodedir, node-gyp cache, beside node). */
  headers: ToolFound | null;
  /** node-gyp that npm would run for `node-gyp rebuild` (npm's bundled copy). */
  nodeGyp: ToolFound | null;
  /** python >= 3.12 removed distutils, which node-gyp < 10 (gyp-next before 0.16) imports. */
  distutilsTrap: boolean;
  /**
   * Candidates node-gyp would have tried, or that exist but node-gyp would not pick, and why: lets a
   * renderer say "PYTHON points to a missing file" or "clang++ is there: set CXX=clang++".
   */
  rejected?: ToolRejected[];
}

export interface ToolRejected {
  tool: 'python' | 'make' | 'cc' | 'cxx' | 'headers' | 'nodeGyp';
  /** The command or path that was tried. */
  candidate: string;
  /** Where the candidate came from, same vocabulary as `ToolFound.source`. */
  source: string;
  /**
   * `not-found`: not on PATH / no such file; `failed`: ran but exited non-zero or timed out;
   * `unsupported-version`: e.g. python < 3.6; `not-default`: exists, but make would not pick it unless
   * CC/CXX names it; `version-mismatch`: headers for another Node version; `outdated`: a node-gyp cache
   * entry older than node-gyp's `installVersion`, which it would download again; `inside-project` /
   * `inside-node-modules`: an executable of the project or of an npm package (a dependency's bin in
   * `node_modules/.bin`, which npm and npx put first on PATH), never run: node-gyp would run it, but
   * running it would run package code that nobody allowed.
   */
  reason:
    | 'not-found'
    | 'failed'
    | 'unsupported-version'
    | 'not-default'
    | 'version-mismatch'
    | 'outdated'
    | 'inside-project'
    | 'inside-node-modules';
  version?: string | null;
}

export interface ImageProfile {
  /** e.g. `node:22-alpine` normalised: repository `node`, tag `22-alpine`. */
  image: string;
  variant: string;
  distro: 'debian' | 'alpine';
  /** Debian codename or alpine version, e.g. `bookworm`, `3.22`. */
  release: string;
  /** python3 version of the Debian release in full images (`"3.11"`), null where python3 is absent. */
  pythonVersion?: string | null;
}

export interface Target {
  /** The target exactly as the user wrote it (`host`, `node:22-alpine`, `node22-linux-arm64-glibc`). */
  id: string;
  runtime: Runtime;
  /** Full runtime version, e.g. `22.21.1`. */
  version: string;
  /** NODE_MODULE_VERSION as a string, e.g. `"127"` (from node-abi). */
  abi: string;
  /** Node-API level (from node-api-version), null when unknown. */
  napi: number | null;
  platform: string;
  arch: string;
  /** Linux only. */
  libc: Libc | null;
  /** glibc version (`"2.36"`) or musl version (`"1.2.5"`) shipped by the target, when known. */
  libcVersion: string | null;
  /**
   * Highest `GLIBCXX_3.4.N` the target's libstdc++.so.6 provides (`"3.4.30"`), when known: glibc
   * targets only (an image's Debian release, or the host's own library).
   */
  glibcxxVersion?: string | null;
  /**
   * The shared libraries (sonames) the target's dynamic loader finds, when known: this machine's
   * (ld.so.cache and the standard folders), for the host and `node22`-style targets. Not in the JSON.
   */
  systemLibraries?: readonly string[];
  /**
   * The pkg-config modules (`.pc` file names without `.pc`) in this machine's pkg-config folders:
   * the host only (Linux). Not in the JSON.
   */
  pkgConfigModules?: readonly string[];
  /** ARM version node-gyp-build matches `armv` tags against (`"8"` on arm64, `"7"` on arm). */
  armv: string | null;
  /** libuv major, matched against node-gyp-build's `uv` tags. */
  uv: string;
  toolchain: Toolchain;
  /** Set for container image targets. */
  image?: ImageProfile;
  /** True for the machine native-guard runs on. */
  isHost: boolean;
  /**
   * True when node-abi announces this line but the shipped release data has no release of it yet
   * (e.g. `node27` before its first release): `version` is then `<major>.0.0` and `abi` is node-abi's
   * announced value.
   */
  unreleased?: boolean;
}

/**
 * Everything host detection reads from the running process, passed in so tests (and the lifecycle hook,
 * which sees npm's environment) can describe any machine. `currentHostEnvironment()` is the only place
 * that reads `process`.
 */
export interface HostEnvironment {
  platform: string;
  arch: string;
  versions: { node: string; modules: string; napi?: string; uv?: string };
  execPath: string;
  env: Record<string, string | undefined>;
  homedir: string;
  /** The `process.config.variables` that node-gyp and node-gyp-build consult. */
  nodeConfig?: {
    /** node-gyp uses `<node_prefix>/include/node` when Node was configured with this (distro builds). */
    usePrefixToFindHeaders?: boolean;
    nodePrefix?: string;
    /** node-gyp-build's `armv` on 32-bit ARM. */
    armVersion?: string;
  };
}

export interface LibcFacts {
  family: Libc | null;
  version: string | null;
}
