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
import type { BinaryFacts } from '../binary/types.js';
import type { FileEntry, PackageFiles } from '../strategies/types.js';

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

/** Reads at most maxBytes of a file as UTF-8; null when it is not a readable file. */
export function readBounded(path: string, maxBytes: number): string | null {
  try {
    return readRegularFile(path, maxBytes);
  } catch {
    return null;
  }
}

/**
 * Reads a regular file as UTF-8 (at most maxBytes), without ever blocking: a FIFO named
 * package.json or package-lock.json would make a plain readFileSync wait for a writer forever.
 * Throws the fs error (ENOENT, EACCES…), or one coded `EISDIR` / `ENOTREG` for anything that is
 * not a regular file.
 */
export function readRegularFile(path: string, maxBytes = Infinity): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const code = stat.isDirectory() ? 'EISDIR' : 'ENOTREG';
      const what = stat.isDirectory() ? 'a folder' : 'not a regular file (a FIFO, socket or device)';
      throw Object.assign(new Error(`${path} is ${what}`), { code, path });
    }
    const size = Math.min(stat.size, maxBytes);
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
