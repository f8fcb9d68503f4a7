// check's flags for lockfile mode, --online and the install-script policy, kept apart from the
// command so other flags can be added there without touching these.
import type { CheckReport } from '../model/reports.js';
import type { CheckStepOptions } from '../check/tree-load.js';
import { UsageError } from './types.js';

export const LOCKFILE_FLAGS = {
  'lockfile-only': { type: 'boolean' },
  offline: { type: 'boolean' },
  online: { type: 'boolean' },
  'online-timeout': { type: 'string' },
  'suggest-allow-scripts': { type: 'boolean' },
} as const;

export function lockfileOptions(values: {
  'lockfile-only'?: boolean;
  offline?: boolean;
  online?: boolean;
  'online-timeout'?: string;
}): CheckStepOptions {
  const out: CheckStepOptions = {};
  if (values['lockfile-only']) out.lockfileOnly = true;
  if (values.offline) out.offline = true;
  if (values.online) out.online = true;
  if (values['online-timeout'] !== undefined) {
    const ms = Number(values['online-timeout']);
    if (!Number.isInteger(ms) || ms <= 0)
      throw new UsageError(
        `--online-timeout takes a positive number of milliseconds (got "${values['online-timeout']}")`,
      );
    if (!values.online) throw new UsageError('--online-timeout only applies with --online');
    out.onlineTimeoutMs = ms;
  }
  if (values.online && values.offline) throw new UsageError('--online and --offline cannot be used together');
  return out;
}

/** The package.json fragment for --suggest-allow-scripts: machine-usable, nothing else on stdout. */
export function suggestAllowScripts(report: CheckReport): string {
  return JSON.stringify({ allowScripts: report.scriptPolicy?.allowScripts ?? {} }, null, 2) + '\n';
}
