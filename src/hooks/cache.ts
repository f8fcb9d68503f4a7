// The hooks' answer cache. Most installs change nothing native, yet each hook used to pay for
// Arborist's import graph and a full check or verify. The last answer is kept under
// node_modules/.cache/native-guard/, keyed by everything that decides it; an unchanged project gets
// it back without loading anything but this file and node: built-ins (hooks/entry.ts imports it
// before, and instead of, hooks/run.ts).
//
// A cached answer is only as good as its key, so the key errs on the side of a miss: a miss costs one
// ordinary run, a wrong hit hides a broken binary. Anything this file cannot read or understand is a
// miss, never an error: the cache must not be a new way for a hook to break an install.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readBounded } from '../io/files.js';
import type { CheckReport, VerifyReport } from '../model/reports.js';
import { cacheKey, FORMAT, statOrNull } from './cache-key.js';
import type { CacheIo, Runtime } from './cache-key.js';
import type { HookEvent } from './init-plan.js';

export { cacheKey, currentRuntime } from './cache-key.js';
export type { CacheIo, Runtime } from './cache-key.js';

type Report = CheckReport | VerifyReport;

/** What a hook run ends with (the same shape as hooks/run.ts's HookResult). */
export interface HookAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What hooks/run.ts calls with its answer, when the entry asked it to keep it. */
export interface AnswerRecorder {
  /** `reports`: what the run looked at (one report, or a check and a verify when a hook runs both). */
  record(answer: HookAnswer, reports: Report | readonly Report[]): void;
}

/** The cache of one hook event in one project, keyed as the project is now. */
export interface AnswerCache extends AnswerRecorder {
  /** The last answer, marked as a cached one, when nothing that decides it has changed; else null. */
  lookup(): HookAnswer | null;
}

/** An entry larger than this is not ours (a compact answer is a few lines per finding). */
const ENTRY_LIMIT = 16 * 1024 * 1024;
/** Past these, a tree is not stamped and its answer is not kept: a hit must stay cheap. */
const MAX_STAMPS = 5000;
const MAX_WALK_ENTRIES = 50_000;

/** The note a replayed answer's first line ends with. */
export const CACHED_NOTE = ' (unchanged since last check)';

/** A file's or folder's stamp: its size (files) and mtime; a folder's mtime moves when an entry comes or goes. */
type Stamp = [path: string, size: number, mtimeMs: number];

function stampOf(root: string, rel: string): Stamp | null {
  const s = statOrNull(resolve(root, rel));
  if (!s) return null;
  return [rel, s.isDirectory() ? -1 : s.size, s.mtimeMs];
}

/**
 * The files and folders whose change changes the answer: every .node file in each native package's
 * folder (nested node_modules left out: those are packages of their own), every folder walked there
 * (a new .node file moves its folder's mtime), and the files the report names. Null past the limits.
 */
export function stampsFor(root: string, reports: Report | readonly Report[]): Stamp[] | null {
  const folders = new Set<string>();
  const files = new Set<string>();
  for (const report of Array.isArray(reports) ? reports : [reports]) {
    if ('binaries' in report) {
      for (const b of report.binaries) {
        if (b.location !== null) folders.add(b.location);
        if (b.file !== null) files.add(b.file);
      }
    } else {
      for (const p of report.packages) folders.add(p.location);
      for (const b of report.docker?.scan?.binaries ?? []) files.add(b.file);
    }
  }
  let budget = MAX_WALK_ENTRIES;
  const walk = (rel: string, depth: number): boolean => {
    folders.add(rel);
    let entries: Dirent[];
    try {
      entries = readdirSync(resolve(root, rel), { withFileTypes: true });
    } catch {
      return true;
    }
    budget -= entries.length;
    if (budget < 0) return false;
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name === 'node_modules' || depth >= 8) continue;
        if (!walk(child, depth + 1)) return false;
      } else if (e.name.endsWith('.node')) {
        files.add(child);
      }
    }
    return true;
  };
  for (const folder of [...folders]) {
    // the root itself is never a native package's folder: npm rewrites files there on every install
    if (!folder) continue;
    if (!walk(folder, 0)) return null;
  }
  folders.delete('');
  if (folders.size + files.size > MAX_STAMPS) return null;
  const stamps: Stamp[] = [];
  for (const rel of [...folders, ...files].sort()) {
    const s = stampOf(root, rel);
    if (s) stamps.push(s);
  }
  return stamps;
}

/** Where an event's answer is kept. */
export const entryPath = (root: string, event: HookEvent) =>
  join(root, 'node_modules', '.cache', 'native-guard', `${event}.json`);

interface Entry {
  format: string;
  key: string;
  answer: HookAnswer;
  stamps: Stamp[];
}

/** An entry read back, or null for anything that is not exactly one of ours. */
function parseEntry(text: string | null): Entry | null {
  if (text === null) return null;
  let e: Partial<Entry>;
  try {
    e = JSON.parse(text) as Partial<Entry>;
  } catch {
    return null;
  }
  const a = e?.answer;
  const ok =
    e?.format === FORMAT &&
    typeof e.key === 'string' &&
    !!a &&
    typeof a.stdout === 'string' &&
    typeof a.stderr === 'string' &&
    Number.isInteger(a.exitCode) &&
    Array.isArray(e.stamps) &&
    e.stamps.every(
      (s) =>
        Array.isArray(s) &&
        s.length === 3 &&
        typeof s[0] === 'string' &&
        typeof s[1] === 'number' &&
        typeof s[2] === 'number',
    );
  return ok ? (e as Entry) : null;
}

/** The replayed answer: the same text and exit, each summary line saying it is the last run's. */
function markCached(answer: HookAnswer): HookAnswer {
  // every summary line (a hook that checks and verifies prints two), bold or not; findings are indented
  const stdout = answer.stdout.replace(SUMMARY_LINE, `$&${CACHED_NOTE}`);
  return { ...answer, stdout };
}

// eslint-disable-next-line no-control-regex -- the summary's label may be bold (an ANSI escape)
const SUMMARY_LINE = /^(?:\u001b\[1m)?native-guard (?:check|verify):.*$/gm;

/** Writes the entry beside its final name, then renames it over: a reader sees the old or the new, whole. */
function writeEntry(file: string, entry: Entry): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, file);
  } catch {
    // a read-only or full node_modules: the answer is simply not kept
    rmSync(tmp, { force: true });
  }
}

/** `NATIVE_GUARD_CACHE=0` (or `false`, `off`, `no`) turns the cache off. */
export const cacheDisabled = (env: Record<string, string | undefined>) =>
  /^(0|false|off|no)$/i.test(env.NATIVE_GUARD_CACHE?.trim() ?? '');

/**
 * The answer cache for this hook run, or null when it does not apply: turned off, run by hand or
 * verbose (the full report is wanted), or a project whose answer cannot be keyed. The key is taken
 * now, before the run, so a tree that changes during the run is a miss next time.
 */
export function answerCache(event: HookEvent, io: CacheIo, runtime?: Runtime): AnswerCache | null {
  const env = io.env;
  if (cacheDisabled(env) || !env.npm_lifecycle_event) return null;
  if (env.NATIVE_GUARD_VERBOSE && env.NATIVE_GUARD_VERBOSE !== '0') return null;
  const root = resolve(io.cwd);
  const startedAt = Date.now();
  let key: string | null;
  try {
    key = cacheKey(event, io, runtime);
  } catch {
    return null;
  }
  if (key === null) return null;
  const file = entryPath(root, event);
  return {
    lookup() {
      try {
        const entry = parseEntry(readBounded(file, ENTRY_LIMIT));
        if (!entry || entry.key !== key) return null;
        for (const [rel, size, mtimeMs] of entry.stamps) {
          const now = stampOf(root, rel);
          if (!now || now[1] !== size || now[2] !== mtimeMs) return null;
        }
        return markCached(entry.answer);
      } catch {
        return null;
      }
    },
    record(answer, reports) {
      try {
        // no node_modules yet (a lockfile-only preinstall): nothing to keep the answer in
        if (!statOrNull(join(root, 'node_modules'))?.isDirectory()) return;
        const stamps = stampsFor(root, reports);
        // a binary that changed while the run looked at it: the answer may describe the old one
        if (!stamps || stamps.some((s) => Math.floor(s[2]) > startedAt)) return;
        writeEntry(file, {
          format: FORMAT,
          key,
          answer: { stdout: answer.stdout, stderr: answer.stderr, exitCode: answer.exitCode },
          stamps,
        });
      } catch {
        // keeping the answer is an optimisation: never a failure of the hook
      }
    },
  };
}
