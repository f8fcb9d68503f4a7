import type { CheckReport } from '../model/reports.js';
import { findingDocsAnchor } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { Target } from '../model/target.js';
import { describe } from './messages.js';

/** A finding as JSON: its data, plus the rendered words and docs anchor for tools that show them. */
export function findingJson(f: Finding) {
  const words = describe(f);
  return {
    code: f.code,
    severity: f.severity,
    package: f.package ?? null,
    location: f.location ?? null,
    target: f.target ?? null,
    message: words.message,
    fix: words.fix,
    docs: findingDocsAnchor(f.code),
    evidence: f.evidence,
  };
}

export function targetJson(t: Target) {
  return {
    id: t.id,
    runtime: t.runtime,
    version: t.version,
    abi: t.abi,
    napi: t.napi,
    platform: t.platform,
    arch: t.arch,
    libc: t.libc,
    libcVersion: t.libcVersion,
    image: t.image ?? null,
    toolchain: {
      python: t.toolchain.python,
      make: t.toolchain.make,
      cxx: t.toolchain.cxx,
      known: t.toolchain.known !== false,
      ...(t.toolchain.details ? { details: t.toolchain.details } : {}),
    },
  };
}

export function renderCheckJson(report: CheckReport): string {
  const json = {
    schemaVersion: report.schemaVersion,
    root: report.root,
    mode: report.mode,
    ...(report.packageManager ? { packageManager: report.packageManager } : {}),
    targets: report.targets.map(targetJson),
    // a prediction's full binary facts stay internal; its evidence carries the summary
    packages: report.packages.map((p) => ({
      ...p,
      predictions: p.predictions.map(({ facts: _facts, ...rest }) => rest),
    })),
    findings: report.findings.map(findingJson),
    ignored: report.ignored,
    ...(report.docker ? { docker: report.docker } : {}),
    ...(report.fetched ? { fetched: report.fetched } : {}),
    ...(report.online ? { online: report.online } : {}),
    ...(report.scriptPolicy ? { scriptPolicy: report.scriptPolicy } : {}),
  };
  return JSON.stringify(json, null, 2) + '\n';
}
