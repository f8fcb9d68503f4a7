/**
 * The multi-stage rule: node_modules installed (downloaded or compiled) in a build stage must load in
 * the final stage they are copied into. A prediction for the build stage's target gives the binary
 * and its facts; the final stage's target decides whether it loads. Pure.
 */
import { checkFactsAgainstTarget } from '../binary/compat.js';
import type { FactsMismatch, BinaryFacts, ModuleKind } from '../model/binary.js';
import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { Evidence, Prediction } from '../model/prediction.js';
import type { Target } from '../model/target.js';
import type { DockerAnalysis } from './analyze.js';
import { instructionEvidence } from './analyze.js';

export interface PackagePredictions {
  name: string;
  version: string;
  location: string;
  predictions: Prediction[];
}

function factsFromEvidence(e: Extract<Evidence, { kind: 'binary-facts' }>): BinaryFacts {
  const module: ModuleKind =
    e.module === 'napi'
      ? { kind: 'napi' }
      : e.module === 'abi'
        ? { kind: 'abi', abi: e.abi }
        : { kind: 'unknown' };
  return {
    format: e.format as BinaryFacts['format'],
    arch: e.arches[0] ?? null,
    arches: e.arches,
    platform: e.platform,
    libc: e.libc as BinaryFacts['libc'],
    needed: [],
    glibcVersion: e.glibcVersion,
    glibcxxVersion: null,
    module,
    napiVersion: e.napiVersion,
    notes: [],
  };
}

/**
 * What the install stage produced for a package, as facts: the picked binary's own facts when it was
 * read; otherwise (a source build, a download) a binary made for the install stage's platform.
 */
function producedFacts(prediction: Prediction, install: Target): BinaryFacts {
  if (prediction.facts) return prediction.facts;
  const read = prediction.evidence.find(
    (e): e is Extract<Evidence, { kind: 'binary-facts' }> =>
      e.kind === 'binary-facts' && (prediction.binary === undefined || e.file === prediction.binary),
  );
  if (read) return factsFromEvidence(read);
  return {
    format: 'elf',
    arch: install.arch,
    arches: [install.arch],
    platform: install.platform,
    libc: install.libc,
    needed: [],
    glibcVersion: null,
    glibcxxVersion: null,
    module: { kind: 'unknown' },
    napiVersion: null,
    notes: [],
  };
}

export function stageMismatchFindings(analysis: DockerAnalysis, packages: PackagePredictions[]): Finding[] {
  const plan = analysis.plan;
  const install = analysis.installTarget;
  const final = analysis.finalTarget;
  if (!plan?.copiedBy || !plan.install || !install || !final) return [];
  const out: Finding[] = [];
  for (const pkg of packages) {
    const prediction = pkg.predictions.find((p) => p.target === install.id);
    if (!prediction || prediction.outcome === 'fails') continue;
    const mismatches: FactsMismatch[] = checkFactsAgainstTarget(producedFacts(prediction, install), final);
    // A binary compiled in the build stage can't be read before it exists. Built against glibc and
    // loaded on musl, it works only if it happens to use nothing glibc-specific: say so, as a warning.
    const builtElsewhere =
      prediction.outcome === 'source-build' &&
      mismatches.length === 0 &&
      install.libc !== null &&
      final.libc !== null &&
      install.libc !== final.libc;
    if (builtElsewhere) {
      mismatches.push({
        code: 'LIBC_MISMATCH',
        binaryLibc: install.libc!,
        targetLibc: final.libc!,
        missingLibraries: [],
        missingSymbols: [],
        missingSymbolCount: 0,
      });
    }
    if (mismatches.length === 0) continue;
    // node-gyp-build and pkg-prebuilds choose among the bundled prebuilds again when the addon loads
    const repicked =
      (prediction.strategy === 'node-gyp-build' || prediction.strategy === 'pkg-prebuilds') &&
      prediction.outcome === 'prebuilt';
    out.push(
      makeFinding(
        'DOCKER_STAGE_MISMATCH',
        {
          package: `${pkg.name}@${pkg.version}`,
          location: pkg.location,
          target: final.id,
          ...(repicked || builtElsewhere ? { severity: 'warning' as const } : {}),
        },
        {
          dockerfile: analysis.dockerfile,
          installStage: plan.install.stage.name ?? String(plan.install.stage.index),
          installTarget: install.id,
          via: instructionEvidence(analysis.dockerfile, plan.copiedBy.ref),
          binary: prediction.binary ?? null,
          outcome: prediction.outcome,
          mismatches,
          repickedAtLoad: repicked,
        },
      ),
    );
  }
  return out;
}
