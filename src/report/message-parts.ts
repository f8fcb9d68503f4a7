// Small pieces the finding words share: toolchain fixes worded from the image, npm platform flags, notes.
import type { Target } from '../model/target.js';

export const TOOL_NAMES = { python: 'python3', make: 'make', cxx: 'a C++ compiler (g++)' } as const;

/**
 * How to add python3, make and g++, worded from what the target is made of (its image's distro and
 * whether it has a package manager), never from how its id is spelled.
 */
export function toolchainFix(target: Target | undefined): string {
  const image = target?.image;
  if (image?.distro === 'alpine')
    return 'add `RUN apk add --no-cache python3 make g++` before `npm ci` (or use a build stage)';
  // distroless images are Debian's libc and Node only: no shell, no apt
  if (image?.variant.startsWith('distroless'))
    return 'build in a full `node:<version>` stage (it has python3, make and g++) and copy node_modules into this image: it has no shell or package manager to install them';
  if (image)
    return 'add `RUN apt-get update && apt-get install -y python3 make g++` before `npm ci`, or build in a full `node:<version>` stage and copy node_modules';
  return 'install python3, make and a C++ compiler (Debian: `apt-get install python3 make g++`; Alpine: `apk add python3 make g++`)';
}

/** MANIFEST_UNAVAILABLE codes for a tarball that came but that lockfile mode would not read whole. */
export const UNREADABLE_TARBALL = new Set(['EMANIFESTTOOLARGE', 'EJSONPARSE', 'ETOOMANYENTRIES']);

/** The npm flags that make a lockfile entry's os/cpu/libc install on a machine that isn't the target. */
export function platformFlags(e: { os?: string[]; cpu?: string[]; libc?: string[] }): string {
  const flags: string[] = [];
  if (e.os?.length === 1) flags.push(`--os=${e.os[0]}`);
  if (e.cpu?.length === 1) flags.push(`--cpu=${e.cpu[0]}`);
  if (e.libc?.length === 1) flags.push(`--libc=${e.libc[0]}`);
  return flags.join(' ');
}

export const ignoreFileName = (file: string | null) => file ?? '.dockerignore';

export function fallbackNote(fallback: 'source-build' | 'none'): string {
  return fallback === 'source-build' ? '; the install load-tests it and compiles from source instead' : '';
}
