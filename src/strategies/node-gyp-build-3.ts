import semver from 'semver';
import type { Target } from '../model/target.js';
import type { PredictContext } from '../model/prediction.js';
import type { PackageFiles } from '../model/package.js';

/**
 * node-gyp-build before 4.0 matched prebuilds by exact folder and file names, not by tags
 * (@datadog/native-metrics, native-appsec and native-iast-taint-tracking still depend on ^3.9.0 and
 * ship `prebuilds/linuxglibc-x64/node-napi.node`). Read from the published index.js of each release:
 *
 * - 3.0–3.2: folder `<platform>-<arch>`, file `<runtime>-<abi>.node` only;
 * - 3.3–3.7: the same folder, then `<runtime>-napi.node`, then `node-napi.node`;
 * - 3.8–3.9: folders `<platform>-<arch>` and `<platform><libc>-<arch>` (libc `musl` on Alpine, else
 *   `glibc`), each also with `-v<armv>` on arm and arm64 (armv `8` on arm64), most specific first.
 */
export function legacyVersion(ctx: PredictContext): string | null {
  const m = ctx.native.pkg.manifest;
  const range = m.dependencies['node-gyp-build'] ?? m.optionalDependencies['node-gyp-build'];
  if (range === undefined) return null;
  const cand = ctx.resolvePlatformCandidate('node-gyp-build', range);
  const resolved =
    cand.source === 'installed' || cand.source === 'unavailable'
      ? cand.record.version
      : cand.source === 'lockfile'
        ? cand.entry.version
        : cand.source === 'registry'
          ? cand.unlocked.version
          : null;
  // nothing resolved, or a copy that does not satisfy the range (so not the one npm would give
  // this package): the lowest version the range allows
  const fits = resolved && semver.valid(resolved) && semver.satisfies(resolved, range);
  const version = fits
    ? resolved
    : semver.validRange(range)
      ? (semver.minVersion(range)?.version ?? null)
      : null;
  return version && semver.major(version) < 4 ? version : null;
}

/** The `prebuilds/` folders node-gyp-build `version` (< 4) tries on the target, in its order. */
export function legacyFolders(version: string, target: Target): string[] {
  const { platform, arch } = target;
  const names = [`${platform}-${arch}`];
  if (semver.gte(version, '3.8.0')) {
    names.push(`${platform}${target.libc === 'musl' ? 'musl' : 'glibc'}-${arch}`);
    const armv = target.armv ?? (arch === 'arm64' ? '8' : '');
    if ((arch === 'arm' || arch === 'arm64') && armv) for (const n of [...names]) names.push(`${n}-v${armv}`);
  }
  return names.reverse();
}

/** The file node-gyp-build `version` (< 4) loads from `prebuilds/` on the target, or null. */
export function pickLegacyPrebuild(
  files: PackageFiles,
  version: string,
  target: Target,
): { file: string | null; dir: string | null; available: string[] } {
  const available = (files.list('prebuilds') ?? []).filter((e) => e.dir).map((e) => e.name);
  const wanted = [`${target.runtime}-${target.abi}.node`];
  if (semver.gte(version, '3.3.0')) wanted.push(`${target.runtime}-napi.node`, 'node-napi.node');
  for (const folder of legacyFolders(version, target)) {
    const dir = `prebuilds/${folder}`;
    const names = new Set((files.list(dir) ?? []).filter((e) => !e.dir).map((e) => e.name));
    const hit = wanted.find((w) => names.has(w));
    if (hit) return { file: `${dir}/${hit}`, dir, available };
  }
  return { file: null, dir: null, available };
}
