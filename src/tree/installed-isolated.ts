// The installed tree of pnpm's and Bun's isolated linker: every package lives once in a store
// folder (node_modules/.pnpm/<id>/node_modules/<name>, node_modules/.bun/<id>/node_modules/<name>),
// its dependencies are symbolic links beside it, and each importer (the root, each workspace member)
// links only its own direct dependencies. Read by following each importer's dependencies the way
// Node resolves them, by realpath, each package once; the store folders are never packages.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { FILE_LIMITS, parseJsonText, readRegularFile } from '../io/files.js';
import type { PackageRecord, ProjectTree, ResolvedDependency, TreeProblem } from '../model/package.js';
import { manifestFacts } from './manifest.js';
import { listRootEntries } from './project-files.js';
import { expandWorkspaces, workspacePatterns } from './installed-workspaces.js';

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** Packages read at most: far above real trees, a bound for a hostile one. */
export const ISOLATED_LIMITS = { packages: 100_000, linksPerImporter: 20_000 };

type EdgeType = ResolvedDependency['type'];

interface Node {
  record: PackageRecord;
  /** Edges with the realpath they resolve to (null: not installed). */
  edges: Array<{ name: string; spec: string; type: EdgeType; real: string | null }>;
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Entries of a node_modules folder as package names (`@scope/name` expanded), dot entries skipped. */
function packageNames(nm: string, limit: number): string[] {
  let names: string[];
  try {
    names = readdirSync(nm);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || out.length >= limit) continue;
    if (!name.startsWith('@')) {
      out.push(name);
      continue;
    }
    let scoped: string[] = [];
    try {
      scoped = readdirSync(join(nm, name));
    } catch {
      // not a folder: nothing installed under that scope
    }
    for (const s of scoped.sort()) if (!s.startsWith('.')) out.push(`${name}/${s}`);
  }
  return out;
}

const stringKeys = (value: unknown): string[] =>
  value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];

/** A registry spec (a range, a tag, `npm:` alias): what npm's allowScripts calls a registry dependency. */
const registrySpec = (spec: string) =>
  !/^(?:file|link|workspace|portal|git|git\+\w+|https?|github):/.test(spec);

/**
 * Reads an isolated (pnpm or Bun) installed tree into the same records as npm's: locations are the
 * real folders (`node_modules/.pnpm/sharp@0.34.1/node_modules/sharp`), workspace members keep their
 * own folder (`packages/a`), and a package reached from several importers is listed once.
 */
export function loadIsolatedTree(root: string, manager: 'pnpm' | 'bun'): ProjectTree {
  const projectRoot = realpathSync(root);
  const problems: TreeProblem[] = [];
  const nodes = new Map<string, Node>();
  const location = (real: string) => toPosix(relative(projectRoot, real));

  const members = expandWorkspaces(projectRoot, workspacePatterns(projectRoot, manager));
  const importers = new Map<string, string>();
  importers.set(projectRoot, '');
  for (const m of members) {
    try {
      importers.set(realpathSync(join(projectRoot, ...m.split('/'))), m);
    } catch {
      // raced away since the glob walk
    }
  }

  /** Node's resolution of `name` from a package folder, by realpath; null when nothing is there. */
  const resolveFrom = (fromReal: string, name: string): string | null => {
    let dir = fromReal;
    for (;;) {
      if (!dir.endsWith(`${sep}node_modules`)) {
        const candidate = join(dir, 'node_modules', ...name.split('/'));
        if (isDir(candidate)) {
          try {
            return realpathSync(candidate);
          } catch {
            return null;
          }
        }
      }
      const up = dirname(dir);
      if (up === dir || (!(up + sep).startsWith(projectRoot + sep) && up !== projectRoot)) return null;
      dir = up;
    }
  };

  const read = (real: string, fallbackName: string): Record<string, unknown> => {
    try {
      const data = parseJsonText(readRegularFile(join(real, 'package.json'), FILE_LIMITS.manifest));
      if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
      throw Object.assign(new Error('package.json is not an object'), { code: 'EJSONPARSE' });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      problems.push({
        kind: e.code === 'EACCES' || e.code === 'EPERM' ? 'folder-unreadable' : 'package-json-invalid',
        location: location(real),
        path: join(real, 'package.json'),
        errorCode: e.code ?? (err instanceof SyntaxError ? 'EJSONPARSE' : null),
        reason: 'error',
        error: e.message.split('\n')[0] ?? '',
      });
      return { name: fallbackName };
    }
  };

  const queue: string[] = [];
  const visit = (real: string, nameHint: string): void => {
    if (nodes.has(real) || nodes.size >= ISOLATED_LIMITS.packages) return;
    const importer = importers.get(real);
    const isRoot = real === projectRoot;
    const pkg = read(real, nameHint);
    const manifest = manifestFacts(pkg);
    const name = (typeof pkg.name === 'string' && pkg.name) || nameHint;
    const version = typeof pkg.version === 'string' && pkg.version ? pkg.version : '0.0.0';
    const { entries } = isRoot ? { entries: null } : listRootEntries(real);
    const edges: Node['edges'] = [];
    const peerMeta = (pkg.peerDependenciesMeta ?? {}) as Record<string, { optional?: unknown } | undefined>;
    const declared: Array<[string, EdgeType]> = [
      ...Object.keys(manifest.dependencies).map((n) => [n, 'prod'] as [string, EdgeType]),
      ...Object.keys(manifest.optionalDependencies).map((n) => [n, 'optional'] as [string, EdgeType]),
      ...stringKeys(pkg.peerDependencies).map(
        (n) => [n, peerMeta[n]?.optional === true ? 'peerOptional' : 'peer'] as [string, EdgeType],
      ),
      ...(importer !== undefined
        ? stringKeys(pkg.devDependencies).map((n) => [n, 'dev'] as [string, EdgeType])
        : []),
    ];
    const seen = new Set<string>();
    for (const [dep, type] of declared) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      const target = resolveFrom(real, dep);
      edges.push({ name: dep, spec: specIn(pkg, dep), type, real: target });
      if (target) queue.push(target);
    }
    const record: PackageRecord = {
      name,
      version,
      id: `${name}@${version}`,
      location: isRoot ? '' : location(real),
      path: real,
      manifest,
      rootEntries: entries,
      dependencies: [],
      isRoot,
      isWorkspace: importer !== undefined && !isRoot,
      optional: false,
      dev: false,
      inBundle: false,
      installed: true,
    };
    nodes.set(real, { record, edges });
    // everything an importer links is installed for it, declared or not (an undeclared link still loads)
    if (importer !== undefined) {
      const nm = join(real, 'node_modules');
      for (const linked of packageNames(nm, ISOLATED_LIMITS.linksPerImporter)) {
        const path = join(nm, ...linked.split('/'));
        let target: string;
        try {
          target = realpathSync(path);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'ELINK';
          problems.push({
            kind: 'link-broken',
            location: location(path),
            path,
            errorCode: code,
            ...(code === 'ELOOP'
              ? { reason: 'link-cycle' as const, name: linked, written: linked }
              : { reason: 'link-target-missing' as const, written: linked }),
          });
          continue;
        }
        if (!isDir(target)) continue;
        if (!seen.has(linked)) {
          seen.add(linked);
          edges.push({ name: linked, spec: '*', type: 'prod', real: target });
        }
        queue.push(target);
      }
    }
  };

  for (const real of importers.keys()) queue.push(real);
  while (queue.length) {
    const real = queue.shift()!;
    if (nodes.has(real)) continue;
    // the name a store folder is linked under: its path below the closest node_modules
    const posix = toPosix(real);
    const at = posix.lastIndexOf('/node_modules/');
    visit(
      real,
      at >= 0 ? posix.slice(at + '/node_modules/'.length) : posix.slice(posix.lastIndexOf('/') + 1),
    );
  }

  flagDevAndOptional(nodes, [...importers.keys()]);
  const packages: PackageRecord[] = [];
  for (const { record, edges } of nodes.values()) {
    record.dependencies = edges.map((e) => ({
      name: e.name,
      spec: e.spec,
      type: e.type,
      location: e.real === null ? null : (nodes.get(e.real)?.record.location ?? location(e.real)),
    }));
    packages.push(record);
  }
  addScriptIdentities(nodes);
  packages.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return { root: projectRoot, mode: 'installed', packages, lockfile: null, problems };
}

/** The spec a package.json writes for a dependency, from whichever dependency field names it. */
function specIn(pkg: Record<string, unknown>, name: string): string {
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies']) {
    const map = pkg[field];
    if (map && typeof map === 'object' && !Array.isArray(map)) {
      const spec = (map as Record<string, unknown>)[name];
      if (typeof spec === 'string') return spec;
    }
  }
  return '*';
}

/**
 * `dev`: reached from the importers only through devDependencies; `optional`: only through optional
 * edges (optionalDependencies, optional peers). What npm's tree says of the same packages.
 */
function flagDevAndOptional(nodes: Map<string, Node>, importers: string[]): void {
  const reach = (skip: (t: EdgeType) => boolean): Set<string> => {
    const seen = new Set<string>(importers);
    const queue = [...importers];
    while (queue.length) {
      const node = nodes.get(queue.shift()!);
      for (const e of node?.edges ?? []) {
        if (e.real === null || skip(e.type) || seen.has(e.real)) continue;
        seen.add(e.real);
        queue.push(e.real);
      }
    }
    return seen;
  };
  const prod = reach((t) => t === 'dev');
  const required = reach((t) => t === 'optional' || t === 'peerOptional');
  for (const [real, node] of nodes) {
    if (node.record.isRoot || node.record.isWorkspace) continue;
    node.record.dev = !prod.has(real);
    node.record.optional = !required.has(real);
  }
}

/** What npm's allowScripts matcher reads, for packages with install scripts. */
function addScriptIdentities(nodes: Map<string, Node>): void {
  const edgesIn = new Map<string, Array<{ name: string; spec: string }>>();
  for (const { edges } of nodes.values())
    for (const e of edges) {
      if (e.real === null) continue;
      const list = edgesIn.get(e.real) ?? [];
      list.push({ name: e.name, spec: e.spec });
      edgesIn.set(e.real, list);
    }
  for (const [real, { record }] of nodes) {
    const m = record.manifest;
    const scripts =
      !!(m.scripts.preinstall || m.scripts.install || m.scripts.postinstall) ||
      (record.rootEntries ?? []).includes('binding.gyp');
    if (!scripts || record.isRoot) continue;
    const incoming = edgesIn.get(real) ?? [];
    record.scriptIdentity = {
      resolved: null,
      registry: incoming.length > 0 && incoming.every((e) => registrySpec(e.spec)),
      edgesIn: incoming,
      path: real,
      realpath: real,
    };
  }
}
