export type Libc = 'glibc' | 'musl';
export type Runtime = 'node' | 'electron';

/** What node-gyp needs to compile an addon on a target. */
export interface Toolchain {
  python: boolean;
  make: boolean;
  cxx: boolean;
  /** False when the target says nothing about a toolchain (a `node22-linux-x64` spec); then the flags are false. */
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
}

export interface ImageProfile {
  /** e.g. `node:22-alpine` normalised: repository `node`, tag `22-alpine`. */
  image: string;
  variant: string;
  distro: 'debian' | 'alpine';
  /** Debian codename or alpine version, e.g. `bookworm`, `3.22`. */
  release: string;
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
  /** ARM version node-gyp-build matches `armv` tags against (`"8"` on arm64, `"7"` on arm). */
  armv: string | null;
  /** libuv major, matched against node-gyp-build's `uv` tags. */
  uv: string;
  toolchain: Toolchain;
  /** Set for container image targets. */
  image?: ImageProfile;
  /** True for the machine native-guard runs on. */
  isHost: boolean;
}
