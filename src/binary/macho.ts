import { CONSTANT_RETURN_BYTES, decodeConstantReturn } from './code.js';
import { emptyFacts } from './empty.js';
import {
  classifyModule,
  explainModule,
  findLegacyModuleVersion,
  LEGACY_MODULE_SYMBOL,
  NAPI_VERSION_EXPORT,
  SymbolCollector,
} from './module.js';
import { AddressMap, type Block, MiB, Notes, Reader, type Segment } from './reader.js';
import { sliceSource } from './source.js';
import type { BinaryFacts, ByteSource } from '../model/binary.js';

const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;

// Real universal files carry 2–4 slices; load commands rarely pass a few hundred.
const MAX_SLICES = 16;
const MAX_LOAD_COMMANDS = 4096;
const MAX_LOAD_COMMAND_BYTES = 4 * MiB;
const MAX_SEGMENTS = 256;
const MAX_SYMBOL_STRINGS = 16 * MiB;
const MAX_SYMBOLS = 2_000_000;
const MAX_REBASE_BYTES = 16 * MiB;
const MAX_REBASE_SLOTS = 262_144;

const LC_SEGMENT = 0x1;
const LC_SYMTAB = 0x2;
const LC_LOAD_DYLIB = 0xc;
const LC_SEGMENT_64 = 0x19;
const LC_VERSION_MIN_MACOSX = 0x24;
const LC_LAZY_LOAD_DYLIB = 0x20;
const LC_BUILD_VERSION = 0x32;
const LC_DYLD_INFO = 0x22;
/** Commands dyld must understand carry this bit. (`>>> 0`: JS bitwise results are signed.) */
const reqDyld = (cmd: number): number => (0x80000000 | cmd) >>> 0;
const DYLIB_COMMANDS = new Set([
  LC_LOAD_DYLIB,
  LC_LAZY_LOAD_DYLIB,
  reqDyld(0x18), // LC_LOAD_WEAK_DYLIB
  reqDyld(0x1f), // LC_REEXPORT_DYLIB
  reqDyld(0x23), // LC_LOAD_UPWARD_DYLIB
]);
const PLATFORM_MACOS = 1;

const CPU_ARCH_ABI64 = 0x01000000;
const CPU_ARCH: Record<number, string> = {
  7: 'ia32',
  [7 | CPU_ARCH_ABI64]: 'x64',
  12: 'arm',
  [12 | CPU_ARCH_ABI64]: 'arm64',
  18: 'ppc',
  [18 | CPU_ARCH_ABI64]: 'ppc64',
};

export function machoArch(cputype: number): string | null {
  return CPU_ARCH[cputype] ?? null;
}

/** True for the first four bytes of a thin or universal Mach-O file (either byte order). */
export function isMachOMagic(be: number): boolean {
  const le = ((be & 0xff) << 24) | ((be & 0xff00) << 8) | ((be >>> 8) & 0xff00) | (be >>> 24);
  return (
    be === FAT_MAGIC ||
    be === FAT_MAGIC_64 ||
    be === MH_MAGIC ||
    be === MH_MAGIC_64 ||
    le >>> 0 === MH_MAGIC ||
    le >>> 0 === MH_MAGIC_64
  );
}

/** Facts of a thin Mach-O file, or of every slice of a universal file (see `BinaryFacts.slices`). */
export function readMachOFacts(source: ByteSource): BinaryFacts {
  const magic = new Reader(source, false).u32(0);
  if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) return readUniversal(source, magic === FAT_MAGIC_64);
  return readThin(source);
}

function readUniversal(source: ByteSource, is64: boolean): BinaryFacts {
  const notes = new Notes();
  const r = new Reader(source, false);
  const declared = r.u32(4) ?? 0;
  let count = declared;
  if (count > MAX_SLICES) {
    notes.add({ code: 'CAPPED', part: 'universal-slices', kept: MAX_SLICES, total: declared });
    count = MAX_SLICES;
  }
  const entsize = is64 ? 32 : 20;
  const table = r.blockClipped(8, count * entsize);
  if (!table || table.clipped) notes.add({ code: 'TRUNCATED', part: 'universal-header' });
  const slices: BinaryFacts[] = [];
  const arches: string[] = [];
  for (let i = 0; table && table.block.has(i * entsize, entsize); i++) {
    const at = i * entsize;
    const t = table.block;
    const cputype = t.u32(at);
    const offset = is64 ? t.u64(at + 8) : t.u32(at + 8);
    const size = is64 ? t.u64(at + 16) : t.u32(at + 12);
    const arch = machoArch(cputype);
    if (arch === null) notes.add({ code: 'SLICE_UNKNOWN_CPUTYPE', slice: i, cputype });
    // dyld picks a slice by the universal header's cputype, so that is the arch the slice offers.
    if (arch !== null && !arches.includes(arch)) arches.push(arch);
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(size) ||
      offset + size > source.size ||
      offset < 8
    ) {
      notes.add({ code: 'SLICE_OUTSIDE_FILE', slice: i, arch, cputype });
      continue;
    }
    const slice = sliceSource(source, offset, size);
    const inner = new Reader(slice, false).u32(0);
    if (inner === FAT_MAGIC || inner === FAT_MAGIC_64) {
      // A universal file inside a universal file is not loadable; don't recurse into it.
      notes.add({ code: 'SLICE_NESTED', slice: i });
      continue;
    }
    const facts = readThin(slice);
    if (facts.arch !== null && arch !== null && facts.arch !== arch) {
      notes.add({ code: 'SLICE_ARCH_DISAGREES', slice: i, header: facts.arch, universal: arch });
    }
    slices.push(facts);
  }
  // The top level describes the first slice with a known arch, so `arch` and the rest agree.
  const lead = slices.find((s) => s.arch === arches[0]) ?? slices[0] ?? emptyFacts('macho');
  const facts: BinaryFacts = {
    ...lead,
    arch: arches[0] ?? null,
    arches,
    platform: 'darwin',
    slices,
  };
  if (slices.length === 0) notes.add({ code: 'ABSENT', part: 'readable-slice' });
  for (const [i, s] of slices.entries())
    if (s.notes.length > 0) notes.add({ code: 'SLICE_NOTES', slice: i, notes: s.notes });
  facts.notes = notes.list;
  return facts;
}

interface ThinHeader {
  is64: boolean;
  cputype: number;
  ncmds: number;
  sizeofcmds: number;
}

function readThin(source: ByteSource): BinaryFacts {
  const facts = emptyFacts('macho');
  const notes = new Notes();
  const magicLe = new Reader(source, true).u32(0);
  const magicBe = new Reader(source, false).u32(0);
  const le = magicLe === MH_MAGIC || magicLe === MH_MAGIC_64;
  if (!le && magicBe !== MH_MAGIC && magicBe !== MH_MAGIC_64)
    return emptyFacts(null, { code: 'ABSENT', part: 'macho-file' });
  const r = new Reader(source, le);
  const is64 = (le ? magicLe : magicBe) === MH_MAGIC_64;
  const hb = r.block(0, is64 ? 32 : 28);
  facts.platform = 'darwin';
  if (!hb) {
    facts.notes = [{ code: 'TRUNCATED', part: 'macho-header' }];
    return facts;
  }
  const h: ThinHeader = { is64, cputype: hb.u32(4), ncmds: hb.u32(16), sizeofcmds: hb.u32(20) };
  facts.arch = machoArch(h.cputype);
  facts.arches = facts.arch ? [facts.arch] : [];
  if (facts.arch === null) notes.add({ code: 'UNKNOWN_VALUE', field: 'macho-cputype', value: h.cputype });
  facts.minMacos = null;

  const commandsAt = is64 ? 32 : 28;
  const got = r.blockClipped(commandsAt, h.sizeofcmds, MAX_LOAD_COMMAND_BYTES);
  if (!got) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'load-commands' });
    facts.notes = notes.list;
    return facts;
  }
  if (got.clipped) notes.add({ code: 'TRUNCATED', part: 'load-commands' });
  const cmds = got.block;
  const commands: Commands = { segments: [], symtab: null, rebase: null };
  let count = h.ncmds;
  if (count > MAX_LOAD_COMMANDS) {
    notes.add({ code: 'CAPPED', part: 'load-commands', kept: MAX_LOAD_COMMANDS, total: count });
    count = MAX_LOAD_COMMANDS;
  }
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (!cmds.has(at, 8)) {
      notes.add({ code: 'UNREADABLE', part: 'load-commands-end' });
      break;
    }
    const cmd = cmds.u32(at);
    const size = cmds.u32(at + 4);
    if (size < 8 || !cmds.has(at, size)) {
      notes.add({ code: 'BAD_LOAD_COMMAND', index: i });
      break;
    }
    const c = cmds.slice(at, size);
    readLoadCommand(c, cmd, facts, commands, notes);
    at += size;
  }

  const map = new AddressMap(commands.segments);
  const collector = new SymbolCollector();
  let versionFnAddress: number | null = null;
  let legacyAbi: string | null = null;
  if (commands.symtab) {
    for (const sym of readSymbols(r, is64, commands.symtab, notes)) {
      // C names carry a leading underscore in Mach-O.
      const name = sym.name.startsWith('_') ? sym.name.slice(1) : sym.name;
      if (sym.kind === 'import') collector.addImport(name);
      else if (sym.kind === 'export') {
        collector.addExport(name);
        if (name === NAPI_VERSION_EXPORT) versionFnAddress = sym.value;
      } else if (LEGACY_MODULE_SYMBOL.test(name)) {
        const off = map.toOffset(sym.value, 4);
        const version = off === null ? null : r.u32(off);
        if (version !== null && version > 0 && version < 10000) legacyAbi = String(version);
      }
    }
  } else notes.add({ code: 'ABSENT', part: 'symbol-table' });
  const summary = collector.summary;
  if (
    summary.importsLegacyRegister &&
    summary.registerAbi === null &&
    legacyAbi === null &&
    commands.rebase
  ) {
    // Local symbols stripped (`strip -x`): find the node_module struct through dyld's rebase list.
    const slots = rebaseSlots(r, commands.rebase, commands.segments, is64);
    const readU32 = (addr: number): number | null => {
      const off = map.toOffset(addr, 4);
      return off === null ? null : r.u32(off);
    };
    const readWord = (addr: number): number | null => {
      const off = map.toOffset(addr, is64 ? 8 : 4);
      const b = off === null ? null : r.block(off, is64 ? 8 : 4);
      return b ? b.word(0, is64) : null;
    };
    legacyAbi = findLegacyModuleVersion(slots, is64 ? 8 : 4, readU32, readWord);
  }
  facts.module = classifyModule(summary, legacyAbi);
  const unexplained = explainModule(summary, legacyAbi);
  if (unexplained) notes.add(unexplained);
  if (versionFnAddress !== null) {
    const off = map.toOffset(versionFnAddress);
    const code = off === null ? null : r.blockClipped(off, CONSTANT_RETURN_BYTES, CONSTANT_RETURN_BYTES);
    facts.napiVersion = code ? decodeConstantReturn(facts.arch, code.block.bytes) : null;
    if (facts.napiVersion === null) notes.add({ code: 'UNREADABLE', part: 'napi-version-body' });
  }
  facts.notes = notes.list;
  return facts;
}

interface SymtabCommand {
  symoff: number;
  nsyms: number;
  stroff: number;
  strsize: number;
}

/** What the load commands locate, beyond the facts they state directly. */
interface Commands {
  /** In load-command order: rebase opcodes name segments by this index. */
  segments: Segment[];
  symtab: SymtabCommand | null;
  rebase: { offset: number; size: number } | null;
}

function readLoadCommand(c: Block, cmd: number, facts: BinaryFacts, commands: Commands, notes: Notes): void {
  const { segments } = commands;
  if (cmd === LC_SEGMENT_64 && c.has(0, 56) && segments.length < MAX_SEGMENTS) {
    segments.push({ vaddr: c.u64(24), offset: c.u64(40), filesz: c.u64(48) });
  } else if (cmd === LC_SEGMENT && c.has(0, 40) && segments.length < MAX_SEGMENTS) {
    segments.push({ vaddr: c.u32(24), offset: c.u32(32), filesz: c.u32(36) });
  } else if (cmd === LC_SYMTAB && c.has(0, 24)) {
    commands.symtab = { symoff: c.u32(8), nsyms: c.u32(12), stroff: c.u32(16), strsize: c.u32(20) };
  } else if ((cmd === LC_DYLD_INFO || cmd === reqDyld(LC_DYLD_INFO)) && c.has(0, 16)) {
    commands.rebase = { offset: c.u32(8), size: c.u32(12) };
  } else if (DYLIB_COMMANDS.has(cmd) && c.has(0, 12)) {
    const name = c.cstring(c.u32(8));
    if (name !== null && facts.needed.length < 1024) facts.needed.push(name);
    else if (name === null) notes.add({ code: 'UNREADABLE', part: 'dylib-name' });
  } else if (cmd === LC_BUILD_VERSION && c.has(0, 16)) {
    if (c.u32(8) === PLATFORM_MACOS) facts.minMacos ??= formatMachOVersion(c.u32(12));
  } else if (cmd === LC_VERSION_MIN_MACOSX && c.has(0, 12)) {
    facts.minMacos ??= formatMachOVersion(c.u32(8));
  }
}

/** Mach-O packs versions as xxxx.yy.zz in one u32. */
function formatMachOVersion(v: number): string {
  const major = v >>> 16;
  const minor = (v >>> 8) & 0xff;
  const patch = v & 0xff;
  return patch ? `${major}.${minor}.${patch}` : `${major}.${minor}`;
}

interface MachOSymbol {
  name: string;
  value: number;
  kind: 'import' | 'export' | 'local';
}

function readSymbols(r: Reader, is64: boolean, s: SymtabCommand, notes: Notes): MachOSymbol[] {
  const entsize = is64 ? 16 : 12;
  const strings = r.blockClipped(s.stroff, s.strsize, MAX_SYMBOL_STRINGS);
  const table = r.blockClipped(s.symoff, Math.min(s.nsyms, MAX_SYMBOLS) * entsize);
  if (!strings || !table) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'symbol-table' });
    return [];
  }
  if (strings.clipped) notes.add({ code: 'CUT', part: 'symbol-strings', at: strings.block.length });
  if (table.clipped || s.nsyms > MAX_SYMBOLS) notes.add({ code: 'TRUNCATED', part: 'symbol-table' });
  const out: MachOSymbol[] = [];
  let unnamed = 0;
  const t = table.block;
  for (let at = 0; t.has(at, entsize); at += entsize) {
    const type = t.u8(at + 4);
    if (type & 0xe0) continue; // N_STAB debugging entries
    const name = strings.block.cstring(t.u32(at));
    if (name === null) unnamed++;
    if (!name) continue;
    const value = is64 ? t.u64(at + 8) : t.u32(at + 8);
    const kindBits = type & 0x0e;
    const external = (type & 0x01) !== 0;
    if (kindBits === 0x0 && external && value === 0) out.push({ name, value, kind: 'import' });
    else if (kindBits === 0xe) out.push({ name, value, kind: external ? 'export' : 'local' });
  }
  if (unnamed > 0) notes.add({ code: 'UNNAMED_SYMBOLS', table: 'macho', count: unnamed });
  return out;
}

/**
 * Addresses dyld rebases (pointers into the image itself), from LC_DYLD_INFO's rebase opcodes.
 * Every opcode consumes at least one byte, and all repeats together are bounded by a work cap.
 */
function rebaseSlots(
  r: Reader,
  rebase: { offset: number; size: number },
  segments: readonly Segment[],
  is64: boolean,
): Set<number> {
  const slots = new Set<number>();
  const got = r.blockClipped(rebase.offset, rebase.size, MAX_REBASE_BYTES);
  if (!got) return slots;
  const ops = got.block.bytes;
  const ptr = is64 ? 8 : 4;
  let at = 0;
  const uleb = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10 && at < ops.length; i++) {
      const byte = ops[at++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    return Number.POSITIVE_INFINITY;
  };
  let segment: Segment | undefined;
  let offset = 0;
  // Counts rebases done, not distinct slots: a repeat into no segment (or one address) adds none.
  let work = 0;
  const add = (times: number, step: number): void => {
    for (let i = 0; i < times && work < MAX_REBASE_SLOTS; i++, work++) {
      // A rebase outside its segment's file data is damage; so is everything the repeat would add.
      if (!segment || offset < 0 || offset + ptr > segment.filesz) return;
      slots.add(segment.vaddr + offset);
      offset += step;
    }
  };
  while (at < ops.length && work < MAX_REBASE_SLOTS) {
    const byte = ops[at++]!;
    const imm = byte & 0x0f;
    switch (byte & 0xf0) {
      case 0x00: // REBASE_OPCODE_DONE
        return slots;
      case 0x10: // SET_TYPE_IMM: every type rebases a pointer-sized slot
        break;
      case 0x20: // SET_SEGMENT_AND_OFFSET_ULEB
        segment = segments[imm];
        offset = uleb();
        break;
      case 0x30: // ADD_ADDR_ULEB
        offset += uleb();
        break;
      case 0x40: // ADD_ADDR_IMM_SCALED
        offset += imm * ptr;
        break;
      case 0x50: // DO_REBASE_IMM_TIMES
        add(imm, ptr);
        break;
      case 0x60: // DO_REBASE_ULEB_TIMES
        add(uleb(), ptr);
        break;
      case 0x70: // DO_REBASE_ADD_ADDR_ULEB
        add(1, uleb() + ptr);
        break;
      case 0x80: {
        // DO_REBASE_ULEB_TIMES_SKIPPING_ULEB
        const times = uleb();
        add(times, uleb() + ptr);
        break;
      }
      default:
        return slots;
    }
    if (!Number.isSafeInteger(offset)) return slots;
  }
  return slots;
}
