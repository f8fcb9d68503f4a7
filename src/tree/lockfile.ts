import { join } from 'node:path';
import { FILE_LIMITS, parseJsonText, readRegularFile } from '../io/files.js';
import type { LockEntry, LockfileIndex, TreeProblem } from '../model/package.js';

const list = (v: unknown): string[] | undefined =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? [v]
      : undefined;

const nameFromLocation = (location: string): string => {
  const idx = location.lastIndexOf('node_modules/');
  return idx >= 0 ? location.slice(idx + 'node_modules/'.length) : location;
};

/**
 * Reads npm-shrinkwrap.json or package-lock.json as plain JSON. The installed tree only holds the
 * platform packages npm chose for this machine; the lockfile records every platform's entry with
 * its os/cpu/libc, which is what lets an installed glibc tree answer for alpine.
 */
export function readLockfile(root: string): { index: LockfileIndex | null; problem: TreeProblem | null } {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const file = join(root, name);
    let text: string;
    try {
      text = readRegularFile(file, FILE_LIMITS.lockfile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? null;
      if (code === 'ENOENT') continue;
      return { index: null, problem: lockProblem(name, file, code, (err as Error).message) };
    }
    try {
      return { index: parseLockfile(name, text), problem: null };
    } catch (err) {
      return { index: null, problem: lockProblem(name, file, 'EJSONPARSE', (err as Error).message) };
    }
  }
  return { index: null, problem: null };
}

const lockProblem = (
  location: string,
  path: string,
  errorCode: string | null,
  error: string,
): TreeProblem => ({
  kind: 'lockfile-invalid',
  location,
  path,
  errorCode,
  reason: 'error',
  error,
});

export function parseLockfile(file: string, text: string): LockfileIndex {
  const data = parseJsonText(text) as Record<string, unknown>;
  if (!data || typeof data !== 'object') throw new Error('not a JSON object');
  const lockfileVersion = typeof data.lockfileVersion === 'number' ? data.lockfileVersion : 1;
  const entries = new Map<string, LockEntry>();
  const packages = data.packages;
  if (packages && typeof packages === 'object') {
    for (const [location, raw] of Object.entries(packages as Record<string, unknown>)) {
      if (!location || !raw || typeof raw !== 'object') continue;
      const e = raw as Record<string, unknown>;
      const entry: LockEntry = {
        location,
        name: typeof e.name === 'string' ? e.name : nameFromLocation(location),
        version: typeof e.version === 'string' ? e.version : null,
        optional: e.optional === true || e.devOptional === true,
        dev: e.dev === true,
        hasInstallScript: e.hasInstallScript === true,
      };
      const os = list(e.os);
      const cpu = list(e.cpu);
      const libc = list(e.libc);
      if (os) entry.os = os;
      if (cpu) entry.cpu = cpu;
      if (libc) entry.libc = libc;
      if (typeof e.resolved === 'string') entry.resolved = e.resolved;
      if (typeof e.integrity === 'string') entry.integrity = e.integrity;
      if (e.optionalDependencies && typeof e.optionalDependencies === 'object') {
        entry.optionalDependencies = e.optionalDependencies as Record<string, string>;
      }
      entries.set(location, entry);
    }
  } else if (data.dependencies && typeof data.dependencies === 'object') {
    // lockfile v1: a nested `dependencies` tree without os/cpu/libc
    const walk = (deps: Record<string, unknown>, prefix: string) => {
      for (const [name, raw] of Object.entries(deps)) {
        if (!raw || typeof raw !== 'object') continue;
        const e = raw as Record<string, unknown>;
        const location = `${prefix}node_modules/${name}`;
        entries.set(location, {
          location,
          name,
          version: typeof e.version === 'string' ? e.version : null,
          optional: e.optional === true,
          dev: e.dev === true,
          hasInstallScript: false,
        });
        if (e.dependencies && typeof e.dependencies === 'object') {
          walk(e.dependencies as Record<string, unknown>, `${location}/`);
        }
      }
    };
    walk(data.dependencies as Record<string, unknown>, '');
  }
  return { file, lockfileVersion, entries };
}
