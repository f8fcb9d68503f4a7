/**
 * The layout docs/architecture.md describes, held by a test: no file-level import cycle in src/,
 * the shared model imports nothing of ours, the rooms import only what the arrows allow, and no
 * file grows past the size a newcomer can read (the binary readers excepted).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.(ts|cjs)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

const files = walk(SRC).map((f) => relative(SRC, f).split('\\').join('/'));

/** Relative imports of a file, type-only ones included (a cycle through types is still a knot to untie). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const spec = m[1]!;
    if (spec.endsWith('.json')) continue;
    const target = relative(SRC, resolve(SRC, dirname(file), spec.replace(/\.js$/, '.ts')))
      .split('\\')
      .join('/');
    if (files.includes(target)) out.add(target);
  }
  return [...out];
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));
const room = (file: string) =>
  file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, '');

/** Tarjan's strongly connected components: every component of more than one file is a cycle. */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}

describe('the source layout', () => {
  it('has no file-level import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('has no import cycle between rooms (folders, and the loose files at the top of src/)', () => {
    const rooms = new Map<string, Set<string>>();
    for (const [f, deps] of graph)
      for (const d of deps)
        if (room(f) !== room(d))
          (rooms.get(room(f)) ?? rooms.set(room(f), new Set()).get(room(f))!).add(room(d));
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(rooms.get(from) ?? [])].some(
        (n) => n === to || (!seen.has(n) && (seen.add(n), reaches(n, to, seen))),
      );
    const knots = [...rooms].flatMap(([r, next]) =>
      [...next].filter((n) => reaches(n, r)).map((n) => `${r} ↔ ${n}`),
    );
    expect(knots).toEqual([]);
  });

  it('model/ imports nothing outside model/', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      room(f) === 'model' ? deps.filter((d) => room(d) !== 'model').map((d) => `${f} → ${d}`) : [],
    );
    expect(bad).toEqual([]);
  });

  it('strategies/ does not import tree/', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      room(f) === 'strategies' ? deps.filter((d) => room(d) === 'tree').map((d) => `${f} → ${d}`) : [],
    );
    expect(bad).toEqual([]);
  });

  it('report/ reads the model, never check/ or verify/', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      room(f) === 'report'
        ? deps
            .filter((d) => ['check', 'verify', 'hooks', 'commands'].includes(room(d)))
            .map((d) => `${f} → ${d}`)
        : [],
    );
    expect(bad).toEqual([]);
  });

  it('only the commands, the hooks and the CLI reach for report/ (words are worded last)', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      ['report', 'commands', 'hooks', 'cli', 'index'].includes(room(f))
        ? []
        : deps.filter((d) => room(d) === 'report').map((d) => `${f} → ${d}`),
    );
    expect(bad).toEqual([]);
  });

  it('no file over 450 lines but the binary readers', () => {
    const readers = new Set(['binary/elf.ts', 'binary/macho.ts', 'binary/pe.ts']);
    const long = files
      .filter((f) => !readers.has(f))
      .map((f) => [f, readFileSync(join(SRC, f), 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 450)
      .map(([f, n]) => `${f}: ${n} lines`);
    expect(long).toEqual([]);
  });
});
