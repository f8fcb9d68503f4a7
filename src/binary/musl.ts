import { createRequire } from 'node:module';
import { compareVersions } from './reader.js';
// Type-only, so tsc checks the shape and copies the JSON into dist; the value is loaded with require,
// lazily (see loadMuslExports), for the reason src/targets/releases.ts gives.
import type RawMuslExports from './data/musl-exports.json';

/**
 * What musl's dynamic linker does with a glibc-linked shared object, as data and small pure
 * functions. Every fact here comes from musl's source (ldso/dynlink.c, cited by function) or from
 * the exports of real musl builds (src/binary/data/musl-exports.json, made by
 * scripts/update-musl-exports.mjs from Debian's musl packages).
 */

/**
 * load_library() answers any NEEDED name starting `lib` + one of these + `.` with musl itself
 * ("c.pthread.rt.m.dl.util.xnet." in ldso/dynlink.c since 1.1.16, commit 5ffe515c): `libc.so.6`,
 * `libm.so.6`, `libpthread.so.0`, `libdl.so.2`, `librt.so.1`, `libutil.so.1` — and Alpine's own
 * `libc.musl-x86_64.so.1`. glibc's loader `ld-linux-*.so.*` is not among them.
 */
const RESERVED = ['c', 'pthread', 'rt', 'm', 'dl', 'util', 'xnet'];

export function isMuslReservedLibrary(name: string): boolean {
  return name.startsWith('lib') && RESERVED.some((r) => name.startsWith(`${r}.`, 3));
}

/**
 * glibc's dynamic loader under its per-arch names. glibc binaries NEED it when they use a symbol
 * only ld.so defines (`__tls_get_addr`, `_dl_find_object`, `__libc_stack_end`). No musl system has
 * it (Alpine's gcompat package adds one), and musl does not answer the name with itself.
 */
export const GLIBC_LOADER = /^(?:ld-linux[\w.-]*\.so\.\d+|ld64\.so\.\d+)$/;

/**
 * Libraries every musl system that runs Node has: Node itself is linked against them, and the
 * official `node:*-alpine` Dockerfiles `apk add --no-cache libstdc++` (which brings libgcc).
 */
export const NODE_MUSL_LIBRARIES = new Set(['libstdc++.so.6', 'libgcc_s.so.1']);

/**
 * Further libraries of Alpine's base rootfs, which `node:*-alpine` builds on: zlib and OpenSSL's
 * libcrypto/libssl come with apk-tools. Counting them as present can only hide a mismatch, never
 * invent one.
 */
export const ALPINE_BASE_LIBRARIES = new Set(['libz.so.1', 'libcrypto.so.3', 'libssl.so.3']);

/**
 * Since musl 1.2.4 (commit 246f1c81, "remove LFS64 symbol aliases; replace with dynamic linker
 * remapping") libc no longer exports the LFS64 names (`fopen64`, `stat64`, …). Instead do_relocs()
 * retries a symbol it cannot find through get_lfs64() in ldso/dynlink.c, which strips the `64` from
 * the names in this list and looks the rest up in libc (and maps `readdir64_r` to `readdir_r`). In
 * 1.2.3 and earlier these names were real exports, so on every musl they resolve.
 *
 * musl 1.2.4 and 1.2.5 copy the name into a 16-byte buffer first, so `posix_fallocate64` (17
 * characters) is not remapped there — fixed after 1.2.5 (commit 53ac44ff). It is still counted as
 * available: distributions may carry the fix, and this module only reports what is certain.
 */
const LFS64_BASES = new Set([
  'aio_cancel',
  'aio_error',
  'aio_fsync',
  'aio_read',
  'aio_return',
  'aio_suspend',
  'aio_write',
  'alphasort',
  'creat',
  'fallocate',
  'fgetpos',
  'fopen',
  'freopen',
  'fseeko',
  'fsetpos',
  'fstat',
  'fstatat',
  'fstatfs',
  'fstatvfs',
  'ftello',
  'ftruncate',
  'ftw',
  'getdents',
  'getrlimit',
  'glob',
  'globfree',
  'lio_listio',
  'lockf',
  'lseek',
  'lstat',
  'mkostemp',
  'mkostemps',
  'mkstemp',
  'mkstemps',
  'mmap',
  'nftw',
  'open',
  'openat',
  'posix_fadvise',
  'posix_fallocate',
  'pread',
  'preadv',
  'prlimit',
  'pwrite',
  'pwritev',
  'readdir',
  'scandir',
  'sendfile',
  'setrlimit',
  'stat',
  'statfs',
  'statvfs',
  'tmpfile',
  'truncate',
  'versionsort',
  '__fxstat',
  '__fxstatat',
  '__lxstat',
  '__xstat',
]);

/** The name get_lfs64() resolves an LFS64 name to (`fopen64` → `fopen`), or null. */
export function lfs64Target(name: string): string | null {
  if (name === 'readdir64_r') return 'readdir_r';
  if (!name.endsWith('64')) return null;
  const base = name.slice(0, -2);
  return LFS64_BASES.has(base) ? base : null;
}

/**
 * Exports that are new in a musl release, so a target known to run an older musl lacks them. Only
 * releases the data covers and musl's WHATSNEW confirms: 1.2.5 "statx function", "preadv2 and
 * pwritev2". (`renameat2` is in Debian's 1.2.5 as a backport of a post-1.2.5 upstream commit,
 * 05ce67fe; which musl builds carry it is not certain, so it is not listed.)
 */
const ADDED_IN: Record<string, string> = { statx: '1.2.5', preadv2: '1.2.5', pwritev2: '1.2.5' };

export interface MuslExportData {
  releases: Array<{ musl: string; debianPackage: string; file: string; sha256: string; count: number }>;
  absent: Record<string, string[]>;
  symbols: string[];
}

let exportSet: Set<string> | null = null;

/** The shipped export data. Loaded on first use, never at import time. */
export function loadMuslExports(): MuslExportData {
  const raw: typeof RawMuslExports = createRequire(import.meta.url)('./data/musl-exports.json');
  return raw;
}

function exportsOfAnyRelease(): Set<string> {
  exportSet ??= new Set(loadMuslExports().symbols);
  return exportSet;
}

/**
 * Whether a musl of `version` (null: any) resolves `name` from libc, as do_relocs() would: an
 * export of some musl build we have, or an LFS64 name get_lfs64() maps to one. Names exported by
 * only some builds count as available unless the release that added them is known and newer than
 * `version`: this errs towards "available", never towards a false "missing".
 */
export function muslResolves(name: string, version: string | null): boolean {
  const since = ADDED_IN[name];
  if (since !== undefined && version !== null && compareVersions(version, since) < 0) return false;
  if (exportsOfAnyRelease().has(name)) return true;
  const base = lfs64Target(name);
  return base !== null && exportsOfAnyRelease().has(base);
}
