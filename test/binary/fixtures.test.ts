import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectFile, inspectFiles, readBinaryFacts } from '../../src/binary/facts.js';
import { bufferSource } from '../../src/binary/source.js';
import type { BinaryFacts } from '../../src/binary/types.js';
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
    reason: null,
    ...(format === 'macho' ? { minMacos: null } : {}),
    ...(format === 'pe' ? { peMachine: 'AMD64', importsNodeExe: true } : {}),
    ...over,
  };
}
const elf = (over: Partial<BinaryFacts>) => facts('elf', over);
const macho = (over: Partial<BinaryFacts>) => facts('macho', over);
const pe = (over: Partial<BinaryFacts>) => facts('pe', over);

const GLIBC_CXX = ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so.6'];
const DARWIN_CXX = ['/usr/lib/libc++.1.dylib', '/usr/lib/libSystem.B.dylib'];

/** Built here from fixtures/addons/src (Node 20 headers, gcc 12, glibc 2.36). */
const ADDON_FACTS: Record<string, BinaryFacts> = {
  // C addons that call nothing in libc get no libc.so.6 NEEDED (Debian links --as-needed):
  // nothing ties them to a libc, so libc is null, which is right.
  'napi-ok': elf({ napiVersion: 8 }),
  'napi-v10': elf({ napiVersion: 10 }),
  'napi-experimental': elf({ napiVersion: 2147483647 }),
  'legacy-abi': elf({ needed: ['libstdc++.so.6', 'libgcc_s.so.1'], module: { kind: 'abi', abi: '115' } }),
  'abi-init': elf({ needed: ['libstdc++.so.6', 'libgcc_s.so.1'], module: { kind: 'abi', abi: '115' } }),
  hybrid: elf({ module: { kind: 'abi', abi: null, hybrid: true }, napiVersion: 8 }),
  'glibc-new': elf({ libc: 'glibc', needed: ['libc.so.6'], glibcVersion: '2.36', napiVersion: 8 }),
  musl: elf({ libc: 'musl', needed: ['libc.musl-x86_64.so.1'], napiVersion: 8 }),
  'musl-libc-so': elf({ libc: 'musl', needed: ['libc.so'], napiVersion: 8 }),
  arm64: elf({ arch: 'arm64', napiVersion: 8 }),
  'arm64-experimental': elf({ arch: 'arm64', napiVersion: 2147483647 }),
  'crash-segv': elf({ napiVersion: 8 }),
  'crash-abort': elf({ libc: 'glibc', needed: ['libc.so.6'], glibcVersion: '2.2.5', napiVersion: 8 }),
  hang: elf({ napiVersion: 8 }),
  'exit-in-init': elf({ libc: 'glibc', needed: ['libc.so.6'], glibcVersion: '2.2.5', napiVersion: 8 }),
  'throw-in-init': elf({ napiVersion: 8 }),
  truncated: elf({
    module: { kind: 'unknown' },
    reason: 'section headers lie outside the file; dynamic section lies outside the file',
  }),
  empty: facts(null, { arch: null, platform: null, module: { kind: 'unknown' }, reason: 'empty file' }),
  'lfs-pointer': facts(null, {
    arch: null,
    platform: null,
    module: { kind: 'unknown' },
    reason: 'a Git LFS pointer, not the binary it stands for',
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
  }),
  'bufferutil-4.1.0-linux-x64': elf({ libc: 'glibc', needed: ['libc.so.6'], glibcVersion: '2.4' }),
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
  }),
  'sharp-linux-arm64-0.33.5': elf({
    arch: 'arm64',
    libc: 'glibc',
    needed: ['libvips-cpp.so.42', 'libstdc++.so.6', 'libgcc_s.so.1', 'libpthread.so.0', 'libc.so.6'],
    glibcVersion: '2.17',
    glibcxxVersion: '3.4.21',
    napiVersion: 9,
  }),
  // A musl build whose libc is plain `libc.so` (a musl cross toolchain), and whose libgcc_s
  // reference carries GLIBC_2.0: neither makes it a glibc binary.
  'serialport-bindings-cpp-13.0.1-linux-arm64-musl': elf({
    arch: 'arm64',
    libc: 'musl',
    needed: ['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so'],
    glibcxxVersion: '3.4.21',
  }),
  'serialport-bindings-cpp-13.0.1-linux-armv7-glibc': elf({
    arch: 'arm',
    libc: 'glibc',
    needed: ['libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6'],
    glibcVersion: '2.28',
    glibcxxVersion: '3.4.21',
  }),
  // Android's bionic is also `libc.so`; the .note.android.ident note tells them apart.
  'serialport-bindings-cpp-13.0.1-android-arm64': elf({
    arch: 'arm64',
    platform: 'android',
    needed: ['liblog.so', 'libc++_shared.so', 'libm.so', 'libdl.so', 'libc.so'],
  }),
  // NAN addons for Node 8/9: NODE_MODULE's struct holds the ABI (57, 59).
  'deasync-0.1.30-linux-x64-node-8': elf({ module: { kind: 'abi', abi: '57' } }),
  'deasync-0.1.30-linux-ia32-node-9': elf({
    arch: 'ia32',
    libc: 'glibc',
    needed: ['libc.so.6'],
    glibcVersion: '2.4',
    module: { kind: 'abi', abi: '59' },
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
