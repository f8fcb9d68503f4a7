/** pnpm's dependency paths (`/name@1.0.0(peer@2)`, v5/v6/v9 forms) and resolutions, as @pnpm/dependency-path reads them. */
import semver from 'semver';
import { isRecord, ownString } from './shared.js';
import type { PackageSource } from './types.js';

export type Format = 'v5' | 'v6' | 'v9';

export function refToRelative(format: Format, ref: string, name: string): string {
  if (format === 'v9') {
    if (ref.startsWith('@')) return ref;
    const at = ref.indexOf('@');
    if (at === -1) return `${name}@${ref}`;
    const colon = ref.indexOf(':');
    const bracket = ref.indexOf('(');
    if ((colon === -1 || at < colon) && (bracket === -1 || at < bracket)) return ref;
    return `${name}@${ref}`;
  }
  if (ref.startsWith('file:')) return ref;
  if (format === 'v6') {
    const bracket = ref.indexOf('(');
    if (!ref.includes('/') || (bracket !== -1 && ref.lastIndexOf('/', bracket) === -1)) {
      return `/${name}@${ref}`;
    }
    return ref;
  }
  return ref.includes('/') ? ref : `/${name}/${ref}`;
}

/** Where the `(peers)` and `(patch_hash=…)` suffixes of a dependency path start (pnpm's own rule). */
export function indexOfDepPathSuffix(depPath: string): { peersIndex: number; patchHashIndex: number } {
  if (!depPath.endsWith(')')) return { peersIndex: -1, patchHashIndex: -1 };
  let open = 1;
  for (let i = depPath.length - 2; i >= 0; i--) {
    const c = depPath[i];
    if (c === '(') open--;
    else if (c === ')') open++;
    else if (!open) {
      if (depPath.startsWith('(patch_hash=', i + 1)) {
        return { patchHashIndex: i + 1, peersIndex: depPath.indexOf('(', i + 2) };
      }
      return { patchHashIndex: -1, peersIndex: i + 1 };
    }
  }
  return { peersIndex: -1, patchHashIndex: -1 };
}

export function removePeersSuffix(depPath: string): string {
  const { peersIndex } = indexOfDepPathSuffix(depPath);
  return peersIndex === -1 ? depPath : depPath.slice(0, peersIndex);
}

export function removeSuffix(depPath: string): string {
  const { peersIndex, patchHashIndex } = indexOfDepPathSuffix(depPath);
  const cut = patchHashIndex !== -1 ? patchHashIndex : peersIndex;
  return cut === -1 ? depPath : depPath.slice(0, cut);
}

/** `later` overridden by `first` (Object.fromEntries keeps a `__proto__` key an own key). */
export function union(later: Record<string, string>, first: Record<string, string>): Record<string, string> {
  return Object.fromEntries([...Object.entries(later), ...Object.entries(first)]);
}

/** `slot`: the version part of the entry's key (`1.0.0`, `file:…`, a URL). */
export function describeResolution(
  resolution: unknown,
  slot: string,
): { source: PackageSource; resolved?: string; integrity?: string } {
  const integrity = ownString(resolution, 'integrity');
  const tarball = ownString(resolution, 'tarball');
  const type = ownString(resolution, 'type');
  const withIntegrity = <T extends object>(o: T) => (integrity === undefined ? o : { ...o, integrity });
  if (type === 'directory') {
    const directory = ownString(resolution, 'directory');
    return withIntegrity({ source: 'directory' as const, ...(directory ? { resolved: directory } : {}) });
  }
  const repo = ownString(resolution, 'repo');
  if (type === 'git' || repo !== undefined) {
    const commit = ownString(resolution, 'commit');
    return withIntegrity({
      source: 'git' as const,
      ...(repo ? { resolved: commit ? `${repo}#${commit}` : repo } : {}),
    });
  }
  if (tarball !== undefined) {
    if (tarball.startsWith('file:')) return withIntegrity({ source: 'file' as const, resolved: tarball });
    // a registry package from a registry other than the default keeps its tarball URL
    const source = semver.valid(slot) ? ('registry' as const) : ('tarball' as const);
    return withIntegrity({ source, resolved: tarball });
  }
  if (type !== undefined) return withIntegrity({ source: 'other' as const });
  return withIntegrity({ source: isRecord(resolution) ? ('registry' as const) : ('other' as const) });
}
