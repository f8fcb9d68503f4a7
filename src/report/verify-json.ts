import type { VerifyReport } from '../model/reports.js';
import { findingJson } from './json.js';
import { describe } from './messages.js';

/**
 * `verify --json`, schemaVersion 1: the Node used, one entry per binary (`loaded`, and the finding
 * code and message when it did not), and the findings in check's shape.
 */
export function renderVerifyJson(report: VerifyReport): string {
  const json = {
    schemaVersion: report.schemaVersion,
    root: report.root,
    ...(report.packageManager ? { packageManager: report.packageManager } : {}),
    node: report.node,
    projects: report.projects,
    binaries: report.binaries.map((b) => ({
      package: b.package,
      file: b.file,
      loaded: b.loaded,
      ...(b.code
        ? { code: b.code, message: b.finding ? describe(b.finding, report.target).message : '' }
        : {}),
      project: b.project,
      location: b.location,
      resolvedBy: b.resolvedBy,
      fromPackage: b.fromPackage,
    })),
    findings: report.findings.map((f) => findingJson(f, [report.target])),
    ignored: report.ignored,
  };
  return JSON.stringify(json, null, 2) + '\n';
}
