import { createRequire } from 'node:module';
import semver from 'semver';
// Type-only: it makes tsc check the JSON's shape and copy it into dist. The value is loaded with require
// because `import … with { type: 'json' }` prints an ExperimentalWarning on Node < 20.18.3 / < 22.12,
// which the engines range still allows, and a warning in someone's `npm install` log is noise.
import type RawReleaseData from './data/node-releases.json';

export interface NodeRelease {
  version: string;
  abi: string;
  napi: number | null;
}

/** What `scripts/update-node-data.mjs` writes: every Node release, newest first. */
export interface NodeReleaseData {
  /** YYYY-MM-DD the data was generated. */
  generated: string;
  source: { versions: string; abi: string; napi: string };
  /** Major → LTS start date (YYYY-MM-DD), from node-abi. */
  lts: Record<string, string>;
  releases: NodeRelease[];
}

/** The release data shipped with the package. Node's require cache makes repeat calls free. */
export function loadNodeReleases(): NodeReleaseData {
  const raw: typeof RawReleaseData = createRequire(import.meta.url)('./data/node-releases.json');
  return raw;
}

/** Newest release whose version starts with `prefix` (`"22"`, `"22.15"`), or null. */
export function newestRelease(data: NodeReleaseData, prefix: string): NodeRelease | null {
  const parts = prefix.split('.').map(Number);
  let best: NodeRelease | null = null;
  for (const release of data.releases) {
    const v = semver.parse(release.version);
    if (v === null) continue;
    const fields = [v.major, v.minor, v.patch];
    if (!parts.every((p, i) => fields[i] === p)) continue;
    if (best === null || semver.gt(release.version, best.version)) best = release;
  }
  return best;
}

export function findRelease(data: NodeReleaseData, version: string): NodeRelease | null {
  return data.releases.find((r) => r.version === version) ?? null;
}

/** Majors that have at least one release in the data, newest first. */
export function releasedMajors(data: NodeReleaseData): number[] {
  const majors = new Set(data.releases.map((r) => semver.major(r.version)));
  return [...majors].sort((a, b) => b - a);
}

/**
 * The line `node:lts` means on `today`: the newest released major whose LTS start date has passed.
 * Dates compare as YYYY-MM-DD strings, so no clock or time zone is involved.
 */
export function ltsMajor(data: NodeReleaseData, today: string): number | null {
  for (const major of releasedMajors(data)) {
    const start = data.lts[String(major)];
    if (start !== undefined && start <= today) return major;
  }
  return null;
}

/** The line `node:current` means: the newest major with a release. */
export function currentMajor(data: NodeReleaseData): number | null {
  return releasedMajors(data)[0] ?? null;
}

/** Today as YYYY-MM-DD, for `node:lts` (NATIVE_GUARD_TODAY pins it for reproducible output). */
export const today = (env: Record<string, string | undefined>): string =>
  env.NATIVE_GUARD_TODAY && /^\d{4}-\d{2}-\d{2}$/.test(env.NATIVE_GUARD_TODAY)
    ? env.NATIVE_GUARD_TODAY
    : new Date().toISOString().slice(0, 10);
