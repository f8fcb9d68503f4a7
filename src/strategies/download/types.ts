import type { DownloadProblem, DownloadProblemCode, DownloadTool } from '../../model/prediction.js';
import type { Target } from '../../model/target.js';

export type { DownloadProblem, DownloadProblemCode };

/**
 * The package.json fields the tools read. Pass the whole manifest from the package's tarball:
 * github-from-package falls back to scanning *every* field for a github.com URL when `repository`
 * has none, node-pre-gyp requires `main`, and prebuild-install honours npm 6's `_from`.
 */
export interface DownloadPackage {
  name: string;
  version: string;
  main?: unknown;
  binary?: Record<string, unknown>;
  repository?: unknown;
  config?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface DownloadPlanInput {
  pkg: DownloadPackage;
  /**
   * argv of the tool from the install script, after the tool name: e.g. [] or ['--runtime','napi']
   * for prebuild-install, ['install','--fallback-to-build'] for node-pre-gyp.
   */
  args: string[];
  target: Target;
  /** Environment variables as the install would see them (mirror variables, npm_config_*): never process.env. */
  env: Record<string, string | undefined>;
  /**
   * npm's cache folder. prebuild-install keeps downloads in `<cache>/_prebuilds`; it stands in for
   * the tool's `~/.npm` default (npm_config_cache and APPDATA in `env` still win, as in the tool).
   */
  npmCache: string;
  /**
   * Version of the tool the package would run (from the lockfile), e.g. `7.1.1` or `1.0.11`.
   * Behaviour changed between releases (cache digest, libc suffix, mirror variable names);
   * omitted means the newest release modelled: prebuild-install 7.1.3, @mapbox/node-pre-gyp 2.0.3.
   * For node-pre-gyp a version below 1 means the legacy unscoped `node-pre-gyp` package unless
   * `toolPackage` names the fork.
   */
  toolVersion?: string;
  /**
   * node-pre-gyp: the npm name of the fork the package runs (`@mapbox/node-pre-gyp`, `node-pre-gyp`,
   * `@discordjs/node-pre-gyp`, …); each sets its own template variables. Omitted: `@mapbox/node-pre-gyp`.
   */
  toolPackage?: string;
}

export interface DownloadPlan {
  tool: DownloadTool;
  /**
   * The URL the install would request, or null when it can't be computed. A `problem` may come
   * with a URL too: the tool would still request it but it can't be the right binary
   * (e.g. prebuild-install asking for `napi-v<abi>` when no listed Node-API version fits).
   */
  url: string | null;
  problem?: DownloadProblem;
  /** prebuild-install: the exact file it would look for in npm's cache (util.cachedPrebuild). */
  cachePath?: string;
  /** prebuild-install: package-relative local prebuild it checks first (util.localPrebuild). */
  localPrebuild?: string;
  /** node-pre-gyp: package-relative path of the .node it installs (module_path/module_name.node). */
  modulePath?: string;
  /** The Node-API version the download is for; null when the package lists versions but none fits. */
  napiBuildVersion?: number | null;
  /** node-pre-gyp `--fallback-to-build`; prebuild-install never (its fallback is `||` in the script). */
  fallbackToBuild: boolean;
  /** The install would skip the download and build (npm_config_build_from_source, --build-from-source, …). */
  buildFromSource: boolean;
  /** Name of the environment variable that supplied the host (or the whole URL template), when one did. */
  mirrorVariable?: string;
}
