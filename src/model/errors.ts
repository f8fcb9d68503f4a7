/**
 * The errors the domain throws for bad input or a file it cannot read, as a code and arguments.
 * The sentence is `report/error-words.ts`'s (`errorWords(err)`); `.message` is only a short tag for
 * programmers (`tree/no-package-json`). `code` is the stable errno-style code the CLI and the hooks
 * treat as an expected error (ENOPACKAGEJSON, EINIT, ECONFIG, EDOCKERFILE, ENODE, ELOADER, ETARGET, …).
 */

/** Why the installed tree or the lockfile tree cannot be loaded (TreeError). */
export type TreeErrorFact =
  | { why: 'no-package-json'; root: string }
  /** `error`: the fs error's own message. */
  | { why: 'cannot-read'; file: string; error: string }
  /** A folder, or a FIFO, socket or device, where a file is read whole; `reader`: who cannot read it. */
  | { why: 'not-regular'; file: string; folder: boolean; reader: ProjectFileReader }
  | { why: 'too-large'; file: string; limit: number; size: number; reader: ProjectFileReader }
  /** Arborist's own message. */
  | { why: 'installed-tree'; root: string; error: string }
  | { why: 'lockfile-tree'; root: string; error: string }
  /** `code`: the errno or the lockfile reader's problem code; `detail`: the reader's message, if any. */
  | { why: 'lockfile-unreadable'; file: string; code: string; detail: string | null }
  | { why: 'no-lockfile'; root: string }
  /** `lockfile`: its name (bun.lockb). */
  | { why: 'binary-lockfile'; lockfile: string }
  | { why: 'too-many-packages'; file: string; limit: number };

/** The project's own files (npm and native-guard read them), or npm's hidden lockfile (Arborist reads it). */
export type ProjectFileReader = 'project' | 'hidden-lockfile';

/** Why `init` leaves package.json as it is (InitError). `file`: the package.json path. */
export type InitErrorFact =
  | { why: 'no-package-json'; root: string }
  /** `error`: the fs error's code, or its message when it has none. */
  | { why: 'cannot-read'; file: string; error: string }
  | { why: 'not-utf8'; file: string }
  /** `error`: the JSON parser's first line. */
  | { why: 'invalid-json'; file: string; error: string }
  | { why: 'not-an-object'; file: string }
  | { why: 'workspaces-unreadable'; file: string; error: string }
  | { why: 'workspace-member'; root: string; owner: string }
  | { why: 'scripts-not-object'; file: string }
  | { why: 'script-not-string'; file: string; event: string }
  | { why: 'script-empty'; file: string; event: string }
  /** The settings init was asked for that the existing block does not hold, as [key, value]. */
  | { why: 'config-differs'; file: string; settings: Array<[string, unknown]> }
  /** `label`: the member's path (`scripts.preinstall`); `count`: how often it is written. */
  | { why: 'duplicate-key'; file: string; label: string; count: number }
  | { why: 'edit-unsafe'; file: string }
  | { why: 'cannot-write'; file: string; error: string };

/** Why the `nativeGuard` block of package.json does not validate (ConfigError). */
export type ConfigErrorFact =
  | { why: 'not-an-object'; file: string }
  | { why: 'unknown-key'; file: string; key: string; known: string[] }
  | { why: 'not-string-list'; file: string; key: string }
  | { why: 'not-boolean'; file: string; key: string }
  | { why: 'invalid-json'; file: string; error: string };

/** Why a Dockerfile cannot be analyzed (DockerfileError, DockerPlanError). */
export type DockerErrorFact =
  /** `what`: the Dockerfile or its ignore file; `code`/`limit`/`error`: the read error's. */
  | {
      why: 'unreadable';
      what: 'Dockerfile' | 'ignore file';
      path: string;
      code: string | null;
      limit: number | null;
      error: string;
    }
  | { why: 'no-context'; path: string }
  | { why: 'no-dockerfile'; path: string }
  | { why: 'no-from' }
  | { why: 'no-such-stage'; stage: string; stages: string[] };

/** Why `verify` cannot run with `--node` (VerifyError). */
export type VerifyErrorFact =
  { why: 'no-such-node'; spec: string } | { why: 'node-folder-without-bin'; spec: string };

/** Why the loaders cannot run (LoaderStartError). `detail`: the loader's account of it. */
export type LoaderErrorFact =
  | { why: 'cannot-start'; node: string; detail: string; stderr: string | null }
  | { why: 'job-not-run'; detail: string };

/** Valid target forms, shown in every TargetError's words so a typo is fixed without opening the docs. */
export const TARGET_EXAMPLES = [
  'host',
  'node22-linux-x64-musl',
  'node@22.15.0/linux/arm64/glibc',
  'electron@33',
  'node:22-alpine',
  'node:lts-slim',
  'node:24-bookworm',
] as const;

/** Why a target does not resolve, as callers branch on it (TargetError.reason). */
export type TargetErrorReason =
  | 'empty'
  | 'unknown-form'
  | 'not-node-image'
  | 'unknown-version'
  | 'unknown-platform'
  | 'unknown-arch'
  | 'unknown-libc'
  | 'unknown-variant'
  | 'no-image-for-line'
  | 'arch-not-published';

/** Which image line a `node:` tag asked for: a major, the current line, or the LTS line on a date. */
export type ImageLineAsked =
  { line: 'major'; major: number } | { line: 'current' } | { line: 'lts'; today: string };

/**
 * Why a target the user wrote does not resolve (TargetError). `spec`: the target as written; the
 * other fields are what was written in it and what would have been accepted.
 */
export type TargetErrorFact = { spec: string } & (
  | { why: 'empty' }
  | { why: 'unknown-form' }
  /** An image name that is not the official node image (`redis:7`). */
  | { why: 'not-node-image' }
  /** `version`: as written after `electron@`. */
  | { why: 'unknown-electron'; version: string }
  | { why: 'not-a-node-version'; version: string }
  /** `newest`: the newest release the data knows (null: none). */
  | { why: 'no-node-release'; version: string; newest: string | null }
  | { why: 'unknown-platform'; platform: string; known: string[] }
  | { why: 'unknown-arch'; arch: string; known: string[] }
  | { why: 'unknown-libc'; libc: string }
  /** A libc written for a platform other than linux. */
  | { why: 'libc-not-linux'; platform: string }
  /** `known`: what the line's tags accept after the version (alpine, slim and its variants). */
  | { why: 'unknown-variant'; variant: string; major: number; known: string[] }
  | { why: 'unknown-image-tag'; tag: string }
  /** `lines`: the majors the image data knows. */
  | { why: 'no-image-for-line'; asked: ImageLineAsked; lines: number[] }
  /** `node:<major>-<variant>` is published for `published` only. */
  | { why: 'arch-not-published'; major: number; variant: string; arch: string; published: string[] }
);

/** The reason each TargetErrorFact is reported under. */
export const TARGET_ERROR_REASON: Record<TargetErrorFact['why'], TargetErrorReason> = {
  empty: 'empty',
  'unknown-form': 'unknown-form',
  'not-node-image': 'not-node-image',
  'unknown-electron': 'unknown-version',
  'not-a-node-version': 'unknown-version',
  'no-node-release': 'unknown-version',
  'unknown-platform': 'unknown-platform',
  'unknown-arch': 'unknown-arch',
  'unknown-libc': 'unknown-libc',
  'libc-not-linux': 'unknown-libc',
  'unknown-variant': 'unknown-variant',
  'unknown-image-tag': 'unknown-variant',
  'no-image-for-line': 'no-image-for-line',
  'arch-not-published': 'arch-not-published',
};

export interface ErrorFacts {
  tree: TreeErrorFact;
  init: InitErrorFact;
  config: ConfigErrorFact;
  docker: DockerErrorFact;
  verify: VerifyErrorFact;
  loader: LoaderErrorFact;
  target: TargetErrorFact;
}

export type ErrorFamily = keyof ErrorFacts;

/** A family and its fact, narrowed together by `family`. */
export type AnyErrorFact = { [F in ErrorFamily]: { family: F; fact: ErrorFacts[F] } }[ErrorFamily];

/** The base of the domain's coded errors: a family, its fact, and the errno-style code. */
export class CodedError<F extends ErrorFamily = ErrorFamily> extends Error {
  readonly family: F;
  readonly fact: ErrorFacts[F];
  readonly code: string;
  constructor(family: F, fact: ErrorFacts[F], code: string) {
    super(`${family}/${fact.why}`);
    this.family = family;
    this.fact = fact;
    this.code = code;
  }
}

/** The family and fact of a coded error (by shape, so a copy of the class from another bundle counts). */
export function codedErrorFact(err: unknown): AnyErrorFact | null {
  const e = err as { family?: unknown; fact?: unknown } | null;
  if (!(err instanceof Error) || typeof e?.family !== 'string' || !e.fact || typeof e.fact !== 'object')
    return null;
  return { family: e.family, fact: e.fact } as AnyErrorFact;
}
