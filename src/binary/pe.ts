import { CONSTANT_RETURN_BYTES, decodeConstantReturn } from './code.js';
import { emptyFacts } from './empty.js';
import {
  classifyModule,
  explainModule,
  findLegacyModuleVersion,
  NAPI_VERSION_EXPORT,
  SymbolCollector,
} from './module.js';
import { AddressMap, isPrintableName, Notes, Reader, type Segment } from './reader.js';
import type { BinaryFacts, ByteSource } from '../model/binary.js';

// The PE spec allows 96 sections; the loader accepts more. Keep address lookups cheap anyway.
const MAX_SECTIONS = 256;
// Real addons import from a handful of DLLs; a directory of thousands is damage or hostility.
const MAX_DESCRIPTORS = 1024;
const MAX_IMPORTS = 200_000;
const MAX_EXPORTS = 200_000;
const MAX_RELOCATION_SLOTS = 262_144;

const DIR_EXPORT = 0;
const DIR_IMPORT = 1;
const DIR_BASERELOC = 5;
const DIR_DELAY_IMPORT = 13;

const MACHINES: Record<number, { name: string; arch: string }> = {
  0x14c: { name: 'I386', arch: 'ia32' },
  0x8664: { name: 'AMD64', arch: 'x64' },
  0xaa64: { name: 'ARM64', arch: 'arm64' },
  0x1c0: { name: 'ARM', arch: 'arm' },
  0x1c4: { name: 'ARMNT', arch: 'arm' },
};

interface ImportBudget {
  imports: number;
  /** Name tables already read: a descriptor repeated (or a directory looping) is read once. */
  seen: Set<number>;
}

interface Layout {
  is64: boolean;
  imageBase: number;
  dirs: { rva: number; size: number }[];
  map: AddressMap;
}

/** Reads a Windows `.node` DLL: machine, imported DLLs (node.exe) and the registration exports. */
export function readPeFacts(source: ByteSource): BinaryFacts {
  const r = new Reader(source, true);
  if (r.u16(0) !== 0x5a4d) return emptyFacts(null, { code: 'ABSENT', part: 'pe-file' });
  const facts = emptyFacts('pe');
  const notes = new Notes();
  facts.platform = 'win32';
  facts.peMachine = null;
  facts.importsNodeExe = null;
  const peAt = r.u32(0x3c);
  if (peAt === null || r.u32(peAt) !== 0x00004550) {
    facts.notes = [{ code: 'ABSENT', part: 'pe-signature' }];
    return facts;
  }
  const coff = r.block(peAt + 4, 20);
  if (!coff) {
    facts.notes = [{ code: 'TRUNCATED', part: 'coff-header' }];
    return facts;
  }
  const machine = coff.u16(0);
  const known = MACHINES[machine];
  facts.peMachine = known?.name ?? `0x${machine.toString(16)}`;
  facts.arch = known?.arch ?? null;
  facts.arches = facts.arch ? [facts.arch] : [];
  if (!known) notes.add({ code: 'UNKNOWN_VALUE', field: 'coff-machine', value: machine });

  const layout = readLayout(r, peAt, coff.u16(2), coff.u16(16), notes);
  if (!layout) {
    facts.notes = notes.list;
    return facts;
  }

  const collector = new SymbolCollector();
  const dlls: string[] = [];
  const importNames = (dll: string, names: string[]): void => {
    if (!dlls.some((d) => d.toLowerCase() === dll.toLowerCase())) dlls.push(dll);
    for (const n of names) collector.addImport(n);
  };
  const budget: ImportBudget = { imports: MAX_IMPORTS, seen: new Set() };
  readImports(r, layout, budget, importNames, notes);
  readDelayImports(r, layout, budget, importNames, notes);
  facts.needed = dlls;
  facts.importsNodeExe = dlls.some((d) => d.toLowerCase().endsWith('.exe'));

  let versionFnRva: number | null = null;
  for (const exp of readExports(r, layout, notes)) {
    collector.addExport(exp.name);
    if (exp.name === NAPI_VERSION_EXPORT) versionFnRva = exp.rva;
  }
  const summary = collector.summary;
  let legacyAbi: string | null = null;
  if (summary.importsLegacyRegister && summary.registerAbi === null) {
    legacyAbi = readLegacyAbi(r, layout);
  }
  facts.module = classifyModule(summary, legacyAbi);
  const unexplained = explainModule(summary, legacyAbi);
  if (unexplained) notes.add(unexplained);
  if (versionFnRva !== null) {
    facts.napiVersion = readNapiVersion(r, layout, facts.arch, versionFnRva);
    if (facts.napiVersion === null) notes.add({ code: 'UNREADABLE', part: 'napi-version-body' });
  }
  facts.notes = notes.list;
  return facts;
}

function readLayout(
  r: Reader,
  peAt: number,
  sectionCount: number,
  optSize: number,
  notes: Notes,
): Layout | null {
  const optAt = peAt + 24;
  const magic = r.u16(optAt);
  if (magic !== 0x10b && magic !== 0x20b) {
    notes.add(
      magic === null
        ? { code: 'TRUNCATED', part: 'optional-header' }
        : { code: 'UNKNOWN_VALUE', field: 'optional-header-magic', value: magic },
    );
    return null;
  }
  const is64 = magic === 0x20b;
  const opt = r.block(optAt, Math.min(optSize, is64 ? 240 : 224));
  if (!opt || !opt.has(0, is64 ? 112 : 96)) {
    notes.add({ code: 'TRUNCATED', part: 'optional-header' });
    return null;
  }
  const imageBase = is64 ? opt.u64(24) : opt.u32(28);
  const dirCount = Math.min(opt.u32(is64 ? 108 : 92), 16);
  const dirsAt = is64 ? 112 : 96;
  const dirs: { rva: number; size: number }[] = [];
  for (let i = 0; i < dirCount && opt.has(dirsAt + i * 8, 8); i++) {
    dirs.push({ rva: opt.u32(dirsAt + i * 8), size: opt.u32(dirsAt + i * 8 + 4) });
  }
  const sizeOfHeaders = opt.u32(60);
  const segments: Segment[] = [{ vaddr: 0, offset: 0, filesz: Math.min(sizeOfHeaders, r.size) }];
  let count = sectionCount;
  if (count > MAX_SECTIONS) {
    notes.add({ code: 'CAPPED', part: 'pe-sections', kept: MAX_SECTIONS, total: count });
    count = MAX_SECTIONS;
  }
  const table = r.blockClipped(optAt + optSize, count * 40);
  if (!table || table.clipped) notes.add({ code: 'TRUNCATED', part: 'section-table' });
  for (let i = 0; table && table.block.has(i * 40, 40); i++) {
    const t = table.block.slice(i * 40, 40);
    const virtualSize = t.u32(8);
    const rawSize = t.u32(16);
    segments.push({
      vaddr: t.u32(12),
      offset: t.u32(20),
      filesz: virtualSize > 0 ? Math.min(virtualSize, rawSize) : rawSize,
    });
  }
  return { is64, imageBase, dirs, map: new AddressMap(segments) };
}

function dir(layout: Layout, index: number): { rva: number; size: number } | null {
  const d = layout.dirs[index];
  return d && d.rva !== 0 ? d : null;
}

/** A string at an RVA, or null when it isn't backed by the file. */
function stringAt(r: Reader, layout: Layout, rva: number): string | null {
  const off = layout.map.toOffset(rva);
  return off === null ? null : r.cstring(off);
}

/** Names in an import lookup table (ordinal-only entries have none). */
function thunkNames(r: Reader, layout: Layout, rva: number, budget: ImportBudget, notes: Notes): string[] {
  const names: string[] = [];
  const size = layout.is64 ? 8 : 4;
  const off = layout.map.toOffset(rva, size);
  const got =
    off === null ? null : r.blockClipped(off, Math.min(layout.map.extent(rva), budget.imports * size));
  if (!got) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'import-name-table' });
    return names;
  }
  const t = got.block;
  let terminated = false;
  for (let at = 0; t.has(at, size) && budget.imports > 0; at += size, budget.imports--) {
    const lo = t.u32(at);
    const hi = layout.is64 ? t.u32(at + 4) : 0;
    if (lo === 0 && hi === 0) {
      terminated = true;
      break;
    }
    const byOrdinal = layout.is64 ? (hi & 0x80000000) !== 0 : (lo & 0x80000000) !== 0;
    if (byOrdinal) continue;
    // IMAGE_IMPORT_BY_NAME: a u16 hint, then the name.
    const name = stringAt(r, layout, (lo & 0x7fffffff) + 2);
    if (name === null || !isPrintableName(name)) {
      notes.add({ code: 'UNREADABLE', part: 'import-name-table-entry' });
      terminated = true;
      break;
    }
    names.push(name);
  }
  if (!terminated)
    notes.add(
      budget.imports > 0
        ? { code: 'TRUNCATED', part: 'import-name-table' }
        : { code: 'CUT', part: 'imports', at: MAX_IMPORTS },
    );
  return names;
}

function onceNames(r: Reader, layout: Layout, rva: number, budget: ImportBudget, notes: Notes): string[] {
  if (budget.seen.has(rva)) {
    notes.add({ code: 'UNREADABLE', part: 'import-name-table-repeat' });
    return [];
  }
  budget.seen.add(rva);
  return thunkNames(r, layout, rva, budget, notes);
}

function readImports(
  r: Reader,
  layout: Layout,
  budget: ImportBudget,
  add: (dll: string, names: string[]) => void,
  notes: Notes,
): void {
  const d = dir(layout, DIR_IMPORT);
  if (!d) return;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const off = layout.map.toOffset(d.rva + i * 20, 20);
    const desc = off === null ? null : r.block(off, 20);
    if (!desc) {
      notes.add({ code: 'RUNS_PAST_END', part: 'import-directory' });
      return;
    }
    const nameRva = desc.u32(12);
    const firstThunk = desc.u32(16);
    if (nameRva === 0 && firstThunk === 0) return;
    const dll = stringAt(r, layout, nameRva);
    if (dll === null || !isPrintableName(dll)) {
      // A damaged or hostile directory: what follows is no more trustworthy than this entry.
      notes.add({ code: 'UNREADABLE', part: 'import-descriptor' });
      return;
    }
    const lookup = desc.u32(0) || firstThunk;
    add(dll, onceNames(r, layout, lookup, budget, notes));
  }
  notes.add({ code: 'CUT', part: 'import-directory', at: MAX_DESCRIPTORS });
}

/** node-gyp links node.exe delay-loaded (win_delay_load_hook), so its imports live here. */
function readDelayImports(
  r: Reader,
  layout: Layout,
  budget: ImportBudget,
  add: (dll: string, names: string[]) => void,
  notes: Notes,
): void {
  const d = dir(layout, DIR_DELAY_IMPORT);
  if (!d) return;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const off = layout.map.toOffset(d.rva + i * 32, 32);
    const desc = off === null ? null : r.block(off, 32);
    if (!desc) {
      notes.add({ code: 'RUNS_PAST_END', part: 'delay-import-directory' });
      return;
    }
    const attributes = desc.u32(0);
    // Attribute bit 0 clear: an old (VC6) table holding virtual addresses instead of RVAs.
    const base = attributes & 1 ? 0 : layout.imageBase;
    const nameAddr = desc.u32(4);
    if (nameAddr === 0) return;
    const dll = stringAt(r, layout, nameAddr - base);
    if (dll === null || !isPrintableName(dll)) {
      notes.add({ code: 'UNREADABLE', part: 'delay-import-descriptor' });
      return;
    }
    const intAddr = desc.u32(16);
    add(dll, intAddr === 0 ? [] : onceNames(r, layout, intAddr - base, budget, notes));
  }
  notes.add({ code: 'CUT', part: 'delay-import-directory', at: MAX_DESCRIPTORS });
}

function readExports(r: Reader, layout: Layout, notes: Notes): { name: string; rva: number }[] {
  const d = dir(layout, DIR_EXPORT);
  if (!d) return [];
  const off = layout.map.toOffset(d.rva, 40);
  const e = off === null ? null : r.block(off, 40);
  if (!e) {
    notes.add({ code: 'OUTSIDE_FILE', part: 'export-directory' });
    return [];
  }
  const functionCount = e.u32(20);
  let nameCount = e.u32(24);
  if (nameCount > MAX_EXPORTS) {
    notes.add({ code: 'CAPPED', part: 'export-names', kept: MAX_EXPORTS, total: nameCount });
    nameCount = MAX_EXPORTS;
  }
  const table = (rva: number, bytes: number) => {
    const at = layout.map.toOffset(rva, bytes);
    return at === null ? null : r.block(at, bytes);
  };
  const names = table(e.u32(32), nameCount * 4);
  const ordinals = table(e.u32(36), nameCount * 2);
  const functions = table(e.u32(28), Math.min(functionCount, 0x10000) * 4);
  if (!names || !ordinals) {
    if (nameCount > 0) notes.add({ code: 'OUTSIDE_FILE', part: 'export-name-tables' });
    return [];
  }
  const out: { name: string; rva: number }[] = [];
  for (let i = 0; i < nameCount; i++) {
    const name = stringAt(r, layout, names.u32(i * 4));
    if (name === null || !isPrintableName(name)) {
      notes.add({ code: 'UNREADABLE', part: 'export-name-table-entry' });
      break;
    }
    const ordinal = ordinals.u16(i * 2);
    out.push({ name, rva: functions && functions.has(ordinal * 4, 4) ? functions.u32(ordinal * 4) : 0 });
  }
  return out;
}

/** Addresses (RVAs) the Windows loader rebases: the pointer slots of static data. */
function baseRelocationSlots(r: Reader, layout: Layout): Set<number> {
  const slots = new Set<number>();
  const d = dir(layout, DIR_BASERELOC);
  if (!d) return slots;
  const off = layout.map.toOffset(d.rva);
  const got = off === null ? null : r.blockClipped(off, d.size);
  if (!got) return slots;
  const b = got.block;
  // Each block is at least 8 bytes and `at` only grows, so this ends.
  for (let at = 0; b.has(at, 8) && slots.size < MAX_RELOCATION_SLOTS;) {
    const page = b.u32(at);
    const size = b.u32(at + 4);
    if (size < 8) break;
    for (let e = at + 8; e + 2 <= at + size && b.has(e, 2); e += 2) {
      const entry = b.u16(e);
      const type = entry >> 12;
      if (type === 3 || type === 10) slots.add(page + (entry & 0xfff));
    }
    at += size;
  }
  return slots;
}

function readLegacyAbi(r: Reader, layout: Layout): string | null {
  const readU32 = (rva: number): number | null => {
    const off = layout.map.toOffset(rva, 4);
    return off === null ? null : r.u32(off);
  };
  const size = layout.is64 ? 8 : 4;
  const readWord = (rva: number): number | null => {
    const off = layout.map.toOffset(rva, size);
    const b = off === null ? null : r.block(off, size);
    return b ? b.word(0, layout.is64) : null;
  };
  return findLegacyModuleVersion(baseRelocationSlots(r, layout), size, readU32, readWord);
}

function readNapiVersion(r: Reader, layout: Layout, arch: string | null, rva: number): number | null {
  const codeAt = (at: number): Uint8Array | null => {
    const off = layout.map.toOffset(at);
    const got = off === null ? null : r.blockClipped(off, CONSTANT_RETURN_BYTES, CONSTANT_RETURN_BYTES);
    return got ? got.block.bytes : null;
  };
  let code = codeAt(rva);
  // Incrementally linked (debug) builds export a `jmp rel32` thunk; follow it once.
  if (code && code[0] === 0xe9 && code.length >= 5 && (arch === 'x64' || arch === 'ia32')) {
    const rel = code[1]! | (code[2]! << 8) | (code[3]! << 16) | (code[4]! << 24);
    code = codeAt(rva + 5 + rel);
  }
  return code ? decodeConstantReturn(arch, code) : null;
}
