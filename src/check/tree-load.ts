// Which tree `check` reads: the installed one, or the lockfile's with the tarballs of the packages
// that can be native (read through npm's cache first).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonText, readRegularFile } from '../io/files.js';
import type { ProjectTree } from '../model/package.js';
import type { CheckReport } from '../model/reports.js';
import type { Target } from '../model/target.js';
import { hasPnpMap, loadProjectTree } from '../tree/installed.js';
import { fetchLockfilePackages } from '../tree/fetch-lockfile.js';
import { folderIndexCache } from '../tree/index-cache.js';
import type { TarballIndexCache } from '../tree/index-cache.js';
import type { NpmConfigView } from '../tree/npm-config.js';
import { pacoteFetcher } from '../tree/registry.js';
import type { PackageFetcher } from '../tree/registry.js';
import { loadLockfileTree } from '../tree/virtual.js';
import type { AnalyzeInput } from './analyze.js';

export interface CheckStepOptions {
  /** Read package-lock.json even when node_modules exists (default: only when there is none). */
  lockfileOnly?: boolean;
  /** npm's offline: lockfile mode reads npm's cache only. */
  offline?: boolean;
  /** Check every prebuilt-download URL (HEAD, falling back to a ranged GET). */
  online?: boolean;
  /** Per-URL timeout for `online`, in ms (default 10,000). */
  onlineTimeoutMs?: number;
  /** URLs checked at once (default 8). */
  onlineConcurrency?: number;
  /** Lockfile mode: where manifests and tarballs come from (default: pacote with npm's config). */
  fetcher?: PackageFetcher;
  /**
   * Lockfile mode: what earlier runs read out of tarballs, by integrity (default: a folder in npm's
   * cache, `<cache>/_native-guard/tarball-index`); null to read every tarball again.
   */
  indexCache?: TarballIndexCache | null;
  /** The running manager's `npm_config_user_agent` (default: this process's), for its version. */
  userAgent?: string;
}

type LoadedInput = Pick<AnalyzeInput, 'tree' | 'filesOf' | 'offline'>;

/** A tree load started before the targets are known (host detection runs meanwhile). */
export interface TreeLoad {
  mode: 'installed' | 'lockfile';
  tree: Promise<ProjectTree>;
}

/**
 * Starts reading the installed tree when there is one; otherwise (or with `lockfileOnly`) the
 * lockfile's tree. Nothing here needs the targets, so it overlaps with host detection.
 */
export function beginTreeLoad(root: string, options: CheckStepOptions): TreeLoad {
  // Yarn Plug'n'Play installs leave no node_modules: its .pnp.cjs is the installed tree
  const installed =
    !options.lockfileOnly &&
    (existsSync(join(root, 'node_modules')) || hasPnpMap(root) || nothingToInstall(root));
  const userAgent = options.userAgent ?? process.env.npm_config_user_agent;
  const tree = installed ? loadProjectTree(root, userAgent) : loadLockfileTree(root);
  // awaited in loadTreeForCheck; an error must not surface as unhandled before then
  tree.catch(() => {});
  return { mode: installed ? 'installed' : 'lockfile', tree };
}

/**
 * The tree to analyse: the installed tree as read, or the lockfile's tree with the tarballs of the
 * packages that can be native read through npm's cache (those the targets need).
 */
export async function loadTreeForCheck(
  load: TreeLoad,
  npm: NpmConfigView,
  targets: Target[],
  options: CheckStepOptions,
): Promise<{ input: LoadedInput; fetched?: NonNullable<CheckReport['fetched']> }> {
  if (load.mode === 'installed') return { input: { tree: await load.tree } };
  const offline = options.offline === true || npm.offline;
  const fetcher = options.fetcher ?? pacoteFetcher(npm, { offline });
  const indexCache =
    options.indexCache === undefined
      ? folderIndexCache(join(npm.cache, '_native-guard', 'tarball-index'))
      : options.indexCache;
  const result = await fetchLockfilePackages(await load.tree, { targets, fetcher, indexCache });
  return {
    input: { tree: result.tree, filesOf: (record) => result.files.get(record.location) ?? null, offline },
    fetched: {
      tarballs: result.fetched.tarballs.length,
      manifests: result.fetched.manifests.length,
      unavailable: result.tree.packages.reduce(
        (n, p) => n + (p.unavailable ? 1 : 0) + (p.unlocked ?? []).filter((u) => u.unavailable).length,
        0,
      ),
      offline,
      gypScanned: result.fetched.gypScan,
      gypUncached: result.fetched.gypScanUncached,
    },
  };
}

/**
 * A project with no node_modules and no lockfile whose package.json declares no dependency and no
 * workspace has nothing to install: its tree is just itself, which the installed-tree loader reads.
 */
function nothingToInstall(root: string): boolean {
  if (['package-lock.json', 'npm-shrinkwrap.json'].some((f) => existsSync(join(root, f)))) return false;
  let pkg: Record<string, unknown>;
  try {
    pkg = parseJsonText(readRegularFile(join(root, 'package.json'))) as Record<string, unknown>;
  } catch {
    // the tree loader reports a missing or broken package.json in its own words
    return true;
  }
  const declares = (field: string) => {
    const v = pkg[field];
    return !!v && typeof v === 'object' && Object.keys(v).length > 0;
  };
  return !['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'workspaces'].some(
    declares,
  );
}
