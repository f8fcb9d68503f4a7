import { futureTargets, getAbi } from 'node-abi';
import { fromElectronVersion, fromNodeVersion } from 'node-api-version';
import semver from 'semver';
import type { Runtime } from '../model/target.js';

/** NODE_MODULE_VERSION for a runtime version, or null when node-abi does not know it. */
export function abiFor(version: string, runtime: Runtime): string | null {
  try {
    return getAbi(version, runtime);
  } catch {
    return null;
  }
}

/** Node-API level; node-api-version answers undefined below N-API's first release. */
export function napiFor(version: string, runtime: Runtime): number | null {
  const level = runtime === 'electron' ? fromElectronVersion(version) : fromNodeVersion(version);
  return level ?? null;
}

/** Whether node-abi lists this major only as a future target (announced, not yet released). */
export function isFutureMajor(major: number, runtime: Runtime): boolean {
  return futureTargets.some((t) => t.runtime === runtime && semver.major(t.target) === major);
}

/** The `armv` tag node-gyp-build matches: 8 for arm64; 7 for arm, the only 32-bit ARM Node supports in release builds. */
export function armvFor(arch: string): string | null {
  if (arch === 'arm64') return '8';
  if (arch === 'arm') return '7';
  return null;
}

/**
 * libuv major for node-gyp-build's `uv` tag. Every Node since 10 bundles libuv 1.x and libuv keeps
 * its ABI within a major, so it is `'1'` for any target we can name.
 */
export const UV_MAJOR = '1';
