import type { FileEntry, PackageFiles } from '../../src/model/package.js';

/** A package holding exactly these files (paths relative to its root). */
export function packageFiles(paths: string[]): PackageFiles {
  const list = (dir: string): FileEntry[] | null => {
    const prefix = dir ? `${dir}/` : '';
    const names = new Map<string, boolean>();
    for (const p of paths) {
      if (!p.startsWith(prefix)) continue;
      const [head, ...rest] = p.slice(prefix.length).split('/');
      names.set(head!, rest.length > 0 || names.get(head!) === true);
    }
    return names.size ? [...names].map(([name, dir]) => ({ name, dir })) : null;
  };
  return {
    list,
    exists: (f) => paths.includes(f),
    readText: () => null,
    facts: () => null,
  };
}
