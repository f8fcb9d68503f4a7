/**
 * A Dockerfile as the facts native-guard needs: its stages, what each is based on (ARG defaults and
 * `--build-arg` overrides applied), its WORKDIRs, COPY/ADD steps and RUN lines. Parsing is done by
 * dockerfile-ast (the parser behind the VS Code Docker language server); this module only reads its
 * tree. Pure over the text; never throws: what it cannot read becomes a `DockerfileProblem`.
 */
import { DockerfileParser } from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';
import { posix } from 'node:path';
import { readShell } from './shell.js';
import type { ShellFacts } from './shell.js';
import { expandVariables, expansionBudget, MAX_EXPANDED_TOTAL, MAX_EXPANDED_VALUE } from './expand.js';
import type { ExpansionBudget } from './expand.js';
import type { DockerfileProblemReason } from '../model/findings.js';

export { expandVariables, expansionBudget, MAX_EXPANDED_TOTAL, MAX_EXPANDED_VALUE };
export type { ExpansionBudget };

export interface InstructionRef {
  /** 1-based line of the instruction's keyword. */
  line: number;
  /** The instruction's first line as written, trimmed and cut at 160 characters. */
  text: string;
}

export interface CopyStep {
  kind: 'copy';
  ref: InstructionRef;
  instruction: 'COPY' | 'ADD';
  /** `--from` after expansion: a stage name, a stage index, or an image; null for the build context. */
  from: string | null;
  /** Sources relative to the context (or absolute in the `--from` stage), variables expanded. */
  sources: string[];
  /** Absolute destination in the image, resolved against WORKDIR; ends in `/` when it names a folder. */
  dest: string;
  /** `COPY --exclude=…` patterns (Dockerfile 1.7+ syntax). */
  exclude: string[];
}

export interface RunStep {
  kind: 'run';
  ref: InstructionRef;
  workdir: string;
  shell: ShellFacts;
}

export type Step = CopyStep | RunStep;

export interface Stage {
  index: number;
  /** `AS <name>`, lowercased as Docker does; null when unnamed. */
  name: string | null;
  ref: InstructionRef;
  /** FROM's image after variable expansion (`node:22-alpine`), or the stage name it builds on. */
  image: string;
  /** The stage this one builds on (`FROM build`), else null. */
  baseStage: number | null;
  /** `--platform` after expansion (`linux/arm64`), null when not given. */
  platform: string | null;
  steps: Step[];
}

/** A Dockerfile line native-guard cannot read as `docker build` does: a coded reason (report/ words it). */
export type DockerfileProblem = { line: number | null } & Exclude<
  DockerfileProblemReason,
  { reason: 'bad-ignore-pattern' }
>;

export interface DockerfileModel {
  stages: Stage[];
  problems: DockerfileProblem[];
  /** Global ARGs (before the first FROM) with their values after `--build-arg`. */
  globalArgs: Record<string, string | null>;
}

export interface ParseOptions {
  /** `--build-arg NAME=value` overrides; they apply to ARGs the Dockerfile declares. */
  buildArgs?: Record<string, string>;
  /** BuildKit's automatic platform ARGs, e.g. `{ BUILDPLATFORM: 'linux/amd64', TARGETARCH: 'arm64' }`. */
  platformArgs?: Record<string, string>;
}

const firstLine = (instruction: Instruction): string => {
  const text = instruction.toString().split(/\r?\n/)[0]!.trim();
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

const refOf = (instruction: Instruction): InstructionRef => ({
  line: instruction.getRange().start.line + 1,
  text: firstLine(instruction),
});

/** The argument text after the instruction's `--flags`, as written (heredoc bodies and continuations included). */
function argumentText(instruction: Instruction): string {
  const raw = instruction.getRawArgumentsContent() ?? '';
  const flagged = instruction as Instruction & { getFlags?: () => Array<{ toString(): string }> };
  let rest = raw;
  for (let n = flagged.getFlags?.().length ?? 0; n > 0; n--) {
    rest = rest.replace(/^\s*--\S+/, '');
  }
  return rest.trim();
}

function flagValue(instruction: Instruction, name: string): string[] {
  const flagged = instruction as Instruction & {
    getFlags?: () => Array<{ getName(): string; getValue(): string | null }>;
  };
  return (flagged.getFlags?.() ?? []).filter((f) => f.getName() === name).map((f) => f.getValue() ?? '');
}

/** ARG/ENV properties as `[name, value]` pairs (value null for `ARG NAME`). */
function properties(instruction: Instruction): Array<[string, string | null]> {
  const withProps = instruction as Instruction & {
    getProperties?: () => Array<{ getName(): string; getValue(): string | null }>;
  };
  return (withProps.getProperties?.() ?? []).map((p) => [p.getName(), p.getValue()]);
}

export function parseDockerfile(text: string, options: ParseOptions = {}): DockerfileModel {
  const problems: DockerfileProblem[] = [];
  const stages: Stage[] = [];
  const globalArgs: Record<string, string | null> = {};
  if (text.trim() === '') {
    return {
      stages,
      problems: [{ reason: 'empty', line: null, blank: true }],
      globalArgs,
    };
  }
  let instructions: Instruction[];
  let escape = '\\';
  try {
    const df = DockerfileParser.parse(text);
    instructions = df.getInstructions();
    escape = df.getEscapeCharacter();
  } catch (err) {
    // dockerfile-ast is tolerant by design; this only guards against a bug in it
    return {
      stages,
      problems: [{ reason: 'unreadable', line: null, error: (err as Error).message }],
      globalArgs,
    };
  }
  if (instructions.length === 0) {
    problems.push({ reason: 'empty', line: null, blank: false });
    return { stages, problems, globalArgs };
  }
  const buildArgs = options.buildArgs ?? {};
  const platformArgs = options.platformArgs ?? {};

  let stage: Stage | null = null;
  let stageVars: Record<string, string | null> = {};
  let workdir = '/';
  const workdirs = new Map<number, string>();
  const byName = new Map<string, number>();

  // Only FROM's variables decide a target, so only they are reported when unset; elsewhere an unset
  // name is usually an ENV of the base image (`$HOME`) and stays as written.
  const budget = expansionBudget();
  let reportedCut = false;
  /** One problem for the first value cut short: what follows from it is not what docker build sees. */
  const noteCut = (line: number) => {
    if (budget.cut === null || reportedCut) return;
    reportedCut = true;
    problems.push({
      reason: 'value-too-long',
      line,
      cut: budget.cut,
      limit: budget.cut === 'value' ? MAX_EXPANDED_VALUE : MAX_EXPANDED_TOTAL,
    });
  };
  const expandFrom = (value: string, vars: Record<string, string | null>, line: number): string => {
    const r = expandVariables(value, vars, escape, false, budget);
    noteCut(line);
    for (const name of new Set(r.unresolved)) {
      problems.push({ reason: 'unresolved-variable', line, name });
    }
    return r.value;
  };
  let currentLine = 0;
  const expand = (value: string, vars: Record<string, string | null>): string => {
    const r = expandVariables(value, vars, escape, true, budget).value;
    noteCut(currentLine);
    return r;
  };

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword().toUpperCase();
    const ref = refOf(instruction);
    currentLine = ref.line;
    if (keyword === 'FROM') {
      const vars = { ...platformArgs, ...globalArgs };
      const args = instruction.getArguments().map((a) => a.getValue());
      if (args.length === 0 || (args.length !== 1 && !(args.length === 3 && /^as$/i.test(args[1]!)))) {
        problems.push({ reason: 'bad-from', line: ref.line, text: ref.text });
        if (args.length === 0) continue;
      }
      const image = expandFrom(args[0]!, vars, ref.line);
      const name = args.length === 3 && /^as$/i.test(args[1]!) ? args[2]!.toLowerCase() : null;
      const platformText = flagValue(instruction, 'platform')[0];
      const platform = platformText === undefined ? null : expandFrom(platformText, vars, ref.line);
      const baseStage = byName.get(image.toLowerCase()) ?? null;
      stage = { index: stages.length, name, ref, image, baseStage, platform, steps: [] };
      stages.push(stage);
      if (name !== null) byName.set(name, stage.index);
      // a stage starts with the global ARG names undeclared (they need `ARG NAME` again) and the
      // WORKDIR and ENV of what it builds on; ENV values are not tracked across stages
      stageVars = {};
      workdir = baseStage !== null ? (workdirs.get(baseStage) ?? '/') : '/';
      workdirs.set(stage.index, workdir);
      continue;
    }
    if (keyword === 'ARG') {
      for (const [name, value] of properties(instruction)) {
        if (!stage) {
          globalArgs[name] = buildArgs[name] ?? value;
        } else {
          // `ARG NAME` in a stage takes the global default, a build arg beats both
          const inherited = name in globalArgs ? globalArgs[name] : (platformArgs[name] ?? null);
          stageVars[name] =
            buildArgs[name] ?? (value !== null ? expand(value, stageVars) : (inherited ?? null));
        }
      }
      continue;
    }
    if (!stage) {
      problems.push({
        reason: 'instruction-before-from',
        line: ref.line,
        keyword,
      });
      continue;
    }
    switch (keyword) {
      case 'ENV':
        for (const [name, value] of properties(instruction)) {
          stageVars[name] = value === null ? '' : expand(value, stageVars);
        }
        break;
      case 'WORKDIR': {
        const path = expand(argumentText(instruction), stageVars);
        workdir = posix.resolve(workdir, path || '.');
        workdirs.set(stage.index, workdir);
        break;
      }
      case 'RUN':
        stage.steps.push({ kind: 'run', ref, workdir, shell: readShell(argumentText(instruction), escape) });
        break;
      case 'COPY':
      case 'ADD': {
        const step = copyStep(instruction, keyword, ref, workdir, (v) => expand(v, stageVars));
        if (step) stage.steps.push(step);
        break;
      }
    }
  }

  if (stages.length === 0) {
    problems.push({ reason: 'no-from', line: null });
  }
  for (const s of stages) {
    for (const step of s.steps) {
      if (step.kind !== 'copy' || step.from === null) continue;
      const target = resolveStageRef(stages, step.from, s.index);
      if (target === 'later') {
        problems.push({
          reason: 'unknown-stage',
          line: step.ref.line,
          from: step.from,
        });
      }
    }
  }
  return { stages, problems, globalArgs };
}

/**
 * `--from=<name|index|image>` → the stage index, `'image'` for an image reference, `'later'` for a
 * stage that is not defined before `before`.
 */
export function resolveStageRef(stages: Stage[], from: string, before: number): number | 'image' | 'later' {
  if (/^\d+$/.test(from)) {
    const index = Number(from);
    return index < before ? index : 'later';
  }
  const found = stages.find((s) => s.name === from.toLowerCase());
  if (!found) return 'image';
  return found.index < before ? found.index : 'later';
}

function copyStep(
  instruction: Instruction,
  keyword: 'COPY' | 'ADD',
  ref: InstructionRef,
  workdir: string,
  expand: (value: string) => string,
): CopyStep | null {
  const text = argumentText(instruction);
  let words: string[];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      words = Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
      words = instruction.getArguments().map((a) => a.getValue());
    }
  } else {
    words = instruction.getArguments().map((a) => a.getValue());
  }
  // heredoc sources (`COPY <<EOF /x`) are inline files, never the build context
  if (words.some((w) => w.startsWith('<<'))) return null;
  if (words.length < 2) return null;
  const fromFlag = flagValue(instruction, 'from')[0];
  const destText = expand(words[words.length - 1]!);
  const sources = words
    .slice(0, -1)
    .map(expand)
    // ADD also takes URLs and git repositories: not the build context
    .filter((s) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !/^git@/.test(s));
  if (sources.length === 0) return null;
  const dirDest = destText.endsWith('/') || destText === '.' || destText.endsWith('/.') || sources.length > 1;
  const dest = posix.resolve(workdir, destText) + (dirDest && destText !== '/' ? '/' : '');
  return {
    kind: 'copy',
    ref,
    instruction: keyword,
    from: fromFlag === undefined ? null : expand(fromFlag),
    sources,
    dest: dest === '//' ? '/' : dest,
    exclude: flagValue(instruction, 'exclude').map(expand),
  };
}
