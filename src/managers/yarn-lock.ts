import { parseSyml } from '@yarnpkg/parsers';
import {
  addProblem,
  draftPackage,
  entriesOf,
  finishPackages,
  finishProblems,
  importerPath,
  isRecord,
  newContext,
  own,
  ownString,
  splitAtVersion,
  stringMap,
  sortImporters,
  stripBom,
  takeEdges,
  takeEntry,
  type DraftPackage,
  type ReadContext,
} from './shared.js';
import type {
  DependencyMeta,
  ImporterDependency,
  LockedImporter,
  LockfileProblem,
  LockfileReadResult,
  ReadOptions,
  WorkspaceManifest,
} from './types.js';
import {
  berrySource,
  classicSource,
  decode,
  hasKey,
  metaFor,
  parseConditions,
  push,
  readMeta,
  targetKey,
  type Target,
} from './yarn-lock-fields.js';

export { parseConditions };

/** Yarn 4.18 writes `__metadata.version: 10`. */
const NEWEST_KNOWN_BERRY = 10;

/**
 * Reads yarn.lock: Yarn 1 (`# yarn lockfile v1`) and Berry (Yarn 2+, a `__metadata` block), both
 * through @yarnpkg/parsers' `parseSyml`, the parser Yarn itself uses.
 *
 * - Berry records other platforms' packages with `conditions: os=linux & cpu=x64 & libc=musl`;
 *   optional dependencies are `dependencies` marked in `dependenciesMeta`; `patch:` packages are the
 *   npm package underneath, marked patched. No install-script flag (hasInstallScript undefined), and
 *   workspaces list devDependencies as dependencies: give `options.workspaces` to tell them apart.
 * - v1 records no os/cpu/libc (left undefined: unknown, not "no constraint"), no install-script flag
 *   and no workspaces: importers come only from `options.workspaces`.
 *
 * Never throws: what cannot be read is a coded problem.
 */
export function readYarnLock(text: string, options?: ReadOptions): LockfileReadResult {
  const ctx = newContext(options);
  const source = stripBom(text);
  const done = (
    manager: 'yarn-classic' | 'yarn-berry',
    lockfileVersion: string | null,
    importers: Record<string, LockedImporter> = {},
    drafts = new Map<string, DraftPackage>(),
  ): LockfileReadResult => {
    const packages = finishPackages(ctx, drafts, importers);
    return {
      manager,
      lockfileVersion,
      importers: sortImporters(importers),
      packages,
      problems: finishProblems(ctx),
    };
  };
  const looksBerry = /^__metadata:/m.test(source.slice(0, 4096));

  let doc: unknown;
  try {
    doc = parseSyml(source);
  } catch (err) {
    addProblem(ctx, symlSyntaxProblem(err));
    return done(looksBerry ? 'yarn-berry' : 'yarn-classic', null);
  }
  if (!isRecord(doc)) {
    addProblem(ctx, { code: 'not-a-lockfile' });
    return done(looksBerry ? 'yarn-berry' : 'yarn-classic', null);
  }
  const metadata = own(doc, '__metadata');
  const berry = metadata !== undefined;
  let version = '1';
  if (berry) {
    const raw = ownString(metadata, 'version');
    if (raw === undefined || !/^\d+$/.test(raw)) {
      addProblem(ctx, { code: 'unsupported-version', found: raw ?? '' });
      return done('yarn-berry', raw ?? null);
    }
    version = raw;
    if (Number(raw) > NEWEST_KNOWN_BERRY) addProblem(ctx, { code: 'newer-version', found: raw });
  }
  const reader = new YarnReader(ctx, berry, options?.workspaces ?? {});
  reader.readEntries(doc);
  const importers = reader.readImporters();
  reader.linkPackages();
  return done(berry ? 'yarn-berry' : 'yarn-classic', version, importers, reader.drafts);
}

function symlSyntaxProblem(err: unknown): LockfileProblem {
  // js-yaml (Berry) gives a 0-based `mark`, the PEG parser (v1) a 1-based `location`
  const e = err as {
    mark?: { line?: unknown; column?: unknown };
    location?: { start?: { line?: unknown; column?: unknown } };
  };
  if (e?.mark && typeof e.mark.line === 'number' && typeof e.mark.column === 'number') {
    return { code: 'syntax', line: e.mark.line + 1, column: e.mark.column + 1, parserCode: null };
  }
  const start = e?.location?.start;
  if (start && typeof start.line === 'number' && typeof start.column === 'number') {
    return { code: 'syntax', line: start.line, column: start.column, parserCode: null };
  }
  return { code: 'syntax', line: null, column: null, parserCode: null };
}

interface WorkspaceEntry {
  path: string;
  name: string;
  locator: string;
  dependencies: Record<string, string>;
  meta: Record<string, DependencyMeta>;
}

class YarnReader {
  readonly drafts = new Map<string, DraftPackage>();
  /** descriptor (`name@range`, as a key lists it) → what it resolves to */
  private readonly byDescriptor = new Map<string, Target>();
  /** Berry: the same without `::locator=…` parameters, for `file:` descriptors a parent qualifies */
  private readonly byBareDescriptor = new Map<string, Target[]>();
  /** Berry: the descriptor a `patch:` entry wraps → the patched package */
  private readonly byPatchedDescriptor = new Map<string, Target>();
  /** Berry: descriptor name → every target, for descriptors `resolutions` rewrote */
  private readonly byName = new Map<string, Target[]>();
  private readonly workspaces = new Map<string, WorkspaceEntry>();
  /** per package: its locator (Berry) and its raw dependency maps, linked once every key is known */
  private readonly pending: Array<{ draft: DraftPackage; locator: string; deps: Record<string, string> }> =
    [];

  constructor(
    private readonly ctx: ReadContext,
    private readonly berry: boolean,
    private readonly manifests: Record<string, WorkspaceManifest>,
  ) {}

  readEntries(doc: Record<string, unknown>): void {
    for (const [key, entry] of Object.entries(doc)) {
      if (key === '__metadata') continue;
      if (!takeEntry(this.ctx)) break;
      if (!isRecord(entry)) {
        addProblem(this.ctx, { code: 'entry-invalid', key, field: null });
        continue;
      }
      const descriptors = key
        .split(',')
        .map((d) => d.trim())
        .filter((d) => d.length > 0);
      const target = this.berry
        ? this.readBerryEntry(key, entry)
        : this.readClassicEntry(key, descriptors, entry);
      if (!target) continue;
      for (const descriptor of descriptors) this.index(descriptor, target);
    }
  }

  private index(descriptor: string, target: Target): void {
    this.byDescriptor.set(descriptor, target);
    const split = splitAtVersion(descriptor);
    if (!split) return;
    const [name, range] = split;
    push(this.byName, name, target);
    if (!this.berry) return;
    const params = range.indexOf('::');
    if (params !== -1) push(this.byBareDescriptor, `${name}@${range.slice(0, params)}`, target);
    if (range.startsWith('patch:')) {
      const inner = decode(range.slice('patch:'.length).split('#')[0] as string);
      if (inner !== null) this.byPatchedDescriptor.set(inner, target);
    }
  }

  private readBerryEntry(key: string, entry: Record<string, unknown>): Target | null {
    const resolution = ownString(entry, 'resolution');
    const split = resolution === undefined ? null : splitAtVersion(resolution);
    if (resolution === undefined || !split) {
      addProblem(this.ctx, { code: 'entry-invalid', key, field: 'resolution' });
      return null;
    }
    const [name, reference] = split;
    const dependencies = stringMap(this.ctx, own(entry, 'dependencies'), key, 'dependencies');
    const meta = readMeta(own(entry, 'dependenciesMeta'));
    if (reference.startsWith('workspace:')) {
      const path = importerPath(reference.slice('workspace:'.length));
      if (!this.workspaces.has(path))
        this.workspaces.set(path, { path, name, locator: resolution, dependencies, meta });
      return { kind: 'workspace', path };
    }
    let draft = this.drafts.get(resolution);
    if (draft) {
      draft.keys.add(key);
      return { kind: 'package', id: resolution };
    }
    const origin = berrySource(reference);
    draft = draftPackage(resolution, name, ownString(entry, 'version') ?? '');
    draft.source = origin.source;
    draft.patched = origin.patched;
    if (origin.source !== 'registry') draft.resolved = reference;
    draft.keys.add(key);
    const conditions = ownString(entry, 'conditions');
    if (conditions !== undefined) {
      const platform = parseConditions(conditions);
      if (platform === null) addProblem(this.ctx, { code: 'entry-invalid', key, field: 'conditions' });
      else Object.assign(draft, platform);
    }
    const bin = stringMap(this.ctx, own(entry, 'bin'), key, 'bin');
    if (Object.keys(bin).length > 0) draft.bin = bin;
    // Berry lists optional dependencies among `dependencies`, flagged in dependenciesMeta
    const required: Array<[string, string]> = [];
    const optional: Array<[string, string]> = [];
    for (const [dep, range] of Object.entries(dependencies)) {
      (metaFor(meta, dep)?.optional === true ? optional : required).push([dep, range]);
    }
    draft.dependencies = Object.fromEntries(required);
    draft.optionalDependencies = Object.fromEntries(optional);
    this.drafts.set(resolution, draft);
    this.pending.push({ draft, locator: resolution, deps: dependencies });
    return { kind: 'package', id: resolution };
  }

  private readClassicEntry(
    key: string,
    descriptors: string[],
    entry: Record<string, unknown>,
  ): Target | null {
    const version = ownString(entry, 'version');
    const first = descriptors[0] === undefined ? null : splitAtVersion(descriptors[0]);
    if (version === undefined || !first) {
      addProblem(this.ctx, { code: 'entry-invalid', key, field: version === undefined ? 'version' : null });
      return null;
    }
    const [alias, range] = first;
    // `alias@npm:real@^1` installs `real` under the alias
    const real = range.startsWith('npm:') ? splitAtVersion(range.slice('npm:'.length)) : null;
    const name = real ? real[0] : alias;
    const resolved = ownString(entry, 'resolved');
    const integrity = ownString(entry, 'integrity');
    const source = classicSource(range, resolved, version);
    const id = source === 'registry' ? `${name}@${version}` : `${name}@${(resolved ?? range).split('#')[0]}`;
    let draft = this.drafts.get(id);
    if (draft) {
      draft.keys.add(key);
      return { kind: 'package', id };
    }
    draft = draftPackage(id, name, version);
    draft.source = source;
    if (resolved !== undefined) draft.resolved = resolved;
    if (integrity !== undefined) draft.integrity = integrity;
    draft.keys.add(key);
    draft.dependencies = stringMap(this.ctx, own(entry, 'dependencies'), key, 'dependencies');
    draft.optionalDependencies = stringMap(
      this.ctx,
      own(entry, 'optionalDependencies'),
      key,
      'optionalDependencies',
    );
    this.drafts.set(id, draft);
    this.pending.push({
      draft,
      locator: id,
      deps: { ...draft.dependencies, ...draft.optionalDependencies },
    });
    return { kind: 'package', id };
  }

  readImporters(): Record<string, LockedImporter> {
    const out: Array<[string, LockedImporter]> = [];
    if (this.berry) {
      for (const ws of this.workspaces.values()) {
        const manifest = own(this.manifests, ws.path) as WorkspaceManifest | undefined;
        const dependencies: ImporterDependency[] = [];
        for (const [name, range] of Object.entries(ws.dependencies)) {
          const dep = this.importerDependency(ws.path, ws.locator, name, range, manifest);
          dep.optional ||= metaFor(ws.meta, name)?.optional === true;
          dependencies.push(dep);
        }
        const importer: LockedImporter = { path: ws.path, name: ws.name, dependencies };
        if (Object.keys(ws.meta).length > 0) importer.dependenciesMeta = ws.meta;
        out.push([ws.path, importer]);
      }
    } else {
      for (const [rawPath, manifest] of Object.entries(this.manifests)) {
        if (!isRecord(manifest)) continue;
        const path = importerPath(rawPath);
        const dependencies: ImporterDependency[] = [];
        const seen = new Set<string>();
        for (const field of ['dependencies', 'optionalDependencies', 'devDependencies'] as const) {
          const entries = entriesOf(own(manifest, field));
          if (!takeEdges(this.ctx, entries.length)) break;
          for (const [name, range] of entries) {
            if (typeof range !== 'string' || seen.has(name)) continue;
            seen.add(name);
            dependencies.push(this.importerDependency(path, null, name, range, manifest));
          }
        }
        const name = ownString(manifest, 'name');
        out.push([path, name === undefined ? { path, dependencies } : { path, name, dependencies }]);
      }
    }
    return Object.fromEntries(out);
  }

  private importerDependency(
    path: string,
    locator: string | null,
    name: string,
    range: string,
    manifest: WorkspaceManifest | undefined,
  ): ImporterDependency {
    const inProd = hasKey(manifest?.dependencies, name) || hasKey(manifest?.optionalDependencies, name);
    const inDev = hasKey(manifest?.devDependencies, name);
    const dev = manifest === undefined || (!inProd && !inDev) ? undefined : !inProd;
    const spec =
      (own(manifest?.dependencies, name) as string | undefined) ??
      (own(manifest?.optionalDependencies, name) as string | undefined) ??
      (own(manifest?.devDependencies, name) as string | undefined) ??
      range;
    const dep: ImporterDependency = {
      name,
      spec: typeof spec === 'string' ? spec : range,
      dev: this.berry ? dev : (dev ?? false),
      optional: hasKey(manifest?.optionalDependencies, name),
      id: null,
    };
    const target = this.resolve(name, range, locator);
    if (target?.kind === 'package') dep.id = target.id;
    else if (target?.kind === 'workspace') dep.workspace = target.path;
    else
      addProblem(this.ctx, {
        code: 'dependency-unresolved',
        from: path,
        fromImporter: true,
        name,
        spec: range,
      });
    return dep;
  }

  linkPackages(): void {
    for (const { draft, locator, deps } of this.pending) {
      const ids: Array<[string, string]> = [];
      for (const [name, range] of Object.entries(deps)) {
        const target = this.resolve(name, range, locator);
        if (target?.kind === 'package') ids.push([name, target.id]);
        else if (!target) {
          addProblem(this.ctx, {
            code: 'dependency-unresolved',
            from: draft.id,
            fromImporter: false,
            name,
            spec: range,
          });
        }
      }
      draft.dependencyIds = Object.fromEntries(ids);
    }
  }

  /** What Yarn would resolve `name@range` to, asked from the package (or workspace) `parent`. */
  private resolve(name: string, range: string, parent: string | null): Target | null {
    if (!this.berry) {
      const direct = this.byDescriptor.get(`${name}@${range}`);
      if (direct) return direct;
      // a workspace member depended on by version (Yarn 1 has no `workspace:` protocol)
      const member = Object.entries(this.manifests).find(([, m]) => isRecord(m) && own(m, 'name') === name);
      return member ? { kind: 'workspace', path: importerPath(member[0]) } : null;
    }
    // manifests write `^1.0.0`; the lockfile writes `npm:^1.0.0` (Yarn's default protocol)
    const descriptor = `${name}@${/^[a-z][a-z0-9+.-]*:/i.test(range) ? range : `npm:${range}`}`;
    const patched = this.byPatchedDescriptor.get(descriptor);
    if (patched) return patched;
    const direct = this.byDescriptor.get(descriptor);
    if (direct) return direct;
    if (parent !== null) {
      const bound = this.byDescriptor.get(`${descriptor}::locator=${encodeURIComponent(parent)}`);
      if (bound) return bound;
    }
    const bare = this.byBareDescriptor.get(descriptor);
    if (bare && bare.length === 1) return bare[0] as Target;
    // `resolutions` rewrites a descriptor (`node-gyp@npm:latest` → `node-gyp@npm:12.3.0`) and the
    // lockfile keeps only the result: one entry of that name is the answer
    const named = this.byName.get(name);
    if (named && new Set(named.map(targetKey)).size === 1) return named[0] as Target;
    return null;
  }
}
