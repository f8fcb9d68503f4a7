import { resolveFrom } from '../model/resolve.js';
import type { LockEntry, PackageRecord, ProjectTree } from '../model/package.js';
import type { NativePackage, PlatformCandidate } from '../model/prediction.js';

export type CandidateResolver = (pkg: PackageRecord) => (name: string, spec: string) => PlatformCandidate;

/**
 * A dependency as npm would resolve it from a package's folder: the record the tree resolved the
 * edge to (or Node's node_modules walk up), else the lockfile entry npm skipped on this machine,
 * else (lockfile mode) a platform package the registry knows but the lockfile lacks.
 */
export function candidateResolver(tree: ProjectTree): CandidateResolver {
  const byLocation = new Map(tree.packages.map((p) => [p.location, p]));
  const lockEntries: Map<string, LockEntry> = tree.lockfile?.entries ?? new Map();
  return (pkg) => (name, spec) => {
    const dep = pkg.dependencies.find((d) => d.name === name);
    const record =
      dep?.location != null ? byLocation.get(dep.location) : resolveFrom(byLocation, pkg.location, name);
    if (record)
      return record.unavailable ? { source: 'unavailable', record } : { source: 'installed', record };
    const entry = resolveFrom(lockEntries, pkg.location, name);
    if (entry) return { source: 'lockfile', entry };
    const unlocked = pkg.unlocked?.find((u) => u.name === name && !u.unavailable);
    if (unlocked) return { source: 'registry', unlocked };
    return { source: 'missing', name, spec };
  };
}

/**
 * Installed platform packages are reported through the package that picks them, not as packages of
 * their own: the candidates of platform-packages links, and the optionalDependencies that
 * node-gyp-build-optional-packages looks in (`@lmdb/lmdb-linux-x64`).
 */
export function platformPackageLocations(
  natives: NativePackage[],
  resolverFor: CandidateResolver,
): Set<string> {
  const out = new Set<string>();
  for (const native of natives) {
    const resolve = resolverFor(native.pkg);
    for (const link of native.chain) {
      const names =
        link.strategy === 'platform-packages'
          ? link.candidates
          : link.strategy === 'node-gyp-build' && link.optionalPackages
            ? Object.keys(native.pkg.manifest.optionalDependencies)
            : [];
      for (const name of names) {
        const cand = resolve(name, '*');
        if (cand.source === 'installed') out.add(cand.record.location);
      }
    }
  }
  return out;
}
