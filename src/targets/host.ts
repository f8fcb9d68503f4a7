import os from 'node:os';
import { armvFor, napiFor, UV_MAJOR } from './abi.js';
import { toolScope } from './exec.js';
import { hostGlibcxxVersion, hostLibc, hostSystemLibraries } from './libc.js';
import { hostPkgConfigModules } from './pkg-config.js';
import { detectToolchain } from './toolchain.js';
import type { NpmToolConfig } from './toolchain.js';
import type { HostEnvironment, LibcFacts, Target } from '../model/target.js';

export function currentHostEnvironment(): HostEnvironment {
  const vars = (process.config?.variables ?? {}) as Record<string, unknown>;
  const armVersion = vars['arm_version'];
  const nodePrefix = vars['node_prefix'];
  return {
    platform: process.platform,
    arch: process.arch,
    versions: {
      node: process.versions.node,
      modules: process.versions.modules,
      napi: process.versions.napi,
      uv: process.versions.uv,
    },
    execPath: process.execPath,
    env: { ...process.env },
    homedir: os.homedir(),
    nodeConfig: {
      usePrefixToFindHeaders: vars['use_prefix_to_find_headers'] === true,
      ...(typeof nodePrefix === 'string' ? { nodePrefix } : {}),
      ...(armVersion !== undefined && armVersion !== null ? { armVersion: String(armVersion) } : {}),
    },
  };
}

export interface DetectHostOptions {
  /**
   * How to learn the libc; defaults to detect-libc, which inspects the running machine (it can't be
   * pointed elsewhere). Tests pass their own to describe a musl host. It gets the PATH the
   * toolchain probe searches: PATH without the project's and node_modules' folders.
   */
  detectLibc?: (safePath: string) => Promise<LibcFacts>;
  /** The libstdc++ GLIBCXX_ version of the host (glibc Linux only); defaults to reading the host's libstdc++.so.6. */
  detectGlibcxx?: (arch: string) => string | null;
  /** The sonames the host's loader finds (glibc Linux only); defaults to ld.so.cache and the standard folders. */
  detectLibraries?: (arch: string) => string[] | null;
  /** The pkg-config modules the host has (Linux only); defaults to listing pkg-config's folders. */
  detectPkgConfig?: (env: Record<string, string | undefined>) => string[] | null;
  /** The project being checked: nothing inside it (or any node_modules) is run to learn the host. */
  projectRoot?: string | null;
}

/** The machine native-guard runs on, as a Target with `id: 'host'` and its real toolchain. */
export async function detectHost(
  env: HostEnvironment,
  npmConfig: NpmToolConfig = {},
  options: DetectHostOptions = {},
): Promise<Target> {
  const projectRoot = options.projectRoot ?? null;
  const safePath = toolScope(env, projectRoot).env['PATH'] ?? '';
  const [libc, toolchain] = await Promise.all([
    env.platform === 'linux' ? (options.detectLibc ?? hostLibc)(safePath) : Promise.resolve(null),
    detectToolchain(env, npmConfig, { projectRoot }),
  ]);
  const glibcxxVersion =
    libc?.family === 'glibc' ? (options.detectGlibcxx ?? hostGlibcxxVersion)(env.arch) : null;
  const systemLibraries =
    libc?.family === 'glibc' ? (options.detectLibraries ?? hostSystemLibraries)(env.arch) : null;
  const pkgConfigModules =
    env.platform === 'linux' ? (options.detectPkgConfig ?? hostPkgConfigModules)(env.env) : null;
  const napi = Number(env.versions.napi);
  // node-gyp-build reads ARM_VERSION first, then the arch, then Node's own build config.
  const armv =
    env.env['ARM_VERSION'] || (env.arch === 'arm64' ? '8' : env.nodeConfig?.armVersion) || armvFor(env.arch);
  return {
    id: 'host',
    runtime: 'node',
    version: env.versions.node,
    // The running Node says its ABI itself; no lookup can be more right than that.
    abi: env.versions.modules,
    napi: Number.isInteger(napi) && napi > 0 ? napi : napiFor(env.versions.node, 'node'),
    platform: env.platform,
    arch: env.arch,
    libc: libc?.family ?? null,
    libcVersion: libc?.family ? libc.version : null,
    ...(glibcxxVersion ? { glibcxxVersion } : {}),
    ...(systemLibraries ? { systemLibraries } : {}),
    ...(pkgConfigModules ? { pkgConfigModules } : {}),
    armv,
    uv: env.versions.uv?.split('.')[0] || UV_MAJOR,
    toolchain,
    isHost: true,
  };
}
