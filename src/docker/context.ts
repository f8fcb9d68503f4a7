/**
 * The build context as Docker would send it: a walk of the context folder that applies `.dockerignore`
 * the way BuildKit does (excluded folders are skipped unless an exception can re-include something in
 * them), collecting node_modules folders and `.node` files. Then, purely, where COPY/ADD put them in the
 * final image, following `COPY --from` between stages and `npm ci` (which deletes node_modules first).
 */
import { lstatSync, readdirSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join, posix } from 'node:path';
import { stageChain } from './plan.js';
import { cleanPath, compileIgnore } from './ignore.js';
import type { IgnoreRules } from './ignore.js';
import { resolveStageRef } from './dockerfile.js';
import type { CopyStep, RunStep, Stage } from './dockerfile.js';

export interface ContextLimits {
  /** Entries visited before the walk stops (a context of this size is a problem of its own). */
  maxEntries: number;
  maxDepth: number;
}

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = { maxEntries: 400_000, maxDepth: 64 };

export interface NodeModulesSent {
  /** Context-relative folder, e.g. `skills/db/node_modules`; only the outermost of nested ones. */
  path: string;
  /** Files inside that are sent (after exceptions). */
  files: number;
  /** Whether the folder itself is excluded and only some files come back through `!` exceptions. */
  partly: boolean;
}

export interface ContextScan {
  root: string;
  entries: number;
  truncated: boolean;
  nodeModules: NodeModulesSent[];
  /** Context-relative `.node` files that are sent. */
  binaries: string[];
  /** Folders that could not be read, with the error code. */
  unreadable: Array<{ path: string; code: string }>;
  /** Symbolic links skipped (Docker sends a link as a link; COPY does not follow it). */
  links: number;
}

/** Walks `root` applying `rules`; never follows symbolic links, never throws for unreadable folders. */
export function scanContext(root: string, rules: IgnoreRules, limits = DEFAULT_CONTEXT_LIMITS): ContextScan {
  const scan: ContextScan = {
    root,
    entries: 0,
    truncated: false,
    nodeModules: [],
    binaries: [],
    unreadable: [],
    links: 0,
  };
  const stack: Array<{ rel: string; depth: number; nm: NodeModulesSent | null }> = [
    { rel: '', depth: 0, nm: null },
  ];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir.rel === '' ? root : join(root, dir.rel), { withFileTypes: true });
    } catch (err) {
      scan.unreadable.push({ path: dir.rel || '.', code: (err as NodeJS.ErrnoException).code ?? 'EIO' });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: typeof stack = [];
    for (const entry of entries) {
      if (++scan.entries > limits.maxEntries) {
        scan.truncated = true;
        return finish(scan);
      }
      const rel = dir.rel === '' ? entry.name : `${dir.rel}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        scan.links++;
        continue;
      }
      const ignored = rules.ignores(rel);
      if (entry.isDirectory()) {
        if (ignored && !rules.mayReinclude(rel)) continue;
        if (dir.depth + 1 > limits.maxDepth) {
          scan.truncated = true;
          continue;
        }
        let nm = dir.nm;
        if (nm === null && entry.name === 'node_modules') {
          nm = { path: rel, files: 0, partly: ignored };
          scan.nodeModules.push(nm);
        }
        subdirs.push({ rel, depth: dir.depth + 1, nm });
      } else if (entry.isFile()) {
        if (ignored) continue;
        if (dir.nm) dir.nm.files++;
        if (entry.name.endsWith('.node')) scan.binaries.push(rel);
      }
    }
    // reverse so the walk visits folders in name order
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return finish(scan);
}

function finish(scan: ContextScan): ContextScan {
  // a node_modules folder that is excluded and gets nothing back through exceptions is not sent
  scan.nodeModules = scan.nodeModules.filter((nm) => !nm.partly || nm.files > 0);
  return scan;
}

/** Whether `path` is a regular file or folder (lstat, so a link counts as neither). */
export function statKind(path: string): 'file' | 'dir' | null {
  try {
    const st = lstatSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null;
  } catch {
    return null;
  }
}

const GLOB_CHARS = /[*?[\\]/;

/** Go's filepath.Match for one `/`-separated pattern against a whole path (no `**`). */
function globRegExp(pattern: string): RegExp | null {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) return null;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`);
  } catch {
    return null;
  }
}

/**
 * Where one COPY/ADD source puts `path` (a context-relative path, or an absolute path in the `--from`
 * stage): the destination path, or null when the source does not cover it. A folder source copies its
 * contents; a file source lands in the destination folder (trailing `/`) or becomes the destination.
 */
export function mapThroughSource(source: string, dest: string, path: string, isDir: boolean): string | null {
  const absolute = path.startsWith('/');
  const src = absolute ? cleanPath(`/${source}`) : cleanPath(source.replace(/^\/+/, '') || '.');
  const destDir = dest.endsWith('/') ? dest : `${dest}/`;
  if (src === '.' || src === '/') {
    const rel = absolute ? path.slice(1) : path;
    return posix.join(destDir, rel);
  }
  const srcParts = src.split('/');
  const pathParts = path.split('/');
  if (pathParts.length < srcParts.length) return null;
  const head = pathParts.slice(0, srcParts.length).join('/');
  if (GLOB_CHARS.test(src)) {
    const re = globRegExp(src);
    if (!re || !re.test(head)) return null;
  } else if (head !== src) return null;
  const rest = pathParts.slice(srcParts.length).join('/');
  if (rest !== '' || isDir) return posix.join(destDir, rest);
  // the source matched the file itself
  return dest.endsWith('/') ? posix.join(dest, pathParts[pathParts.length - 1]!) : dest;
}

export interface Placement {
  /** Absolute path in the image. */
  imagePath: string;
  /** The COPY/ADD that put it there (in the stage where it happened). */
  copy: CopyStep;
  stage: Stage;
}

/**
 * Where a context path ends up in `stage`'s filesystem, or null: follows the stage's FROM chain and
 * `COPY --from` of earlier stages; `npm ci` deletes the node_modules folder of its WORKDIR.
 */
export function placeInStage(
  stages: Stage[],
  stage: Stage,
  contextPath: string,
  isDir: boolean,
  depth = 0,
): Placement | null {
  if (depth > stages.length) return null;
  let placed: Placement | null = null;
  for (const s of stageChain(stages, stage)) {
    for (const step of s.steps) {
      if (step.kind === 'run') {
        if (placed && removedByNpmCi(step, placed.imagePath)) placed = null;
        continue;
      }
      if (step.from === null) {
        if (step.exclude.length && compileIgnore(step.exclude.join('\n')).ignores(contextPath)) continue;
        for (const source of step.sources) {
          const to = mapThroughSource(source, step.dest, contextPath, isDir);
          if (to !== null) {
            placed = { imagePath: to, copy: step, stage: s };
            break;
          }
        }
        continue;
      }
      const ref = resolveStageRef(stages, step.from, s.index);
      if (typeof ref !== 'number') continue;
      const there = placeInStage(stages, stages[ref]!, contextPath, isDir, depth + 1);
      if (!there) continue;
      for (const source of step.sources) {
        const to = mapThroughSource(source, step.dest, there.imagePath, isDir);
        if (to !== null) {
          placed = { imagePath: to, copy: step, stage: s };
          break;
        }
      }
    }
  }
  return placed;
}

/** `npm ci` starts by deleting `<WORKDIR>/node_modules`; other installs keep what is there. */
function removedByNpmCi(step: RunStep, imagePath: string): boolean {
  if (!step.shell.npm.some((n) => n.kind === 'npm-ci')) return false;
  const nodeModules = posix.join(step.workdir, 'node_modules');
  return imagePath === nodeModules || imagePath.startsWith(`${nodeModules}/`);
}
