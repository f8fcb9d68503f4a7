// Yarn Plug'n'Play: no node_modules; the project's .pnp.cjs holds the package map as a JSON string
// (`RAW_RUNTIME_STATE`), or .pnp.data.json holds it when Yarn's `pnpEnableInlining` is off. Read
// as data, bounded, never executed. Packages Yarn unplugged (those with install scripts or
// binaries) are real folders in .yarn/unplugged and are read from disk; the others live in zip
// archives, where no `.node` can be loaded from: their package.json is read out of the archive.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { FILE_LIMITS, parseJsonText, readRegularFile } from '../io/files.js';
import type { PackageRecord, ProjectTree, ResolvedDependency, TreeProblem } from '../model/package.js';
import { manifestFacts } from './manifest.js';
import { listRootEntries } from './project-files.js';
import { readZipPackage, splitZipPath } from './installed-zip.js';

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** Locators read at most (a real map has hundreds to a few thousand). */
export const PNP_LIMITS = { locators: 200_000, dependencies: 2_000_000 };

interface PnpPackage {
  name: string;
  reference: string;
  /** Absolute folder (virtual paths resolved). */
  location: string;
  linkType: 'HARD' | 'SOFT';
  dependencies: Array<[string, string | [string, string] | null]>;
}

export class PnpUnreadable extends Error {
  constructor(
    readonly reason: 'no-data' | 'syntax' | 'shape' | 'too-large' | 'unreadable',
    readonly file: string,
    readonly errorCode: string | null,
  ) {
    super(`${file}: ${reason}`);
  }
}

/**
 * The JSON text of `RAW_RUNTIME_STATE` in a .pnp.cjs: a single-quoted JavaScript string whose lines
 * end in `\` continuations. Decoded by hand, character by character: nothing of the file runs.
 */
export function rawRuntimeState(source: string): string | null {
  const m = /\bconst RAW_RUNTIME_STATE\s*=\s*'/.exec(source);
  if (!m) return null;
  let out = '';
  for (let i = m.index + m[0].length; i < source.length; i++) {
    const c = source[i]!;
    if (c === "'") return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = source[++i];
    if (next === undefined) return null;
    if (next === '\n') continue;
    if (next === '\r') {
      if (source[i + 1] === '\n') i++;
      continue;
    }
    out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
  }
  return null;
}

/** Yarn's virtual paths (`.yarn/__virtual__/<name>-virtual-<hash>/<depth>/<path>`) to the real folder. */
export function resolveVirtual(p: string): string {
  const m = /^(.*?[\\/](?:__virtual__|\$\$virtual))[\\/][^\\/]+[\\/](\d+)(?:[\\/](.*))?$/.exec(p);
  if (!m) return p;
  const base = resolve(m[1]!, '..');
  return resolveVirtual(resolve(base, ...Array<string>(Number(m[2])).fill('..'), m[3] ?? '.'));
}

/** The package map of a PnP project, from .pnp.data.json or the .pnp.cjs string; throws PnpUnreadable. */
export function readPnpData(root: string): { file: string; packages: PnpPackage[]; roots: Set<string> } {
  const dataFile = join(root, '.pnp.data.json');
  const cjsFile = join(root, '.pnp.cjs');
  const file = existsSync(dataFile) ? dataFile : cjsFile;
  let text: string;
  try {
    text = readRegularFile(file, FILE_LIMITS.lockfile);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new PnpUnreadable(e.code === 'EFBIG' ? 'too-large' : 'unreadable', file, e.code ?? null);
  }
  const json = file === dataFile ? text : rawRuntimeState(text);
  if (json === null) throw new PnpUnreadable('no-data', file, null);
  let data: unknown;
  try {
    data = parseJsonText(json);
  } catch {
    throw new PnpUnreadable('syntax', file, 'EJSONPARSE');
  }
  const registry = (data as { packageRegistryData?: unknown } | null)?.packageRegistryData;
  if (!Array.isArray(registry)) throw new PnpUnreadable('shape', file, null);
  const roots = new Set<string>();
  const treeRoots = (data as { dependencyTreeRoots?: unknown }).dependencyTreeRoots;
  if (Array.isArray(treeRoots))
    for (const r of treeRoots as Array<{ name?: unknown; reference?: unknown }>)
      if (typeof r?.name === 'string' && typeof r.reference === 'string')
        roots.add(`${r.name}@${r.reference}`);

  const packages: PnpPackage[] = [];
  let deps = 0;
  for (const entry of registry) {
    if (!Array.isArray(entry) || !Array.isArray(entry[1])) continue;
    const name = entry[0];
    for (const ref of entry[1] as unknown[]) {
      if (!Array.isArray(ref) || typeof ref[1] !== 'object' || ref[1] === null) continue;
      if (packages.length >= PNP_LIMITS.locators) throw new PnpUnreadable('too-large', file, null);
      const info = ref[1] as { packageLocation?: unknown; packageDependencies?: unknown; linkType?: unknown };
      if (typeof info.packageLocation !== 'string') continue;
      const list = Array.isArray(info.packageDependencies) ? info.packageDependencies : [];
      deps += list.length;
      if (deps > PNP_LIMITS.dependencies) throw new PnpUnreadable('too-large', file, null);
      packages.push({
        name: typeof name === 'string' ? name : '',
        reference: typeof ref[0] === 'string' ? ref[0] : '',
        location: resolveVirtual(resolve(root, info.packageLocation)),
        linkType: info.linkType === 'SOFT' ? 'SOFT' : 'HARD',
        dependencies: list.filter(
          (d): d is [string, string | [string, string] | null] =>
            Array.isArray(d) && typeof d[0] === 'string',
        ),
      });
    }
  }
  return { file, packages, roots };
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Whether a PnP location is inside a zip archive (Yarn's cache): no `.node` there can be loaded. */
const inZip = (location: string) => /\.zip[\\/]/.test(location);

/**
 * The records of a PnP project: workspaces and unplugged packages read from their folders, zipped
 * packages from the map (name, version and links only), locations that exist nowhere (the other
 * platforms' packages Yarn registers but does not fetch) left out, as npm leaves them out.
 */
export function loadPnpTree(root: string): ProjectTree & { zipped: number } {
  const projectRoot = realpathSync(root);
  const { packages: locators } = readPnpData(projectRoot);
  const problems: TreeProblem[] = [];
  const location = (abs: string) => toPosix(relative(projectRoot, abs));

  // one record per folder: a package with peers appears as its npm locator and its virtual one
  const byLocation = new Map<string, PnpPackage[]>();
  for (const p of locators) {
    const key = p.location.replace(/[\\/]+$/, '');
    const list = byLocation.get(key) ?? [];
    list.push(p);
    byLocation.set(key, list);
  }
  const locationOf = new Map<string, string>();
  for (const [loc, list] of byLocation) for (const p of list) locationOf.set(`${p.name}@${p.reference}`, loc);

  const records: PackageRecord[] = [];
  let zipped = 0;
  for (const [abs, list] of byLocation) {
    const first = list.find((p) => p.name) ?? list[0]!;
    const isRoot = abs === projectRoot;
    const zip = inZip(abs);
    if (!zip && !isDir(abs)) continue;
    if (zip) zipped++;
    let pkg: Record<string, unknown> = {};
    let zipEntries: string[] | null = null;
    if (zip) {
      // the manifest says what the package picks at run time (esbuild's platform packages)
      const where = splitZipPath(abs);
      const read = where ? readZipPackage(where.zip, where.inner) : null;
      if (read?.manifest) pkg = read.manifest;
      zipEntries = read?.rootEntries ?? null;
    } else {
      try {
        const data = parseJsonText(readRegularFile(join(abs, 'package.json'), FILE_LIMITS.manifest));
        if (data && typeof data === 'object' && !Array.isArray(data)) pkg = data as Record<string, unknown>;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        problems.push({
          kind: 'package-json-invalid',
          location: isRoot ? '' : location(abs),
          path: join(abs, 'package.json'),
          errorCode: e.code ?? (err instanceof SyntaxError ? 'EJSONPARSE' : null),
          reason: 'error',
          error: e.message.split('\n')[0] ?? '',
        });
      }
    }
    const name = (typeof pkg.name === 'string' && pkg.name) || first.name || 'root';
    const refVersion = /^npm:(\d[^\s#:]*)$/.exec(first.reference)?.[1];
    const version = (typeof pkg.version === 'string' && pkg.version) || refVersion || '0.0.0';
    const manifest = manifestFacts(pkg);
    const seen = new Set<string>();
    const dependencies: ResolvedDependency[] = [];
    for (const p of list)
      for (const [dep, ref] of p.dependencies) {
        if (dep === p.name || seen.has(dep)) continue;
        seen.add(dep);
        const target =
          ref === null
            ? undefined
            : Array.isArray(ref)
              ? locationOf.get(`${ref[0]}@${ref[1]}`)
              : locationOf.get(`${dep}@${ref}`);
        dependencies.push({
          name: dep,
          spec: typeof ref === 'string' ? ref : '*',
          type: Object.hasOwn(manifest.optionalDependencies, dep) ? 'optional' : 'prod',
          location: target === undefined || (!inZip(target) && !isDir(target)) ? null : location(target),
        });
      }
    const record: PackageRecord = {
      name,
      version,
      id: `${name}@${version}`,
      location: isRoot ? '' : location(abs),
      path: abs,
      manifest,
      rootEntries: isRoot ? null : zip ? zipEntries : listRootEntries(abs).entries,
      dependencies,
      isRoot,
      isWorkspace: !isRoot && list.some((p) => p.reference.startsWith('workspace:')),
      optional: false,
      dev: false,
      inBundle: false,
      installed: true,
      // an archive native-guard could not read: what the map says is all there is
      ...(zip && zipEntries === null ? { manifestSource: 'lockfile' as const } : {}),
    };
    const m = record.manifest;
    if (
      m.scripts.preinstall ||
      m.scripts.install ||
      m.scripts.postinstall ||
      record.rootEntries?.includes('binding.gyp')
    )
      record.scriptIdentity = { resolved: null, registry: true, edgesIn: [], path: abs, realpath: abs };
    records.push(record);
  }
  records.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return { root: projectRoot, mode: 'installed', packages: records, lockfile: null, problems, zipped };
}
