import { CONSTANT_RETURN_BYTES, decodeConstantReturn } from './code.js';
import { emptyFacts } from './empty.js';
import {
  classifyModule,
  explainModule,
  findLegacyModuleVersion,
  isCLibraryImport,
  LEGACY_MODULE_SYMBOL,
  NAPI_VERSION_EXPORT,
  SymbolCollector,
} from './module.js';
import {
  AddressMap,
  type Block,
  MAX_TABLE_BYTES,
  maxVersion,
  MiB,
  Notes,
  Reader,
  type Segment,
} from './reader.js';
import type { BinaryFacts, ByteSource } from '../model/binary.js';

// Counts that bound every loop below, far above anything a real addon has.
const MAX_PROGRAM_HEADERS = 4096;
const MAX_SECTIONS = 65536;
const MAX_DYNAMIC_ENTRIES = 65536;
const MAX_VERNEED_ENTRIES = 65536;
const MAX_NOTES_BYTES = 64 * 1024;
const MAX_STRTAB_BYTES = 16 * MiB;
const MAX_LEGACY_SLOTS = 262_144;
/** `cImports` keeps at most this many names: enough to judge any real addon, bounded for hostile ones. */
const MAX_C_IMPORTS = 2000;
/** Address lookups scan the mapped ranges linearly, so keep their number small. */
const MAX_SEGMENTS = 256;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_NOTE = 4;

const SHT_SYMTAB = 2;
const SHT_DYNAMIC = 6;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const SHT_NOBITS = 8;
const SHF_ALLOC = 2;

const STB_GLOBAL = 1;
const STB_WEAK = 2;
const STB_GNU_UNIQUE = 10;
const STT_OBJECT = 1;

const DT_NEEDED = 1;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_RELA = 7;
const DT_RELASZ = 8;
const DT_RELAENT = 9;
const DT_STRSZ = 10;
const DT_SYMENT = 11;
const DT_RPATH = 15;
const DT_REL = 17;
const DT_RELSZ = 18;
const DT_RELENT = 19;
const DT_RUNPATH = 29;
const DT_RELRSZ = 35;
const DT_RELR = 36;
const DT_GNU_HASH = 0x6ffffef5;
const DT_VERSYM = 0x6ffffff0;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

const EM_ARCH: Record<number, (is64: boolean, le: boolean) => string> = {
  3: () => 'ia32',
  8: (is64, le) => (is64 ? 'mips64' : 'mips') + (le ? 'el' : ''),
  20: () => 'ppc',
  21: () => 'ppc64',
  22: (is64) => (is64 ? 's390x' : 's390'),
  40: () => 'arm',
  62: () => 'x64',
  183: () => 'arm64',
  243: (is64) => (is64 ? 'riscv64' : 'riscv32'),
  258: () => 'loong64',
};

const OSABI_PLATFORM: Record<number, string> = {
  0: 'linux', // ELFOSABI_NONE: what every Linux toolchain writes
  2: 'netbsd',
  3: 'linux',
  6: 'sunos',
  7: 'aix',
  9: 'freebsd',
  12: 'openbsd',
  64: 'linux', // ELFOSABI_ARM_AEABI
  97: 'linux', // ELFOSABI_ARM, written by old ARM Linux toolchains
};

/** Note owners that name the OS when EI_OSABI doesn't (Android's NDK writes ELFOSABI_NONE). */
const NOTE_PLATFORM: Record<string, string> = {
  Android: 'android',
  FreeBSD: 'freebsd',
  OpenBSD: 'openbsd',
  NetBSD: 'netbsd',
};

interface Header {
  is64: boolean;
  le: boolean;
  machine: number;
  osabi: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
}

interface Section {
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

interface Range {
  offset: number;
  size: number;
}

interface ElfSymbol {
  /** Position in the symbol table, which indexes the DT_VERSYM table. */
  index: number;
  name: string;
  value: number;
  defined: boolean;
  bind: number;
  type: number;
}

/** Reads what a `.node` ELF shared object needs to load: arch, libc, needed libraries and registration. */
export function readElfFacts(source: ByteSource): BinaryFacts {
  const facts = emptyFacts('elf');
  const notes = new Notes();
  const r0 = new Reader(source, true);
  if (r0.u32(0) !== 0x464c457f) return emptyFacts(null, { code: 'ABSENT', part: 'elf-file' });
  const ident = r0.block(0, 16);
  if (!ident) {
    facts.notes = [{ code: 'TRUNCATED', part: 'elf-header' }];
    return facts;
  }
  const cls = ident.u8(4);
  const data = ident.u8(5);
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) {
    facts.notes = [{ code: 'UNKNOWN_ELF_CLASS', elfClass: cls, encoding: data }];
    return facts;
  }
  const r = new Reader(source, data === 1);
  const header = readHeader(r, cls === 2);
  if (!header) {
    facts.notes = [{ code: 'TRUNCATED', part: 'elf-header' }];
    return facts;
  }
  const { is64 } = header;
  const archOf = EM_ARCH[header.machine];
  facts.arch = archOf ? archOf(is64, header.le) : null;
  if (!archOf) notes.add({ code: 'UNKNOWN_VALUE', field: 'elf-machine', value: header.machine });
  facts.arches = facts.arch ? [facts.arch] : [];
  facts.platform = OSABI_PLATFORM[header.osabi] ?? 'linux';
  if (OSABI_PLATFORM[header.osabi] === undefined)
    notes.add({ code: 'UNKNOWN_VALUE', field: 'elf-osabi', value: header.osabi });

  const program = readProgramHeaders(r, header, notes);
  const sections = readSectionHeaders(r, header, notes);

  // PT_LOAD decides where the loader maps things; allocated sections stand in when the
  // program headers are unreadable (a damaged file), since they carry the same addresses.
  const segments: Segment[] = program.loads.length > 0 ? program.loads : allocatedSections(sections);
  const map = new AddressMap(segments);

  let interp: string | null = null;
  if (program.interp) {
    const got = r.blockClipped(program.interp.offset, program.interp.size, 4096);
    interp = got ? got.block.cstring(0) : null;
    if (interp === null) notes.add({ code: 'UNREADABLE', part: 'pt-interp' });
  }

  const osNote = readOsNotes(r, program.notes.length > 0 ? program.notes : sectionNotes(sections), notes);
  if (osNote) facts.platform = osNote;

  const dynamicRange = program.dynamic ?? sectionRange(sections, SHT_DYNAMIC);
  if (!dynamicRange) notes.add({ code: 'ABSENT', part: 'dynamic-section' });
  const dyn = readDynamic(r, header, dynamicRange, notes);
  const strtab = locateDynstr(r, dyn, sections, map, notes);
  const str = (off: number): string | null => (strtab ? strtab.cstring(off) : null);

  for (const off of dyn.needed) {
    const name = str(off);
    if (name !== null) facts.needed.push(name);
    else notes.add({ code: 'UNREADABLE', part: 'needed-name' });
  }

  const versions = readVersionNeeds(r, dyn, sections, map, str, notes);
  facts.glibcVersion = maxVersion(versions.glibc);
  facts.glibcxxVersion = maxVersion(versions.glibcxx);

  const symbols = readDynamicSymbols(r, header, dyn, sections, map, str, notes);
  const collector = new SymbolCollector();
  let versionFnAddress: number | null = null;
  for (const sym of symbols) {
    if (!sym.defined) collector.addImport(sym.name);
    else if (sym.bind === STB_GLOBAL || sym.bind === STB_WEAK || sym.bind === STB_GNU_UNIQUE) {
      collector.addExport(sym.name);
      if (sym.name === NAPI_VERSION_EXPORT) versionFnAddress = sym.value;
    }
  }
  const summary = collector.summary;
  facts.cImports = collectCImports(r, dyn, sections, map, symbols, versions.glibcByIndex, notes);
  facts.runpath = readRunpath(dyn, str, notes);

  let legacyAbi: string | null = null;
  if (summary.importsLegacyRegister && summary.registerAbi === null) {
    legacyAbi = readLegacyAbi(r, header, dyn, sections, map);
  }
  facts.module = classifyModule(summary, legacyAbi);
  const unexplained = explainModule(summary, legacyAbi);
  if (unexplained) notes.add(unexplained);

  if (versionFnAddress !== null) {
    facts.napiVersion = readNapiVersion(r, map, facts.arch, versionFnAddress);
    if (facts.napiVersion === null) notes.add({ code: 'UNREADABLE', part: 'napi-version-body' });
  }

  facts.libc = detectLibc(facts.platform, interp, facts.needed, versions.glibc.length > 0);
  if (program.loads.length === 0 && header.phnum > 0) notes.add({ code: 'ABSENT', part: 'pt-load' });
  facts.notes = notes.list;
  return facts;
}

function readHeader(r: Reader, is64: boolean): Header | null {
  const h = r.block(0, is64 ? 64 : 52);
  if (!h) return null;
  const w = (o64: number, o32: number): number => (is64 ? h.u64(o64) : h.u32(o32));
  const half = (o64: number, o32: number): number => h.u16(is64 ? o64 : o32);
  return {
    is64,
    le: r.le,
    machine: h.u16(18),
    osabi: h.u8(7),
    phoff: w(32, 28),
    shoff: w(40, 32),
    phentsize: half(54, 42),
    phnum: half(56, 44),
    shentsize: half(58, 46),
    shnum: half(60, 48),
  };
}

function readProgramHeaders(
  r: Reader,
  h: Header,
  notes: Notes,
): { loads: Segment[]; interp?: Range; dynamic?: Range; notes: Range[] } {
  const out: { loads: Segment[]; interp?: Range; dynamic?: Range; notes: Range[] } = { loads: [], notes: [] };
  const minSize = h.is64 ? 56 : 32;
  if (h.phnum === 0 || h.phoff === 0) return out;
  if (h.phentsize < minSize) {
    notes.add({ code: 'BAD_ENTRY_SIZE', table: 'program-headers', size: h.phentsize });
    return out;
  }
  let count = h.phnum;
  if (count > MAX_PROGRAM_HEADERS) {
    notes.add({ code: 'CAPPED', part: 'program-headers', kept: MAX_PROGRAM_HEADERS, total: count });
    count = MAX_PROGRAM_HEADERS;
  }
  const got = r.blockClipped(h.phoff, count * h.phentsize);
  if (!got) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'program-headers' });
    return out;
  }
  if (got.clipped) notes.add({ code: 'TRUNCATED', part: 'program-header-table' });
  const t = got.block;
  for (let i = 0; i < count && t.has(i * h.phentsize, minSize); i++) {
    const at = i * h.phentsize;
    const type = t.u32(at);
    const offset = h.is64 ? t.u64(at + 8) : t.u32(at + 4);
    const vaddr = h.is64 ? t.u64(at + 16) : t.u32(at + 8);
    const filesz = h.is64 ? t.u64(at + 32) : t.u32(at + 16);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(filesz)) continue;
    if (type === PT_LOAD && out.loads.length < MAX_SEGMENTS)
      out.loads.push({ vaddr, offset, filesz: Math.min(filesz, Math.max(0, r.size - offset)) });
    else if (type === PT_INTERP) out.interp ??= { offset, size: filesz };
    else if (type === PT_DYNAMIC) out.dynamic ??= { offset, size: filesz };
    else if (type === PT_NOTE && out.notes.length < 16) out.notes.push({ offset, size: filesz });
  }
  return out;
}

function readSectionHeaders(r: Reader, h: Header, notes: Notes): Section[] {
  const minSize = h.is64 ? 64 : 40;
  if (h.shoff === 0 || h.shentsize < minSize) return [];
  let count = h.shnum;
  if (count === 0) {
    // SHN_UNDEF count: the real number lives in section 0's sh_size (more than 0xff00 sections).
    const first = r.block(h.shoff, minSize);
    count = first ? (h.is64 ? first.u64(32) : first.u32(20)) : 0;
  }
  if (count > MAX_SECTIONS) {
    notes.add({ code: 'CAPPED', part: 'section-headers', kept: MAX_SECTIONS, total: count });
    count = MAX_SECTIONS;
  }
  if (count === 0) return [];
  const got = r.blockClipped(h.shoff, count * h.shentsize);
  if (!got) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'section-headers' });
    return [];
  }
  if (got.clipped) notes.add({ code: 'TRUNCATED', part: 'section-header-table' });
  const t = got.block;
  const out: Section[] = [];
  for (let i = 0; i < count && t.has(i * h.shentsize, minSize); i++) {
    const at = i * h.shentsize;
    out.push(
      h.is64
        ? {
            type: t.u32(at + 4),
            flags: t.u64(at + 8),
            addr: t.u64(at + 16),
            offset: t.u64(at + 24),
            size: t.u64(at + 32),
            link: t.u32(at + 40),
            info: t.u32(at + 44),
            entsize: t.u64(at + 56),
          }
        : {
            type: t.u32(at + 4),
            flags: t.u32(at + 8),
            addr: t.u32(at + 12),
            offset: t.u32(at + 16),
            size: t.u32(at + 20),
            link: t.u32(at + 24),
            info: t.u32(at + 28),
            entsize: t.u32(at + 36),
          },
    );
  }
  return out;
}

function allocatedSections(sections: readonly Section[]): Segment[] {
  return sections
    .filter((s) => s.flags & SHF_ALLOC && s.type !== SHT_NOBITS)
    .slice(0, MAX_SEGMENTS)
    .map((s) => ({ vaddr: s.addr, offset: s.offset, filesz: s.size }));
}

function sectionRange(sections: readonly Section[], type: number): Range | undefined {
  const s = sections.find((x) => x.type === type);
  return s ? { offset: s.offset, size: s.size } : undefined;
}

function sectionNotes(sections: readonly Section[]): Range[] {
  return sections
    .filter((s) => s.type === SHT_NOTE)
    .slice(0, 16)
    .map((s) => ({ offset: s.offset, size: s.size }));
}

/** The OS a note names (`.note.android.ident`, `.note.tag`), if any. */
function readOsNotes(r: Reader, ranges: readonly Range[], notes: Notes): string | null {
  for (const range of ranges) {
    const got = r.blockClipped(range.offset, range.size, MAX_NOTES_BYTES);
    if (!got || (got.clipped && range.size <= MAX_NOTES_BYTES))
      notes.add({ code: 'TRUNCATED', part: 'note-segment' });
    if (!got) continue;
    const b = got.block;
    // Each note is at least 12 bytes and `at` strictly grows, so this ends.
    for (let at = 0; b.has(at, 12);) {
      const namesz = b.u32(at);
      const descsz = b.u32(at + 4);
      const owner = namesz > 0 && namesz <= 64 ? b.cstring(at + 12, namesz) : null;
      if (owner !== null && NOTE_PLATFORM[owner] !== undefined) return NOTE_PLATFORM[owner]!;
      const next = at + 12 + align4(namesz) + align4(descsz);
      if (!Number.isSafeInteger(next) || next <= at) break;
      at = next;
    }
  }
  return null;
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

interface Dynamic {
  needed: number[];
  /** Tag → value for the single-valued tags we use. */
  tags: Map<number, number>;
}

function readDynamic(r: Reader, h: Header, range: Range | undefined, notes: Notes): Dynamic {
  const dyn: Dynamic = { needed: [], tags: new Map() };
  if (!range) return dyn;
  const entsize = h.is64 ? 16 : 8;
  const got = r.blockClipped(range.offset, Math.min(range.size, MAX_DYNAMIC_ENTRIES * entsize));
  if (!got) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'dynamic-section' });
    return dyn;
  }
  if (got.clipped && range.size <= MAX_DYNAMIC_ENTRIES * entsize)
    notes.add({ code: 'TRUNCATED', part: 'dynamic-section' });
  const b = got.block;
  for (let at = 0; b.has(at, entsize); at += entsize) {
    const tag = h.is64 ? b.u64(at) : b.u32(at);
    const val = h.is64 ? b.u64(at + 8) : b.u32(at + 4);
    if (tag === 0) break;
    if (tag === DT_NEEDED) {
      if (dyn.needed.length < 1024) dyn.needed.push(val);
    } else if (!dyn.tags.has(tag)) dyn.tags.set(tag, val);
  }
  return dyn;
}

/** The dynamic string table, from DT_STRTAB/DT_STRSZ, else the string section .dynsym links to. */
function locateDynstr(
  r: Reader,
  dyn: Dynamic,
  sections: readonly Section[],
  map: AddressMap,
  notes: Notes,
): Block | null {
  let offset: number | null = null;
  let size = 0;
  const addr = dyn.tags.get(DT_STRTAB);
  if (addr !== undefined) {
    offset = map.toOffset(addr);
    size = dyn.tags.get(DT_STRSZ) ?? map.extent(addr);
  }
  if (offset === null) {
    const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
    const linked = dynsym ? sections[dynsym.link] : undefined;
    if (linked) {
      offset = linked.offset;
      size = linked.size;
    }
  }
  if (offset === null) return null;
  const got = r.blockClipped(offset, size, MAX_STRTAB_BYTES);
  if (!got) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'dynamic-strings' });
    return null;
  }
  if (got.clipped) notes.add({ code: 'CUT', part: 'dynamic-strings', at: got.block.length });
  return got.block;
}

/** Dynamic tags that locate a table, to bound .dynsym when nothing records its size. */
const TABLE_TAGS = [DT_STRTAB, DT_HASH, DT_GNU_HASH, DT_RELA, DT_REL, DT_RELR, DT_VERNEED, DT_VERSYM];

const GLIBC = /^GLIBC_(\d+\.\d+(?:\.\d+)?)$/;
/**
 * glibc's own libraries. Only their GLIBC_ versions constrain the target's glibc: Alpine's
 * libgcc_s also defines GLIBC_2.0 (for compatibility), and musl-built addons reference it.
 */
const GLIBC_LIBRARY =
  /^(?:lib(?:c|m|pthread|dl|rt|resolv|util|anl|nsl|crypt|mvec|BrokenLocale|thread_db|c_malloc_debug)\.so\.\d+(?:\.\d+)?|ld-linux[\w.-]*\.so\.\d+|ld64\.so\.\d+|ld\.so\.1)$/;
const GLIBCXX = /^GLIBCXX_(\d+\.\d+(?:\.\d+)?)$/;

interface VersionNeeds {
  glibc: string[];
  glibcxx: string[];
  /** Version index → `GLIBC_x.y` (or `GLIBC_PRIVATE`) for versions needed from glibc's own libraries. */
  glibcByIndex: Map<number, string>;
}

function readVersionNeeds(
  r: Reader,
  dyn: Dynamic,
  sections: readonly Section[],
  map: AddressMap,
  str: (off: number) => string | null,
  notes: Notes,
): VersionNeeds {
  const out: VersionNeeds = { glibc: [], glibcxx: [], glibcByIndex: new Map() };
  let offset: number | null = null;
  let count = dyn.tags.get(DT_VERNEEDNUM) ?? 0;
  const addr = dyn.tags.get(DT_VERNEED);
  if (addr !== undefined) offset = map.toOffset(addr, 16);
  if (offset === null) {
    const s = sections.find((x) => x.type === SHT_GNU_VERNEED);
    if (s) {
      offset = s.offset;
      count = s.info;
    }
  }
  if (offset === null || count === 0) return out;
  let budget = MAX_VERNEED_ENTRIES;
  let at = offset;
  for (let i = 0; i < count && budget > 0; i++, budget--) {
    const vn = r.block(at, 16);
    if (!vn) {
      notes.add({ code: 'RUNS_PAST_END', part: 'version-needs' });
      break;
    }
    const file = str(vn.u32(4));
    const fromGlibc = file !== null && GLIBC_LIBRARY.test(file);
    let aux = at + vn.u32(8);
    for (let j = 0; j < vn.u16(2) && budget > 0; j++, budget--) {
      const va = r.block(aux, 16);
      if (!va) {
        notes.add({ code: 'RUNS_PAST_END', part: 'version-needs' });
        break;
      }
      const name = str(va.u32(8));
      if (name !== null) {
        const glibc = fromGlibc ? GLIBC.exec(name) : null;
        if (glibc) out.glibc.push(glibc[1]!);
        // vna_other is the index DT_VERSYM entries use to bind a symbol to this version.
        if (fromGlibc && name.startsWith('GLIBC_')) out.glibcByIndex.set(va.u16(6), name);
        const glibcxx = GLIBCXX.exec(name);
        if (glibcxx) out.glibcxx.push(glibcxx[1]!);
      }
      const next = va.u32(12);
      if (next === 0) break;
      aux += next;
    }
    const next = vn.u32(12);
    if (next === 0) break;
    at += next;
  }
  if (budget === 0) notes.add({ code: 'TRUNCATED', part: 'version-needs' });
  return out;
}

/** How many dynamic symbols there are: ELF only records it in section headers and hash tables. */
function dynamicSymbolCount(
  r: Reader,
  h: Header,
  dyn: Dynamic,
  sections: readonly Section[],
  map: AddressMap,
  entsize: number,
  symtabAddr: number | undefined,
): number | null {
  const section = sections.find(
    (s) => s.type === SHT_DYNSYM && (symtabAddr === undefined || s.addr === symtabAddr),
  );
  if (section && section.size > 0) return Math.floor(section.size / entsize);
  const hash = dyn.tags.get(DT_HASH);
  const hashOff = hash !== undefined ? map.toOffset(hash, 8) : null;
  if (hashOff !== null) {
    // DT_HASH: nbucket, nchain; nchain equals the number of symbols.
    const nchain = r.u32(hashOff + 4);
    if (nchain !== null) return nchain;
  }
  const gnu = dyn.tags.get(DT_GNU_HASH);
  const gnuOff = gnu !== undefined ? map.toOffset(gnu, 16) : null;
  if (gnuOff !== null) return gnuHashSymbolCount(r, h, gnuOff);
  return null;
}

/**
 * DT_GNU_HASH has no symbol count: the highest bucket start gives the last chain, and that
 * chain ends at the first hash value with its low bit set.
 */
function gnuHashSymbolCount(r: Reader, h: Header, off: number): number | null {
  const head = r.block(off, 16);
  if (!head) return null;
  const nbuckets = head.u32(0);
  const symoffset = head.u32(4);
  const bloomSize = head.u32(8);
  const bucketsAt = off + 16 + bloomSize * (h.is64 ? 8 : 4);
  const buckets = r.block(bucketsAt, nbuckets * 4);
  if (!buckets) return null;
  let last = 0;
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, buckets.u32(i * 4));
  // No hashed (defined) symbol: symoffset then says nothing about how many undefined ones precede.
  if (last === 0) return null;
  if (last < symoffset) return symoffset;
  const chainsAt = bucketsAt + nbuckets * 4;
  const chains = r.blockClipped(chainsAt + (last - symoffset) * 4, MAX_TABLE_BYTES / 4);
  if (!chains) return null;
  for (let i = 0; chains.block.has(i * 4, 4); i++) {
    if (chains.block.u32(i * 4) & 1) return last + i + 1;
  }
  return null;
}

function readDynamicSymbols(
  r: Reader,
  h: Header,
  dyn: Dynamic,
  sections: readonly Section[],
  map: AddressMap,
  str: (off: number) => string | null,
  notes: Notes,
): ElfSymbol[] {
  const minEnt = h.is64 ? 24 : 16;
  const symtabAddr = dyn.tags.get(DT_SYMTAB);
  let offset = symtabAddr !== undefined ? map.toOffset(symtabAddr, minEnt) : null;
  let entsize = dyn.tags.get(DT_SYMENT) ?? minEnt;
  if (offset === null) {
    const s = sections.find((x) => x.type === SHT_DYNSYM);
    if (s) {
      offset = s.offset;
      entsize = s.entsize || minEnt;
    }
  }
  if (offset === null) return [];
  if (entsize < minEnt || entsize > 1024) {
    notes.add({ code: 'BAD_ENTRY_SIZE', table: 'dynamic-symbols', size: entsize });
    return [];
  }
  let count = dynamicSymbolCount(r, h, dyn, sections, map, entsize, symtabAddr);
  if (count === null) {
    // Linkers lay the dynamic tables out back to back (.dynsym, then .dynstr, .gnu.version, …):
    // failing all else, .dynsym runs up to the next table the dynamic section locates.
    const after = TABLE_TAGS.map((t) => dyn.tags.get(t)).filter(
      (a): a is number => a !== undefined && symtabAddr !== undefined && a > symtabAddr,
    );
    count = after.length > 0 && symtabAddr !== undefined ? (Math.min(...after) - symtabAddr) / entsize : 0;
    notes.add({ code: 'UNREADABLE', part: 'dynamic-symbol-count' });
  }
  count = Math.floor(count);
  const got = r.blockClipped(offset, count * entsize);
  if (!got) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'dynamic-symbols' });
    return [];
  }
  if (got.clipped)
    notes.add({ code: 'CUT', part: 'dynamic-symbols', at: Math.floor(got.block.length / entsize) });
  const symbols = parseSymbols(got.block, h.is64, entsize, str);
  if (symbols.unnamed > 0) notes.add({ code: 'UNNAMED_SYMBOLS', table: 'dynamic', count: symbols.unnamed });
  return symbols.list;
}

function parseSymbols(
  t: Block,
  is64: boolean,
  entsize: number,
  str: (off: number) => string | null,
): { list: ElfSymbol[]; unnamed: number } {
  const out: ElfSymbol[] = [];
  let unnamed = 0;
  const minEnt = is64 ? 24 : 16;
  // Entry 0 is always the null symbol.
  for (let at = entsize, index = 1; t.has(at, minEnt); at += entsize, index++) {
    const name = str(t.u32(at));
    if (name === null) unnamed++;
    if (!name) continue;
    const info = is64 ? t.u8(at + 4) : t.u8(at + 12);
    const shndx = is64 ? t.u16(at + 6) : t.u16(at + 14);
    out.push({
      index,
      name,
      value: is64 ? t.u64(at + 8) : t.u32(at + 4),
      defined: shndx !== 0,
      bind: info >> 4,
      type: info & 0xf,
    });
  }
  return { list: out, unnamed };
}

/**
 * The imports a loader must find in the C library or another shared object: undefined, non-weak
 * (a weak one missing resolves to 0, on glibc and musl alike), and neither Node's (Node-API, libuv,
 * `node_*`) nor C++-mangled (those come from libstdc++, which Node's own images ship). A symbol
 * bound to a version of glibc's own libraries is written `name@GLIBC_x.y`, as readelf prints it:
 * that binding is what says the C library, not Node or another library, was meant to provide it.
 */
function collectCImports(
  r: Reader,
  dyn: Dynamic,
  sections: readonly Section[],
  map: AddressMap,
  symbols: readonly ElfSymbol[],
  glibcByIndex: ReadonlyMap<number, string>,
  notes: Notes,
): string[] {
  const wanted = symbols.filter((s) => !s.defined && s.bind !== STB_WEAK && isCLibraryImport(s.name));
  if (wanted.length === 0) return [];
  // Symbol versions are only read when some version is glibc's: otherwise no name gets one.
  // (A loop, not Math.max(...): a hostile file can list more symbols than a call takes arguments.)
  let highest = 0;
  for (const s of wanted) highest = Math.max(highest, s.index);
  const versym = glibcByIndex.size > 0 ? readVersym(r, dyn, sections, map, highest + 1, notes) : null;
  const names = new Set<string>();
  for (const s of wanted) {
    // The top bit marks a hidden version; the low 15 bits are the index vna_other names.
    const version =
      versym && versym.has(s.index * 2, 2) ? glibcByIndex.get(versym.u16(s.index * 2) & 0x7fff) : undefined;
    names.add(version ? `${s.name}@${version}` : s.name);
  }
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length > MAX_C_IMPORTS)
    notes.add({ code: 'CAPPED', part: 'c-imports', kept: MAX_C_IMPORTS, total: sorted.length });
  return sorted.slice(0, MAX_C_IMPORTS);
}

/**
 * The DT_VERSYM table (one u16 per dynamic symbol), at least `count` entries. Null when the file
 * has none (its imports then carry no versions) or, with a note, when it cannot be read.
 */
function readVersym(
  r: Reader,
  dyn: Dynamic,
  sections: readonly Section[],
  map: AddressMap,
  count: number,
  notes: Notes,
): Block | null {
  const addr = dyn.tags.get(DT_VERSYM);
  let offset = addr !== undefined ? map.toOffset(addr, 2) : null;
  if (offset === null) offset = sections.find((s) => s.type === SHT_GNU_VERSYM)?.offset ?? null;
  if (offset === null) {
    if (addr !== undefined) notes.add({ code: 'UNREADABLE', part: 'symbol-versions' });
    return null;
  }
  const table = r.block(offset, count * 2);
  if (!table) notes.add({ code: 'UNREADABLE', part: 'symbol-versions' });
  return table;
}

/** DT_RUNPATH, else DT_RPATH (musl and glibc both prefer RUNPATH), split into its folders. */
function readRunpath(dyn: Dynamic, str: (off: number) => string | null, notes: Notes): string[] {
  const off = dyn.tags.get(DT_RUNPATH) ?? dyn.tags.get(DT_RPATH);
  if (off === undefined) return [];
  const value = str(off);
  if (value === null) {
    notes.add({ code: 'UNREADABLE', part: 'runpath' });
    return [];
  }
  return value.split(':').filter((p) => p.length > 0);
}

/** NODE_MODULE's `nm_version`: from the `_module` symbol when .symtab survived, else from relocations. */
function readLegacyAbi(
  r: Reader,
  h: Header,
  dyn: Dynamic,
  sections: readonly Section[],
  map: AddressMap,
): string | null {
  const readU32 = (addr: number): number | null => {
    const off = map.toOffset(addr, 4);
    return off === null ? null : r.u32(off);
  };
  const fromSymtab = legacyAbiFromSymtab(r, h, sections, readU32);
  if (fromSymtab !== null) return fromSymtab;
  const slots = relocatedSlots(r, h, dyn, map);
  const readWord = (addr: number): number | null => {
    const off = map.toOffset(addr, h.is64 ? 8 : 4);
    const b = off === null ? null : r.block(off, h.is64 ? 8 : 4);
    return b ? b.word(0, h.is64) : null;
  };
  return findLegacyModuleVersion(slots, h.is64 ? 8 : 4, readU32, readWord);
}

function legacyAbiFromSymtab(
  r: Reader,
  h: Header,
  sections: readonly Section[],
  readU32: (addr: number) => number | null,
): string | null {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const strsec = symtab ? sections[symtab.link] : undefined;
  if (!symtab || !strsec) return null;
  const strings = r.blockClipped(strsec.offset, strsec.size, MAX_STRTAB_BYTES);
  const entsize = symtab.entsize || (h.is64 ? 24 : 16);
  const table = r.blockClipped(symtab.offset, symtab.size);
  if (!strings || !table || entsize < (h.is64 ? 24 : 16)) return null;
  for (const sym of parseSymbols(table.block, h.is64, entsize, (o) => strings.block.cstring(o)).list) {
    if (LEGACY_MODULE_SYMBOL.test(sym.name) && sym.type === STT_OBJECT) {
      const version = readU32(sym.value);
      if (version !== null && version > 0 && version < 10000) return String(version);
    }
  }
  return null;
}

/** Every address the dynamic loader writes a pointer to (RELA, REL and RELR tables; not the PLT). */
function relocatedSlots(r: Reader, h: Header, dyn: Dynamic, map: AddressMap): Set<number> {
  const slots = new Set<number>();
  const word = h.is64 ? 8 : 4;
  const table = (addrTag: number, sizeTag: number, entTag: number, minEnt: number): void => {
    const addr = dyn.tags.get(addrTag);
    const size = dyn.tags.get(sizeTag);
    const ent = dyn.tags.get(entTag) ?? minEnt;
    if (addr === undefined || size === undefined || ent < minEnt || ent > 64) return;
    const off = map.toOffset(addr);
    const got = off === null ? null : r.blockClipped(off, size);
    if (!got) return;
    for (let at = 0; got.block.has(at, minEnt) && slots.size < MAX_LEGACY_SLOTS; at += ent) {
      slots.add(got.block.word(at, h.is64));
    }
  };
  table(DT_RELA, DT_RELASZ, DT_RELAENT, 3 * word);
  table(DT_REL, DT_RELSZ, DT_RELENT, 2 * word);
  // RELR (packed relative relocations): an address entry, then bitmaps of following words.
  const relr = dyn.tags.get(DT_RELR);
  const relrSize = dyn.tags.get(DT_RELRSZ);
  const relrOff = relr !== undefined ? map.toOffset(relr) : null;
  const got = relrOff !== null && relrSize !== undefined ? r.blockClipped(relrOff, relrSize) : null;
  if (got) {
    let base = 0;
    for (let at = 0; got.block.has(at, word) && slots.size < MAX_LEGACY_SLOTS; at += word) {
      const entry = got.block.word(at, h.is64);
      if (entry % 2 === 0) {
        slots.add(entry);
        base = entry + word;
      } else {
        const bits = h.is64 ? 63 : 31;
        // The bitmap's high bits beyond 2^53 are lost in a double; real bitmaps are sparse enough.
        let bitmap = Math.floor(entry / 2);
        for (let i = 0; i < bits && bitmap > 0; i++, bitmap = Math.floor(bitmap / 2)) {
          if (bitmap % 2 === 1) slots.add(base + i * word);
        }
        base += bits * word;
      }
    }
  }
  return slots;
}

function readNapiVersion(r: Reader, map: AddressMap, arch: string | null, address: number): number | null {
  const off = map.toOffset(address);
  const got = off === null ? null : r.blockClipped(off, CONSTANT_RETURN_BYTES, CONSTANT_RETURN_BYTES);
  return got ? decodeConstantReturn(arch, got.block.bytes) : null;
}

const MUSL_LIBC = /^libc\.musl-[\w-]+\.so\.1$/;
const GLIBC_INTERP = /(?:^|\/)ld(?:-linux[\w.-]*|64)?\.so\.\d+$/;

/**
 * Shared objects rarely carry PT_INTERP, so DT_NEEDED decides: Alpine's musl is
 * `libc.musl-<arch>.so.1`, glibc's `libc.so.6`. Upstream musl (Void, musl-gcc) has no soname and is
 * linked as plain `libc.so`, a name glibc only uses for a linker script — it cannot load there either.
 */
function detectLibc(
  platform: string | null,
  interp: string | null,
  needed: readonly string[],
  glibcVersions: boolean,
): 'glibc' | 'musl' | null {
  if (platform !== 'linux') return null;
  if ((interp !== null && interp.includes('ld-musl-')) || needed.some((n) => MUSL_LIBC.test(n)))
    return 'musl';
  if (
    glibcVersions ||
    needed.some((n) => n === 'libc.so.6' || n === 'libc.so.6.1') ||
    (interp !== null && GLIBC_INTERP.test(interp))
  ) {
    return 'glibc';
  }
  if (needed.includes('libc.so')) return 'musl';
  return null;
}
