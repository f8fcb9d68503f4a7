import { join } from 'node:path';
import { FILE_LIMITS, parseJsonText, readRegularFile } from './io/files.js';
import type { Finding } from './model/findings.js';

/** The `"nativeGuard"` block of the project's package.json. */
export interface ProjectConfig {
  targets?: string[];
  strict?: boolean;
  /** Package names, or finding codes, whose findings are not reported. */
  ignore?: string[];
  /** Packages allowed to compile from source without a SOURCE_BUILD_REQUIRED warning. */
  allowSourceBuild?: string[];
}

export class ConfigError extends Error {
  readonly code = 'ECONFIG';
  readonly key: string;
  readonly file: string;
  constructor(message: string, key: string, file: string) {
    super(message);
    this.name = 'ConfigError';
    this.key = key;
    this.file = file;
  }
}

const KEYS = ['targets', 'strict', 'ignore', 'allowSourceBuild'] as const;

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Validates a `"nativeGuard"` value, naming the offending key in the error. */
export function parseProjectConfig(value: unknown, file: string): ProjectConfig {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file}: "nativeGuard" must be an object`, 'nativeGuard', file);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${file}: unknown key "nativeGuard.${key}" (known: ${KEYS.join(', ')})`,
        `nativeGuard.${key}`,
        file,
      );
    }
  }
  const config: ProjectConfig = {};
  for (const key of ['targets', 'ignore', 'allowSourceBuild'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (!isStringList(v)) {
      throw new ConfigError(
        `${file}: "nativeGuard.${key}" must be an array of strings`,
        `nativeGuard.${key}`,
        file,
      );
    }
    config[key] = v;
  }
  if (raw.strict !== undefined) {
    if (typeof raw.strict !== 'boolean') {
      throw new ConfigError(
        `${file}: "nativeGuard.strict" must be true or false`,
        'nativeGuard.strict',
        file,
      );
    }
    config.strict = raw.strict;
  }
  return config;
}

/** Reads the project's package.json config; a missing package.json is the tree loader's error to report. */
export function readProjectConfig(root: string): ProjectConfig {
  const file = join(root, 'package.json');
  let text: string;
  try {
    text = readRegularFile(file, FILE_LIMITS.manifest);
  } catch {
    // missing, a folder or a FIFO: the tree loader reports it in its own words
    return {};
  }
  let pkg: unknown;
  try {
    pkg = parseJsonText(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid JSON (${(err as Error).message})`, 'package.json', file);
  }
  return parseProjectConfig((pkg as Record<string, unknown> | null)?.nativeGuard, file);
}

/**
 * `ignore` drops findings by code or package name (and counts them); `allowSourceBuild` drops the
 * SOURCE_BUILD_REQUIRED warning of the packages it names.
 */
export function applyIgnore(
  findings: Finding[],
  config: ProjectConfig,
): { kept: Finding[]; ignored: number } {
  const ignore = new Set(config.ignore ?? []);
  const allowBuild = new Set(config.allowSourceBuild ?? []);
  const nameOf = (id: string | undefined) => {
    const at = id ? id.lastIndexOf('@') : -1;
    return id ? (at > 0 ? id.slice(0, at) : id) : '';
  };
  const kept = findings.filter((f) => {
    const name = nameOf(f.package);
    if (ignore.has(f.code) || (name && ignore.has(name))) return false;
    if (f.code === 'SOURCE_BUILD_REQUIRED' && allowBuild.has(name)) return false;
    return true;
  });
  return { kept, ignored: findings.length - kept.length };
}
