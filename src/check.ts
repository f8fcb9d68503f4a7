import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { inspectFile } from './binary/facts.js';
import { applyIgnore, readProjectConfig } from './config.js';
import type { ProjectConfig } from './config.js';
import { sortFindings } from './model/findings.js';
import { treeProblemFindings } from './tree/problems.js';
import {
  isUnknownPackage,
  lostLibcFindings,
  unavailableFindings,
  unknownPredictions,
} from './lockfile-findings.js';
import type { Finding } from './model/findings.js';
import { detectNative, strategyNames } from './strategies/detect.js';
import { hostSourceBuildFindings } from './strategies/host-build.js';
import { evaluateChain } from './strategies/predict.js';
import { candidateResolver, platformPackageLocations } from './strategies/tree-view.js';
import type { EvaluateOptions } from './strategies/predict.js';
import type { NativePackage, Prediction, PredictContext } from './model/prediction.js';
import type { PackageFiles, LockEntry, PackageRecord, ProjectTree } from './model/package.js';
import { currentHostEnvironment, detectHost, resolveTargets } from './targets/index.js';
import type { HostEnvironment, NpmToolConfig, TargetContext } from './targets/index.js';
import type { Target } from './model/target.js';
import { applyScriptPolicies, beginTreeLoad, loadTreeForCheck, settleDownloads } from './check-steps.js';
import type { CheckStepOptions } from './check-steps.js';
import { readScriptPolicies } from './tree/script-policy.js';
import { loadNpmConfig } from './tree/npm-config.js';
import { assertProjectFiles } from './tree/actual.js';
import { folderFiles } from './io/files.js';
import type { FactsReader } from './io/files.js';
// --- Dockerfile check (src/docker) ---
import { dockerCheckResults, dockerForCheck, withDockerTarget } from './docker/for-check.js';
import type { DockerCheckOptions } from './docker/for-check.js';
import type { CheckReport, PackageReport } from './model/reports.js';

export interface AnalyzeInput {
  tree: ProjectTree;
  targets: Target[];
  config: ProjectConfig;
  env: Record<string, string | undefined>;
  npmCache: string;
  readFacts: FactsReader;
  cacheHas(path: string): boolean;
  evaluate?: EvaluateOptions;
  /** Files of a record; defaults to its installed folder. Lockfile mode passes tarball-backed files. */
  filesOf?: (record: PackageRecord) => PackageFiles | null;
  /** Lockfile mode ran with --offline (worded into MANIFEST_UNAVAILABLE's fix). */
  offline?: boolean;
}

/**
 * The pure part of `check`: a loaded tree and resolved targets in, predictions and findings out.
 * Everything it reads goes through the records and the injected readers.
 */
export function analyze(input: AnalyzeInput): CheckReport {
  const { tree, targets } = input;
  const lockEntries: Map<string, LockEntry> = tree.lockfile?.entries ?? new Map();
  const filesCache = new Map<string, PackageFiles>();
  const emptyFiles: PackageFiles = {
    list: () => null,
    exists: () => false,
    readText: () => null,
    facts: () => null,
  };
  const filesOf = (record: PackageRecord): PackageFiles => {
    let hit = filesCache.get(record.location);
    if (!hit) {
      hit =
        (input.filesOf
          ? input.filesOf(record)
          : record.installed
            ? folderFiles(record.path, input.readFacts)
            : null) ?? emptyFiles;
      filesCache.set(record.location, hit);
    }
    return hit;
  };
  const resolverFor = candidateResolver(tree);

  const natives: NativePackage[] = [];
  const unknownPackages: PackageRecord[] = [];
  for (const pkg of tree.packages) {
    if (isUnknownPackage(pkg)) {
      unknownPackages.push(pkg);
      continue;
    }
    const native = detectNative(pkg, { files: filesOf(pkg), resolvePlatformCandidate: resolverFor(pkg) });
    if (native) natives.push(native);
  }
  const platformLocations = platformPackageLocations(natives, resolverFor);

  const findings: Finding[] = treeProblemFindings(tree.problems);
  findings.push(...unavailableFindings(tree, input.offline === true));
  findings.push(...lostLibcFindings(natives, resolverFor, lockEntries));
  const packages: PackageReport[] = [];
  for (const native of natives) {
    if (platformLocations.has(native.pkg.location)) continue;
    const predictions: Prediction[] = [];
    for (const target of targets) {
      const ctx: PredictContext = {
        native,
        files: filesOf(native.pkg),
        target,
        resolvePlatformCandidate: resolverFor(native.pkg),
        filesOf,
        env: input.env,
        npmCache: input.npmCache,
        cacheHas: input.cacheHas,
      };
      const verdict = evaluateChain(ctx, input.evaluate);
      predictions.push(verdict.prediction);
      findings.push(...verdict.findings);
    }
    packages.push({
      name: native.pkg.name,
      version: native.pkg.version,
      location: native.pkg.location,
      strategies: strategyNames(native),
      predictions,
    });
  }

  for (const pkg of unknownPackages) {
    packages.push({
      name: pkg.name,
      version: pkg.version,
      location: pkg.location,
      strategies: [],
      predictions: unknownPredictions(pkg, targets),
    });
  }
  packages.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));

  const { kept, ignored } = applyIgnore(findings, input.config);
  return {
    schemaVersion: 1,
    root: tree.root,
    mode: tree.mode,
    targets,
    packages,
    findings: sortFindings(kept),
    ignored,
  };
}

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
  if (npm.nodedir) toolConfig.nodedir = npm.nodedir;
  if (npm.devdir) toolConfig.devdir = npm.devdir;
  // nothing inside the project (its node_modules/.bin above all) is run to learn the toolchain
  const host = await detectHost(hostEnv, toolConfig, { projectRoot: root });
  const specs = options.targets?.length ? options.targets : (config.targets ?? ['host']);
  const ctx: TargetContext = { host, today: options.today ?? new Date().toISOString().slice(0, 10) };
  if (options.arch) ctx.arch = options.arch;
  // --- Dockerfile check: the image becomes a target (--dockerfile); the context leak check always runs ---
  const docker = dockerForCheck(root, options, ctx, inspectFile);
  const targets = withDockerTarget(resolveTargets(specs, ctx), docker);
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
  let report = analyze(input);
  if (loaded.fetched) report.fetched = loaded.fetched;
  if (options.online)
    report = await settleDownloads(input, report, npm, hostEnv.env, options, analyze, applyIgnore);
  report = applyScriptPolicies(report, input.tree, readScriptPolicies(root, npm), config, applyIgnore);
  if (docker) {
    const { findings, summary } = dockerCheckResults(docker, report.packages);
    const { kept, ignored } = applyIgnore(findings, config);
    report.findings = sortFindings([...report.findings, ...kept]);
    report.ignored += ignored;
    report.docker = summary;
  }
  return report;
}
