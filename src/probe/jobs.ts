// What the loader pool is asked (a job) and what it answers (an outcome), as plain data, and the
// lines the loader writes on its result channel.
import { CodedError } from '../model/errors.js';
import type { LoaderErrorFact } from '../model/errors.js';
import type { ProtocolViolation } from '../model/load.js';

/** What one loader does for one job: load a `.node` file, or require a package's entry point. */
export type LoadJob =
  | { kind: 'dlopen'; file: string }
  | {
      kind: 'entry';
      /** The package folder. */
      dir: string;
      /** Name to require it by from `base` (so its `exports` apply); null requires `dir` itself. */
      name: string | null;
      /** The folder whose node_modules holds the package; null for workspaces and project roots. */
      base: string | null;
    };

export interface LoaderError {
  message: string;
  code: string | null;
  name: string | null;
}

/** One `process.dlopen` call made while an entry point loaded. */
export interface DlopenCall {
  file: string;
  ok: boolean;
  error?: LoaderError;
}

/** An error a package's loader (node-gyp-build) threw while its entry point loaded. */
export interface LoaderThrow {
  loader: string;
  error: LoaderError;
}

/** The facts a loader reports about the Node running it. */
export interface NodeFacts {
  execPath: string;
  versions: {
    node: string;
    modules: string;
    napi: string | null;
    uv: string | null;
    electron: string | null;
  };
  platform: string;
  arch: string;
  armVersion: string | null;
}

export type LoadOutcome =
  | { status: 'loaded'; exports: string[]; dlopened?: DlopenCall[]; thrown?: LoaderThrow[]; ms: number }
  | { status: 'threw'; error: LoaderError; dlopened?: DlopenCall[]; thrown?: LoaderThrow[]; ms: number }
  | {
      status: 'died';
      signal: string | null;
      exitCode: number | null;
      /** The job's JavaScript called process.exit() (native `_exit` leaves only the status). */
      exitCalled: boolean;
      /** An error thrown asynchronously by the job's JavaScript, which ended the loader. */
      uncaught: LoaderError | null;
      /** What the process wrote to stderr while the job ran (bounded). */
      stderr: string;
      dlopened?: DlopenCall[];
      /** The last file an entry-point job started to dlopen: the one that was loading when it died. */
      lastDlopen: string | null;
    }
  | { status: 'timeout'; timeoutMs: number; stderr: string; lastDlopen: string | null }
  | {
      /** The result channel carried something the loader did not write: the job's result is void. */
      status: 'violation';
      reason: ProtocolViolation;
      /** The start of the offending line, as it came. */
      excerpt: string;
      stderr: string;
      lastDlopen: string | null;
    };

/** An outcome, and whether it came from a loader that had loaded nothing before. */
export type LoadResult = LoadOutcome & { fresh: boolean };

export interface PoolOptions {
  /** The Node binary the loaders run with. */
  nodePath: string;
  /** Loaders running at once. */
  size: number;
  /** Per job, counted from the moment the loader says it starts the job. */
  timeoutMs: number;
  cwd: string;
  /** The loaders' environment, less its credentials (see env.ts). */
  env: Record<string, string | undefined>;
  /** Jobs one loader runs before it is replaced: loaded addons stay in memory. */
  maxJobsPerLoader?: number;
  /** Jobs a loader is kept ahead by (it runs them in order). */
  batchSize?: number;
  /** How long Node may take to start a loader and to pick up a job. */
  startTimeoutMs?: number;
  /** For tests of the scheduling: another script speaking the loader protocol. */
  loaderScript?: string;
}

/** Thrown when loaders cannot be started at all (a `--node` that is not a working Node). */
export class LoaderStartError extends CodedError<'loader'> {
  constructor(fact: LoaderErrorFact) {
    super('loader', fact, 'ELOADER');
    this.name = 'LoaderStartError';
  }
}

/** One line of the loader's result channel, parsed. */
export interface Message {
  /** The key the parent gave the loader: a line without it was not written by the loader. */
  k?: unknown;
  t: string;
  id?: number | null;
  ok?: boolean;
  exports?: string[];
  error?: LoaderError;
  dlopened?: DlopenCall[];
  thrown?: LoaderThrow[];
  ms?: number;
  code?: number;
  file?: string;
  node?: NodeFacts;
}

/** What happened to one job in one loader; `not-started` jobs go back to the queue. */
export type RunOutcome =
  | (LoadOutcome & { fresh: boolean })
  | {
      status: 'not-started';
      /** The loader died before running any job at all (as opposed to stopping after another's failure). */
      loaderBroken: boolean;
      detail: string;
    };
