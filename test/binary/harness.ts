import { expect } from 'vitest';
import { readBinaryFacts } from '../../src/binary/facts.js';
import { bufferSource } from '../../src/binary/source.js';
import { binaryNoteWords } from '../../src/report/binary-words.js';
import type { BinaryFacts, ByteSource } from '../../src/model/binary.js';

/**
 * Work limits for one parse of a damaged file. Real fixtures need at most ~130 reads; these
 * bounds are far above that and far below what an unbounded loop over a hostile count would do.
 * They stand in for a time limit, which a test must not assert.
 */
export const MAX_READS = 20_000;
export const MAX_BYTES_REQUESTED = 256 * 1024 * 1024;

export interface ParseRun {
  facts: BinaryFacts;
  reads: number;
  bytes: number;
  /** Every offset and end offset the parser asked for: the file's structural boundaries. */
  boundaries: Set<number>;
}

export function parse(bytes: Uint8Array): ParseRun {
  const inner = bufferSource(bytes);
  const run = { reads: 0, bytes: 0, boundaries: new Set<number>() };
  const source: ByteSource = {
    size: inner.size,
    read(offset, length) {
      run.reads++;
      run.bytes += Math.max(0, Math.min(length, inner.size - offset));
      run.boundaries.add(offset);
      run.boundaries.add(offset + length);
      return inner.read(offset, length);
    },
  };
  return { facts: readBinaryFacts(source), ...run };
}

const FORMATS = new Set(['elf', 'macho', 'pe', null]);
const KINDS = new Set(['napi', 'abi', 'unknown']);

/** What every parse must return, whatever the input. */
export function expectWellFormed(f: BinaryFacts, label = ''): void {
  const problems: string[] = [];
  if (!FORMATS.has(f.format)) problems.push(`format ${String(f.format)}`);
  if (f.arch !== null && typeof f.arch !== 'string') problems.push('arch');
  if (!Array.isArray(f.arches) || f.arches.some((a) => typeof a !== 'string')) problems.push('arches');
  if (f.arch !== null && !f.arches.includes(f.arch)) problems.push('arch not in arches');
  if (f.libc !== null && f.libc !== 'glibc' && f.libc !== 'musl') problems.push('libc');
  if (!Array.isArray(f.needed) || f.needed.some((n) => typeof n !== 'string')) problems.push('needed');
  for (const [field, list] of [
    ['cImports', f.cImports],
    ['runpath', f.runpath],
  ] as const) {
    if (list === undefined) continue;
    if (f.format !== 'elf') problems.push(`${field} on a non-ELF file`);
    if (!Array.isArray(list) || list.some((n) => typeof n !== 'string' || n.length === 0))
      problems.push(field);
  }
  if (f.cImports && (f.cImports.length > 2000 || new Set(f.cImports).size !== f.cImports.length))
    problems.push('cImports not capped and unique');
  for (const v of [f.glibcVersion, f.glibcxxVersion])
    if (v !== null && !/^\d+(\.\d+)+$/.test(v)) problems.push(`version ${v}`);
  if (!KINDS.has(f.module.kind)) problems.push('module');
  if (f.napiVersion !== null && !Number.isInteger(f.napiVersion)) problems.push('napiVersion');
  if (!Array.isArray(f.notes) || f.notes.length > 20) problems.push('notes');
  // every note is a code the renderer has words for
  else if (f.notes.some((n) => typeof n.code !== 'string' || binaryNoteWords(n).length === 0))
    problems.push('note');
  if (f.format === null && f.notes.length === 0) problems.push('no format and no note');
  expect(problems, label).toEqual([]);
}

/** Parses, and checks shape and work bounds. */
export function parseChecked(bytes: Uint8Array, label = ''): ParseRun {
  const run = parse(bytes);
  expectWellFormed(run.facts, label);
  expect(run.reads, `${label}: reads`).toBeLessThanOrEqual(MAX_READS);
  expect(run.bytes, `${label}: bytes requested`).toBeLessThanOrEqual(MAX_BYTES_REQUESTED);
  return run;
}
