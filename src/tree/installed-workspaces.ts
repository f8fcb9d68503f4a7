// Workspace members of a project as pnpm, Yarn and Bun find them: the `packages` globs of
// pnpm-workspace.yaml, or package.json `workspaces` (a list, or `{ packages: [...] }`).
import { readdirSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { FILE_LIMITS, parseJsonText, readBounded } from '../io/files.js';

/** Bounds of the glob walk: a pattern like `**` in a huge checkout must not run away. */
const WALK = { maxDepth: 8, maxDirs: 20_000, maxMembers: 5_000 };

/** The workspace patterns the manager reads: pnpm-workspace.yaml for pnpm, package.json for the others. */
export function workspacePatterns(root: string, manager: string): string[] {
  if (manager === 'pnpm') {
    const text = readBounded(join(root, 'pnpm-workspace.yaml'), FILE_LIMITS.config);
    if (text === null) return [];
    let data: unknown;
    try {
      data = load(text, { json: true });
    } catch {
      return [];
    }
    const packages = (data as { packages?: unknown } | null)?.packages;
    return Array.isArray(packages) ? packages.filter((p): p is string => typeof p === 'string') : [];
  }
  const text = readBounded(join(root, 'package.json'), FILE_LIMITS.manifest);
  if (text === null) return [];
  let pkg: unknown;
  try {
    pkg = parseJsonText(text);
  } catch {
    return [];
  }
  const ws = (pkg as { workspaces?: unknown } | null)?.workspaces;
  const list = Array.isArray(ws) ? ws : (ws as { packages?: unknown } | undefined)?.packages;
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

const segmentRegex = (segment: string): RegExp =>
  new RegExp(
    '^' +
      segment
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*') +
      '$',
  );

function dirs(path: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true }).filter(
      (e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules',
    );
  } catch {
    return [];
  }
}

/**
 * The member folders (POSIX, relative to the root, sorted) the patterns name that hold a
 * package.json. `*` matches one folder name, `**` any depth (bounded), `!pattern` excludes.
 * Symbolic links are not followed; dot folders and node_modules are never members.
 */
export function expandWorkspaces(root: string, patterns: string[]): string[] {
  const include = new Set<string>();
  const exclude: string[][] = [];
  let budget = WALK.maxDirs;
  const split = (p: string) =>
    p
      .replace(/^\.\//, '')
      .replace(/\/+$/, '')
      .split('/')
      .filter((s) => s !== '' && s !== '.');
  const walk = (rel: string[], rest: string[], out: Set<string>) => {
    if (budget-- <= 0 || out.size >= WALK.maxMembers || rel.length > WALK.maxDepth) return;
    if (rest.length === 0) {
      if (rel.length && readBounded(join(root, ...rel, 'package.json'), 0) !== null) out.add(rel.join('/'));
      return;
    }
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '..') return;
    if (head === '**') {
      walk(rel, tail, out);
      for (const d of dirs(join(root, ...rel))) walk([...rel, d.name], rest, out);
      return;
    }
    if (!head.includes('*')) {
      walk([...rel, head], tail, out);
      return;
    }
    const re = segmentRegex(head);
    for (const d of dirs(join(root, ...rel))) if (re.test(d.name)) walk([...rel, d.name], tail, out);
  };
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) exclude.push(split(pattern.slice(1)));
    else walk([], split(pattern), include);
  }
  const excluded = new Set<string>();
  for (const ex of exclude) walk([], ex, excluded);
  return [...include].filter((m) => !excluded.has(m)).sort();
}
