import { createRequire } from 'node:module';
import type { Target } from '../model/target.js';
import type { Evidence, LinkResult, PredictContext } from '../model/prediction.js';
import type { FileEntry, PackageFiles } from '../model/package.js';
import { legacyVersion, pickLegacyPrebuild } from './node-gyp-build-3.js';

interface Tags {
  file: string;
  specificity: number;
  runtime?: string;
  napi?: boolean;
  abi?: string;
  uv?: string;
  armv?: string;
  libc?: string;
}
interface Tuple {
  name: string;
  platform: string;
  architectures: string[];
}
interface NodeGypBuild {
  parseTags(file: string): Tags | undefined;
  parseTuple(name: string): Tuple | undefined;
  matchTuple(platform: string, arch: string): (t: Tuple | undefined) => boolean;
  compareTuples(a: Tuple, b: Tuple): number;
  compareTags(runtime: string): (a: Tags, b: Tags) => number;
}

let loaded: NodeGypBuild | undefined;
/**
 * node-gyp-build's own parsing and ordering, so prebuild matching is exactly its. Loaded lazily:
 * the module reads process.env and the filesystem (/etc/alpine-release) when it is first required.
 */
function ngb(): NodeGypBuild {
  loaded ??= createRequire(import.meta.url)('node-gyp-build/node-gyp-build.js') as NodeGypBuild;
  return loaded;
}

/**
 * node-gyp-build's matchTags, applied to a target instead of the running process: its exported
 * matchTags reads uv, armv and libc from the process that loaded it.
 */
function matchTags(target: Target) {
  const runtime = target.runtime;
  const libc = target.libc ?? 'glibc';
  return (tags: Tags | undefined): tags is Tags => {
    if (!tags) return false;
    const runtimeAgnostic = tags.runtime === 'node' && tags.napi;
    if (tags.runtime && tags.runtime !== runtime && !runtimeAgnostic) return false;
    if (tags.abi && tags.abi !== target.abi && !tags.napi) return false;
    if (tags.uv && tags.uv !== target.uv) return false;
    if (tags.armv && tags.armv !== (target.armv ?? '')) return false;
    if (tags.libc && tags.libc !== libc) return false;
    return true;
  };
}

export interface PrebuildPick {
  /** Package-relative path of the winner, or null. */
  file: string | null;
  dir: string | null;
  /** Tuples present under prebuilds/ (for the evidence when none matches). */
  available: string[];
  /** Files of the matching tuple that the tags ruled out. */
  rejected: string[];
}

/** node-gyp-build's `resolve(dir)` for a target: best tuple dir, then best-tagged file in it. */
export function pickPrebuild(files: PackageFiles, base: string, target: Target): PrebuildPick {
  const join = (a: string, b: string) => (a ? `${a}/${b}` : b);
  const prebuildsDir = join(base, 'prebuilds');
  const dirs = (files.list(prebuildsDir) ?? []).filter((e) => e.dir).map((e) => e.name);
  const lib = ngb();
  const tuple = dirs
    .map((d) => lib.parseTuple(d))
    .filter(lib.matchTuple(target.platform, target.arch))
    .filter((t): t is Tuple => !!t)
    .sort(lib.compareTuples)[0];
  if (!tuple) return { file: null, dir: null, available: dirs, rejected: [] };
  const dir = join(prebuildsDir, tuple.name);
  return { dir, available: dirs, ...pickTagged(files, dir, target) };
}

/** node-gyp-build's `resolveFile(dir)`: the best-tagged `.node` among a folder's files. */
export function pickTagged(
  files: PackageFiles,
  dir: string,
  target: Target,
): { file: string | null; rejected: string[] } {
  const lib = ngb();
  const entries: FileEntry[] = files.list(dir) ?? [];
  const parsed = entries.map((e) => lib.parseTags(e.name)).filter((t): t is Tags => !!t);
  const winner = parsed.filter(matchTags(target)).sort(lib.compareTags(target.runtime))[0];
  return {
    file: winner ? (dir ? `${dir}/${winner.file}` : winner.file) : null,
    rejected: winner ? [] : parsed.map((t) => t.file),
  };
}

/**
 * What node-gyp-build would load on the target after a fresh install. build/Release and build/Debug
 * come first in its search, but they only exist after a local compile; a fresh `npm ci` starts
 * without them, so they are noted and skipped.
 */
export function predictNodeGypBuild(ctx: PredictContext, optionalPackages: boolean): LinkResult {
  const { files, target } = ctx;
  const evidence: Evidence[] = [];
  for (const dir of ['build/Release', 'build/Debug']) {
    const built = (files.list(dir) ?? []).find((e) => !e.dir && e.name.endsWith('.node'));
    if (built) evidence.push({ kind: 'build-dir-ignored', file: `${dir}/${built.name}` });
  }
  // node-gyp-build 3.x (the version this package resolves) names its folders and files exactly
  const legacy = optionalPackages ? null : legacyVersion(ctx);
  const pick: PrebuildPick = legacy
    ? { ...pickLegacyPrebuild(files, legacy, target), rejected: [] }
    : pickPrebuild(files, '', target);
  if (pick.file) {
    evidence.push({ kind: 'prebuild-match', file: pick.file, dir: pick.dir! });
    return {
      kind: 'binary',
      strategy: 'node-gyp-build',
      binary: pick.file,
      facts: files.facts(pick.file),
      evidence,
    };
  }
  if (pick.dir) evidence.push({ kind: 'prebuild-tags-rejected', dir: pick.dir, files: pick.rejected });
  else evidence.push({ kind: 'prebuilds-none-for-target', available: pick.available });

  if (optionalPackages) {
    // node-gyp-build-optional-packages then looks in `@<name>/<name>-<platform>-<arch>`
    const name = ctx.native.pkg.name;
    const platformPackage = `${name.startsWith('@') ? '' : `@${name}/`}${name}-${target.platform}-${target.arch}`;
    const cand = ctx.resolvePlatformCandidate(platformPackage, '*');
    if (cand.source === 'installed') {
      const inner = ctx.filesOf(cand.record);
      const tagged = pickTagged(inner, '', target);
      const pkgEvidence: Evidence = {
        kind: 'platform-package',
        name: cand.record.name,
        version: cand.record.version,
        location: cand.record.location,
        source: 'installed',
        binary: tagged.file,
      };
      if (tagged.file) {
        return {
          kind: 'binary',
          strategy: 'node-gyp-build',
          binary: tagged.file,
          facts: inner.facts(tagged.file),
          fromPackage: cand.record.id,
          evidence: [...evidence, pkgEvidence],
        };
      }
      evidence.push(pkgEvidence, {
        kind: 'prebuild-tags-rejected',
        dir: cand.record.location,
        files: tagged.rejected,
      });
    } else if (cand.source === 'lockfile') {
      evidence.push({
        kind: 'platform-package',
        name: cand.entry.name,
        version: cand.entry.version,
        location: cand.entry.location,
        source: 'lockfile',
        binary: null,
      });
      // which file it holds (and for which libc) is only known from its tarball
      return { kind: 'unknown', strategy: 'node-gyp-build', reason: 'unresolved', evidence };
    } else if (cand.source === 'unavailable') {
      evidence.push({
        kind: 'manifest-unavailable',
        name: cand.record.name,
        version: cand.record.version,
        code: cand.record.unavailable?.code ?? 'EFETCH',
      });
      return { kind: 'unknown', strategy: 'node-gyp-build', reason: 'unresolved', evidence };
    } else if (cand.source === 'registry') {
      const u = cand.unlocked;
      evidence.push({
        kind: 'platform-package-not-in-lockfile',
        name: u.name,
        version: u.version,
        ...(u.os ? { os: u.os } : {}),
        ...(u.cpu ? { cpu: u.cpu } : {}),
        ...(u.libc ? { libc: u.libc } : {}),
        listedInLockfile: u.listedInLockfile,
      });
    } else {
      evidence.push({ kind: 'platform-packages-unresolved', names: [platformPackage] });
    }
  }
  return { kind: 'miss', strategy: 'node-gyp-build', evidence };
}
