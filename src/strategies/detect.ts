import { constraintsOf, NATIVE_DEPENDENCIES } from '../model/package.js';
import { cmakeTsBuildDir } from './cmake-ts.js';
import { findNamedFamily } from './named-binaries.js';
import type { PackageRecord, PackageFiles, PlatformConstraints } from '../model/package.js';
import { scriptChain } from './script-chain.js';
import type { ChainLink, NativePackage, PlatformCandidate, ScriptRef } from '../model/prediction.js';

const INSTALL_EVENTS = ['preinstall', 'install', 'postinstall'] as const;

/** Platform-ish words in a package name, used only when no manifest or lockfile entry says os/cpu. */
const PLATFORM_NAME =
  /(?:^|[-/])(?:darwin|macos|linux|linuxmusl|win32|windows|freebsd|android|musl|gnu|msvc)(?:$|[-.])/;

export interface DetectContext {
  files: PackageFiles;
  resolvePlatformCandidate(name: string, spec: string): PlatformCandidate;
}

/** What describes a candidate (its manifest, lockfile entry or registry answer); null when nothing does. */
const describedBy = (c: PlatformCandidate): PlatformConstraints | null =>
  c.source === 'installed' || c.source === 'unavailable'
    ? c.record.manifest
    : c.source === 'lockfile'
      ? c.entry
      : c.source === 'registry'
        ? c.unlocked
        : null;

/**
 * Platform packages: optionalDependencies whose manifests carry os/cpu/libc, one per platform
 * (sharp's @img/*, esbuild's @esbuild/*, napi-rs packages). A single OS-only optional dependency
 * (chokidar's fsevents) is a package that merely works better somewhere, not a binary family.
 */
function platformCandidates(pkg: PackageRecord, ctx: DetectContext): string[] {
  const names = Object.keys(pkg.manifest.optionalDependencies);
  if (names.length < 2) return [];
  let constrained = 0;
  let unresolvedPlatformNamed = 0;
  const picked: string[] = [];
  for (const name of names) {
    const cand = ctx.resolvePlatformCandidate(name, pkg.manifest.optionalDependencies[name]!);
    const described = describedBy(cand);
    if (described && constraintsOf(described)) {
      constrained++;
      picked.push(name);
    } else if (!described && PLATFORM_NAME.test(name)) {
      unresolvedPlatformNamed++;
      picked.push(name);
    }
  }
  return constrained >= 2 || (constrained + unresolvedPlatformNamed >= 2 && unresolvedPlatformNamed > 0)
    ? picked
    : [];
}

/**
 * Every script of the package's own package.json (bounded read), for `npm run <x>`: the manifest
 * facts keep only the install phases.
 */
function allScripts(files: PackageFiles, phases: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const text = files.readText('package.json', 1024 * 1024);
  if (text !== null) {
    try {
      const scripts: unknown = (JSON.parse(text) as { scripts?: unknown } | null)?.scripts;
      if (scripts && typeof scripts === 'object' && !Array.isArray(scripts)) {
        for (const [k, v] of Object.entries(scripts)) if (typeof v === 'string') out[k] = v;
      }
    } catch {
      // a package.json that does not parse was reported when the tree was read
    }
  }
  for (const [k, v] of Object.entries(phases)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Reads the strategy chain of a package from its manifest, install scripts and top-level files.
 * Returns null for packages that have nothing to do with native binaries.
 */
export function detectNative(pkg: PackageRecord, ctx: DetectContext): NativePackage | null {
  const m = pkg.manifest;
  const entries = pkg.rootEntries ?? [];
  const has = (entry: string) => entries.includes(entry);
  const hasPrebuilds = has('prebuilds/');
  // npm globs `*.gyp`, which matches a folder too: it runs `node-gyp rebuild` either way
  const hasBindingGyp = has('binding.gyp') || has('binding.gyp/');
  const shippedNode = entries.filter((e) => e.endsWith('.node'));
  const depNames = [...Object.keys(m.dependencies), ...Object.keys(m.optionalDependencies)];
  const nativeDeps = depNames.some((d) => NATIVE_DEPENDENCIES.has(d));
  const hinted =
    nativeDeps || hasPrebuilds || hasBindingGyp || m.gypfile === true || !!m.binary || shippedNode.length > 0;
  // binaries for many platforms told apart by name (sentry's profiler, oracledb, deasync, farmhash,
  // aws-crt): looked for only where something already hints at a binary, a build/ folder ships in
  // the package, it has an install script, or it asks detect-libc which libc it runs on
  const looksPerPlatform =
    hinted ||
    has('build/') ||
    depNames.includes('detect-libc') ||
    INSTALL_EVENTS.some((e) => (m.scripts[e] ?? '').trim() !== '');
  const family =
    looksPerPlatform && !hasPrebuilds && !depNames.includes('cmake-ts') ? findNamedFamily(ctx.files) : [];
  const nativeHint = hinted || family.length > 0;

  const scripts: ScriptRef[] = [];
  for (const event of INSTALL_EVENTS) {
    const text = m.scripts[event];
    if (text !== undefined && text.trim() !== '') scripts.push({ event, text });
  }

  const chain: ChainLink[] = [];
  const platform = platformCandidates(pkg, ctx);
  if (family.length && !platform.length) {
    chain.push({ strategy: 'shipped-binary', files: family, loader: { kind: 'named' } });
  }
  // cmake-ts (zeromq 6): the builds ship in the tarball and its loader picks one through a manifest
  const usesCmakeTs = depNames.includes('cmake-ts');
  if (usesCmakeTs) {
    const dir = cmakeTsBuildDir(ctx.files);
    if (ctx.files.exists(`${dir}/manifest.json`))
      chain.push({ strategy: 'shipped-binary', files: [], loader: { kind: 'cmake-ts', dir } });
  }
  const usesOptionalPackagesLoader = depNames.includes('node-gyp-build-optional-packages');
  if (platform.length && !usesOptionalPackagesLoader) {
    chain.push({ strategy: 'platform-packages', candidates: platform });
  }

  // npm runs `node-gyp rebuild` itself for a package with a binding.gyp and no install/preinstall
  // script, unless the manifest says `"gypfile": false`.
  const implicitBuild =
    hasBindingGyp &&
    m.gypfile !== false &&
    m.scripts.install === undefined &&
    m.scripts.preinstall === undefined;
  const fromScript = scriptChain(
    scripts,
    {
      files: ctx.files,
      scripts: allScripts(ctx.files, m.scripts),
      binaryField: !!m.binary,
      usesCmakeTs,
      nativeHint: nativeHint || platform.length > 0,
    },
    implicitBuild,
  );
  // an install script not understood matters only where something says the package is native
  if (fromScript.recognised || nativeHint || platform.length) chain.push(...fromScript.links);

  if (implicitBuild) {
    chain.push({ strategy: 'source-build', builder: 'implicit-node-gyp', script: null });
  }

  // require-addon (sodium-native 4): `prebuilds/<platform>-<arch>[-musl]/<name>.node`, no install step
  if (
    hasPrebuilds &&
    depNames.includes('require-addon') &&
    !chain.some((l) => l.strategy === 'node-gyp-build')
  ) {
    chain.unshift({ strategy: 'shipped-binary', files: [], loader: { kind: 'require-addon' } });
  }

  // pkg-prebuilds with nothing run at install: its run-time loader picks the shipped prebuild named
  // by the options file the package passes it, by convention binding-options.js
  if (
    hasPrebuilds &&
    depNames.includes('pkg-prebuilds') &&
    !chain.some((l) => l.strategy === 'pkg-prebuilds' || l.strategy === 'source-build') &&
    ctx.files.exists('binding-options.js')
  ) {
    chain.unshift({ strategy: 'pkg-prebuilds', options: 'binding-options.js', script: null });
  }

  const fromScripts = chain.some((l) => l.strategy !== 'platform-packages');
  if (!chain.some((l) => l.strategy === 'node-gyp-build') && (hasPrebuilds || usesOptionalPackagesLoader)) {
    const loader = depNames.includes('node-gyp-build') || usesOptionalPackagesLoader;
    if (loader) {
      // no install script: the loader picks a bundled prebuild at run time, with no build to fall back on
      chain.unshift({
        strategy: 'node-gyp-build',
        optionalPackages: usesOptionalPackagesLoader,
        script: null,
      });
    }
  }

  if (!fromScripts && !chain.length && shippedNode.length) {
    chain.push({ strategy: 'shipped-binary', files: shippedNode });
  } else if (!chain.length && m.main?.endsWith('.node')) {
    chain.push({ strategy: 'shipped-binary', files: [m.main.replace(/^\.\//, '')] });
  }

  if (!chain.length) return null;
  return { pkg, chain, scripts };
}

/** Strategy names of a chain, in order, each once. */
export function strategyNames(native: NativePackage): string[] {
  const out: string[] = [];
  for (const link of native.chain) if (!out.includes(link.strategy)) out.push(link.strategy);
  return out;
}
