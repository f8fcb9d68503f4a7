import { TARGET_EXAMPLES } from '../model/errors.js';
import type { ImageLineAsked, TargetErrorFact } from '../model/errors.js';

/**
 * The words of a target that does not resolve (TargetError, model/errors.ts): what is wrong with
 * it, alone (the `targetError` of DOCKER_BASE_IMAGE_UNKNOWN), and the CLI's whole line.
 */

function lineWords(asked: ImageLineAsked): string {
  switch (asked.line) {
    case 'major':
      return `Node ${asked.major}`;
    case 'current':
      return 'the current line';
    case 'lts':
      return `the LTS line on ${asked.today}`;
  }
}

/** What is wrong with the target, without naming it: `unknown arch "sparc" (one of x64, …)`. */
export function targetErrorDetail(f: TargetErrorFact): string {
  switch (f.why) {
    case 'empty':
      return 'empty target';
    case 'unknown-form':
      return 'not a target form';
    case 'not-node-image':
      return 'only the official node image is known; for another image write its platform as node22-linux-x64-glibc';
    case 'unknown-electron':
      return `node-abi knows no Electron ${f.version}`;
    case 'not-a-node-version':
      return `"${f.version}" is not a Node version`;
    case 'no-node-release':
      return `no Node ${f.version} in the release data (${f.newest ?? 'none'} is the newest it knows)`;
    case 'unknown-platform':
      return `unknown platform "${f.platform}" (one of ${f.known.join(', ')})`;
    case 'unknown-arch':
      return `unknown arch "${f.arch}" (one of ${f.known.join(', ')})`;
    case 'unknown-libc':
      return `unknown libc "${f.libc}" (glibc or musl, optionally glibc2.28, musl1.2.5)`;
    case 'libc-not-linux':
      return `a libc is only meaningful for linux, not ${f.platform}`;
    case 'unknown-variant':
      return `unknown image variant "${f.variant}" (node:${f.major} has ${f.known.join(', ')})`;
    case 'unknown-image-tag':
      return `unknown image tag "${f.tag}"`;
    case 'no-image-for-line':
      return `no node image data for ${lineWords(f.asked)} (lines known: ${f.lines.join(', ')})`;
    case 'arch-not-published':
      return `node:${f.major}-${f.variant} is not published for ${f.arch} (only ${f.published.join(', ')}); pass --arch`;
  }
}

/** The CLI's line: the target, what is wrong with it, and the valid forms, so a typo is fixed here. */
export function targetErrorWords(f: TargetErrorFact): string {
  // JSON.stringify escapes control characters, so even a pasted newline can't split the line.
  return `Unknown target ${JSON.stringify(f.spec)}: ${targetErrorDetail(f)}. Valid targets look like: ${TARGET_EXAMPLES.join(', ')}`;
}
