import type { DockerAnalysis } from './analyze.js';
import type { DockerSummary } from '../model/reports.js';

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
