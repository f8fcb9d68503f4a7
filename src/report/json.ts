import type { CheckReport, DockerSummary } from '../model/reports.js';
import { findingDocsAnchor } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { Target } from '../model/target.js';
import { invalidBinaryWords, mismatchJson } from './binary-words.js';
import { evidenceItemJson } from './download-words.js';
import { describeIn } from './messages.js';
import { baseImageWords, dockerfileProblemWords, fetchDetailWords, treeProblemWords } from './reasons.js';
import { targetErrorDetail } from './target-error-words.js';

/**
 * A finding as JSON: its data, plus the rendered words and docs anchor for tools that show them.
 * `targets`: the report's targets, whose image data words the fixes.
 */
export function findingJson(f: Finding, targets: readonly Target[] = []) {
  const words = describeIn(f, targets);
  return {
    code: f.code,
    severity: f.severity,
    package: f.package ?? null,
    location: f.location ?? null,
    target: f.target ?? null,
    message: words.message,
    fix: words.fix,
    docs: findingDocsAnchor(f.code),
    evidence: evidenceJson(f),
  };
}

/**
 * The evidence as JSON: the finding's data, plus the words of a coded reason under the name it has
 * always had in the JSON (`detail`), so tools reading it keep working.
 */
function evidenceJson(f: Finding): object {
  switch (f.code) {
    case 'DOCKERFILE_PROBLEM':
      return { ...f.evidence, detail: dockerfileProblemWords(f.evidence) };
    case 'DOCKER_BASE_IMAGE_UNKNOWN': {
      const e = f.evidence;
      // the parser's refusal as the words it always had here, in its place
      const words = 'targetError' in e ? { targetError: targetErrorDetail(e.targetError) } : {};
      return { ...e, ...words, detail: baseImageWords(e) };
    }
    case 'NO_PREBUILD_FOR_TARGET':
    case 'TOOLCHAIN_MISSING':
    case 'SOURCE_BUILD_REQUIRED':
      return { ...f.evidence, details: f.evidence.details.map(evidenceItemJson) };
    case 'INVALID_BINARY':
      return { ...f.evidence, reason: invalidBinaryWords(f.evidence) };
    case 'MANIFEST_UNAVAILABLE':
      return { ...f.evidence, detail: fetchDetailWords(f.evidence) };
    case 'STRAY_BINARY_IN_CONTEXT':
      return { ...f.evidence, mismatches: f.evidence.mismatches.map(mismatchJson) };
    case 'PACKAGE_JSON_INVALID':
    case 'LINK_BROKEN':
    case 'FOLDER_UNREADABLE':
    case 'LOCKFILE_INVALID':
    case 'PACKAGE_NAME_CASE_CONFLICT': {
      const detail = treeProblemWords(f.evidence);
      // a nested project's tree error: its words in `error` as for any error, its code in `tree`
      if (f.evidence.reason === 'tree-unreadable')
        return { ...f.evidence, reason: 'error', error: detail, detail };
      return { ...f.evidence, detail };
    }
    default:
      return f.evidence;
  }
}

/** The Docker summary as JSON: a sent binary's `INVALID_BINARY` mismatch keeps its `reason` words. */
export function dockerSummaryJson(summary: DockerSummary): object {
  if (!summary.scan) return summary;
  return {
    ...summary,
    scan: {
      ...summary.scan,
      binaries: summary.scan.binaries.map((b) => ({ ...b, mismatches: b.mismatches.map(mismatchJson) })),
    },
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
      predictions: p.predictions.map(({ facts: _facts, ...rest }) => ({
        ...rest,
        evidence: rest.evidence.map(evidenceItemJson),
      })),
    })),
    findings: report.findings.map((f) => findingJson(f, report.targets)),
    ignored: report.ignored,
    ...(report.docker ? { docker: dockerSummaryJson(report.docker) } : {}),
    ...(report.fetched ? { fetched: report.fetched } : {}),
    ...(report.online ? { online: report.online } : {}),
    ...(report.scriptPolicy ? { scriptPolicy: report.scriptPolicy } : {}),
    ...(report.npm !== undefined ? { npm: report.npm } : {}),
  };
  return JSON.stringify(json, null, 2) + '\n';
}
