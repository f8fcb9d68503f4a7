// pnpm's global config files in its config folder, pnpm 11's `config.yaml` and pnpm 10's `rc`: where
// they are, and the build settings pnpm 11 takes from config.yaml. Pure: the caller reads the file (bounded) and parses its YAML. It
// imports node:path only, as the hooks' cache key (hooks/cache-key.ts) loads it on every run.
import { join } from 'node:path';

/**
 * pnpm's config folder (pnpm 11.29.0 `getConfigDir`; the same in pnpm 10): `$XDG_CONFIG_HOME/pnpm`
 * when that is set, else `~/Library/Preferences/pnpm` on macOS, `%LOCALAPPDATA%/pnpm/config` on
 * Windows, `~/.config/pnpm` elsewhere. The home folder is the environment's (`HOME`, on Windows
 * `USERPROFILE`), as Node's homedir() takes it; null when the environment names none and the path
 * would need it.
 */
function pnpmConfigDir(env: Record<string, string | undefined>, platform: string): string | null {
  const home = env.HOME || (platform === 'win32' ? env.USERPROFILE : undefined);
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'pnpm');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'pnpm', 'config');
  if (!home) return null;
  return platform === 'darwin' ? join(home, 'Library', 'Preferences', 'pnpm') : join(home, '.config', 'pnpm');
}

/** pnpm 11's global config, `config.yaml` in pnpm's config folder (pnpm 10 reads no such file). */
export function pnpmGlobalConfigFile(
  env: Record<string, string | undefined>,
  platform: string,
): string | null {
  const dir = pnpmConfigDir(env, platform);
  return dir === null ? null : join(dir, 'config.yaml');
}

/**
 * pnpm 10's global config, `rc` (INI) in the same folder. Measured with pnpm 10.34.9: its
 * `strict-dep-builds` counts after the project's and the user's .npmrc; pnpm 11.29.0 ignores it.
 */
export function pnpmGlobalRcFile(env: Record<string, string | undefined>, platform: string): string | null {
  const dir = pnpmConfigDir(env, platform);
  return dir === null ? null : join(dir, 'rc');
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
