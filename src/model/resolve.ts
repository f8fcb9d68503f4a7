import { posix } from 'node:path';

/**
 * Where Node's resolution (and npm's placement) would find `name` starting from the package at
 * `fromLocation`: its own node_modules, then each ancestor's, up to the root's.
 */
export function candidateLocations(fromLocation: string, name: string): string[] {
  const out: string[] = [];
  let loc = fromLocation;
  for (;;) {
    out.push(loc ? `${loc}/node_modules/${name}` : `node_modules/${name}`);
    if (!loc) break;
    const idx = loc.lastIndexOf('/node_modules/');
    if (idx >= 0) {
      loc = loc.slice(0, idx);
    } else if (loc.startsWith('node_modules/')) {
      loc = '';
    } else {
      // a workspace or nested folder (`packages/a`): its parent folder chain up to the root
      const parent = posix.dirname(loc);
      loc = parent === '.' ? '' : parent;
    }
  }
  return out;
}

export function resolveFrom<T>(entries: Map<string, T>, fromLocation: string, name: string): T | undefined {
  for (const loc of candidateLocations(fromLocation, name)) {
    const hit = entries.get(loc);
    if (hit) return hit;
  }
  return undefined;
}
