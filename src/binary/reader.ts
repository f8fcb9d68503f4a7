import type { BinaryNote, ByteSource } from '../model/binary.js';

export const MiB = 1024 * 1024;

/** The largest table (symbols, strings, relocations, load commands) any parser reads in one piece. */
export const MAX_TABLE_BYTES = 64 * MiB;

/** Symbol and library names longer than this are cut: every check we make looks at a prefix. */
export const MAX_NAME_BYTES = 4096;
const SHORT_NAME_BYTES = 128;

/** Names in import/export tables are printable ASCII; anything else means we are reading junk. */
export function isPrintableName(name: string): boolean {
  return /^[\x20-\x7e]+$/.test(name);
}

export function isRange(offset: number, length: number, size: number): boolean {
  return (
    Number.isSafeInteger(offset) &&
    Number.isSafeInteger(length) &&
    offset >= 0 &&
    length >= 0 &&
    offset + length <= size
  );
}

/**
 * Bytes already read, with endian-aware getters. Out-of-range getters return 0 (or `Infinity` for
 * a u64 that does not fit a double exactly) instead of throwing, so a parser that forgot a bounds
 * check reads garbage that later range checks reject, rather than crashing.
 */
export class Block {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  has(offset: number, length: number): boolean {
    return isRange(offset, length, this.bytes.length);
  }

  u8(offset: number): number {
    return this.has(offset, 1) ? this.bytes[offset]! : 0;
  }

  u16(offset: number): number {
    return this.has(offset, 2) ? this.view.getUint16(offset, this.le) : 0;
  }

  u32(offset: number): number {
    return this.has(offset, 4) ? this.view.getUint32(offset, this.le) : 0;
  }

  i32(offset: number): number {
    return this.has(offset, 4) ? this.view.getInt32(offset, this.le) : 0;
  }

  /** Values beyond 2^53 come back as Infinity: every such value is an offset or size we reject. */
  u64(offset: number): number {
    if (!this.has(offset, 8)) return 0;
    const hi = this.view.getUint32(this.le ? offset + 4 : offset, this.le);
    const lo = this.view.getUint32(this.le ? offset : offset + 4, this.le);
    return hi < 0x200000 ? hi * 0x100000000 + lo : Number.POSITIVE_INFINITY;
  }

  /** A pointer-sized word: u32 for 32-bit formats, u64 for 64-bit. */
  word(offset: number, is64: boolean): number {
    return is64 ? this.u64(offset) : this.u32(offset);
  }

  /**
   * A NUL-terminated string starting at `offset` (latin1, so any byte sequence decodes); cut at
   * `max` bytes. Null when the block ends before the NUL: a name cut by a truncated file could
   * read as another name (`libc.so.6` as `libc.so`), so it is not a name at all.
   */
  cstring(offset: number, max = MAX_NAME_BYTES): string | null {
    if (!this.has(offset, 1)) return null;
    const end = Math.min(this.bytes.length, offset + max);
    let stop = offset;
    while (stop < end && this.bytes[stop] !== 0) stop++;
    if (stop === this.bytes.length) return null;
    return latin1(this.bytes.subarray(offset, stop));
  }

  /** A sub-block sharing the same bytes; clipped to what exists. */
  slice(offset: number, length: number): Block {
    const start = Math.max(0, Math.min(offset, this.bytes.length));
    const end = Math.max(start, Math.min(start + Math.max(0, length), this.bytes.length));
    return new Block(this.bytes.subarray(start, end), this.le);
  }
}

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Bounded positioned reads with one endianness; every method returns null rather than throwing. */
export class Reader {
  constructor(
    readonly source: ByteSource,
    readonly le: boolean,
  ) {}

  get size(): number {
    return this.source.size;
  }

  /** Exactly `length` bytes at `offset`, or null when the range is not entirely in the source. */
  block(offset: number, length: number): Block | null {
    if (!isRange(offset, length, this.source.size) || length > MAX_TABLE_BYTES) return null;
    if (length === 0) return new Block(new Uint8Array(0), this.le);
    let bytes: Uint8Array;
    try {
      bytes = this.source.read(offset, length);
    } catch {
      return null;
    }
    return bytes.length === length ? new Block(bytes, this.le) : null;
  }

  /**
   * Up to `length` bytes at `offset`, clipped to the end of the source and to `cap`; null only when
   * `offset` itself is outside. `clipped` tells the caller to say so in its reason.
   */
  blockClipped(
    offset: number,
    length: number,
    cap = MAX_TABLE_BYTES,
  ): { block: Block; clipped: boolean } | null {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.source.size) return null;
    const wanted = Number.isFinite(length) && length > 0 ? length : 0;
    const available = Math.min(wanted, this.source.size - offset, cap);
    const block = this.block(offset, Math.floor(available));
    return block ? { block, clipped: available < wanted } : null;
  }

  u16(offset: number): number | null {
    const b = this.block(offset, 2);
    return b ? b.u16(0) : null;
  }

  u32(offset: number): number | null {
    const b = this.block(offset, 4);
    return b ? b.u32(0) : null;
  }

  cstring(offset: number, max = MAX_NAME_BYTES): string | null {
    // Most names are short: try a small read before a `max`-sized one. One byte more than
    // `max`, so a long name is told apart from one that the end of the file cuts.
    for (const chunk of [Math.min(SHORT_NAME_BYTES, max + 1), max + 1]) {
      const got = this.blockClipped(offset, chunk, chunk);
      if (!got) return null;
      const name = got.block.cstring(0, max);
      if (name !== null || got.block.length < chunk || chunk === max + 1) return name;
    }
    return null;
  }
}

/** Notes collected while parsing, in order, without duplicates, at most 20. */
export class Notes {
  private readonly items: BinaryNote[] = [];
  private readonly keys = new Set<string>();

  add(note: BinaryNote): void {
    const key = JSON.stringify(note);
    if (!this.keys.has(key) && this.items.length < 20) {
      this.keys.add(key);
      this.items.push(note);
    }
  }

  get list(): BinaryNote[] {
    return [...this.items];
  }
}

/** One mapped range: virtual addresses [vaddr, vaddr + filesz) live at file offset `offset`. */
export interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
}

/** Translates virtual addresses (ELF, Mach-O) or RVAs (PE) to file offsets. */
export class AddressMap {
  constructor(private readonly segments: readonly Segment[]) {}

  get count(): number {
    return this.segments.length;
  }

  /** The file offset of `vaddr`, when `length` bytes from there are backed by the file. */
  toOffset(vaddr: number, length = 1): number | null {
    if (!Number.isSafeInteger(vaddr) || vaddr < 0) return null;
    for (const s of this.segments) {
      if (vaddr >= s.vaddr && vaddr + length <= s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
    }
    return null;
  }

  /** How many bytes from `vaddr` the containing segment still backs with file data. */
  extent(vaddr: number): number {
    for (const s of this.segments) {
      if (vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return s.vaddr + s.filesz - vaddr;
    }
    return 0;
  }
}

/** Compares dotted versions numerically ("2.10" > "2.9"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function maxVersion(versions: Iterable<string>): string | null {
  let best: string | null = null;
  for (const v of versions) if (best === null || compareVersions(v, best) > 0) best = v;
  return best;
}
