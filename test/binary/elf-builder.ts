/**
 * Writes minimal ELF shared objects in any class and byte order, for the layouts no compiler on
 * the build machine produces (big-endian s390x/ppc64/mips, 32-bit RISC), and as a well-formed base
 * for hostile edits. Program headers only (no section headers), like an `sstrip`ped file: one
 * PT_LOAD mapping the whole file at BASE, PT_DYNAMIC, optional PT_INTERP and PT_NOTE.
 */
export interface ElfSpec {
  is64?: boolean;
  le?: boolean;
  machine: number;
  osabi?: number;
  interp?: string;
  needed?: string[];
  /**
   * Undefined symbols. `name@VERSION` binds one to a version listed in `verneed` (the builder then
   * writes DT_VERSYM); a `weak:` prefix makes it STB_WEAK.
   */
  imports?: string[];
  runpath?: string;
  /** Exported functions; `code` is placed in the file and the symbol points at it. */
  exports?: { name: string; code?: number[] }[];
  verneed?: { file: string; versions: string[] }[];
  note?: { owner: string; type: number };
  /** Use DT_GNU_HASH instead of DT_HASH to give the symbol count. */
  gnuHash?: boolean;
}

export const BASE = 0x10000;

class Writer {
  bytes: number[] = [];
  constructor(private readonly le: boolean) {}
  get pos(): number {
    return this.bytes.length;
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u16(v: number): void {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.bytes.push(...(this.le ? b : b.reverse()));
  }
  u32(v: number): void {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.bytes.push(...(this.le ? b : b.reverse()));
  }
  u64(v: number): void {
    const lo = v % 0x100000000;
    const hi = Math.floor(v / 0x100000000);
    if (this.le) {
      this.u32(lo);
      this.u32(hi);
    } else {
      this.u32(hi);
      this.u32(lo);
    }
  }
  raw(data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) this.bytes.push(data[i]! & 0xff);
  }
  align(n: number): void {
    while (this.bytes.length % n) this.bytes.push(0);
  }
}

export function buildElf(spec: ElfSpec): Uint8Array {
  const is64 = spec.is64 ?? true;
  const le = spec.le ?? true;
  const w = new Writer(le);
  const word = (v: number) => (is64 ? w.u64(v) : w.u32(v));
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const phnum = 2 + (spec.interp ? 1 : 0) + (spec.note ? 1 : 0);

  // Strings first, so every offset is known when the tables are written.
  const strings = [''];
  const strOffset = new Map<string, number>([['', 0]]);
  let strSize = 1;
  const str = (s: string): number => {
    const known = strOffset.get(s);
    if (known !== undefined) return known;
    strOffset.set(s, strSize);
    strings.push(s);
    strSize += Buffer.byteLength(s, 'latin1') + 1;
    return strOffset.get(s)!;
  };
  const imports = (spec.imports ?? []).map((spec) => {
    const weak = spec.startsWith('weak:');
    const [name, version] = (weak ? spec.slice(5) : spec).split('@') as [string, string | undefined];
    return { name, version, weak };
  });
  for (const n of spec.needed ?? []) str(n);
  for (const n of imports) str(n.name);
  if (spec.runpath !== undefined) str(spec.runpath);
  for (const e of spec.exports ?? []) str(e.name);
  for (const v of spec.verneed ?? []) {
    str(v.file);
    for (const name of v.versions) str(name);
  }

  // ELF header, patched once the layout is known.
  w.raw([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, spec.osabi ?? 0]);
  w.raw(new Array(8).fill(0));
  w.u16(3); // ET_DYN
  w.u16(spec.machine);
  w.u32(1);
  word(0); // e_entry
  word(ehsize); // e_phoff
  word(0); // e_shoff: none
  w.u32(0);
  w.u16(ehsize);
  w.u16(phentsize);
  w.u16(phnum);
  w.u16(is64 ? 64 : 40);
  w.u16(0);
  w.u16(0);
  const phdrsAt = w.pos;
  w.raw(new Array(phnum * phentsize).fill(0));

  const interpAt = w.pos;
  if (spec.interp) w.raw([...Buffer.from(spec.interp + '\0', 'latin1')]);
  w.align(4);
  const noteAt = w.pos;
  if (spec.note) {
    const owner = Buffer.from(spec.note.owner + '\0', 'latin1');
    w.u32(owner.length);
    w.u32(4);
    w.u32(spec.note.type);
    w.raw([...owner]);
    w.align(4);
    w.u32(0);
  }
  const noteSize = w.pos - noteAt;

  w.align(8);
  const codeAt = new Map<string, number>();
  for (const e of spec.exports ?? []) {
    codeAt.set(e.name, w.pos);
    w.raw(e.code ?? [0xc3]);
    w.align(8);
  }

  const dynstrAt = w.pos;
  for (const s of strings) w.raw([...Buffer.from(s + '\0', 'latin1')]);
  w.align(8);

  const symbols = [
    ...imports.map((i) => ({ name: i.name, value: 0, shndx: 0, weak: i.weak, version: i.version })),
    ...(spec.exports ?? []).map((e) => ({
      name: e.name,
      value: BASE + codeAt.get(e.name)!,
      shndx: 7,
      weak: false,
      version: undefined,
    })),
  ];
  const dynsymAt = w.pos;
  const symCount = symbols.length + 1;
  const writeSym = (name: number, value: number, shndx: number, info: number) => {
    if (is64) {
      w.u32(name);
      w.u8(info);
      w.u8(0);
      w.u16(shndx);
      w.u64(value);
      w.u64(0);
    } else {
      w.u32(name);
      w.u32(value);
      w.u32(0);
      w.u8(info);
      w.u8(0);
      w.u16(shndx);
    }
  };
  writeSym(0, 0, 0, 0);
  for (const s of symbols) writeSym(str(s.name), s.value, s.shndx, ((s.weak ? 2 : 1) << 4) | 2 /* FUNC */);

  w.align(8);
  const hashAt = w.pos;
  if (spec.gnuHash) {
    // One bucket starting at symbol 1; the chain ends (low bit set) at the last symbol.
    w.u32(1); // nbuckets
    w.u32(1); // symoffset
    w.u32(1); // bloom size
    w.u32(0); // bloom shift
    word(0xffffffff); // bloom
    w.u32(symCount > 1 ? 1 : 0);
    for (let i = 1; i < symCount; i++) w.u32(i === symCount - 1 ? 1 : 0);
  } else {
    w.u32(1); // nbucket
    w.u32(symCount); // nchain = number of symbols
    w.u32(0);
    for (let i = 0; i < symCount; i++) w.u32(0);
  }

  w.align(8);
  const verneedAt = w.pos;
  const verneed = spec.verneed ?? [];
  let versionIndex = 2;
  verneed.forEach((v, i) => {
    w.u16(1);
    w.u16(v.versions.length);
    w.u32(str(v.file));
    w.u32(16);
    w.u32(i === verneed.length - 1 ? 0 : 16 + 16 * v.versions.length);
    v.versions.forEach((name, j) => {
      w.u32(0);
      w.u16(0);
      w.u16(versionIndex++);
      w.u32(str(name));
      w.u32(j === v.versions.length - 1 ? 0 : 16);
    });
  });

  // DT_VERSYM: one half-word per symbol, the verneed index (vna_other) or 1 for "global".
  const versionIndexOf = new Map<string, number>();
  let next = 2;
  for (const v of verneed) for (const name of v.versions) versionIndexOf.set(name, next++);
  const versioned = symbols.some((s) => s.version !== undefined);
  w.align(8);
  const versymAt = w.pos;
  if (versioned) {
    w.u16(0);
    for (const s of symbols) w.u16(s.version !== undefined ? (versionIndexOf.get(s.version) ?? 1) : 1);
  }

  w.align(8);
  const dynamicAt = w.pos;
  const dyn = (tag: number, val: number) => {
    word(tag);
    word(val);
  };
  for (const n of spec.needed ?? []) dyn(1, str(n));
  dyn(5, BASE + dynstrAt);
  dyn(10, strSize);
  dyn(6, BASE + dynsymAt);
  dyn(11, is64 ? 24 : 16);
  dyn(spec.gnuHash ? 0x6ffffef5 : 4, BASE + hashAt);
  if (verneed.length > 0) {
    dyn(0x6ffffffe, BASE + verneedAt);
    dyn(0x6fffffff, verneed.length);
  }
  if (versioned) dyn(0x6ffffff0, BASE + versymAt);
  if (spec.runpath !== undefined) dyn(29, str(spec.runpath));
  dyn(0, 0);
  const end = w.pos;

  // Program headers.
  const phdr = (index: number, type: number, offset: number, size: number) => {
    const at = phdrsAt + index * phentsize;
    const p = new Writer(le);
    if (is64) {
      p.u32(type);
      p.u32(4);
      p.u64(offset);
      p.u64(BASE + offset);
      p.u64(BASE + offset);
      p.u64(size);
      p.u64(size);
      p.u64(8);
    } else {
      p.u32(type);
      p.u32(offset);
      p.u32(BASE + offset);
      p.u32(BASE + offset);
      p.u32(size);
      p.u32(size);
      p.u32(4);
      p.u32(4);
    }
    w.bytes.splice(at, phentsize, ...p.bytes);
  };
  let i = 0;
  phdr(i++, 1, 0, end); // PT_LOAD
  phdr(i++, 2, dynamicAt, end - dynamicAt); // PT_DYNAMIC
  if (spec.interp) phdr(i++, 3, interpAt, spec.interp.length + 1);
  if (spec.note) phdr(i++, 4, noteAt, noteSize);
  return Uint8Array.from(w.bytes);
}

/** Field offsets in the ELF header, for hostile edits. */
export function elfHeaderOffsets(is64: boolean) {
  return is64
    ? { phoff: 32, shoff: 40, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 }
    : { phoff: 28, shoff: 32, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 };
}
