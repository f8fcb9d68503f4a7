import type { BinaryFacts, BinaryFormat, BinaryNote } from '../model/binary.js';

/** Facts about a file nothing could be established for (yet): every parser starts from this. */
export function emptyFacts(format: BinaryFormat | null, note?: BinaryNote): BinaryFacts {
  return {
    format,
    arch: null,
    arches: [],
    platform: null,
    libc: null,
    needed: [],
    glibcVersion: null,
    glibcxxVersion: null,
    module: { kind: 'unknown' },
    napiVersion: null,
    notes: note ? [note] : [],
  };
}
