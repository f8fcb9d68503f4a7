/**
 * Writes minimal thin Mach-O bundles (32- or 64-bit, either byte order) for layouts no fixture
 * has: 32-bit i386 and big-endian PowerPC files are long gone from the registry but still parse.
 * One segment maps the whole file at BASE; symbols, strings and code follow the load commands.
 */
export interface MachOSpec {
  is64?: boolean;
  le?: boolean;
  cputype: number;
  dylibs?: string[];
  /** LC_LOAD_WEAK_DYLIB entries, after the plain ones. */
  weakDylibs?: string[];
  /** LC_VERSION_MIN_MACOSX as xxxx.yy.zz packed, e.g. 0x000a0d00 for 10.13. */
  minMacos?: number;
  imports?: string[];
  exports?: { name: string; code?: number[] }[];
  /** Local data symbols with a u32 value placed in the file (e.g. a NODE_MODULE `_module`). */
  locals?: { name: string; u32: number }[];
}

export const MACHO_BASE = 0x1000;

export function buildMachO(spec: MachOSpec): Uint8Array {
  const is64 = spec.is64 ?? true;
  const le = spec.le ?? true;
  const bytes: number[] = [];
  const u8 = (v: number) => bytes.push(v & 0xff);
  const u32 = (v: number) => {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    bytes.push(...(le ? b : b.reverse()));
  };
  const u16 = (v: number) => {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    bytes.push(...(le ? b : b.reverse()));
  };
  const word = (v: number) => {
    if (!is64) return u32(v);
    if (le) {
      u32(v);
      u32(0);
    } else {
      u32(0);
      u32(v);
    }
  };
  const set32 = (at: number, v: number) => {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    bytes.splice(at, 4, ...(le ? b : b.reverse()));
  };
  const pad = (n: number) => {
    while (bytes.length % n) bytes.push(0);
  };
  const name16 = (s: string) => {
    for (let i = 0; i < 16; i++) u8(s.charCodeAt(i) || 0);
  };

  u32(is64 ? 0xfeedfacf : 0xfeedface);
  u32(spec.cputype);
  u32(0);
  u32(8); // MH_BUNDLE
  const ncmdsAt = bytes.length;
  u32(0);
  const sizeofcmdsAt = bytes.length;
  u32(0);
  u32(0x85);
  if (is64) u32(0);
  const commandsAt = bytes.length;
  let ncmds = 0;

  // A segment covering the whole file, with one section (symbols say n_sect 1) likewise;
  // sizes are patched at the end.
  ncmds++;
  const segmentAt = bytes.length;
  u32(is64 ? 0x19 : 0x1);
  u32(is64 ? 72 + 80 : 56 + 68);
  name16('__TEXT');
  word(MACHO_BASE);
  word(0); // vmsize
  word(0); // fileoff
  word(0); // filesize
  u32(5);
  u32(5);
  u32(1); // nsects
  u32(0);
  const sectionAt = bytes.length;
  name16('__text');
  name16('__TEXT');
  word(MACHO_BASE); // addr
  word(0); // size
  u32(0); // offset
  for (let i = 0; i < (is64 ? 7 : 6); i++) u32(0);

  const dylibs = [
    ...(spec.dylibs ?? []).map((name) => ({ name, cmd: 0xc })),
    ...(spec.weakDylibs ?? []).map((name) => ({ name, cmd: 0x80000018 })),
  ];
  for (const { name: dylib, cmd } of dylibs) {
    ncmds++;
    const start = bytes.length;
    u32(cmd);
    const sizeAt = bytes.length;
    u32(0);
    u32(24);
    u32(2);
    u32(0x10000);
    u32(0x10000);
    for (const c of Buffer.from(dylib + '\0', 'latin1')) u8(c);
    pad(is64 ? 8 : 4);
    set32(sizeAt, bytes.length - start);
  }

  if (spec.minMacos !== undefined) {
    ncmds++;
    u32(0x24);
    u32(16);
    u32(spec.minMacos);
    u32(spec.minMacos);
  }

  ncmds++;
  const symtabAt = bytes.length;
  u32(0x2);
  u32(24);
  u32(0);
  u32(0);
  u32(0);
  u32(0);
  set32(ncmdsAt, ncmds);
  set32(sizeofcmdsAt, bytes.length - commandsAt);

  // Code and data the symbols point at: the section's contents.
  pad(16);
  const codeAt = bytes.length;
  const placed = new Map<string, number>();
  for (const e of spec.exports ?? []) {
    placed.set(e.name, bytes.length);
    for (const c of e.code ?? [0xc3]) u8(c);
    pad(16);
  }
  for (const l of spec.locals ?? []) {
    placed.set(l.name, bytes.length);
    u32(l.u32);
    pad(16);
  }

  const strings: number[] = [0x20, 0];
  const strx = (s: string) => {
    const at = strings.length;
    strings.push(...Buffer.from(s + '\0', 'latin1'));
    return at;
  };
  const symbols = [
    ...(spec.imports ?? []).map((n) => ({ strx: strx(n), type: 0x01, sect: 0, value: 0 })),
    ...(spec.exports ?? []).map((e) => ({
      strx: strx(e.name),
      type: 0x0f,
      sect: 1,
      value: MACHO_BASE + placed.get(e.name)!,
    })),
    ...(spec.locals ?? []).map((l) => ({
      strx: strx(l.name),
      type: 0x0e,
      sect: 1,
      value: MACHO_BASE + placed.get(l.name)!,
    })),
  ];
  pad(8);
  const symoff = bytes.length;
  for (const s of symbols) {
    u32(s.strx);
    u8(s.type);
    u8(s.sect);
    u16(0);
    word(s.value);
  }
  const stroff = bytes.length;
  bytes.push(...strings);
  pad(8);

  set32(symtabAt + 8, symoff);
  set32(symtabAt + 12, symbols.length);
  set32(symtabAt + 16, stroff);
  set32(symtabAt + 20, strings.length);
  // The segment maps the whole file; the section holds the code and data before the symbols.
  const wordAt = (at: number) => at + (is64 && !le ? 4 : 0);
  const step = is64 ? 8 : 4;
  set32(wordAt(segmentAt + 24 + step), bytes.length);
  set32(wordAt(segmentAt + 24 + 3 * step), bytes.length);
  set32(wordAt(sectionAt + 32), MACHO_BASE + codeAt);
  set32(wordAt(sectionAt + 32 + step), symoff - codeAt);
  set32(sectionAt + 32 + 2 * step, codeAt);
  return Uint8Array.from(bytes);
}
