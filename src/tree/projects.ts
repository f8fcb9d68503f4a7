import { readdirSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join, posix } from 'node:path';

/** Folders never walked: installed trees are read through Arborist, the rest are caches and VCS data. */
const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'coverage', 'bower_components', 'jspm_packages']);

export interface WalkLimits {
  /** Levels below the start folder. */
  maxDepth: number;
  /** Folders read in all, so that a huge checkout cannot make the walk unbounded. */
  maxDirs: number;
}

export const PROJECT_WALK: WalkLimits = { maxDepth: 6, maxDirs: 20_000 };
export const PACKAGE_WALK: WalkLimits = { maxDepth: 8, maxDirs: 2_000 };

function readDir(path: string): Dirent[] | null {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return null;
  }
}

const skipped = (name: string) => SKIP_DIRS.has(name) || name.startsWith('.');

/**
 * Independent projects below `root`: folders with their own package.json and node_modules, found
 * outside node_modules (e.g. `skills/db`, `plugins/x`), where a binary built on a developer's
 * machine ends up in an image. Symbolic links are not followed, dot folders are skipped, and the
 * walk is bounded. Returns POSIX paths relative to `root`, sorted, parents before children.
 */
export function findNestedProjects(root: string, limits: WalkLimits = PROJECT_WALK): string[] {
  const found: string[] = [];
  let dirs = 0;
  let level: string[] = [''];
  for (let depth = 0; depth <= limits.maxDepth && level.length; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      if (++dirs > limits.maxDirs) return found.sort();
      const entries = readDir(join(root, rel));
      if (!entries) continue;
      if (rel !== '') {
        const hasManifest = entries.some(
          (e) => e.name === 'package.json' && (e.isFile() || isFileLink(root, rel, e)),
        );
        const hasModules = entries.some(
          (e) => e.name === 'node_modules' && (e.isDirectory() || isDirLink(root, rel, e)),
        );
        if (hasManifest && hasModules) found.push(rel);
      }
      for (const e of entries) {
        // a symlinked folder may point anywhere, including back up: never followed
        if (e.isDirectory() && !skipped(e.name)) next.push(rel ? `${rel}/${e.name}` : e.name);
      }
    }
    level = next;
  }
  return found.sort();
}

function isFileLink(root: string, rel: string, e: Dirent): boolean {
  if (!e.isSymbolicLink()) return false;
  try {
    return statSync(join(root, rel, e.name)).isFile();
  } catch {
    return false;
  }
}

function isDirLink(root: string, rel: string, e: Dirent): boolean {
  if (!e.isSymbolicLink()) return false;
  try {
    return statSync(join(root, rel, e.name)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every `.node` file in a folder: a package's, or a project's own files. Skips node_modules (other
 * packages, walked as themselves), dot folders, the folders in `exclude` (relative POSIX paths:
 * nested projects and workspaces, walked as themselves) and node-gyp's intermediate copies under
 * `build/<config>/obj.target` and `obj`, which nothing loads. Symbolic links to folders are not
 * followed. Returns POSIX paths relative to `dir`, sorted.
 */
export function findNodeFiles(
  dir: string,
  options: { exclude?: ReadonlySet<string>; limits?: WalkLimits } = {},
): string[] {
  const limits = options.limits ?? PACKAGE_WALK;
  const out: string[] = [];
  let dirs = 0;
  const walk = (rel: string, depth: number) => {
    if (depth > limits.maxDepth || ++dirs > limits.maxDirs) return;
    const entries = readDir(join(dir, rel));
    if (!entries) return;
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (skipped(e.name) || options.exclude?.has(child)) continue;
        if ((e.name === 'obj.target' || e.name === 'obj') && /(?:^|\/)build\/[^/]+$/.test(rel)) continue;
        walk(child, depth + 1);
      } else if (e.name.endsWith('.node') && (e.isFile() || isFileLink(dir, rel, e))) {
        out.push(child);
      }
    }
  };
  walk('', 0);
  return out.sort();
}

/** Whether `rel` (POSIX, relative) lies inside folder `dir` (POSIX, relative; '' is everything). */
export const isInside = (rel: string, dir: string): boolean =>
  dir === '' || rel === dir || rel.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

export const toPosixRelative = (p: string) => posix.normalize(p.replace(/\\/g, '/'));
