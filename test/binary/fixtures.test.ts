import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectFile, inspectFiles, readBinaryFacts } from '../../src/binary/facts.js';
import { bufferSource } from '../../src/binary/source.js';
import type { BinaryFacts } from '../../src/model/binary.js';
import { ABI_ADDONS, abiAddon, BUILT_ABIS } from '../helpers/abi-addons.js';
import { addon, allFixtureFiles, binary } from './paths.js';

function facts(format: BinaryFacts['format'], over: Partial<BinaryFacts>): BinaryFacts {
  const arch = over.arch === undefined ? 'x64' : over.arch;
  return {
    format,
    arch,
    arches: arch ? [arch] : [],
    platform: { elf: 'linux', macho: 'darwin', pe: 'win32' }[format ?? 'elf'],
    libc: null,
    needed: [],
    glibcVersion: null,
    glibcxxVersion: null,
    module: { kind: 'napi' },
    napiVersion: null,
    notes: [],
    ...(format === 'elf' ? { cImports: [], runpath: [] } : {}),
    ...(format === 'macho' ? { minMacos: null } : {}),
    ...(format === 'pe' ? { peMachine: 'AMD64', importsNodeExe: true } : {}),
    ...over,
  };
}
const elf = (over: Partial<BinaryFacts>) => facts('elf', over);
const macho = (over: Partial<BinaryFacts>) => facts('macho', over);
const pe = (over: Partial<BinaryFacts>) => facts('pe', over);

const GLIBC_CXX = ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so.6'];
const CXX_RUNTIME = ['_Unwind_Resume', '__gxx_personality_v0'];
/** What node-addon-api's exceptions import from libstdc++ and libgcc_s. */
const CXX_ABI = [
  '_Unwind_Resume',
  '__cxa_allocate_exception',
  '__cxa_begin_catch',
  '__cxa_end_catch',
  '__cxa_free_exception',
  '__cxa_throw',
  '__cxa_throw_bad_array_new_length',
  '__gxx_personality_v0',
];
/** sharp's RPATH: every place npm, pnpm and yarn put @img/sharp-libvips-linux-<arch> (the last is yarn PnP's). */
function sharpRunpath(arch: string, pnpHash: string): string[] {
  const lib = `sharp-libvips-linux-${arch}`;
  return [
    `$ORIGIN/../../${lib}/lib`,
    `$ORIGIN/../../../${lib}/1.0.4/lib`,
    `$ORIGIN/../../node_modules/@img/${lib}/lib`,
    `$ORIGIN/../../../node_modules/@img/${lib}/lib`,
    `$ORIGIN/../../../../../@img-${lib}-npm-1.0.4-${pnpHash}/node_modules/@img/${lib}/lib`,
  ];
}
const DARWIN_CXX = ['/usr/lib/libc++.1.dylib', '/usr/lib/libSystem.B.dylib'];

/** Built here from fixtures/addons/src (Node 20 headers, gcc 12, glibc 2.36). */
const ADDON_FACTS: Record<string, BinaryFacts> = {
  // C addons that call nothing in libc get no libc.so.6 NEEDED (Debian links --as-needed):
  // nothing ties them to a libc, so libc is null, which is right.
  'napi-ok': elf({ napiVersion: 8 }),
  'napi-v10': elf({ napiVersion: 10 }),
  'napi-experimental': elf({ napiVersion: 2147483647 }),
  // C++ runtime imports are not mangled, so they count as C imports (libstdc++/libgcc_s define them).
  'legacy-abi': elf({
    needed: ['libstdc++.so.6', 'libgcc_s.so.1'],
    module: { kind: 'abi', abi: '115' },
    cImports: CXX_RUNTIME,
  }),
  'abi-init': elf({
    needed: ['libstdc++.so.6', 'libgcc_s.so.1'],
    module: { kind: 'abi', abi: '115' },
    cImports: CXX_RUNTIME,
  }),
  hybrid: elf({ module: { kind: 'abi', abi: null, hybrid: true }, napiVersion: 8 }),
  'glibc-new': elf({
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.36',
    napiVersion: 8,
    cImports: ['arc4random@GLIBC_2.36'],
  }),
  fortify: elf({
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.3.4',
    napiVersion: 8,
    cImports: ['__memcpy_chk@GLIBC_2.3.4', '__sprintf_chk@GLIBC_2.3.4'],
  }),
  // __tls_get_addr comes from glibc's loader: NEEDED ld-linux, and libc.so.6 not at all.
  'glibc-tls': elf({
    libc: 'glibc',
    needed: ['ld-linux-x86-64.so.2'],
    glibcVersion: '2.3',
    napiVersion: 8,
    cImports: ['__tls_get_addr@GLIBC_2.3'],
  }),
  // stat64 is a function of its own since glibc 2.33 (before, a macro over __xstat64).
  lfs64: elf({
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.33',
    napiVersion: 8,
    cImports: [
      'fclose@GLIBC_2.2.5',
      'fileno@GLIBC_2.2.5',
      'fopen64@GLIBC_2.2.5',
      'lseek64@GLIBC_2.2.5',
      'stat64@GLIBC_2.33',
    ],
  }),
  // musl has no symbol versions: its imports carry none.
  musl: elf({ libc: 'musl', needed: ['libc.musl-x86_64.so.1'], napiVersion: 8, cImports: ['snprintf'] }),
  'musl-libc-so': elf({ libc: 'musl', needed: ['libc.so'], napiVersion: 8, cImports: ['snprintf'] }),
  arm64: elf({ arch: 'arm64', napiVersion: 8 }),
  'arm64-experimental': elf({ arch: 'arm64', napiVersion: 2147483647 }),
  'crash-segv': elf({ napiVersion: 8 }),
  'crash-abort': elf({
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.2.5',
    napiVersion: 8,
    cImports: ['abort@GLIBC_2.2.5'],
  }),
  hang: elf({ napiVersion: 8 }),
  'exit-in-init': elf({
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.2.5',
    napiVersion: 8,
    cImports: ['_exit@GLIBC_2.2.5'],
  }),
  'throw-in-init': elf({ napiVersion: 8 }),
  truncated: elf({
    module: { kind: 'unknown' },
    notes: [
      { code: 'OUTSIDE_FILE', part: 'section-headers' },
      { code: 'OUTSIDE_FILE', part: 'dynamic-section' },
    ],
  }),
  empty: facts(null, {
    arch: null,
    platform: null,
    module: { kind: 'unknown' },
    notes: [{ code: 'EMPTY_FILE' }],
  }),
  'lfs-pointer': facts(null, {
    arch: null,
    platform: null,
    module: { kind: 'unknown' },
    notes: [{ code: 'NOT_A_BINARY', kind: 'git-lfs-pointer' }],
  }),
};

/** Prebuilds from registry packages (fixtures/binaries/README.md says where each came from). */
const BINARY_FACTS: Record<string, BinaryFacts> = {
  'bcrypt-5.1.1-linux-x64-napi-v3': elf({
    libc: 'glibc',
    needed: GLIBC_CXX,
    glibcVersion: '2.14',
    glibcxxVersion: '3.4.21',
    napiVersion: 3,
    cImports: [
      ...CXX_ABI,
      'memcpy@GLIBC_2.14',
      'snprintf@GLIBC_2.2.5',
      'strcmp@GLIBC_2.2.5',
      'strlen@GLIBC_2.2.5',
      'strtol@GLIBC_2.2.5',
    ],
  }),
  // __cxa_finalize is imported too, but weak: a missing weak symbol resolves to 0 and fails nothing.
  'bufferutil-4.1.0-linux-x64': elf({
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.4',
    cImports: ['__assert_fail@GLIBC_2.2.5', '__stack_chk_fail@GLIBC_2.4'],
  }),
  'bufferutil-4.1.0-darwin-arm64': macho({ arch: 'arm64', needed: DARWIN_CXX, minMacos: '11.0' }),
  'bufferutil-4.1.0-darwin-x64': macho({ needed: DARWIN_CXX, minMacos: '10.7' }),
  'bufferutil-4.1.0-win32-x64': pe({ needed: ['KERNEL32.dll', 'node.exe'] }),
  'bufferutil-4.1.0-win32-ia32': pe({
    arch: 'ia32',
    peMachine: 'I386',
    needed: ['KERNEL32.dll', 'node.exe'],
  }),
  'serialport-bindings-cpp-13.0.1-win32-arm64': pe({
    arch: 'arm64',
    peMachine: 'ARM64',
    needed: ['KERNEL32.dll', 'ADVAPI32.dll', 'ole32.dll', 'SETUPAPI.dll', 'node.exe'],
  }),
  'utf-8-validate-6.0.5-linux-x64-musl': elf({
    libc: 'musl',
    needed: ['libstdc++.so.6', 'libc.musl-x86_64.so.1'],
    cImports: [
      '__assert_fail',
      '__cxa_atexit',
      '__cxa_guard_acquire',
      '__cxa_guard_release',
      '__stack_chk_fail',
      'getenv',
      'memcmp',
      'memcpy',
      'strlen',
    ],
  }),
  'sharp-linux-x64-0.33.5': elf({
    libc: 'glibc',
    needed: [
      'libvips-cpp.so.42',
      'libstdc++.so.6',
      'libm.so.6',
      'libgcc_s.so.1',
      'libpthread.so.0',
      'libc.so.6',
      'ld-linux-x86-64.so.2',
    ],
    glibcVersion: '2.3',
    glibcxxVersion: '3.4.21',
    napiVersion: 9,
    cImports: expect.any(Array) as unknown as string[],
    runpath: sharpRunpath('x64', '0974f077b7'),
  }),
  'sharp-linux-arm64-0.33.5': elf({
    arch: 'arm64',
    libc: 'glibc',
    needed: ['libvips-cpp.so.42', 'libstdc++.so.6', 'libgcc_s.so.1', 'libpthread.so.0', 'libc.so.6'],
    glibcVersion: '2.17',
    glibcxxVersion: '3.4.21',
    napiVersion: 9,
    cImports: expect.any(Array) as unknown as string[],
    runpath: sharpRunpath('arm64', '24a3d8b19a'),
  }),
  // A musl build whose libc is plain `libc.so` (a musl cross toolchain), and whose libgcc_s
  // reference carries GLIBC_2.0: neither makes it a glibc binary.
  'serialport-bindings-cpp-13.0.1-linux-arm64-musl': elf({
    arch: 'arm64',
    libc: 'musl',
    needed: ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so'],
    glibcxxVersion: '3.4.21',
    // Long lists: test/binary/readelf.test.ts compares them with readelf's, name by name.
    cImports: expect.any(Array) as unknown as string[],
  }),
  'serialport-bindings-cpp-13.0.1-linux-armv7-glibc': elf({
    arch: 'arm',
    libc: 'glibc',
    needed: ['libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6'],
    glibcVersion: '2.28',
    glibcxxVersion: '3.4.21',
    // Long lists: test/binary/readelf.test.ts compares them with readelf's, name by name.
    cImports: expect.any(Array) as unknown as string[],
  }),
  // Android's bionic is also `libc.so`; the .note.android.ident note tells them apart.
  'serialport-bindings-cpp-13.0.1-android-arm64': elf({
    arch: 'arm64',
    platform: 'android',
    needed: ['liblog.so', 'libc++_shared.so', 'libm.so', 'libdl.so', 'libc.so'],
    // Long lists: test/binary/readelf.test.ts compares them with readelf's, name by name.
    cImports: expect.any(Array) as unknown as string[],
  }),
  // NAN addons for Node 8/9: NODE_MODULE's struct holds the ABI (57, 59).
  'deasync-0.1.30-linux-x64-node-8': elf({ module: { kind: 'abi', abi: '57' } }),
  'deasync-0.1.30-linux-ia32-node-9': elf({
    arch: 'ia32',
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.4',
    module: { kind: 'abi', abi: '59' },
    cImports: ['__stack_chk_fail@GLIBC_2.4'],
  }),
  'deasync-0.1.30-darwin-x64-node-8': macho({
    needed: DARWIN_CXX,
    minMacos: '10.7',
    module: { kind: 'abi', abi: '57' },
  }),
  // The same with local symbols stripped: dyld's rebase opcodes lead to the struct instead.
  'deasync-0.1.30-darwin-x64-node-8.strip-x': macho({
    needed: DARWIN_CXX,
    minMacos: '10.7',
    module: { kind: 'abi', abi: '57' },
  }),
  'deasync-0.1.30-win32-x64-node-8': pe({
    needed: ['KERNEL32.dll', 'ADVAPI32.dll', 'node.exe'],
    module: { kind: 'abi', abi: '57' },
  }),
  // node-addon-api plus v8::Isolate::GetCurrent and node::GetCurrentEventLoop: a hybrid.
  'deasync-0.1.30-linux-x64-node-20': elf({
    libc: 'glibc',
    needed: GLIBC_CXX,
    glibcVersion: '2.14',
    glibcxxVersion: '3.4.21',
    module: { kind: 'abi', abi: null, hybrid: true },
    napiVersion: 9,
    cImports: [...CXX_ABI, '__stack_chk_fail@GLIBC_2.4', 'memcpy@GLIBC_2.14', 'strlen@GLIBC_2.2.5'],
  }),
  'deasync-0.1.30-win32-x64-node-20': pe({
    needed: ['KERNEL32.dll', 'node.exe'],
    module: { kind: 'abi', abi: null, hybrid: true },
    napiVersion: 9,
  }),
};

const FSEVENTS_NEEDED = [
  '/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation',
  '/System/Library/Frameworks/CoreServices.framework/Versions/A/CoreServices',
  ...DARWIN_CXX,
];

describe('facts of fixture addons built here', () => {
  for (const [name, expected] of Object.entries(ADDON_FACTS)) {
    it(name, () => expect(inspectFile(addon(name))).toEqual(expected));
  }
});

describe('facts of registry prebuilds', () => {
  for (const [name, expected] of Object.entries(BINARY_FACTS)) {
    it(name, () => expect(inspectFile(binary(name))).toEqual(expected));
  }

  it('fsevents-2.3.3 universal: both slices, facts of each, the first leads', () => {
    const x64 = macho({ needed: FSEVENTS_NEEDED, minMacos: '10.15', napiVersion: 4 });
    const arm64 = macho({ arch: 'arm64', needed: FSEVENTS_NEEDED, minMacos: '11.0', napiVersion: 4 });
    expect(inspectFile(binary('fsevents-2.3.3-darwin-universal'))).toEqual({
      ...x64,
      arches: ['x64', 'arm64'],
      slices: [x64, arm64],
    });
  });
});

describe('C imports of the large prebuilds', () => {
  it('sharp x64: libvips and GLib imports come unversioned, libc ones bound to GLIBC_', () => {
    const imports = inspectFile(binary('sharp-linux-x64-0.33.5')).cImports ?? [];
    expect(imports).toHaveLength(118);
    expect(imports).toEqual(expect.arrayContaining(['vips_init', 'g_object_unref', '__xstat64@GLIBC_2.2.5']));
    // From ld-linux-x86-64.so.2, one of glibc's own libraries: that is why sharp NEEDs it.
    expect(imports).toContain('__tls_get_addr@GLIBC_2.3');
  });

  it('sharp arm64 imports __getauxval from glibc', () => {
    expect(inspectFile(binary('sharp-linux-arm64-0.33.5')).cImports).toContain('__getauxval@GLIBC_2.17');
  });

  it('serialport armv7 imports fcntl64, which glibc 2.28 added for 64-bit file offsets', () => {
    expect(inspectFile(binary('serialport-bindings-cpp-13.0.1-linux-armv7-glibc')).cImports).toContain(
      'fcntl64@GLIBC_2.28',
    );
  });
});

describe('every fixture has expectations', () => {
  it('no fixture file is left unasserted', () => {
    const asserted = new Set([
      ...Object.keys(ADDON_FACTS).map(addon),
      ...Object.keys(BINARY_FACTS).map(binary),
      binary('fsevents-2.3.3-darwin-universal'),
    ]);
    expect(allFixtureFiles().filter((f) => !asserted.has(f))).toEqual([]);
  });
});

describe('the ABI-specific addons built once per Node (fixtures/addons/abi/)', () => {
  it('there is a build for Node 20, 22, 24 and 26, and nothing else in the folder', () => {
    expect(BUILT_ABIS).toEqual(['115', '127', '137', '147']);
    for (const abi of BUILT_ABIS)
      expect(readdirSync(`${ABI_ADDONS}${abi}`).sort()).toEqual(['abi-init.node', 'legacy-abi.node']);
  });

  for (const abi of BUILT_ABIS) {
    for (const name of ['legacy-abi', 'abi-init'] as const) {
      it(`${abi}/${name}: the facts of bin/${name} with ABI ${abi}`, () => {
        expect(inspectFile(abiAddon(name, abi))).toEqual({
          ...ADDON_FACTS[name],
          module: { kind: 'abi', abi },
        });
      });
    }
  }

  it('the ABI 115 builds are the bin/ ones, byte for byte (same headers, same flags)', () => {
    for (const name of ['legacy-abi', 'abi-init'] as const)
      expect(readFileSync(abiAddon(name, '115')).equals(readFileSync(addon(name))), name).toBe(true);
  });
});

describe('file and buffer sources agree', () => {
  it('inspectFile(path) equals readBinaryFacts over the whole file in memory', () => {
    for (const path of allFixtureFiles()) {
      expect(inspectFile(path), path).toEqual(readBinaryFacts(bufferSource(readFileSync(path))));
    }
  });

  it('inspectFiles keeps order and reads duplicates once', () => {
    const paths = [addon('musl'), addon('napi-ok'), addon('musl')];
    const result = inspectFiles(paths);
    expect([...result.keys()]).toEqual([addon('musl'), addon('napi-ok')]);
    expect(result.get(addon('musl'))?.libc).toBe('musl');
  });
});
