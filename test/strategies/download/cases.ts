import { readFileSync } from 'node:fs';
import type { DownloadPackage } from '../../../src/strategies/download/types.js';
import type { Target } from '../../../src/model/target.js';
import { HOST } from './targets.js';

export const fixture = (name: string): DownloadPackage =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as DownloadPackage;

/** The tool's argv from the package's own install script: `prebuild-install -r napi || …` → ['-r', 'napi']. */
export function scriptArgs(pkg: DownloadPackage): string[] {
  const scripts = pkg.scripts as { install: string };
  return scripts.install.split('||')[0]!.trim().split(/\s+/).slice(1);
}

export interface ParityCase {
  name: string;
  pkg: DownloadPackage;
  args: string[];
  env?: Record<string, string>;
  /**
   * The tool picks a Node-API version from `process.versions.napi`, i.e. this machine's, and no
   * option changes that: such a case is compared on the host target only.
   */
  napiFromHost?: boolean;
  /** prebuild-install runtime is napi: an emulated Node version must not be passed as npm_config_target. */
  napiRuntime?: boolean;
  /** Tool names this case is not run against, with the reason in the case name. */
  skip?: string[];
  /** Real packages run on every target; hand-made variants on fewer (see targetsFor). */
  everywhere?: boolean;
}

/**
 * Each run starts a Node process, so the matrix is kept to what can differ: real packages on every
 * target; hand-made variants on the host, a musl and a win32 target for the newest release of a
 * tool, and on the host for older releases (what changed between releases is argv, env and
 * template handling, which the target does not touch).
 */
export function targetsFor(c: ParityCase, targets: readonly Target[], newest: boolean): Target[] {
  if (c.napiFromHost) return [HOST];
  if (c.everywhere) return [...targets];
  if (!newest) return [HOST];
  return targets.filter((t) => t.isHost || t.libc === 'musl' || t.platform === 'win32');
}

/**
 * Environment that makes the real prebuild-install, running here, act for `target`: the same
 * npm config variables a cross-install uses. A different Node version needs npm_config_target,
 * which the napi runtime would read as its Node-API version, so napi cases only move platform.
 */
export function prebuildInstallTargetEnv(target: Target, napiRuntime: boolean): Record<string, string> {
  if (target.isHost) return {};
  const env: Record<string, string> = { npm_config_platform: target.platform, npm_config_arch: target.arch };
  if (target.platform === 'linux' && target.libc && target.libc !== HOST.libc) env.LIBC = target.libc;
  if (target.runtime === 'electron' || (!napiRuntime && target.version !== HOST.version)) {
    env.npm_config_runtime = target.runtime;
    env.npm_config_target = target.version;
  }
  return env;
}

/** The same for node-pre-gyp, whose cross-install options are --target_platform and friends. */
export function nodePreGypTargetEnv(target: Target): Record<string, string> {
  if (target.isHost) return {};
  const env: Record<string, string> = {
    npm_config_target_platform: target.platform,
    npm_config_target_arch: target.arch,
    // detect-libc answers null off Linux, which node-pre-gyp turns into 'unknown'
    npm_config_target_libc: target.libc ?? 'unknown',
  };
  if (target.runtime === 'electron' || target.version !== HOST.version) {
    env.npm_config_runtime = target.runtime;
    env.npm_config_target = target.version;
  }
  return env;
}

/**
 * The tools run here build paths with this machine's `path`; the plan builds them as on the
 * target. A win32 target differs only in the separator.
 */
export const slashes = (p: string | null | undefined): string | null | undefined => p?.replace(/\\/g, '/');
