/**
 * The errors the domain throws for bad input or a file it cannot read, as a code and arguments.
 * The sentence is `report/error-words.ts`'s (`errorWords(err)`); `.message` is only a short tag for
 * programmers (`tree/no-package-json`). `code` is the stable errno-style code the CLI and the hooks
 * treat as an expected error (ENOPACKAGEJSON, EINIT, ECONFIG, EDOCKERFILE, ENODE, ELOADER, …).
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

export interface ErrorFacts {
  tree: TreeErrorFact;
  init: InitErrorFact;
  config: ConfigErrorFact;
  docker: DockerErrorFact;
  verify: VerifyErrorFact;
  loader: LoaderErrorFact;
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
