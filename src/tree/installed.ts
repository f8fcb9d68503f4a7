// Which package manager laid out a project's installed tree, and the reader for that layout: npm's
// (Arborist) for npm, Yarn 1, Yarn's node-modules linker and hoisted pnpm/Bun; the isolated walker
// for pnpm's and Bun's store layout; the .pnp.cjs map for Yarn Plug'n'Play.
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_LIMITS, parseJsonText, readBounded, readRegularFile } from '../io/files.js';
import { DETECT_CANDIDATES, detectManager } from '../managers/detect.js';
import type { Detection } from '../managers/detect.js';
import type { PackageManagerInfo, ProjectTree, TreeProblem } from '../model/package.js';
import { loadInstalledTree } from './actual.js';
import { loadIsolatedTree } from './installed-isolated.js';
import { loadPnpTree, PnpUnreadable } from './installed-pnp.js';
import { manifestFacts } from './manifest.js';
import { assertProjectFiles } from './project-files.js';

/** Which manager and linker the project's files say, read bounded (small files, stat only for folders). */
export function detectProjectManager(root: string, userAgent?: string): Detection {
  const present: string[] = [];
  for (const candidate of DETECT_CANDIDATES) {
    try {
      lstatSync(join(root, candidate));
      present.push(candidate);
    } catch {
      // absent
    }
  }
  return detectManager({
    present,
    read: (path, maxBytes) => readBounded(join(root, path), maxBytes),
    ...(userAgent ? { userAgent } : {}),
  });
}

/** The report's view of a detection: manager, version, linker and the evidence for the manager. */
export function managerInfo(d: Detection): PackageManagerInfo {
  const info: PackageManagerInfo = { name: d.manager, linker: d.linker, source: d.evidence.manager.source };
  if (d.version) info.version = d.version;
  if (d.evidence.manager.file) info.file = d.evidence.manager.file;
  return info;
}

/** A Yarn PnP project whose map native-guard can read (`.pnp.cjs` or `.pnp.data.json`). */
export function hasPnpMap(root: string): boolean {
  return existsSync(join(root, '.pnp.cjs')) || existsSync(join(root, '.pnp.data.json'));
}

/** Which reader a detection needs. */
export function layoutOf(root: string, d: Detection): 'npm' | 'isolated' | 'pnp' | 'unreadable' {
  if (d.linker === 'pnp') return d.manager === 'yarn-berry' && hasPnpMap(root) ? 'pnp' : 'unreadable';
  if (d.linker === 'isolated' && (d.manager === 'pnpm' || d.manager === 'bun')) {
    const store = join(root, 'node_modules', d.manager === 'pnpm' ? '.pnpm' : '.bun');
    // an isolated pnpm tree's importers link into the store; a fresh project has no store yet
    return existsSync(store) ? 'isolated' : 'npm';
  }
  return 'npm';
}

/**
 * The installed tree of a project, whatever laid it out, with the manager named on it. A layout
 * native-guard cannot read is a problem of the tree (a finding), never an error that stops the
 * run: a strict install must not fail for it.
 */
export async function loadProjectTree(root: string, userAgent?: string): Promise<ProjectTree> {
  assertProjectFiles(root);
  const detection = detectProjectManager(root, userAgent);
  const info = managerInfo(detection);
  const layout = layoutOf(root, detection);
  let tree: ProjectTree;
  if (layout === 'isolated') {
    tree = loadIsolatedTree(root, detection.manager as 'pnpm' | 'bun');
  } else if (layout === 'pnp') {
    try {
      const pnp = loadPnpTree(root);
      const { zipped, ...rest } = pnp;
      tree = withRoot(rest);
      info.zipped = zipped;
    } catch (err) {
      if (!(err instanceof PnpUnreadable)) throw err;
      tree = unreadable(root, { file: err.file, reason: err.reason, errorCode: err.errorCode });
    }
  } else if (layout === 'unreadable') {
    tree = unreadable(root, {
      file: join(root, detection.manager === 'yarn-berry' ? '.pnp.cjs' : 'node_modules'),
      reason: detection.manager === 'yarn-berry' ? 'not-installed' : 'unsupported-linker',
      errorCode: null,
    });
  } else {
    tree = await loadInstalledTree(root);
  }
  tree.packageManager = info;
  return tree;
}

/** The project alone, with a problem saying which layout could not be read. */
function unreadable(
  root: string,
  what: { file: string; reason: string; errorCode: string | null },
): ProjectTree {
  const problem: TreeProblem = {
    kind: 'layout-unreadable',
    location: '',
    path: what.file,
    errorCode: what.errorCode,
    reason: 'layout-unreadable',
    detail: what.reason,
  };
  return withRoot({
    root: realpathSync(root),
    mode: 'installed',
    packages: [],
    lockfile: null,
    problems: [problem],
  });
}

/** A tree always holds the project itself (PnP maps name it, but not every map is whole). */
function withRoot(tree: ProjectTree): ProjectTree {
  if (tree.packages.some((p) => p.isRoot)) return tree;
  let pkg: Record<string, unknown> = {};
  try {
    const data = parseJsonText(readRegularFile(join(tree.root, 'package.json'), FILE_LIMITS.manifest));
    if (data && typeof data === 'object' && !Array.isArray(data)) pkg = data as Record<string, unknown>;
  } catch {
    // assertProjectFiles let it through: a broken one is worded where the tree is reported
  }
  const name = typeof pkg.name === 'string' && pkg.name ? pkg.name : 'root';
  const version = typeof pkg.version === 'string' && pkg.version ? pkg.version : '0.0.0';
  tree.packages.unshift({
    name,
    version,
    id: `${name}@${version}`,
    location: '',
    path: tree.root,
    manifest: manifestFacts(pkg),
    rootEntries: null,
    dependencies: [],
    isRoot: true,
    isWorkspace: false,
    optional: false,
    dev: false,
    inBundle: false,
    installed: true,
  });
  return tree;
}
