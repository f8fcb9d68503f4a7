import { readElfFacts } from './elf.js';
import { emptyFacts } from './empty.js';
import { isMachOMagic, readMachOFacts } from './macho.js';
import { readPeFacts } from './pe.js';
import { latin1 } from './reader.js';
import { openFileSource } from './source.js';
import type { BinaryFacts, ByteSource } from '../model/binary.js';

/**
 * What a `.node` file is, from its headers: picks the parser by magic number. Pure over `source`
 * and never throws: anything it cannot establish is null, with a `reason`.
 */
export function readBinaryFacts(source: ByteSource): BinaryFacts {
  if (source.size === 0) return emptyFacts(null, 'empty file');
  const head = source.read(0, 64);
  if (head.length < 4) return emptyFacts(null, `file too short (${source.size} bytes) to be a binary`);
  const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  if (be === 0x7f454c46) return readElfFacts(source);
  if (head[0] === 0x4d && head[1] === 0x5a) return readPeFacts(source);
  if (isMachOMagic(be)) return readMachOFacts(source);
  return emptyFacts(null, describeUnknown(head));
}

function describeUnknown(head: Uint8Array): string {
  const text = latin1(head);
  if (text.startsWith('version https://git-lfs')) return 'a Git LFS pointer, not the binary it stands for';
  if (/^[\t\n\r\x20-\x7e]+$/.test(text)) return 'a text file, not a binary';
  const hex = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `not an ELF, Mach-O or PE file (starts ${hex})`;
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  ENOTDIR: 'a parent of the path is not a directory',
  EISDIR: 'a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'symlink loop',
  ENAMETOOLONG: 'path too long',
  EMFILE: 'too many open files',
  // openFileSource's code for FIFOs, sockets and devices, which it refuses to read.
  ENOTREG: 'not a regular file',
};

function fsReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return `cannot read: ${FS_REASONS[code] ?? code}`;
  return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Facts of the file at `path`. Reads only the headers and tables the parsers ask for. File-system
 * errors become `format: null` with a reason; it never throws, because a lifecycle hook must not
 * fail an install over one odd file.
 */
export function inspectFile(path: string): BinaryFacts {
  let source;
  try {
    source = openFileSource(path);
  } catch (error) {
    return emptyFacts(null, fsReason(error));
  }
  try {
    return readBinaryFacts(source);
  } catch (error) {
    // The parsers are written and fuzzed not to throw; this keeps a bug in them from escaping I/O callers.
    return emptyFacts(
      null,
      `internal error while parsing: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    try {
      source.close();
    } catch {
      // Nothing useful to do if close fails; the facts are already read.
    }
  }
}

/** Facts of each path, in the order given (duplicates are read once). */
export function inspectFiles(paths: Iterable<string>): Map<string, BinaryFacts> {
  const out = new Map<string, BinaryFacts>();
  for (const path of paths) if (!out.has(path)) out.set(path, inspectFile(path));
  return out;
}
