import path from 'node:path';
import type { Target } from '../../model/target.js';
import type { DownloadProblemReason } from '../../model/prediction.js';
import type { DownloadPlanInput, DownloadProblemCode } from './types.js';

/** Where a tool would stop with an error: the plan reports it as a problem instead of throwing. */
export class ToolStop extends Error {
  constructor(
    readonly code: DownloadProblemCode,
    readonly reason: DownloadProblemReason,
  ) {
    super(`${code}: ${reason.why}`);
  }
}

/**
 * The environment the tool sees. An Electron target means the install is configured for Electron
 * the way npm users do it (`runtime=electron`, `target=<version>` in .npmrc), so those two npm
 * config variables are filled in unless the caller's environment already sets them.
 */
export function installEnv(input: DownloadPlanInput): Record<string, string | undefined> {
  const env = { ...input.env };
  if (input.target.runtime === 'electron') {
    env.npm_config_runtime ??= 'electron';
    env.npm_config_target ??= input.target.version;
  }
  return env;
}

/** The tools build paths with the `path` module of the machine the install runs on: the target. */
export const pathFor = (target: Target): path.PlatformPath =>
  target.platform === 'win32' ? path.win32 : path.posix;

/**
 * `process.versions.node` of the install process. For an Electron target the install still runs
 * under some Node whose version the target does not say, so nothing compares equal to it.
 */
export const processNodeVersion = (target: Target): string | undefined =>
  target.runtime === 'node' ? target.version : undefined;

/** A value as JavaScript's `String()` and template substitution render it. */
export const js = (value: unknown): string => String(value);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
