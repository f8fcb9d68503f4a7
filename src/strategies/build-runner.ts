import semver from 'semver';
import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { PackageRecord } from '../model/package.js';
import type { ChainLink, NodeGypRunner, PredictContext } from '../model/prediction.js';

/**
 * `engines.node` of each node-gyp major, from the registry (`npm view node-gyp@<major> engines`):
 * what a node-gyp of a lockfile or another manager's lockfile (which need not record engines) runs on.
 */
export const NODE_GYP_ENGINES: Readonly<Record<number, string>> = {
  9: '^12.22 || ^14.13 || >=16',
  10: '^16.14.0 || >=18.0.0',
  11: '^18.17.0 || >=20.5.0',
  12: '^20.17.0 || >=22.9.0',
  13: '^22.22.2 || ^24.15.0 || >=26.0.0',
};

/**
 * The registry's `latest` node-gyp when this table was written: what `bun x node-gyp` fetches today
 * (a newer one can only need a newer Node). Update with NODE_GYP_ENGINES.
 */
export const LATEST_NODE_GYP = '13.1.0';

/** Whether a Node version is outside a range; false when the range cannot be read (nothing is claimed). */
function excludes(range: string, version: string): boolean {
  try {
    if (semver.validRange(range) === null) return false;
    return !semver.satisfies(version, range, { includePrerelease: true });
  } catch {
    return false;
  }
}

function enginesOf(version: string, engines: string | null): string | null {
  if (engines) return engines;
  const major = semver.coerce(version)?.major;
  return major === undefined ? null : (NODE_GYP_ENGINES[major] ?? null);
}

/** The node-gyp a package's own dependency or the project's top level provides, as the tree has it. */
function nodeGypFrom(ctx: PredictContext): { version: string; engines: string | null } | null {
  const found = ctx.resolvePlatformCandidate('node-gyp', '*');
  const record: PackageRecord | null =
    found.source === 'installed' || found.source === 'unavailable' ? found.record : null;
  if (record) return { version: record.version, engines: record.manifest.engines?.node ?? null };
  if (found.source === 'lockfile' && found.entry.version)
    return { version: found.entry.version, engines: null };
  return null;
}

/**
 * What decides a source build beyond the toolchain, on every target: the package's own
 * `engines.node`, and the node-gyp the project's package manager runs for it. npm, pnpm and Yarn 1
 * run the node-gyp they bundle (or npm's), which runs on the Node they run on. Yarn 2+ runs only a
 * node-gyp the package or the top-level workspace depends on (none: the build stops at "Couldn't find
 * a script name node-gyp"); Bun runs one on PATH, else `bun x node-gyp` (the registry's latest). A
 * node-gyp whose engines exclude the target's Node crashes when it downloads Node's headers (node-gyp 13
 * on Node 20: `Cannot read properties of undefined (reading 'bind')` in its undici); with headers on
 * disk (the host's nodedir or node-gyp cache) it builds. Images are taken to download them.
 */
export function buildRunnerFindings(
  ctx: PredictContext,
  link: Extract<ChainLink, { strategy: 'source-build' }>,
  runner: NodeGypRunner | undefined,
): Finding[] {
  const { target, native } = ctx;
  if (target.runtime !== 'node') return [];
  const where = { package: native.pkg.id, location: native.pkg.location, target: target.id };
  const out: Finding[] = [];
  const engines = native.pkg.manifest.engines?.node;
  if (engines && excludes(engines, target.version))
    out.push(makeFinding('ENGINES_EXCLUDE_NODE', where, { engines, nodeVersion: target.version }));

  if (!runner || (link.builder !== 'node-gyp' && link.builder !== 'implicit-node-gyp')) return out;
  const own = native.pkg.dependencies.some((d) => d.name === 'node-gyp');
  const local = nodeGypFrom(ctx);
  let gyp: { version: string; engines: string | null; source: 'package' | 'top-level' | 'latest' };
  if (runner.manager === 'yarn-berry') {
    // `node-gyp` is Yarn's wrapper for `yarn run --top-level node-gyp`, unless the package brings its own
    const pick = own && local ? local : runner.topLevel;
    if (!pick) {
      out.push(makeFinding('NODE_GYP_NOT_FOUND', where, { manager: runner.manager }));
      return out;
    }
    gyp = { ...pick, source: own && local ? 'package' : 'top-level' };
  } else {
    // Bun looks on PATH (the package's and the project's node_modules/.bin), else fetches the latest
    gyp = local
      ? { ...local, source: own ? 'package' : 'top-level' }
      : { version: LATEST_NODE_GYP, engines: null, source: 'latest' };
  }
  const range = enginesOf(gyp.version, gyp.engines);
  // measured: node-gyp 13 on Node 20 builds against local headers and crashes only in its header
  // download (undici). Headers are local only where the host's nodedir or node-gyp cache has them.
  const headers = target.toolchain.details?.headers;
  const downloadsHeaders = !target.isHost || !headers || headers.source === 'beside-node';
  if (range && downloadsHeaders && excludes(range, target.version))
    out.push(
      makeFinding('NODE_GYP_UNSUPPORTED_NODE', where, {
        manager: runner.manager,
        nodeGyp: gyp.version,
        source: gyp.source,
        engines: range,
        nodeVersion: target.version,
      }),
    );
  return out;
}
