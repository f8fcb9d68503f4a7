import { join } from 'node:path';
import { FILE_LIMITS, parseJsonText, readRegularFile } from './io/files.js';
import { CodedError } from './model/errors.js';
import type { ConfigErrorFact } from './model/errors.js';
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

/** A `nativeGuard` block that does not validate; `key` is the offending one (`nativeGuard.strict`). */
export class ConfigError extends CodedError<'config'> {
  readonly key: string;
  readonly file: string;
  constructor(fact: ConfigErrorFact, key: string) {
    super('config', fact, 'ECONFIG');
    this.name = 'ConfigError';
    this.key = key;
    this.file = fact.file;
  }
}

const KEYS = ['targets', 'strict', 'ignore', 'allowSourceBuild'] as const;

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Validates a `"nativeGuard"` value, naming the offending key in the error. */
export function parseProjectConfig(value: unknown, file: string): ProjectConfig {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError({ why: 'not-an-object', file }, 'nativeGuard');
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new ConfigError({ why: 'unknown-key', file, key, known: [...KEYS] }, `nativeGuard.${key}`);
    }
  }
  const config: ProjectConfig = {};
  for (const key of ['targets', 'ignore', 'allowSourceBuild'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (!isStringList(v)) {
      throw new ConfigError({ why: 'not-string-list', file, key }, `nativeGuard.${key}`);
    }
    config[key] = v;
  }
  if (raw.strict !== undefined) {
    if (typeof raw.strict !== 'boolean') {
      throw new ConfigError({ why: 'not-boolean', file, key: 'strict' }, 'nativeGuard.strict');
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
    throw new ConfigError({ why: 'invalid-json', file, error: (err as Error).message }, 'package.json');
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
