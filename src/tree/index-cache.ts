import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TarballIndex } from './tarball-files.js';

/** What was read out of a tarball, kept by the tarball's integrity so the next run needs no gunzip. */
export interface TarballIndexCache {
  get(integrity: string): TarballIndex | null;
  set(integrity: string, index: TarballIndex): void;
}

/** Bump when TarballIndex or the binary-facts parsers change what they produce. */
const FORMAT = 5;

/**
 * A folder of JSON indexes named by the hash of the integrity string. Content-addressed like npm's
 * cache (the same integrity is the same bytes), so entries never go stale; a bad or partial file
 * reads as a miss. Writes go through a temporary file and a rename.
 */
export function folderIndexCache(dir: string): TarballIndexCache {
  const file = (integrity: string) =>
    join(dir, `${createHash('sha256').update(`${FORMAT}:${integrity}`).digest('hex')}.json`);
  return {
    get(integrity) {
      try {
        const data = JSON.parse(readFileSync(file(integrity), 'utf8')) as {
          format?: unknown;
          index?: TarballIndex;
        };
        return data.format === FORMAT && data.index && Array.isArray(data.index.files) ? data.index : null;
      } catch {
        return null;
      }
    },
    set(integrity, index) {
      try {
        mkdirSync(dir, { recursive: true });
        const target = file(integrity);
        const tmp = `${target}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ format: FORMAT, integrity, index }));
        renameSync(tmp, target);
      } catch {
        // a read-only cache folder only costs the next run a gunzip
      }
    },
  };
}
