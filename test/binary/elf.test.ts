import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBinaryFacts } from '../../src/binary/facts.js';
import { bufferSource } from '../../src/binary/source.js';
import type { BinaryNote } from '../../src/model/binary.js';
import { buildElf, elfHeaderOffsets, type ElfSpec } from './elf-builder.js';
import { addon, binary } from './paths.js';

const facts = (spec: ElfSpec) => readBinaryFacts(bufferSource(buildElf(spec)));

const EM = {
  i386: 3,
  mips: 8,
  ppc: 20,
  ppc64: 21,
  s390: 22,
  arm: 40,
  x86_64: 62,
  aarch64: 183,
  riscv: 243,
  loongarch: 258,
};

describe('ELF classes, byte orders and machines', () => {
  const cases: [string, number, boolean, boolean, string][] = [
    ['x86-64', EM.x86_64, true, true, 'x64'],
    ['i386', EM.i386, false, true, 'ia32'],
    ['aarch64', EM.aarch64, true, true, 'arm64'],
    ['aarch64_be', EM.aarch64, true, false, 'arm64'],
    ['arm', EM.arm, false, true, 'arm'],
    ['ppc64le', EM.ppc64, true, true, 'ppc64'],
    ['ppc64 (big-endian)', EM.ppc64, true, false, 'ppc64'],
    ['ppc (32-bit big-endian)', EM.ppc, false, false, 'ppc'],
    ['s390x', EM.s390, true, false, 's390x'],
    ['s390 (31-bit)', EM.s390, false, false, 's390'],
    ['riscv64', EM.riscv, true, true, 'riscv64'],
    ['loongarch64', EM.loongarch, true, true, 'loong64'],
    ['mips (big-endian)', EM.mips, false, false, 'mips'],
    ['mipsel', EM.mips, false, true, 'mipsel'],
    ['mips64el', EM.mips, true, true, 'mips64el'],
  ];
  for (const [label, machine, is64, le, arch] of cases) {
    it(`${label} → ${arch}, with NEEDED, versions and symbols read in that layout`, () => {
      expect(
        facts({
          machine,
          is64,
          le,
          needed: ['libstdc++.so.6', 'libc.so.6'],
          imports: ['napi_create_function', 'strlen@GLIBC_2.17', 'fcntl64@GLIBC_2.28', 'weak:__gmon_start__'],
          runpath: '$ORIGIN/lib:/opt/lib',
          exports: [{ name: 'napi_register_module_v1' }],
          verneed: [
            { file: 'libc.so.6', versions: ['GLIBC_2.17', 'GLIBC_2.28'] },
            { file: 'libstdc++.so.6', versions: ['GLIBCXX_3.4.21'] },
          ],
        }),
      ).toEqual({
        format: 'elf',
        arch,
        arches: [arch],
        platform: 'linux',
        libc: 'glibc',
        needed: ['libstdc++.so.6', 'libc.so.6'],
        glibcVersion: '2.28',
        glibcxxVersion: '3.4.21',
        module: { kind: 'napi' },
        napiVersion: null,
        cImports: ['fcntl64@GLIBC_2.28', 'strlen@GLIBC_2.17'],
        runpath: ['$ORIGIN/lib', '/opt/lib'],
        notes: [],
      });
    });
  }

  it('C imports: Node-API, libuv, node_*, C++-mangled and weak imports are left out', () => {
    expect(
      facts({
        machine: EM.x86_64,
        needed: ['libc.so.6'],
        imports: [
          'napi_create_function',
          'node_api_symbol_for',
          'uv_default_loop',
          'node_module_register',
          '_ZN2v87Isolate10GetCurrentEv',
          'weak:__cxa_finalize',
          '__gxx_personality_v0',
          'memcpy',
          'memcpy',
        ],
      }).cImports,
    ).toEqual(['__gxx_personality_v0', 'memcpy']);
  });

  it('only versions of glibc libraries are written: GLIBCXX_ or libgcc_s GLIBC_2.0 are not', () => {
    expect(
      facts({
        machine: EM.aarch64,
        needed: ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so'],
        imports: ['__cxa_begin_catch@CXXABI_1.3', '__getauxval@GLIBC_2.0', 'memcpy'],
        verneed: [
          { file: 'libstdc++.so.6', versions: ['CXXABI_1.3'] },
          { file: 'libgcc_s.so.1', versions: ['GLIBC_2.0'] },
        ],
      }).cImports,
    ).toEqual(['__cxa_begin_catch', '__getauxval', 'memcpy']);
  });

  it('no DT_VERSYM: imports stay unversioned and nothing is reported', () => {
    const f = facts({
      machine: EM.x86_64,
      needed: ['libc.so.6'],
      imports: ['strlen'],
      verneed: [{ file: 'libc.so.6', versions: ['GLIBC_2.2.5'] }],
    });
    expect(f.cImports).toEqual(['strlen']);
    expect(f.notes).toEqual([]);
  });

  it('a DT_VERSYM that points outside the file is reported, and versions are dropped', () => {
    const bytes = buildElf({
      machine: EM.x86_64,
      needed: ['libc.so.6'],
      imports: ['strlen@GLIBC_2.2.5'],
      verneed: [{ file: 'libc.so.6', versions: ['GLIBC_2.2.5'] }],
    });
    // The file is mapped at BASE; move the DT_VERSYM address far past the end of the file.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let patched = false;
    for (let at = 0; at + 16 <= bytes.length; at += 8) {
      if (view.getBigUint64(at, true) === 0x6ffffff0n) {
        view.setBigUint64(at + 8, 0x7fff0000n, true);
        patched = true;
        break;
      }
    }
    expect(patched).toBe(true);
    const f = readBinaryFacts(bufferSource(bytes));
    expect(f.cImports).toEqual(['strlen']);
    expect(f.notes).toEqual([{ code: 'UNREADABLE', part: 'symbol-versions' }]);
  });

  it('no RUNPATH: an empty list', () => {
    expect(facts({ machine: EM.x86_64, needed: ['libc.so.6'] }).runpath).toEqual([]);
  });

  it('an unknown machine keeps the other facts and says why arch is null', () => {
    const f = facts({ machine: 0x1234, needed: ['libc.so.6'] });
    expect(f.arch).toBeNull();
    expect(f.arches).toEqual([]);
    expect(f.needed).toEqual(['libc.so.6']);
    expect(f.notes).toEqual([{ code: 'UNKNOWN_VALUE', field: 'elf-machine', value: 4660 }]);
  });
});

describe('ELF platform and libc', () => {
  it('EI_OSABI FreeBSD → freebsd, and no Linux libc family', () => {
    const f = facts({ machine: EM.x86_64, osabi: 9, needed: ['libc.so.7'] });
    expect([f.platform, f.libc]).toEqual(['freebsd', null]);
  });

  it('an unknown EI_OSABI is assumed to be Linux, and says so', () => {
    const f = facts({ machine: EM.x86_64, osabi: 200, needed: ['libc.so.6'] });
    expect([f.platform, f.libc, f.notes]).toEqual([
      'linux',
      'glibc',
      [{ code: 'UNKNOWN_VALUE', field: 'elf-osabi', value: 200 }],
    ]);
  });

  it('.note.android.ident → android, even though EI_OSABI says SYSV', () => {
    const f = facts({ machine: EM.aarch64, needed: ['libc.so'], note: { owner: 'Android', type: 1 } });
    expect([f.platform, f.libc]).toEqual(['android', null]);
  });

  it('PT_INTERP names the libc when NEEDED does not', () => {
    expect(facts({ machine: EM.x86_64, interp: '/lib/ld-musl-x86_64.so.1' }).libc).toBe('musl');
    expect(facts({ machine: EM.x86_64, interp: '/lib64/ld-linux-x86-64.so.2' }).libc).toBe('glibc');
    expect(facts({ machine: EM.ppc64, interp: '/lib64/ld64.so.2' }).libc).toBe('glibc');
  });

  it('libc from NEEDED: Alpine musl, glibc, upstream musl, none', () => {
    expect(facts({ machine: EM.aarch64, needed: ['libc.musl-aarch64.so.1'] }).libc).toBe('musl');
    expect(facts({ machine: EM.x86_64, needed: ['libm.so.6', 'libc.so.6'] }).libc).toBe('glibc');
    expect(facts({ machine: EM.x86_64, needed: ['libc.so'] }).libc).toBe('musl');
    expect(facts({ machine: EM.x86_64, needed: ['libstdc++.so.6'] }).libc).toBeNull();
  });

  it('GLIBC_ versions needed from glibc make it glibc even without libc.so.6 in NEEDED', () => {
    const f = facts({ machine: EM.x86_64, verneed: [{ file: 'libm.so.6', versions: ['GLIBC_2.29'] }] });
    expect([f.libc, f.glibcVersion]).toEqual(['glibc', '2.29']);
  });
});

describe('version needs', () => {
  it('compares versions numerically and ignores non-numeric GLIBC_ names', () => {
    const f = facts({
      machine: EM.x86_64,
      needed: ['libc.so.6'],
      verneed: [
        {
          file: 'libc.so.6',
          versions: ['GLIBC_2.9', 'GLIBC_2.10', 'GLIBC_2.2.5', 'GLIBC_PRIVATE', 'GLIBC_ABI_DT_RELR'],
        },
        {
          file: 'libstdc++.so.6',
          versions: ['GLIBCXX_3.4.9', 'GLIBCXX_3.4.30', 'GLIBCXX_3.4', 'CXXABI_1.3.13'],
        },
      ],
    });
    expect([f.glibcVersion, f.glibcxxVersion]).toEqual(['2.10', '3.4.30']);
  });

  it('ignores GLIBC_ versions defined by libgcc_s (Alpine defines GLIBC_2.0 there)', () => {
    const f = facts({
      machine: EM.aarch64,
      needed: ['libgcc_s.so.1', 'libc.so'],
      verneed: [{ file: 'libgcc_s.so.1', versions: ['GCC_3.0', 'GLIBC_2.0'] }],
    });
    expect([f.libc, f.glibcVersion]).toEqual(['musl', null]);
  });
});

describe('registration', () => {
  const x64 = (over: Partial<ElfSpec>) => facts({ machine: EM.x86_64, ...over });

  it('napi_* imports alone (deprecated napi_module_register) → napi', () => {
    expect(x64({ imports: ['napi_module_register', 'napi_create_object'] }).module).toEqual({ kind: 'napi' });
  });

  it('Node-API plus a V8 C++ import → hybrid; node-addon-api names (`4Napi`) are not V8', () => {
    expect(
      x64({
        imports: ['napi_create_object', '_ZNK2v85Value8IsObjectEv'],
        exports: [{ name: 'napi_register_module_v1' }],
      }).module,
    ).toEqual({ kind: 'abi', abi: null, hybrid: true });
    expect(
      x64({
        imports: ['napi_create_object', '_ZN4Napi5Error3NewEP10napi_env__'],
        exports: [{ name: 'napi_register_module_v1' }],
      }).module,
    ).toEqual({ kind: 'napi' });
  });

  it('node_register_module_v<N> names the ABI', () => {
    expect(
      x64({ exports: [{ name: 'node_register_module_v127' }], imports: ['_ZN2v87Isolate10GetCurrentEv'] })
        .module,
    ).toEqual({ kind: 'abi', abi: '127' });
  });

  it('node_module_register without a findable struct → abi null, with a reason', () => {
    const f = x64({ imports: ['node_module_register', '_ZN2v87Isolate10GetCurrentEv'] });
    expect(f.module).toEqual({ kind: 'abi', abi: null });
    expect(f.notes).toEqual([{ code: 'MODULE_UNEXPLAINED', why: 'legacy-struct-not-found' }]);
  });

  it('V8 imports with no registration at all → abi null, with a reason', () => {
    const f = x64({ imports: ['_ZN2v87Isolate10GetCurrentEv'] });
    expect(f.module).toEqual({ kind: 'abi', abi: null });
    expect(f.notes).toEqual([{ code: 'MODULE_UNEXPLAINED', why: 'cxx-without-registration' }]);
  });

  it('a plain shared library → unknown', () => {
    expect(x64({ imports: ['strlen'], exports: [{ name: 'compress' }] }).module).toEqual({ kind: 'unknown' });
  });
});

describe('napiVersion from node_api_module_get_api_version_v1', () => {
  const withBody = (machine: number, code: number[], le = true) =>
    facts({
      machine,
      le,
      exports: [{ name: 'napi_register_module_v1' }, { name: 'node_api_module_get_api_version_v1', code }],
    });

  it('x64 `mov eax, 8; ret`, with endbr64, and with a frame', () => {
    expect(withBody(EM.x86_64, [0xb8, 8, 0, 0, 0, 0xc3]).napiVersion).toBe(8);
    expect(withBody(EM.x86_64, [0xf3, 0x0f, 0x1e, 0xfa, 0xb8, 9, 0, 0, 0, 0xc3]).napiVersion).toBe(9);
    expect(withBody(EM.x86_64, [0x55, 0x48, 0x89, 0xe5, 0xb8, 3, 0, 0, 0, 0x5d, 0xc3]).napiVersion).toBe(3);
  });

  it('arm64 (instructions are little-endian even in a big-endian file)', () => {
    // mov w0, #10; ret
    const movz = [0x40, 0x01, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6];
    expect(withBody(EM.aarch64, movz).napiVersion).toBe(10);
    expect(withBody(EM.aarch64, movz, false).napiVersion).toBe(10);
  });

  it('an unrecognised body → null, with a reason', () => {
    const f = withBody(EM.x86_64, [0x31, 0xc0, 0xc3]);
    expect(f.napiVersion).toBeNull();
    expect(f.notes).toContainEqual({ code: 'UNREADABLE', part: 'napi-version-body' });
  });

  it('architectures without a decoder → null', () => {
    expect(withBody(EM.s390, [0xa7, 0x29, 0, 8, 0x07, 0xfe], false).napiVersion).toBeNull();
  });
});

describe('alternative routes to the same facts', () => {
  it('DT_GNU_HASH gives the symbol count when DT_HASH is absent', () => {
    const spec: ElfSpec = {
      machine: EM.x86_64,
      imports: ['napi_create_object', '_ZN2v87Isolate10GetCurrentEv'],
      exports: [{ name: 'napi_register_module_v1' }],
    };
    expect(facts({ ...spec, gnuHash: true })).toEqual(facts(spec));
    expect(facts({ ...spec, gnuHash: true }).module).toEqual({ kind: 'abi', abi: null, hybrid: true });
  });

  const real = [
    addon('legacy-abi'),
    binary('sharp-linux-x64-0.33.5'),
    binary('deasync-0.1.30-linux-ia32-node-9'),
  ];

  it('without section headers (as after sstrip): DT_GNU_HASH and program headers suffice', () => {
    // legacy-abi defines no dynamic symbol, so its DT_GNU_HASH hashes nothing and the count of
    // its (undefined) symbols comes from where the next table starts, which a note says.
    const notes: Record<string, BinaryNote[]> = {
      [real[0]!]: [{ code: 'UNREADABLE', part: 'dynamic-symbol-count' }],
      [real[1]!]: [],
      [real[2]!]: [],
    };
    for (const path of real) {
      const bytes = Uint8Array.from(readFileSync(path));
      const original = readBinaryFacts(bufferSource(bytes));
      const is64 = bytes[4] === 2;
      const o = elfHeaderOffsets(is64);
      const view = new DataView(bytes.buffer);
      if (is64) view.setBigUint64(o.shoff, 0n, true);
      else view.setUint32(o.shoff, 0, true);
      view.setUint16(o.shnum, 0, true);
      expect(readBinaryFacts(bufferSource(bytes)), path).toEqual({ ...original, notes: notes[path] });
    }
  });

  it('without program headers: section headers stand in', () => {
    for (const path of real) {
      const bytes = Uint8Array.from(readFileSync(path));
      const original = readBinaryFacts(bufferSource(bytes));
      const o = elfHeaderOffsets(bytes[4] === 2);
      new DataView(bytes.buffer).setUint16(o.phnum, 0, true);
      expect(readBinaryFacts(bufferSource(bytes)), path).toEqual(original);
    }
  });
});
