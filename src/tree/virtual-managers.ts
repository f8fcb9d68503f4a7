import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FILE_LIMITS, parseJsonText, readBounded, readRegularFile } from '../io/files.js';
import { readBunLock, readBunLockb } from '../managers/bun-lock.js';
import { readPnpmLock } from '../managers/pnpm-lock.js';
import { readYarnLock } from '../managers/yarn-lock.js';
import type { LockedPackage, LockfileReadResult, WorkspaceManifest } from '../managers/types.js';
import type { LockEntry, PackageRecord, ProjectTree, ResolvedDependency } from '../model/package.js';
import { TreeError } from './actual.js';
import { manifestFacts } from './manifest.js';

/** The lockfiles of the other managers, in the order they are taken when several are present. */
const MANAGER_LOCKFILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'] as const;
export type ManagerLockfile = (typeof MANAGER_LOCKFILES)[number];

/** Workspace patterns, and folders per `dir/*` pattern, read at most. */
const WORKSPACE_PATTERN_LIMIT = 1000;

/** At most this many placed packages (a graph placed as a tree can repeat a package under several parents). */
const PLACEMENT_LIMIT = 200_000;

/** The first lockfile of pnpm, Yarn or Bun in `root`, or null. */
export function managerLockfileIn(root: string): ManagerLockfile | null {
  return MANAGER_LOCKFILES.find((f) => existsSync(join(root, f))) ?? null;
}

function readWorkspaceManifests(root: string): Record<string, WorkspaceManifest> {
  const read = (dir: string): WorkspaceManifest | null => {
    const text = readBounded(join(root, dir, 'package.json'), FILE_LIMITS.manifest);
    if (text === null) return null;
    try {
      const v = parseJsonText(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as WorkspaceManifest) : null;
    } catch {
      return null;
    }
  };
  const rootManifest = read('');
  if (!rootManifest) return {};
  const out: Record<string, WorkspaceManifest> = { '': rootManifest };
  // yarn.lock has no importers: the workspaces' own manifests say what each depends on
  const declared = (rootManifest as { workspaces?: unknown }).workspaces;
  const patterns = Array.isArray(declared)
    ? declared
    : declared && typeof declared === 'object' && Array.isArray((declared as { packages?: unknown }).packages)
      ? (declared as { packages: unknown[] }).packages
      : [];
  for (const pattern of patterns.slice(0, WORKSPACE_PATTERN_LIMIT)) {
    if (typeof pattern !== 'string' || pattern.includes('..') || pattern.startsWith('/')) continue;
    const clean = pattern.replace(/\/+$/, '').replace(/^\.\//, '');
    let dirs: string[] = [clean];
    if (clean.endsWith('/*')) {
      const parent = clean.slice(0, -2);
      try {
        dirs = readdirSync(join(root, parent), { withFileTypes: true })
          .filter((d) => d.isDirectory() && d.name !== 'node_modules')
          .slice(0, WORKSPACE_PATTERN_LIMIT)
          .map((d) => `${parent}/${d.name}`);
      } catch {
        dirs = [];
      }
    } else if (clean.includes('*')) continue; // deeper globs: not read (the workspace then has no importer)
    for (const dir of dirs) {
      const manifest = read(dir);
      if (manifest) out[dir] = manifest;
    }
  }
  return out;
}

/** Reads the manager lockfile through the bounded reader and the pure reader of src/managers/. */
export function readManagerLockfile(root: string, file: ManagerLockfile): LockfileReadResult {
  if (file === 'bun.lockb') return readBunLockb();
  const path = join(root, file);
  let text: string;
  try {
    text = readRegularFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TreeError(
      { why: 'lockfile-unreadable', file: path, code: e.code ?? 'error', detail: null },
      'ELOCKFILE',
      path,
    );
  }
  if (file === 'pnpm-lock.yaml') return readPnpmLock(text);
  if (file === 'bun.lock') return readBunLock(text);
  return readYarnLock(text, { workspaces: readWorkspaceManifests(root) });
}

/** npm's folder-safe package names: `name` or `@scope/name`, no `.`/`..` segment, no separators left over. */
export function isPackageName(name: string): boolean {
  const m = /^(?:@([^/\\\s]+)\/)?([^/\\\s]+)$/.exec(name);
  if (!m) return false;
  return [m[1], m[2]].every((part) => part === undefined || (part !== '.' && part !== '..'));
}

/** The POSIX folder `name` is placed in under `parent`. */
const under = (parent: string, name: string) =>
  parent ? `${parent}/node_modules/${name}` : `node_modules/${name}`;

/** The folders node's resolution looks in for `name` from `location`, nearest first. */
function lookupPath(location: string, name: string): string[] {
  const out: string[] = [];
  let here = location;
  for (;;) {
    out.push(under(here, name));
    if (!here) break;
    const cut = here.lastIndexOf('/node_modules/');
    if (cut >= 0) here = here.slice(0, cut);
    else if (here.startsWith('node_modules/')) here = '';
    else here = ''; // a workspace folder resolves from the root next
  }
  return out;
}

/**
 * The tree a manager's lockfile describes, laid out as npm would hoist it so that the same resolution
 * (and the same platform-package rule) applies: every package goes to the top `node_modules` unless
 * another version holds that name on its lookup path, then it nests under the package needing it.
 * Records carry what the lockfile says; `scriptsUnknown` marks the registry packages whose lockfile
 * has no install-script flag (pnpm, yarn.lock), so lockfile mode reads their tarballs. Packages that
 * are not from the registry (git, file, remote tarballs) are never fetched: they are unavailable.
 */
export function managerLockfileTree(
  root: string,
  file: ManagerLockfile,
  lock: LockfileReadResult,
): ProjectTree {
  const binary = lock.problems.find((p) => p.code === 'binary-lockfile');
  if (binary) {
    throw new TreeError({ why: 'binary-lockfile', lockfile: file }, 'EBINARYLOCKFILE', join(root, file));
  }
  const broken = lock.problems.find(
    (p) => p.code === 'syntax' || p.code === 'not-a-lockfile' || p.code === 'unsupported-version',
  );
  if (broken) {
    const path = join(root, file);
    throw new TreeError(
      { why: 'lockfile-unreadable', file: path, code: broken.code, detail: null },
      'ELOCKFILE',
      path,
    );
  }
  const byId = new Map(lock.packages.map((p) => [p.id, p]));
  const records = new Map<string, PackageRecord>();
  const placedId = new Map<string, string>();
  const entries = new Map<string, LockEntry>();
  const queue: Array<{
    location: string;
    deps: Array<{
      name: string;
      spec: string;
      id: string | null;
      type: ResolvedDependency['type'];
      workspace?: string;
    }>;
  }> = [];

  // a workspace outside the project (`../x`, `/abs`) is not part of this tree
  const importerPaths = Object.keys(lock.importers)
    .filter((p) => !p.startsWith('/') && !p.split('/').some((seg) => seg === '..' || seg === '.'))
    .sort();
  if (!importerPaths.includes('')) importerPaths.unshift('');
  const rootManifest = readWorkspaceManifests(root)[''] ?? {};
  for (const path of importerPaths) {
    const importer = lock.importers[path];
    const name = importer?.name ?? (path === '' ? (rootManifest.name ?? 'root') : path.split('/').pop()!);
    const manifest = path === '' ? rootManifest : {};
    const record: PackageRecord = {
      name,
      version: '0.0.0',
      id: `${name}@0.0.0`,
      location: path,
      path: resolve(root, path),
      manifest: manifestFacts(manifest as Record<string, unknown>),
      rootEntries: null,
      dependencies: [],
      isRoot: path === '',
      isWorkspace: path !== '',
      optional: false,
      dev: false,
      inBundle: false,
      installed: false,
      hasInstallScript: false,
      manifestSource: 'package',
    };
    records.set(path, record);
    queue.push({
      location: path,
      deps: (importer?.dependencies ?? []).map((d) => ({
        name: d.name,
        spec: d.spec,
        id: d.id,
        type: d.workspace !== undefined ? 'workspace' : d.dev ? 'dev' : d.optional ? 'optional' : 'prod',
        ...(d.workspace !== undefined ? { workspace: d.workspace } : {}),
      })),
    });
  }

  const depsOf = (pkg: LockedPackage) =>
    Object.entries(pkg.dependencyIds).map(([name, id]) => ({
      name,
      spec: pkg.dependencies[name] ?? pkg.optionalDependencies[name] ?? '*',
      id,
      type: (name in pkg.optionalDependencies ? 'optional' : 'prod') as ResolvedDependency['type'],
    }));

  const place = (location: string, pkg: LockedPackage): PackageRecord => {
    const registry = pkg.source === 'registry';
    const raw: Record<string, unknown> = {
      name: pkg.name,
      version: pkg.version,
      dependencies: pkg.dependencies,
      optionalDependencies: pkg.optionalDependencies,
      manager: lock.manager,
    };
    if (pkg.os) raw.os = pkg.os;
    if (pkg.cpu) raw.cpu = pkg.cpu;
    if (pkg.libc) raw.libc = pkg.libc;
    const record: PackageRecord = {
      name: pkg.name,
      version: pkg.version,
      id: `${pkg.name}@${pkg.version}`,
      location,
      path: resolve(root, location),
      manifest: manifestFacts(raw),
      rootEntries: null,
      dependencies: [],
      isRoot: false,
      isWorkspace: false,
      optional: pkg.optional === true,
      dev: pkg.dev === true,
      inBundle: false,
      installed: false,
      hasInstallScript: pkg.hasInstallScript === true,
      manifestSource: 'lockfile',
    };
    if (!registry || pkg.patched) {
      record.unavailable = { code: 'ENOTREGISTRY', detail: '', notRegistry: pkg.id };
    } else if (pkg.hasInstallScript === undefined || pkg.unknownPlatform?.length) {
      record.scriptsUnknown = true;
    }
    const entry: LockEntry = {
      location,
      name: pkg.name,
      version: pkg.version,
      optional: record.optional,
      dev: record.dev,
      hasInstallScript: record.hasInstallScript === true,
      optionalDependencies: pkg.optionalDependencies,
      manager: lock.manager,
    };
    if (pkg.os) entry.os = pkg.os;
    if (pkg.cpu) entry.cpu = pkg.cpu;
    if (pkg.libc) entry.libc = pkg.libc;
    if (pkg.integrity?.startsWith('sha')) entry.integrity = pkg.integrity;
    records.set(location, record);
    placedId.set(location, pkg.id);
    entries.set(location, entry);
    queue.push({ location, deps: depsOf(pkg) });
    return record;
  };

  while (queue.length > 0) {
    const { location, deps } = queue.shift()!;
    const parent = records.get(location)!;
    for (const dep of deps) {
      let target: string | null = null;
      if (dep.workspace !== undefined) target = records.has(dep.workspace) ? dep.workspace : null;
      else if (dep.id !== null) {
        const pkg = byId.get(dep.id);
        // a name that is no package name (`../x`, `a\\b`) would place a record outside node_modules
        if (pkg && isPackageName(dep.name) && isPackageName(pkg.name)) {
          const path = lookupPath(location, dep.name);
          const found = path.find((p) => placedId.has(p));
          if (found !== undefined && placedId.get(found) === dep.id) target = found;
          else {
            if (records.size >= PLACEMENT_LIMIT)
              throw new TreeError(
                { why: 'too-many-packages', file: join(root, file), limit: PLACEMENT_LIMIT },
                'ETOOLARGE',
                join(root, file),
              );
            // free all the way up: hoist to the top; taken by another version: nest under the parent
            const spot = found === undefined ? path[path.length - 1]! : under(location, dep.name);
            target = place(spot, pkg).location;
          }
        }
      }
      parent.dependencies.push({ name: dep.name, spec: dep.spec, type: dep.type, location: target });
    }
  }

  const packages = [...records.values()].sort((a, b) =>
    a.location < b.location ? -1 : a.location > b.location ? 1 : 0,
  );
  return {
    root: resolve(root),
    mode: 'lockfile',
    packages,
    // as npm lockfile v2+: the entries carry os/cpu/libc (scriptsUnknown asks for the tarballs that need reading)
    lockfile: { file, lockfileVersion: 3, entries },
    problems: [],
  };
}

/** lockfile mode for a project whose lockfile is pnpm's, Yarn's or Bun's; null when it has none. */
export function loadManagerLockfileTree(root: string): ProjectTree | null {
  const file = managerLockfileIn(root);
  if (!file) return null;
  return managerLockfileTree(root, file, readManagerLockfile(root, file));
}
