// verify's plan, before anything loads: which file each package will load at run time (its
// loader's rules, for the verifying Node), and which other `.node` files are strays rather than
// prebuilds bundled for other platforms.
import { inspectFile } from '../binary/facts.js';
import { folderFiles } from '../io/files.js';
import type { FactsReader } from '../io/files.js';
import type { BinaryFacts } from '../model/binary.js';
import type { RuntimeLoader } from '../model/load.js';
import type { PackageFiles, PackageRecord, ProjectTree } from '../model/package.js';
import type { NativePackage, ScriptRef } from '../model/prediction.js';
import type { Target } from '../model/target.js';
import { cmakeTsBuildDir, readCmakeTsManifest } from '../strategies/cmake-ts.js';
import { detectNative } from '../strategies/detect.js';
import { parseNameTuple } from '../strategies/named-binaries.js';
import { classifyCommand, splitScript } from '../strategies/script.js';
import { resolveRuntimeBinaries } from '../strategies/runtime.js';
import type { RuntimeBinary, RuntimeContext } from '../strategies/runtime.js';
import { candidateResolver, platformPackageLocations } from '../strategies/tree-view.js';
import { NODE_ARCHES, NODE_PLATFORMS } from '../targets/index.js';

/** The root project, or an independent one below it, with its installed tree. */
export interface Project {
  rel: string;
  dir: string;
  tree: ProjectTree;
}

/** A binary verify will load, or a package whose binary it has to look for by loading its entry point. */
export interface Subject {
  project: Project;
  record: PackageRecord;
  resolvedBy: RuntimeLoader | 'stray';
  /** Absolute path, null when the package has no binary where it looks (or no known loader). */
  file: string | null;
  fromPackage: string | null;
  missing: {
    tried: string[];
    prebuilds: string[];
    /** The install script that lets the install end with no binary, when it does (see noBinaryAllowedBy). */
    allowedBy: ScriptRef | null;
  } | null;
}

/** A package (or project) folder whose `.node` files no package resolves to may be strays. */
export interface Owner {
  project: Project;
  record: PackageRecord;
  /** Folders below it that belong to another project or workspace, walked on their own. */
  exclude: Set<string>;
}

export interface PlanOptions {
  target: Target;
  env: Record<string, string | undefined>;
  execPath: string;
  readFacts: FactsReader;
}

/** What verify loads across the projects: every binary a package resolves to, and the folders to look for strays in. */
export function planProjects(
  projects: Project[],
  options: PlanOptions,
): { subjects: Subject[]; owners: Owner[] } {
  const subjects: Subject[] = [];
  const owners: Owner[] = [];
  for (const project of projects) {
    const nestedInside = projects
      .filter((p) => p !== project && (project.rel === '' || p.rel.startsWith(project.rel + '/')))
      .map((p) => (project.rel ? p.rel.slice(project.rel.length + 1) : p.rel));
    const { natives, scan } = nativePackagesOf(project.tree, options);
    for (const native of natives) subjects.push(...subjectsOf(project, native));
    for (const record of scan) {
      const exclude = new Set<string>();
      if (record.isRoot) {
        for (const p of nestedInside) exclude.add(p);
        for (const w of project.tree.packages)
          if (w.isWorkspace && !w.location.startsWith('..')) exclude.add(w.location);
      }
      owners.push({ project, record, exclude });
    }
  }
  return { subjects, owners };
}

function subjectsOf(project: Project, native: NativeInTree): Subject[] {
  return resolveRuntimeBinaries(native.ctx).map((b: RuntimeBinary) => ({
    project,
    record: native.native.pkg,
    resolvedBy: b.kind === 'unknown' ? 'entry-point' : b.loader,
    file: b.kind === 'file' ? b.path : null,
    fromPackage: b.kind === 'file' ? b.fromPackage : null,
    missing:
      b.kind === 'missing'
        ? { tried: b.tried, prebuilds: b.prebuilds ?? [], allowedBy: noBinaryAllowedBy(native.native) }
        : null,
  }));
}

/**
 * The install script whose author planned for an install with no binary: a `||` with a plain
 * `node <file>` on one side, as dtrace-provider's `node-gyp rebuild || node suppress-error.js` (the
 * build makes nothing off Solaris/macOS, and a failed build is swallowed) and win-version-info's
 * `node skip.js || node-gyp-build` (skip.js exits 0 off Windows). Loader commands on both sides
 * (`prebuild-install || node-gyp rebuild`) are no such plan: both mean to produce a binary.
 */
export function noBinaryAllowedBy(native: NativePackage): ScriptRef | null {
  for (const script of native.scripts) {
    const commands = splitScript(script.text);
    for (let i = 0; i + 1 < commands.length; i++) {
      if (commands[i]!.next !== '||') continue;
      const sides = [commands[i]!, commands[i + 1]!];
      if (sides.some((c) => classifyCommand(c.argv).kind === 'node-script')) return script;
    }
  }
  return null;
}

// The platform and arch words of the bundled-vs-stray rules, in one place: Node's own names
// (process.platform, process.arch) and the other spellings prebuild folders use.
const PLATFORM_SPELLINGS = ['linuxmusl', 'windows', 'win', 'macos', 'alpine', 'musl'];
const ARCH_SPELLINGS = ['x86_64', 'amd64', 'aarch64', 'x86', 'ppc64le', 'armv\\d+l?'];
const oneOf = (words: string[]) => `(?:${words.join('|')})`;

/** Files bundled for other platforms or Node versions: the package picks among them, none is stray. */
const BUNDLED_TUPLE = new RegExp(
  `(?:^|[-_.])${oneOf([...NODE_PLATFORMS, ...PLATFORM_SPELLINGS])}[-_]${oneOf([...NODE_ARCHES, 'universal', ...ARCH_SPELLINGS])}\\b`,
  'i',
);

/** `linux/x64/…`: a platform and an arch as consecutive folders (cmake-ts's `build/<os>/<arch>/`). */
const PLATFORM_DIR = new RegExp(`^${oneOf(NODE_PLATFORMS)}$`);
const ARCH_DIR = new RegExp(`^${oneOf([...NODE_ARCHES, 'universal'])}$`);

/** Whether a `.node` file of a package is one it ships for some platform (never stray), by its path. */
export function isBundled(
  relInPackage: string,
  record: PackageRecord,
  shipped: ReadonlySet<string>,
): boolean {
  if (shipped.has(relInPackage)) return true;
  const dirs = relInPackage.split('/').slice(0, -1);
  // one of a family named per platform (sentry_cpu_profiler-linux-x64-musl-127.node,
  // oracledb-6.10.0-darwin-arm64.node): the package's own code picks among them
  const base = relInPackage.slice(relInPackage.lastIndexOf('/') + 1);
  if (parseNameTuple(base)) return true;
  // node-pre-gyp's build for one Node-API version (`napi_versions`): it builds in build/, renames
  // that to build-tmp-napi-v<N>/ and copies the binary to module_path, which is what loads
  // (@discordjs/opus: build-tmp-napi-v3/Release/opus.node beside prebuild/…/opus.node)
  if (/^build-tmp-napi-v\d+$/.test(dirs[0] ?? '') && record.manifest.binary?.module_path) return true;
  // a builds-per-platform layout: no compiler writes its output there, the publisher put them there
  if (dirs.some((d, i) => PLATFORM_DIR.test(d) && ARCH_DIR.test(dirs[i + 1] ?? ''))) return true;
  // a platform package (os/cpu in its manifest, nothing to run at install) holds only what it shipped:
  // node-gyp-build-optional-packages' @lmdb/lmdb-linux-x64 carries its musl and other-ABI variants
  const m = record.manifest;
  const platformPackage =
    !record.isRoot &&
    (!!m.os?.length || !!m.cpu?.length) &&
    !m.scripts.preinstall &&
    !m.scripts.install &&
    !m.scripts.postinstall;
  if (platformPackage && !dirs.includes('build')) return true;
  if (dirs.includes('build')) return false;
  return dirs.some((d) => d === 'prebuilds' || BUNDLED_TUPLE.test(d));
}

/** The builds a cmake-ts package lists in its manifest: shipped for each os/arch/libc/ABI, never stray. */
export function cmakeTsShipped(record: PackageRecord): Set<string> {
  const out = new Set<string>();
  const deps = record.manifest;
  if (!('cmake-ts' in deps.dependencies) && !('cmake-ts' in deps.optionalDependencies)) return out;
  const files = folderFiles(record.path, inspectFile);
  for (const e of readCmakeTsManifest(files, cmakeTsBuildDir(files)) ?? []) out.add(e.file);
  return out;
}

/** A file whose headers parse cleanly but register no Node module (a SQLite extension, a plain library). */
export const notAnAddon = (facts: BinaryFacts) =>
  facts.format !== null && facts.notes.length === 0 && facts.module.kind === 'unknown';

/** Packages a native package calls at run time to find its binary. */
const RUNTIME_LOADERS = ['bindings', 'node-gyp-build', 'node-gyp-build-optional-packages'];

export interface NativeInTree {
  native: NativePackage;
  /** What the runtime resolution of its binary reads, for the verifying Node. */
  ctx: RuntimeContext;
}

/**
 * The native packages of one installed tree, each with the context its runtime binary is resolved
 * in (platform packages count through the package that picks them), and the packages whose
 * folders may hold stray binaries: every native package's, the project's own, its workspaces, and
 * any with a build/ folder.
 */
export function nativePackagesOf(
  tree: ProjectTree,
  options: PlanOptions,
): { natives: NativeInTree[]; scan: PackageRecord[] } {
  const files = new Map<string, PackageFiles>();
  const filesAt = (dir: string): PackageFiles => {
    let hit = files.get(dir);
    if (!hit) {
      hit = folderFiles(dir, options.readFacts);
      files.set(dir, hit);
    }
    return hit;
  };
  const filesOf = (record: PackageRecord) => filesAt(record.path);
  const resolverFor = candidateResolver(tree);

  const natives: NativePackage[] = [];
  for (const pkg of tree.packages) {
    const native = detectNative(pkg, { files: filesOf(pkg), resolvePlatformCandidate: resolverFor(pkg) });
    if (native) natives.push(native);
    // a package that calls a binary loader at run time is native whatever its install does (some
    // publish build/Release in the tarball, with no binding.gyp or install script). Not native-guard
    // itself: it depends on node-gyp-build for its prebuild matching, never for a binary of its own,
    // and every project that installs it (and runs its postinstall hook) would see it as missing one.
    else if (
      pkg.name !== 'native-guard' &&
      RUNTIME_LOADERS.some((l) => l in pkg.manifest.dependencies || l in pkg.manifest.optionalDependencies)
    )
      natives.push({ pkg, chain: [], scripts: [] });
  }
  const platformLocations = platformPackageLocations(natives, resolverFor);
  const nativeSet = new Set(natives.map((n) => n.pkg));
  const scan = tree.packages.filter(
    (p) =>
      p.isRoot ||
      p.isWorkspace ||
      nativeSet.has(p) ||
      platformLocations.has(p.location) ||
      p.rootEntries?.includes('build/'),
  );
  return {
    natives: natives
      .filter((n) => !platformLocations.has(n.pkg.location))
      .map((native) => ({
        native,
        ctx: {
          native,
          files: filesOf(native.pkg),
          target: options.target,
          resolvePlatformCandidate: resolverFor(native.pkg),
          filesOf,
          env: options.env,
          // node-pre-gyp's module_path needs neither: it is evaluated, not downloaded
          npmCache: '',
          cacheHas: () => false,
          dir: native.pkg.path,
          folderOf: (r: PackageRecord) => r.path,
          filesAt,
          execPath: options.execPath,
        },
      })),
    scan,
  };
}
