import type { BinaryFacts } from '../model/binary.js';
import type { FileEntry, PackageFiles, TarballProblem } from '../model/package.js';

/**
 * What lockfile mode keeps of a package tarball (plain data, cached by integrity between runs) and
 * the PackageFiles view strategies read it through. Reading the tarball is tarball-files.ts.
 */

/** Why what a tarball holds cannot be trusted as read: the package is then as unavailable as a failed fetch. */
export type { TarballProblem } from '../model/package.js';

/**
 * What lockfile mode keeps of a package tarball, as plain data (cached by integrity between runs):
 * its package.json, every path, the text of the files its install scripts name, and the binary
 * facts of its `.node` files.
 */
export interface TarballIndex {
  manifest: Record<string, unknown> | null;
  /** File paths, package-relative. */
  files: string[];
  /** Directories the tarball lists explicitly (most are implied by the file paths). */
  dirs: string[];
  texts: Record<string, string>;
  facts: Record<string, BinaryFacts | null>;
  /** Set when the package.json or the listing could not be read whole. */
  problem?: TarballProblem;
}

/** A tarball as PackageFiles, with its manifest and top-level entries. */
export interface TarballFiles extends PackageFiles {
  /** The tarball's own package.json, or null when it has none (or it is not JSON). */
  manifest: Record<string, unknown> | null;
  /** Top-level entries, directories ending in `/` (what an installed folder's readdir gives). */
  rootEntries: string[];
  /** How many files the tarball holds. */
  fileCount: number;
}

/** The index as PackageFiles: listings built once, lookups by package-relative path. */
export function tarballFiles(index: TarballIndex): TarballFiles {
  // folder listings are built on first use: a big package (next has ten thousand files) is often
  // only asked for its top-level entries
  let children: Map<string, Map<string, boolean>> | null = null;
  const listings = new Map<string, FileEntry[] | null>();
  const tree = () => {
    if (children) return children;
    const built = new Map<string, Map<string, boolean>>([['', new Map()]]);
    const add = (path: string, isDir: boolean) => {
      const parts = path.split('/');
      let parent = '';
      for (let i = 0; i < parts.length; i++) {
        const name = parts[i]!;
        const dir = i < parts.length - 1 || isDir;
        let list = built.get(parent);
        if (!list) {
          list = new Map();
          built.set(parent, list);
        }
        if (!list.get(name)) list.set(name, dir);
        parent = parent ? `${parent}/${name}` : name;
        if (dir && !built.has(parent)) built.set(parent, new Map());
      }
    };
    for (const dir of index.dirs) add(dir, true);
    for (const file of index.files) add(file, false);
    children = built;
    return built;
  };
  const top = new Map<string, boolean>();
  for (const dir of index.dirs) {
    const slash = dir.indexOf('/');
    top.set(slash < 0 ? dir : dir.slice(0, slash), true);
  }
  for (const file of index.files) {
    const slash = file.indexOf('/');
    if (slash >= 0) top.set(file.slice(0, slash), true);
    else if (!top.has(file)) top.set(file, false);
  }
  const clean = (file: string) => file.replace(/^\.\//, '');
  return {
    manifest: index.manifest,
    rootEntries: [...top].map(([name, dir]) => (dir ? `${name}/` : name)),
    fileCount: index.files.length,
    list(dir) {
      const key = dir.replace(/\/+$/, '');
      let hit = listings.get(key);
      if (hit === undefined) {
        const list = tree().get(key);
        hit = list ? [...list].map(([name, isDir]) => ({ name, dir: isDir })) : null;
        listings.set(key, hit);
      }
      return hit;
    },
    exists(file) {
      const f = clean(file);
      const slash = f.lastIndexOf('/');
      return (
        tree()
          .get(slash < 0 ? '' : f.slice(0, slash))
          ?.has(slash < 0 ? f : f.slice(slash + 1)) ?? false
      );
    },
    readText(file, maxBytes = 1024 * 1024) {
      const text = index.texts[clean(file)];
      return text === undefined ? null : text.length > maxBytes ? text.slice(0, maxBytes) : text;
    },
    facts: (file) => index.facts[clean(file)] ?? null,
  };
}
