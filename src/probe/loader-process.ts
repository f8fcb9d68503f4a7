// One loader child process and the protocol on its result channel: the jobs handed to it in order,
// and what it answers, believed only with its key.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ProtocolViolation } from '../model/load.js';
import { loaderEnvironment } from './env.js';
import { LoaderStartError } from './jobs.js';
import type { LoaderError, LoadJob, Message, NodeFacts, PoolOptions, RunOutcome } from './jobs.js';

/** The loader script children run (copied next to this module in dist by the build). */
export const LOADER_SCRIPT = fileURLToPath(new URL('./loader.cjs', import.meta.url));

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
const DEFAULT_START_TIMEOUT = 30_000;

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
export class Loader {
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
      new LoaderStartError({
        why: 'cannot-start',
        node: this.options.nodePath,
        detail,
        stderr: stderr ? (stderr.split('\n')[0] ?? '') : null,
      }),
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
