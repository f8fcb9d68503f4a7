// This machine's C library, as detect-libc tells it: the libc a host target is checked against, and
// the one the dynamic loader uses when verify loads a binary.
import {
  family as detectLibcFamilyAsync,
  familySync as detectLibcFamily,
  version as detectLibcVersionAsync,
  versionSync as detectLibcVersion,
} from 'detect-libc';
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import type { LibcFacts } from '../model/target.js';

/**
 * detect-libc, when /proc/self/exe and /usr/bin/ldd do not tell (musl hosts, mostly), runs
 * `getconf` and `ldd` through a shell with this process's PATH, where npm and npx put
 * `node_modules/.bin` first: a dependency's `ldd` bin would run. Its sync API is called with PATH
 * swapped for the probe's own for exactly that call; nothing else runs while it is swapped.
 */
export async function hostLibc(safePath: string): Promise<LibcFacts> {
  const saved = process.env['PATH'];
  process.env['PATH'] = safePath;
  try {
    const family = detectLibcFamily();
    const version = detectLibcVersion();
    return { family: family === 'glibc' || family === 'musl' ? family : null, version };
  } finally {
    if (saved === undefined) delete process.env['PATH'];
    else process.env['PATH'] = saved;
  }
}

/** The libc verify's loaders run against (detect-libc's own lookup, as the loaders' environment has it). */
export async function loaderLibc(): Promise<LibcFacts> {
  const [family, version] = await Promise.all([detectLibcFamilyAsync(), detectLibcVersionAsync()]);
  return { family: family === 'glibc' || family === 'musl' ? family : null, version };
}

/** Debian/Ubuntu multiarch folders by Node arch; other distributions use lib64 or lib. */
const MULTIARCH: Readonly<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
};

/** Where the dynamic loader finds libstdc++.so.6 on glibc systems, most specific first. */
export function libstdcxxPaths(arch: string): string[] {
  const triplet = MULTIARCH[arch];
  const multiarch = triplet ? [`/usr/lib/${triplet}`, `/lib/${triplet}`] : [];
  const wide =
    arch === 'x64' || arch === 'arm64' || arch === 'ppc64' || arch === 's390x' || arch === 'riscv64';
  return [...multiarch, ...(wide ? ['/usr/lib64', '/lib64'] : []), '/usr/lib', '/lib'].map(
    (dir) => `${dir}/libstdc++.so.6`,
  );
}

/** A real libstdc++.so.6 is 2–3 MiB; nothing past this is read. */
const LIBSTDCXX_MAX_BYTES = 32 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const GLIBCXX_NAME = /GLIBCXX_3\.4(?:\.(\d{1,3}))?\0/g;

/**
 * The highest `GLIBCXX_3.4.N` a libstdc++.so.6 defines, from the version names in its string
 * table: read (never loaded or run) in bounded chunks, a regular file only. Null when there is
 * none to read. The names it defines are all present as strings; a binary needing a newer one
 * fails to load with "version `GLIBCXX_3.4.N' not found".
 */
export function readGlibcxxVersion(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    let best = -1;
    let carry = '';
    const buf = Buffer.alloc(CHUNK);
    for (let offset = 0; offset < LIBSTDCXX_MAX_BYTES;) {
      const n = readSync(fd, buf, 0, CHUNK, offset);
      if (n <= 0) break;
      offset += n;
      // latin1 keeps one char per byte; the carry joins a name split across two chunks
      const text = carry + buf.toString('latin1', 0, n);
      for (const m of text.matchAll(GLIBCXX_NAME))
        best = Math.max(best, m[1] === undefined ? 0 : Number(m[1]));
      carry = text.slice(-24);
    }
    return best < 0 ? null : best === 0 ? '3.4' : `3.4.${best}`;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The host's libstdc++ as its dynamic loader would find it first (null: none, or not glibc). */
export function hostGlibcxxVersion(arch: string): string | null {
  for (const path of libstdcxxPaths(arch)) {
    const version = readGlibcxxVersion(path);
    if (version) return version;
  }
  return null;
}

/** ld.so.cache is tens of KiB; nothing past this is read. */
const LD_CACHE_MAX_BYTES = 16 * 1024 * 1024;
/** A shared library (`libpam.so.0`, the link-time `libpam.so`) or a static one (`libpam.a`). */
const SONAME = /(?:^|\/)(lib[\w+.-]*\.(?:so(?:\.[\w.]+)?|a))$/;

/** Bytes of a regular file, at most `max`; null when it is missing, not a regular file or unreadable. */
function readBounded(path: string, max: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return null;
    const buf = Buffer.alloc(Math.min(stat.size, max));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n <= 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The sonames this machine's dynamic loader finds without help: every library named in
 * /etc/ld.so.cache (ldconfig's index of the trusted folders and ld.so.conf's), and the library
 * files in those folders and the standard ones (the link-time `libfoo.so` and `libfoo.a` a build
 * links with `-lfoo` among them). Read as bytes and folder listings, nothing run.
 * Null when neither says anything (not a glibc system).
 */
export function hostSystemLibraries(arch: string): string[] | null {
  const names = new Set<string>();
  const dirs = new Set(libstdcxxPaths(arch).map((p) => p.slice(0, p.lastIndexOf('/'))));
  dirs.add('/usr/local/lib');
  const cache = readBounded('/etc/ld.so.cache', LD_CACHE_MAX_BYTES);
  if (cache) {
    for (const s of cache.toString('latin1').split('\0')) {
      const m = SONAME.exec(s);
      if (!m) continue;
      names.add(m[1]!);
      // the folders ldconfig indexed hold the link-time names (`libpam.so`) too
      if (s.startsWith('/') && dirs.size < 64) dirs.add(s.slice(0, s.lastIndexOf('/')));
    }
  }
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of entries) if (SONAME.test(name)) names.add(name);
  }
  return names.size ? [...names].sort() : null;
}
