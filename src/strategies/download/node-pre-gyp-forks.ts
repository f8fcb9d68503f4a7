/**
 * The node-pre-gyp forks real packages depend on, and what each release of each does differently.
 * All of them install a `node-pre-gyp` bin, so the fork is the one in the package's dependencies.
 *
 * Template variables set by versioning.evaluate (read from each fork's lib/util/versioning.js):
 * - every fork: name configuration debug module_name version prerelease build major minor patch
 *   runtime node_abi node_abi_napi napi_version napi_build_version node_napi_label target platform
 *   target_platform arch target_arch libc module_main toolset, then host module_path module
 *   remote_path (package_name is evaluated last and sets nothing before it is used);
 * - `@mapbox/node-pre-gyp` >= 1.0.3 (and `@acalcutt`, `@xprofiler`, which follow its version
 *   numbers): bucket region s3ForcePathStyle; >= 2.0.2: acl;
 * - `@discordjs/node-pre-gyp` (every release, 0.1.0 to 0.4.5): libc_version, detect-libc's version
 *   of the machine's libc (`2.36`, `1.2.5`), `unknown` off Linux; no bucket, region or acl.
 * Any other `{word}` in a template stays in the URL as written.
 */
import semver from 'semver';

/** Behaviour that changed between node-pre-gyp forks and releases. */
export interface Features {
  /** 0.x of the unscoped package, `@discordjs` 0.1: looser `binary` validation and no staging/production hosts. */
  legacy: boolean;
  /** `@mapbox` >= 1.0.1, `@discordjs` >= 0.3: the first `-` of module_name becomes `_` in the mirror variable name. */
  mirrorNameDash: boolean;
  /** `@mapbox` >= 1.0.3: `{bucket}`, `{region}`, `{s3ForcePathStyle}` template values. */
  s3Keys: boolean;
  /** `@mapbox` >= 1.1.0-0 (2.x): `binary.s3ForcePathStyle` puts the bucket into the download path. */
  s3PathStyleUrl: boolean;
  /** `@mapbox` >= 2.0.2: `{acl}` template value and the `--acl` option. */
  acl: boolean;
  /** `@discordjs`: `{libc_version}` template value. */
  libcVersion: boolean;
}

export const MAPBOX = '@mapbox/node-pre-gyp';
export const DISCORDJS = '@discordjs/node-pre-gyp';
export const LEGACY = 'node-pre-gyp';

/** The forks looked for in a package's dependencies, in this order. */
export const NODE_PRE_GYP_PACKAGES = [
  MAPBOX,
  LEGACY,
  DISCORDJS,
  '@acalcutt/node-pre-gyp',
  '@xprofiler/node-pre-gyp',
];

/** The newest release of each fork modelled: what an unknown version means. */
const NEWEST: Record<string, string> = { [MAPBOX]: '2.0.3', [LEGACY]: '0.17.0', [DISCORDJS]: '0.4.5' };

/**
 * What the fork does. An unknown or missing package name means `@mapbox/node-pre-gyp` numbering
 * (a version below 1 is then the legacy unscoped package, as before forks were told apart).
 */
export function featuresOf(toolPackage: string | undefined, toolVersion: string | undefined): Features {
  const name = toolPackage === DISCORDJS || toolPackage === LEGACY ? toolPackage : MAPBOX;
  const v = (toolVersion && semver.valid(toolVersion)) || NEWEST[name]!;
  const atLeast = (min: string) => semver.gte(v, min);
  if (name === DISCORDJS) {
    return {
      legacy: !atLeast('0.2.0-0'),
      mirrorNameDash: atLeast('0.3.0-0'),
      s3Keys: false,
      s3PathStyleUrl: false,
      acl: false,
      libcVersion: true,
    };
  }
  return {
    legacy: !atLeast('1.0.0-0'),
    mirrorNameDash: atLeast('1.0.1'),
    s3Keys: atLeast('1.0.3'),
    s3PathStyleUrl: atLeast('1.1.0-0'),
    acl: atLeast('2.0.2'),
    libcVersion: false,
  };
}
