import type { BinaryFacts } from '../model/binary.js';
import { npmWouldInstall } from '../targets/npm-install.js';
import { findNamedFamily, parseNameTuple, tupleFit } from './named-binaries.js';
import type { PlatformConstraints } from '../targets/npm-install.js';
import type { Target } from '../model/target.js';
import type { PackageRecord, PackageFiles } from '../model/package.js';
import type { Evidence, LinkResult, PlatformCandidate, PredictContext } from '../model/prediction.js';

export const candidateConstraints = (c: PlatformCandidate): PlatformConstraints | null =>
  c.source === 'installed' || c.source === 'unavailable'
    ? { os: c.record.manifest.os, cpu: c.record.manifest.cpu, libc: c.record.manifest.libc }
    : c.source === 'lockfile'
      ? { os: c.entry.os, cpu: c.entry.cpu, libc: c.entry.libc }
      : c.source === 'registry'
        ? { os: c.unlocked.os, cpu: c.unlocked.cpu, libc: c.unlocked.libc }
        : null;

const PLATFORM_WORDS: Record<string, string> = {
  linux: 'linux',
  linuxmusl: 'linux',
  darwin: 'darwin',
  macos: 'darwin',
  win32: 'win32',
  windows: 'win32',
  freebsd: 'freebsd',
  android: 'android',
};
const ARCH_WORDS: Record<string, string> = {
  x64: 'x64',
  amd64: 'x64',
  x86_64: 'x64',
  arm64: 'arm64',
  aarch64: 'arm64',
  arm: 'arm',
  armv7: 'arm',
  ia32: 'ia32',
  x86: 'ia32',
  s390x: 's390x',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/**
 * Whether a package name reads like the target's platform package (`@img/sharp-linuxmusl-x64`,
 * `@rollup/rollup-linux-x64-musl`). Only ever evidence, when its manifest can't be had: naming
 * conventions differ, the manifest's os/cpu/libc are what npm acts on.
 */
export function nameLooksLikeTarget(name: string, target: Target): boolean {
  const words = name.toLowerCase().split(/[-/@._]+/);
  let platform: string | null = null;
  let arch: string | null = null;
  let libc: string | null = null;
  for (const w of words) {
    if (PLATFORM_WORDS[w]) platform ??= PLATFORM_WORDS[w];
    if (w === 'linuxmusl') libc = 'musl';
    if (ARCH_WORDS[w]) arch ??= ARCH_WORDS[w];
    if (/^musl/.test(w)) libc = 'musl';
    if (/^(?:gnu|glibc)/.test(w)) libc ??= 'glibc';
  }
  if (platform !== target.platform || arch !== target.arch) return false;
  return libc === null || target.platform !== 'linux' || libc === (target.libc ?? 'glibc');
}

/**
 * The `.node` of a package for the target: its `main` when that is one; else, when the package
 * holds builds told apart by folder or file name (@koromix/koffi-linux-x64's `linux_x64/` and
 * `musl_x64/` side by side, no `libc` field, chosen by koffi's own JS), the one named for the
 * target; else the first found by a shallow search.
 */
export function findNodeFile(files: PackageFiles, record: PackageRecord, target?: Target): string | null {
  const main = record.manifest.main?.replace(/^\.\//, '');
  if (main?.endsWith('.node') && files.exists(main)) return main;
  if (target) {
    let best: { file: string; score: number } | null = null;
    for (const file of findNamedFamily(files)) {
      const t = parseNameTuple(file);
      const score = t ? tupleFit(t, target) : null;
      if (score !== null && (!best || score > best.score)) best = { file, score };
    }
    if (best) return best.file;
  }
  const queue = [''];
  // platform packages keep their binary at the top or one or two folders down (lib/, bin/, build/Release/)
  for (let depth = 0; depth < 3 && queue.length; depth++) {
    const next: string[] = [];
    for (const dir of queue) {
      const entries = files.list(dir) ?? [];
      const hit = entries.find((e) => !e.dir && e.name.endsWith('.node'));
      if (hit) return dir ? `${dir}/${hit.name}` : hit.name;
      for (const e of entries)
        if (e.dir && e.name !== 'node_modules') next.push(dir ? `${dir}/${e.name}` : e.name);
    }
    queue.splice(0, queue.length, ...next);
  }
  return null;
}

/**
 * Which of the parent's platform packages npm would install on the target, and where its binary
 * is. Installed records answer for this machine; lockfile entries (every platform's, with
 * os/cpu/libc) answer for the others.
 */
export function predictPlatformPackages(ctx: PredictContext, names: string[]): LinkResult {
  const manifest = ctx.native.pkg.manifest;
  const matched: Evidence[] = [];
  const unmatched: Array<{ name: string; os?: string[]; cpu?: string[]; libc?: string[] }> = [];
  const unresolved: string[] = [];
  let binary: string | null = null;
  let facts: BinaryFacts | null = null;
  let fromPackage: string | undefined;
  let installedMatch = false;
  let notInstalled: Evidence | null = null;
  const notInLockfile: Evidence[] = [];
  const unavailable: Evidence[] = [];

  for (const name of names) {
    const cand = ctx.resolvePlatformCandidate(name, manifest.optionalDependencies[name] ?? '*');
    const c = candidateConstraints(cand);
    if (!c) {
      unresolved.push(name);
      continue;
    }
    if (!npmWouldInstall(c, ctx.target)) {
      unmatched.push({ name, ...c });
      continue;
    }
    if (cand.source === 'registry') {
      // the target needs it, and `npm ci` installs only what the lockfile lists
      notInLockfile.push({
        kind: 'platform-package-not-in-lockfile',
        name,
        version: cand.unlocked.version,
        ...c,
        listedInLockfile: cand.unlocked.listedInLockfile,
      });
      continue;
    }
    if (cand.source === 'unavailable') {
      unavailable.push({
        kind: 'manifest-unavailable',
        name,
        version: cand.record.version,
        code: cand.record.unavailable?.code ?? 'EFETCH',
      });
      continue;
    }
    if (cand.source === 'installed') {
      installedMatch = true;
      const files = ctx.filesOf(cand.record);
      const file = findNodeFile(files, cand.record, ctx.target);
      matched.push({
        kind: 'platform-package',
        name,
        version: cand.record.version,
        location: cand.record.location,
        source: 'installed',
        ...c,
        binary: file,
      });
      if (file && !binary) {
        binary = file;
        facts = files.facts(file);
        fromPackage = cand.record.id;
      }
    } else if (cand.source === 'lockfile') {
      matched.push({
        kind: 'platform-package',
        name,
        version: cand.entry.version,
        location: cand.entry.location,
        source: 'lockfile',
        ...c,
        binary: null,
      });
      fromPackage ??= `${name}@${cand.entry.version ?? '*'}`;
      if (ctx.target.isHost && ctx.native.pkg.installed) {
        // npm should have installed it on this machine: the tree is not what `npm ci` gives
        notInstalled = { kind: 'platform-package-not-installed', name, location: cand.entry.location };
      }
    }
  }

  if (notInLockfile.length) {
    return { kind: 'miss', strategy: 'platform-packages', evidence: [...matched, ...notInLockfile] };
  }
  if (unavailable.length) {
    // what the package the target needs holds is unknown: no guess
    return {
      kind: 'unknown',
      strategy: 'platform-packages',
      reason: 'unresolved',
      evidence: [...matched, ...unavailable],
    };
  }
  if (matched.length) {
    const evidence = notInstalled && !installedMatch ? [...matched, notInstalled] : matched;
    if (notInstalled && !installedMatch) {
      return { kind: 'miss', strategy: 'platform-packages', evidence };
    }
    const result: LinkResult = { kind: 'binary', strategy: 'platform-packages', binary, facts, evidence };
    if (fromPackage) result.fromPackage = fromPackage;
    return result;
  }
  const evidence: Evidence[] = [];
  if (unmatched.length) evidence.push({ kind: 'platform-packages-unmatched', candidates: unmatched });
  if (unresolved.length) {
    evidence.push({ kind: 'platform-packages-unresolved', names: unresolved });
    for (const name of unresolved)
      if (nameLooksLikeTarget(name, ctx.target)) evidence.push({ kind: 'platform-package-name-hint', name });
    // an entry we know nothing about might be the one this target needs
    return { kind: 'unknown', strategy: 'platform-packages', reason: 'unresolved', evidence };
  }
  return { kind: 'miss', strategy: 'platform-packages', evidence };
}
