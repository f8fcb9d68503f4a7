// `native-guard verify` as a function: the loader pool's lifecycle (started with the tree load,
// closed on every way out, killed on abort), the projects to verify, and the report.
import { realpathSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { applyIgnore, readProjectConfig } from '../config.js';
import type { ProjectConfig } from '../config.js';
import { makeFinding, sortFindings } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { ProjectTree, TreeProblemReason } from '../model/package.js';
import type { VerifyReport } from '../model/reports.js';
import type { LibcFacts } from '../model/target.js';
import { LoaderPool } from '../probe/pool.js';
import { loaderLibc } from '../targets/libc.js';
import { assertProjectFiles, TreeError } from '../tree/actual.js';
import { detectProjectManager, layoutOf, loadProjectTree } from '../tree/installed.js';
import { treeProblemFindings } from '../tree/problems.js';
import { findNestedProjects } from '../tree/projects.js';
import { VerifyRun } from './loads.js';
import { resolveNodeBinary, targetFromNode } from './node.js';
import type { Project } from './plan.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Loaders at once: Node's start-up is the cost, and a few cores are enough to hide it. */
export const defaultJobs = (cpus: number): number => Math.max(1, Math.min(cpus, 4));

export interface VerifyOptions {
  /** Project folder (default: the current directory). */
  cwd?: string;
  /** The Node binary to load with (default: the one running native-guard). A folder holding bin/node works too. */
  node?: string;
  /** Per binary (default 10 s). */
  timeoutMs?: number;
  /** Loader processes at once (default: min(CPUs, 4)). */
  jobs?: number;
  /** Environment for the packages' loaders (default: this process's); the loader processes get it without its credentials (probe/env.ts). */
  env?: Record<string, string | undefined>;
  /** This machine's libc; default: detect-libc. */
  detectLibc?: () => Promise<LibcFacts>;
  /** Look for independent projects below the root (default: true). */
  nested?: boolean;
  /** Stops the run: the loaders are killed and verify rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * `native-guard verify` as a function: finds every binary the installed tree (its workspaces, and
 * every independent project below it) will load, and every stray one, loads each in isolated
 * child processes with the chosen Node, and explains every failure. Throws only for operational
 * errors (no package.json, a `--node` that does not run).
 */
export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const root = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? { ...process.env };
  assertProjectFiles(root);
  const config = readProjectConfig(root);
  const nodePath = options.node ? resolveNodeBinary(options.node, root) : process.execPath;
  const isHost = nodePath === process.execPath;
  const userAgent = env.npm_config_user_agent;
  const pnp = layoutOf(root, detectProjectManager(root, userAgent)) === 'pnp';
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const pool = new LoaderPool({
    nodePath,
    size: options.jobs ?? defaultJobs(cpus),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    cwd: root,
    // Yarn Plug'n'Play: packages resolve their dependencies through the project's own runtime, as
    // under `yarn node` (verify runs package code; check never does)
    env: pnp ? withPnpRuntime(env, root) : env,
  });
  const signal = options.signal;
  signal?.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      pool.close();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  // never left unhandled: a run that ends first leaves it pending for ever
  aborted.catch(() => undefined);
  try {
    return await Promise.race([
      aborted,
      runVerify({ root, options, env, config, nodePath, isHost, pool, userAgent }),
    ]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    pool.close();
  }
}

/** What verify() settled before the loaders start. */
interface RunSetup {
  root: string;
  options: VerifyOptions;
  env: Record<string, string | undefined>;
  config: ProjectConfig;
  nodePath: string;
  isHost: boolean;
  pool: LoaderPool;
  userAgent: string | undefined;
}

/** The loaders' environment with `--require <root>/.pnp.cjs` in NODE_OPTIONS, as Yarn sets it for scripts. */
export function withPnpRuntime(
  env: Record<string, string | undefined>,
  root: string,
): Record<string, string | undefined> {
  const pnp = join(root, '.pnp.cjs').replace(/(["\\])/g, '\\$1');
  const before = env.NODE_OPTIONS?.trim();
  return { ...env, NODE_OPTIONS: `${before ? `${before} ` : ''}--require "${pnp}"` };
}

async function runVerify({
  root,
  options,
  env,
  config,
  nodePath,
  isHost,
  pool,
  userAgent,
}: RunSetup): Promise<VerifyReport> {
  // the first loader starts while the tree loads: its report is the verifying Node's facts
  const [facts, libc, rootTree] = await Promise.all([
    pool.start(),
    (options.detectLibc ?? loaderLibc)().catch(() => null),
    loadProjectTree(root, userAgent),
  ]);
  const target = targetFromNode(facts, libc, {
    id: isHost ? 'host' : `node@${facts.versions.node}`,
    isHost,
    env,
  });
  const findings: Finding[] = [];
  const projects = await loadProjects(rootTree, options.nested !== false, findings, userAgent);
  const run = new VerifyRun(root, target, nodePath, env, pool);
  const binaries = await run.verifyProjects(projects, findings);
  const { kept, ignored } = applyIgnore(findings, config);
  return {
    schemaVersion: 1,
    root: rootTree.root,
    ...(rootTree.packageManager ? { packageManager: rootTree.packageManager } : {}),
    node: {
      path: nodePath,
      version: target.version,
      abi: target.abi,
      napi: target.napi,
      platform: target.platform,
      arch: target.arch,
      libc: target.libc,
      libcVersion: target.libcVersion,
    },
    target,
    projects: projects.map((p) => p.rel),
    binaries,
    findings: sortFindings(kept),
    ignored,
  };
}

/** The root tree and every independent project below it that is not one of its workspaces. */
async function loadProjects(
  rootTree: ProjectTree,
  nested: boolean,
  findings: Finding[],
  userAgent: string | undefined,
): Promise<Project[]> {
  const root = rootTree.root;
  const projects: Project[] = [{ rel: '', dir: root, tree: rootTree }];
  findings.push(...treeProblemFindings(rootTree.problems));
  if (!nested) return projects;
  const workspaces = new Set<string>();
  const addWorkspaces = (tree: ProjectTree) => {
    for (const p of tree.packages) if (p.isWorkspace) workspaces.add(p.path);
  };
  addWorkspaces(rootTree);
  for (const rel of findNestedProjects(root)) {
    const dir = join(root, ...rel.split('/'));
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      continue;
    }
    if (workspaces.has(real)) continue;
    let tree: ProjectTree;
    try {
      tree = await loadProjectTree(dir, userAgent);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // the tree loader's coded error, or Arborist's own
      const reason: TreeProblemReason =
        e instanceof TreeError
          ? { reason: 'tree-unreadable', tree: e.fact }
          : { reason: 'error', error: e.message };
      findings.push(
        makeFinding(
          e.code === 'EACCES' || e.code === 'EPERM' ? 'FOLDER_UNREADABLE' : 'PACKAGE_JSON_INVALID',
          { location: rel },
          { path: dir, errorCode: e.code ?? null, ...reason },
        ),
      );
      continue;
    }
    addWorkspaces(tree);
    projects.push({ rel, dir: tree.root, tree });
    findings.push(...treeProblemFindings(tree.problems, rel));
  }
  return projects;
}
