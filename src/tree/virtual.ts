import Arborist from '@npmcli/arborist';
import type { ArboristNode } from '@npmcli/arborist';
import { assertProjectFiles, TreeError } from './actual.js';
import { readLockfile } from './lockfile.js';
import { loadManagerLockfileTree } from './virtual-managers.js';
import { manifestFacts } from './manifest.js';
import { scriptIdentityOf } from './identity.js';
import { bundlesDependencies } from '../model/package.js';
import type { PackageRecord, ProjectTree, ResolvedDependency } from '../model/package.js';

/**
 * The tree `npm ci` would build from package-lock.json (or npm-shrinkwrap.json), without touching
 * node_modules or the network: Arborist's loadVirtual, turned into the same PackageRecords as an
 * installed tree. Records carry only what the lockfile says (`installed: false`,
 * `manifestSource: 'lockfile'`, no scripts, no file listing); `fetchLockfilePackages` adds the
 * registry manifests and tarball listings of the packages that need them.
 */
export async function loadLockfileTree(root: string): Promise<ProjectTree> {
  assertProjectFiles(root);
  const { index, problem } = readLockfile(root);
  if (!index) {
    if (problem) {
      const detail = problem.reason === 'error' ? problem.error : problem.reason;
      const code = problem.errorCode ?? 'error';
      throw new TreeError(
        { why: 'lockfile-unreadable', file: problem.path, code, detail },
        'ELOCKFILE',
        problem.path,
      );
    }
    // pnpm-lock.yaml, yarn.lock or bun.lock: the same kind of tree, laid out as npm would
    const other = loadManagerLockfileTree(root);
    if (other) return other;
    throw new TreeError({ why: 'no-lockfile', root }, 'ENOLOCKFILE', root);
  }
  let tree: ArboristNode;
  try {
    tree = await new Arborist({ path: root }).loadVirtual();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR')
      throw new TreeError({ why: 'no-package-json', root }, 'ENOPACKAGEJSON', root);
    throw new TreeError({ why: 'lockfile-tree', root, error: e.message }, e.code ?? 'ETREE', root);
  }

  const locationOf = (node: ArboristNode): string => (node.isRoot ? '' : node.location);
  // Arborist's inBundle walks every edge in, recursively: only ask when something bundles at all
  const bundles = [...tree.inventory.values()].some((node) => bundlesDependencies(node.package));
  const packages: PackageRecord[] = [];
  for (const node of tree.inventory.values()) {
    if (node.isLink) continue;
    const location = locationOf(node);
    const pkg = node.package;
    const name = (typeof pkg.name === 'string' && pkg.name) || node.name;
    const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    const dependencies: ResolvedDependency[] = [];
    for (const edge of node.edgesOut.values()) {
      const to = edge.to ? (edge.to.isLink ? edge.to.target : edge.to) : null;
      dependencies.push({
        name: edge.name,
        spec: edge.spec,
        type: edge.type,
        location: to ? locationOf(to) : null,
      });
    }
    // the root and workspaces are folders on disk: Arborist read their package.json
    const ownManifest = node.isRoot || node.isWorkspace || !location.includes('node_modules/');
    const record: PackageRecord = {
      name,
      version,
      id: `${name}@${version}`,
      location,
      path: node.realpath,
      manifest: manifestFacts(pkg),
      rootEntries: null,
      dependencies,
      isRoot: node.isRoot,
      isWorkspace: node.isWorkspace,
      optional: node.optional,
      dev: node.dev,
      inBundle: bundles && node.inBundle,
      installed: false,
      hasInstallScript: node.hasInstallScript === true || pkg.hasInstallScript === true,
      manifestSource: ownManifest ? 'package' : 'lockfile',
    };
    if (record.hasInstallScript) record.scriptIdentity = scriptIdentityOf(node);
    packages.push(record);
  }
  packages.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return { root: tree.realpath, mode: 'lockfile', packages, lockfile: index, problems: [] };
}
