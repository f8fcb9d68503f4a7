import { describe, expect, it } from 'vitest';
import { checkFactsAgainstTarget, checkGlibcOnMusl } from '../../src/binary/compat.js';
import { emptyFacts } from '../../src/binary/empty.js';
import { inspectFile } from '../../src/binary/facts.js';
import type { BinaryFacts } from '../../src/model/binary.js';
import type { Target } from '../../src/model/target.js';
import { addon, binary } from './paths.js';

function target(over: Partial<Target>): Target {
  return {
    id: 'test',
    runtime: 'node',
    version: '20.20.2',
    abi: '115',
    napi: 9,
    platform: 'linux',
    arch: 'x64',
    libc: 'glibc',
    libcVersion: '2.36',
    armv: null,
    uv: '1',
    toolchain: { python: false, make: false, cxx: false },
    isHost: false,
    ...over,
  };
}

const bookworm = target({ id: 'node:20-bookworm-slim' });
const bullseye = target({ id: 'node:20-bullseye', libcVersion: '2.31' });
const alpineImage = {
  image: 'node:20-alpine',
  variant: 'alpine',
  distro: 'alpine' as const,
  release: '3.22',
};
const alpine = target({ id: 'node:20-alpine', libc: 'musl', libcVersion: '1.2.5', image: alpineImage });
const node22 = target({ id: 'node22-linux-x64-glibc', version: '22.21.1', abi: '127', napi: 10 });

function libcMismatch(
  binaryLibc: 'glibc' | 'musl',
  targetLibc: 'glibc' | 'musl',
  over: { missingLibraries?: string[]; missingSymbols?: string[]; missingSymbolCount?: number },
) {
  return {
    code: 'LIBC_MISMATCH',
    binaryLibc,
    targetLibc,
    missingLibraries: over.missingLibraries ?? [],
    missingSymbols: over.missingSymbols ?? [],
    missingSymbolCount: over.missingSymbolCount ?? over.missingSymbols?.length ?? 0,
  };
}

function elfFacts(over: Partial<BinaryFacts>): BinaryFacts {
  return { ...emptyFacts('elf'), arch: 'x64', arches: ['x64'], platform: 'linux', ...over };
}

describe('libc family', () => {
  it('a musl binary never loads on glibc: the musl libc it needs is missing', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('musl')), bookworm)).toEqual([
      libcMismatch('musl', 'glibc', { missingLibraries: ['libc.musl-x86_64.so.1'] }),
    ]);
    expect(checkFactsAgainstTarget(inspectFile(addon('musl-libc-so')), bookworm)).toEqual([
      libcMismatch('musl', 'glibc', { missingLibraries: ['libc.so'] }),
    ]);
  });

  it('a binary without a libc dependency fits both', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('napi-ok')), alpine)).toEqual([]);
    expect(checkFactsAgainstTarget(inspectFile(addon('napi-ok')), bookworm)).toEqual([]);
  });

  it('an unknown target libc is not a mismatch', () => {
    expect(
      checkFactsAgainstTarget(inspectFile(addon('musl')), target({ libc: null, libcVersion: null })),
    ).toEqual([]);
  });
});

describe('a glibc binary on musl (Alpine)', () => {
  const alpine318 = { ...alpine, libcVersion: '1.2.4', image: { ...alpineImage, release: '3.18' } };
  const muslTuple = target({ id: 'node22-linux-x64-musl', libc: 'musl', libcVersion: null });

  it('loads when musl provides every library and symbol: bufferutil 4.1.0, exit-in-init, crash-abort', () => {
    for (const file of [binary('bufferutil-4.1.0-linux-x64'), addon('exit-in-init'), addon('crash-abort')]) {
      expect(checkFactsAgainstTarget(inspectFile(file), alpine), file).toEqual([]);
    }
  });

  it('fails on a glibc-only symbol: arc4random (glibc 2.36)', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('glibc-new')), alpine)).toEqual([
      libcMismatch('glibc', 'musl', { missingSymbols: ['arc4random'] }),
    ]);
  });

  it('fails on _FORTIFY_SOURCE checks: __memcpy_chk, __sprintf_chk', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('fortify')), alpine)).toEqual([
      libcMismatch('glibc', 'musl', { missingSymbols: ['__memcpy_chk', '__sprintf_chk'] }),
    ]);
  });

  it('LFS64 names resolve: exported by musl 1.2.3, remapped by the loader since 1.2.4', () => {
    const lfs64 = inspectFile(addon('lfs64'));
    for (const version of ['1.2.3', '1.2.4', '1.2.5', '1.2.6', null]) {
      expect(checkFactsAgainstTarget(lfs64, { ...alpine, libcVersion: version }), String(version)).toEqual(
        [],
      );
    }
  });

  it("fails when it NEEDs glibc's loader, whatever its RUNPATH: sharp 0.33.5 x64", () => {
    expect(checkFactsAgainstTarget(inspectFile(binary('sharp-linux-x64-0.33.5')), alpine)).toEqual([
      libcMismatch('glibc', 'musl', { missingLibraries: ['ld-linux-x86-64.so.2'] }),
    ]);
  });

  it('sharp 0.33.5 arm64: __getauxval, which musl keeps hidden; libvips (found through RPATH) unjudged', () => {
    const sharp = inspectFile(binary('sharp-linux-arm64-0.33.5'));
    const arm64Alpine = { ...alpine, arch: 'arm64' };
    expect(checkFactsAgainstTarget(sharp, arm64Alpine)).toEqual([
      libcMismatch('glibc', 'musl', { missingSymbols: ['__getauxval'] }),
    ]);
    const check = checkGlibcOnMusl(sharp, arm64Alpine);
    expect(check.missingLibraries).toEqual([]);
    expect(check.unjudgedLibraries).toEqual(['libvips-cpp.so.42']);
    expect(check.unjudgedSymbols).toEqual(expect.arrayContaining(['vips_init', '__gxx_personality_v0']));
  });

  it('glibc 2.28 fcntl64 on 32-bit ARM has no musl counterpart (not an LFS64 name musl remaps)', () => {
    const serialport = inspectFile(binary('serialport-bindings-cpp-13.0.1-linux-armv7-glibc'));
    expect(checkFactsAgainstTarget(serialport, { ...alpine, arch: 'arm' })).toEqual([
      libcMismatch('glibc', 'musl', { missingSymbols: ['fcntl64'] }),
    ]);
  });

  it('a library missing from the node alpine image fails there, unless a RUNPATH may supply it', () => {
    const needsPng = elfFacts({
      libc: 'glibc',
      needed: ['libpng16.so.16', 'libstdc++.so.6', 'libgcc_s.so.1', 'libz.so.1', 'libm.so.6', 'libc.so.6'],
      cImports: ['png_create_read_struct', 'memcpy@GLIBC_2.14'],
    });
    expect(checkFactsAgainstTarget(needsPng, alpine)).toEqual([
      libcMismatch('glibc', 'musl', { missingLibraries: ['libpng16.so.16'] }),
    ]);
    const bundled = { ...needsPng, runpath: ['$ORIGIN/../lib'] };
    expect(checkFactsAgainstTarget(bundled, alpine)).toEqual([]);
    expect(checkGlibcOnMusl(bundled, alpine).unjudgedLibraries).toEqual(['libpng16.so.16']);
  });

  it('a musl target that is not an image: only glibc loader names are certain to be missing', () => {
    const facts = elfFacts({
      libc: 'glibc',
      needed: ['libpng16.so.16', 'libstdc++.so.6', 'libz.so.1', 'libc.so.6'],
      cImports: [],
    });
    expect(checkFactsAgainstTarget(facts, muslTuple)).toEqual([]);
    // libstdc++ is on every musl system that runs Node (Node needs it); zlib only known for images.
    expect(checkGlibcOnMusl(facts, muslTuple).unjudgedLibraries).toEqual(['libpng16.so.16', 'libz.so.1']);
    expect(checkFactsAgainstTarget(inspectFile(addon('glibc-new')), muslTuple)).toEqual([
      libcMismatch('glibc', 'musl', { missingSymbols: ['arc4random'] }),
    ]);
  });

  it('unversioned imports are never judged: Node or another library may define them', () => {
    const facts = elfFacts({ libc: 'glibc', needed: ['libc.so.6'], cImports: ['SSL_CTX_new', 'deflate'] });
    expect(checkFactsAgainstTarget(facts, alpine)).toEqual([]);
    expect(checkGlibcOnMusl(facts, alpine).unjudgedSymbols).toEqual(['SSL_CTX_new', 'deflate']);
  });

  it('symbols musl added later are missing on a target known to run an older musl', () => {
    const facts = elfFacts({ libc: 'glibc', needed: ['libc.so.6'], cImports: ['statx@GLIBC_2.28'] });
    expect(checkFactsAgainstTarget(facts, alpine318)).toEqual([
      libcMismatch('glibc', 'musl', { missingSymbols: ['statx'] }),
    ]);
    expect(checkFactsAgainstTarget(facts, alpine)).toEqual([]);
    expect(checkFactsAgainstTarget(facts, muslTuple)).toEqual([]);
  });

  it('lists ten missing symbols and counts them all', () => {
    const missing = Array.from({ length: 13 }, (_, i) => `__glibc_only_${String(i).padStart(2, '0')}`);
    const facts = elfFacts({
      libc: 'glibc',
      needed: ['libc.so.6'],
      cImports: missing.map((m) => `${m}@GLIBC_2.34`),
    });
    expect(checkFactsAgainstTarget(facts, alpine)).toEqual([
      libcMismatch('glibc', 'musl', { missingSymbols: missing.slice(0, 10), missingSymbolCount: 13 }),
    ]);
  });

  it('facts without cImports (from another parser) judge libraries only', () => {
    const facts = elfFacts({ libc: 'glibc', needed: ['libc.so.6'] });
    delete facts.cImports;
    expect(checkFactsAgainstTarget(facts, alpine)).toEqual([]);
  });
});

describe('glibc version', () => {
  it('GLIBC_2.36 is too new for bullseye (2.31), fine on bookworm (2.36)', () => {
    const facts = inspectFile(addon('glibc-new'));
    expect(checkFactsAgainstTarget(facts, bullseye)).toEqual([
      { code: 'GLIBC_TOO_OLD', needed: '2.36', available: '2.31' },
    ]);
    expect(checkFactsAgainstTarget(facts, bookworm)).toEqual([]);
  });

  it('compares numerically: 2.9 needed fits 2.17 available', () => {
    expect(
      checkFactsAgainstTarget(
        elfFacts({ libc: 'glibc', glibcVersion: '2.9' }),
        target({ libcVersion: '2.17' }),
      ),
    ).toEqual([]);
    expect(
      checkFactsAgainstTarget(
        elfFacts({ libc: 'glibc', glibcVersion: '2.28' }),
        target({ libcVersion: '2.17' }),
      ),
    ).toEqual([{ code: 'GLIBC_TOO_OLD', needed: '2.28', available: '2.17' }]);
  });

  it('no target glibc version, no verdict', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('glibc-new')), target({ libcVersion: null }))).toEqual(
      [],
    );
  });
});

describe('platform and arch', () => {
  it('arm64 binary on x64', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('arm64')), bookworm)).toEqual([
      { code: 'ARCH_MISMATCH', binaryArches: ['arm64'], targetArch: 'x64' },
    ]);
  });

  it('a Windows binary on Linux reports platform and arch only, not libc or ABI', () => {
    expect(checkFactsAgainstTarget(inspectFile(binary('bufferutil-4.1.0-win32-ia32')), alpine)).toEqual([
      { code: 'PLATFORM_MISMATCH', binaryPlatform: 'win32', targetPlatform: 'linux' },
      { code: 'ARCH_MISMATCH', binaryArches: ['ia32'], targetArch: 'x64' },
    ]);
  });

  it('an Android build is not a Linux build', () => {
    expect(
      checkFactsAgainstTarget(
        inspectFile(binary('serialport-bindings-cpp-13.0.1-android-arm64')),
        target({ arch: 'arm64' }),
      ),
    ).toEqual([{ code: 'PLATFORM_MISMATCH', binaryPlatform: 'android', targetPlatform: 'linux' }]);
  });

  it('a universal file fits either arch and is judged by the matching slice', () => {
    const fsevents = inspectFile(binary('fsevents-2.3.3-darwin-universal'));
    const mac = target({ platform: 'darwin', libc: null, libcVersion: null });
    expect(checkFactsAgainstTarget(fsevents, mac)).toEqual([]);
    expect(checkFactsAgainstTarget(fsevents, { ...mac, arch: 'arm64' })).toEqual([]);
    expect(checkFactsAgainstTarget(fsevents, { ...mac, napi: 3 })).toEqual([
      { code: 'NAPI_VERSION_TOO_HIGH', declared: 4, available: 3 },
    ]);
  });
});

describe('Node-API level', () => {
  it('declaring Node-API 10 is too high for Node 20 (level 9), fine for 22', () => {
    const facts = inspectFile(addon('napi-v10'));
    expect(checkFactsAgainstTarget(facts, bookworm)).toEqual([
      { code: 'NAPI_VERSION_TOO_HIGH', declared: 10, available: 9 },
    ]);
    expect(checkFactsAgainstTarget(facts, node22)).toEqual([]);
  });

  it('the experimental sentinel is accepted by every Node', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('napi-experimental')), bookworm)).toEqual([]);
  });

  it('unknown target level, no verdict', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('napi-v10')), target({ napi: null }))).toEqual([]);
  });
});

describe('ABI', () => {
  it('an ABI 115 addon loads on Node 20 and not on Node 22 (127)', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('legacy-abi')), bookworm)).toEqual([]);
    expect(checkFactsAgainstTarget(inspectFile(addon('legacy-abi')), node22)).toEqual([
      { code: 'ABI_MISMATCH', binaryAbi: '115', targetAbi: '127' },
    ]);
  });

  it('Electron numbers come from the same registry: 115 is not Electron 33 (130)', () => {
    expect(
      checkFactsAgainstTarget(
        inspectFile(addon('abi-init')),
        target({ runtime: 'electron', version: '33.0.0', abi: '130' }),
      ),
    ).toEqual([{ code: 'ABI_MISMATCH', binaryAbi: '115', targetAbi: '130' }]);
  });

  it('a hybrid with no readable ABI gets no ABI verdict, but its Node-API level is checked', () => {
    const deasync = inspectFile(binary('deasync-0.1.30-linux-x64-node-20'));
    expect(checkFactsAgainstTarget(deasync, node22)).toEqual([]);
    expect(checkFactsAgainstTarget(deasync, target({ napi: 8 }))).toEqual([
      { code: 'NAPI_VERSION_TOO_HIGH', declared: 9, available: 8 },
    ]);
  });

  it('several mismatches at once, in a stable order', () => {
    const facts = elfFacts({
      libc: 'glibc',
      glibcVersion: '2.34',
      module: { kind: 'abi', abi: '108', hybrid: true },
      napiVersion: 9,
    });
    expect(checkFactsAgainstTarget(facts, target({ libcVersion: '2.28', napi: 8 }))).toEqual([
      { code: 'GLIBC_TOO_OLD', needed: '2.34', available: '2.28' },
      { code: 'NAPI_VERSION_TOO_HIGH', declared: 9, available: 8 },
      { code: 'ABI_MISMATCH', binaryAbi: '108', targetAbi: '115' },
    ]);
  });
});

it('facts of an unreadable file produce no mismatch', () => {
  expect(checkFactsAgainstTarget(emptyFacts(null, { code: 'EMPTY_FILE' }), bookworm)).toEqual([]);
});
