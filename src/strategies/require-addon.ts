import type { Target } from '../model/target.js';
import type { Evidence, LinkResult, PredictContext } from '../model/prediction.js';
import type { PackageFiles } from '../model/package.js';

/**
 * require-addon (Holepunch's packages: sodium-native 4, udx-native, rocksdb-native, …): no install
 * script; `require.addon('.', __filename)` resolves, through bare-addon-resolve, the package's own
 * `prebuilds/<host>/<name>@<version>.node`, then `prebuilds/<host>/<name>.node` (and the
 * `darwin-universal` folder on macOS). `<host>` is `<platform>-<arch>`, with `-musl` appended when
 * /etc/alpine-release exists; `<name>` is the package name with `/` as `__` and no `@`. A file that
 * is there but fails to load is an error, not a reason to look further; none there is
 * ADDON_NOT_FOUND. Nothing is built or downloaded at install.
 */

/** The `host` string require-addon computes on the target. */
export function requireAddonHost(target: Target, alpineRelease: () => boolean): string {
  const host = `${target.platform}-${target.arch}`;
  if (target.platform !== 'linux') return host;
  const musl = target.isHost ? alpineRelease() : target.libc === 'musl';
  return musl ? `${host}-musl` : host;
}

/** bare-addon-resolve's name for a package's prebuild: `@scope/name` → `scope__name`. */
export const requireAddonName = (packageName: string): string =>
  packageName.replace(/\//g, '__').replace(/^@/, '');

/** Package-relative paths the resolver tries, in its order. */
export function requireAddonCandidates(packageName: string, version: string, host: string): string[] {
  const name = requireAddonName(packageName);
  const parts = host.split('-');
  const universal =
    host === 'darwin-arm64' ||
    host === 'darwin-x64' ||
    host === 'ios-arm64-simulator' ||
    host === 'ios-x64-simulator'
      ? [parts[0], 'universal', ...parts.slice(2)].join('-')
      : null;
  const out: string[] = [];
  const add = (base: string) => {
    out.push(`prebuilds/${host}/${base}.node`);
    if (universal) out.push(`prebuilds/${universal}/${base}.node`);
  };
  if (version) add(`${name}@${version}`);
  add(name);
  return out;
}

/** The `prebuilds/` folders a package ships, for the evidence. */
function available(files: PackageFiles): string[] {
  return (files.list('prebuilds') ?? []).filter((e) => e.dir).map((e) => e.name);
}

export function predictRequireAddon(ctx: PredictContext, alpineRelease: () => boolean): LinkResult {
  const { files, target } = ctx;
  const pkg = ctx.native.pkg;
  const host = requireAddonHost(target, alpineRelease);
  const tried = requireAddonCandidates(pkg.name, pkg.version, host);
  const file = tried.find((f) => files.exists(f)) ?? null;
  const evidence: Evidence[] = [{ kind: 'addon-lookup', loader: 'require-addon', host, tried }];
  if (file) {
    evidence.push({ kind: 'prebuild-match', file, dir: `prebuilds/${host}` });
    return { kind: 'binary', strategy: 'shipped-binary', binary: file, facts: files.facts(file), evidence };
  }
  evidence.push({ kind: 'prebuilds-none-for-target', available: available(files) });
  return { kind: 'miss', strategy: 'shipped-binary', evidence };
}
