// pnpm 11's global config file, `config.yaml` in pnpm's config folder: where it is, and the build
// settings pnpm 11 takes from it. Pure: the caller reads the file (bounded) and parses its YAML. It
// imports node:path only, as the hooks' cache key (hooks/cache-key.ts) loads it on every run.
import { join } from 'node:path';

/**
 * The path pnpm 11 reads its global config from (pnpm 11.29.0 `getConfigDir` + `config.yaml`):
 * `$XDG_CONFIG_HOME/pnpm/config.yaml` when that is set, else `~/Library/Preferences/pnpm` on macOS,
 * `%LOCALAPPDATA%/pnpm/config` on Windows, `~/.config/pnpm` elsewhere. pnpm 10 reads no such file.
 * The home folder is the environment's (`HOME`, on Windows `USERPROFILE`), as Node's homedir()
 * takes it; null when the environment names none and the path would need it.
 */
export function pnpmGlobalConfigFile(
  env: Record<string, string | undefined>,
  platform: string,
): string | null {
  const home = env.HOME || (platform === 'win32' ? env.USERPROFILE : undefined);
  if (!env.XDG_CONFIG_HOME && !(platform === 'win32' && env.LOCALAPPDATA) && !home) return null;
  const dir = env.XDG_CONFIG_HOME
    ? join(env.XDG_CONFIG_HOME, 'pnpm')
    : platform === 'darwin'
      ? join(home!, 'Library', 'Preferences', 'pnpm')
      : platform === 'win32' && env.LOCALAPPDATA
        ? join(env.LOCALAPPDATA, 'pnpm', 'config')
        : join(home!, '.config', 'pnpm');
  return join(dir, 'config.yaml');
}

/** The build settings a global config.yaml can set (booleans only; anything else is left out). */
export interface PnpmGlobalBuildSettings {
  strictDepBuilds?: boolean;
  dangerouslyAllowAllBuilds?: boolean;
}

/**
 * What a global config.yaml says about dependency builds, measured with pnpm 11.29.0: it can set
 * `strictDepBuilds` (false lets an install with an undecided build go on) and
 * `dangerouslyAllowAllBuilds` (every build runs, even one pnpm-workspace.yaml denies), but not
 * `allowBuilds` or `onlyBuiltDependencies` (pnpm warns "cannot be set in the global config file"
 * and ignores them). pnpm-workspace.yaml's `strictDepBuilds` wins over it. Null when the parsed
 * document is not a mapping (pnpm stops on a config file it cannot parse; nothing is assumed here).
 */
export function pnpmGlobalBuildSettings(doc: unknown): PnpmGlobalBuildSettings | null {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const out: PnpmGlobalBuildSettings = {};
  for (const key of ['strictDepBuilds', 'dangerouslyAllowAllBuilds'] as const) {
    const value = Object.hasOwn(doc, key) ? (doc as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'boolean') out[key] = value;
  }
  return out;
}
