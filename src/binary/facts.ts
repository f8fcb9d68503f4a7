import { readElfFacts } from './elf.js';
import { emptyFacts } from './empty.js';
import { isMachOMagic, readMachOFacts } from './macho.js';
import { readPeFacts } from './pe.js';
import { latin1 } from './reader.js';
import { openFileSource } from './source.js';
import type { BinaryFacts, BinaryNote, ByteSource } from '../model/binary.js';

/**
 * What a `.node` file is, from its headers: picks the parser by magic number. Pure over `source`
 * and never throws: anything it cannot establish is null, with a note saying why.
 */
export function readBinaryFacts(source: ByteSource): BinaryFacts {
  if (source.size === 0) return emptyFacts(null, { code: 'EMPTY_FILE' });
  const head = source.read(0, 64);
  if (head.length < 4) return emptyFacts(null, { code: 'TOO_SHORT', size: source.size });
  const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  if (be === 0x7f454c46) return readElfFacts(source);
  if (head[0] === 0x4d && head[1] === 0x5a) return readPeFacts(source);
  if (isMachOMagic(be)) return readMachOFacts(source);
  return emptyFacts(null, describeUnknown(head));
}

function describeUnknown(head: Uint8Array): BinaryNote {
  const text = latin1(head);
  if (text.startsWith('version https://git-lfs')) return { code: 'NOT_A_BINARY', kind: 'git-lfs-pointer' };
  if (/^[\t\n\r\x20-\x7e]+$/.test(text)) return { code: 'NOT_A_BINARY', kind: 'text' };
  const hex = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return { code: 'NOT_A_BINARY', kind: 'other', head: hex };
}

function fsNote(error: unknown): BinaryNote {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return { code: 'CANNOT_READ', errorCode: code };
  return {
    code: 'CANNOT_READ',
    errorCode: null,
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Facts of the file at `path`. Reads only the headers and tables the parsers ask for. File-system
 * errors become `format: null` with a `CANNOT_READ` note; it never throws, because a lifecycle hook must not
 * fail an install over one odd file.
 */
export function inspectFile(path: string): BinaryFacts {
  let source;
  try {
    source = openFileSource(path);
  } catch (error) {
    return emptyFacts(null, fsNote(error));
  }
  try {
    return readBinaryFacts(source);
  } catch (error) {
    // The parsers are written and fuzzed not to throw; this keeps a bug in them from escaping I/O callers.
    return emptyFacts(null, {
      code: 'PARSER_ERROR',
      message: error instanceof Error ? error.message : String(error),
    });
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
