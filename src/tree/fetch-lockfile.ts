import { MiB } from '../binary/reader.js';
import { npmWouldInstall } from '../targets/npm-install.js';
import type { Target } from '../model/target.js';
import { ByteBudget } from './binary-window.js';
import { manifestFacts } from './manifest.js';
import { constraintsOf, NATIVE_DEPENDENCIES } from '../model/package.js';
import { fetchProblem, TarballUnread } from './registry.js';
import type { PackageFetcher } from './registry.js';
import { resolveFrom } from '../model/resolve.js';
import type { TarballIndexCache } from './index-cache.js';
import { readTarball, tarballFiles } from './tarball-files.js';
import type { TarballFiles, TarballIndex } from './tarball-files.js';
import type { PackageRecord, ProjectTree, UnlockedPackage } from '../model/package.js';

export interface LockfileFetchOptions {
  /** The targets being checked: a platform package is fetched only when one of them would install it. */
  targets: Target[];
  fetcher: PackageFetcher;
  /** Parallel registry/cache reads (default 8). */
  concurrency?: number;
  /**
   * Bytes of `.node` files held in memory across the tarballs read at once (default 96 MiB): a
   * tarball reaching a big `.node` waits for its share, so memory is bounded by bytes, not by how
   * many tarballs are open.
   */
  budget?: ByteBudget;
  /** What earlier runs read out of the same tarballs (by integrity); none by default. */
  indexCache?: TarballIndexCache | null;
  /** Look for npm's implicit `node-gyp rebuild` in the cached tarballs of the other packages (default true). */
  gypScan?: boolean;
}

export interface LockfileFetchResult {
  /** The same tree, with fetched records carrying their real manifest and top-level entries. */
  tree: ProjectTree;
  /** Tarball-backed files by record location. */
  files: Map<string, TarballFiles>;
  /**
   * What was asked of the fetcher, for the evidence and for tests (index-cache hits included).
   * `gypScan`: packages with no install script whose cached tarball was looked at for a binding.gyp
   * (npm's implicit `node-gyp rebuild`), `gypScanUncached` those npm's cache did not hold, and
   * `implicitGyp` the ones that have one.
   */
  fetched: {
    tarballs: string[];
    manifests: string[];
    fromIndexCache: string[];
    gypScan: number;
    gypScanUncached: number;
    implicitGyp: string[];
  };
}

/**
 * A parent of a platform-package family (sharp, rollup, esbuild, napi-rs packages): two or more
 * optional dependencies that carry os/cpu/libc in the lockfile, or that the lockfile lacks.
 */
function isFamilyParent(record: PackageRecord, byLocation: Map<string, PackageRecord>): boolean {
  const names = Object.keys(record.manifest.optionalDependencies);
  if (names.length < 2) return false;
  let platform = 0;
  for (const name of names) {
    const dep = resolveFrom(byLocation, record.location, name);
    if (!dep || constraintsOf(dep.manifest)) platform++;
    if (platform >= 2) return true;
  }
  return false;
}

/**
 * Which lockfile records need their tarball read: those that can be native. An install script
 * (`hasInstallScript`; npm's implicit `node-gyp rebuild` is looked for apart: gypCandidates), a dependency only
 * native packages have (node-gyp-build, prebuild-install, bindings, nan, node-addon-api…), a
 * platform family to pick from, or os/cpu/libc fields that one of the targets satisfies (the
 * platform package that target gets). Nothing else is fetched. Bundled dependencies come inside
 * their parent's tarball and never run install scripts.
 *
 * A lockfile v1 records none of this (no hasInstallScript, no os/cpu, no dependencies of its
 * own): every package is read, as npm itself reads every manifest to upgrade such a lockfile.
 */
export function selectTarballs(tree: ProjectTree, targets: Target[]): PackageRecord[] {
  const byLocation = new Map(tree.packages.map((p) => [p.location, p]));
  const ancient = (tree.lockfile?.lockfileVersion ?? 2) < 2;
  return tree.packages.filter((record) => {
    if (record.manifestSource !== 'lockfile' || record.inBundle || record.isRoot) return false;
    // already known unreadable (a manager lockfile's git, file or remote package): never fetched
    if (record.unavailable) return false;
    // the toolkit itself (node-gyp-build, prebuild-install, nan…) is JavaScript and headers
    if (NATIVE_DEPENDENCIES.has(record.name)) return false;
    if (ancient || record.scriptsUnknown) return true;
    const m = record.manifest;
    if (record.hasInstallScript) return true;
    const deps = [...Object.keys(m.dependencies), ...Object.keys(m.optionalDependencies)];
    if (deps.some((d) => NATIVE_DEPENDENCIES.has(d))) return true;
    // a package that asks which libc it runs on picks a binary per platform itself (farmhash's
    // build/farmhash-linuxmusl-x64.node, @parcel/source-map's index.linux-x64-musl.node)
    if (deps.includes('detect-libc')) return true;
    if (constraintsOf(m)) return targets.some((t) => npmWouldInstall(m, t));
    return isFamilyParent(record, byLocation);
  });
}

/**
 * The lockfile packages npm may still build although nothing in the lockfile says so: npm runs
 * `node-gyp rebuild` for any package with a binding.gyp at its root and no install or preinstall
 * script (Arborist's rebuild, @npmcli/node-gyp's isNodeGypPackage), and a lockfile entry records
 * no file list (iconv 3, native-keymap 3: no hasInstallScript, no gypfile in their manifests).
 * Only npm's cache is asked for these (never the network): see fetchLockfilePackages.
 */
function gypCandidates(tree: ProjectTree, selected: Set<PackageRecord>, targets: Target[]): PackageRecord[] {
  return tree.packages.filter(
    (record) =>
      // a platform package none of the targets installs is never built either
      (!constraintsOf(record.manifest) || targets.some((t) => npmWouldInstall(record.manifest, t))) &&
      !selected.has(record) &&
      record.manifestSource === 'lockfile' &&
      !record.inBundle &&
      !record.isRoot &&
      !record.isWorkspace &&
      !record.unavailable &&
      !record.hasInstallScript &&
      !NATIVE_DEPENDENCIES.has(record.name),
  );
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Reads what lockfile mode needs from the registry (npm's cache first): the tarballs of the
 * packages `selectTarballs` picks, then the manifests of platform packages that a family parent
 * names and the lockfile lacks. A package that cannot be had gets `unavailable`, never a guess.
 */
export async function fetchLockfilePackages(
  tree: ProjectTree,
  options: LockfileFetchOptions,
): Promise<LockfileFetchResult> {
  const concurrency = options.concurrency ?? 8;
  const budget = options.budget ?? new ByteBudget(96 * MiB);
  const files = new Map<string, TarballFiles>();
  const fetched: LockfileFetchResult['fetched'] = {
    tarballs: [],
    manifests: [],
    fromIndexCache: [],
    gypScan: 0,
    gypScanUncached: 0,
    implicitGyp: [],
  };
  const cache = options.indexCache ?? null;
  const selected = selectTarballs(tree, options.targets);
  const lockEntries = tree.lockfile?.entries ?? new Map();
  const enriched = new Map<string, PackageRecord>();

  await mapLimit(selected, concurrency, async (record) => {
    const entry = lockEntries.get(record.location);
    const request: Parameters<PackageFetcher['tarball']>[0] = { name: record.name, version: record.version };
    if (entry?.integrity) request.integrity = entry.integrity;
    if (entry?.resolved) request.resolved = entry.resolved;
    fetched.tarballs.push(record.id);
    try {
      let index: TarballIndex | null = request.integrity && cache ? cache.get(request.integrity) : null;
      if (index) fetched.fromIndexCache.push(record.id);
      else {
        index = await readTarball((handler) => options.fetcher.tarball(request, handler), { budget });
        if (request.integrity && cache) cache.set(request.integrity, index);
      }
      // a package.json or listing it could not read whole: as unknown as a tarball never fetched
      if (index.problem) throw new TarballUnread(index.problem);
      const contents = tarballFiles(index);
      files.set(record.location, contents);
      const next: PackageRecord = { ...record, rootEntries: contents.rootEntries, manifestSource: 'package' };
      if (contents.manifest) {
        next.manifest = manifestFacts(contents.manifest);
        const s = next.manifest.scripts;
        next.hasInstallScript =
          record.hasInstallScript === true || !!(s.preinstall || s.install || s.postinstall);
      }
      enriched.set(record.location, next);
    } catch (err) {
      enriched.set(record.location, { ...record, unavailable: fetchProblem(err) });
    }
  });

  // npm's implicit `node-gyp rebuild`: the other packages' tarballs, from npm's cache only
  const cachedTarball = options.fetcher.cachedTarball?.bind(options.fetcher);
  const candidates = options.gypScan === false ? [] : gypCandidates(tree, new Set(selected), options.targets);
  await mapLimit(candidates, concurrency, async (record) => {
    const entry = lockEntries.get(record.location);
    const integrity = entry?.integrity;
    if (!integrity) return;
    fetched.gypScan++;
    let index: TarballIndex | null = cache ? cache.get(integrity) : null;
    if (!index) {
      if (!cachedTarball) return void fetched.gypScanUncached++;
      try {
        const request = { name: record.name, version: record.version, integrity };
        index = await readTarball((handler) => cachedTarball(request, handler), { budget });
        if (cache) cache.set(integrity, index);
      } catch {
        fetched.gypScanUncached++;
        return;
      }
    }
    if (index.problem) return;
    const contents = tarballFiles(index);
    if (!contents.rootEntries.includes('binding.gyp') || !contents.manifest) return;
    const manifest = manifestFacts(contents.manifest);
    const s = manifest.scripts;
    if (manifest.gypfile === false || s.install !== undefined || s.preinstall !== undefined) return;
    fetched.implicitGyp.push(record.id);
    files.set(record.location, contents);
    enriched.set(record.location, {
      ...record,
      manifest,
      rootEntries: contents.rootEntries,
      manifestSource: 'package',
      hasInstallScript: true,
    });
  });

  const packages = tree.packages.map((p) => enriched.get(p.location) ?? p);
  const byLocation = new Map(packages.map((p) => [p.location, p]));

  // platform packages a parent names that the lockfile has no entry for: what would the target need?
  const unlockedWork: Array<{ parent: PackageRecord; name: string; spec: string; listed: boolean }> = [];
  for (const parent of packages) {
    if (parent.manifestSource !== 'package' || parent.isRoot) continue;
    const optional = parent.manifest.optionalDependencies;
    if (Object.keys(optional).length < 2 || !isFamilyParent(parent, byLocation)) continue;
    const listed = lockEntries.get(parent.location)?.optionalDependencies ?? {};
    for (const [name, spec] of Object.entries(optional)) {
      if (resolveFrom(byLocation, parent.location, name)) continue;
      unlockedWork.push({ parent, name, spec, listed: name in listed });
    }
  }
  const unlocked = new Map<string, UnlockedPackage[]>();
  await mapLimit(unlockedWork, concurrency, async ({ parent, name, spec, listed }) => {
    fetched.manifests.push(`${name}@${spec}`);
    const pkg: UnlockedPackage = { name, spec, version: null, listedInLockfile: listed };
    try {
      const raw = await options.fetcher.manifest(name, spec);
      const m = manifestFacts(raw);
      pkg.version = typeof raw.version === 'string' ? raw.version : null;
      if (m.os) pkg.os = m.os;
      if (m.cpu) pkg.cpu = m.cpu;
      if (m.libc) pkg.libc = m.libc;
    } catch (err) {
      pkg.unavailable = fetchProblem(err);
    }
    const list = unlocked.get(parent.location) ?? [];
    list.push(pkg);
    unlocked.set(parent.location, list);
  });
  for (const [location, list] of unlocked) {
    const record = byLocation.get(location)!;
    list.sort((a, b) => a.name.localeCompare(b.name));
    const withUnlocked = { ...record, unlocked: list };
    byLocation.set(location, withUnlocked);
  }
  fetched.tarballs.sort();
  fetched.manifests.sort();
  fetched.fromIndexCache.sort();
  fetched.implicitGyp.sort();
  return {
    tree: { ...tree, packages: packages.map((p) => byLocation.get(p.location) ?? p) },
    files,
    fetched,
  };
}
