import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';

/** The loader script children run (copied next to this module in dist by the build). */
export const LOADER_SCRIPT = fileURLToPath(new URL('./loader.cjs', import.meta.url));

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
  | { status: 'timeout'; timeoutMs: number; stderr: string; lastDlopen: string | null };

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
  env: Record<string, string | undefined>;
  /** Jobs one loader runs before it is replaced: loaded addons stay in memory. */
  maxJobsPerLoader?: number;
  /** How long Node may take to start a loader and to pick up a job. */
  startTimeoutMs?: number;
  /** For tests of the scheduling: another script speaking the loader protocol. */
  loaderScript?: string;
}

/** Thrown when loaders cannot be started at all (a `--node` that is not a working Node). */
export class LoaderStartError extends Error {
  readonly code = 'ELOADER';
  constructor(message: string) {
    super(message);
    this.name = 'LoaderStartError';
  }
}

const STDERR_LIMIT = 8 * 1024;
const DEFAULT_MAX_JOBS = 64;
const DEFAULT_START_TIMEOUT = 30_000;
/** A job that never starts (the loader is wedged before it): retried this many times, then an error. */
const MAX_NOT_STARTED = 3;

interface Message {
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

type RunOutcome = LoadOutcome | { status: 'not-started'; detail: string };

/** One child process running the loader script. */
class Loader {
  readonly child: ChildProcess;
  readonly ready: Promise<NodeFacts>;
  jobsDone = 0;
  dead = false;
  private retired = false;
  private nextId = 1;
  private buffered = '';
  private stderr = '';
  private current: {
    id: number;
    started: boolean;
    exitCalled: boolean;
    uncaught: LoaderError | null;
    lastDlopen: string | null;
    finish: (o: RunOutcome) => void;
    timer: NodeJS.Timeout | null;
  } | null = null;
  private readyWaiter: { resolve(f: NodeFacts): void; reject(e: Error): void } | null = null;

  constructor(private readonly options: PoolOptions) {
    const script = options.loaderScript ?? LOADER_SCRIPT;
    this.child = spawn(options.nodePath, [script], {
      cwd: options.cwd,
      env: options.env,
      // stdout is the addon's to write on; the protocol runs on fd 3
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.ready = new Promise<NodeFacts>((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
    });
    // a loader that never starts is reported, not waited on forever
    const startTimer = setTimeout(() => {
      this.failStart(`did not start within ${options.startTimeoutMs ?? DEFAULT_START_TIMEOUT} ms`);
      this.kill();
    }, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT);
    startTimer.unref();
    void this.ready.then(
      () => clearTimeout(startTimer),
      () => clearTimeout(startTimer),
    );
    this.child.on('error', (err) => {
      this.failStart(err.message);
      this.onClose(null, null);
    });
    (this.child.stdio[3] as Readable | null)?.setEncoding('utf8');
    (this.child.stdio[3] as Readable | null)?.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_LIMIT);
    });
    // the stdin pipe breaks when a loader dies mid-write; the 'close' handler reports the death
    (this.child.stdin as Writable | null)?.on('error', () => undefined);
    // 'close' waits for every stdio pipe, which a grandchild the addon spawned may hold open:
    // after 'exit', give the pipes a moment to drain, then report.
    this.child.on('close', (code, signal) => this.onClose(code, signal));
    this.child.on('exit', (code, signal) => {
      setTimeout(() => this.onClose(code, signal), 200).unref();
    });
  }

  private failStart(detail: string) {
    if (!this.readyWaiter) return;
    const stderr = this.stderr.trim();
    this.readyWaiter.reject(
      new LoaderStartError(
        `cannot start a loader with ${this.options.nodePath}: ${detail}${stderr ? ` (${stderr.split('\n')[0]})` : ''}`,
      ),
    );
    this.readyWaiter = null;
  }

  private onData(chunk: string) {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      let msg: Message;
      try {
        msg = JSON.parse(line) as Message;
      } catch {
        continue;
      }
      this.onMessage(msg);
    }
  }

  private onMessage(msg: Message) {
    if (msg.t === 'ready' && msg.node) {
      this.readyWaiter?.resolve(msg.node);
      this.readyWaiter = null;
      return;
    }
    const cur = this.current;
    if (!cur || msg.id !== cur.id) return;
    switch (msg.t) {
      case 'start':
        cur.started = true;
        this.stderr = '';
        cur.timer = setTimeout(() => {
          this.kill();
          cur.finish({
            status: 'timeout',
            timeoutMs: this.options.timeoutMs,
            stderr: this.stderr,
            lastDlopen: cur.lastDlopen,
          });
        }, this.options.timeoutMs);
        break;
      case 'dlopen':
        cur.lastDlopen = msg.file ?? null;
        break;
      case 'exit':
        cur.exitCalled = true;
        break;
      case 'uncaught':
        cur.uncaught = msg.error ?? null;
        break;
      case 'done': {
        const extra = {
          ...(msg.dlopened ? { dlopened: msg.dlopened } : {}),
          ...(msg.thrown ? { thrown: msg.thrown } : {}),
        };
        cur.finish(
          msg.ok
            ? { status: 'loaded', exports: msg.exports ?? [], ms: msg.ms ?? 0, ...extra }
            : {
                status: 'threw',
                error: msg.error ?? { message: '', code: null, name: null },
                ms: msg.ms ?? 0,
                ...extra,
              },
        );
        break;
      }
    }
  }

  private onClose(code: number | null, signal: string | null) {
    if (this.dead) return;
    this.dead = true;
    this.failStart(`exited with ${signal ?? `status ${code}`} before it was ready`);
    const cur = this.current;
    if (!cur) return;
    if (!cur.started) {
      cur.finish({ status: 'not-started', detail: `loader exited with ${signal ?? `status ${code}`}` });
      return;
    }
    cur.finish({
      status: 'died',
      signal,
      exitCode: code,
      exitCalled: cur.exitCalled,
      uncaught: cur.uncaught,
      stderr: this.stderr,
      lastDlopen: cur.lastDlopen,
    });
  }

  /** Runs one job; resolves with its outcome, whatever the job does to the process. */
  run(job: LoadJob): Promise<RunOutcome> {
    const id = this.nextId++;
    return new Promise<RunOutcome>((resolve) => {
      let settled = false;
      const pickup = setTimeout(() => {
        if (this.current?.id === id && !this.current.started) {
          this.kill();
          finish({ status: 'not-started', detail: 'the loader did not pick up the job' });
        }
      }, this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT);
      const finish = (o: RunOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(pickup);
        if (this.current?.timer) clearTimeout(this.current.timer);
        this.current = null;
        resolve(o);
      };
      this.current = {
        id,
        started: false,
        exitCalled: false,
        uncaught: null,
        lastDlopen: null,
        finish,
        timer: null,
      };
      if (this.dead) {
        finish({ status: 'not-started', detail: 'loader already exited' });
        return;
      }
      (this.child.stdin as Writable).write(JSON.stringify({ id, ...job }) + '\n');
    });
  }

  /** Lets the loader exit on its own (stdin closes), and kills it if it does not. */
  retire() {
    if (this.retired) return;
    this.retired = true;
    if (this.dead) return;
    (this.child.stdin as Writable | null)?.end();
    const killer = setTimeout(() => this.kill(), 2000);
    killer.unref();
    this.child.once('close', () => clearTimeout(killer));
  }

  kill() {
    if (this.dead) return;
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

interface Pending {
  job: LoadJob;
  /** Must run first in a fresh loader: entry points run package JavaScript, and failures are confirmed. */
  solo: boolean;
  notStarted: number;
  resolve(r: LoadResult): void;
  reject(e: Error): void;
}

/**
 * A bounded pool of loader processes. A loader runs job after job while they load; any job that
 * fails, and every entry-point job, ends its loader, so a process an addon may have left in a bad
 * state never runs another job. A failure in a loader that had run other jobs first is run again
 * in a fresh loader, and that result is the one reported: a crash or error is always an addon's
 * own, never the leftover of another.
 */
export class LoaderPool {
  private readonly queue: Pending[] = [];
  private readonly idle: Loader[] = [];
  private readonly all = new Set<Loader>();
  private starting = 0;
  private busy = 0;
  private startFailure: LoaderStartError | null = null;
  private failedStarts = 0;
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  /** Starts one loader and returns what it says about its Node (version, ABI, Node-API, arch). */
  async start(): Promise<NodeFacts> {
    const loader = this.spawn();
    try {
      const facts = await loader.ready;
      this.idle.push(loader);
      return facts;
    } finally {
      this.starting--;
      this.pump();
    }
  }

  load(job: LoadJob): Promise<LoadResult> {
    if (this.closed) return Promise.reject(new Error('loader pool is closed'));
    return new Promise<LoadResult>((resolve, reject) => {
      this.queue.push({ job, solo: job.kind === 'entry', notStarted: 0, resolve, reject });
      this.pump();
    });
  }

  /** Stops every loader. */
  close() {
    this.closed = true;
    for (const loader of this.all) {
      loader.retire();
      loader.kill();
    }
    this.all.clear();
    this.idle.length = 0;
  }

  private spawn(): Loader {
    const loader = new Loader(this.options);
    this.all.add(loader);
    this.starting++;
    loader.child.once('close', () => {
      this.all.delete(loader);
      const i = this.idle.indexOf(loader);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return loader;
  }

  private get live() {
    return this.starting + this.busy + this.idle.length;
  }

  private spawnForQueue() {
    const loader = this.spawn();
    loader.ready.then(
      () => {
        this.starting--;
        this.failedStarts = 0;
        if (!loader.dead) this.idle.push(loader);
        this.pump();
      },
      (err: LoaderStartError) => {
        this.starting--;
        // one loader failing to start is bad luck; several in a row mean the Node cannot run them
        if (++this.failedStarts >= MAX_NOT_STARTED) this.startFailure = err;
        this.pump();
      },
    );
  }

  private pump() {
    if (this.closed) return;
    if (this.startFailure) {
      const err = this.startFailure;
      for (const p of this.queue.splice(0)) p.reject(err);
      return;
    }
    for (let i = 0; i < this.queue.length;) {
      const p = this.queue[i]!;
      const loader = p.solo ? this.idle.find((l) => l.jobsDone === 0) : this.idle[0];
      if (loader) {
        this.idle.splice(this.idle.indexOf(loader), 1);
        this.queue.splice(i, 1);
        void this.runOn(loader, p);
        continue;
      }
      if (this.live < this.options.size) {
        this.spawnForQueue();
        i++;
        continue;
      }
      if (p.solo) {
        // room for a fresh loader: end an idle one that has already run jobs
        const used = this.idle.find((l) => l.jobsDone > 0);
        if (used) {
          this.idle.splice(this.idle.indexOf(used), 1);
          used.retire();
          this.spawnForQueue();
        }
      }
      i++;
    }
  }

  private async runOn(loader: Loader, p: Pending) {
    this.busy++;
    const fresh = loader.jobsDone === 0;
    const outcome = await loader.run(p.job);
    loader.jobsDone++;
    this.busy--;
    if (outcome.status === 'not-started') {
      loader.retire();
      loader.kill();
      p.notStarted++;
      if (p.notStarted >= MAX_NOT_STARTED) {
        p.reject(new LoaderStartError(`a loader could not run a job: ${outcome.detail}`));
      } else {
        this.queue.unshift(p);
      }
      this.pump();
      return;
    }
    const failed = outcome.status !== 'loaded';
    if (failed && !fresh) {
      // confirm in a fresh process: the failure may be another addon's leftover
      loader.retire();
      this.queue.unshift({ ...p, solo: true });
      this.pump();
      return;
    }
    const max = this.options.maxJobsPerLoader ?? DEFAULT_MAX_JOBS;
    if (failed || p.job.kind === 'entry' || loader.dead || loader.jobsDone >= max) loader.retire();
    else this.idle.push(loader);
    p.resolve({ ...outcome, fresh });
    this.pump();
  }
}
