import { getAbi } from 'node-abi';
import semver from 'semver';
import type { Target } from '../../model/target.js';
import { parseNopt, type ArgValue, type NoptConfig } from './argv.js';
import { nodePreGypBest, nodePreGypBuildVersions, nodePreGypRawVersions, NapiVersionsError } from './napi.js';
import { installEnv, isRecord, js, pathFor, processNodeVersion, ToolStop } from './shared.js';
import type { DownloadPlan, DownloadPlanInput, DownloadProblem } from './types.js';
import { featuresOf, type Features } from './node-pre-gyp-forks.js';
import {
  dropDoubleSlashes,
  evalTemplate,
  fixSlashes,
  isHttp,
  resolveUrl,
  hasUnknownValue,
  notComputable,
  unknownValue,
} from './node-pre-gyp-url.js';

const COMMANDS = new Set([
  'clean',
  'install',
  'reinstall',
  'build',
  'rebuild',
  'package',
  'testpackage',
  'publish',
  'unpublish',
  'info',
  'testbinary',
  'reveal',
  'configure',
]);
const NAPI_TAG = 'napi_build_version=';

const noptConfig = (f: Features): NoptConfig => ({
  types: {
    help: 'boolean',
    arch: 'string',
    debug: 'boolean',
    directory: 'string',
    proxy: 'string',
    loglevel: 'string',
    ...(f.acl ? { acl: 'string' as const } : {}),
  },
  shorthands: {
    release: '--no-debug',
    C: '--directory',
    debug: '--debug',
    j: '--jobs',
    silent: '--loglevel=silent',
    silly: '--loglevel=silly',
    verbose: '--loglevel=verbose',
  },
});

interface Command {
  name: string;
  args: string[];
}

/** Run.parseArgv: positional arguments split into commands, each taking the arguments after it. */
function splitCommands(remain: readonly string[]): Command[] {
  const argv = [...remain];
  const commands: Command[] = [];
  for (const arg of [...argv]) {
    if (!COMMANDS.has(arg)) continue;
    const args = argv.splice(0, argv.indexOf(arg));
    argv.shift();
    if (commands.length > 0) commands[commands.length - 1]!.args = args;
    commands.push({ name: arg, args: [] });
  }
  if (commands.length > 0) commands[commands.length - 1]!.args = argv.splice(0);
  return commands;
}

type Opts = Record<string, ArgValue | undefined>;

/** The truthy `===` tests install.js applies to --build-from-source and --fallback-to-build. */
const enabledFor = (value: unknown, name: string): boolean =>
  value === name || value === true || value === 'true';

/** lib/util/versioning.js get_runtime_abi, with `process.versions` taken from the target. */
function runtimeAbi(runtime: unknown, version: unknown, target: Target): string {
  if (!runtime) throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'runtime-missing' });
  if (runtime === 'node-webkit') {
    if (!version)
      throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'empty-target-version', runtime: 'node-webkit' });
    return 'node-webkit-v' + js(version);
  }
  if (runtime === 'electron') {
    const v = version || (target.runtime === 'electron' ? target.version : undefined);
    if (v === undefined)
      throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'empty-target-version', runtime: 'electron' });
    const parsed = typeof v === 'string' ? semver.parse(v) : null;
    // electron promises ABI stability within a minor, so node-pre-gyp names binaries by major.minor
    if (!parsed)
      throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'invalid-electron-version', version: js(v) });
    return `electron-v${parsed.major}.${parsed.minor}`;
  }
  if (runtime !== 'node')
    throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'unknown-runtime', runtime: js(runtime) });
  // process.versions.modules of the install process: the target's
  if (!version) return 'node-v' + Number(target.abi);
  if (version === processNodeVersion(target)) return 'node-v' + Number(target.abi);
  if (typeof version !== 'string' || version.split('.').length !== 3) {
    throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'unknown-target-version', version: js(version) });
  }
  // node-pre-gyp looks the version up in the abi_crosswalk.json it shipped with (a release older
  // than the Node it is asked about throws); node-abi stands in for that table here.
  try {
    return 'node-v' + Number(getAbi(version, 'node'));
  } catch {
    throw new ToolStop('RUNTIME_UNSUPPORTED', { why: 'unsupported-target-version', version });
  }
}

const pathOk = (p: unknown): boolean =>
  typeof p === 'string' && (p.includes('{napi_build_version}') || p.includes('{node_napi_label}'));

/** validate_config + napi.validate_package_json. */
function validate(
  pkg: DownloadPlanInput['pkg'],
  binary: Record<string, unknown> | undefined,
  opts: Opts,
  target: Target,
  f: Features,
) {
  const missing: string[] = [];
  if (!pkg.main) missing.push('main');
  if (!pkg.version) missing.push('version');
  if (!pkg.name) missing.push('name');
  if (!binary) missing.push('binary');
  for (const key of ['module_name', 'module_path', 'host']) {
    const v = binary?.[key];
    // 1.x checks the type; the legacy package only rejects undefined and ''
    const bad = f.legacy
      ? v === undefined || v === ''
      : binary !== undefined && (!v || typeof v !== 'string');
    if (bad) missing.push('binary.' + key);
  }
  if (missing.length > 0) throw new ToolStop('BAD_BINARY_CONFIG', { why: 'fields-missing', fields: missing });
  if (!binary) return;
  if (typeof binary.host !== 'string') throw new ToolStop('BAD_BINARY_CONFIG', { why: 'host-not-string' });
  if (isHttp(binary.host)) throw new ToolStop('BAD_BINARY_CONFIG', { why: 'host-http' });

  const latestOnly = !!opts['build-latest-napi-version-only'];
  const builds = nodePreGypBuildVersions(binary.napi_versions, target.napi, latestOnly);
  const raw = nodePreGypRawVersions(binary.napi_versions);
  for (const v of builds ?? []) {
    if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) {
      throw new ToolStop('BAD_BINARY_CONFIG', { why: 'napi-versions-not-positive' });
    }
  }
  const [modulePathOk, remotePathOk, packageNameOk] = [
    binary.module_path,
    binary.remote_path,
    binary.package_name,
  ].map(pathOk);
  if (builds && (!modulePathOk || (!remotePathOk && !packageNameOk))) {
    throw new ToolStop('BAD_BINARY_CONFIG', { why: 'napi-build-version-not-used' });
  }
  if ((modulePathOk || remotePathOk || packageNameOk) && !raw) {
    throw new ToolStop('BAD_BINARY_CONFIG', { why: 'napi-build-version-without-versions' });
  }
  const napiOnly =
    typeof binary.package_name === 'string' &&
    binary.package_name !== '' &&
    !binary.package_name.includes('{node_napi_label}');
  const best = nodePreGypBest(binary.napi_versions, target.napi, latestOnly);
  if (((builds && !best) || (raw && !builds)) && napiOnly) {
    throw new ToolStop('NAPI_UNSUPPORTED', {
      why: 'napi-versions-unrunnable',
      napi: js(target.napi),
      versions: js(raw),
    });
  }
}

/** `{libc_version}`: the target's libc version; on Linux a target that does not say it leaves it unknown. */
const libcVersionOf = (target: Target): string =>
  target.platform !== 'linux' ? 'unknown' : (target.libcVersion ?? unknownValue('libc_version'));

interface Evaluated {
  url: string | null;
  /** Absent when it holds a value the target does not tell. */
  modulePath?: string;
  mirrorVariable?: string;
  /** Why there is no URL though the tool would not stop (TEMPLATE_UNSET, TEMPLATE_VALUE_UNKNOWN). */
  problem?: DownloadProblem;
}

/** versioning.evaluate: the options install.js downloads with (`hosted_tarball`, `module_path`). */
function evaluate(
  input: DownloadPlanInput,
  binary: Record<string, unknown> | undefined,
  opts: Opts,
  env: Record<string, string | undefined>,
  napiBuildVersion: number | undefined,
  f: Features,
): Evaluated {
  const { pkg, target } = input;
  validate(pkg, binary, opts, target, f);
  const b = binary!;
  const version = typeof pkg.version === 'string' ? semver.parse(pkg.version) : null;
  if (!version)
    throw new ToolStop('BAD_BINARY_CONFIG', { why: 'version-not-semver', version: js(pkg.version) });
  const runtime = opts.runtime || target.runtime;
  const nodeAbi = runtimeAbi(runtime, opts.target, target);
  const napiVersion = target.napi ?? undefined;
  const platform = opts.target_platform || target.platform;
  const arch = opts.target_arch || target.arch;
  const o = new Map<string, unknown>([
    ['name', pkg.name],
    ['configuration', opts.debug ? 'Debug' : 'Release'],
    ['debug', opts.debug],
    ['module_name', b.module_name],
    ['version', version.version],
    ['prerelease', version.prerelease.length ? version.prerelease.join('.') : ''],
    ['build', version.build.length ? version.build.join('.') : ''],
    ['major', version.major],
    ['minor', version.minor],
    ['patch', version.patch],
    ['runtime', runtime],
    ['node_abi', nodeAbi],
    ['node_abi_napi', napiVersion ? 'napi' : nodeAbi],
    ['napi_version', napiVersion],
    ['napi_build_version', napiBuildVersion || ''],
    ['node_napi_label', napiBuildVersion ? 'napi-v' + napiBuildVersion : nodeAbi],
    ['target', opts.target || ''],
    ['platform', platform],
    ['target_platform', platform],
    ['arch', arch],
    ['target_arch', arch],
    // detect-libc on the target: null off Linux, hence 'unknown' there
    ['libc', opts.target_libc || target.libc || 'unknown'],
    // detect-libc's versionSync on the target, whatever --target_libc says; null off Linux
    ...(f.libcVersion ? [['libc_version', libcVersionOf(target)] as const] : []),
    ['module_main', pkg.main],
    ['toolset', opts.toolset || ''],
  ]);
  if (f.s3Keys) {
    o.set('bucket', b.bucket);
    o.set('region', b.region);
    o.set('s3ForcePathStyle', b.s3ForcePathStyle || false);
  }
  if (f.acl) o.set('acl', opts.acl || b.acl || 'public-read');

  const moduleName = js(b.module_name);
  const mirrorVariable =
    'npm_config_' + (f.mirrorNameDash ? moduleName.replace('-', '_') : moduleName) + '_binary_host_mirror';
  const mirror = env[mirrorVariable];
  const host = fixSlashes(evalTemplate(mirror || b.host, o));
  o.set('host', host);

  const p = pathFor(target);
  let modulePath = evalTemplate(b.module_path, o);
  if (opts.module_root) modulePath = p.join(js(opts.module_root), modulePath);
  // the tool resolves module_path against the package folder; here it stays package-relative
  o.set('module_path', modulePath);
  const moduleFile = p.join(modulePath, moduleName + '.node');
  o.set('module', moduleFile);
  const remotePath = b.remote_path ? dropDoubleSlashes(fixSlashes(evalTemplate(b.remote_path, o))) : '';
  o.set('remote_path', remotePath);
  const packageName = evalTemplate(
    b.package_name || '{module_name}-v{version}-{node_abi}-{platform}-{arch}.tar.gz',
    o,
  );

  const evaluated: Evaluated = { url: null };
  // node-pre-gyp's find() loads from module_path whatever the download did: keep it for verify
  if (!hasUnknownValue(moduleFile)) evaluated.modulePath = moduleFile;
  if (mirror) evaluated.mirrorVariable = mirrorVariable;
  const problem = notComputable([host, remotePath, packageName]);
  if (problem) return { ...evaluated, problem };

  const hostedPath =
    f.s3PathStyleUrl && b.s3ForcePathStyle
      ? resolveUrl(host, dropDoubleSlashes(`${js(b.bucket)}/${remotePath}`))
      : resolveUrl(host, remotePath);
  const hostedTarball = resolveUrl(hostedPath, packageName);
  // install.js requests the tarball with its first '+' escaped (a local file:// path is read as is)
  evaluated.url = hostedTarball.startsWith('file://') ? hostedTarball : hostedTarball.replace('+', '%2B');
  return evaluated;
}

/**
 * node-pre-gyp.js setBinaryHostProperty: with no `binary.host` but both `staging_host` and
 * `production_host`, the first command picks one (publish/unpublish → staging).
 */
function chooseHost(
  binary: Record<string, unknown>,
  command: string,
  opts: Opts,
  env: Record<string, string | undefined>,
) {
  if (binary.host || !binary.staging_host || !binary.production_host) return;
  let which = command === 'publish' || command === 'unpublish' ? 'staging_host' : 'production_host';
  const fromEnv = env.node_pre_gyp_s3_host;
  if (fromEnv === 'staging' || fromEnv === 'production') which = `${fromEnv}_host`;
  else if (opts.s3_host === 'staging' || opts.s3_host === 'production') which = `${opts.s3_host}_host`;
  else if (opts.s3_host || fromEnv)
    throw new ToolStop('BAD_BINARY_CONFIG', { why: 'invalid-s3-host', host: js(opts.s3_host || fromEnv) });
  binary.host = binary[which];
}

/**
 * What `node-pre-gyp <args>` (lib/main.js → install.js → versioning.evaluate) would download for
 * this package on the target, where it puts the .node, and whether it falls back to a build.
 */
export function planNodePreGyp(input: DownloadPlanInput): DownloadPlan {
  const f = featuresOf(input.toolPackage, input.toolVersion);
  const env = installEnv(input);
  const { pkg, target } = input;
  // setBinaryHostProperty writes into the parsed package.json: work on a copy
  const binary = isRecord(pkg.binary) ? { ...pkg.binary } : undefined;
  const plan: DownloadPlan = {
    tool: 'node-pre-gyp',
    url: null,
    fallbackToBuild: false,
    buildFromSource: false,
  };
  let problem: DownloadProblem | undefined;

  try {
    const { opts: cli, remain } = parseNopt(input.args, noptConfig(f));
    const commands = splitCommands(remain);
    const latestOnly = !!cli['build-latest-napi-version-only'];
    const napiVersions = binary?.napi_versions;
    const builds = nodePreGypBuildVersions(napiVersions, target.napi, latestOnly);

    // npm config reaches node-pre-gyp as environment variables, which override argv
    const opts: Opts = { ...cli };
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || !name.startsWith('npm_config_') || name === 'npm_config_loglevel') continue;
      const key = name.slice('npm_config_'.length);
      if (key === 'argv' && remain.length > 0) continue;
      opts[key] = value;
    }

    if (commands.length === 0) throw new ToolStop('BAD_BINARY_CONFIG', { why: 'no-command' });
    if (binary && !f.legacy) chooseHost(binary, commands[0]!.name, opts, env);

    const install = commands.find((c) => c.name === 'install' || c.name === 'reinstall');
    let napiBuildVersion: number | undefined;
    if (install?.name === 'install' && !builds) {
      const tagged = install.args.find((a) => a.startsWith(NAPI_TAG));
      if (tagged !== undefined) napiBuildVersion = parseInt(tagged.slice(NAPI_TAG.length), 10);
    } else {
      // expand_commands (install: argv options only) and reinstall.js (with npm config) both ask
      // for the best buildable version
      const onlyLatest = install?.name === 'install' ? latestOnly : !!opts['build-latest-napi-version-only'];
      const best = nodePreGypBest(napiVersions, target.napi, onlyLatest);
      if (best !== undefined) napiBuildVersion = parseInt(js(best), 10);
    }
    if (napiVersions || napiBuildVersion !== undefined) {
      plan.napiBuildVersion =
        napiBuildVersion !== undefined && !Number.isNaN(napiBuildVersion) ? napiBuildVersion : null;
    }

    if (install) {
      plan.buildFromSource = enabledFor(opts['build-from-source'] || opts.build_from_source, pkg.name);
      plan.fallbackToBuild = enabledFor(opts['fallback-to-build'] || opts.fallback_to_build, pkg.name);
      if (env.npm_config_argv) plan.fallbackToBuild &&= !npmArgvDisablesFallback(env.npm_config_argv);
    } else if (commands.some((c) => c.name === 'build' || c.name === 'rebuild')) {
      plan.buildFromSource = true;
    } else {
      throw new ToolStop('BAD_BINARY_CONFIG', {
        why: 'no-install-command',
        commands: commands.map((c) => c.name),
      });
    }

    if (nodePreGypRawVersions(napiVersions) && !builds) {
      problem = {
        code: 'NAPI_UNSUPPORTED',
        reason: { why: 'no-napi-entry', napi: js(target.napi) },
      };
    }
    const evaluated = evaluate(input, binary, opts, env, napiBuildVersion, f);
    plan.url = evaluated.url;
    if (evaluated.modulePath !== undefined) plan.modulePath = evaluated.modulePath;
    if (evaluated.mirrorVariable) plan.mirrorVariable = evaluated.mirrorVariable;
    if (evaluated.problem) problem = evaluated.problem;
  } catch (err) {
    if (err instanceof ToolStop) problem = { code: err.code, reason: err.reason };
    else if (err instanceof NapiVersionsError)
      problem = { code: 'BAD_BINARY_CONFIG', reason: { why: 'napi-versions-not-array' } };
    else throw err;
  }
  return problem ? { ...plan, problem } : plan;
}

/** npm 6 passed its own argv; `npm install --fallback-to-build false` switched the fallback off. */
function npmArgvDisablesFallback(npmArgv: string): boolean {
  try {
    const cooked: unknown = (JSON.parse(npmArgv) as { cooked?: unknown }).cooked;
    if (!Array.isArray(cooked)) return false;
    const at = cooked.indexOf('--fallback-to-build');
    return at > -1 && cooked[at + 1] === 'false';
  } catch {
    return false;
  }
}
