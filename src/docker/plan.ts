/**
 * From a parsed Dockerfile to targets: which stage is the image (the last, or `--docker-target`), which
 * stage runs `npm ci` and with which compiler tools, and whether the image gets node_modules from that
 * stage through `COPY --from`. Pure: the target context (host, arch, date) comes in as an argument.
 */
import { DEBIAN_RELEASES } from '../targets/data/images.js';
import { parseTarget, TargetError } from '../targets/index.js';
import type { TargetContext } from '../targets/index.js';
import { CodedError } from '../model/errors.js';
import type { DockerErrorFact } from '../model/errors.js';
import type { Target, Toolchain } from '../model/target.js';
import type { BaseImageProblem } from '../model/findings.js';
import { resolveStageRef } from './dockerfile.js';
import type { CopyStep, DockerfileModel, RunStep, Stage } from './dockerfile.js';
import type { NpmStepKind, ToolInstall } from './shell.js';

/** Docker's platform arch names → Node's. */
const DOCKER_ARCHES: Record<string, string> = {
  amd64: 'x64',
  x86_64: 'x64',
  arm64: 'arm64',
  aarch64: 'arm64',
  arm: 'arm',
  '386': 'ia32',
  ppc64le: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};
const NODE_TO_DOCKER: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

export const dockerPlatformOf = (arch: string): string =>
  `linux/${NODE_TO_DOCKER[arch] ?? arch}${arch === 'arm' ? '/v7' : ''}`;

/** `linux/arm64` → `arm64` (Node's name); null for anything that is not a Linux platform we know. */
export function archOfPlatform(platform: string): string | null {
  const [os, arch] = platform.trim().toLowerCase().split('/');
  if (os !== 'linux' || !arch) return null;
  return DOCKER_ARCHES[arch] ?? null;
}

/** BuildKit's automatic platform ARGs for a build on `hostArch` that targets `targetArch`. */
export function platformArgs(hostArch: string, targetArch: string): Record<string, string> {
  const split = (arch: string) => {
    const platform = dockerPlatformOf(arch);
    const [os, a, variant] = platform.split('/');
    return { platform, os: os!, arch: a!, variant: variant ?? '' };
  };
  const b = split(hostArch);
  const t = split(targetArch);
  return {
    BUILDPLATFORM: b.platform,
    BUILDOS: b.os,
    BUILDARCH: b.arch,
    BUILDVARIANT: b.variant,
    TARGETPLATFORM: t.platform,
    TARGETOS: t.os,
    TARGETARCH: t.arch,
    TARGETVARIANT: t.variant,
  };
}

export interface StageTarget {
  stage: Stage;
  /** The image at the root of the stage's FROM chain, as resolved (`node:22-alpine`). */
  image: string;
  /** Node arch the stage runs on (its `--platform`, else the build's target platform). */
  arch: string;
  /** Whether `--platform` chose the arch (then the target id says so). */
  platformSet: boolean;
  target: Target | null;
  problem: BaseImageProblem | null;
}

export interface InstallSite {
  stage: Stage;
  step: RunStep;
  kind: NpmStepKind;
  /** Compiler tools the Dockerfile installs in the stage chain before this step. */
  installed: ToolInstall;
}

export interface DockerPlan {
  final: StageTarget;
  /** Where `npm ci` (or install/yarn/pnpm) runs for the image; null when the Dockerfile never installs. */
  install: InstallSite | null;
  /** The target that install runs on: its stage's image with the tools the Dockerfile adds. */
  installTarget: StageTarget | null;
  /** The `COPY --from=<stage>` that brings the install's node_modules into the final stage. */
  copiedBy: CopyStep | null;
  /** `RUN … native-guard verify` in the final stage chain. */
  verifyGate: RunStep | null;
}

export interface PlanOptions {
  /** `--docker-target <stage>`: name or index of the stage that is the image; default the last. */
  stage?: string;
}

/** A Dockerfile with no stage to plan (no FROM, or no `--docker-target` stage); report/error-words.ts words it. */
export class DockerPlanError extends CodedError<'docker'> {
  constructor(fact: DockerErrorFact) {
    super('docker', fact, 'EDOCKERFILE');
    this.name = 'DockerPlanError';
  }
}

/** Stages from the root of `stage`'s FROM chain down to `stage`. */
export function stageChain(stages: Stage[], stage: Stage): Stage[] {
  const chain: Stage[] = [stage];
  let current = stage;
  while (current.baseStage !== null && chain.length <= stages.length) {
    current = stages[current.baseStage]!;
    chain.unshift(current);
  }
  return chain;
}

const DISTROLESS_RE =
  /^(?:gcr\.io|[a-z0-9.-]+\.pkg\.dev\/[^/]+\/[^/]+)\/distroless\/nodejs(\d+)-debian(\d+)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/;
const DEBIAN_CODENAMES: Record<string, string> = { '11': 'bullseye', '12': 'bookworm', '13': 'trixie' };

/**
 * `gcr.io/distroless/nodejs22-debian12`: the name says the Node line and the Debian release; the image
 * is Debian's libc6 plus Node's official Linux build, with no shell, package manager or compiler.
 */
function distrolessTarget(image: string, ctx: TargetContext): Target | null {
  const m = DISTROLESS_RE.exec(image);
  if (!m) return null;
  const codename = DEBIAN_CODENAMES[m[2]!];
  const release = codename ? DEBIAN_RELEASES[codename] : undefined;
  if (!codename || !release) return null;
  const arch = ctx.arch ?? ctx.host.arch;
  const base = parseTarget(`node${m[1]}-linux-${arch}-glibc${release.libcVersion}`, ctx);
  return {
    ...base,
    id: image,
    toolchain: { python: false, make: false, cxx: false, known: true },
    image: {
      image,
      variant: `distroless-debian${m[2]}`,
      distro: 'debian',
      release: codename,
      pythonVersion: null,
    },
  };
}

export function stageTarget(stages: Stage[], stage: Stage, ctx: TargetContext): StageTarget {
  const chain = stageChain(stages, stage);
  const root = chain[0]!;
  const platformStage = [...chain].reverse().find((s) => s.platform !== null);
  const defaultArch = ctx.arch ?? ctx.host.arch;
  const base = { stage, image: root.image, arch: defaultArch, platformSet: false, target: null };
  if (platformStage?.platform) {
    const arch = archOfPlatform(platformStage.platform);
    if (arch === null) {
      return {
        ...base,
        problem: { reason: 'bad-platform', platform: platformStage.platform },
      };
    }
    base.arch = arch;
    base.platformSet = arch !== defaultArch;
  }
  const image = root.image;
  if (image === '' || image.includes('$')) {
    return { ...base, problem: { reason: 'unresolved' } };
  }
  if (image.toLowerCase() === 'scratch') {
    return { ...base, problem: { reason: 'scratch' } };
  }
  const targetCtx: TargetContext = { ...ctx, arch: base.arch };
  const id = base.platformSet ? `${image} (${dockerPlatformOf(base.arch)})` : image;
  try {
    const distroless = distrolessTarget(image, targetCtx);
    const target = distroless ?? parseTarget(image, targetCtx);
    return { ...base, target: { ...target, id }, problem: null };
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    const reason =
      err.reason === 'not-node-image' || err.reason === 'unknown-form' ? 'not-node-image' : 'unknown-tag';
    return { ...base, problem: { reason, targetError: err.fact } };
  }
}

const INSTALL_ORDER: NpmStepKind[] = ['npm-ci', 'npm-install', 'yarn-install', 'pnpm-install', 'npm-rebuild'];

/** The first node_modules install in the chain, with the tools installed before it. */
function findInstall(stages: Stage[], stage: Stage): InstallSite | null {
  const installed: ToolInstall = { python: false, make: false, cxx: false };
  for (const s of stageChain(stages, stage)) {
    for (const step of s.steps) {
      if (step.kind !== 'run') continue;
      const npm = [...step.shell.npm].sort(
        (a, b) => INSTALL_ORDER.indexOf(a.kind) - INSTALL_ORDER.indexOf(b.kind) || a.at - b.at,
      )[0];
      for (const t of step.shell.toolInstalls) {
        if (npm && t.at > npm.at) continue;
        installed.python ||= t.python;
        installed.make ||= t.make;
        installed.cxx ||= t.cxx;
      }
      if (npm) return { stage: s, step, kind: npm.kind, installed: { ...installed } };
    }
  }
  return null;
}

/** Whether a `COPY --from` source brings node_modules: the folder itself, or a folder that holds it. */
function copiesNodeModules(copy: CopyStep, install: InstallSite): boolean {
  const workdir = install.step.workdir.replace(/\/$/, '');
  const nodeModules = `${workdir === '' ? '' : workdir}/node_modules`;
  return copy.sources.some((src) => {
    const s = src.replace(/\/+$/, '').replace(/\/\.$/, '') || '/';
    if (s.includes('node_modules')) return true;
    return s === '/' || nodeModules.startsWith(`${s}/`);
  });
}

export function planDockerfile(
  model: DockerfileModel,
  ctx: TargetContext,
  options: PlanOptions = {},
): DockerPlan {
  const { stages } = model;
  if (stages.length === 0) throw new DockerPlanError({ why: 'no-from' });
  let final = stages[stages.length - 1]!;
  if (options.stage !== undefined) {
    const ref = resolveStageRef(stages, options.stage, stages.length);
    if (typeof ref !== 'number') {
      const names = stages.map((s) => s.name ?? String(s.index));
      throw new DockerPlanError({ why: 'no-such-stage', stage: options.stage, stages: names });
    }
    final = stages[ref]!;
  }
  const finalTarget = stageTarget(stages, final, ctx);
  const chain = stageChain(stages, final);
  const verifyGate =
    chain.flatMap((s) => s.steps).find((s): s is RunStep => s.kind === 'run' && s.shell.verify) ?? null;

  let install = findInstall(stages, final);
  let copiedBy: CopyStep | null = null;
  if (!install) {
    // the multi-stage pattern: node_modules installed in a build stage and copied in
    const copies = chain
      .flatMap((s) => s.steps.map((step) => ({ s, step })))
      .filter((x): x is { s: Stage; step: CopyStep } => x.step.kind === 'copy' && x.step.from !== null);
    for (const { s, step } of copies) {
      const ref = resolveStageRef(stages, step.from!, s.index);
      if (typeof ref !== 'number') continue;
      const site = findInstall(stages, stages[ref]!);
      if (site && copiesNodeModules(step, site)) {
        install = site;
        copiedBy = step;
        break;
      }
    }
  }
  let installTarget: StageTarget | null = null;
  if (install) {
    const st = copiedBy ? stageTarget(stages, install.stage, ctx) : { ...finalTarget };
    if (st.target) st.target = withInstalledTools(st.target, install.installed);
    installTarget = st;
  }
  return { final: finalTarget, install, installTarget, copiedBy, verifyGate };
}

/** The image's own tools plus those the Dockerfile installs before `npm ci`. */
function withInstalledTools(target: Target, installed: ToolInstall): Target {
  const tc = target.toolchain;
  if (!installed.python && !installed.make && !installed.cxx) return target;
  const toolchain: Toolchain = {
    python: tc.python || installed.python,
    make: tc.make || installed.make,
    cxx: tc.cxx || installed.cxx,
    known: true,
  };
  return { ...target, toolchain };
}
