import { posix } from 'node:path';
import { FAILSAFE_SCHEMA, loadAll } from 'js-yaml';
import semver from 'semver';
import {
  addProblem,
  draftPackage,
  entriesOf,
  finishPackages,
  finishProblems,
  importerPath,
  isRecord,
  isTrue,
  newContext,
  own,
  ownString,
  splitAtVersion,
  stringList,
  stringMap,
  sortImporters,
  stripBom,
  takeEdges,
  takeEntry,
  type DraftPackage,
  type ReadContext,
} from './shared.js';
import type {
  ImporterDependency,
  LockedImporter,
  LockfileProblem,
  LockfileReadResult,
  ReadOptions,
} from './types.js';
import {
  describeResolution,
  indexOfDepPathSuffix,
  refToRelative,
  removePeersSuffix,
  removeSuffix,
  union,
  type Format,
} from './pnpm-dep-path.js';

/**
 * The three key formats pnpm has written: 5.x (`/name/1.0.0_peer@1`), 6.0 (`/name@1.0.0(peer@1)`,
 * one `packages` map) and 9.0 (`name@1.0.0(peer@1)`, `packages` for metadata and `snapshots` for
 * the graph). pnpm 10, 11 and 12 all write 9.0.
 */

const NEWEST_KNOWN_MAJOR = 9;

/**
 * Reads pnpm-lock.yaml (lockfile 9.0; also 6.0 and 5.x). pnpm records every platform's package
 * with os/cpu/libc but no install-script flag: v9 dropped `requiresBuild`, and in 5.x/6.0 it is
 * true for every package of a `--lockfile-only` install, so `hasInstallScript` is always undefined
 * here (read the tarball). Never throws: what cannot be read is a coded problem.
 */
export function readPnpmLock(text: string, options?: ReadOptions): LockfileReadResult {
  const ctx = newContext(options);
  const done = (
    lockfileVersion: string | null,
    importers: Record<string, LockedImporter> = {},
    drafts = new Map<string, DraftPackage>(),
  ): LockfileReadResult => {
    const packages = finishPackages(ctx, drafts, importers);
    return {
      manager: 'pnpm',
      lockfileVersion,
      importers: sortImporters(importers),
      packages,
      problems: finishProblems(ctx),
    };
  };

  let docs: unknown[];
  try {
    docs = loadAll(stripBom(text), null, { schema: FAILSAFE_SCHEMA });
  } catch (err) {
    addProblem(ctx, yamlSyntaxProblem(err));
    return done(null);
  }
  // A pnpm that pins its own version writes two documents: its environment, then the project.
  const doc = docs.length > 0 ? docs[docs.length - 1] : undefined;
  if (!isRecord(doc)) {
    addProblem(ctx, { code: 'not-a-lockfile' });
    return done(null);
  }
  const version = own(doc, 'lockfileVersion');
  const found = typeof version === 'string' ? version : '';
  const format = formatOf(ctx, found);
  if (!format) return done(found || null);

  const reader = new PnpmReader(ctx, format);
  reader.readPackages(doc);
  const importers = reader.readImporters(doc);
  return done(found, importers, reader.drafts);
}

function formatOf(ctx: ReadContext, version: string): Format | null {
  const m = /^(\d+)(?:\.\d+)?$/.exec(version);
  const major = m ? Number(m[1]) : NaN;
  if (major === 5) return 'v5';
  if (major === 6) return 'v6';
  if (major === 9) return 'v9';
  if (major > NEWEST_KNOWN_MAJOR) {
    addProblem(ctx, { code: 'newer-version', found: version });
    return 'v9';
  }
  addProblem(ctx, { code: 'unsupported-version', found: version });
  return null;
}

function yamlSyntaxProblem(err: unknown): LockfileProblem {
  const mark = (err as { mark?: { line?: unknown; column?: unknown } }).mark;
  const line = typeof mark?.line === 'number' ? mark.line + 1 : null;
  const column = typeof mark?.column === 'number' ? mark.column + 1 : null;
  return { code: 'syntax', line, column, parserCode: null };
}

class PnpmReader {
  readonly drafts = new Map<string, DraftPackage>();
  /** Every key of `snapshots` (v9) or `packages` (v5/v6), as written → package id. */
  private readonly keyToId = new Map<string, string>();
  /** v9 `packages` keys, for snapshot keys and dependency paths that carry suffixes. */
  private readonly metaKeys = new Set<string>();

  constructor(
    private readonly ctx: ReadContext,
    private readonly format: Format,
  ) {}

  readPackages(doc: Record<string, unknown>): void {
    const packages = own(doc, 'packages');
    const snapshots = own(doc, 'snapshots');
    if (packages !== undefined && !isRecord(packages)) {
      addProblem(this.ctx, { code: 'section-invalid', section: 'packages' });
    }
    if (snapshots !== undefined && !isRecord(snapshots)) {
      addProblem(this.ctx, { code: 'section-invalid', section: 'snapshots' });
    }
    // Graph entries: v9 snapshots (metadata from `packages`), v5/v6 `packages` (both in one).
    const graph: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [];
    if (this.format === 'v9') {
      for (const [key, meta] of entriesOf(packages)) if (isRecord(meta)) this.metaKeys.add(key);
      const snapshotEntries = entriesOf(snapshots);
      for (const [key, snap] of snapshotEntries) {
        if (!takeEntry(this.ctx)) break;
        const metaKey = this.metaKeyOf(key);
        const meta = metaKey === null ? undefined : own(packages, metaKey);
        if (!isRecord(meta) || !(isRecord(snap) || snap === null)) {
          addProblem(this.ctx, { code: 'entry-invalid', key, field: isRecord(meta) ? null : 'packages' });
          continue;
        }
        graph.push([key, meta, isRecord(snap) ? snap : {}]);
      }
      // A `packages` entry nothing snapshots (hand-edited, or a newer layout): still a locked package.
      const snapped = new Set(graph.map(([key]) => this.metaKeyOf(key)));
      for (const [key, meta] of entriesOf(packages)) {
        if (snapped.has(key) || !isRecord(meta)) continue;
        if (!takeEntry(this.ctx)) break;
        graph.push([key, meta, {}]);
      }
    } else {
      for (const [key, entry] of entriesOf(packages)) {
        if (!takeEntry(this.ctx)) break;
        if (!isRecord(entry)) {
          addProblem(this.ctx, { code: 'entry-invalid', key, field: null });
          continue;
        }
        graph.push([key, entry, entry]);
      }
    }
    graph.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

    const pending: Array<[DraftPackage, string, Record<string, unknown>]> = [];
    for (const [key, meta, snap] of graph) {
      const identity = this.identityOf(key, meta);
      if (!identity) {
        addProblem(this.ctx, { code: 'entry-invalid', key, field: 'name' });
        continue;
      }
      const { id, name, version, slot, patched } = identity;
      let draft = this.drafts.get(id);
      if (!draft) {
        draft = draftPackage(id, name, version);
        Object.assign(draft, describeResolution(own(meta, 'resolution'), slot));
        for (const field of ['os', 'cpu', 'libc'] as const) {
          const value = own(meta, field);
          if (value === undefined) continue;
          const list = stringList(value);
          if (list) draft[field] = list;
          else addProblem(this.ctx, { code: 'entry-invalid', key, field });
        }
        const node = ownString(own(meta, 'engines'), 'node');
        if (node !== undefined) draft.engines = { node };
        if (isTrue(own(meta, 'hasBin'))) draft.bin = true;
        this.drafts.set(id, draft);
      }
      draft.keys.add(key);
      if (patched) draft.patched = true;
      // Peer variants of one package: optional/dev only when every variant is.
      const optional = isTrue(own(snap, 'optional'));
      draft.declaredOptional =
        draft.declaredOptional === undefined ? optional : draft.declaredOptional && optional;
      if (this.format !== 'v9') {
        const dev = own(snap, 'dev');
        if (dev !== undefined) {
          const isDev = isTrue(dev);
          draft.declaredDev = draft.declaredDev === undefined ? isDev : draft.declaredDev && isDev;
        }
      }
      this.keyToId.set(key, id);
      pending.push([draft, key, snap]);
    }
    // Edges once every key is known, so a dependency listed before its target still resolves.
    // Maps are built whole (Object.fromEntries): key-by-key writes cost ~5 µs an edge on big maps.
    const merged = new Set<DraftPackage>();
    for (const [draft, key, snap] of pending) {
      const dependencies = stringMap(this.ctx, own(snap, 'dependencies'), key, 'dependencies');
      const optionalDependencies = stringMap(
        this.ctx,
        own(snap, 'optionalDependencies'),
        key,
        'optionalDependencies',
      );
      const ids: Array<[string, string]> = [];
      for (const map of [dependencies, optionalDependencies]) {
        for (const [depName, ref] of Object.entries(map)) {
          const target = this.resolveRef(ref, depName);
          if (target.kind === 'package') ids.push([depName, target.id]);
          else if (target.kind === 'missing') {
            addProblem(this.ctx, {
              code: 'dependency-unresolved',
              from: draft.id,
              fromImporter: false,
              name: depName,
              spec: ref,
            });
          }
        }
      }
      if (!merged.has(draft)) {
        merged.add(draft);
        draft.dependencies = dependencies;
        draft.optionalDependencies = optionalDependencies;
        draft.dependencyIds = Object.fromEntries(ids);
      } else {
        // another peer variant: keep what the first one said, add what only this one has
        draft.dependencies = union(dependencies, draft.dependencies);
        draft.optionalDependencies = union(optionalDependencies, draft.optionalDependencies);
        draft.dependencyIds = union(Object.fromEntries(ids), draft.dependencyIds);
      }
    }
  }

  readImporters(doc: Record<string, unknown>): Record<string, LockedImporter> {
    const raw = own(doc, 'importers');
    let list: Array<[string, unknown]>;
    if (raw === undefined) {
      // 5.x/6.0 single projects keep the root's dependencies at the top level
      list = [['.', doc]];
    } else if (isRecord(raw)) {
      list = Object.entries(raw);
    } else {
      addProblem(this.ctx, { code: 'section-invalid', section: 'importers' });
      list = [];
    }
    const paths = new Set(list.map(([p]) => importerPath(p)));
    const importers: Array<[string, LockedImporter]> = [];
    for (const [rawPath, entry] of list) {
      if (!takeEntry(this.ctx)) break;
      const path = importerPath(rawPath);
      if (!isRecord(entry)) {
        addProblem(this.ctx, { code: 'entry-invalid', key: rawPath, field: null });
        continue;
      }
      const specifiers = stringMap(this.ctx, own(entry, 'specifiers'), rawPath, 'specifiers');
      const dependencies: ImporterDependency[] = [];
      for (const [field, dev, optional] of [
        ['dependencies', false, false],
        ['devDependencies', true, false],
        ['optionalDependencies', false, true],
      ] as const) {
        const entries = entriesOf(own(entry, field));
        if (!takeEdges(this.ctx, entries.length)) break;
        for (const [name, value] of entries) {
          let spec: string | undefined;
          let ref: string | undefined;
          if (typeof value === 'string') {
            ref = value;
            spec = Object.prototype.hasOwnProperty.call(specifiers, name) ? specifiers[name] : value;
          } else {
            ref = ownString(value, 'version');
            spec = ownString(value, 'specifier') ?? ref;
          }
          if (ref === undefined || spec === undefined) {
            addProblem(this.ctx, { code: 'entry-invalid', key: rawPath, field: `${field}.${name}` });
            continue;
          }
          const dep: ImporterDependency = { name, spec, dev, optional, id: null };
          if (ref.startsWith('link:')) {
            const target = importerPath(posix.normalize(posix.join(path || '.', ref.slice('link:'.length))));
            if (paths.has(target)) dep.workspace = target;
            else dep.link = target;
          } else {
            const target = this.resolveRef(ref, name);
            if (target.kind === 'package') dep.id = target.id;
            else {
              addProblem(this.ctx, {
                code: 'dependency-unresolved',
                from: path,
                fromImporter: true,
                name,
                spec: ref,
              });
            }
          }
          dependencies.push(dep);
        }
      }
      importers.push([path, { path, dependencies }]);
    }
    return Object.fromEntries(importers);
  }

  /** The `packages` key a v9 snapshot key describes: the key without its peer (and patch) suffix. */
  private metaKeyOf(key: string): string | null {
    const withPatch = removePeersSuffix(key);
    if (this.metaKeys.has(withPatch)) return withPatch;
    const bare = removeSuffix(key);
    return this.metaKeys.has(bare) ? bare : null;
  }

  private identityOf(
    key: string,
    meta: Record<string, unknown>,
  ): { id: string; name: string; version: string; slot: string; patched: boolean } | null {
    const patched = indexOfDepPathSuffix(key).patchHashIndex !== -1;
    const metaName = ownString(meta, 'name');
    const metaVersion = ownString(meta, 'version');
    if (this.format === 'v5') {
      if (key.startsWith('/')) {
        const parts = key.slice(1).split('/');
        const scoped = parts[0]?.startsWith('@');
        const name = scoped ? `${parts[0]}/${parts[1] ?? ''}` : parts[0];
        const rawVersion = parts[scoped ? 2 : 1];
        if (!name || !rawVersion || parts.length !== (scoped ? 3 : 2)) return null;
        // 5.x appends peers after `_` (`1.0.0_react@18.0.0`); `_` is not a semver character
        const version = rawVersion.split('_')[0] as string;
        return {
          id: `${metaName ?? name}@${version}`,
          name: metaName ?? name,
          version,
          slot: version,
          patched,
        };
      }
      if (!metaName) return null;
      return { id: `${metaName}@${key}`, name: metaName, version: metaVersion ?? '', slot: key, patched };
    }
    const bare = removeSuffix(key);
    if (this.format === 'v6' && !bare.startsWith('/')) {
      if (!metaName) return null;
      return { id: `${metaName}@${bare}`, name: metaName, version: metaVersion ?? '', slot: bare, patched };
    }
    const split = splitAtVersion(this.format === 'v6' ? bare.slice(1) : bare);
    if (!split) return null;
    const [name, rest] = split;
    // a directory dependency (`localdir@file:localdir`) records no version of its own
    const version = metaVersion ?? (semver.valid(rest) ? rest : '');
    return { id: `${name}@${rest}`, name, version, slot: rest, patched };
  }

  /** A snapshot/importer reference → the package it names. pnpm's own `refToRelative` per format. */
  private resolveRef(
    ref: string,
    name: string,
  ): { kind: 'package'; id: string } | { kind: 'link' } | { kind: 'missing' } {
    if (ref.startsWith('link:')) return { kind: 'link' };
    const depPath = refToRelative(this.format, ref, name);
    const id = this.keyToId.get(depPath);
    if (id !== undefined) return { kind: 'package', id };
    if (this.format === 'v9') {
      const metaKey = this.metaKeyOf(depPath);
      // a peer variant no snapshot spells out: the package itself is still locked
      if (metaKey !== null && this.drafts.has(metaKey)) return { kind: 'package', id: metaKey };
    }
    return { kind: 'missing' };
  }
}
