import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import semver from 'semver';
import {
  addProblem,
  draftPackage,
  entriesOf,
  finishPackages,
  finishProblems,
  importerPath,
  isRecord,
  lineColumn,
  newContext,
  own,
  ownString,
  sortImporters,
  splitAtVersion,
  stringMap,
  stripBom,
  takeEntry,
  type DraftPackage,
  type ReadContext,
} from './shared.js';
import type {
  ImporterDependency,
  LockedImporter,
  LockfileReadResult,
  PackageSource,
  ReadOptions,
} from './types.js';

/** Bun 1.4 writes `lockfileVersion: 2`. */
const NEWEST_KNOWN_VERSION = 2;

/** The first bytes of bun.lockb (`bun-lockb/single` in the research installs). */
export const BUN_LOCKB_MAGIC = '#!/usr/bin/env bun\nbun-lockfile-format';

type Platform = 'os' | 'cpu' | 'libc';
type Target = { kind: 'package'; id: string } | { kind: 'workspace'; path: string } | { kind: 'root' };

/**
 * Reads bun.lock (JSONC with trailing commas, through jsonc-parser). `packages` maps an install
 * path (`name`, `parent/name`, `workspace-name/name`) to a tuple whose shape depends on the source:
 * `[ident, registry, info, integrity]` for npm, `[ident, info, integrity]` for a tarball,
 * `[ident, info, tag]` for git, `[ident, info]` for folders and links, `[ident]` for workspaces.
 *
 * Bun records os/cpu (and, since it writes it, libc) for every platform's package, but writes
 * `"none"` for a value it does not know (netbsd, riscv64…): those fields are `unknownPlatform`, to
 * be read from the manifest. `hasInstallScript` is Bun's own flag; a lockfile whose writer never
 * records it (no entry has the key) leaves it undefined rather than false, and likewise `libc`.
 *
 * bun.lockb is binary: `readBunLockb()` (or this reader given its bytes) says so as a problem.
 */
export function readBunLock(text: string, options?: ReadOptions): LockfileReadResult {
  const ctx = newContext(options);
  const done = (
    lockfileVersion: string | null,
    importers: Record<string, LockedImporter> = {},
    drafts = new Map<string, DraftPackage>(),
    trustedDependencies?: string[],
  ): LockfileReadResult => {
    const packages = finishPackages(ctx, drafts, importers);
    const result: LockfileReadResult = {
      manager: 'bun',
      lockfileVersion,
      importers: sortImporters(importers),
      packages,
      problems: finishProblems(ctx),
    };
    if (trustedDependencies) result.trustedDependencies = trustedDependencies;
    return result;
  };
  const source = stripBom(text);
  if (source.startsWith(BUN_LOCKB_MAGIC)) {
    addProblem(ctx, { code: 'binary-lockfile', file: 'bun.lockb' });
    return done(null);
  }

  const errors: ParseError[] = [];
  let doc: unknown;
  try {
    doc = parse(source, errors, {
      allowTrailingComma: true,
      disallowComments: false,
      allowEmptyContent: false,
    });
  } catch {
    // jsonc-parser recurses per nesting level: a hostile depth ends here
    addProblem(ctx, { code: 'syntax', line: null, column: null, parserCode: null });
    return done(null);
  }
  if (errors.length > 0) {
    const first = errors[0] as ParseError;
    const { line, column } = lineColumn(source, first.offset);
    addProblem(ctx, { code: 'syntax', line, column, parserCode: printParseErrorCode(first.error) });
    return done(null);
  }
  if (!isRecord(doc)) {
    addProblem(ctx, { code: 'not-a-lockfile' });
    return done(null);
  }
  const version = own(doc, 'lockfileVersion');
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    addProblem(ctx, { code: 'unsupported-version', found: version === undefined ? '' : String(version) });
    return done(null);
  }
  if (version > NEWEST_KNOWN_VERSION) addProblem(ctx, { code: 'newer-version', found: String(version) });

  const reader = new BunReader(ctx);
  reader.readPackages(doc);
  const importers = reader.readWorkspaces(doc);
  reader.linkPackages();
  const trusted = own(doc, 'trustedDependencies');
  const trustedDependencies = Array.isArray(trusted)
    ? trusted.filter((x): x is string => typeof x === 'string')
    : undefined;
  return done(String(version), importers, reader.drafts, trustedDependencies);
}

/** The answer for a bun.lockb: nothing read, one problem the renderer turns into the migration advice. */
export function readBunLockb(): LockfileReadResult {
  return {
    manager: 'bun',
    lockfileVersion: null,
    importers: {},
    packages: [],
    problems: [{ code: 'binary-lockfile', file: 'bun.lockb' }],
  };
}

interface RawEntry {
  key: string;
  path: string[];
  ident: string;
  name: string;
  resolution: string;
  tuple: unknown[];
  info: Record<string, unknown>;
}

class BunReader {
  readonly drafts = new Map<string, DraftPackage>();
  /** install path (packages key) → what is installed there */
  private readonly byKey = new Map<string, Target>();
  private readonly workspaceNames = new Map<string, string>();
  private readonly pending: Array<{ draft: DraftPackage; path: string[]; deps: Record<string, string> }> = [];

  constructor(private readonly ctx: ReadContext) {}

  readPackages(doc: Record<string, unknown>): void {
    const packages = own(doc, 'packages');
    if (packages !== undefined && !isRecord(packages)) {
      addProblem(this.ctx, { code: 'section-invalid', section: 'packages' });
    }
    const raw: RawEntry[] = [];
    for (const [key, tuple] of entriesOf(packages)) {
      if (!takeEntry(this.ctx)) break;
      const ident = Array.isArray(tuple) ? tuple[0] : undefined;
      const split = typeof ident === 'string' ? splitAtVersion(ident) : null;
      const path = splitInstallPath(key);
      if (!Array.isArray(tuple) || typeof ident !== 'string' || !split || path.length === 0) {
        addProblem(this.ctx, { code: 'entry-invalid', key, field: null });
        continue;
      }
      const info = tuple.slice(1).find(isRecord) ?? {};
      raw.push({ key, path, ident, name: split[0], resolution: split[1], tuple, info });
    }
    // Whether this file's writer records a field at all: older Bun wrote neither flag.
    const recordsScripts = raw.some((e) => own(e.info, 'hasInstallScript') !== undefined);
    const recordsLibc = raw.some((e) => own(e.info, 'libc') !== undefined);
    const patched = new Set(
      Object.keys(
        isRecord(own(doc, 'patchedDependencies')) ? (own(doc, 'patchedDependencies') as object) : {},
      ),
    );

    for (const entry of raw) {
      const { key, ident, name, resolution, tuple, info } = entry;
      if (resolution.startsWith('workspace:')) {
        const wsPath = importerPath(resolution.slice('workspace:'.length));
        this.byKey.set(key, { kind: 'workspace', path: wsPath });
        continue;
      }
      if (resolution.startsWith('root:')) {
        this.byKey.set(key, { kind: 'root' });
        continue;
      }
      this.byKey.set(key, { kind: 'package', id: ident });
      let draft = this.drafts.get(ident);
      if (draft) {
        draft.keys.add(key);
        continue;
      }
      const origin = describeTuple(resolution, tuple);
      draft = draftPackage(ident, name, origin.source === 'registry' ? resolution : '');
      draft.source = origin.source;
      if (origin.resolved !== undefined) draft.resolved = origin.resolved;
      if (origin.integrity !== undefined) draft.integrity = origin.integrity;
      if (patched.has(ident)) draft.patched = true;
      draft.keys.add(key);
      const unknown: Platform[] = [];
      for (const field of ['os', 'cpu', 'libc'] as const) {
        const value = own(info, field);
        if (value === undefined) continue;
        const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
        if (!list || !list.every((v): v is string => typeof v === 'string')) {
          addProblem(this.ctx, { code: 'entry-invalid', key, field });
          unknown.push(field);
        } else if (list.includes('none')) {
          // Bun's word for "a value I do not know", not "no constraint"
          unknown.push(field);
        } else {
          draft[field] = list;
        }
      }
      if (!recordsLibc && mayBeLinux(draft.os, draft.cpu, unknown) && !unknown.includes('libc'))
        unknown.push('libc');
      if (unknown.length > 0) draft.unknownPlatform = unknown;
      const script = own(info, 'hasInstallScript');
      draft.hasInstallScript = script === true ? true : recordsScripts ? false : undefined;
      const bin = own(info, 'bin');
      if (typeof bin === 'string') draft.bin = Object.fromEntries([[name.replace(/^@[^/]+\//, ''), bin]]);
      else if (isRecord(bin)) draft.bin = stringMap(this.ctx, bin, key, 'bin');
      else if (own(info, 'binDir') !== undefined) draft.bin = true;
      draft.dependencies = stringMap(this.ctx, own(info, 'dependencies'), key, 'dependencies');
      draft.optionalDependencies = stringMap(
        this.ctx,
        own(info, 'optionalDependencies'),
        key,
        'optionalDependencies',
      );
      this.drafts.set(ident, draft);
      this.pending.push({
        draft,
        path: entry.path,
        deps: { ...draft.dependencies, ...draft.optionalDependencies },
      });
    }
  }

  readWorkspaces(doc: Record<string, unknown>): Record<string, LockedImporter> {
    const workspaces = own(doc, 'workspaces');
    if (workspaces !== undefined && !isRecord(workspaces)) {
      addProblem(this.ctx, { code: 'section-invalid', section: 'workspaces' });
    }
    const list: Array<[string, Record<string, unknown>]> = [];
    for (const [rawPath, ws] of entriesOf(workspaces)) {
      if (!takeEntry(this.ctx)) break;
      if (!isRecord(ws)) {
        addProblem(this.ctx, { code: 'entry-invalid', key: rawPath, field: null });
        continue;
      }
      list.push([importerPath(rawPath), ws]);
      const name = ownString(ws, 'name');
      if (name !== undefined && rawPath !== '') this.workspaceNames.set(name, importerPath(rawPath));
    }
    const importers: Array<[string, LockedImporter]> = [];
    for (const [path, ws] of list) {
      const name = ownString(ws, 'name');
      // a member's own copies are keyed under its package name (`b/semver`); the root's are bare
      const base = path === '' || name === undefined ? [] : splitInstallPath(name);
      const dependencies: ImporterDependency[] = [];
      for (const [field, dev, optional] of [
        ['dependencies', false, false],
        ['devDependencies', true, false],
        ['optionalDependencies', false, true],
      ] as const) {
        for (const [dep, spec] of Object.entries(stringMap(this.ctx, own(ws, field), path, field))) {
          const entry: ImporterDependency = { name: dep, spec, dev, optional, id: null };
          const target = this.resolve(base, dep);
          if (target?.kind === 'package') entry.id = target.id;
          else if (target?.kind === 'workspace') entry.workspace = target.path;
          else if (!target) {
            addProblem(this.ctx, {
              code: 'dependency-unresolved',
              from: path,
              fromImporter: true,
              name: dep,
              spec,
            });
          }
          dependencies.push(entry);
        }
      }
      const importer: LockedImporter = { path, dependencies };
      if (name !== undefined) importer.name = name;
      importers.push([path, importer]);
    }
    return Object.fromEntries(importers);
  }

  linkPackages(): void {
    for (const { draft, path, deps } of this.pending) {
      const ids: Array<[string, string]> = [];
      for (const [name, spec] of Object.entries(deps)) {
        const target = this.resolve(path, name);
        if (target?.kind === 'package') ids.push([name, target.id]);
        else if (!target) {
          addProblem(this.ctx, {
            code: 'dependency-unresolved',
            from: draft.id,
            fromImporter: false,
            name,
            spec,
          });
        }
      }
      draft.dependencyIds = Object.fromEntries(ids);
    }
  }

  /** Node's lookup over install paths: `a/b` asks for `c` at `a/b/c`, then `a/c`, then `c`. */
  private resolve(from: string[], name: string): Target | null {
    for (let depth = from.length; depth >= 0; depth--) {
      const hit = this.byKey.get([...from.slice(0, depth), name].join('/'));
      if (hit) return hit;
    }
    const workspace = this.workspaceNames.get(name);
    return workspace === undefined ? null : { kind: 'workspace', path: workspace };
  }
}

/**
 * A platform package a libc could matter for: constrained at all (os or cpu), and its os list
 * admits Linux. Only those get `libc` marked unknown when the file's writer never records libc.
 */
function mayBeLinux(os: string[] | undefined, cpu: string[] | undefined, unknown: Platform[]): boolean {
  if (os === undefined) return cpu !== undefined || unknown.length > 0;
  return os.includes('linux') || os.some((v) => v.startsWith('!') && v !== '!linux');
}

/** `a/@s/b/c` → [`a`, `@s/b`, `c`]. */
function splitInstallPath(key: string): string[] {
  const parts = key.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part.startsWith('@') && i + 1 < parts.length) out.push(`${part}/${parts[++i]}`);
    else out.push(part);
  }
  return out.some((p) => p === '') ? [] : out;
}

const INTEGRITY = /^sha(1|256|384|512)-/;

function describeTuple(
  resolution: string,
  tuple: unknown[],
): { source: PackageSource; resolved?: string; integrity?: string } {
  const second = tuple[1];
  if (typeof second === 'string' && tuple.length >= 4 && semver.valid(resolution)) {
    const integrity = typeof tuple[3] === 'string' && INTEGRITY.test(tuple[3]) ? tuple[3] : undefined;
    // `""` is the default registry; a full tarball URL is kept as npm keeps `resolved`
    const resolved = /\.tgz$/.test(second) ? second : undefined;
    return { source: 'registry', ...(resolved ? { resolved } : {}), ...(integrity ? { integrity } : {}) };
  }
  const trailing = tuple.slice(1).find((x): x is string => typeof x === 'string' && INTEGRITY.test(x));
  const withIntegrity = (source: PackageSource, resolved: string) =>
    trailing === undefined ? { source, resolved } : { source, resolved, integrity: trailing };
  if (resolution.startsWith('link:')) return { source: 'link', resolved: resolution.slice('link:'.length) };
  if (resolution.startsWith('file:'))
    return { source: 'directory', resolved: resolution.slice('file:'.length) };
  if (/^(git\+|github:|git:)/.test(resolution)) return { source: 'git', resolved: resolution };
  if (/^https?:\/\//.test(resolution)) return withIntegrity('tarball', resolution);
  return withIntegrity(/\.(tgz|tar\.gz|tar)$/.test(resolution) ? 'file' : 'other', resolution);
}
