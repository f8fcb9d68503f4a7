import { readdirSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { FILE_LIMITS } from '../io/files.js';
import { CodedError } from '../model/errors.js';
import type { ProjectFileReader, TreeErrorFact } from '../model/errors.js';

/**
 * The project's own files and the one readdir each package gets: checked to be regular files of a
 * sane size before Arborist, npm's config loader or native-guard read them whole.
 */

/** A tree that cannot be loaded: `code` is the errno (or ENOPACKAGEJSON, ELOCKFILE, …), `path` the file or folder. */
export class TreeError extends CodedError<'tree'> {
  readonly path: string;
  constructor(fact: TreeErrorFact, code: string, path: string) {
    super('tree', fact, code);
    this.name = 'TreeError';
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
function unreadableFile(
  file: string,
  stat: Stats,
  limit: number,
  reader: ProjectFileReader,
): TreeError | null {
  if (!stat.isFile()) {
    const folder = stat.isDirectory();
    return new TreeError({ why: 'not-regular', file, folder, reader }, folder ? 'EISDIR' : 'ENOTREG', file);
  }
  if (stat.size > limit) {
    return new TreeError({ why: 'too-large', file, limit, size: stat.size, reader }, 'EFBIG', file);
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
          throw new TreeError({ why: 'no-package-json', root }, 'ENOPACKAGEJSON', root);
        continue;
      }
      throw new TreeError({ why: 'cannot-read', file, error: (err as Error).message }, code ?? 'EREAD', file);
    }
    const problem = unreadableFile(file, stat, limit, 'project');
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
  // Arborist reads it: a bad one is removed, npm writes it again on the next install
  const problem = unreadableFile(hidden, stat, FILE_LIMITS.lockfile, 'hidden-lockfile');
  if (problem) throw problem;
}
