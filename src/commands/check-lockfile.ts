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

/**
 * The fragment for --suggest-allow-scripts, in the detected manager's own setting: machine-usable,
 * nothing else on stdout. npm `allowScripts`, Yarn Berry `dependenciesMeta`, Bun
 * `trustedDependencies` (package.json JSON); pnpm `allowBuilds` (or pnpm < 10.26's
 * `onlyBuiltDependencies` / `ignoredBuiltDependencies`) as pnpm-workspace.yaml YAML, with the
 * not-needed builds that strictDepBuilds would fail on denied; `{}` where nothing needs allowing
 * (Yarn 1 and pnpm 9 run every script).
 */
export function suggestAllowScripts(report: CheckReport): string {
  const policy = report.scriptPolicy;
  const names = Object.keys(policy?.allowScripts ?? {});
  const deny = policy?.deny ?? [];
  const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
  // a YAML block from JSON-quoted scalars (valid YAML whatever the name holds)
  const yamlMap = (key: string, entries: Array<[string, boolean]>) =>
    entries.length
      ? `${key}:\n${entries.map(([n, v]) => `  ${JSON.stringify(n)}: ${v}\n`).join('')}`
      : `${key}: {}\n`;
  const yamlList = (key: string, items: string[]) =>
    items.length ? `${key}:\n${items.map((n) => `  - ${JSON.stringify(n)}\n`).join('')}` : `${key}: []\n`;
  switch (policy ? policy.allowSetting.key : 'allowScripts') {
    case 'allowBuilds':
      return yamlMap('allowBuilds', [
        ...names.map((n): [string, boolean] => [n, true]),
        ...deny.map((n): [string, boolean] => [n, false]),
      ]);
    case 'onlyBuiltDependencies':
      return (
        yamlList('onlyBuiltDependencies', names) +
        (deny.length ? yamlList('ignoredBuiltDependencies', deny) : '')
      );
    case 'dependenciesMeta':
      return json({ dependenciesMeta: Object.fromEntries(names.map((n) => [n, { built: true }])) });
    case 'trustedDependencies':
      return json({ trustedDependencies: names });
    case null:
      return json({});
    default:
      return json({ allowScripts: policy?.allowScripts ?? {} });
  }
}
