import { Loader } from './loader-process.js';
import { LoaderStartError } from './jobs.js';
import type { LoadJob, LoadResult, NodeFacts, PoolOptions } from './jobs.js';

const DEFAULT_MAX_JOBS = 256;
/** Jobs a loader is kept ahead by, so that it never waits for the parent between two loads. */
const DEFAULT_BATCH = 8;
/** How long jobs wait for the running loaders before another one starts. */
const GROW_DELAY_MS = 150;
/** A job whose loaders keep dying before it starts: retried this many times, then an error. */
const MAX_NOT_STARTED = 3;
/** Signals that end this process by default: its loaders must not outlive it. */
const ENDING_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

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
          p.reject(new LoaderStartError({ why: 'job-not-run', detail: outcome.detail }));
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
