import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBinaryFacts } from '../../src/binary/facts.js';
import { bufferSource } from '../../src/binary/source.js';
import { buildMachO, type MachOSpec } from './macho-builder.js';
import { binary } from './paths.js';

const facts = (spec: MachOSpec) => readBinaryFacts(bufferSource(buildMachO(spec)));

const CPU = { i386: 7, x86_64: 0x01000007, arm: 12, arm64: 0x0100000c, ppc: 18, ppc64: 0x01000012 };

describe('thin Mach-O layouts', () => {
  const cases: [string, number, boolean, boolean, string][] = [
    ['x86_64', CPU.x86_64, true, true, 'x64'],
    ['arm64', CPU.arm64, true, true, 'arm64'],
    ['i386 (32-bit)', CPU.i386, false, true, 'ia32'],
    ['arm (32-bit)', CPU.arm, false, true, 'arm'],
    ['ppc (32-bit big-endian)', CPU.ppc, false, false, 'ppc'],
    ['ppc64 (big-endian)', CPU.ppc64, true, false, 'ppc64'],
  ];
  for (const [label, cputype, is64, le, arch] of cases) {
    it(`${label} → ${arch}: dylibs, LC_VERSION_MIN_MACOSX and symbols in that layout`, () => {
      expect(
        facts({
          cputype,
          is64,
          le,
          dylibs: ['/usr/lib/libSystem.B.dylib'],
          minMacos: 0x000a0d06,
          imports: ['_napi_create_function'],
          exports: [{ name: '_napi_register_module_v1' }],
        }),
      ).toEqual({
        format: 'macho',
        arch,
        arches: [arch],
        platform: 'darwin',
        libc: null,
        needed: ['/usr/lib/libSystem.B.dylib'],
        glibcVersion: null,
        glibcxxVersion: null,
        module: { kind: 'napi' },
        napiVersion: null,
        minMacos: '10.13.6',
        notes: [],
      });
    });
  }

  it('weak dylibs (LC_LOAD_WEAK_DYLIB, a command with the LC_REQ_DYLD bit) are needed too', () => {
    expect(
      facts({
        cputype: CPU.arm64,
        dylibs: ['/usr/lib/libSystem.B.dylib'],
        weakDylibs: ['@rpath/libvips.dylib'],
      }).needed,
    ).toEqual(['/usr/lib/libSystem.B.dylib', '@rpath/libvips.dylib']);
  });

  it('a legacy NODE_MODULE ABI from the `__Z7_module` (Clang) or `__ZL7_module` (GCC) local symbol', () => {
    for (const name of ['__Z7_module', '__ZL7_module']) {
      expect(
        facts({
          cputype: CPU.x86_64,
          imports: ['_node_module_register', '__ZN2v87Isolate10GetCurrentEv'],
          locals: [{ name, u32: 108 }],
        }).module,
      ).toEqual({ kind: 'abi', abi: '108' });
    }
  });

  it('napiVersion from the x64 body with a frame, and arm64', () => {
    const framed = [0x55, 0x48, 0x89, 0xe5, 0xb8, 6, 0, 0, 0, 0x5d, 0xc3];
    const arm = [0xc0, 0x00, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6]; // mov w0, #6; ret
    for (const [cputype, code] of [
      [CPU.x86_64, framed],
      [CPU.arm64, arm],
    ] as const) {
      const f = facts({
        cputype,
        exports: [
          { name: '_napi_register_module_v1' },
          { name: '_node_api_module_get_api_version_v1', code: [...code] },
        ],
      });
      expect(f.napiVersion).toBe(6);
    }
  });

  it('V8 imports beside Node-API make a hybrid; node_register_module_v<N> names the ABI', () => {
    expect(
      facts({
        cputype: CPU.arm64,
        imports: ['_napi_create_object', '__ZN2v87Isolate10GetCurrentEv'],
        exports: [{ name: '_napi_register_module_v1' }],
      }).module,
    ).toEqual({ kind: 'abi', abi: null, hybrid: true });
    expect(facts({ cputype: CPU.arm64, exports: [{ name: '_node_register_module_v131' }] }).module).toEqual({
      kind: 'abi',
      abi: '131',
    });
  });
});

describe('universal files', () => {
  it('a 64-bit universal header (FAT_MAGIC_64) reads like the 32-bit one', () => {
    const original = Uint8Array.from(readFileSync(binary('fsevents-2.3.3-darwin-universal')));
    const v = new DataView(original.buffer);
    const count = v.getUint32(4);
    const fat64 = original.slice();
    const w = new DataView(fat64.buffer);
    w.setUint32(0, 0xcafebabf);
    // fat_arch (20 bytes) → fat_arch_64 (32 bytes); the slices start at 4096, so there is room.
    fat64.fill(0, 8, 8 + count * 32);
    for (let i = 0; i < count; i++) {
      const from = 8 + i * 20;
      const to = 8 + i * 32;
      w.setUint32(to, v.getUint32(from));
      w.setUint32(to + 4, v.getUint32(from + 4));
      w.setBigUint64(to + 8, BigInt(v.getUint32(from + 8)));
      w.setBigUint64(to + 16, BigInt(v.getUint32(from + 12)));
      w.setUint32(to + 24, v.getUint32(from + 16));
    }
    expect(readBinaryFacts(bufferSource(fat64))).toEqual(readBinaryFacts(bufferSource(original)));
  });
});
