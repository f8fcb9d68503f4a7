import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { inspectFile } from './binary/facts.js';
import { readProjectConfig } from './config.js';
import type { ProjectConfig } from './config.js';
import { makeFinding, sortFindings } from './findings.js';
import {
  isUnknownPackage,
  lostLibcFindings,
  unavailableFindings,
  unknownPredictions,
} from './lockfile-findings.js';
import type { Finding } from './findings.js';
import { detectNative, strategyNames } from './strategies/detect.js';
import { evaluateChain } from './strategies/predict.js';
import type { EvaluateOptions } from './strategies/predict.js';
import type {
  NativePackage,
  PackageFiles,
  PlatformCandidate,
  Prediction,
  PredictContext,
} from './strategies/types.js';
import { currentHostEnvironment, detectHost, resolveTargets } from './target/index.js';
import type { HostEnvironment, NpmToolConfig, TargetContext } from './target/index.js';
import type { Target } from './target/types.js';
import { applyScriptPolicies, beginTreeLoad, loadTreeForCheck, settleDownloads } from './check-steps.js';
import type { CheckStepOptions } from './check-steps.js';
import type { ScriptPolicySummary } from './install-policy.js';
import type { UrlCheck } from './net/url-check.js';
import { readScriptPolicies } from './tree/script-policy.js';
import { loadNpmConfig } from './tree/npm-config.js';
import { folderFiles } from './tree/files.js';
import type { FactsReader } from './tree/files.js';
import { resolveFrom } from './tree/resolve.js';
import type { LockEntry, PackageRecord, ProjectTree, TreeProblem } from './tree/types.js';

export interface PackageReport {
  name: string;
  version: string;
  location: string;
  strategies: string[];
  predictions: Prediction[];
}

export interface CheckReport {
  schemaVersion: 1;
  root: string;
  mode: ProjectTree['mode'];
  targets: Target[];
  packages: PackageReport[];
  findings: Finding[];
  /** Findings dropped by the `ignore` config, counted so the output can say so. */
  ignored: number;
  /** Lockfile mode: what was read from the registry (npm's cache first). */
  fetched?: { tarballs: number; manifests: number; unavailable: number; offline: boolean };
  /** `--online`: every download URL checked, with what answered. */
  online?: { checks: UrlCheck[] };
  /** Install-script policies applied, and the allowScripts block that keeps every target working. */
  scriptPolicy?: ScriptPolicySummary;
}

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
  const byLocation = new Map(tree.packages.map((p) => [p.location, p]));
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
  const resolverFor =
    (pkg: PackageRecord) =>
    (name: string, spec: string): PlatformCandidate => {
      const dep = pkg.dependencies.find((d) => d.name === name);
      const record =
        dep?.location != null ? byLocation.get(dep.location) : resolveFrom(byLocation, pkg.location, name);
      if (record)
        return record.unavailable ? { source: 'unavailable', record } : { source: 'installed', record };
      const entry = resolveFrom(lockEntries, pkg.location, name);
      if (entry) return { source: 'lockfile', entry };
      const unlocked = pkg.unlocked?.find((u) => u.name === name && !u.unavailable);
      if (unlocked) return { source: 'registry', unlocked };
      return { source: 'missing', name, spec };
    };

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
  // platform packages are reported through the package that picks them, not as packages of their own
  const platformLocations = new Set<string>();
  for (const native of natives) {
    const resolve = resolverFor(native.pkg);
    for (const link of native.chain) {
      if (link.strategy !== 'platform-packages') continue;
      for (const name of link.candidates) {
        const cand = resolve(name, '*');
        if (cand.source === 'installed') platformLocations.add(cand.record.location);
      }
    }
  }

  const findings: Finding[] = problemFindings(tree.problems);
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

export function applyIgnore(
  findings: Finding[],
  config: ProjectConfig,
): { kept: Finding[]; ignored: number } {
  const ignore = new Set(config.ignore ?? []);
  const allowBuild = new Set(config.allowSourceBuild ?? []);
  const nameOf = (id: string | undefined) =>
    id ? id.slice(0, id.lastIndexOf('@') > 0 ? id.lastIndexOf('@') : id.length) : '';
  const kept = findings.filter((f) => {
    const name = nameOf(f.package);
    if (ignore.has(f.code) || (name && ignore.has(name))) return false;
    if (f.code === 'SOURCE_BUILD_REQUIRED' && allowBuild.has(name)) return false;
    return true;
  });
  return { kept, ignored: findings.length - kept.length };
}

function problemFindings(problems: TreeProblem[]): Finding[] {
  return problems.map((p) => {
    const evidence = { path: p.path, errorCode: p.errorCode, detail: p.detail };
    const where = { location: p.location };
    switch (p.kind) {
      case 'package-json-invalid':
        return makeFinding('PACKAGE_JSON_INVALID', where, evidence);
      case 'link-broken':
        return makeFinding('LINK_BROKEN', where, evidence);
      case 'folder-unreadable':
        return makeFinding('FOLDER_UNREADABLE', where, evidence);
      case 'lockfile-invalid':
        return makeFinding('LOCKFILE_INVALID', where, evidence);
    }
  });
}

export interface CheckOptions extends CheckStepOptions {
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
  const host = await detectHost(hostEnv, toolConfig);
  const specs = options.targets?.length ? options.targets : (config.targets ?? ['host']);
  const ctx: TargetContext = { host, today: options.today ?? new Date().toISOString().slice(0, 10) };
  if (options.arch) ctx.arch = options.arch;
  const targets = resolveTargets(specs, ctx);
  const loaded = await loadTreeForCheck(treeLoad, npm, targets, options);
  const input: AnalyzeInput = {
    ...loaded.input,
    targets,
    config,
    env: hostEnv.env,
    npmCache: npm.cache,
    readFacts: inspectFile,
    cacheHas: (path) => existsSync(path),
  };
  let report = analyze(input);
  if (loaded.fetched) report.fetched = loaded.fetched;
  if (options.online)
    report = await settleDownloads(input, report, npm, hostEnv.env, options, analyze, applyIgnore);
  return applyScriptPolicies(report, input.tree, readScriptPolicies(root, npm), config, applyIgnore);
}
