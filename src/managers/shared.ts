import type {
  ImporterDependency,
  LockedImporter,
  LockedPackage,
  LockfileProblem,
  ReadLimits,
  ReadOptions,
} from './types.js';

/**
 * Far above real lockfiles (the largest monorepos lock some 50k packages with a few hundred
 * thousand dependency edges), far below what a hostile file could make a reader do: YAML aliases
 * let one small map be every package's dependency list, so work is counted, not bytes. An edge
 * costs about a microsecond to read.
 */
export const DEFAULT_LIMITS: ReadLimits = { entries: 1_000_000, edges: 2_000_000, problems: 100 };

/** Steps of the importer/dev/optional walk allowed per dependency edge read (four walks, and slack). */
const WALK_STEPS_PER_EDGE = 8;

export interface ReadContext {
  limits: ReadLimits;
  problems: LockfileProblem[];
  omitted: number;
  entries: number;
  edges: number;
  overEntries: boolean;
  overEdges: boolean;
}

export function newContext(options: ReadOptions | undefined): ReadContext {
  return {
    limits: { ...DEFAULT_LIMITS, ...options?.limits },
    problems: [],
    omitted: 0,
    entries: 0,
    edges: 0,
    overEntries: false,
    overEdges: false,
  };
}

export function addProblem(ctx: ReadContext, problem: LockfileProblem): void {
  if (ctx.problems.length < ctx.limits.problems) ctx.problems.push(problem);
  else ctx.omitted++;
}

/** Counts one lockfile entry; false (and one `too-large` problem) once the budget is spent. */
export function takeEntry(ctx: ReadContext): boolean {
  if (ctx.overEntries) return false;
  if (++ctx.entries > ctx.limits.entries) {
    ctx.overEntries = true;
    addProblem(ctx, { code: 'too-large', what: 'entries', limit: ctx.limits.entries });
    return false;
  }
  return true;
}

/** Counts n dependency edges; false once the budget is spent. */
export function takeEdges(ctx: ReadContext, n: number): boolean {
  if (ctx.overEdges) return false;
  ctx.edges += n;
  if (ctx.edges > ctx.limits.edges) {
    ctx.overEdges = true;
    addProblem(ctx, { code: 'too-large', what: 'edges', limit: ctx.limits.edges });
    return false;
  }
  return true;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own enumerable entries of a parsed mapping; nothing for anything else. */
export const entriesOf = (v: unknown): Array<[string, unknown]> => (isRecord(v) ? Object.entries(v) : []);

/** A property read that never reaches Object.prototype (`constructor`, `__proto__` keys in hostile input). */
export const own = (v: unknown, key: string): unknown =>
  isRecord(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;

export const ownString = (v: unknown, key: string): string | undefined => {
  const x = own(v, key);
  return typeof x === 'string' ? x : undefined;
};

/** YAML read with the failsafe schema gives every scalar as a string. */
export const isTrue = (v: unknown): boolean => v === true || v === 'true';

/**
 * A name → string map from parsed input. Non-string values are skipped with one `entry-invalid`
 * problem. Built with Object.fromEntries so a `__proto__` key stays an ordinary own key.
 */
export function stringMap(ctx: ReadContext, v: unknown, key: string, field: string): Record<string, string> {
  // over budget: stop copying (a shared YAML alias would otherwise be copied once per reference)
  if (v === undefined || v === null || ctx.overEdges) return {};
  if (!isRecord(v)) {
    addProblem(ctx, { code: 'entry-invalid', key, field });
    return {};
  }
  const out: Array<[string, string]> = [];
  let bad = false;
  for (const [name, value] of Object.entries(v)) {
    if (typeof value === 'string') out.push([name, value]);
    else bad = true;
  }
  if (bad) addProblem(ctx, { code: 'entry-invalid', key, field });
  takeEdges(ctx, out.length);
  return Object.fromEntries(out);
}

/** os/cpu/libc as npm writes them: a string or a list of strings. */
export function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) {
    const list = v.filter((x): x is string => typeof x === 'string');
    return list.length === v.length ? list : undefined;
  }
  return undefined;
}

/** `@scope/name@rest` / `name@rest` → [name, rest]; null when there is no name. */
export function splitAtVersion(s: string): [string, string] | null {
  const at = s.indexOf('@', 1);
  if (at <= 0) return null;
  return [s.slice(0, at), s.slice(at + 1)];
}

/** `.` / `./` → `''`; other importer paths as POSIX without a trailing slash. */
export function importerPath(p: string): string {
  let out = p.replace(/\\/g, '/');
  while (out.startsWith('./')) out = out.slice(2);
  while (out.endsWith('/') && out.length > 1) out = out.slice(0, -1);
  return out === '.' ? '' : out;
}

/** The package being assembled, before the graph walk fills importers/dev/optional. */
export interface DraftPackage extends Omit<LockedPackage, 'importers' | 'dev' | 'optional' | 'keys'> {
  keys: Set<string>;
  /** What the lockfile itself says, when it says it (pnpm v5/v6 `dev:`, pnpm `optional:`). */
  declaredDev?: boolean;
  declaredOptional?: boolean;
}

export function draftPackage(id: string, name: string, version: string): DraftPackage {
  return {
    id,
    name,
    version,
    source: 'registry',
    patched: false,
    dependencies: {},
    optionalDependencies: {},
    dependencyIds: {},
    hasInstallScript: undefined,
    keys: new Set(),
  };
}

/**
 * Fills each package's importers, dev and optional from the graph the way npm flags a tree:
 * dev = reached only through devDependencies, optional = reached only through optional edges.
 * Unreachable packages (another platform's leftovers, a patched package's base) keep undefined.
 */
export function finishPackages(
  ctx: ReadContext,
  drafts: Map<string, DraftPackage>,
  importers: Record<string, LockedImporter>,
): LockedPackage[] {
  let steps = 0;
  const maxSteps = ctx.limits.edges * WALK_STEPS_PER_EDGE;
  let stopped = false;
  const walk = (starts: string[], followOptional: boolean, visit: (id: string) => boolean): void => {
    const stack = [...starts];
    while (stack.length > 0 && !stopped) {
      const id = stack.pop() as string;
      if (!visit(id)) continue;
      const pkg = drafts.get(id);
      if (!pkg) continue;
      for (const [name, target] of Object.entries(pkg.dependencyIds)) {
        if (++steps > maxSteps) {
          stopped = true;
          break;
        }
        if (!followOptional && Object.prototype.hasOwnProperty.call(pkg.optionalDependencies, name)) continue;
        stack.push(target);
      }
    }
  };
  const roots = (pick: (d: ImporterDependency) => boolean): string[] =>
    Object.values(importers).flatMap((imp) =>
      imp.dependencies.filter((d) => d.id !== null && pick(d)).map((d) => d.id as string),
    );
  const reach = (starts: string[], followOptional: boolean): Set<string> => {
    const seen = new Set<string>();
    walk(starts, followOptional, (id) => {
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    return seen;
  };

  const importersOf = new Map<string, Set<string>>();
  for (const imp of Object.values(importers)) {
    const reached = reach(
      workspaceClosure(imp, importers, () => {
        if (++steps > maxSteps) stopped = true;
        return !stopped;
      }),
      true,
    );
    for (const id of reached) {
      let set = importersOf.get(id);
      if (!set) importersOf.set(id, (set = new Set()));
      set.add(imp.path);
    }
  }
  const prodCertain = reach(
    roots((d) => d.dev === false),
    true,
  );
  const prodPossible = reach(
    roots((d) => d.dev !== true),
    true,
  );
  const required = reach(
    roots((d) => !d.optional),
    false,
  );
  if (stopped) addProblem(ctx, { code: 'too-large', what: 'walk', limit: maxSteps });

  const out: LockedPackage[] = [];
  for (const draft of drafts.values()) {
    const { keys, declaredDev, declaredOptional, ...rest } = draft;
    const reached = importersOf.has(draft.id);
    let dev: boolean | undefined;
    let optional: boolean | undefined;
    if (reached && !stopped) {
      dev = prodCertain.has(draft.id) ? false : prodPossible.has(draft.id) ? undefined : true;
      optional = !required.has(draft.id);
    }
    // the lockfile's own flags (pnpm) stand in where the walk cannot answer
    if (dev === undefined) dev = declaredDev;
    if (optional === undefined) optional = declaredOptional;
    out.push({
      ...rest,
      dev,
      optional,
      importers: [...(importersOf.get(draft.id) ?? [])].sort(),
      keys: [...keys].sort(),
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The packages an importer needs: its own dependencies, plus the non-dev dependencies of every
 * workspace it links to (installing `packages/b` installs what its `a: workspace:*` needs).
 */
function workspaceClosure(
  start: LockedImporter,
  importers: Record<string, LockedImporter>,
  step: () => boolean,
): string[] {
  const ids: string[] = [];
  const seen = new Set<string>([start.path]);
  const queue: Array<[LockedImporter, boolean]> = [[start, true]];
  while (queue.length > 0) {
    const [imp, withDev] = queue.shift() as [LockedImporter, boolean];
    for (const dep of imp.dependencies) {
      if (!step()) return ids;
      if (dep.dev === true && !withDev) continue;
      if (dep.id !== null) ids.push(dep.id);
      const linked = dep.workspace;
      if (
        linked !== undefined &&
        !seen.has(linked) &&
        Object.prototype.hasOwnProperty.call(importers, linked)
      ) {
        seen.add(linked);
        queue.push([importers[linked] as LockedImporter, false]);
      }
    }
  }
  return ids;
}

/** The problems, with a last `problems-truncated` when some were dropped. */
export function finishProblems(ctx: ReadContext): LockfileProblem[] {
  return ctx.omitted > 0
    ? [...ctx.problems, { code: 'problems-truncated', omitted: ctx.omitted }]
    : [...ctx.problems];
}

/** Importers keyed and ordered by path, the root (`''`) first. */
export function sortImporters(importers: Record<string, LockedImporter>): Record<string, LockedImporter> {
  return Object.fromEntries(Object.entries(importers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
