import { readdirSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { FILE_LIMITS } from '../io/files.js';

/**
 * The project's own files and the one readdir each package gets: checked to be regular files of a
 * sane size before Arborist, npm's config loader or native-guard read them whole.
 */

export class TreeError extends Error {
  readonly code: string;
  readonly path: string;
  constructor(message: string, code: string, path: string) {
    super(message);
    this.name = 'TreeError';
    this.code = code;
    this.path = path;
  }
}

/** One readdir of the package folder: the single cheap look every package gets. */
export function listRootEntries(path: string): {
  entries: string[] | null;
  error: NodeJS.ErrnoException | null;
} {
  try {
    const dirents = readdirSync(path, { withFileTypes: true });
    return { entries: dirents.map((d) => (d.isDirectory() ? `${d.name}/` : d.name)), error: null };
  } catch (err) {
    return { entries: null, error: err as NodeJS.ErrnoException };
  }
}

/** Files at the project root that npm, Arborist or native-guard read whole, package.json first, with their size limits. */
const PROJECT_FILES: Array<[string, number]> = [
  ['package.json', FILE_LIMITS.manifest],
  ['npm-shrinkwrap.json', FILE_LIMITS.lockfile],
  ['package-lock.json', FILE_LIMITS.lockfile],
  ['yarn.lock', FILE_LIMITS.lockfile],
  ['.npmrc', FILE_LIMITS.config],
  ['pnpm-workspace.yaml', FILE_LIMITS.config],
];

/** Why `file` cannot be read whole, as a TreeError; null when it is a regular file within `limit`. */
function unreadableFile(file: string, stat: Stats, limit: number, consequence: string): TreeError | null {
  if (!stat.isFile()) {
    return new TreeError(
      `${file} is ${stat.isDirectory() ? 'a folder' : 'not a regular file (a FIFO, socket or device)'}: ${consequence}`,
      stat.isDirectory() ? 'EISDIR' : 'ENOTREG',
      file,
    );
  }
  if (stat.size > limit) {
    return new TreeError(
      `${file} is larger than ${limit / (1024 * 1024)} MiB (${stat.size} bytes): ${consequence}`,
      'EFBIG',
      file,
    );
  }
  return null;
}

/**
 * The project's own files must be regular files of a sane size before anything reads them: a FIFO
 * named package.json or package-lock.json would make every reader (Arborist's and npm's config
 * loader included) wait for a writer forever, a link to /dev/zero would read until memory ran out.
 * package.json must exist; the others may not.
 */
export function assertProjectFiles(root: string): void {
  for (const [name, limit] of PROJECT_FILES) {
    const file = join(root, name);
    let stat;
    try {
      stat = statSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (name === 'package.json')
          throw new TreeError(`no package.json in ${root}`, 'ENOPACKAGEJSON', root);
        continue;
      }
      throw new TreeError(`cannot read ${file}: ${(err as Error).message}`, code ?? 'EREAD', file);
    }
    const problem = unreadableFile(file, stat, limit, 'npm and native-guard cannot read it');
    if (problem) throw problem;
  }
}

/**
 * npm's hidden lockfile, which Arborist reads whole before anything else, must not be a FIFO or a
 * device either, nor a link to one.
 */
export function assertHiddenLockfile(root: string): void {
  const hidden = join(root, 'node_modules', '.package-lock.json');
  let stat;
  try {
    stat = statSync(hidden);
  } catch {
    // absent, or a dangling link: Arborist reads the folders instead
    return;
  }
  const problem = unreadableFile(
    hidden,
    stat,
    FILE_LIMITS.lockfile,
    "npm's tree reader cannot read it; remove it (npm writes it again on the next install)",
  );
  if (problem) throw problem;
}
