// verify's runner for one set of projects: loads every planned binary in the loader pool (once per
// file), and turns each outcome into a row of the report and, when it did not load, a finding.
import { existsSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { checkFactsAgainstTarget } from '../binary/compat.js';
import { inspectFile } from '../binary/facts.js';
import type { BinaryFacts, FactsMismatch } from '../model/binary.js';
import { makeFinding } from '../model/findings.js';
import type { Finding, LoadEvidenceBase } from '../model/findings.js';
import type { LoadClassification, RuntimeLoader } from '../model/load.js';
import type { VerifiedBinary } from '../model/reports.js';
import type { Target } from '../model/target.js';
import { classifyFailure, classifyMessage, failureOf } from '../probe/classify.js';
import type { ClassifyContext } from '../probe/classify.js';
import type { LoaderPool } from '../probe/pool.js';
import type { DlopenCall, LoadJob, LoadResult } from '../probe/jobs.js';
import { findNodeFiles, PACKAGE_WALK, PROJECT_WALK } from '../tree/projects.js';
import { cmakeTsShipped, isBundled, notAnAddon, planProjects } from './plan.js';
import type { Project, Subject } from './plan.js';

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

const NOT_REGULAR = 'ENOTREG';

/** Something at the path that exists but is no regular file (a FIFO, socket, device, folder). */
function isSpecialFile(abs: string): boolean {
  try {
    return !statSync(abs).isFile();
  } catch {
    return false;
  }
}

export class VerifyRun {
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
    const { subjects, owners } = planProjects(projects, {
      target: this.target,
      env: this.env,
      execPath: this.nodePath,
      readFacts: (p) => this.factsOf(p),
    });

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
      row.finding = finding;
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

  private async onResolvedLoad(s: Subject, r: LoadResult): Promise<void> {
    const failed = failureOf(r);
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
      const failed = failureOf(r)!;
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
      const allowedBy = s.missing?.allowedBy;
      if (allowedBy) {
        // no binary, its install script planned for that, and its entry point loads without one
        const f = makeFinding('NO_BINARY_BY_DESIGN', this.where(s), {
          ...this.base(s, null, '', null),
          event: allowedBy.event,
          script: allowedBy.text,
          tried: (s.missing?.tried ?? []).map((t) =>
            t.startsWith('/') || /^[A-Za-z]:/.test(t) ? this.rel(t) : t,
          ),
        });
        this.findings.push(f);
        // no row: there is no binary, and nothing failed
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
    const failed = failureOf(r);
    if (!failed) {
      this.row(s, s.file, true);
      return;
    }
    const c = classifyFailure(failed.failure, this.classifyCtx(s.file));
    this.strayFinding(s, r, c, failed);
  }
}
