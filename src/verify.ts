import { existsSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, posix, relative, resolve, sep } from 'node:path';
import { checkFactsAgainstTarget } from './binary/compat.js';
import type { FactsMismatch, BinaryFacts } from './model/binary.js';
import { inspectFile } from './binary/facts.js';
import { applyIgnore, readProjectConfig } from './config.js';
import type { ProjectConfig } from './config.js';
import { makeFinding, sortFindings } from './model/findings.js';
import { treeProblemFindings } from './tree/problems.js';
import type { Finding, LoadEvidenceBase } from './model/findings.js';
import type { VerifiedBinary, VerifyReport } from './model/reports.js';
import { classifyFailure, classifyMessage } from './probe/classify.js';
import type { ClassifyContext } from './probe/classify.js';
import type { LoadClassification, LoadFailure, RuntimeLoader } from './model/load.js';
import { targetFromNode } from './probe/node-target.js';
import { LoaderPool } from './probe/pool.js';
import type { DlopenCall, LoadJob, LoadResult } from './probe/pool.js';
import { describe } from './report/messages.js';
import { detectNative } from './strategies/detect.js';
import { cmakeTsBuildDir, readCmakeTsManifest } from './strategies/cmake-ts.js';
import { parseNameTuple } from './strategies/named-binaries.js';
import { resolveRuntimeBinaries } from './strategies/runtime.js';
import { candidateResolver, platformPackageLocations } from './strategies/tree-view.js';
import type { RuntimeBinary, RuntimeContext } from './strategies/runtime.js';
import type { NativePackage } from './model/prediction.js';
import type { PackageFiles, PackageRecord, ProjectTree } from './model/package.js';
import type { LibcFacts, Target } from './model/target.js';
import { loaderLibc } from './targets/libc.js';
import { assertProjectFiles, loadInstalledTree } from './tree/actual.js';
import type { TreeError } from './tree/actual.js';
import { folderFiles } from './io/files.js';
import type { FactsReader } from './io/files.js';
import { findNestedProjects, findNodeFiles, PACKAGE_WALK, PROJECT_WALK } from './tree/projects.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Loaders at once: Node's start-up is the cost, and a few cores are enough to hide it. */
export const defaultJobs = (cpus: number): number => Math.max(1, Math.min(cpus, 4));

export interface VerifyOptions {
  /** Project folder (default: the current directory). */
  cwd?: string;
  /** The Node binary to load with (default: the one running native-guard). A folder holding bin/node works too. */
  node?: string;
  /** Per binary (default 10 s). */
  timeoutMs?: number;
  /** Loader processes at once (default: min(CPUs, 4)). */
  jobs?: number;
  /** Environment for the packages' loaders (default: this process's); the loader processes get it without its credentials (probe/env.ts). */
  env?: Record<string, string | undefined>;
  /** This machine's libc; default: detect-libc. */
  detectLibc?: () => Promise<LibcFacts>;
  /** Look for independent projects below the root (default: true). */
  nested?: boolean;
  /** Stops the run: the loaders are killed and verify rejects with the signal's reason. */
  signal?: AbortSignal;
}

export class VerifyError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'VerifyError';
    this.code = code;
  }
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** `--node`: a Node binary, or a folder holding `bin/node` (an unpacked Node distribution). */
export function resolveNodeBinary(spec: string, cwd: string): string {
  const path = resolve(cwd, spec);
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new VerifyError(`--node ${spec}: no such file`, 'ENODE');
  }
  if (stat.isDirectory()) {
    for (const candidate of [join(path, 'bin', 'node'), join(path, 'node.exe'), join(path, 'node')]) {
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    throw new VerifyError(`--node ${spec}: a folder without bin/node`, 'ENODE');
  }
  return path;
}

interface Project {
  rel: string;
  dir: string;
  tree: ProjectTree;
}

/** A binary verify will load, or a package whose binary it has to look for by loading its entry point. */
interface Subject {
  project: Project;
  record: PackageRecord;
  resolvedBy: RuntimeLoader | 'stray';
  /** Absolute path, null when the package has no binary where it looks (or no known loader). */
  file: string | null;
  fromPackage: string | null;
  missing: { tried: string[]; prebuilds: string[] } | null;
}

/**
 * `native-guard verify` as a function: finds every binary the installed tree (its workspaces, and
 * every independent project below it) will load, and every stray one, loads each in isolated
 * child processes with the chosen Node, and explains every failure. Throws only for operational
 * errors (no package.json, a `--node` that does not run).
 */
export async function verify(options: VerifyOptions = {}): Promise<VerifyReport> {
  const root = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? { ...process.env };
  assertProjectFiles(root);
  const config = readProjectConfig(root);
  const nodePath = options.node ? resolveNodeBinary(options.node, root) : process.execPath;
  const isHost = nodePath === process.execPath;
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const pool = new LoaderPool({
    nodePath,
    size: options.jobs ?? defaultJobs(cpus),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    cwd: root,
    env,
  });
  const signal = options.signal;
  signal?.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      pool.close();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  // never left unhandled: a run that ends first leaves it pending for ever
  aborted.catch(() => undefined);
  try {
    return await Promise.race([aborted, runVerify({ root, options, env, config, nodePath, isHost, pool })]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    pool.close();
  }
}

/** What verify() settled before the loaders start. */
interface RunSetup {
  root: string;
  options: VerifyOptions;
  env: Record<string, string | undefined>;
  config: ProjectConfig;
  nodePath: string;
  isHost: boolean;
  pool: LoaderPool;
}

async function runVerify({
  root,
  options,
  env,
  config,
  nodePath,
  isHost,
  pool,
}: RunSetup): Promise<VerifyReport> {
  // the first loader starts while the tree loads: its report is the verifying Node's facts
  const [facts, libc, rootTree] = await Promise.all([
    pool.start(),
    (options.detectLibc ?? loaderLibc)().catch(() => null),
    loadInstalledTree(root),
  ]);
  const target = targetFromNode(facts, libc, {
    id: isHost ? 'host' : `node@${facts.versions.node}`,
    isHost,
    env,
  });
  const findings: Finding[] = [];
  const projects = await loadProjects(rootTree, options.nested !== false, findings);
  const run = new VerifyRun(root, target, nodePath, env, pool);
  const binaries = await run.verifyProjects(projects, findings);
  const { kept, ignored } = applyIgnore(findings, config);
  return {
    schemaVersion: 1,
    root: rootTree.root,
    node: {
      path: nodePath,
      version: target.version,
      abi: target.abi,
      napi: target.napi,
      platform: target.platform,
      arch: target.arch,
      libc: target.libc,
      libcVersion: target.libcVersion,
    },
    target,
    projects: projects.map((p) => p.rel),
    binaries,
    findings: sortFindings(kept),
    ignored,
  };
}

/** The root tree and every independent project below it that is not one of its workspaces. */
async function loadProjects(rootTree: ProjectTree, nested: boolean, findings: Finding[]): Promise<Project[]> {
  const root = rootTree.root;
  const projects: Project[] = [{ rel: '', dir: root, tree: rootTree }];
  findings.push(...treeProblemFindings(rootTree.problems));
  if (!nested) return projects;
  const workspaces = new Set<string>();
  const addWorkspaces = (tree: ProjectTree) => {
    for (const p of tree.packages) if (p.isWorkspace) workspaces.add(p.path);
  };
  addWorkspaces(rootTree);
  for (const rel of findNestedProjects(root)) {
    const dir = join(root, ...rel.split('/'));
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      continue;
    }
    if (workspaces.has(real)) continue;
    let tree: ProjectTree;
    try {
      tree = await loadInstalledTree(dir);
    } catch (err) {
      const e = err as TreeError;
      findings.push(
        makeFinding(
          e.code === 'EACCES' || e.code === 'EPERM' ? 'FOLDER_UNREADABLE' : 'PACKAGE_JSON_INVALID',
          { location: rel },
          { path: dir, errorCode: e.code ?? null, detail: e.message },
        ),
      );
      continue;
    }
    addWorkspaces(tree);
    projects.push({ rel, dir: tree.root, tree });
    findings.push(...treeProblemFindings(tree.problems, rel));
  }
  return projects;
}

/** Files bundled for other platforms or Node versions: the package picks among them, none is stray. */
const BUNDLED_TUPLE =
  /(?:^|[-_.])(?:darwin|linux|linuxmusl|win32|windows|win|freebsd|openbsd|sunos|aix|android|macos|alpine|musl)[-_](?:x64|x86_64|amd64|arm64|aarch64|ia32|x86|arm|armv\d+l?|ppc64(?:le)?|s390x|riscv64|loong64|mips64el|universal)\b/i;

/** `linux/x64/…`: a platform and an arch as consecutive folders (cmake-ts's `build/<os>/<arch>/`). */
const PLATFORM_DIR = /^(?:darwin|linux|win32|freebsd|openbsd|sunos|aix|android)$/;
const ARCH_DIR = /^(?:x64|arm64|ia32|arm|ppc64|s390x|riscv64|loong64|mips64el|universal)$/;

function isBundled(relInPackage: string, record: PackageRecord, shipped: ReadonlySet<string>): boolean {
  if (shipped.has(relInPackage)) return true;
  const dirs = relInPackage.split('/').slice(0, -1);
  // one of a family named per platform (sentry_cpu_profiler-linux-x64-musl-127.node,
  // oracledb-6.10.0-darwin-arm64.node): the package's own code picks among them
  const base = relInPackage.slice(relInPackage.lastIndexOf('/') + 1);
  if (parseNameTuple(base)) return true;
  // a builds-per-platform layout: no compiler writes its output there, the publisher put them there
  if (dirs.some((d, i) => PLATFORM_DIR.test(d) && ARCH_DIR.test(dirs[i + 1] ?? ''))) return true;
  // a platform package (os/cpu in its manifest, nothing to run at install) holds only what it shipped:
  // node-gyp-build-optional-packages' @lmdb/lmdb-linux-x64 carries its musl and other-ABI variants
  const m = record.manifest;
  const platformPackage =
    !record.isRoot &&
    (!!m.os?.length || !!m.cpu?.length) &&
    !m.scripts.preinstall &&
    !m.scripts.install &&
    !m.scripts.postinstall;
  if (platformPackage && !dirs.includes('build')) return true;
  if (dirs.includes('build')) return false;
  return dirs.some((d) => d === 'prebuilds' || BUNDLED_TUPLE.test(d));
}

/** The builds a cmake-ts package lists in its manifest: shipped for each os/arch/libc/ABI, never stray. */
function cmakeTsShipped(record: PackageRecord): Set<string> {
  const out = new Set<string>();
  const deps = record.manifest;
  if (!('cmake-ts' in deps.dependencies) && !('cmake-ts' in deps.optionalDependencies)) return out;
  const files = folderFiles(record.path, inspectFile);
  for (const e of readCmakeTsManifest(files, cmakeTsBuildDir(files)) ?? []) out.add(e.file);
  return out;
}

const NOT_REGULAR = 'ENOTREG';

/** Something at the path that exists but is no regular file (a FIFO, socket, device, folder). */
function isSpecialFile(abs: string): boolean {
  try {
    return !statSync(abs).isFile();
  } catch {
    return false;
  }
}

/** A file whose headers parse cleanly but register no Node module (a SQLite extension, a plain library). */
const notAnAddon = (facts: BinaryFacts) =>
  facts.format !== null && facts.reason === null && facts.module.kind === 'unknown';

class VerifyRun {
  private readonly dlopens = new Map<string, Promise<LoadResult>>();
  private readonly facts = new Map<string, BinaryFacts>();
  private readonly rows: VerifiedBinary[] = [];
  private findings: Finding[] = [];

  constructor(
    private readonly root: string,
    private readonly target: Target,
    private readonly nodePath: string,
    private readonly env: Record<string, string | undefined>,
    private readonly pool: LoaderPool,
  ) {}

  private rel(abs: string): string {
    return toPosix(relative(this.root, abs)) || '.';
  }

  private factsOf(abs: string): BinaryFacts {
    let hit = this.facts.get(abs);
    if (!hit) {
      hit = inspectFile(abs);
      this.facts.set(abs, hit);
    }
    return hit;
  }

  private dlopen(abs: string): Promise<LoadResult> {
    let hit = this.dlopens.get(abs);
    if (!hit) {
      // dlopen of a FIFO waits for a writer, of /dev/zero reads forever: such a file is judged by
      // its facts (INVALID_BINARY), never handed to a loader
      hit = isSpecialFile(abs)
        ? Promise.resolve<LoadResult>({
            status: 'threw',
            error: { message: `${abs}: not a regular file`, code: NOT_REGULAR, name: 'Error' },
            ms: 0,
            fresh: true,
          })
        : this.pool.load({ kind: 'dlopen', file: abs });
      this.dlopens.set(abs, hit);
    }
    return hit;
  }

  private entryJob(s: Subject): LoadJob {
    const loc = s.record.location;
    const at = loc.lastIndexOf('node_modules/');
    if (at < 0) return { kind: 'entry', dir: s.record.path, name: null, base: null };
    return {
      kind: 'entry',
      dir: s.record.path,
      name: s.record.name,
      base: join(s.project.dir, ...loc.slice(0, at).split('/').filter(Boolean)),
    };
  }

  private classifyCtx(abs: string | null): ClassifyContext {
    return {
      file: abs,
      facts: abs && existsSync(abs) ? this.factsOf(abs) : null,
      exists: !!abs && existsSync(abs),
      target: this.target,
    };
  }

  async verifyProjects(projects: Project[], findings: Finding[]): Promise<VerifiedBinary[]> {
    this.findings = findings;
    const subjects: Subject[] = [];
    const owners: Array<{ project: Project; record: PackageRecord; exclude: Set<string> }> = [];
    for (const project of projects) {
      const nestedInside = projects
        .filter((p) => p !== project && (project.rel === '' || p.rel.startsWith(project.rel + '/')))
        .map((p) => (project.rel ? p.rel.slice(project.rel.length + 1) : p.rel));
      const { natives, scan } = nativePackagesOf(project.tree, {
        target: this.target,
        env: this.env,
        execPath: this.nodePath,
        readFacts: (p) => this.factsOf(p),
      });
      for (const native of natives) subjects.push(...this.subjectsOf(project, native));
      for (const record of scan) {
        const exclude = new Set<string>();
        if (record.isRoot) {
          for (const p of nestedInside) exclude.add(p);
          for (const w of project.tree.packages)
            if (w.isWorkspace && !w.location.startsWith('..')) exclude.add(w.location);
        }
        owners.push({ project, record, exclude });
      }
    }

    // phase 1: every resolved binary, and the entry points of packages whose binary is not where
    // their loader looks (or whose loader is unknown)
    const resolvedFiles = new Set<string>();
    const phase1: Array<Promise<void>> = [];
    for (const s of subjects) {
      if (s.file) {
        resolvedFiles.add(s.file);
        phase1.push(this.dlopen(s.file).then((r) => this.onResolvedLoad(s, r)));
      } else if (!s.record.isRoot) {
        phase1.push(this.pool.load(this.entryJob(s)).then((r) => this.onEntryOnly(s, r, resolvedFiles)));
      }
    }
    await Promise.all(phase1);

    // phase 2: strays, every `.node` no package resolves to, except bundled prebuilds and files
    // that are no Node addon at all
    const phase2: Array<Promise<void>> = [];
    const seen = new Set<string>();
    for (const { project, record, exclude } of owners) {
      const base = record.isRoot ? project.dir : record.path;
      // a project's own folder is a checkout, walked with the project bounds; a package is small
      const limits = record.isRoot ? PROJECT_WALK : PACKAGE_WALK;
      const shipped = cmakeTsShipped(record);
      for (const rel of findNodeFiles(base, { exclude, limits })) {
        const abs = join(base, ...rel.split('/'));
        if (resolvedFiles.has(abs) || seen.has(abs) || isBundled(rel, record, shipped)) continue;
        seen.add(abs);
        if (notAnAddon(this.factsOf(abs))) continue;
        const stray: Subject = {
          project,
          record,
          resolvedBy: 'stray',
          file: abs,
          fromPackage: null,
          missing: null,
        };
        phase2.push(this.dlopen(abs).then((r) => this.onStrayLoad(stray, r)));
      }
    }
    await Promise.all(phase2);
    return this.rows.sort(
      (a, b) =>
        a.project.localeCompare(b.project) ||
        Number(a.resolvedBy === 'stray') - Number(b.resolvedBy === 'stray') ||
        (a.file ?? a.location ?? '').localeCompare(b.file ?? b.location ?? ''),
    );
  }

  private subjectsOf(project: Project, native: NativeInTree): Subject[] {
    return resolveRuntimeBinaries(native.ctx).map((b: RuntimeBinary) => ({
      project,
      record: native.native.pkg,
      resolvedBy: b.kind === 'unknown' ? 'entry-point' : b.loader,
      file: b.kind === 'file' ? b.path : null,
      fromPackage: b.kind === 'file' ? b.fromPackage : null,
      missing: b.kind === 'missing' ? { tried: b.tried, prebuilds: b.prebuilds ?? [] } : null,
    }));
  }

  private where(s: Subject) {
    const location = s.record.isRoot ? s.project.rel : posix.join(s.project.rel, s.record.location);
    return { package: s.record.id, location: location || '.', target: this.target.id };
  }

  private base(s: Subject, file: string | null, message: string, errorCode: string | null): LoadEvidenceBase {
    return {
      source: 'load',
      file: file ? this.rel(file) : null,
      project: s.project.rel,
      resolvedBy: s.resolvedBy,
      node: this.target.version,
      message,
      errorCode,
    };
  }

  private row(
    s: Subject,
    file: string | null,
    loaded: boolean,
    finding?: Finding,
    resolvedBy?: RuntimeLoader | 'stray',
  ) {
    const where = this.where(s);
    const row: VerifiedBinary = {
      package: s.record.id,
      location: where.location,
      project: s.project.rel,
      file: file ? this.rel(file) : null,
      resolvedBy: resolvedBy ?? s.resolvedBy,
      fromPackage: s.fromPackage,
      loaded,
    };
    if (finding) {
      row.code = finding.code;
      row.message = describe(finding).message;
    }
    this.rows.push(row);
  }

  /** A finding for a binary that did not load, with the classification's numbers. */
  private failureFinding(
    s: Subject,
    file: string | null,
    c: LoadClassification,
    raw: { message: string; errorCode: string | null },
    extra: { severity?: 'error' | 'warning' | 'info'; entryPoint?: boolean; lazy?: boolean } = {},
  ): Finding {
    const { code, ...numbers } = c;
    const evidence: Record<string, unknown> = {
      ...this.base(s, file, raw.message, raw.errorCode),
      ...numbers,
    };
    if (code === 'BINARY_MISSING') {
      evidence.tried = (s.missing?.tried ?? []).map((t) =>
        t.startsWith('/') || /^[A-Za-z]:/.test(t) ? this.rel(t) : t,
      );
      evidence.lazy = !!extra.lazy;
      evidence.prebuilds = s.missing?.prebuilds ?? [];
    }
    if (code === 'LOAD_FAILED') evidence.entryPoint = !!extra.entryPoint;
    const fields = extra.severity ? { ...this.where(s), severity: extra.severity } : this.where(s);
    // the evidence matches the code by construction: the classification carries that code's numbers
    return makeFinding(code, fields, evidence as never);
  }

  private failureOf(
    r: LoadResult,
  ): { failure: LoadFailure; message: string; errorCode: string | null } | null {
    switch (r.status) {
      case 'loaded':
        return null;
      case 'threw':
        return {
          failure: { kind: 'threw', message: r.error.message, errorCode: r.error.code },
          message: r.error.message,
          errorCode: r.error.code,
        };
      case 'died': {
        const message = r.uncaught?.message ?? stderrTail(r.stderr);
        return {
          failure: {
            kind: 'died',
            signal: r.signal,
            exitCode: r.exitCode,
            exitCalled: r.exitCalled,
            stderr: r.stderr,
          },
          message,
          errorCode: r.uncaught?.code ?? null,
        };
      }
      case 'timeout':
        return {
          failure: { kind: 'timeout', timeoutMs: r.timeoutMs },
          message: stderrTail(r.stderr),
          errorCode: null,
        };
      case 'violation':
        return {
          failure: { kind: 'violation', reason: r.reason, excerpt: r.excerpt },
          message: stderrTail(r.stderr),
          errorCode: null,
        };
    }
  }

  private async onResolvedLoad(s: Subject, r: LoadResult): Promise<void> {
    const failed = this.failureOf(r);
    if (!failed) {
      this.row(s, s.file, true);
      return;
    }
    const c = classifyFailure(failed.failure, this.classifyCtx(s.file));
    // a package may catch the failure and carry on in JavaScript: load its entry point to see
    if (r.status === 'threw' && !s.record.isRoot && r.error.code !== NOT_REGULAR) {
      const entry = await this.pool.load(this.entryJob(s));
      if (entry.status === 'loaded') {
        const calls = entry.dlopened ?? [];
        const worked = calls.find((call) => call.ok && call.file !== s.file);
        if (worked) {
          // the package loaded another binary: this one is not what the app uses
          this.row(s, worked.file, true, undefined, 'entry-point');
          this.strayFinding(s, r, c, failed);
          return;
        }
        const caught = calls.some((call) => !call.ok) || (entry.thrown?.length ?? 0) > 0;
        if (caught) {
          const f = makeFinding('JS_FALLBACK_IN_USE', this.where(s), {
            ...this.base(s, s.file, failed.message, failed.errorCode),
            failure: c,
          });
          this.findings.push(f);
          this.row(s, s.file, false, f);
          return;
        }
      }
    }
    const f = this.failureFinding(s, s.file, c, failed);
    this.findings.push(f);
    this.row(s, s.file, false, f);
  }

  /** A package whose binary is not where its loader looks, or whose loader is unknown: its entry point tells. */
  private onEntryOnly(s: Subject, r: LoadResult, resolvedFiles: Set<string>): void {
    const calls: DlopenCall[] = r.status === 'loaded' || r.status === 'threw' ? (r.dlopened ?? []) : [];
    for (const call of calls) resolvedFiles.add(call.file);
    const as = (file: string): Subject => ({ ...s, file, resolvedBy: 'entry-point', missing: null });
    const missing = s.missing !== null;

    if (r.status === 'died' || r.status === 'timeout' || r.status === 'violation') {
      const file = r.lastDlopen;
      if (file) resolvedFiles.add(file);
      const failed = this.failureOf(r)!;
      const c = classifyFailure(failed.failure, this.classifyCtx(file));
      const subject = file ? as(file) : s;
      const f = this.failureFinding(subject, file, c, failed);
      this.findings.push(f);
      this.row(subject, file, false, f);
      return;
    }
    const worked = calls.filter((c) => c.ok);
    const broken = calls.filter((c) => !c.ok);
    for (const call of worked) this.row(as(call.file), call.file, true);
    if (r.status === 'loaded') {
      if (worked.length) return;
      if (broken.length || (r.thrown?.length ?? 0) > 0) {
        const call = broken[0];
        const c: LoadClassification = call
          ? classifyMessage(call.error?.message ?? '', call.error?.code ?? null, this.classifyCtx(call.file))
          : { code: 'BINARY_MISSING', loaderMessage: 'node-gyp-build' };
        const raw = call?.error ?? r.thrown![0]!.error;
        const subject = call ? as(call.file) : s;
        const f = makeFinding('JS_FALLBACK_IN_USE', this.where(subject), {
          ...this.base(subject, call?.file ?? null, raw.message, raw.code),
          failure: c,
        });
        this.findings.push(f);
        this.row(subject, call?.file ?? null, false, f);
        return;
      }
      if (missing) {
        // it loads without the binary: the package loads it on first use, and that will throw
        const f = this.failureFinding(
          s,
          null,
          { code: 'BINARY_MISSING', loaderMessage: 'file' },
          { message: '', errorCode: null },
          { lazy: true },
        );
        this.findings.push(f);
        this.row(s, null, false, f);
      }
      return;
    }
    // the entry point threw
    const call = broken[0];
    if (call) {
      const c = classifyMessage(
        call.error?.message ?? '',
        call.error?.code ?? null,
        this.classifyCtx(call.file),
      );
      const f = this.failureFinding(as(call.file), call.file, c, {
        message: call.error?.message ?? '',
        errorCode: call.error?.code ?? null,
      });
      this.findings.push(f);
      this.row(as(call.file), call.file, false, f);
      return;
    }
    const c = classifyMessage(r.error.message, r.error.code, this.classifyCtx(null));
    if (c.code === 'BINARY_MISSING' || missing) {
      // the package's own words when they are about the binary; else where its loader looks
      const raw =
        c.code === 'BINARY_MISSING'
          ? { message: r.error.message, errorCode: r.error.code }
          : { message: '', errorCode: null };
      const f = this.failureFinding(
        s,
        null,
        c.code === 'BINARY_MISSING' ? c : { code: 'BINARY_MISSING', loaderMessage: 'file' },
        raw,
      );
      this.findings.push(f);
      this.row(s, null, false, f);
      return;
    }
    // an entry point that fails for reasons of its own, with no binary involved: noted, not an error
    const raw = { message: r.error.message, errorCode: r.error.code };
    const f = this.failureFinding(s, null, { code: 'LOAD_FAILED', symbol: null }, raw, {
      severity: 'info',
      entryPoint: true,
    });
    this.findings.push(f);
  }

  private strayFinding(
    s: Subject,
    r: LoadResult,
    c: LoadClassification | null,
    failed: { message: string; errorCode: string | null } | null,
  ): Finding {
    const mismatches: FactsMismatch[] = s.file
      ? checkFactsAgainstTarget(this.factsOf(s.file), this.target)
      : [];
    const stray: Subject = { ...s, resolvedBy: 'stray' };
    const f = makeFinding('STRAY_BINARY', this.where(stray), {
      ...this.base(stray, s.file, failed?.message ?? '', failed?.errorCode ?? null),
      loaded: r.status === 'loaded',
      failure: c,
      mismatches,
    });
    this.findings.push(f);
    this.row(stray, s.file, r.status === 'loaded', f);
    return f;
  }

  private onStrayLoad(s: Subject, r: LoadResult): void {
    const failed = this.failureOf(r);
    if (!failed) {
      this.row(s, s.file, true);
      return;
    }
    const c = classifyFailure(failed.failure, this.classifyCtx(s.file));
    this.strayFinding(s, r, c, failed);
  }
}

/** Packages a native package calls at run time to find its binary. */
const RUNTIME_LOADERS = ['bindings', 'node-gyp-build', 'node-gyp-build-optional-packages'];

export interface NativeInTree {
  native: NativePackage;
  /** What the runtime resolution of its binary reads, for the verifying Node. */
  ctx: RuntimeContext;
}

/**
 * The native packages of one installed tree, each with the context its runtime binary is resolved
 * in (platform packages count through the package that picks them), and the packages whose
 * folders may hold stray binaries: every native package's, the project's own, its workspaces, and
 * any with a build/ folder.
 */
export function nativePackagesOf(
  tree: ProjectTree,
  options: {
    target: Target;
    env: Record<string, string | undefined>;
    execPath: string;
    readFacts: FactsReader;
  },
): { natives: NativeInTree[]; scan: PackageRecord[] } {
  const files = new Map<string, PackageFiles>();
  const filesAt = (dir: string): PackageFiles => {
    let hit = files.get(dir);
    if (!hit) {
      hit = folderFiles(dir, options.readFacts);
      files.set(dir, hit);
    }
    return hit;
  };
  const filesOf = (record: PackageRecord) => filesAt(record.path);
  const resolverFor = candidateResolver(tree);

  const natives: NativePackage[] = [];
  for (const pkg of tree.packages) {
    const native = detectNative(pkg, { files: filesOf(pkg), resolvePlatformCandidate: resolverFor(pkg) });
    if (native) natives.push(native);
    // a package that calls a binary loader at run time is native whatever its install does (some
    // publish build/Release in the tarball, with no binding.gyp or install script). Not native-guard
    // itself: it depends on node-gyp-build for its prebuild matching, never for a binary of its own,
    // and every project that installs it (and runs its postinstall hook) would see it as missing one.
    else if (
      pkg.name !== 'native-guard' &&
      RUNTIME_LOADERS.some((l) => l in pkg.manifest.dependencies || l in pkg.manifest.optionalDependencies)
    )
      natives.push({ pkg, chain: [], scripts: [] });
  }
  const platformLocations = platformPackageLocations(natives, resolverFor);
  const nativeSet = new Set(natives.map((n) => n.pkg));
  const scan = tree.packages.filter(
    (p) =>
      p.isRoot ||
      p.isWorkspace ||
      nativeSet.has(p) ||
      platformLocations.has(p.location) ||
      p.rootEntries?.includes('build/'),
  );
  return {
    natives: natives
      .filter((n) => !platformLocations.has(n.pkg.location))
      .map((native) => ({
        native,
        ctx: {
          native,
          files: filesOf(native.pkg),
          target: options.target,
          resolvePlatformCandidate: resolverFor(native.pkg),
          filesOf,
          env: options.env,
          // node-pre-gyp's module_path needs neither: it is evaluated, not downloaded
          npmCache: '',
          cacheHas: () => false,
          dir: native.pkg.path,
          folderOf: (r: PackageRecord) => r.path,
          filesAt,
          execPath: options.execPath,
        },
      })),
    scan,
  };
}

/** The last lines of what a dying loader wrote to stderr. */
function stderrTail(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return lines.slice(-12).join('\n');
}
