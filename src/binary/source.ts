import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../model/binary.js';

/** A ByteSource that also owns an OS resource. */
export interface ClosableByteSource extends ByteSource {
  close(): void;
}

function clampRange(size: number, offset: number, length: number): [number, number] | null {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) return null;
  if (offset < 0 || length <= 0 || offset >= size) return null;
  return [offset, Math.min(length, size - offset)];
}

const EMPTY = new Uint8Array(0);

/** Zero-copy reads over bytes already in memory (tests, fuzzing, slices of a larger file). */
export function bufferSource(buf: Uint8Array): ByteSource {
  return {
    size: buf.length,
    read(offset, length) {
      const range = clampRange(buf.length, offset, length);
      return range ? buf.subarray(range[0], range[0] + range[1]) : EMPTY;
    },
  };
}

/** A window [offset, offset + size) of another source, e.g. one slice of a Mach-O universal file. */
export function sliceSource(source: ByteSource, offset: number, size: number): ByteSource {
  const start = Math.max(0, Math.min(offset, source.size));
  const length = Math.max(0, Math.min(size, source.size - start));
  return {
    size: length,
    read(at, count) {
      const range = clampRange(length, at, count);
      return range ? source.read(start + range[0], range[1]) : EMPTY;
    },
  };
}

// Parsers read many small fields (a u32 here, a name there) from scattered places; one
// pread per field would cost a syscall each, so small reads are served from aligned pages.
const PAGE_SIZE = 64 * 1024;
const MAX_CACHED_PAGES = 32;

/**
 * Positioned reads over an open file descriptor: only the ranges a parser asks for are read,
 * so a 200 MB addon costs its headers and symbol tables, not 200 MB of memory.
 * Opening throws the fs error (ENOENT, EACCES, …), or one with code `EISDIR`/`ENOTREG` for
 * anything but a regular file; after that, read errors (EIO, a file truncated while open) end a
 * read early instead of throwing.
 */
export function openFileSource(path: string): ClosableByteSource {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  let size: number;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const code = stat.isDirectory() ? 'EISDIR' : 'ENOTREG';
      throw Object.assign(new Error(`${path}: not a regular file`), { code, path });
    }
    size = stat.size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let closed = false;
  const pages = new Map<number, Uint8Array>();

  const readDirect = (offset: number, length: number): Uint8Array => {
    const out = new Uint8Array(length);
    let done = 0;
    // Bounded: each iteration either advances or stops.
    while (done < length && !closed) {
      let n: number;
      try {
        n = readSync(fd, out, done, length - done, offset + done);
      } catch {
        break;
      }
      if (n <= 0) break;
      done += n;
    }
    return done === length ? out : out.subarray(0, done);
  };

  const page = (index: number): Uint8Array => {
    let cached = pages.get(index);
    if (!cached) {
      if (pages.size >= MAX_CACHED_PAGES) pages.clear();
      const start = index * PAGE_SIZE;
      cached = readDirect(start, Math.min(PAGE_SIZE, size - start));
      pages.set(index, cached);
    }
    return cached;
  };

  return {
    size,
    read(offset, length) {
      const range = clampRange(size, offset, length);
      if (!range || closed) return EMPTY;
      const [start, count] = range;
      const first = Math.floor(start / PAGE_SIZE);
      const last = Math.floor((start + count - 1) / PAGE_SIZE);
      if (count > PAGE_SIZE || first !== last) return readDirect(start, count);
      const data = page(first);
      const from = start - first * PAGE_SIZE;
      return data.subarray(Math.min(from, data.length), Math.min(from + count, data.length));
    },
    close() {
      if (closed) return;
      closed = true;
      pages.clear();
      closeSync(fd);
    },
  };
}
