import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import type { BinaryFacts } from '../model/binary.js';
import type { FileEntry, PackageFiles } from '../model/package.js';

export type FactsReader = (absolutePath: string) => BinaryFacts | null;

/** A package's installed folder as PackageFiles. Listings are cached: strategies ask repeatedly per target. */
export function folderFiles(root: string, readFacts: FactsReader): PackageFiles & { root: string } {
  const lists = new Map<string, FileEntry[] | null>();
  const facts = new Map<string, BinaryFacts | null>();
  return {
    root,
    list(dir) {
      let hit = lists.get(dir);
      if (hit === undefined) {
        hit = listFolder(join(root, dir));
        lists.set(dir, hit);
      }
      return hit;
    },
    exists(file) {
      return existsSync(join(root, file));
    },
    readText(file, maxBytes = 1024 * 1024) {
      return readBounded(join(root, file), maxBytes);
    },
    facts(file) {
      let hit = facts.get(file);
      if (hit === undefined) {
        hit = readFacts(join(root, file));
        facts.set(file, hit);
      }
      return hit;
    },
  };
}

function listFolder(path: string): FileEntry[] | null {
  try {
    return readdirSync(path, { withFileTypes: true }).map((d) => {
      let dir = d.isDirectory();
      if (d.isSymbolicLink()) {
        try {
          dir = statSync(join(path, d.name)).isDirectory();
        } catch {
          dir = false;
        }
      }
      return { name: d.name, dir };
    });
  } catch {
    return null;
  }
}

const MiB = 1024 * 1024;

/**
 * How large a file read whole may be. Far above real files, far below what would exhaust memory or
 * V8's string limit (~512 MiB): a larger file is an error naming it (`EFBIG`), never a crash.
 */
export const FILE_LIMITS = {
  /** package.json: an old publish can inline a readme of a few MB. */
  manifest: 64 * MiB,
  /** package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json, yarn.lock. */
  lockfile: 256 * MiB,
  /** Dockerfile, .dockerignore, .npmrc, pnpm-workspace.yaml. */
  config: 4 * MiB,
} as const;

/** Reads at most maxBytes of a file as UTF-8 (the rest is left unread); null when it is not a readable file. */
export function readBounded(path: string, maxBytes: number): string | null {
  try {
    return readRegular(path, maxBytes, false);
  } catch {
    return null;
  }
}

/**
 * Reads a regular file whole as UTF-8, without ever blocking: a FIFO named package.json or
 * package-lock.json would make a plain readFileSync wait for a writer forever, and a link to
 * /dev/zero would read until memory ran out. Throws the fs error (ENOENT, EACCES…), or one coded
 * `EISDIR` / `ENOTREG` for anything that is not a regular file, or `EFBIG` for one over `limit`.
 */
export function readRegularFile(path: string, limit: number = FILE_LIMITS.lockfile): string {
  return readRegular(path, limit, true);
}

const formatBytes = (n: number): string => (n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`);

function readRegular(path: string, max: number, wholeOrError: boolean): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const code = stat.isDirectory() ? 'EISDIR' : 'ENOTREG';
      const what = stat.isDirectory() ? 'a folder' : 'not a regular file (a FIFO, socket or device)';
      throw Object.assign(new Error(`${path} is ${what}`), { code, path });
    }
    if (wholeOrError && stat.size > max) {
      throw Object.assign(new Error(`${path} is larger than ${formatBytes(max)} (${stat.size} bytes)`), {
        code: 'EFBIG',
        path,
        limit: max,
      });
    }
    const size = Math.min(stat.size, max);
    const buf = Buffer.alloc(size);
    let total = 0;
    while (total < size) {
      const n = readSync(fd, buf, total, size - total, total);
      if (n === 0) break;
      total += n;
    }
    return buf.subarray(0, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** JSON.parse that accepts a leading byte-order mark, as npm's own package.json reader does. */
export const parseJsonText = (text: string): unknown =>
  JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
