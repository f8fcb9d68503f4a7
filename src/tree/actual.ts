import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Arborist from '@npmcli/arborist';
import type { ArboristNode } from '@npmcli/arborist';
import { isNativeEntry, manifestFacts } from './manifest.js';
import { bundlesDependencies, NATIVE_DEPENDENCIES } from '../model/package.js';
import type {
  ManifestFacts,
  PackageRecord,
  ProjectTree,
  ResolvedDependency,
  TreeProblem,
  TreeProblemReason,
} from '../model/package.js';
import { FILE_LIMITS, parseJsonText, readRegularFile } from '../io/files.js';
import { readLockfile } from './lockfile.js';
import { assertHiddenLockfile, assertProjectFiles, listRootEntries, TreeError } from './project-files.js';

export { assertProjectFiles, listRootEntries, TreeError };
import { scriptIdentityOf } from './identity.js';

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** The kind of the entry at `path` without following links, or null when there is none. */
function kindOf(path: string): 'file' | 'dir' | 'link' | 'other' | null {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return null;
  }
}

/**
 * Loads the reified tree with Arborist and turns every node into a plain PackageRecord.
 * This is the only place that sees Arborist nodes for an installed tree.
 */
export async function loadInstalledTree(root: string): Promise<ProjectTree> {
  assertProjectFiles(root);
  assertHiddenLockfile(root);
  const problems: TreeProblem[] = [];
  const lost: string[] = [];
  const filter = treeFilter(root, problems, lost);
  let tree: ArboristNode;
  try {
    tree = await new Arborist({ path: root }).loadActual({ filter });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TreeError({ why: 'installed-tree', root, error: e.message }, e.code ?? 'ETREE', root);
  }
  const rootErr = tree.errors[0];
  if (rootErr && (rootErr.code === 'ENOENT' || rootErr.code === 'ENOTDIR')) {
    throw new TreeError({ why: 'no-package-json', root }, 'ENOPACKAGEJSON', root);
  }

  const projectRoot = tree.realpath;
  const packages: PackageRecord[] = [];
  lost.push(...collectRecords(tree, projectRoot, packages, problems));
  // packages Arborist never saw (a scope entry beside them it could not read, a name that differs
  // from another only in case): each one is loaded as a tree of its own so that it is still checked
  for (const dir of lost) {
    let sub: ArboristNode;
    try {
      sub = await new Arborist({ path: dir }).loadActual({ filter: treeFilter(projectRoot, problems, lost) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      problems.push({
        kind: 'folder-unreadable',
        location: toPosix(relative(projectRoot, dir)),
        path: dir,
        errorCode: e.code ?? null,
        reason: 'error',
        error: e.message.split('\n')[0] ?? '',
      });
      continue;
    }
    collectRecords(sub, projectRoot, packages, problems);
  }
  packages.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));

  const { index, problem } = readLockfile(projectRoot);
  if (problem) problems.push(problem);
  return { root: projectRoot, mode: 'installed', packages, lockfile: index, problems };
}

/**
 * Arborist's `filter`: keeps out of its walk what would hang it or run it away, and reports each.
 * A link cycle (a -> b -> a: Arborist's own realpath gives up only after the walk has run away with
 * the heap), a dangling link, a link to something that is not a folder, and a package.json that is
 * not a regular file (a FIFO: Arborist's read would wait for a writer forever).
 */
function treeFilter(root: string, problems: TreeProblem[], lost: string[]) {
  // Arborist keys children case-insensitively (npm's trees must work on macOS and Windows): of
  // `Foo` and `foo` it keeps one and silently drops the other, which Linux's require() still loads
  const seen = new Map<string, string>();
  return (parent: ArboristNode, kid: string): boolean => {
    const path = join(parent.realpath, 'node_modules', kid);
    const location = toPosix(relative(root, path));
    const key = join(parent.realpath, 'node_modules', kid.toLowerCase());
    const first = seen.get(key);
    if (first !== undefined && first !== kid) {
      problems.push({
        kind: 'case-conflict',
        location,
        path,
        errorCode: null,
        reason: 'case-conflict',
        name: kid,
        other: first,
      });
      lost.push(path);
      return false;
    }
    seen.set(key, kid);
    let real = path;
    if (kindOf(path) === 'link') {
      const broken = (errorCode: string, why: TreeProblemReason) => {
        problems.push({ kind: 'link-broken', location, path, errorCode, ...why });
        return false;
      };
      let written = '';
      try {
        written = readlinkSync(path);
      } catch {
        // raced away: realpath below says what is left
      }
      try {
        real = realpathSync(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'ELINK';
        if (code === 'ELOOP') return broken(code, { reason: 'link-cycle', name: kid, written });
        if (code === 'ENOENT') return broken(code, { reason: 'link-target-missing', written });
        return broken(code, { reason: 'error', error: (err as Error).message });
      }
      const target = kindOf(real);
      if (target !== 'dir') return broken('ENOTDIR', { reason: 'link-target-not-folder', written });
      if (kindOf(join(real, 'package.json')) === null)
        return broken('ENOENT', { reason: 'link-target-no-package-json', written });
    }
    const manifest = kindOf(join(real, 'package.json'));
    if (manifest === 'other' || manifest === 'link') {
      let regular = manifest === 'link';
      try {
        regular = regular && statSync(join(real, 'package.json')).isFile();
      } catch {
        regular = false;
      }
      if (!regular) {
        problems.push({
          kind: 'package-json-invalid',
          location,
          path: join(real, 'package.json'),
          errorCode: 'ENOTREG',
          reason: 'not-regular',
        });
        return false;
      }
    }
    return true;
  };
}

/**
 * Turns an Arborist tree into records (appended to `packages`), its problems into `problems`.
 * Returns the package folders Arborist lost: the children of a node_modules it could not list.
 */
function collectRecords(
  tree: ArboristNode,
  projectRoot: string,
  packages: PackageRecord[],
  problems: TreeProblem[],
): string[] {
  const lost: string[] = [];
  const locationOf = (node: ArboristNode): string => {
    // a link target outside the root (a workspace pointing elsewhere) keeps a `../` location
    return toPosix(relative(projectRoot, node.realpath));
  };
  const isProjectRoot = (node: ArboristNode) => node.isRoot && node.realpath === projectRoot;

  // Arborist's inBundle walks every edge in, recursively: seconds per thousand packages. Only ask
  // when some package bundles dependencies at all.
  const bundles = [...tree.inventory.values()].some((node) => bundlesDependencies(node.package));

  for (const node of tree.inventory.values()) {
    if (node.isLink) {
      // links the filter did not see (workspaces, a hidden lockfile's links) can still point nowhere
      if (!node.target || node.target.errors.some((e) => e.code === 'ENOENT')) {
        problems.push({
          kind: 'link-broken',
          location: node.location,
          path: node.path,
          errorCode: 'ENOENT',
          reason: kindOf(node.realpath) === null ? 'link-target-missing' : 'link-target-no-package-json',
          written: node.realpath,
        });
      }
      continue;
    }
    const projectRootNode = isProjectRoot(node);
    const location = projectRootNode ? '' : locationOf(node);
    // pnpm, Yarn Berry and Bun write `workspace:` specs, which npm's spec parser does not know: the
    // package.json is fine and the member is linked, so that is no problem of the tree
    const errors = node.errors.filter((e) => !isWorkspaceProtocol(e));
    for (const err of errors) {
      problems.push(problemFor(node, location, err));
    }
    if (errors.some((e) => e.code === 'ENOENT') && !projectRootNode) {
      // a folder in node_modules without a package.json: nothing npm installed lives here
      continue;
    }
    const { entries, error } = projectRootNode
      ? { entries: null, error: null }
      : listRootEntries(node.realpath);
    if (error && !errors.length) {
      problems.push({
        kind: 'folder-unreadable',
        location,
        path: node.realpath,
        errorCode: error.code ?? null,
        reason: 'error',
        error: error.message,
      });
    }
    // Arborist lists node_modules all or nothing: a scope entry it cannot read (a file named
    // @scope, an unreadable folder) loses every package beside it, silently
    if (node.children.size === 0 && (projectRootNode || entries?.some((e) => /^node_modules\/?$/.test(e)))) {
      lost.push(...unlistedChildren(node.realpath, location, problems));
    }
    const manifest = fullManifest(node, entries, location, problems);
    const name = (typeof node.package.name === 'string' && node.package.name) || node.name;
    const version = typeof node.package.version === 'string' ? node.package.version : '0.0.0';
    if (!projectRootNode && location.includes('node_modules/') && !errors.length) {
      const missing = (['name', 'version'] as const).filter(
        (f) => typeof node.package[f] !== 'string' || !node.package[f],
      );
      if (missing.length) {
        problems.push({
          kind: 'package-json-invalid',
          location,
          path: join(node.realpath, 'package.json'),
          errorCode: null,
          reason: 'missing-fields',
          missing,
          reportedAs: `${name}@${version}`,
        });
      }
    }
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
      isRoot: projectRootNode,
      isWorkspace: node.isWorkspace,
      optional: node.optional,
      dev: node.dev,
      inBundle: bundles && node.inBundle,
      installed: true,
      ...(hasScripts(manifest, entries, node) ? { scriptIdentity: scriptIdentityOf(node) } : {}),
    });
  }
  return lost;
}

/**
 * A node_modules Arborist found no package in: lists it the way Arborist does, reporting what it
 * could not read (the folder itself, a scope entry), and returns the package folders Arborist
 * lost because of a scope entry beside them.
 */
function unlistedChildren(folder: string, location: string, problems: TreeProblem[]): string[] {
  const nm = join(folder, 'node_modules');
  const nmLocation = location ? `${location}/node_modules` : 'node_modules';
  const unreadable = (loc: string, path: string, err: NodeJS.ErrnoException) =>
    problems.push({
      kind: 'folder-unreadable',
      location: loc,
      path,
      errorCode: err.code ?? null,
      ...(err.code === 'ENOTDIR'
        ? { reason: 'not-a-folder' as const, folder: loc }
        : { reason: 'error' as const, error: err.message.split('\n')[0] ?? '' }),
    });
  let names: string[];
  try {
    names = readdirSync(nm);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== 'ENOENT') unreadable(nmLocation, nm, e);
    return [];
  }
  const kids: string[] = [];
  let scopeFailed = false;
  for (const name of names) {
    if (name.startsWith('.')) continue;
    if (!name.startsWith('@')) {
      kids.push(join(nm, name));
      continue;
    }
    try {
      for (const scoped of readdirSync(join(nm, name)))
        if (!scoped.startsWith('.')) kids.push(join(nm, name, scoped));
    } catch (err) {
      scopeFailed = true;
      unreadable(`${nmLocation}/${name}`, join(nm, name), err as NodeJS.ErrnoException);
    }
  }
  // without a failed scope, Arborist saw the same (empty, or dot entries only) listing
  return scopeFailed ? kids.filter((k) => ['dir', 'link'].includes(kindOf(k) ?? '')) : [];
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
    return manifestFacts(
      parseJsonText(readRegularFile(file, FILE_LIMITS.manifest)) as Record<string, unknown>,
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    problems.push({
      kind: e.code === 'EACCES' || e.code === 'EPERM' ? 'folder-unreadable' : 'package-json-invalid',
      location,
      path: node.realpath,
      errorCode: e.code ?? (err instanceof SyntaxError ? 'EJSONPARSE' : null),
      reason: 'error',
      error: e.message.split('\n')[0] ?? '',
    });
    return manifestFacts(pkg);
  }
}

const isWorkspaceProtocol = (err: Error & { code?: string }) =>
  err.code === 'EUNSUPPORTEDPROTOCOL' && /\bworkspace:/.test(err.message);

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
  return {
    kind,
    location,
    path: node.realpath,
    errorCode: code,
    reason: 'error',
    error: err.message.split('\n')[0] ?? '',
  };
}

/** Install scripts npm would run, implicit `node-gyp rebuild` included: the allowScripts policy applies. */
function hasScripts(m: ManifestFacts, entries: string[] | null, node: ArboristNode): boolean {
  return (
    node.hasInstallScript ||
    !!(m.scripts.preinstall || m.scripts.install || m.scripts.postinstall) ||
    (entries ?? []).includes('binding.gyp')
  );
}
