import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import type { ProtocolViolation } from '../model/load.js';
import { loaderEnvironment } from './env.js';

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
export class LoaderStartError extends Error {
  readonly code = 'ELOADER';
  constructor(message: string) {
    super(message);
    this.name = 'LoaderStartError';
  }
}

const STDERR_LIMIT = 8 * 1024;
/**
 * The longest line the result channel may carry, in characters: far above any message the loader
 * writes (it clips what it reports), and the most a loader can make the parent hold.
 */
export const MAX_MESSAGE_CHARS = 4 * 1024 * 1024;
/** How much of an offending line a violation keeps. */
const EXCERPT_CHARS = 200;
/** After a loader exits, how long its pipes may take to deliver the last messages before they are let go. */
const DRAIN_MS = 200;
/** Process groups are POSIX: elsewhere a loader is killed alone. */
const GROUPS = process.platform !== 'win32';
const DEFAULT_MAX_JOBS = 256;
/** Jobs a loader is kept ahead by, so that it never waits for the parent between two loads. */
const DEFAULT_BATCH = 8;
/** How long jobs wait for the running loaders before another one starts. */
const GROW_DELAY_MS = 150;
const DEFAULT_START_TIMEOUT = 30_000;
/** A job whose loaders keep dying before it starts: retried this many times, then an error. */
const MAX_NOT_STARTED = 3;
/** Signals that end this process by default: its loaders must not outlive it. */
const ENDING_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

interface Message {
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
type RunOutcome =
  | (LoadOutcome & { fresh: boolean })
  | {
      status: 'not-started';
      /** The loader died before running any job at all (as opposed to stopping after another's failure). */
      loaderBroken: boolean;
      detail: string;
    };

interface InFlight {
  id: number;
  started: boolean;
  fresh: boolean;
  exitCalled: boolean;
  uncaught: LoaderError | null;
  lastDlopen: string | null;
  finish: (o: RunOutcome) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * One child process running the loader script, with the jobs handed to it in order.
 *
 * An addon's init runs inside the loader and may do anything a process can: fork helpers that
 * outlive it, or write on the loader's result channel. So the loader runs in a process group of its
 * own, and when it ends the whole group is killed and every pipe to it let go (a process that left
 * the group with setsid() may hold them open: it is not waited for). And the parent believes only
 * lines that carry the key it gave this loader on stdin before any addon ran, for the job the
 * loader is running, in order; anything else is a protocol violation that voids the running job's
 * result and ends the loader.
 */
class Loader {
  readonly child: ChildProcess;
  readonly ready: Promise<NodeFacts>;
  /** Jobs handed to this loader so far. */
  assigned = 0;
  /** Jobs it started (the first one runs in a fresh process). */
  private startedCount = 0;
  dead = false;
  /** The process has exited and its pipes are let go: nothing of it is left to wait for. */
  gone = false;
  private retired = false;
  private nextId = 1;
  private buffered = '';
  private stderr = '';
  private readonly key = randomBytes(16).toString('hex');
  private readySeen = false;
  private violated = false;
  private running: InFlight | null = null;
  private readonly inflight: InFlight[] = [];
  private pickup: NodeJS.Timeout | null = null;
  private readyWaiter: { resolve(f: NodeFacts): void; reject(e: Error): void } | null = null;
  private readonly goneWaiters: Array<() => void> = [];

  constructor(private readonly options: PoolOptions) {
    const script = options.loaderScript ?? LOADER_SCRIPT;
    this.child = spawn(options.nodePath, [script], {
      cwd: options.cwd,
      env: loaderEnvironment(options.env).env,
      // stdout is the addons' to write on; the protocol runs on fd 3
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      // its own process group, so that whatever an addon starts goes with it
      detached: GROUPS,
      windowsHide: true,
    });
    this.ready = new Promise<NodeFacts>((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
    });
    const startTimeout = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT;
    // a loader that never starts is reported, not waited on forever
    const startTimer = setTimeout(() => {
      this.failStart(`did not start within ${startTimeout} ms`);
      this.kill();
    }, startTimeout);
    startTimer.unref();
    this.ready.then(
      () => clearTimeout(startTimer),
      () => clearTimeout(startTimer),
    );
    this.child.on('error', (err) => {
      this.failStart(err.message);
      this.onClose(null, null);
      this.release();
    });
    const protocol = this.child.stdio[3] as Readable | null;
    protocol?.setEncoding('utf8');
    protocol?.on('data', (chunk: string) => this.onData(chunk));
    protocol?.on('error', () => undefined);
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_LIMIT);
    });
    this.child.stderr?.on('error', () => undefined);
    const stdin = this.child.stdin as Writable | null;
    // the stdin pipe breaks when a loader dies mid-write; the close handler reports the death
    stdin?.on('error', () => undefined);
    // the key, before any job: the loader signs every message with it
    stdin?.write(JSON.stringify({ key: this.key }) + '\n');
    this.child.on('close', (code, signal) => {
      this.onClose(code, signal);
      this.release();
    });
    this.child.on('exit', (code, signal) => {
      // what the addons left in the group goes with the loader
      this.killGroup();
      // 'close' waits for every stdio pipe, which a process that left the group may hold open:
      // give the pipes a moment to deliver the last messages, then let go of them
      setTimeout(() => {
        this.onClose(code, signal);
        this.release();
      }, DRAIN_MS).unref();
    });
  }

  get busy() {
    return this.inflight.length > 0;
  }

  /** Calls back once the process has exited and nothing of it is held any more. */
  onGone(callback: () => void) {
    if (this.gone) callback();
    else this.goneWaiters.push(callback);
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
    if (this.violated) return;
    // only the new chunk is searched: an unfinished line is never scanned again
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', from)) >= 0) {
      const line = this.buffered + chunk.slice(from, nl);
      this.buffered = '';
      from = nl + 1;
      this.onLine(line);
      if (this.violated) return;
    }
    this.buffered += chunk.slice(from);
    // bounded: a line still unfinished past the limit is no line the loader writes
    if (this.buffered.length > MAX_MESSAGE_CHARS) this.violation('too-long', this.buffered);
  }

  private onLine(line: string) {
    if (line.length > MAX_MESSAGE_CHARS) return this.violation('too-long', line);
    let msg: Message;
    try {
      msg = JSON.parse(line) as Message;
    } catch {
      return this.violation('garbled', line);
    }
    if (!msg || typeof msg !== 'object' || msg.k !== this.key) return this.violation('forged', line);
    this.onMessage(msg, line);
  }

  private onMessage(msg: Message, line: string) {
    if (!this.readySeen) {
      if (msg.t !== 'ready' || !msg.node) return this.violation('out-of-order', line);
      this.readySeen = true;
      this.readyWaiter?.resolve(msg.node);
      this.readyWaiter = null;
      return;
    }
    // the loader reports an uncaught error or an exit between jobs with no job id
    if ((msg.t === 'uncaught' || msg.t === 'exit') && msg.id === null && !this.running) return;
    if (msg.t === 'start') {
      const next = this.inflight.find((j) => !j.started);
      if (this.running || !next || msg.id !== next.id) return this.violation('out-of-order', line);
      this.onStart(next);
      return;
    }
    const cur = this.running;
    if (!cur || msg.id !== cur.id) return this.violation('out-of-order', line);
    switch (msg.t) {
      case 'dlopen':
        cur.lastDlopen = typeof msg.file === 'string' ? msg.file : null;
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
        this.settle(
          cur,
          msg.ok === true
            ? { status: 'loaded', exports: msg.exports ?? [], ms: msg.ms ?? 0, fresh: cur.fresh, ...extra }
            : {
                status: 'threw',
                error: msg.error ?? { message: '', code: null, name: null },
                ms: msg.ms ?? 0,
                fresh: cur.fresh,
                ...extra,
              },
        );
        this.armPickup();
        break;
      }
      default:
        this.violation('out-of-order', line);
    }
  }

  private onStart(cur: InFlight) {
    cur.started = true;
    cur.fresh = this.startedCount++ === 0;
    this.running = cur;
    this.stderr = '';
    this.disarmPickup();
    cur.timer = setTimeout(() => {
      // the job hangs: the process goes, with the jobs queued behind it
      this.kill();
      this.settle(cur, {
        status: 'timeout',
        timeoutMs: this.options.timeoutMs,
        stderr: this.stderr,
        lastDlopen: cur.lastDlopen,
        fresh: cur.fresh,
      });
      this.abandon('the loader was killed after a timeout');
    }, this.options.timeoutMs);
  }

  /**
   * The channel carried what the loader did not write, or not in turn: the running job's result
   * cannot be believed, and neither can this process. It goes; the jobs it had not started go to
   * another loader.
   */
  private violation(reason: ProtocolViolation, line: string) {
    if (this.violated) return;
    this.violated = true;
    this.buffered = '';
    const protocol = this.child.stdio[3] as Readable | null;
    protocol?.removeAllListeners('data');
    protocol?.destroy();
    this.kill();
    const excerpt = line.slice(0, EXCERPT_CHARS);
    this.failStart(`its result channel carried a line the loader did not write (${reason})`);
    const cur = this.running;
    if (cur) {
      this.settle(cur, {
        status: 'violation',
        reason,
        excerpt,
        stderr: this.stderr,
        lastDlopen: cur.lastDlopen,
        fresh: cur.fresh,
      });
    }
    this.abandon(`the loader was stopped: its result channel carried a line it did not write (${reason})`);
  }

  private settle(job: InFlight, outcome: RunOutcome) {
    const i = this.inflight.indexOf(job);
    if (i < 0) return;
    this.inflight.splice(i, 1);
    if (this.running === job) this.running = null;
    if (job.timer) clearTimeout(job.timer);
    job.finish(outcome);
  }

  /** Hands every job not started yet back, to run in another loader. */
  private abandon(detail: string) {
    const loaderBroken = this.startedCount === 0;
    for (const job of [...this.inflight]) {
      this.settle(job, { status: 'not-started', loaderBroken, detail });
    }
    this.disarmPickup();
  }

  private onClose(code: number | null, signal: string | null) {
    if (this.dead) return;
    this.dead = true;
    const how = signal ?? `status ${code}`;
    this.failStart(`exited with ${how} before it was ready`);
    const running = this.running;
    if (running) {
      this.settle(running, {
        status: 'died',
        signal,
        exitCode: code,
        exitCalled: running.exitCalled,
        uncaught: running.uncaught,
        stderr: this.stderr,
        lastDlopen: running.lastDlopen,
        fresh: running.fresh,
      });
    }
    this.abandon(`the loader exited (${how})`);
  }

  /**
   * Lets go of the process once it has exited: its pipes are destroyed (a process that escaped
   * the group may hold their other ends for ever) and it no longer keeps the event loop alive.
   */
  private release() {
    if (this.gone) return;
    this.gone = true;
    for (const stream of this.child.stdio) (stream as Readable | Writable | null)?.destroy();
    this.child.unref();
    for (const waiter of this.goneWaiters.splice(0)) waiter();
  }

  /** A loader that is given jobs but starts none of them is wedged: replace it. */
  private armPickup() {
    this.disarmPickup();
    if (!this.inflight.length || this.inflight.some((j) => j.started)) return;
    this.pickup = setTimeout(() => {
      this.kill();
      this.abandon('the loader did not pick up its jobs');
    }, this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT);
    this.pickup.unref();
  }

  private disarmPickup() {
    if (this.pickup) clearTimeout(this.pickup);
    this.pickup = null;
  }

  /** Hands jobs to the loader, which runs them in order; one promise per job. */
  run(jobs: LoadJob[]): Array<Promise<RunOutcome>> {
    const lines: string[] = [];
    const promises = jobs.map((job) => {
      const id = this.nextId++;
      lines.push(JSON.stringify({ id, ...job }) + '\n');
      return new Promise<RunOutcome>((finish) => {
        this.inflight.push({
          id,
          started: false,
          fresh: false,
          exitCalled: false,
          uncaught: null,
          lastDlopen: null,
          finish,
          timer: null,
        });
      });
    });
    this.assigned += jobs.length;
    if (this.dead || this.violated) {
      this.abandon('the loader had already exited');
      return promises;
    }
    (this.child.stdin as Writable).write(lines.join(''));
    this.armPickup();
    return promises;
  }

  /** Lets the loader exit on its own (stdin closes), and kills it if it does not. */
  retire() {
    if (this.retired) return;
    this.retired = true;
    if (this.dead) return;
    (this.child.stdin as Writable | null)?.end();
    const killer = setTimeout(() => this.kill(), 2000);
    killer.unref();
    this.onGone(() => clearTimeout(killer));
  }

  /** Kills the loader and everything in its process group. */
  kill() {
    if (this.dead) {
      this.killGroup();
      return;
    }
    try {
      if (GROUPS && this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
      else this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  /**
   * SIGKILL to the loader's process group: the processes an addon forked. Also after the loader
   * has exited: the group keeps its id while any member lives (the kernel does not reuse it).
   */
  killGroup() {
    if (!GROUPS || this.child.pid === undefined || this.gone) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // ESRCH: nothing is left in it
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

/** A loader and what the pool knows about it. */
interface Slot {
  loader: Loader;
  ready: boolean;
  /** Jobs handed over and not finished. */
  inflight: number;
  /** Holds a solo job: nothing else is handed to it until that one is done. */
  solo: boolean;
  /** Will not get more jobs (a job failed, an entry point ran, or it reached its job limit). */
  closing: boolean;
}

/**
 * A bounded pool of loader processes. Each loader is kept a few jobs ahead, and runs them in order
 * (Node's start-up, not the load, is the cost, so one loader runs many addons); any job that
 * fails, and every entry-point job, ends its loader, and the jobs it had not reached go to
 * another. A failure in a loader that had run other jobs first is run again in a fresh loader,
 * and that result is the one reported: a crash or an error is always an addon's own, never the
 * leftover of another. More loaders start only while jobs wait: for quick addons one is enough,
 * and a hang or a crash does not hold up the rest.
 */
export class LoaderPool {
  private readonly queue: Pending[] = [];
  private readonly slots: Slot[] = [];
  private startFailure: LoaderStartError | null = null;
  private failedStarts = 0;
  private growTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Every loader not yet gone, retired ones included: what must die if this process does. */
  private readonly live = new Set<Loader>();
  private watching = false;

  constructor(private readonly options: PoolOptions) {}

  /**
   * Loaders run in process groups of their own, so neither a Ctrl-C at the terminal nor this
   * process's end reaches them: while any is alive, this process's exit (process.exit() included)
   * and the signals that end it kill their groups first.
   */
  private readonly onProcessExit = () => {
    for (const loader of this.live) loader.kill();
  };

  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.onProcessExit();
    this.unwatchProcess();
    // with no other handler left the signal's default action applies, as if nothing had caught it
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };

  private watchProcess() {
    if (this.watching) return;
    this.watching = true;
    process.on('exit', this.onProcessExit);
    for (const signal of ENDING_SIGNALS) process.on(signal, this.onSignal);
  }

  private unwatchProcess() {
    if (!this.watching) return;
    this.watching = false;
    process.off('exit', this.onProcessExit);
    for (const signal of ENDING_SIGNALS) process.off(signal, this.onSignal);
  }

  private get window() {
    return this.options.batchSize ?? DEFAULT_BATCH;
  }

  /** Starts one loader and returns what it says about its Node (version, ABI, Node-API, arch). */
  async start(): Promise<NodeFacts> {
    const slot = this.spawn();
    return slot.loader.ready;
  }

  load(job: LoadJob): Promise<LoadResult> {
    if (this.closed) return Promise.reject(new Error('loader pool is closed'));
    return new Promise<LoadResult>((resolve, reject) => {
      this.queue.push({ job, solo: job.kind === 'entry', notStarted: 0, resolve, reject });
      // let the caller queue its whole batch before jobs are handed out
      queueMicrotask(() => this.pump());
    });
  }

  /** Stops every loader, with whatever its addons started. */
  close() {
    this.closed = true;
    if (this.growTimer) clearTimeout(this.growTimer);
    this.slots.splice(0);
    for (const loader of this.live) {
      loader.retire();
      loader.kill();
    }
    this.unwatchProcess();
  }

  private spawn(): Slot {
    const loader = new Loader(this.options);
    const slot: Slot = { loader, ready: false, inflight: 0, solo: false, closing: false };
    this.slots.push(slot);
    this.live.add(loader);
    this.watchProcess();
    loader.onGone(() => {
      this.live.delete(loader);
      this.drop(slot);
      if (this.closed && !this.live.size) this.unwatchProcess();
    });
    slot.loader.ready.then(
      () => {
        slot.ready = true;
        this.failedStarts = 0;
        this.pump();
      },
      (err: LoaderStartError) => {
        this.drop(slot);
        // one loader failing to start is bad luck; several in a row mean the Node cannot run them
        if (++this.failedStarts >= MAX_NOT_STARTED) this.startFailure = err;
        this.pump();
      },
    );
    return slot;
  }

  private drop(slot: Slot) {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.closing = true;
  }

  private retire(slot: Slot) {
    slot.closing = true;
    slot.loader.retire();
    this.drop(slot);
  }

  private pump() {
    if (this.closed) return;
    if (this.startFailure) {
      const err = this.startFailure;
      for (const p of this.queue.splice(0)) p.reject(err);
      return;
    }
    const size = this.options.size;
    const max = this.options.maxJobsPerLoader ?? DEFAULT_MAX_JOBS;
    // solo jobs, each to a loader that has run nothing
    for (const p of this.queue.filter((q) => q.solo)) {
      const fresh = this.slots.find((s) => s.ready && !s.closing && s.loader.assigned === 0);
      if (fresh) {
        fresh.solo = true;
        this.queue.splice(this.queue.indexOf(p), 1);
        this.runOn(fresh, p);
        continue;
      }
      const pending = this.slots.filter((s) => !s.ready).length;
      const waitingSolo = this.queue.filter((q) => q.solo).length;
      if (pending >= waitingSolo) break;
      if (this.slots.length < size) {
        this.spawn();
      } else {
        // room for a fresh loader: end one that has already run jobs and has none running
        const used = this.slots.find(
          (s) => s.ready && !s.closing && s.inflight === 0 && s.loader.assigned > 0,
        );
        if (!used) break;
        this.retire(used);
        this.spawn();
      }
    }
    // ordinary jobs: keep every open loader a window ahead
    for (const slot of this.slots) {
      if (!slot.ready || slot.closing || slot.solo) continue;
      while (slot.inflight < this.window && slot.loader.assigned < max) {
        const i = this.queue.findIndex((q) => !q.solo);
        if (i < 0) break;
        const [p] = this.queue.splice(i, 1);
        this.runOn(slot, p!);
      }
    }
    this.grow();
  }

  /**
   * Another loader when jobs still wait: at once when there is none, else after a short delay,
   * so that quick loads finish in the loaders already running.
   */
  private grow() {
    const waiting = this.queue.filter((q) => !q.solo).length;
    if (!waiting || this.slots.length >= this.options.size) return;
    const starting = this.slots.filter((s) => !s.ready).length;
    if (starting > 0) return;
    const open = this.slots.filter((s) => !s.closing);
    if (open.length === 0) {
      this.spawn();
      return;
    }
    if (this.growTimer) return;
    this.growTimer = setTimeout(() => {
      this.growTimer = null;
      if (this.queue.some((q) => !q.solo) && this.slots.length < this.options.size) this.spawn();
    }, GROW_DELAY_MS);
    this.growTimer.unref();
  }

  private runOn(slot: Slot, p: Pending) {
    slot.inflight++;
    const max = this.options.maxJobsPerLoader ?? DEFAULT_MAX_JOBS;
    void slot.loader.run([p.job])[0]!.then((outcome) => {
      slot.inflight--;
      if (outcome.status === 'not-started') {
        if (outcome.loaderBroken && ++p.notStarted >= MAX_NOT_STARTED) {
          p.reject(new LoaderStartError(`a loader could not run a job: ${outcome.detail}`));
        } else {
          this.queue.unshift(p);
        }
      } else if (outcome.status !== 'loaded' && !outcome.fresh) {
        // confirm in a fresh process: the failure may be another addon's leftover
        this.queue.unshift({ ...p, solo: true });
      } else {
        p.resolve(outcome);
      }
      if (outcome.status !== 'loaded' || p.job.kind === 'entry' || slot.loader.dead) slot.closing = true;
      else if (slot.loader.assigned >= max) slot.closing = true;
      slot.solo = false;
      if (slot.closing && slot.inflight === 0) this.retire(slot);
      this.pump();
    });
  }
}
