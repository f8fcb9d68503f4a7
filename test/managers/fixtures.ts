import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LockedPackage, LockfileReadResult, WorkspaceManifest } from '../../src/managers/types.js';

/** fixtures/lockfiles: lockfiles and marker files written by the real managers (see its README). */
export const LOCKFILES = fileURLToPath(new URL('../../fixtures/lockfiles/', import.meta.url));

export const fixtureText = (path: string): string => readFileSync(join(LOCKFILES, path), 'utf8');

/** The workspaces' package.json files of a fixture project, as the yarn reader takes them. */
export function manifests(project: string, paths: string[]): Record<string, WorkspaceManifest> {
  return Object.fromEntries(
    paths.map((p) => [p, JSON.parse(fixtureText(join(project, p, 'package.json'))) as WorkspaceManifest]),
  );
}

/** A bounded reader over a fixture folder, as the real wiring must provide. */
export function boundedReader(root: string): (path: string, maxBytes: number) => string | null {
  return (path, maxBytes) => {
    let fd: number | undefined;
    try {
      fd = openSync(join(root, path), 'r');
      const buf = Buffer.alloc(maxBytes);
      const n = readSync(fd, buf, 0, maxBytes, 0);
      return buf.subarray(0, n).toString('utf8');
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
}

export function pkg(result: LockfileReadResult, id: string): LockedPackage {
  const found = result.packages.find((p) => p.id === id);
  if (!found) throw new Error(`no package ${id} in ${result.manager} result`);
  return found;
}

export const byName = (result: LockfileReadResult, name: string): LockedPackage[] =>
  result.packages.filter((p) => p.name === name);
