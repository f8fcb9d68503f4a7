import { lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Arborist from '@npmcli/arborist';
import type { ArboristNode } from '@npmcli/arborist';
import { isNativeEntry, manifestFacts, NATIVE_DEPENDENCIES } from './manifest.js';
import type { ManifestFacts } from './types.js';
import { readLockfile } from './lockfile.js';
import { scriptIdentityOf } from './identity.js';
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

  // Arborist's inBundle walks every edge in, recursively: seconds per thousand packages. Only ask
  // when some package bundles dependencies at all.
  let bundles = false;
  for (const node of tree.inventory.values()) {
    const bd = node.package.bundleDependencies ?? node.package.bundledDependencies;
    if ((Array.isArray(bd) && bd.length > 0) || bd === true) {
      bundles = true;
      break;
    }
  }

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
    const manifest = fullManifest(node, entries, location, problems);
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
      manifest,
      rootEntries: entries,
      dependencies,
      isRoot: node.isRoot,
      isWorkspace: node.isWorkspace,
      optional: node.optional,
      dev: node.dev,
      inBundle: bundles && node.inBundle,
      installed: true,
      ...(hasScripts(manifest, entries, node) ? { scriptIdentity: scriptIdentityOf(node) } : {}),
    });
  }
  packages.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));

  const { index, problem } = readLockfile(projectRoot);
  if (problem) problems.push(problem);
  return { root: projectRoot, mode: 'installed', packages, lockfile: index, problems };
}

/**
 * When npm's hidden lockfile (node_modules/.package-lock.json) is current, Arborist builds nodes
 * from it, and their `package` holds only what a lockfile records: no scripts, gypfile, binary or
 * main. Packages that may be native get their package.json read from disk; the others keep the
 * lockfile's fields, which is all their one cheap look needs.
 */
function fullManifest(
  node: ArboristNode,
  entries: string[] | null,
  location: string,
  problems: TreeProblem[],
): ManifestFacts {
  const pkg = node.package;
  const lockOnly = pkg.scripts === undefined && node.errors.length === 0;
  const deps = [pkg.dependencies, pkg.optionalDependencies].flatMap((d) =>
    d && typeof d === 'object' ? Object.keys(d) : [],
  );
  const candidate =
    pkg.hasInstallScript === true ||
    node.hasInstallScript ||
    pkg.os !== undefined ||
    pkg.cpu !== undefined ||
    pkg.libc !== undefined ||
    pkg.optionalDependencies !== undefined ||
    deps.some((d) => NATIVE_DEPENDENCIES.has(d)) ||
    (entries ?? []).some(isNativeEntry);
  if (!lockOnly || !candidate) return manifestFacts(pkg);
  const file = join(node.realpath, 'package.json');
  try {
    return manifestFacts(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    problems.push({
      kind: e.code === 'EACCES' || e.code === 'EPERM' ? 'folder-unreadable' : 'package-json-invalid',
      location,
      path: node.realpath,
      errorCode: e.code ?? (err instanceof SyntaxError ? 'EJSONPARSE' : null),
      detail: e.message.split('\n')[0] ?? '',
    });
    return manifestFacts(pkg);
  }
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

/** Install scripts npm would run, implicit `node-gyp rebuild` included: the allowScripts policy applies. */
function hasScripts(m: ManifestFacts, entries: string[] | null, node: ArboristNode): boolean {
  return (
    node.hasInstallScript ||
    !!(m.scripts.preinstall || m.scripts.install || m.scripts.postinstall) ||
    (entries ?? []).includes('binding.gyp')
  );
}
