import { checkFactsAgainstTarget } from '../binary/compat.js';
import type { Target } from '../model/target.js';
import type { Evidence, LinkResult, PredictContext } from '../model/prediction.js';
import type { PackageFiles } from '../model/package.js';

/**
 * cmake-ts (zeromq 6 and others): the package ships its builds under `build/` with a
 * `build/manifest.json` whose keys are the build configurations as JSON (`os`, `arch`, `libc`,
 * `abi`, `runtime`, …) and whose values are the `.node` paths relative to `build/`. At run time
 * `cmake-ts/build/loader`'s `loadAddon(buildDir)` keeps the entries whose os, arch and libc equal
 * the running process's, sorts them by `abi`, highest first, and requires each in turn until one
 * loads. Its libc is `musl` when /etc/alpine-release exists on Linux, else `glibc`; `libc` on
 * macOS, `msvc` on Windows.
 */
export interface CmakeTsEntry {
  /** Package-relative path of the `.node`. */
  file: string;
  os: string | null;
  arch: string | null;
  libc: string | null;
  abi: number | null;
  runtime: string | null;
}

/** The folder cmake-ts builds into: `cmake-ts.targetDirectory` in package.json, default `build`. */
export function cmakeTsBuildDir(files: PackageFiles): string {
  let dir: unknown;
  try {
    const pkg = JSON.parse(files.readText('package.json', 1024 * 1024) ?? '{}') as Record<string, unknown>;
    const cfg = pkg['cmake-ts'];
    if (cfg && typeof cfg === 'object' && !Array.isArray(cfg))
      dir = (cfg as Record<string, unknown>).targetDirectory;
  } catch {
    dir = undefined;
  }
  return typeof dir === 'string' && dir.trim() && !dir.split('/').includes('..') && !dir.startsWith('/')
    ? dir.replace(/^\.\//, '').replace(/\/+$/, '')
    : 'build';
}

const MAX_MANIFEST = 1024 * 1024;

/** Entries of `<buildDir>/manifest.json`, in the file's order; null when absent or unreadable. */
export function readCmakeTsManifest(files: PackageFiles, buildDir: string): CmakeTsEntry[] | null {
  const text = files.readText(`${buildDir}/manifest.json`, MAX_MANIFEST);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const out: CmakeTsEntry[] = [];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    let cfg: Record<string, unknown>;
    try {
      const c: unknown = JSON.parse(key);
      if (!c || typeof c !== 'object' || Array.isArray(c)) continue;
      cfg = c as Record<string, unknown>;
    } catch {
      // the loader warns and skips a key it cannot parse
      continue;
    }
    const str = (k: string) => (typeof cfg[k] === 'string' ? (cfg[k] as string) : null);
    const rel = value.replace(/\\/g, '/').replace(/^\.\//, '');
    if (rel.startsWith('/') || rel.split('/').includes('..')) continue;
    out.push({
      file: `${buildDir}/${rel}`,
      os: str('os'),
      arch: str('arch'),
      libc: str('libc'),
      abi: typeof cfg.abi === 'number' ? cfg.abi : null,
      runtime: str('runtime'),
    });
  }
  return out;
}

/** The libc name cmake-ts's loader computes on the target. */
export function cmakeTsLibc(target: Target, alpineRelease: () => boolean): string {
  switch (target.platform) {
    case 'linux':
      // it asks /etc/alpine-release, not the C library: on the host, ask the same file
      if (target.isHost) return alpineRelease() ? 'musl' : 'glibc';
      return target.libc === 'musl' ? 'musl' : 'glibc';
    case 'darwin':
      return 'libc';
    case 'win32':
      return 'msvc';
    default:
      return 'unknown';
  }
}

/** The loader's candidates for a target, in the order it tries them. */
export function cmakeTsCandidates(entries: CmakeTsEntry[], target: Target, libc: string): CmakeTsEntry[] {
  return entries
    .filter((e) => e.os === target.platform && e.arch === target.arch && e.libc === libc)
    .sort((a, b) => (b.abi ?? 0) - (a.abi ?? 0));
}

/**
 * What cmake-ts's loader would load on the target: the first candidate, in its order, whose binary
 * facts show nothing that stops it loading there (it requires each in turn until one loads).
 */
export function predictCmakeTs(
  ctx: PredictContext,
  manifestDir: string,
  alpineRelease: () => boolean,
): LinkResult {
  const { files, target } = ctx;
  const entries = readCmakeTsManifest(files, manifestDir);
  const manifestFile = `${manifestDir}/manifest.json`;
  if (!entries) {
    return {
      kind: 'miss',
      strategy: 'shipped-binary',
      evidence: [{ kind: 'cmake-ts-manifest', file: manifestFile, libc: null, candidates: [], rejected: [] }],
    };
  }
  const libc = cmakeTsLibc(target, alpineRelease);
  const candidates = cmakeTsCandidates(entries, target, libc);
  const rejected: Array<{ file: string; reason: string }> = [];
  for (const c of candidates) {
    const facts = files.facts(c.file);
    if (!facts) {
      rejected.push({ file: c.file, reason: 'missing' });
      continue;
    }
    const mismatches =
      facts.format === null ? [{ code: 'INVALID_BINARY' }] : checkFactsAgainstTarget(facts, target);
    if (mismatches.length) {
      rejected.push({ file: c.file, reason: mismatches.map((m) => m.code).join('+') });
      continue;
    }
    const evidence: Evidence[] = [
      {
        kind: 'cmake-ts-manifest',
        file: manifestFile,
        libc,
        candidates: candidates.map((x) => x.file),
        rejected,
      },
      { kind: 'prebuild-match', file: c.file, dir: manifestDir },
    ];
    return { kind: 'binary', strategy: 'shipped-binary', binary: c.file, facts, evidence };
  }
  return {
    kind: 'miss',
    strategy: 'shipped-binary',
    evidence: [
      {
        kind: 'cmake-ts-manifest',
        file: manifestFile,
        libc,
        candidates: candidates.map((x) => x.file),
        rejected,
      },
    ],
  };
}
