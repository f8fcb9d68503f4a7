import semver from 'semver';
import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { ChainLink, PredictContext } from '../model/prediction.js';
import { linuxGypLibraries } from './gyp-libraries.js';
import { linuxGypPkgConfigModules } from './gyp-flags.js';

/**
 * What can still break a source build on this machine when python3, make and g++ are present: node-gyp
 * downloading Node's headers (offline installs fail), and gyp before node-gyp 10 importing distutils,
 * which Python 3.12 removed. Only the host has these details.
 */
export function hostSourceBuildFindings(
  ctx: PredictContext,
  link: Extract<ChainLink, { strategy: 'source-build' }>,
): Finding[] {
  const { target, native } = ctx;
  const details = target.toolchain.details;
  if (!target.isHost || !details || link.builder === 'cmake-js' || link.builder === 'cmake-ts') return [];
  const where = { package: native.pkg.id, location: native.pkg.location, target: target.id };
  const out: Finding[] = [];

  const headers = details.headers;
  if (!headers || headers.source === 'beside-node') {
    out.push(
      makeFinding('NODE_HEADERS_UNAVAILABLE', where, {
        nodeVersion: target.version,
        besideNode: headers?.source === 'beside-node' ? headers.path : null,
      }),
    );
  }

  // npm puts a package's own node_modules/.bin first on PATH: its node-gyp dependency wins over npm's
  const own = ctx.resolvePlatformCandidate('node-gyp', '*');
  const nodeGypVersion =
    own.source === 'installed'
      ? own.record.version
      : own.source === 'lockfile'
        ? own.entry.version
        : (details.nodeGyp?.version ?? null);
  const pythonVersion = details.python?.version ?? null;
  const py = pythonVersion ? semver.coerce(pythonVersion) : null;
  const gyp = nodeGypVersion ? semver.coerce(nodeGypVersion) : null;
  if (py && gyp && semver.gte(py, '3.12.0') && gyp.major < 10) {
    out.push(
      makeFinding('PYTHON_DISTUTILS_MISSING', where, {
        python: details.python?.path ?? null,
        pythonVersion,
        nodeGyp: nodeGypVersion,
      }),
    );
  }
  // `-lfoo` in binding.gyp links libfoo.so or libfoo.a from the system: without it (a -dev package
  // not installed) the build fails, and usually at its first #include already
  const text = target.platform === 'linux' ? ctx.files.readText('binding.gyp', 256 * 1024) : null;
  if (text && target.systemLibraries) {
    const libs = linuxGypLibraries(text);
    const have = new Set(target.systemLibraries);
    const missing = (libs ?? []).filter((l) => !have.has(`lib${l}.so`) && !have.has(`lib${l}.a`));
    if (missing.length)
      out.push(makeFinding('BUILD_LIBRARY_MISSING', where, { libraries: missing, file: 'binding.gyp' }));
  }
  // `<!@(pkg-config x11 xkbfile --libs)`: gyp runs it while loading binding.gyp, and pkg-config fails
  // for a module whose .pc file (shipped by its -dev package, with the headers) is not there
  if (text && target.pkgConfigModules) {
    const have = new Set(target.pkgConfigModules);
    const missing = (linuxGypPkgConfigModules(text) ?? []).filter((m) => !have.has(m));
    if (missing.length)
      out.push(makeFinding('BUILD_PKG_CONFIG_MISSING', where, { modules: missing, file: 'binding.gyp' }));
  }
  return out;
}
