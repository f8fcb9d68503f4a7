/**
 * The Dockerfile check as a whole: read the Dockerfile and ignore file, plan stages and targets, walk
 * the build context, place its node_modules and `.node` files into the final image and judge the
 * binaries against the image target. I/O happens here (reading files, walking the context, reading
 * binary headers through the injected `readFacts`); the rules live in the modules it calls.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { checkFactsAgainstTarget } from '../binary/compat.js';
import type { BinaryFacts } from '../model/binary.js';
import { makeFinding } from '../model/findings.js';
import type { DockerInstructionEvidence, Finding } from '../model/findings.js';
import type { BinarySent, StageSummary } from '../model/reports.js';
import type { TargetContext } from '../targets/index.js';
import type { Target } from '../model/target.js';
import { FILE_LIMITS, readRegularFile } from '../io/files.js';
import { CodedError } from '../model/errors.js';
import type { DockerErrorFact } from '../model/errors.js';
import { DEFAULT_CONTEXT_LIMITS, placeInStage, scanContext } from './context.js';
import type { ContextLimits, ContextScan } from './context.js';
import { parseDockerfile } from './dockerfile.js';
import type { DockerfileModel, InstructionRef, Stage } from './dockerfile.js';
import { compileIgnore } from './ignore.js';
import { planDockerfile, platformArgs } from './plan.js';
import type { DockerPlan, StageTarget } from './plan.js';

export interface DockerOptions {
  /** Project folder: paths in findings are relative to it. */
  root: string;
  /** Dockerfile path (absolute, or relative to `root`). */
  dockerfile: string;
  /** Build context folder; default `root` (what `docker build .` in the project sends). */
  context?: string;
  buildArgs?: Record<string, string>;
  /** `--docker-target`: the stage that is the image. */
  stage?: string;
  /** Host, `--arch` (the build's target platform) and date, as for `parseTarget`. */
  targetContext: TargetContext;
  readFacts: (path: string) => BinaryFacts;
  limits?: ContextLimits;
}

export interface DockerAnalysis {
  dockerfile: string;
  context: string;
  /** The ignore file in use, relative to the project; null when there is none. */
  dockerignore: string | null;
  stages: StageSummary[];
  plan: DockerPlan | null;
  /** The target `npm ci` runs on (its stage's image plus the tools the Dockerfile installs). */
  installTarget: Target | null;
  /** The final image's target: where the addons load. */
  finalTarget: Target | null;
  scan: ContextScan | null;
  binaries: BinarySent[];
  findings: Finding[];
}

/** A Dockerfile, ignore file or build context that cannot be read; report/error-words.ts words it. */
export class DockerfileError extends CodedError<'docker'> {
  constructor(fact: DockerErrorFact) {
    super('docker', fact, 'EDOCKERFILE');
    this.name = 'DockerfileError';
  }
}

const rel = (root: string, path: string): string => relative(root, path).split(sep).join('/') || '.';

/**
 * BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile before the context's `.dockerignore`
 * (Dockerfile 1.4+ frontends, Docker 23+).
 */
export function findIgnoreFile(dockerfile: string, context: string): string | null {
  const beside = `${dockerfile}.dockerignore`;
  if (existsSync(beside)) return beside;
  const inContext = resolve(context, '.dockerignore');
  return existsSync(inContext) ? inContext : null;
}

const stageLabel = (s: Stage): string => s.name ?? String(s.index);

export function instructionEvidence(dockerfile: string, ref: InstructionRef): DockerInstructionEvidence {
  return { dockerfile, line: ref.line, text: ref.text };
}

/** The Dockerfile or ignore file, read bounded: a FIFO or a link to /dev/zero is an error, not a hang. */
function readText(path: string, what: 'Dockerfile' | 'ignore file'): string {
  try {
    return readRegularFile(path, FILE_LIMITS.config);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { limit?: number };
    const [code, limit] = [e.code ?? null, typeof e.limit === 'number' ? e.limit : null];
    throw new DockerfileError({
      why: 'unreadable',
      what,
      path,
      code,
      limit,
      error: e.message ?? String(err),
    });
  }
}

export function analyzeDockerBuild(options: DockerOptions): DockerAnalysis {
  const root = options.root;
  const dockerfilePath = resolve(root, options.dockerfile);
  const contextPath = resolve(root, options.context ?? '.');
  const dockerfile = rel(root, dockerfilePath);
  const text = readText(dockerfilePath, 'Dockerfile');
  const ctx = options.targetContext;
  const hostArch = ctx.host.arch;
  const model = parseDockerfile(text, {
    buildArgs: options.buildArgs ?? {},
    platformArgs: platformArgs(hostArch, ctx.arch ?? hostArch),
  });

  const findings: Finding[] = model.problems.map((p) =>
    makeFinding('DOCKERFILE_PROBLEM', { location: dockerfile }, { file: dockerfile, ...p }),
  );
  const ignorePath = findIgnoreFile(dockerfilePath, contextPath);
  const dockerignore = ignorePath ? rel(root, ignorePath) : null;
  const analysis: DockerAnalysis = {
    dockerfile,
    context: rel(root, contextPath),
    dockerignore,
    stages: model.stages.map((s) => ({
      index: s.index,
      name: s.name,
      line: s.ref.line,
      image: s.image,
      platform: s.platform,
    })),
    plan: null,
    installTarget: null,
    finalTarget: null,
    scan: null,
    binaries: [],
    findings,
  };
  if (model.stages.length === 0) return analysis;

  const plan = planDockerfile(model, ctx, options.stage !== undefined ? { stage: options.stage } : {});
  analysis.plan = plan;
  analysis.finalTarget = plan.final.target;
  analysis.installTarget = plan.installTarget?.target ?? null;
  findings.push(...baseImageFindings(dockerfile, plan));

  if (!existsSync(contextPath)) {
    throw new DockerfileError({ why: 'no-context', path: contextPath });
  }
  const ignoreText = ignorePath ? readText(ignorePath, 'ignore file') : '';
  const rules = compileIgnore(ignoreText);
  for (const p of rules.problems) {
    findings.push(
      makeFinding(
        'DOCKERFILE_PROBLEM',
        { location: dockerignore ?? '.dockerignore' },
        {
          file: dockerignore ?? '.dockerignore',
          line: p.line,
          reason: 'bad-ignore-pattern',
          pattern: p.pattern,
          problem: p.problem,
          ...(p.char !== undefined ? { char: p.char } : {}),
        },
      ),
    );
  }
  const scan = scanContext(contextPath, rules, options.limits ?? DEFAULT_CONTEXT_LIMITS);
  analysis.scan = scan;
  if (scan.truncated || scan.unreadable.length) {
    findings.push(
      makeFinding(
        'DOCKER_CONTEXT_INCOMPLETE',
        { location: analysis.context },
        {
          context: analysis.context,
          limit: scan.truncated ? (options.limits ?? DEFAULT_CONTEXT_LIMITS).maxEntries : null,
          unreadable: scan.unreadable.slice(0, 20),
        },
      ),
    );
  }
  findings.push(...leakFindings(analysis, model, plan, contextPath, options.readFacts));
  return analysis;
}

function baseImageFindings(dockerfile: string, plan: DockerPlan): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<number>();
  const report = (st: StageTarget, role: 'final' | 'install') => {
    if (!st.problem || seen.has(st.stage.index)) return;
    seen.add(st.stage.index);
    const hint = `--target node22-linux-${st.arch}-glibc`;
    out.push(
      makeFinding(
        'DOCKER_BASE_IMAGE_UNKNOWN',
        { location: dockerfile },
        {
          dockerfile,
          stage: stageLabel(st.stage),
          line: st.stage.ref.line,
          image: st.image,
          role,
          ...st.problem,
          hint,
        },
      ),
    );
  };
  report(plan.final, 'final');
  if (plan.installTarget) report(plan.installTarget, 'install');
  return out;
}

function leakFindings(
  analysis: DockerAnalysis,
  model: DockerfileModel,
  plan: DockerPlan,
  contextPath: string,
  readFacts: (path: string) => BinaryFacts,
): Finding[] {
  const out: Finding[] = [];
  const scan = analysis.scan!;
  const stages = model.stages;
  const final = plan.final.stage;
  const target = plan.final.target;
  const where = (location: string) => ({ location, ...(target ? { target: target.id } : {}) });
  const via = (ref: InstructionRef) => instructionEvidence(analysis.dockerfile, ref);
  const placedFolders: string[] = [];

  for (const nm of scan.nodeModules) {
    const placed = placeInStage(stages, final, nm.path, true);
    if (!placed) continue;
    placedFolders.push(nm.path);
    const inside = scan.binaries.filter((b) => b.startsWith(`${nm.path}/`)).length;
    const code =
      nm.path === 'node_modules'
        ? 'DOCKERIGNORE_MISSES_NODE_MODULES'
        : 'DOCKERIGNORE_MISSES_NESTED_NODE_MODULES';
    out.push(
      makeFinding(code, where(nm.path), {
        folder: nm.path,
        imagePath: placed.imagePath,
        via: via(placed.copy.ref),
        dockerignore: analysis.dockerignore,
        files: nm.files,
        binaries: inside,
        add: '**/node_modules',
      }),
    );
  }

  for (const file of scan.binaries) {
    const placed = placeInStage(stages, final, file, false);
    const sent: BinarySent = { file, imagePath: null, via: null, mismatches: [] };
    analysis.binaries.push(sent);
    if (!placed) continue;
    sent.imagePath = placed.imagePath;
    sent.via = via(placed.copy.ref);
    if (!target) continue;
    const facts = readFacts(resolve(contextPath, file));
    sent.mismatches =
      facts.format === null
        ? [{ code: 'INVALID_BINARY', notes: facts.notes }]
        : checkFactsAgainstTarget(facts, target);
    if (sent.mismatches.length === 0) continue;
    const inNodeModules =
      placedFolders.some((f) => file.startsWith(`${f}/`)) || /(^|\/)node_modules\//.test(file);
    out.push(
      makeFinding('STRAY_BINARY_IN_CONTEXT', where(dirname(file)), {
        file,
        imagePath: placed.imagePath,
        via: sent.via,
        dockerignore: analysis.dockerignore,
        mismatches: sent.mismatches,
        add: inNodeModules ? '**/node_modules' : '**/*.node',
      }),
    );
  }
  return out;
}
