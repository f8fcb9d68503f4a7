// Evidence shapes several finding codes share (binary mismatches, loads, Docker, tree problems).
import type { TargetErrorFact } from './errors.js';
import type { LoadClassification, RuntimeLoader } from './load.js';
import type { TreeProblemReason } from './package.js';
import type { Mismatch, StrategyName } from './prediction.js';

/** Binary-facts mismatches share one evidence shape: the file and the numbers that disagree. */
export type MismatchEvidence<C extends Mismatch['code']> = Omit<Extract<Mismatch, { code: C }>, 'code'> & {
  file: string;
  /** The link whose binary it is, and whether the install would fall back to something else. */
  strategy: StrategyName;
  fallback: 'source-build' | 'none';
};

/** A Dockerfile instruction a Docker finding points at. */
export interface DockerInstructionEvidence {
  /** Dockerfile path relative to the project. */
  dockerfile: string;
  line: number;
  /** The instruction's first line as written. */
  text: string;
}

/** A node_modules folder of the build context that COPY/ADD puts into the image. */
export interface NodeModulesLeakEvidence {
  /** Context-relative folder, e.g. `skills/db/node_modules`. */
  folder: string;
  /** Where it lands in the final image. */
  imagePath: string;
  via: DockerInstructionEvidence;
  /** The ignore file in use (`.dockerignore`, `Dockerfile.dockerignore`), null when there is none. */
  dockerignore: string | null;
  /** Files in it that are sent, and how many of them are `.node` binaries. */
  files: number;
  binaries: number;
  /** The line to add to the ignore file. */
  add: string;
}
/**
 * What every finding from really loading a binary (`verify`) carries, beside `check`'s predicted
 * variant of the same codes: `source: 'load'` tells them apart.
 */
export interface LoadEvidenceBase {
  source: 'load';
  /** The `.node` file relative to the verified root; null when no file was found. */
  file: string | null;
  /** The independent project the package belongs to, relative to the root (`''`: the root itself). */
  project: string;
  /** How the package finds the binary at run time, or `stray` for a file no package loads. */
  resolvedBy: RuntimeLoader | 'stray';
  /** Version of the Node that loaded it. */
  node: string;
  /** The loader's own words: the error message, or what a crash left on stderr ('' when nothing). */
  message: string;
  /** The error's `code` (`ERR_DLOPEN_FAILED`, `MODULE_NOT_FOUND`, an addon's own), when it had one. */
  errorCode: string | null;
}

/** Load evidence for one code: the base, plus that code's numbers from the classification. */
export type LoadEvidence<C extends LoadClassification['code']> = LoadEvidenceBase &
  Omit<Extract<LoadClassification, { code: C }>, 'code'>;

/**
 * Why a stage's base image says nothing native-guard can use, as a code and its arguments.
 * `targetError`: why the target parser refused the image name, coded (JSON writes its words,
 * report/target-error-words.ts's short form, under the same name).
 */
export type BaseImageProblem =
  | { reason: 'not-node-image' | 'unknown-tag'; targetError: TargetErrorFact }
  | { reason: 'scratch' }
  | { reason: 'unresolved' }
  | { reason: 'bad-platform'; platform: string };

/** A tree problem's evidence: the path, the error code, and what is wrong there (coded). */
export type TreeProblemEvidence = { path: string; errorCode: string | null } & TreeProblemReason;

/**
 * Why a Dockerfile or .dockerignore line could not be read as `docker build` reads it: a code and
 * its arguments (report/ words them).
 */
export type DockerfileProblemReason =
  /** `blank`: no text at all; otherwise text but no instruction. */
  | { reason: 'empty'; blank: boolean }
  | { reason: 'no-from' }
  | { reason: 'instruction-before-from'; keyword: string }
  | { reason: 'unresolved-variable'; name: string }
  | { reason: 'bad-from'; text: string }
  /** `COPY --from=<from>` names a stage defined later (or the stage itself). */
  | { reason: 'unknown-stage'; from: string }
  /** `error`: the operating system's message, as it said it. */
  | { reason: 'unreadable'; error: string }
  /** `cut`: one value grew past `limit` characters, or all of them together did. */
  | { reason: 'value-too-long'; cut: 'value' | 'total'; limit: number }
  | { reason: 'bad-ignore-pattern'; pattern: string; problem: IgnorePatternProblem; char?: string };

/** What is wrong with a .dockerignore pattern (`char`: the escaped character, for the escape problems). */
export type IgnorePatternProblem =
  | 'lone-exclusion'
  | 'syntax'
  | 'escape-rejected'
  | 'escape-unread'
  | 'class-range-perl'
  | 'class-range-order';

/** The evidence each finding code carries. Data only: the renderers put it into words. */
