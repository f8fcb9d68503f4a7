import { existsSync } from 'node:fs';
import { dirname, join as joinPath, posix } from 'node:path';
import type { RuntimeLoader } from '../model/load.js';
import type { PackageRecord, PackageFiles } from '../model/package.js';
import { planFor } from './download-link.js';
import { NODE_PRE_GYP_PACKAGES } from './download/node-pre-gyp-forks.js';
import { pickPrebuild, predictNodeGypBuild } from './node-gyp-build.js';
import { predictNamedBinaries } from './named-binaries.js';
import { predictPlatformPackages } from './platform-packages.js';
import { pkgPrebuildsCandidates, readPkgPrebuildsOptions } from './pkg-prebuilds.js';
import type { ChainLink, PredictContext } from '../model/prediction.js';

export type RuntimeBinary =
  | {
      kind: 'file';
      loader: RuntimeLoader;
      /** Absolute path of the `.node` the package will load. */
      path: string;
      /** `name@version` of the platform package holding it, when it is not the package's own file. */
      fromPackage: string | null;
    }
  | {
      kind: 'missing';
      loader: RuntimeLoader;
      /** Absolute path the loader would open, when it names one (node-pre-gyp's module_path). */
      expected: string | null;
      /** Absolute paths (or platform package names) the loader would try, in order. */
      tried: string[];
      /** node-gyp-build, pkg-prebuilds: the `prebuilds/` folders the package ships, none of them for this Node. */
      prebuilds?: string[];
    }
  /** No loader convention to mirror: only loading the package's entry point can tell. */
  | { kind: 'unknown' };

export interface RuntimeContext extends PredictContext {
  /** Absolute folder of the package. */
  dir: string;
  /** Absolute folder of an installed record (a platform package). */
  folderOf(record: PackageRecord): string;
  /** Files of any folder: node-gyp-build's `<NAME>_PREBUILD` override and the Node binary's folder. */
  filesAt(dir: string): PackageFiles;
  /** Path of the Node that will load the binaries (node-gyp-build also looks beside it). */
  execPath: string;
}

const join = posix.join;
/** Absolute file-system paths use the platform's separators. */
const abs = (dir: string, rel: string) => joinPath(dir, ...rel.split('/'));
const depends = (pkg: PackageRecord, name: string) =>
  name in pkg.manifest.dependencies || name in pkg.manifest.optionalDependencies;

/** The first `.node` in a folder in readdir order (which libuv sorts), as node-gyp-build's getFirst. */
function firstNode(files: PackageFiles, dir: string): string | null {
  const hit = (files.list(dir) ?? []).find((e) => e.name.endsWith('.node'));
  return hit ? join(dir, hit.name) : null;
}

/**
 * node-gyp-build's `load.resolve(dir)` at run time: `<NAME>_PREBUILD`, build/Release, build/Debug
 * (unless PREBUILDS_ONLY), the best prebuild for the Node, then prebuilds beside the Node binary.
 * node-gyp-build-optional-packages looks in its platform package after the bundled prebuilds.
 */
export function resolveNodeGypBuild(ctx: RuntimeContext, optionalPackages: boolean): RuntimeBinary {
  const name = ctx.native.pkg.name.toUpperCase().replace(/-/g, '_');
  const override = ctx.env[`${name}_PREBUILD`];
  const dir = override ? override : ctx.dir;
  const files = override ? ctx.filesAt(override) : ctx.files;
  const tried: string[] = [];
  if (!ctx.env.PREBUILDS_ONLY) {
    for (const build of ['build/Release', 'build/Debug']) {
      tried.push(abs(dir, build));
      const file = firstNode(files, build);
      if (file) return { kind: 'file', loader: 'node-gyp-build', path: abs(dir, file), fromPackage: null };
    }
  }
  if (override) {
    const pick = pickPrebuild(files, '', ctx.target);
    tried.push(abs(dir, 'prebuilds'));
    if (pick.file)
      return { kind: 'file', loader: 'node-gyp-build', path: abs(dir, pick.file), fromPackage: null };
  } else {
    // check's prediction is node-gyp-build's prebuild matching (with optional packages) for the target
    const predicted = predictNodeGypBuild(ctx, optionalPackages);
    tried.push(abs(dir, 'prebuilds'));
    if (predicted.kind === 'binary' && predicted.binary) {
      if (!predicted.fromPackage) {
        return {
          kind: 'file',
          loader: 'node-gyp-build',
          path: abs(dir, predicted.binary),
          fromPackage: null,
        };
      }
      const location = predicted.evidence.find((e) => e.kind === 'platform-package')?.location;
      const holder = location ? recordAt(ctx, location) : null;
      if (holder) {
        return {
          kind: 'file',
          loader: 'node-gyp-build',
          path: abs(ctx.folderOf(holder), predicted.binary),
          fromPackage: holder.id,
        };
      }
    }
  }
  const nodeDir = dirname(ctx.execPath);
  const nearby = pickPrebuild(ctx.filesAt(nodeDir), '', ctx.target);
  tried.push(abs(nodeDir, 'prebuilds'));
  if (nearby.file)
    return { kind: 'file', loader: 'node-gyp-build', path: abs(nodeDir, nearby.file), fromPackage: null };
  const prebuilds = pickPrebuild(files, '', ctx.target).available;
  return { kind: 'missing', loader: 'node-gyp-build', expected: null, tried, prebuilds };
}

function recordAt(ctx: RuntimeContext, location: string): PackageRecord | null {
  const name = location.replace(/^.*node_modules\//, '');
  const cand = ctx.resolvePlatformCandidate(name, '*');
  return cand.source === 'installed' && cand.record.location === location ? cand.record : null;
}

/**
 * The `bindings` package's search list (bindings 1.5.0, `defaults.try`), relative to the module
 * root: the first of these that exists is what `require('bindings')(name)` loads.
 */
export const BINDINGS_TRY: readonly (readonly string[])[] = [
  ['module_root', 'build', 'bindings'],
  ['module_root', 'build', 'Debug', 'bindings'],
  ['module_root', 'build', 'Release', 'bindings'],
  ['module_root', 'out', 'Debug', 'bindings'],
  ['module_root', 'Debug', 'bindings'],
  ['module_root', 'out', 'Release', 'bindings'],
  ['module_root', 'Release', 'bindings'],
  ['module_root', 'build', 'default', 'bindings'],
  ['module_root', 'compiled', 'version', 'platform', 'arch', 'bindings'],
  ['module_root', 'addon-build', 'release', 'install-root', 'bindings'],
  ['module_root', 'addon-build', 'debug', 'install-root', 'bindings'],
  ['module_root', 'addon-build', 'default', 'install-root', 'bindings'],
  ['module_root', 'lib', 'binding', 'nodePreGyp', 'bindings'],
];

/** The paths, relative to the module root, that `bindings(name)` tries on the target Node, in order. */
export function bindingsSearchList(
  name: string,
  target: { version: string; abi: string; platform: string; arch: string },
  env: Record<string, string | undefined>,
): string[] {
  const file = name.endsWith('.node') ? name : `${name}.node`;
  const values: Record<string, string> = {
    bindings: file,
    compiled: env.NODE_BINDINGS_COMPILED_DIR || 'compiled',
    version: target.version,
    platform: target.platform,
    arch: target.arch,
    nodePreGyp: `node-v${target.abi}-${target.platform}-${target.arch}`,
  };
  return BINDINGS_TRY.map((parts) =>
    parts
      .slice(1)
      .map((p) => values[p] ?? p)
      .join('/'),
  );
}

/** `require('bindings')('name')` and `bindings({ bindings: 'name' })` in a package's own JavaScript. */
const BINDINGS_CALL =
  /require\(\s*['"]bindings['"]\s*\)\s*\(\s*(?:['"]([^'"]+)['"]|\{[^}]*?\bbindings\s*:\s*['"]([^'"]+)['"])/g;

/**
 * The names a package passes to `bindings`: read from its JavaScript (the entry point, then the
 * files at the top and in lib/ and src/), else binding.gyp's target names, else bindings' default.
 */
export function bindingsNames(files: PackageFiles, main: string | undefined): string[] {
  const names = new Set<string>();
  const scripts = new Set<string>();
  if (main) scripts.add(main.replace(/^\.\//, '').replace(/\/$/, '') + (main.endsWith('.js') ? '' : '.js'));
  for (const dir of ['', 'lib', 'src', 'dist']) {
    for (const e of files.list(dir) ?? []) {
      if (!e.dir && /\.(?:c?js)$/.test(e.name)) scripts.add(dir ? `${dir}/${e.name}` : e.name);
    }
  }
  let read = 0;
  for (const script of scripts) {
    if (++read > 40) break;
    const text = files.readText(script, 512 * 1024);
    if (!text) continue;
    for (const m of text.matchAll(BINDINGS_CALL)) names.add((m[1] ?? m[2])!);
  }
  if (names.size) return [...names];
  const gyp = files.readText('binding.gyp', 256 * 1024);
  if (gyp) {
    for (const m of gyp.matchAll(/['"]target_name['"]\s*:\s*['"]([^'"]+)['"]/g)) names.add(m[1]!);
  }
  return names.size ? [...names] : ['bindings'];
}

export function resolveBindings(ctx: RuntimeContext): RuntimeBinary[] {
  const names = bindingsNames(ctx.files, ctx.native.pkg.manifest.main);
  const out: RuntimeBinary[] = [];
  for (const name of names) {
    const list = bindingsSearchList(name, ctx.target, ctx.env);
    const hit = list.find((rel) => ctx.files.exists(rel));
    out.push(
      hit
        ? { kind: 'file', loader: 'bindings', path: abs(ctx.dir, hit), fromPackage: null }
        : {
            kind: 'missing',
            loader: 'bindings',
            expected: null,
            tried: list.map((rel) => abs(ctx.dir, rel)),
          },
    );
  }
  // a binding.gyp target that never got built is not what the app loads, if another name resolved
  const found = out.filter((r) => r.kind === 'file');
  return found.length ? found : out.slice(0, 1);
}

/**
 * pkg-prebuilds' `require('pkg-prebuilds/bindings')(dir, options)` on the verifying Node:
 * build/Debug/<name>.node, build/Release/<name>.node, then the prebuilds for each of the options'
 * Node-API versions. Unknown where the options file is not a literal (or has no napi_versions: the
 * loader throws), and the package's own code may pass other options: loading its entry point tells.
 */
export function resolvePkgPrebuilds(ctx: RuntimeContext, optionsFile: string): RuntimeBinary {
  const read = readPkgPrebuildsOptions(ctx.files, optionsFile);
  if (!read.ok || read.options.napiVersions === null) return { kind: 'unknown' };
  const { name } = read.options;
  const alpine = () => existsSync('/etc/alpine-release');
  const candidates = [
    `build/Debug/${name}.node`,
    `build/Release/${name}.node`,
    ...pkgPrebuildsCandidates(read.options, ctx.target, alpine),
  ];
  const hit = candidates.find((rel) => ctx.files.exists(rel));
  if (hit) return { kind: 'file', loader: 'pkg-prebuilds', path: abs(ctx.dir, hit), fromPackage: null };
  const prebuilds = (ctx.files.list('prebuilds') ?? []).filter((e) => e.dir).map((e) => e.name);
  return {
    kind: 'missing',
    loader: 'pkg-prebuilds',
    expected: null,
    tried: candidates.map((rel) => abs(ctx.dir, rel)),
    prebuilds,
  };
}

/** node-pre-gyp's `find()`: module_path/module_name.node evaluated for the verifying Node. */
export function resolveNodePreGyp(
  ctx: RuntimeContext,
  link: Extract<ChainLink, { strategy: 'node-pre-gyp' }>,
): RuntimeBinary {
  const plan = planFor(ctx, link);
  if (!plan.modulePath) return { kind: 'unknown' };
  const rel = posix.normalize(plan.modulePath.replace(/\\/g, '/')).replace(/^\.\//, '');
  const path = abs(ctx.dir, rel);
  return ctx.files.exists(rel)
    ? { kind: 'file', loader: 'node-pre-gyp', path, fromPackage: null }
    : { kind: 'missing', loader: 'node-pre-gyp', expected: path, tried: [path] };
}

/**
 * Every binary a native package will load when the app requires it, on the verifying Node. The
 * loader the package calls at run time decides, whatever fetched or built the file at install.
 */
export function resolveRuntimeBinaries(ctx: RuntimeContext): RuntimeBinary[] {
  const { native } = ctx;
  const pkg = native.pkg;
  const link = <S extends ChainLink['strategy']>(s: S) =>
    native.chain.find((l): l is Extract<ChainLink, { strategy: S }> => l.strategy === s);

  const platform = link('platform-packages');
  if (platform) {
    const result = predictPlatformPackages(ctx, platform.candidates);
    if (result.kind === 'binary' && result.binary) {
      const holder = result.evidence.find(
        (e) => e.kind === 'platform-package' && e.source === 'installed' && e.binary === result.binary,
      );
      const record =
        holder?.kind === 'platform-package' && holder.location ? recordAt(ctx, holder.location) : null;
      if (record) {
        return [
          {
            kind: 'file',
            loader: 'platform-package',
            path: abs(ctx.folderOf(record), result.binary),
            fromPackage: record.id,
          },
        ];
      }
    }
    if (result.kind === 'miss') {
      return [{ kind: 'missing', loader: 'platform-package', expected: null, tried: platform.candidates }];
    }
    // a platform package without a `.node` (esbuild's executables): the entry point tells
    return [{ kind: 'unknown' }];
  }

  const pkgPrebuilds = link('pkg-prebuilds');
  if (pkgPrebuilds?.options || depends(pkg, 'pkg-prebuilds')) {
    const resolved = resolvePkgPrebuilds(ctx, pkgPrebuilds?.options ?? 'binding-options.js');
    return [resolved];
  }

  const ngb = link('node-gyp-build');
  const optionalPackages = depends(pkg, 'node-gyp-build-optional-packages');
  if (ngb || depends(pkg, 'node-gyp-build') || optionalPackages) {
    return [resolveNodeGypBuild(ctx, ngb?.optionalPackages ?? optionalPackages)];
  }

  if (depends(pkg, 'bindings')) return resolveBindings(ctx);

  const preGyp = link('node-pre-gyp');
  const modulePath = pkg.manifest.binary?.module_path;
  if (preGyp || (typeof modulePath === 'string' && NODE_PRE_GYP_PACKAGES.some((n) => depends(pkg, n)))) {
    const resolved = resolveNodePreGyp(
      ctx,
      preGyp ?? { strategy: 'node-pre-gyp', args: ['install'], script: { event: 'install', text: '' } },
    );
    if (resolved.kind !== 'unknown') return [resolved];
  }

  const shipped = link('shipped-binary');
  // cmake-ts's loader requires its candidates in turn until one loads, require-addon asks
  // /etc/alpine-release: loading the entry point shows what they really load
  if (shipped?.loader?.kind === 'named') {
    // the package's own code picks by name; the file named for this Node is what it will load,
    // whether on require or (oracledb's Thick mode) on first use
    const pick = predictNamedBinaries(ctx, shipped.files);
    if (pick.kind === 'binary' && pick.binary) {
      return [{ kind: 'file', loader: 'shipped-binary', path: abs(ctx.dir, pick.binary), fromPackage: null }];
    }
    return [{ kind: 'unknown' }];
  }
  if (shipped?.loader) return [{ kind: 'unknown' }];
  if (shipped) {
    return shipped.files.map((f) => ({
      kind: 'file' as const,
      loader: 'shipped-binary' as const,
      path: abs(ctx.dir, f),
      fromPackage: null,
    }));
  }

  // a source build with a loader we don't know (`require('./build/Release/x.node')`)
  const built = firstNode(ctx.files, 'build/Release');
  if (built) return [{ kind: 'file', loader: 'build-output', path: abs(ctx.dir, built), fromPackage: null }];
  if (link('source-build') || ctx.files.exists('binding.gyp')) {
    // it compiles at install, and the build left nothing: failed, or skipped (--ignore-scripts)
    return [
      { kind: 'missing', loader: 'build-output', expected: null, tried: [abs(ctx.dir, 'build/Release')] },
    ];
  }
  return [{ kind: 'unknown' }];
}
