import { describe, expect, it } from 'vitest';
import { checkFactsAgainstTarget } from '../../src/binary/compat.js';
import { emptyFacts } from '../../src/binary/empty.js';
import { inspectFile } from '../../src/binary/facts.js';
import type { BinaryFacts } from '../../src/binary/types.js';
import type { Target } from '../../src/target/types.js';
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
const alpine = target({ id: 'node:20-alpine', libc: 'musl', libcVersion: '1.2.5' });
const node22 = target({ id: 'node22-linux-x64-glibc', version: '22.21.1', abi: '127', napi: 10 });

function elfFacts(over: Partial<BinaryFacts>): BinaryFacts {
  return { ...emptyFacts('elf', null), arch: 'x64', arches: ['x64'], platform: 'linux', ...over };
}

describe('libc family', () => {
  it('a glibc binary on musl and a musl binary on glibc both fail', () => {
    expect(checkFactsAgainstTarget(inspectFile(addon('glibc-new')), alpine)).toEqual([
      { code: 'LIBC_MISMATCH', binaryLibc: 'glibc', targetLibc: 'musl' },
    ]);
    expect(checkFactsAgainstTarget(inspectFile(addon('musl')), bookworm)).toEqual([
      { code: 'LIBC_MISMATCH', binaryLibc: 'musl', targetLibc: 'glibc' },
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
  expect(checkFactsAgainstTarget(emptyFacts(null, 'empty file'), bookworm)).toEqual([]);
});
