import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildElf, elfHeaderOffsets } from './elf-builder.js';
import { parseChecked } from './harness.js';
import { addon, binary } from './paths.js';

const load = (path: string) => Uint8Array.from(readFileSync(path));
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

// --- ELF (64-bit little-endian helpers) -----------------------------------------------------

interface DynEntry {
  at: number;
  tag: number;
  val: number;
}

/** The dynamic entries of a 64-bit LE ELF, with their file offsets, for targeted damage. */
function elfDynamic(b: Uint8Array): DynEntry[] {
  const v = view(b);
  const phoff = Number(v.getBigUint64(32, true));
  const phnum = v.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * 56;
    if (v.getUint32(at, true) !== 2) continue;
    const offset = Number(v.getBigUint64(at + 8, true));
    const out: DynEntry[] = [];
    for (let e = offset; e + 16 <= b.length; e += 16) {
      const tag = Number(v.getBigUint64(e, true));
      out.push({ at: e, tag, val: Number(v.getBigUint64(e + 8, true)) });
      if (tag === 0) break;
    }
    return out;
  }
  throw new Error('no PT_DYNAMIC');
}

function setDyn(b: Uint8Array, tag: number, val: bigint): void {
  const entry = elfDynamic(b).find((e) => e.tag === tag);
  if (!entry) throw new Error(`no dynamic tag ${tag}`);
  view(b).setBigUint64(entry.at + 8, val, true);
}

/** File offset of a virtual address in a fixture whose first PT_LOAD maps offset 0 at 0. */
const vaddrToOffset = (vaddr: number) => vaddr;

const H = elfHeaderOffsets(true);

describe('hostile ELF', () => {
  it('e_phnum 0xffff and e_phentsize 0xffff', () => {
    const b = load(addon('napi-ok'));
    view(b).setUint16(H.phnum, 0xffff, true);
    expect(parseChecked(b).facts.notes).toContainEqual({ code: 'TRUNCATED', part: 'program-header-table' });
    const c = load(addon('napi-ok'));
    view(c).setUint16(H.phentsize, 0xffff, true);
    view(c).setUint16(H.phnum, 0xffff, true);
    parseChecked(c);
  });

  it('section table past the end, at 2^63, and e_shnum 0xffff', () => {
    for (const shoff of [BigInt(1) << 20n, 1n << 63n, 0xffffffffffffffffn]) {
      const b = load(addon('napi-ok'));
      view(b).setBigUint64(H.shoff, shoff, true);
      const { facts } = parseChecked(b);
      expect(facts.napiVersion).toBe(8); // program headers still carry everything
    }
    const b = load(addon('napi-ok'));
    view(b).setUint16(H.shnum, 0xffff, true);
    expect(parseChecked(b).facts.notes).toContainEqual({ code: 'TRUNCATED', part: 'section-header-table' });
  });

  it('extended section count (e_shnum 0 → section 0 sh_size) of 2^32-1', () => {
    const b = load(addon('napi-ok'));
    const shoff = Number(view(b).getBigUint64(H.shoff, true));
    view(b).setUint16(H.shnum, 0, true);
    view(b).setBigUint64(shoff + 32, 0xffffffffn, true);
    expect(parseChecked(b).facts.notes).toContainEqual({
      code: 'CAPPED',
      part: 'section-headers',
      kept: 65536,
      total: 4294967295,
    });
  });

  it('a string table that is the dynamic section itself, with a huge size', () => {
    const b = load(addon('legacy-abi'));
    const dynamic = elfDynamic(b);
    setDyn(b, 5 /* DT_STRTAB */, BigInt(dynamic[0]!.at));
    setDyn(b, 10 /* DT_STRSZ */, 0xffffffffffffffffn);
    parseChecked(b);
  });

  it('huge version-need count, and huge aux offsets', () => {
    const b = load(binary('sharp-linux-x64-0.33.5'));
    setDyn(b, 0x6fffffff /* DT_VERNEEDNUM */, 0xffffffffn);
    parseChecked(b);
    const c = load(binary('sharp-linux-x64-0.33.5'));
    const verneed = elfDynamic(c).find((e) => e.tag === 0x6ffffffe)!.val;
    view(c).setUint32(vaddrToOffset(verneed) + 8, 0xfffffff0, true); // vn_aux
    view(c).setUint32(vaddrToOffset(verneed) + 12, 16, true); // vn_next: into its own aux entries
    parseChecked(c);
  });

  it('GNU hash with 2^32-1 buckets and a huge bloom filter', () => {
    const b = load(addon('legacy-abi'));
    const gnu = elfDynamic(b).find((e) => e.tag === 0x6ffffef5)!.val;
    view(b).setUint32(vaddrToOffset(gnu), 0xffffffff, true);
    view(b).setUint32(vaddrToOffset(gnu) + 8, 0x7fffffff, true);
    const shoff = H.shoff;
    view(b).setBigUint64(shoff, 0n, true); // no section headers: the hash is the only count
    parseChecked(b);
  });

  it('DT_HASH claiming 2^32-1 symbols', () => {
    const b = buildElf({ machine: 62, imports: ['napi_create_object'] });
    const hash = elfDynamic(b).find((e) => e.tag === 4)!.val - 0x10000;
    view(b).setUint32(hash + 4, 0xffffffff, true);
    expect(parseChecked(b).facts.notes).toContainEqual(
      expect.objectContaining({ code: 'CUT', part: 'dynamic-symbols' }),
    );
  });

  it('a dynamic section of nothing but DT_NEEDED, and relocation tables of 2^40 bytes', () => {
    const b = load(addon('legacy-abi'));
    for (const e of elfDynamic(b)) if (e.tag !== 0) view(b).setBigUint64(e.at, 1n, true);
    parseChecked(b);
    const c = load(addon('legacy-abi'));
    setDyn(c, 8 /* DT_RELASZ */, 1n << 40n);
    expect(parseChecked(c).facts.module).toEqual({ kind: 'abi', abi: '115' });
  });

  it('a note with 4 GiB name and descriptor sizes', () => {
    const b = buildElf({ machine: 183, note: { owner: 'Android', type: 1 } });
    // The note follows the ELF header and the three program headers (LOAD, DYNAMIC, NOTE).
    const noteAt = 64 + 3 * 56;
    view(b).setUint32(noteAt, 0xffffffff, true);
    view(b).setUint32(noteAt + 4, 0xffffffff, true);
    expect(parseChecked(b).facts.platform).toBe('linux');
  });

  it('symbol names pointing past the string table', () => {
    const b = load(addon('napi-ok'));
    const symtab = elfDynamic(b).find((e) => e.tag === 6)!.val;
    for (let i = 1; i < 8; i++) view(b).setUint32(vaddrToOffset(symtab) + i * 24, 0xfffffff0, true);
    expect(parseChecked(b).facts.notes).toContainEqual({
      code: 'UNNAMED_SYMBOLS',
      table: 'dynamic',
      count: 7,
    });
  });

  it('200,000 undefined C symbols: capped at 2,000, and no call runs out of arguments', () => {
    const imports = Array.from({ length: 200_000 }, (_, i) => `f${i}@GLIBC_2.2.5`);
    const b = buildElf({ machine: 62, imports, verneed: [{ file: 'libc.so.6', versions: ['GLIBC_2.2.5'] }] });
    const { facts } = parseChecked(b);
    expect(facts.cImports).toHaveLength(2000);
    expect(facts.cImports![0]).toBe('f0@GLIBC_2.2.5');
    expect(facts.notes).toEqual([{ code: 'CAPPED', part: 'c-imports', kept: 2000, total: 200000 }]);
  });

  it('DT_VERSYM at 2^63 and at the end of the file, DT_RUNPATH far outside the string table', () => {
    const spec = {
      machine: 62,
      imports: ['memcpy@GLIBC_2.14'],
      verneed: [{ file: 'libc.so.6', versions: ['GLIBC_2.14'] }],
      runpath: '$ORIGIN',
    };
    for (const addr of [1n << 63n, BigInt(0x10000 + buildElf(spec).length - 1)]) {
      const b = buildElf(spec);
      setDyn(b, 0x6ffffff0 /* DT_VERSYM */, addr);
      const { facts } = parseChecked(b);
      expect(facts.cImports).toEqual(['memcpy']);
      expect(facts.notes).toContainEqual({ code: 'UNREADABLE', part: 'symbol-versions' });
    }
    const c = buildElf(spec);
    setDyn(c, 29 /* DT_RUNPATH */, 0xfffffff0n);
    const { facts } = parseChecked(c);
    expect(facts.runpath).toEqual([]);
    expect(facts.notes).toContainEqual({ code: 'UNREADABLE', part: 'runpath' });
  });

  it('unknown class and byte order', () => {
    const b = load(addon('napi-ok'));
    b[4] = 7;
    expect(parseChecked(b).facts).toMatchObject({
      format: 'elf',
      arch: null,
      notes: [{ code: 'UNKNOWN_ELF_CLASS', elfClass: 7, encoding: 1 }],
    });
  });
});

// --- Mach-O ------------------------------------------------------------------------------------

describe('hostile Mach-O', () => {
  it('a universal header claiming 2^32-1 slices (32- and 64-bit headers)', () => {
    const b = load(binary('fsevents-2.3.3-darwin-universal'));
    view(b).setUint32(4, 0xffffffff);
    const { facts } = parseChecked(b);
    expect(facts.notes).toContainEqual({
      code: 'CAPPED',
      part: 'universal-slices',
      kept: 16,
      total: 4294967295,
    });
    expect(facts.arches).toContain('arm64');
    view(b).setUint32(0, 0xcafebabf);
    parseChecked(b);
  });

  it('slices pointing at the universal header, past the end, and at a nested universal header', () => {
    const b = load(binary('fsevents-2.3.3-darwin-universal'));
    view(b).setUint32(8 + 8, 0); // slice 0 offset → the fat header itself
    view(b).setUint32(8 + 20 + 8, 0xfffffff0); // slice 1 offset → past the end
    expect(parseChecked(b).facts.notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'SLICE_OUTSIDE_FILE', slice: 0 }),
        expect.objectContaining({ code: 'SLICE_OUTSIDE_FILE', slice: 1 }),
      ]),
    );

    // A slice whose bytes are another universal header claiming 2^32-1 slices.
    const c = load(binary('fsevents-2.3.3-darwin-universal'));
    const slice = view(c).getUint32(8 + 8);
    view(c).setUint32(slice, 0xcafebabe);
    view(c).setUint32(slice + 4, 0xffffffff);
    const { facts } = parseChecked(c);
    expect(facts.notes).toContainEqual({ code: 'SLICE_NESTED', slice: 0 });
    expect(facts.arch).toBe('x64');
  });

  it('a universal header with an unknown cputype offers no arch for that slice', () => {
    const b = load(binary('fsevents-2.3.3-darwin-universal'));
    view(b).setUint32(8, 0);
    const { facts } = parseChecked(b);
    expect([facts.arch, facts.arches, facts.minMacos]).toEqual(['arm64', ['arm64'], '11.0']);
    expect(facts.notes).toContainEqual({ code: 'SLICE_UNKNOWN_CPUTYPE', slice: 0, cputype: 0 });
  });

  it('2^32-1 load commands of 2^32-1 bytes, and a zero-sized command', () => {
    const b = load(binary('bufferutil-4.1.0-darwin-arm64'));
    view(b).setUint32(16, 0xffffffff, true);
    view(b).setUint32(20, 0xffffffff, true);
    parseChecked(b);
    const c = load(binary('bufferutil-4.1.0-darwin-arm64'));
    view(c).setUint32(32 + 4, 0, true);
    expect(parseChecked(c).facts.notes).toContainEqual({ code: 'BAD_LOAD_COMMAND', index: 0 });
  });

  it('rebase opcodes repeating 2^63 times, or running off their segment list', () => {
    for (const opcodes of [
      [0x21, 0x00, 0x60, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // DO_REBASE_ULEB_TIMES
      [0x2f, 0x00, 0x55, 0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // bad segment, overlong ULEB
      // 2^63 repeats into a segment that does not exist: found by the fuzzer as a hang.
      [0x2f, 0x00, 0x60, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
    ]) {
      const b = load(binary('deasync-0.1.30-darwin-x64-node-8.strip-x'));
      const v = view(b);
      let at = 32;
      for (let i = 0; i < v.getUint32(16, true); i++) {
        if (v.getUint32(at, true) === 0x80000022 /* LC_DYLD_INFO_ONLY */) {
          const rebaseOff = v.getUint32(at + 8, true);
          v.setUint32(at + 12, opcodes.length, true);
          b.set(opcodes, rebaseOff);
        }
        at += v.getUint32(at + 4, true);
      }
      const { facts } = parseChecked(b);
      expect(facts.module).toEqual({ kind: 'abi', abi: null });
    }
  });

  it('a symbol table of 2^32-1 entries whose strings lie past the end', () => {
    const b = load(binary('bufferutil-4.1.0-darwin-x64'));
    const v = view(b);
    const ncmds = v.getUint32(16, true);
    let at = 32;
    for (let i = 0; i < ncmds; i++) {
      if (v.getUint32(at, true) === 0x2 /* LC_SYMTAB */) {
        v.setUint32(at + 12, 0xffffffff, true);
        v.setUint32(at + 16, 0xfffffff0, true);
      }
      at += v.getUint32(at + 4, true);
    }
    expect(parseChecked(b).facts.notes).toContainEqual({ code: 'OUTSIDE_FILE', part: 'symbol-table' });
  });
});

// --- PE ----------------------------------------------------------------------------------------

/** Where things are in a PE32+ fixture, for targeted damage. */
function peLayout(b: Uint8Array) {
  const v = view(b);
  const peAt = v.getUint32(0x3c, true);
  const optAt = peAt + 24;
  const optSize = v.getUint16(peAt + 20, true);
  const sectionsAt = optAt + optSize;
  const count = v.getUint16(peAt + 6, true);
  const sections = Array.from({ length: count }, (_, i) => ({
    va: v.getUint32(sectionsAt + i * 40 + 12, true),
    size: v.getUint32(sectionsAt + i * 40 + 16, true),
    raw: v.getUint32(sectionsAt + i * 40 + 20, true),
  }));
  const dirAt = (i: number) => optAt + 112 + i * 8;
  const rvaToOffset = (rva: number) => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + x.size);
    if (!s) throw new Error(`rva ${rva} unmapped`);
    return s.raw + (rva - s.va);
  };
  return { v, peAt, sections, dirAt, rvaToOffset, dirRva: (i: number) => v.getUint32(dirAt(i), true) };
}

describe('hostile PE', () => {
  const fixture = binary('bufferutil-4.1.0-win32-x64');

  it('e_lfanew at 2^32-1, and pointing at the DOS header', () => {
    for (const lfanew of [0xffffffff, 0]) {
      const b = load(fixture);
      view(b).setUint32(0x3c, lfanew, true);
      expect(parseChecked(b).facts).toMatchObject({
        format: 'pe',
        notes: [{ code: 'ABSENT', part: 'pe-signature' }],
      });
    }
  });

  it('65535 sections and 2^32-1 data directories', () => {
    const b = load(fixture);
    const { v, peAt } = peLayout(b);
    v.setUint16(peAt + 6, 0xffff, true);
    v.setUint32(peAt + 24 + 108, 0xffffffff, true);
    expect(parseChecked(b).facts.notes).toContainEqual(
      expect.objectContaining({ code: 'CAPPED', part: 'pe-sections', total: 65535 }),
    );
  });

  it('an import directory that runs through the code section, its name table pointing at itself', () => {
    const b = load(fixture);
    const { v, dirAt, sections, rvaToOffset } = peLayout(b);
    const text = sections[0]!;
    v.setUint32(dirAt(1), text.va, true);
    // First descriptor: lookup table and name at the descriptor itself.
    const at = rvaToOffset(text.va);
    v.setUint32(at, text.va, true);
    v.setUint32(at + 12, text.va, true);
    v.setUint32(at + 16, text.va, true);
    parseChecked(b);
  });

  it('delay-import descriptors that repeat to the end of their section', () => {
    const b = load(fixture);
    const { dirRva, rvaToOffset, sections } = peLayout(b);
    const start = rvaToOffset(dirRva(13));
    const section = sections.find((s) => dirRva(13) >= s.va && dirRva(13) < s.va + s.size)!;
    const first = b.slice(start, start + 32);
    for (let at = start; at + 32 <= section.raw + section.size; at += 32) b.set(first, at);
    const { facts } = parseChecked(b);
    expect(facts.importsNodeExe).toBe(true);
    expect(facts.notes).toContainEqual({ code: 'UNREADABLE', part: 'import-name-table-repeat' });
  });

  it('an export directory claiming 2^32-1 names', () => {
    const b = load(fixture);
    const { v, dirRva, rvaToOffset } = peLayout(b);
    const exp = rvaToOffset(dirRva(0));
    v.setUint32(exp + 24, 0xffffffff, true);
    expect(parseChecked(b).facts.notes).toContainEqual(
      expect.objectContaining({ code: 'CAPPED', part: 'export-names', total: 4294967295 }),
    );
  });

  it('base relocation blocks of size 0 and 8 (legacy ABI search stays bounded)', () => {
    for (const size of [0, 8]) {
      const b = load(binary('deasync-0.1.30-win32-x64-node-8'));
      const { v, dirRva, rvaToOffset } = peLayout(b);
      v.setUint32(rvaToOffset(dirRva(5)) + 4, size, true);
      parseChecked(b);
    }
  });
});

describe('random bytes behind each magic number', () => {
  // A fixed seed keeps this deterministic; fuzz.test.ts and scripts/fuzz-binary.mjs go wider.
  let seed = 0x9e3779b9;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const magics = [
    [0x7f, 0x45, 0x4c, 0x46, 2, 1],
    [0x7f, 0x45, 0x4c, 0x46, 1, 2],
    [0xcf, 0xfa, 0xed, 0xfe],
    [0xfe, 0xed, 0xfa, 0xce],
    [0xca, 0xfe, 0xba, 0xbe],
    [0xca, 0xfe, 0xba, 0xbf],
    [0x4d, 0x5a],
    [],
  ];
  for (const magic of magics) {
    it(magic.length ? magic.map((m) => m.toString(16)).join(' ') : 'no magic', () => {
      for (let i = 0; i < 100; i++) {
        const b = Uint8Array.from({ length: Math.floor(random() * 4096) }, () => Math.floor(random() * 256));
        b.set(magic.slice(0, b.length));
        parseChecked(b, `case ${i}`);
      }
    });
  }
});
