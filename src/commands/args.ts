import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './types.js';

export const COMMON_OPTIONS = {
  cwd: { type: 'string', short: 'C' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs with the common options, turning its errors into one-line usage errors. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Today as YYYY-MM-DD, for `node:lts` (NATIVE_GUARD_TODAY pins it for reproducible output). */
export const today = (env: Record<string, string | undefined>): string =>
  env.NATIVE_GUARD_TODAY && /^\d{4}-\d{2}-\d{2}$/.test(env.NATIVE_GUARD_TODAY)
    ? env.NATIVE_GUARD_TODAY
    : new Date().toISOString().slice(0, 10);
