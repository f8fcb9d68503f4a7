import { realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import Config from '@npmcli/config';
import defs from '@npmcli/config/lib/definitions/index.js';
import { FILE_LIMITS, readRegularFile } from '../io/files.js';
import type { NpmVersion } from '../model/prediction.js';
import { placeOfPath, realProjectRoot } from '../targets/exec.js';

/** The npm settings native-guard acts on, read the way npm itself reads them (every npmrc level, env, defaults). */
export interface NpmConfigView {
  cache: string;
  nodedir?: string;
  python?: string;
  devdir?: string;
  offline: boolean;
  ignoreScripts: boolean;
  /** npm's flat options, as pacote and npm-registry-fetch take them (registry, scoped registries, proxy, auth). */
  flat: Record<string, unknown>;
  /** Where the values came from; null when npm's own config loader failed and defaults were used. */
  loadError: string | null;
  /** npm 11 install-script policy from .npmrc (`allow-scripts`): the first layer that sets it. */
  allowScripts?: { source: string; entries: string[] } | null;
  strictAllowScripts?: boolean;
  dangerouslyAllowAllScripts?: boolean;
  /** The npm whose behaviour the verdicts assume (detectNpmVersion); null when none was found. */
  npm?: NpmVersion | null;
}

export interface NpmConfigEnvironment {
  cwd: string;
  env: Record<string, string | undefined>;
  execPath: string;
  platform: string;
  homedir: string;
}

/**
 * npm's install folder (for its builtin npmrc): from npm_execpath in a lifecycle, else the npm on
 * PATH, skipping PATH folders inside the project or a node_modules folder: a dependency's `npm` bin
 * in node_modules/.bin would otherwise choose the "builtin" config (registry, proxy, python).
 */
function findNpmPath(e: NpmConfigEnvironment): string {
  const execpath = e.env.npm_execpath;
  if (execpath && /npm-cli\.js$/.test(execpath)) return dirname(dirname(execpath));
  return npmOnPath(e);
}

/** The install folder of the first npm on PATH outside the project and any node_modules folder, or ''. */
function npmOnPath(e: NpmConfigEnvironment): string {
  const root = realProjectRoot(e.cwd);
  for (const dir of (e.env.PATH ?? '').split(delimiter)) {
    if (!dir || placeOfPath(dir, root, e.platform) !== null) continue;
    try {
      const real = realpathSync(join(dir, e.platform === 'win32' ? 'npm.cmd' : 'npm'));
      if (/bin[\\/]npm-cli\.js$/.test(real)) return dirname(dirname(real));
    } catch {
      // not on this PATH entry
    }
  }
  return '';
}

const VERSION = /^(\d+)\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

/**
 * Which npm will run the install, so that verdicts say what *that* npm does (npm 12 blocks the
 * install scripts npm 11 runs with a warning). In a lifecycle script the npm running it names
 * itself in `npm_config_user_agent` (`npm/12.2.3 node/v22.23.5 linux x64 workspaces/false`; pnpm
 * and yarn put their own name first). Otherwise the npm on PATH, skipping the project and
 * node_modules folders as findNpmPath does; its version is read from its package.json, so nothing
 * is run. Null when neither says.
 */
export function detectNpmVersion(e: NpmConfigEnvironment): NpmVersion | null {
  const agent = /^npm\/(\S+)/.exec(e.env.npm_config_user_agent ?? '')?.[1];
  const fromAgent = agent ? VERSION.exec(agent) : null;
  if (fromAgent) return { version: agent!, major: Number(fromAgent[1]), source: 'user-agent' };
  const dir = npmOnPath(e);
  if (!dir) return null;
  try {
    const pkg = JSON.parse(readRegularFile(join(dir, 'package.json'), FILE_LIMITS.manifest)) as {
      name?: unknown;
      version?: unknown;
    };
    const m = pkg.name === 'npm' && typeof pkg.version === 'string' ? VERSION.exec(pkg.version) : null;
    return m ? { version: pkg.version as string, major: Number(m[1]), source: 'path' } : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export async function loadNpmConfig(e: NpmConfigEnvironment): Promise<NpmConfigView> {
  const fallback: NpmConfigView = {
    cache:
      e.env.npm_config_cache ?? join(e.homedir, e.platform === 'win32' ? 'AppData/Local/npm-cache' : '.npm'),
    offline: false,
    ignoreScripts: false,
    flat: {},
    loadError: null,
    npm: detectNpmVersion(e),
  };
  try {
    const conf = new Config({
      npmPath: findNpmPath(e),
      cwd: e.cwd,
      argv: [e.execPath, 'native-guard'],
      definitions: defs.definitions,
      flatten: defs.flatten,
      shorthands: defs.shorthands,
      nerfDarts: defs.nerfDarts,
      // a copy: Config.load() writes every setting back as npm_config_* into the env it is given,
      // and the caller's env must keep saying only what the environment says (toolchain.ts tells
      // `.npmrc` nodedir from npm_config_nodedir by it)
      env: { ...e.env },
      execPath: e.execPath,
      platform: e.platform,
      warn: false,
    });
    await conf.load();
    const view: NpmConfigView = {
      cache: str(conf.get('cache')) ?? fallback.cache,
      offline: conf.get('offline') === true,
      ignoreScripts: conf.get('ignore-scripts') === true,
      flat: conf.flat,
      loadError: null,
      npm: fallback.npm ?? null,
    };
    view.allowScripts = allowScriptsFromNpmrc(conf);
    view.strictAllowScripts = conf.get('strict-allow-scripts') === true;
    view.dangerouslyAllowAllScripts = conf.get('dangerously-allow-all-scripts') === true;
    const nodedir = str(conf.get('nodedir'));
    if (nodedir) view.nodedir = nodedir;
    // python and devdir are node-gyp settings npm passes through as npm_config_* without defining them
    const python = str(e.env.npm_config_python) ?? str(conf.get('python'));
    if (python) view.python = python;
    const devdir = str(e.env.npm_config_devdir) ?? str(conf.get('devdir'));
    if (devdir) view.devdir = devdir;
    return view;
  } catch (err) {
    return { ...fallback, loadError: (err as Error).message };
  }
}

/**
 * npm's .npmrc layer of the allowScripts policy (lib/utils/resolve-allow-scripts.js): the first of
 * project, user, global and builtin npmrc that sets `allow-scripts`, as a list of package specs.
 */
function allowScriptsFromNpmrc(conf: Config): { source: string; entries: string[] } | null {
  for (const where of ['project', 'user', 'global', 'builtin']) {
    let value: unknown;
    try {
      value = conf.get('allow-scripts', where);
    } catch {
      continue;
    }
    const raw = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    const entries = raw
      .filter((v): v is string => typeof v === 'string')
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    if (entries.length) return { source: `.npmrc (${where})`, entries };
  }
  return null;
}
