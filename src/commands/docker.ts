import { resolve } from 'node:path';
import { inspectFile } from '../binary/facts.js';
import { analyzeDockerBuild } from '../docker/analyze.js';
import type { DockerOptions } from '../docker/analyze.js';
import { DOCKER_FLAGS, parseBuildArgs } from './docker-options.js';
import { summarizeDocker } from '../docker/summary.js';
import { applyIgnore, readProjectConfig } from '../config.js';
import { sortFindings } from '../model/findings.js';
import { describeTarget, renderFinding, summaryLine } from '../report/check-text.js';
import { renderDockerSummary } from '../report/docker-text.js';
import { dockerSummaryJson, findingJson, targetJson } from '../report/json.js';
import { makeStyle, wantsColor } from '../report/style.js';
import { currentHostEnvironment, detectHost } from '../targets/index.js';
import type { TargetContext } from '../targets/index.js';
import { parseCommandArgs } from './args.js';
import { today } from '../targets/releases.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types.js';
import type { Command } from './types.js';

const HELP = `Usage: native-guard docker [--dockerfile <path>] [options]

Reads a Dockerfile and its build context without Docker: which stage is the image and which Node,
libc and arch it runs, which stage runs npm ci and whether python3/make/g++ are there, and which
node_modules folders and .node files the build context sends and COPY/ADD put into the image. Each
such binary is checked against the image (Node ABI, libc, arch, glibc). .dockerignore is applied
with Docker's own rules (BuildKit's, including <Dockerfile>.dockerignore and ! exceptions).

Options:
      --dockerfile <path>       the Dockerfile (default: Dockerfile in the project folder)
      --build-arg <NAME=value>  ARG value, as for docker build (repeatable; NAME alone reads the environment)
      --docker-target <stage>   the stage that is the image (default: the last), like docker build --target
      --docker-context <dir>    build context folder (default: the project folder)
      --arch <arch>             the platform the image is built for (default: this machine's), like
                                docker build --platform linux/<arch>; FROM --platform overrides it per stage
  -C, --cwd <dir>               project folder (default: the current directory)
      --json                    JSON report (schemaVersion 1)
      --debug                   print stack traces for unexpected errors

"native-guard check --dockerfile" does the same and also predicts every native package for the image.
Every finding code is explained in docs/findings.md.`;

export const dockerCommand: Command = {
  name: 'docker',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...DOCKER_FLAGS, arch: { type: 'string' } });
    if (values.help) return { stdout: HELP + '\n', exitCode: EXIT_OK };
    if (positionals.length)
      throw new UsageError(
        `docker takes no positional arguments (got "${positionals[0]}"); use --dockerfile`,
      );
    const root = resolve(io.cwd, values.cwd ?? '.');
    // nothing inside the project is run to learn the host's toolchain
    const host = await detectHost(currentHostEnvironment(), {}, { projectRoot: root });
    const ctx: TargetContext = { host, today: today(io.env) };
    if (values.arch) ctx.arch = values.arch;
    const options: DockerOptions = {
      root,
      dockerfile: values.dockerfile ?? 'Dockerfile',
      targetContext: ctx,
      readFacts: inspectFile,
    };
    const buildArgs = parseBuildArgs(values['build-arg'], io.env);
    if (buildArgs) options.buildArgs = buildArgs;
    if (values['docker-target'] !== undefined) options.stage = values['docker-target'];
    if (values['docker-context'] !== undefined) options.context = resolve(root, values['docker-context']);
    const analysis = analyzeDockerBuild(options);
    // the project's "nativeGuard.ignore" applies here as in check and verify
    const { kept, ignored } = applyIgnore(analysis.findings, readProjectConfig(root));
    const findings = sortFindings(kept);
    const summary = summarizeDocker(analysis, true);
    const imageTargets = [analysis.finalTarget, analysis.installTarget].filter((t) => t != null);
    const exitCode = findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
    if (values.json) {
      const json = {
        schemaVersion: 1,
        root,
        ...dockerSummaryJson(summary),
        targets: {
          final: analysis.finalTarget ? targetJson(analysis.finalTarget) : null,
          install: analysis.installTarget ? targetJson(analysis.installTarget) : null,
        },
        findings: findings.map((f) => findingJson(f, imageTargets)),
        ignored,
      };
      return { stdout: JSON.stringify(json, null, 2) + '\n', exitCode };
    }
    const s = makeStyle(wantsColor(io.isTTY, io.env));
    const out: string[] = [`${s.bold('native-guard docker')} ${root}`, ''];
    const [head, ...rest] = renderDockerSummary(s, summary);
    out.push(head!.replace(/ \(image target added\)$/, ''), ...rest);
    if (analysis.stages.length) {
      out.push('', s.bold('Stages'));
      for (const st of analysis.stages) {
        out.push(
          `  ${String(st.index).padEnd(2)} ${(st.name ?? '').padEnd(12)} ${st.image}${st.platform ? ` --platform=${st.platform}` : ''} ${s.dim(`(line ${st.line})`)}`,
        );
      }
    }
    // one stage: the image is where npm ci runs (with the tools the Dockerfile adds)
    const multiStage = analysis.plan?.copiedBy != null;
    const image = multiStage ? analysis.finalTarget : (analysis.installTarget ?? analysis.finalTarget);
    if (image || analysis.installTarget) {
      out.push('', s.bold('Targets'));
      if (multiStage && analysis.installTarget)
        out.push(`  npm ci  ${analysis.installTarget.id}: ${describeTarget(analysis.installTarget)}`);
      if (image) out.push(`  image   ${image.id}: ${describeTarget(image)}`);
    }
    if (findings.length) {
      out.push('', s.bold('Findings'));
      for (const f of findings) out.push(...renderFinding(s, f, imageTargets));
    }
    out.push('', summaryLine(s, findings, ignored));
    return { stdout: out.join('\n') + '\n', exitCode };
  },
};
