/**
 * How `check` uses the Dockerfile check: with `--dockerfile`, the image (where `npm ci` runs, with the
 * tools the Dockerfile installs) becomes one more target and the multi-stage rule applies; a
 * `Dockerfile` in the project root is found by itself and gets the build-context leak check only.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BinaryFacts } from '../model/binary.js';
import type { Finding } from '../model/findings.js';
import type { TargetContext } from '../targets/index.js';
import type { Target } from '../model/target.js';
import { analyzeDockerBuild, DockerfileError } from './analyze.js';
import type { DockerAnalysis } from './analyze.js';
import { stageMismatchFindings } from './stages.js';
import type { PackagePredictions } from './stages.js';
import { summarizeDocker } from './summary.js';
import type { DockerSummary } from '../model/reports.js';

export interface DockerCheckOptions {
  /** A Dockerfile path (`--dockerfile`); false skips it (`--no-dockerfile`); unset finds `./Dockerfile`. */
  dockerfile?: string | false;
  /** Build context folder (`--docker-context`), default the project folder. */
  dockerContext?: string;
  /** `--build-arg NAME=value`. */
  buildArgs?: Record<string, string>;
  /** `--docker-target <stage>`. */
  dockerTarget?: string;
}

export interface DockerForCheck {
  analysis: DockerAnalysis;
  explicit: boolean;
}

export function dockerForCheck(
  root: string,
  options: DockerCheckOptions,
  ctx: TargetContext,
  readFacts: (path: string) => BinaryFacts,
): DockerForCheck | null {
  if (options.dockerfile === false) return null;
  const explicit = options.dockerfile !== undefined;
  const path = resolve(root, options.dockerfile ?? 'Dockerfile');
  if (!existsSync(path)) {
    if (explicit) throw new DockerfileError({ why: 'no-dockerfile', path });
    return null;
  }
  const analysis = analyzeDockerBuild({
    root,
    dockerfile: path,
    ...(options.dockerContext !== undefined ? { context: options.dockerContext } : {}),
    ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
    ...(options.dockerTarget !== undefined ? { stage: options.dockerTarget } : {}),
    targetContext: ctx,
    readFacts,
  });
  return { analysis, explicit };
}

/** The targets `analyze` runs on: the user's, plus the image when `--dockerfile` asked for it. */
export function withDockerTarget(targets: Target[], docker: DockerForCheck | null): Target[] {
  const image = docker?.explicit ? docker.analysis.installTarget : null;
  if (!image) return targets;
  const same = targets.find((t) => t.id === image.id);
  if (same && JSON.stringify(same) === JSON.stringify(image)) return targets;
  // the same image named with --target has the image's own tools, not the ones the Dockerfile adds
  const id = same ? `${image.id} (Dockerfile)` : image.id;
  if (same) {
    docker!.analysis.installTarget = { ...image, id };
    if (docker!.analysis.plan?.installTarget?.target)
      docker!.analysis.plan.installTarget.target = { ...image, id };
  }
  return [...targets, { ...image, id }];
}

/** Findings and summary the Dockerfile check adds to a check report. */
export function dockerCheckResults(
  docker: DockerForCheck,
  packages: PackagePredictions[],
): { findings: Finding[]; summary: DockerSummary } {
  const findings = [...docker.analysis.findings];
  if (docker.explicit) findings.push(...stageMismatchFindings(docker.analysis, packages));
  return { findings, summary: summarizeDocker(docker.analysis, docker.explicit) };
}
