// The pure part of `check`: a loaded tree and resolved targets in, predictions and findings out.
import { applyIgnore } from '../config.js';
import type { ProjectConfig } from '../config.js';
import type { FactsReader } from '../io/files.js';
import { folderFiles } from '../io/files.js';
import { sortFindings } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { LockEntry, PackageFiles, PackageRecord, ProjectTree } from '../model/package.js';
import type { NativePackage, Prediction, PredictContext } from '../model/prediction.js';
import type { CheckReport, PackageReport } from '../model/reports.js';
import type { Target } from '../model/target.js';
import { detectNative, strategyNames } from '../strategies/detect.js';
import { evaluateChain } from '../strategies/predict.js';
import type { EvaluateOptions } from '../strategies/predict.js';
import { candidateResolver, platformPackageLocations } from '../strategies/tree-view.js';
import { treeProblemFindings } from '../tree/problems.js';
import {
  isUnknownPackage,
  lockfileRefusal,
  lostLibcFindings,
  refusedPrediction,
  unavailableFindings,
  unknownPredictions,
} from './lockfile.js';

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
  const refusal = lockfileRefusal(tree);
  if (refusal) {
    findings.push(...refusal.findings);
    for (const p of packages) p.predictions = p.predictions.map((x) => refusedPrediction(x, refusal.missing));
  }

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
