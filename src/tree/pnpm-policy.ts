// pnpm's build policy: which dependency builds pnpm runs, whether an unapproved one fails the whole
// install (strictDepBuilds), and which builds it really skipped at the last install (.modules.yaml).
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import {
  pnpmGlobalBuildSettings,
  pnpmGlobalConfigFile,
  pnpmGlobalRcFile,
} from '../managers/pnpm-global-config.js';
import type { PnpmGlobalBuildSettings } from '../managers/pnpm-global-config.js';
import type { AllowSetting, InstallScriptPolicy } from '../model/prediction.js';
import { FILE_LIMITS, readBounded, readRegularFile } from '../io/files.js';
import type { NpmConfigView } from './npm-config.js';
import type { PackageRecord } from '../model/package.js';

export const readJson = (file: string): Record<string, unknown> | null => {
  try {
    const parsed: unknown = JSON.parse(readRegularFile(file, FILE_LIMITS.manifest));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
};

export const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

export const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

interface PnpmSettings {
  allowBuilds?: unknown;
  onlyBuiltDependencies?: unknown;
  ignoredBuiltDependencies?: unknown;
  neverBuiltDependencies?: unknown;
  dangerouslyAllowAllBuilds?: unknown;
  strictDepBuilds?: unknown;
}

const LIST_KEYS = [
  'allowBuilds',
  'onlyBuiltDependencies',
  'ignoredBuiltDependencies',
  'neverBuiltDependencies',
  'dangerouslyAllowAllBuilds',
] as const;
const BUILD_KEYS = [...LIST_KEYS, 'strictDepBuilds'] as const;

/** `pnpm@10.12.1` (packageManager) → 10.12.1; undefined when the project does not say. */
function declaredVersion(pkg: Record<string, unknown> | null): string | undefined {
  const pm = typeof pkg?.packageManager === 'string' ? pkg.packageManager : '';
  const m = /^pnpm@(\d+(?:\.\d+)*)/.exec(pm);
  return m ? m[1] : undefined;
}

/** pnpm's version specs: `nx@21.6.4 || 21.6.5` → `nx@21.6.4`, `nx@21.6.5`; a bare name stays a name. */
function expandSpecs(keys: string[]): Set<string> {
  const out = new Set<string>();
  for (const key of keys) {
    const at = key.lastIndexOf('@');
    if (at <= 0) {
      out.add(key);
      continue;
    }
    const name = key.slice(0, at);
    for (const v of key.slice(at + 1).split('||')) if (v.trim()) out.add(`${name}@${v.trim()}`);
  }
  return out;
}

/** Whether the project is installed with pnpm, or configures pnpm's build policy. */
export function hasPnpmConfig(root: string): boolean {
  const pkg = readJson(join(root, 'package.json'));
  if (typeof pkg?.packageManager === 'string' && pkg.packageManager.startsWith('pnpm@')) return true;
  if (existsSync(join(root, 'pnpm-lock.yaml')) || existsSync(join(root, 'pnpm-workspace.yaml'))) return true;
  return isObject(pkg?.pnpm) && BUILD_KEYS.some((k) => k in (pkg.pnpm as Record<string, unknown>));
}

/** What the project's pnpm-specific context is: its version (detected), the environment, the tree's mode. */
export interface PnpmContext {
  /** The pnpm version that installs (user agent, packageManager, .modules.yaml); else packageManager. */
  version?: string;
  env?: Record<string, string | undefined>;
  /** An installed tree: `.modules.yaml` `ignoredBuilds` records what the last install skipped. */
  installed?: boolean;
}

const bool = (v: string | undefined): boolean | undefined =>
  v === undefined ? undefined : v.trim() === 'true' ? true : v.trim() === 'false' ? false : undefined;

/** `strict-dep-builds=true` in an npmrc-style (INI) file; undefined when it does not say. */
function iniStrict(file: string): boolean | undefined {
  const text = readBounded(file, FILE_LIMITS.config);
  if (text === null) return undefined;
  let out: boolean | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*strict-dep-builds\s*=\s*(\S+)\s*$/.exec(line);
    if (m) out = bool(m[1]) ?? out;
  }
  return out;
}

/**
 * pnpm 10's npmrc-style files after the environment, first wins (measured with pnpm 10.34.9): the
 * project's .npmrc, the user's (`npm_config_userconfig`, else ~/.npmrc), pnpm's global `rc`.
 * pnpm 11 reads no setting from any of them.
 */
function pnpm10Rcs(root: string, env: Record<string, string | undefined>): Array<[string, string]> {
  const home = env.HOME || (process.platform === 'win32' ? env.USERPROFILE : undefined);
  const user = env.npm_config_userconfig || (home ? join(home, '.npmrc') : null);
  const global = pnpmGlobalRcFile(env, process.platform);
  const out: Array<[string, string]> = [[join(root, '.npmrc'), '.npmrc']];
  if (user && isAbsolute(user)) out.push([user, user]);
  if (global && isAbsolute(global)) out.push([global, global]);
  return out;
}

/**
 * strictDepBuilds, measured with pnpm 10.34.9 and 11.29.0: an unapproved build fails the whole
 * install (ERR_PNPM_IGNORED_BUILDS) instead of being skipped with a warning. Off by default in pnpm
 * 10, on in pnpm 11. pnpm 10 reads pnpm-workspace.yaml first, then `npm_config_strict_dep_builds`,
 * then `strict-dep-builds` in the project's, the user's and pnpm's global rc (package.json's "pnpm"
 * field is not read for it); pnpm 11 reads
 * `pnpm_config_strict_dep_builds` first, then pnpm-workspace.yaml, then its global config.yaml.
 */
function strictDepBuilds(
  root: string,
  major: number | null,
  yaml: PnpmSettings | null,
  env: Record<string, string | undefined>,
  global: GlobalConfig | null,
): { strict: boolean; source: string | null } {
  const fromYaml = typeof yaml?.strictDepBuilds === 'boolean' ? yaml.strictDepBuilds : undefined;
  if (major !== null && major >= 11) {
    const fromEnv = bool(env.pnpm_config_strict_dep_builds);
    if (fromEnv !== undefined) return { strict: fromEnv, source: 'pnpm_config_strict_dep_builds' };
    if (fromYaml !== undefined) return { strict: fromYaml, source: 'pnpm-workspace.yaml' };
    const fromGlobal = global?.settings.strictDepBuilds;
    if (fromGlobal !== undefined) return { strict: fromGlobal, source: global!.file };
    return { strict: true, source: null };
  }
  if (fromYaml !== undefined) return { strict: fromYaml, source: 'pnpm-workspace.yaml' };
  const fromEnv = bool(env.npm_config_strict_dep_builds);
  if (fromEnv !== undefined) return { strict: fromEnv, source: 'npm_config_strict_dep_builds' };
  for (const [file, source] of pnpm10Rcs(root, env)) {
    const fromRc = iniStrict(file);
    if (fromRc !== undefined) return { strict: fromRc, source };
  }
  return { strict: false, source: null };
}

interface GlobalConfig {
  file: string;
  settings: PnpmGlobalBuildSettings;
}

/**
 * pnpm 11's global config.yaml (managers/pnpm-global-config.ts) in the environment the check was
 * given, read bounded; null when there is none or it is not a mapping.
 */
function readGlobalConfig(env: Record<string, string | undefined>): GlobalConfig | null {
  const file = pnpmGlobalConfigFile(env, process.platform);
  const text = file === null ? null : readBounded(file, FILE_LIMITS.config);
  let settings: PnpmGlobalBuildSettings | null = null;
  try {
    settings = text === null ? null : pnpmGlobalBuildSettings(loadYaml(text));
  } catch {
    // a config.yaml that does not parse stops pnpm itself; nothing is assumed from it
  }
  return file && settings ? { file, settings } : null;
}

/**
 * `node_modules/.modules.yaml` `ignoredBuilds`: the builds pnpm skipped at the last install
 * (`bufferutil@4.1.0` in pnpm 10.34 and 11; a bare name in early pnpm 10). A build denied with
 * `allowBuilds: false` or `ignoredBuiltDependencies` is not listed. Null when there is no such file.
 */
export function readIgnoredBuilds(root: string): Set<string> | null {
  const text = readBounded(join(root, 'node_modules', '.modules.yaml'), FILE_LIMITS.config);
  if (text === null) return null;
  try {
    const doc = loadYaml(text);
    return isObject(doc) ? new Set(strings(doc.ignoredBuilds)) : null;
  } catch {
    return null;
  }
}

/** Which setting allows a build in this pnpm: `allowBuilds` from 10.26, `onlyBuiltDependencies` before. */
function allowSettingOf(version: string | undefined): AllowSetting {
  const [major, minor] = (version ?? '').split('.').map(Number);
  if (major === undefined || minor === undefined || Number.isNaN(major)) {
    return { manager: 'pnpm', file: 'pnpm-workspace.yaml', key: 'allowBuilds' };
  }
  if (major < 10) return { manager: 'pnpm', file: null, key: null };
  const old = major === 10 && minor < 26;
  return { manager: 'pnpm', file: 'pnpm-workspace.yaml', key: old ? 'onlyBuiltDependencies' : 'allowBuilds' };
}

/**
 * pnpm's build policy (pnpm.io/settings#allowbuilds): `allowBuilds` (10.26+, the only setting in
 * pnpm 11) maps names or `name@versions` to true/false, a deny winning; pnpm 10's
 * `onlyBuiltDependencies` is an allowlist (`ignoredBuiltDependencies` only silences the warning for
 * the rest) and `neverBuiltDependencies` a denylist. pnpm 10 and later run no dependency build that
 * is not allowed; pnpm 9 ran them all unless a list said otherwise. Read from pnpm-workspace.yaml,
 * then package.json's `pnpm` field (pnpm 11 no longer reads that field: "The "pnpm" field in
 * package.json is no longer read by pnpm"). Under strictDepBuilds a build that is neither allowed nor
 * quietly denied (allowBuilds false, ignoredBuiltDependencies) fails the install: `unreviewed-strict`;
 * pnpm 10.34.9 fails on a neverBuiltDependencies entry too.
 */
export function pnpmScriptPolicy(
  root: string,
  npm: NpmConfigView,
  ctx: PnpmContext = {},
): InstallScriptPolicy {
  const pkg = readJson(join(root, 'package.json'));
  const version = ctx.version ?? declaredVersion(pkg);
  const major = version ? Number.parseInt(version, 10) : null;
  let yaml: PnpmSettings | null = null;
  let settings: PnpmSettings = {};
  let source: string | null = null;
  const workspaceFile = join(root, 'pnpm-workspace.yaml');
  if (existsSync(workspaceFile)) {
    try {
      const doc = loadYaml(readRegularFile(workspaceFile, FILE_LIMITS.config));
      if (isObject(doc)) yaml = doc as PnpmSettings;
      if (isObject(doc) && LIST_KEYS.some((k) => k in doc)) {
        settings = doc as PnpmSettings;
        source = 'pnpm-workspace.yaml';
      }
    } catch {
      // an unreadable pnpm-workspace.yaml stops pnpm itself; nothing to match against here
    }
  }
  const legacy = major === null || major < 11;
  const field = isObject(pkg?.pnpm) ? pkg.pnpm : null;
  if (!source && legacy && field && LIST_KEYS.some((k) => k in field)) {
    settings = field as PnpmSettings;
    source = 'package.json "pnpm"';
  }
  const allow = isObject(settings.allowBuilds) ? settings.allowBuilds : {};
  const allowed = expandSpecs(Object.keys(allow).filter((k) => allow[k] === true));
  const denied = expandSpecs(Object.keys(allow).filter((k) => allow[k] === false));
  const only =
    legacy && Array.isArray(settings.onlyBuiltDependencies)
      ? expandSpecs(strings(settings.onlyBuiltDependencies))
      : null;
  const ignored = legacy ? new Set(strings(settings.ignoredBuiltDependencies)) : new Set<string>();
  const never = legacy ? new Set(strings(settings.neverBuiltDependencies)) : new Set<string>();
  // pnpm 10 reads no config.yaml; a pnpm of unknown version is taken as 10 for its defaults too
  const global = major !== null && major >= 11 ? readGlobalConfig(ctx.env ?? {}) : null;
  // dangerouslyAllowAllBuilds there runs every build, even one pnpm-workspace.yaml denies (pnpm 11.29.0)
  const allowAll =
    typeof yaml?.dangerouslyAllowAllBuilds === 'boolean'
      ? yaml.dangerouslyAllowAllBuilds
      : global?.settings.dangerouslyAllowAllBuilds === true;
  if (allowAll && settings.dangerouslyAllowAllBuilds !== true) source = global!.file;
  const strict =
    major !== null && major < 10
      ? { strict: false, source: null }
      : strictDepBuilds(root, major, yaml, ctx.env ?? {}, global);
  const blocked = strict.strict ? ('unreviewed-strict' as const) : ('not-allowed' as const);
  const skipped = ctx.installed ? readIgnoredBuilds(root) : null;
  if (npm.ignoreScripts) source = 'ignore-scripts';
  return {
    tool: 'pnpm',
    source,
    ...(version ? { toolVersion: version } : {}),
    // measured with pnpm 10.34.9: after a failed strict install, `allowBuilds: false` (even with
    // --force) still fails on the build .modules.yaml lists, until node_modules is removed; pnpm 11.29.0 clears it
    ...(strict.strict
      ? { strict: { source: strict.source, keepsIgnoredBuilds: major === null || major < 11 } }
      : {}),
    allowSetting: allowSettingOf(version),
    ...(skipped
      ? {
          ignoredAtLastInstall: (record: PackageRecord) =>
            skipped.has(record.name) || skipped.has(`${record.name}@${record.version}`),
        }
      : {}),
    verdict(record) {
      if (npm.ignoreScripts) return 'ignored';
      if (settings.dangerouslyAllowAllBuilds === true || allowAll) return 'allowed';
      const keys = [record.name, `${record.name}@${record.version}`];
      if (keys.some((k) => denied.has(k))) return 'denied';
      if (keys.some((k) => allowed.has(k))) return 'allowed';
      if (ignored.has(record.name)) return 'denied';
      if (never.has(record.name)) return strict.strict ? blocked : 'denied';
      if (only) return keys.some((k) => only.has(k)) ? 'allowed' : blocked;
      if (never.size && !only) return 'allowed';
      if (major !== null && major < 10) return 'allowed';
      return blocked;
    },
  };
}
