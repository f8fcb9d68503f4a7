import { describe, expect, it } from 'vitest';
import {
  GLIBC_LOADER,
  isMuslReservedLibrary,
  lfs64Target,
  loadMuslExports,
  muslResolves,
} from '../../src/binary/musl.js';

describe('library names musl answers with itself', () => {
  it('glibc and Alpine libc names', () => {
    for (const name of [
      'libc.so.6',
      'libc.so',
      'libc.musl-x86_64.so.1',
      'libm.so.6',
      'libpthread.so.0',
      'libdl.so.2',
      'librt.so.1',
      'libutil.so.1',
      'libxnet.so',
    ]) {
      expect(isMuslReservedLibrary(name), name).toBe(true);
    }
  });

  it('a prefix is not enough: the reserved word must end at a dot', () => {
    for (const name of [
      'libcrypt.so.1',
      'libmvec.so.1',
      'libresolv.so.2',
      'librtmp.so.1',
      'libdl',
      'ld-linux-x86-64.so.2',
    ]) {
      expect(isMuslReservedLibrary(name), name).toBe(false);
    }
  });

  it("glibc's loader names", () => {
    for (const name of [
      'ld-linux-x86-64.so.2',
      'ld-linux-aarch64.so.1',
      'ld-linux-armhf.so.3',
      'ld-linux.so.2',
      'ld64.so.2',
    ]) {
      expect(GLIBC_LOADER.test(name), name).toBe(true);
    }
    expect(GLIBC_LOADER.test('ld-musl-x86_64.so.1')).toBe(false);
  });
});

describe('LFS64 remapping (get_lfs64 in ldso/dynlink.c)', () => {
  it('strips the 64 from listed names only', () => {
    expect(lfs64Target('fopen64')).toBe('fopen');
    expect(lfs64Target('__fxstatat64')).toBe('__fxstatat');
    expect(lfs64Target('posix_fallocate64')).toBe('posix_fallocate');
    expect(lfs64Target('readdir64_r')).toBe('readdir_r');
    expect(lfs64Target('fcntl64')).toBeNull();
    expect(lfs64Target('memcpy')).toBeNull();
    expect(lfs64Target('64')).toBeNull();
  });
});

describe('musl export data (src/binary/data/musl-exports.json)', () => {
  const data = loadMuslExports();
  const exported = (version: string) => {
    const absent = new Set(data.absent[version]);
    return new Set(data.symbols.filter((s) => !absent.has(s)));
  };

  it('comes from Debian builds of musl 1.2.3 and 1.2.5, with counts that match the lists', () => {
    expect(data.releases.map((r) => r.musl)).toEqual(['1.2.3', '1.2.5']);
    for (const r of data.releases) expect(exported(r.musl).size, r.musl).toBe(r.count);
    expect(data.symbols).toEqual([...data.symbols].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('every name 1.2.4 stopped exporting is one the loader remaps to a name 1.2.5 exports', () => {
    const v125 = exported('1.2.5');
    const removed = [...exported('1.2.3')].filter((s) => !v125.has(s));
    expect(removed.length).toBeGreaterThan(50);
    for (const name of removed) {
      const base = lfs64Target(name);
      expect(base, name).not.toBeNull();
      expect(v125.has(base!), `${name} → ${String(base)}`).toBe(true);
    }
  });

  it('every LFS64 name the loader remaps was a real export of 1.2.3', () => {
    const v123 = exported('1.2.3');
    for (const name of data.absent['1.2.5'] ?? []) expect(v123.has(name), name).toBe(true);
  });

  it('the core of libc is there in every release', () => {
    for (const r of data.releases) {
      const names = exported(r.musl);
      for (const name of [
        'malloc',
        'memcpy',
        '__stack_chk_fail',
        '__assert_fail',
        '__cxa_finalize',
        'dlopen',
      ]) {
        expect(names.has(name), `${r.musl}: ${name}`).toBe(true);
      }
    }
  });
});

describe('muslResolves', () => {
  it('glibc-only names do not resolve on any musl', () => {
    for (const name of [
      'arc4random',
      '__memcpy_chk',
      '__sprintf_chk',
      '__libc_single_threaded',
      '__getauxval',
      'fcntl64',
    ]) {
      expect(muslResolves(name, null), name).toBe(false);
    }
  });

  it('LFS64 names resolve on every musl', () => {
    for (const version of ['1.2.3', '1.2.4', '1.2.5', null]) {
      expect(muslResolves('fopen64', version)).toBe(true);
      expect(muslResolves('stat64', version)).toBe(true);
    }
  });

  it('statx, preadv2 and pwritev2 arrived in 1.2.5', () => {
    expect(muslResolves('statx', '1.2.4')).toBe(false);
    expect(muslResolves('statx', '1.2.5')).toBe(true);
    expect(muslResolves('preadv2', '1.2.3')).toBe(false);
    expect(muslResolves('pwritev2', null)).toBe(true);
  });
});
