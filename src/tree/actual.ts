import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Arborist from '@npmcli/arborist';
import type { ArboristNode } from '@npmcli/arborist';
import { manifestFacts } from './manifest.js';
import { readLockfile } from './lockfile.js';
import type { PackageRecord, ProjectTree, ResolvedDependency, TreeProblem } from './types.js';

export class TreeError extends Error {
  readonly code: string;
  readonly path: string;
  constructor(message: string, code: string, path: string) {
    super(message);
    this.name = 'TreeError';
    this.code = code;
    this.path = path;
  }
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** One readdir of the package folder: the single cheap look every package gets. */
export function listRootEntries(path: string): {
  entries: string[] | null;
  error: NodeJS.ErrnoException | null;
} {
  try {
    const dirents = readdirSync(path, { withFileTypes: true });
    return { entries: dirents.map((d) => (d.isDirectory() ? `${d.name}/` : d.name)), error: null };
  } catch (err) {
    return { entries: null, error: err as NodeJS.ErrnoException };
  }
}

/**
 * Loads the reified tree with Arborist and turns every node into a plain PackageRecord.
 * This is the only place that sees Arborist nodes for an installed tree.
 */
export async function loadInstalledTree(root: string): Promise<ProjectTree> {
  let tree: ArboristNode;
  const loopProblems: TreeProblem[] = [];
  // Arborist's own realpath gives up on a two-link cycle (a -> b -> a) only after its tree walk has
  // run away with the heap, so cyclic links are kept out of the walk here and reported instead.
  const filter = (parent: ArboristNode, kid: string): boolean => {
    const path = join(parent.realpath, 'node_modules', kid);
    try {
      if (lstatSync(path).isSymbolicLink()) realpathSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') {
        loopProblems.push({
          kind: 'link-broken',
          location: toPosix(relative(root, path)),
          path,
          errorCode: 'ELOOP',
          detail: 'symbolic link cycle',
        });
        return false;
      }
    }
    return true;
  };
  try {
    tree = await new Arborist({ path: root }).loadActual({ filter });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TreeError(`cannot read the installed tree at ${root}: ${e.message}`, e.code ?? 'ETREE', root);
  }
  const rootErr = tree.errors[0];
  if (rootErr && (rootErr.code === 'ENOENT' || rootErr.code === 'ENOTDIR')) {
    throw new TreeError(`no package.json in ${root}`, 'ENOPACKAGEJSON', root);
  }

  const problems: TreeProblem[] = [...loopProblems];
  const packages: PackageRecord[] = [];
  const projectRoot = tree.realpath;
  const locationOf = (node: ArboristNode): string => {
    // a link target outside the root (a workspace pointing elsewhere) keeps a `../` location
    return toPosix(relative(projectRoot, node.realpath));
  };

  for (const node of tree.inventory.values()) {
    if (node.isLink) {
      // A link whose target is missing is a dangling symlink (or a workspace that points nowhere).
      if (!node.target || node.target.errors.some((e) => e.code === 'ENOENT')) {
        problems.push({
          kind: 'link-broken',
          location: node.location,
          path: node.path,
          errorCode: 'ENOENT',
          detail: `link target ${node.realpath} does not exist`,
        });
      }
      continue;
    }
    const location = node.isRoot ? '' : locationOf(node);
    for (const err of node.errors) {
      problems.push(problemFor(node, location, err));
    }
    if (node.errors.some((e) => e.code === 'ENOENT') && !node.isRoot) {
      // a folder in node_modules without a package.json: nothing npm installed lives here
      continue;
    }
    const { entries, error } = node.isRoot ? { entries: null, error: null } : listRootEntries(node.realpath);
    if (error && !node.errors.length) {
      problems.push({
        kind: 'folder-unreadable',
        location,
        path: node.realpath,
        errorCode: error.code ?? null,
        detail: error.message,
      });
    }
    const name = (typeof node.package.name === 'string' && node.package.name) || node.name;
    const version = typeof node.package.version === 'string' ? node.package.version : '0.0.0';
    const dependencies: ResolvedDependency[] = [];
    for (const edge of node.edgesOut.values()) {
      dependencies.push({
        name: edge.name,
        spec: edge.spec,
        type: edge.type,
        location: edge.to ? locationOf(edge.to) : null,
      });
    }
    packages.push({
      name,
      version,
      id: `${name}@${version}`,
      location,
      path: node.realpath,
      manifest: manifestFacts(node.package),
      rootEntries: entries,
      dependencies,
      isRoot: node.isRoot,
      isWorkspace: node.isWorkspace,
      optional: node.optional,
      dev: node.dev,
      inBundle: node.inBundle,
      installed: true,
    });
  }
  packages.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));

  const { index, problem } = readLockfile(projectRoot);
  if (problem) problems.push(problem);
  return { root: projectRoot, mode: 'installed', packages, lockfile: index, problems };
}

function problemFor(node: ArboristNode, location: string, err: Error & { code?: string }): TreeProblem {
  const code = err.code ?? null;
  const kind: TreeProblem['kind'] =
    code === 'EJSONPARSE' || code === 'EISDIR' || code === 'EINVALIDPACKAGENAME'
      ? 'package-json-invalid'
      : code === 'EACCES' || code === 'EPERM'
        ? 'folder-unreadable'
        : code === 'ELOOP'
          ? 'link-broken'
          : 'package-json-invalid';
  return { kind, location, path: node.realpath, errorCode: code, detail: err.message.split('\n')[0] ?? '' };
}
