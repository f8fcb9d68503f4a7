import { createHash } from 'node:crypto';
import { getAbi } from 'node-abi';
import semver from 'semver';
import type { Target } from '../../model/target.js';
import { parseMinimist, type ArgValue } from './argv.js';
import { githubFromPackage } from './github.js';
import { napiBuildUtilsBest, NapiVersionsError } from './napi.js';
import { installEnv, isRecord, js, pathFor, processNodeVersion, ToolStop } from './shared.js';
import type { DownloadPlan, DownloadPlanInput, DownloadProblem } from './types.js';

const NEWEST = '7.1.3';

/** Behaviour that changed between prebuild-install releases (6.0.0 and later are modelled). */
interface Features {
  /** < 6.0.1: an empty `--tag-prefix` fell back to `v`. */
  tagPrefixDefaultsToV: boolean;
  /** >= 6.1.0: `@scope/name` → `npm_config_scope_name_…` (before: `npm_config__scope_name_…`). */
  envPrefixDropsLeadingUnderscore: boolean;
  /** >= 6.1.0: looks for `prebuilds/<file>` before downloading. */
  localPrebuilds: boolean;
  /** >= 6.1.2: scopes containing `-`, `.` or `~` are stripped from the name too. */
  wideScopePattern: boolean;
  /** >= 7.1.0: reads npm_config_libc and drops the libc suffix off Linux and for glibc. */
  libcNormalised: boolean;
  /** >= 7.1.2: sha512 digest in the cache file name (md5 before). */
  sha512CacheDigest: boolean;
  /** >= 7.1.3: napi-build-utils 2, which compares Node-API versions as numbers. */
  numericNapiCompare: boolean;
}

function featuresOf(toolVersion: string | undefined): Features {
  const v = (toolVersion && semver.valid(toolVersion)) || NEWEST;
  const atLeast = (min: string) => semver.gte(v, min);
  return {
    tagPrefixDefaultsToV: !atLeast('6.0.1'),
    envPrefixDropsLeadingUnderscore: atLeast('6.1.0'),
    localPrebuilds: atLeast('6.1.0'),
    wideScopePattern: atLeast('6.1.2'),
    libcNormalised: atLeast('7.1.0'),
    sha512CacheDigest: atLeast('7.1.2'),
    numericNapiCompare: atLeast('7.1.3'),
  };
}

// rc.js passes these aliases to minimist
const ALIASES = {
  target: 't',
  runtime: 'r',
  help: 'h',
  arch: 'a',
  path: 'p',
  version: 'v',
  download: 'd',
  buildFromSource: 'build-from-source',
  token: 'T',
};

type Rc = Record<string, unknown>;

interface RcResult {
  rc: Rc;
  /** The environment variable `download` came from, when it came from one. */
  downloadVariable?: string;
}

/**
 * rc.js: defaults from package.json `config` and npm_config_*, then rc's own `prebuild-install_*`
 * environment variables, then argv. rc's config files (~/.prebuild-installrc and friends) are not
 * read: this module does no I/O.
 */
function readRc(input: DownloadPlanInput, env: Record<string, string | undefined>, f: Features): RcResult {
  const { pkg, target } = input;
  const pkgConf: Record<string, unknown> = isRecord(pkg.config) ? pkg.config : {};
  const detectedLibc = target.platform === 'linux' && target.libc !== 'glibc' ? target.libc : null;
  const bfs = env.npm_config_build_from_source;
  const defaults: Rc = {
    target: pkgConf.target || env.npm_config_target || processNodeVersion(target),
    runtime: pkgConf.runtime || env.npm_config_runtime || 'node',
    arch: pkgConf.arch || env.npm_config_arch || target.arch,
    libc: env.LIBC || (f.libcNormalised ? env.npm_config_libc : undefined) || detectedLibc || '',
    platform: env.npm_config_platform || target.platform,
    debug: env.npm_config_debug === 'true',
    force: false,
    buildFromSource: bfs === pkg.name || bfs === 'true',
    path: '.',
    'tag-prefix': 'v',
    download: env.npm_config_download,
  };
  if (f.localPrebuilds) defaults['local-prebuilds'] = 'prebuilds';

  const fromEnv: Rc = {};
  const envSource: Record<string, string> = {};
  const prefix = 'prebuild-install_';
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.toLowerCase().startsWith(prefix)) continue;
    const keypath = name.slice(prefix.length).split('__').filter(Boolean);
    // nested keys build objects in rc; none of the options read here is nested
    if (keypath.length === 1) {
      fromEnv[keypath[0]!] = value;
      envSource[keypath[0]!] = name;
    }
  }
  const argv: Record<string, ArgValue> = parseMinimist(input.args, ALIASES);
  const rc: Rc = { ...defaults, ...fromEnv, ...argv };

  let downloadVariable: string | undefined;
  if (!('download' in argv)) {
    if ('download' in fromEnv) downloadVariable = envSource.download;
    else if (env.npm_config_download !== undefined) downloadVariable = 'npm_config_download';
  }
  return { rc, downloadVariable };
}

/**
 * node-abi's getAbi as rc.js calls it, with the install process's own Node taken from the target.
 * node-abi answers `process.versions.modules` for an empty target or the running Node's version.
 */
function abiFor(version: unknown, runtime: unknown, target: Target): string {
  if (typeof version === 'string' && version === String(Number(version))) return version;
  let v = version;
  if (v) {
    if (typeof v !== 'string')
      throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'target-not-a-string', target: js(v) });
    v = v.replace(/^v/, '');
  }
  const rt = runtime || 'node';
  if (rt === 'node' && (!v || v === processNodeVersion(target))) return target.abi;
  if (rt === target.runtime && v === target.version) return target.abi;
  try {
    return getAbi(v as string, rt as string);
  } catch (err) {
    throw new ToolStop('RUNTIME_UNSUPPORTED', {
      why: 'abi-lookup-failed',
      message: err instanceof Error ? err.message : js(err),
    });
  }
}

const envPrefix = (name: string, f: Features): string => {
  const sanitised = name.replace(/[^a-zA-Z0-9]/g, '_');
  return 'npm_config_' + (f.envPrefixDropsLeadingUnderscore ? sanitised.replace(/^_/, '') : sanitised);
};

const trimSlashes = (part: unknown): string | undefined => {
  if (!part) return undefined;
  if (typeof part !== 'string')
    throw new ToolStop('BAD_BINARY_CONFIG', { why: 'binary-value-not-string', value: js(part) });
  return part.replace(/^\.\/|^\/|\/$/g, '');
};

const PACKAGE_NAME = '{name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz';

interface UrlTemplate {
  template: string;
  mirrorVariable?: string;
}

/** util.js urlTemplate. */
function urlTemplate(
  input: DownloadPlanInput,
  env: Record<string, string | undefined>,
  rc: Rc,
  downloadVariable: string | undefined,
  f: Features,
): UrlTemplate {
  const { pkg } = input;
  if (typeof rc.download === 'string') {
    return downloadVariable
      ? { template: rc.download, mirrorVariable: downloadVariable }
      : { template: rc.download };
  }
  const hostVariable = envPrefix(pkg.name, f) + '_binary_host';
  for (const name of [hostVariable, hostVariable + '_mirror']) {
    const mirror = env[name];
    if (mirror) return { template: mirror + '/{tag_prefix}{version}/' + PACKAGE_NAME, mirrorVariable: name };
  }
  const binary = pkg.binary as Record<string, unknown> | undefined;
  if (binary && binary.host) {
    const parts = [binary.host, binary.remote_path, binary.package_name || PACKAGE_NAME];
    return { template: parts.map(trimSlashes).filter(Boolean).join('/') };
  }
  const github = githubFromPackage(pkg);
  // the tool would request "undefined/releases/download/…", which is no URL at all
  if (github === undefined) throw new ToolStop('NO_REPOSITORY', { why: 'no-github-url' });
  return { template: github + '/releases/download/{tag_prefix}{version}/' + PACKAGE_NAME };
}

/** expand-template with `{}` delimiters: `{ key }` with optional inner whitespace, every occurrence, in key order. */
function expandTemplate(template: string, values: ReadonlyArray<readonly [string, unknown]>): string {
  let out = template;
  for (const [key, value] of values) {
    out = out.replace(new RegExp(`\\{\\s*${key}\\s*\\}`, 'g'), () => js(value));
  }
  return out;
}

/** util.js getDownloadUrl. */
function downloadUrl(
  template: string,
  input: DownloadPlanInput,
  rc: Rc,
  env: Record<string, string | undefined>,
  f: Features,
) {
  const { pkg, target } = input;
  const name = pkg.name.replace(f.wideScopePattern ? /^@[a-zA-Z0-9_\-.~]+\// : /^@\w+\//, '');
  const version = pkg.version;
  const binary = pkg.binary as Record<string, unknown> | undefined;
  const libc = f.libcNormalised ? rc.libc || '' : rc.libc || env.LIBC || '';
  const tagPrefix = f.tagPrefixDefaultsToV ? rc['tag-prefix'] || 'v' : rc['tag-prefix'];
  return expandTemplate(template, [
    ['name', name],
    ['package_name', name],
    ['version', version],
    ['major', version.split('.')[0]],
    ['minor', version.split('.')[1]],
    ['patch', version.split('.')[2]],
    ['prerelease', version.split('-')[1]],
    ['build', version.split('+')[1]],
    // process.versions.modules of the install process: the target's
    ['abi', rc.abi || target.abi],
    ['node_abi', target.abi],
    ['runtime', rc.runtime || 'node'],
    ['platform', rc.platform],
    ['arch', rc.arch],
    ['libc', libc],
    ['configuration', rc.debug ? 'Debug' : 'Release'],
    ['module_name', binary ? binary.module_name : binary],
    ['tag_prefix', tagPrefix],
  ]);
}

/** The Node-API version a napi-runtime download is for, when the abi slot holds one. */
const napiNumber = (abi: unknown): number | null => {
  const n = typeof abi === 'number' ? abi : typeof abi === 'string' && /^\d+$/.test(abi) ? Number(abi) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
};

/**
 * What `prebuild-install` (bin.js → rc.js → util.getDownloadUrl → download.js) would do for this
 * package on the target: the URL, the npm-cache file it checks first, and whether it downloads at all.
 */
export function planPrebuildInstall(input: DownloadPlanInput): DownloadPlan {
  const f = featuresOf(input.toolVersion);
  const env = installEnv(input);
  const { pkg, target } = input;
  if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string') {
    const problem: DownloadProblem = {
      code: 'BAD_BINARY_CONFIG',
      reason: { why: 'name-or-version-not-string' },
    };
    return { tool: 'prebuild-install', url: null, problem, fallbackToBuild: false, buildFromSource: false };
  }
  const { rc, downloadVariable } = readRc(input, env, f);

  const origin = typeof pkg._from === 'string' ? pkg._from : env.npm_package_from || env.npm_package_resolved;
  const fromGit = typeof origin === 'string' && origin.length > 4 && origin.startsWith('git+');
  const plan: DownloadPlan = {
    tool: 'prebuild-install',
    url: null,
    fallbackToBuild: false,
    buildFromSource: !rc.force && (fromGit || !!rc.buildFromSource),
  };

  let problem: DownloadProblem | undefined;
  const napiRuntime = rc.runtime === 'napi';
  try {
    if (napiRuntime && rc.target === processNodeVersion(target)) {
      rc.target = napiBuildUtilsBest(
        isRecord(pkg.binary) ? pkg.binary.napi_versions : undefined,
        target.napi,
        f.numericNapiCompare,
      );
    }
    rc.abi = napiRuntime ? rc.target : abiFor(rc.target, rc.runtime, target);
    if (f.libcNormalised) rc.libc = rc.platform !== 'linux' || rc.libc === 'glibc' ? '' : rc.libc;

    if (
      rc.runtime === 'electron' &&
      typeof rc.target === 'string' &&
      rc.target[0] === '4' &&
      rc.abi === '64'
    ) {
      throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'electron-abi-64', target: rc.target });
    }
    if (napiRuntime) {
      const napi = napiNumber(rc.abi);
      plan.napiBuildVersion = napi;
      if (rc.abi === undefined) {
        // the abi slot falls back to the target's NODE_MODULE_VERSION: a napi-v<abi> file that does not exist
        problem = {
          code: 'NAPI_UNSUPPORTED',
          reason: { why: 'no-napi-entry', napi: js(target.napi) },
        };
      } else if (napi === null || target.napi === null || napi > target.napi) {
        problem = {
          code: 'NAPI_UNSUPPORTED',
          reason: { why: 'napi-above-target', abi: js(rc.abi), napi: js(target.napi) },
        };
      }
    }

    const { template, mirrorVariable } = urlTemplate(input, env, rc, downloadVariable, f);
    if (mirrorVariable) plan.mirrorVariable = mirrorVariable;
    const url = downloadUrl(template, input, rc, env, f);
    plan.url = url;

    // With a GitHub token the tool downloads through an API asset URL whose id it looks up online,
    // and caches under that URL: the cache and local file names can't be known offline.
    if (rc.token) return finish(plan, problem);
    const p = pathFor(target);
    const file = p.basename(url);
    const digest = createHash(f.sha512CacheDigest ? 'sha512' : 'md5')
      .update(url)
      .digest('hex')
      .slice(0, 6);
    const cacheRoot =
      env.npm_config_cache || (env.APPDATA ? p.join(env.APPDATA, 'npm-cache') : input.npmCache);
    plan.cachePath = p.join(cacheRoot, '_prebuilds', digest + '-' + file.replace(/[^a-zA-Z0-9.]+/g, '-'));
    if (f.localPrebuilds) {
      const local = env[envPrefix(pkg.name, f) + '_local_prebuilds'] || rc['local-prebuilds'] || 'prebuilds';
      if (typeof local === 'string') plan.localPrebuild = p.join(local, file);
    }
  } catch (err) {
    if (err instanceof ToolStop) problem = { code: err.code, reason: err.reason };
    else if (err instanceof NapiVersionsError)
      problem = { code: 'BAD_BINARY_CONFIG', reason: { why: 'napi-versions-not-array' } };
    else throw err;
    plan.url = null;
  }
  return finish(plan, problem);
}

const finish = (plan: DownloadPlan, problem: DownloadProblem | undefined): DownloadPlan =>
  problem ? { ...plan, problem } : plan;
