// `native-guard check` as a function: config, host, npm's config, the tree and the Dockerfile are read
// here; the analysis is pure (analyze.ts), and the passes after it are chained here in order:
// --online download checks, the install-script policy, the Dockerfile's findings.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { inspectFile } from '../binary/facts.js';
import { applyIgnore, readProjectConfig } from '../config.js';
import type { DockerCheckOptions } from '../docker/for-check.js';
import { sortFindings } from '../model/findings.js';
import type { CheckReport } from '../model/reports.js';
import type { HostEnvironment } from '../model/target.js';
import { hostSourceBuildFindings } from '../strategies/host-build.js';
import { currentHostEnvironment, detectHost, resolveTargets } from '../targets/index.js';
import type { NpmToolConfig, TargetContext } from '../targets/index.js';
import { assertProjectFiles } from '../tree/actual.js';
import { passesNpmrcNodedir } from '../managers/detect.js';
import { detectProjectManager } from '../tree/installed.js';
import { loadNpmConfig } from '../tree/npm-config.js';
import type { PackageManagerInfo, ProjectTree } from '../model/package.js';
import type { NodeGypRunner } from '../model/prediction.js';
import { readScriptPolicies } from '../tree/script-config.js';
import { analyze } from './analyze.js';
import { npmVersionFindings } from './npm-version.js';
import type { AnalyzeInput } from './analyze.js';
import { settleDownloads } from './online.js';
import { applyScriptPolicies } from './script-policy.js';
import { beginTreeLoad, loadTreeForCheck } from './tree-load.js';
import type { CheckStepOptions } from './tree-load.js';

export interface CheckOptions extends CheckStepOptions, DockerCheckOptions {
  /** Project folder (default: the current directory). */
  cwd?: string;
  /** Target specs as the user wrote them; default: nativeGuard.targets, else `host`. */
  targets?: string[];
  arch?: string;
  /** Today's date (YYYY-MM-DD), for `node:lts`; default: now. */
  today?: string;
  /** Environment and host facts; default: this process's. */
  host?: HostEnvironment;
}

/** `native-guard check` as a function: reads config, host, tree; returns the report. Throws only for operational errors. */
export async function check(options: CheckOptions = {}): Promise<CheckReport> {
  const hostEnv = options.host ?? currentHostEnvironment();
  const root = resolve(options.cwd ?? process.cwd());
  assertProjectFiles(root);
  const config = readProjectConfig(root);
  // the tree needs neither npm's config nor the targets: read it while those load
  const treeLoad = beginTreeLoad(root, options);
  const npm = await loadNpmConfig({
    cwd: root,
    env: hostEnv.env,
    execPath: hostEnv.execPath,
    platform: hostEnv.platform,
    homedir: hostEnv.homedir,
  });
  const toolConfig: NpmToolConfig = {};
  if (npm.python) toolConfig.python = npm.python;
  // pnpm 11+, Yarn 2+ and Bun do not pass .npmrc's nodedir to node-gyp: headers are then found (or
  // downloaded) as if it were not set; npm_config_nodedir in the environment still counts (toolchain.ts)
  const manager = detectProjectManager(root, hostEnv.env.npm_config_user_agent);
  if (npm.nodedir && passesNpmrcNodedir(manager)) toolConfig.nodedir = npm.nodedir;
  if (npm.devdir) toolConfig.devdir = npm.devdir;
  // nothing inside the project (its node_modules/.bin above all) is run to learn the toolchain
  const host = await detectHost(hostEnv, toolConfig, { projectRoot: root });
  const specs = options.targets?.length ? options.targets : (config.targets ?? ['host']);
  const ctx: TargetContext = { host, today: options.today ?? new Date().toISOString().slice(0, 10) };
  if (options.arch) ctx.arch = options.arch;
  // --- Dockerfile check: the image becomes a target (--dockerfile); the context leak check always runs ---
  // the Dockerfile code (parser and all) is loaded only when there is a Dockerfile to read: a hook
  // on a project without one does not pay for it
  const dockerfile = options.dockerfile === false ? null : resolve(root, options.dockerfile ?? 'Dockerfile');
  const dockerCode =
    dockerfile !== null && (options.dockerfile !== undefined || existsSync(dockerfile))
      ? await import('../docker/for-check.js')
      : null;
  const docker = dockerCode ? dockerCode.dockerForCheck(root, options, ctx, inspectFile) : null;
  const targets = dockerCode
    ? dockerCode.withDockerTarget(resolveTargets(specs, ctx), docker)
    : resolveTargets(specs, ctx);
  const loaded = await loadTreeForCheck(treeLoad, npm, targets, options);
  const input: AnalyzeInput = {
    ...loaded.input,
    targets,
    config,
    env: hostEnv.env,
    npmCache: npm.cache,
    readFacts: inspectFile,
    cacheHas: (path) => existsSync(path),
    evaluate: { sourceBuildFindings: hostSourceBuildFindings },
  };
  const nodeGyp = nodeGypRunner(loaded.input.tree, manager.manager);
  if (nodeGyp) input.evaluate = { ...input.evaluate, nodeGyp };
  let report = analyze(input);
  if (input.tree.packageManager) report.packageManager = input.tree.packageManager;
  if (loaded.fetched) report.fetched = loaded.fetched;
  if (options.online) report = await settleDownloads(input, report, npm, hostEnv.env, options);
  report = applyScriptPolicies(
    report,
    input.tree,
    readScriptPolicies(root, npm, {
      env: hostEnv.env,
      installed: input.tree.mode === 'installed',
      ...(input.tree.packageManager ? { tree: input.tree.packageManager } : {}),
    }),
    config,
  );
  report.npm = npm.npm ?? null;
  const npmFindings = applyIgnore(npmVersionFindings(root, npm.npm), config);
  report.findings = sortFindings([...report.findings, ...npmFindings.kept]);
  report.ignored += npmFindings.ignored;
  if (docker && dockerCode) {
    const { findings, summary } = dockerCode.dockerCheckResults(docker, report.packages);
    const { kept, ignored } = applyIgnore(findings, config);
    report.findings = sortFindings([...report.findings, ...kept]);
    report.ignored += ignored;
    report.docker = summary;
  }
  return report;
}

/**
 * The node-gyp Yarn 2+ and Bun run for builds: the top-level workspace's own node-gyp dependency when
 * it has one (as installed or locked). The tree's manager decides; npm, pnpm and Yarn 1 need none.
 */
function nodeGypRunner(tree: ProjectTree, detected: PackageManagerInfo['name']): NodeGypRunner | undefined {
  const manager = tree.packageManager?.name ?? detected;
  if (manager !== 'yarn-berry' && manager !== 'bun') return undefined;
  const root = tree.packages.find((p) => p.isRoot);
  const location = root?.dependencies.find((d) => d.name === 'node-gyp')?.location ?? null;
  const record = location === null ? undefined : tree.packages.find((p) => p.location === location);
  const topLevel = record
    ? { version: record.version, engines: record.manifest.engines?.node ?? null }
    : null;
  return { manager, topLevel };
}
