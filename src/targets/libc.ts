// This machine's C library, as detect-libc tells it: the libc a host target is checked against, and
// the one the dynamic loader uses when verify loads a binary.
import {
  family as detectLibcFamilyAsync,
  familySync as detectLibcFamily,
  version as detectLibcVersionAsync,
  versionSync as detectLibcVersion,
} from 'detect-libc';
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
