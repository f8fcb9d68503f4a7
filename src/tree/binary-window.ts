import { emptyFacts } from '../binary/empty.js';
import { readBinaryFacts } from '../binary/facts.js';
import type { BinaryFacts, BinaryFormat, ByteSource } from '../model/binary.js';

/** A byte range [start, end) of one file. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Bytes kept for `.node` files across every tarball read at once. A reader asks for its share
 * before it keeps anything and waits, first come first served, while others hold it; a reader never
 * asks again while it holds a share, so no two wait on each other.
 */
export class ByteBudget {
  private held = 0;
  private readonly queue: Array<{ bytes: number; grant: () => void }> = [];
  /** The most bytes granted at once (the bench and the tests read it). */
  peak = 0;

  constructor(readonly total: number) {}

  /** Waits until `bytes` (at most the total) are free; the function returned gives them back. */
  async acquire(bytes: number): Promise<() => void> {
    const n = Math.min(Math.max(0, Math.ceil(bytes)), this.total);
    if (this.queue.length === 0 && this.held + n <= this.total) this.take(n);
    else await new Promise<void>((grant) => this.queue.push({ bytes: n, grant }));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.held -= n;
      this.serve();
    };
  }

  private take(n: number): void {
    this.held += n;
    this.peak = Math.max(this.peak, this.held);
  }

  private serve(): void {
    while (this.queue.length > 0 && this.held + this.queue[0]!.bytes <= this.total) {
      const next = this.queue.shift()!;
      this.take(next.bytes);
      next.grant();
    }
  }
}

export interface WindowLimits {
  /** The most bytes of one file kept: the whole file when it fits, else its head and the ranges the parsers read. */
  cap: number;
  /** Of a file bigger than `cap`, what is kept from its start before the parsers are asked what else they read. */
  head: number;
  /** Parser runs while one file streams past; the run at its end always happens. */
  maxParses: number;
}

/** More pieces than this and a file is read no further: every real binary needs a few dozen. */
const MAX_PIECES = 1024;
const EMPTY = new Uint8Array(0);

interface Piece extends ByteRange {
  data: Buffer;
}

/** How one read of a file as it streamed past ended. */
export type CaptureResult =
  | { done: true; facts: BinaryFacts }
  /** The parsers read ranges that had streamed past before they were known: read again, keeping `wants`. */
  | { done: false; format: BinaryFormat | null; wants: ByteRange[]; fits: boolean };

/**
 * One `.node` file as it streams past, once. A file that fits `cap` is kept whole. Of a bigger one,
 * `wants` are kept (its head, on a first read) and, as each kept range fills, the binary parsers run
 * on what is kept so far: a range they read that is still ahead is kept when it comes. At the end
 * they run once more; if they read nothing that was not kept, their facts are exactly those of the
 * whole file (they are pure: the same bytes read, the same answer). Otherwise the ranges of that
 * last run are what a next read of the tarball keeps from the start.
 */
export class BinaryCapture {
  /** Sorted by start, disjoint. */
  private readonly pieces: Piece[] = [];
  private kept = 0;
  private position = 0;
  private parses = 0;

  constructor(
    readonly size: number,
    private readonly limits: WindowLimits,
    wants: readonly ByteRange[],
  ) {
    if (size <= limits.cap) this.want({ start: 0, end: size });
    else for (const r of wants) this.want(r);
  }

  /** Bytes held for this file. Never more than `limits.cap`. */
  get keptBytes(): number {
    return this.kept;
  }

  /** The next bytes of the file, in order. */
  write(chunk: Uint8Array): void {
    const from = this.position;
    const to = Math.min(this.size, from + chunk.length);
    let filled = false;
    for (const p of this.pieces) {
      if (p.end <= from || p.start >= to) continue;
      const start = Math.max(p.start, from);
      const end = Math.min(p.end, to);
      p.data.set(chunk.subarray(start - from, end - from), start - p.start);
      if (end === p.end) filled = true;
    }
    this.position = to;
    if (filled && this.size > this.limits.cap && this.parses < this.limits.maxParses) {
      this.parses++;
      // what the parsers read that is still ahead is kept when it comes; what is behind waits for
      // the last run, which decides
      for (const r of this.run().reads) if (r.start >= this.position) this.want(r);
    }
  }

  /** After the last byte: the facts, or what a next read must keep. */
  finish(): CaptureResult {
    const { facts, reads, missed } = this.run();
    if (!missed) return { done: true, facts };
    return { done: false, format: facts.format, wants: reads, fits: bytesIn(reads) <= this.limits.cap };
  }

  /** Keeps the parts of `range` not kept yet, if they are still ahead and fit the cap. */
  private want(range: ByteRange): void {
    let start = Math.max(range.start, this.position, 0);
    const end = Math.min(range.end, this.size);
    for (const p of this.pieces) {
      if (start >= end) return;
      if (p.end <= start) continue;
      if (p.start >= end) break;
      if (p.start > start) this.add(start, p.start);
      start = Math.max(start, p.end);
    }
    if (start < end) this.add(start, end);
  }

  private add(start: number, end: number): void {
    if (this.kept + (end - start) > this.limits.cap || this.pieces.length >= MAX_PIECES) return;
    const piece = { start, end, data: Buffer.alloc(end - start) };
    const at = this.pieces.findIndex((p) => p.start > start);
    this.pieces.splice(at < 0 ? this.pieces.length : at, 0, piece);
    this.kept += end - start;
  }

  /** The parsers over what is kept, recording every range they read and whether one was missing. */
  private run(): { facts: BinaryFacts; reads: ByteRange[]; missed: boolean } {
    const reads: ByteRange[] = [];
    let missed = false;
    const source: ByteSource = {
      size: this.size,
      read: (offset, length) => {
        if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) return EMPTY;
        if (offset < 0 || length <= 0 || offset >= this.size) return EMPTY;
        const start = offset;
        const end = Math.min(this.size, offset + length);
        reads.push({ start, end });
        const bytes = this.bytes(start, end);
        if (!bytes) missed = true;
        return bytes ?? EMPTY;
      },
    };
    let facts: BinaryFacts;
    try {
      facts = readBinaryFacts(source);
    } catch (error) {
      // the parsers are fuzzed not to throw; a bug there must not end the run
      facts = emptyFacts(null, {
        code: 'PARSER_ERROR',
        message: error instanceof Error ? error.message : String(error),
      });
    }
    return { facts, reads: mergeRanges(reads), missed };
  }

  /** [start, end) if every byte of it is kept and has arrived; a copy only when it spans pieces. */
  private bytes(start: number, end: number): Uint8Array | null {
    if (end > this.position) return null;
    const parts: Uint8Array[] = [];
    let at = start;
    for (const p of this.pieces) {
      if (p.end <= at) continue;
      if (p.start > at) return null;
      const stop = Math.min(end, p.end);
      parts.push(p.data.subarray(at - p.start, stop - p.start));
      at = stop;
      if (at >= end) break;
    }
    if (at < end) return null;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, end - start);
  }
}

function bytesIn(ranges: readonly ByteRange[]): number {
  return ranges.reduce((n, r) => n + r.end - r.start, 0);
}

/** Sorted, with overlapping and touching ranges joined. */
export function mergeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}
