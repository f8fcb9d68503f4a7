import type { DockerAnalysis, BinarySent, StageSummary } from './analyze.js';

/** What the Dockerfile check found, as plain data for the reports (text and JSON). */
export interface DockerSummary {
  dockerfile: string;
  /** Whether `--dockerfile` asked for it (image target added) or a Dockerfile was found (leak check only). */
  explicit: boolean;
  context: string;
  dockerignore: string | null;
  stages: StageSummary[];
  final: { stage: string; image: string; target: string | null } | null;
  install: {
    stage: string;
    line: number;
    command: string;
    target: string | null;
    /** Line of the `COPY --from` that brings node_modules into the final stage (multi-stage builds). */
    copiedAt: number | null;
  } | null;
  /** Line of a `RUN … native-guard verify` in the final stage chain. */
  verifyGate: number | null;
  scan: {
    entries: number;
    truncated: boolean;
    nodeModules: Array<{ path: string; files: number }>;
    binaries: BinarySent[];
  } | null;
}

export function summarizeDocker(analysis: DockerAnalysis, explicit: boolean): DockerSummary {
  const plan = analysis.plan;
  const label = (s: { name: string | null; index: number }) => s.name ?? String(s.index);
  return {
    dockerfile: analysis.dockerfile,
    explicit,
    context: analysis.context,
    dockerignore: analysis.dockerignore,
    stages: analysis.stages,
    final: plan
      ? { stage: label(plan.final.stage), image: plan.final.image, target: plan.final.target?.id ?? null }
      : null,
    install: plan?.install
      ? {
          stage: label(plan.install.stage),
          line: plan.install.step.ref.line,
          command: plan.install.kind,
          target: analysis.installTarget?.id ?? null,
          copiedAt: plan.copiedBy?.ref.line ?? null,
        }
      : null,
    verifyGate: plan?.verifyGate?.ref.line ?? null,
    scan: analysis.scan
      ? {
          entries: analysis.scan.entries,
          truncated: analysis.scan.truncated,
          nodeModules: analysis.scan.nodeModules.map((n) => ({ path: n.path, files: n.files })),
          binaries: analysis.binaries,
        }
      : null,
  };
}
