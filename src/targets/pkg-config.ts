// The pkg-config modules this machine has: the `.pc` files in pkg-config's folders, listed, never
// asked of pkg-config itself (nothing is run).
import { readdirSync } from 'node:fs';
import { isAbsolute } from 'node:path';

const MAX_DIRS = 64;
const MAX_ENTRIES_PER_DIR = 20_000;

/** Folder names under /usr/lib that are multiarch triplets (`x86_64-linux-gnu`, `aarch64-linux-musl`). */
const TRIPLET = /^[a-z0-9_]+-(?:[a-z0-9_]+-)?linux-[a-z0-9_]+$/;

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The folders pkg-config and pkgconf search, over-counted rather than under: `PKG_CONFIG_PATH`
 * and `PKG_CONFIG_LIBDIR`, then the defaults Debian, Fedora and Alpine compile in, with every
 * multiarch triplet's (`/usr/lib/x86_64-linux-gnu/pkgconfig`). A module found in a folder
 * pkg-config does not search is counted as present: the finding is never claimed on it.
 */
export function pkgConfigDirs(env: Record<string, string | undefined>): string[] {
  const dirs: string[] = [];
  for (const v of [env['PKG_CONFIG_PATH'], env['PKG_CONFIG_LIBDIR']])
    for (const d of (v ?? '').split(':')) if (d && isAbsolute(d)) dirs.push(d);
  for (const prefix of ['/usr', '/usr/local']) {
    dirs.push(`${prefix}/lib/pkgconfig`, `${prefix}/lib64/pkgconfig`, `${prefix}/share/pkgconfig`);
    for (const name of list(`${prefix}/lib`))
      if (TRIPLET.test(name)) dirs.push(`${prefix}/lib/${name}/pkgconfig`);
  }
  return [...new Set(dirs)].slice(0, MAX_DIRS);
}

/** The modules (`x11` for `x11.pc`) in pkg-config's folders on this Linux machine. */
export function hostPkgConfigModules(env: Record<string, string | undefined>): string[] {
  const names = new Set<string>();
  for (const dir of pkgConfigDirs(env)) {
    const entries = list(dir);
    for (const name of entries.slice(0, MAX_ENTRIES_PER_DIR))
      if (name.endsWith('.pc') && name.length > 3) names.add(name.slice(0, -3));
  }
  return [...names].sort();
}
