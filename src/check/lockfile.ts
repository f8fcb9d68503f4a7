import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { NativePackage, PlatformCandidate, Prediction } from '../model/prediction.js';
import type { Target } from '../model/target.js';
import { constraintsOf } from '../model/package.js';
import type { LockEntry, PackageRecord, ProjectTree } from '../model/package.js';

/**
 * Lockfile mode: one MANIFEST_UNAVAILABLE per package whose manifest or tarball could not be had,
 * and per platform package a parent names that the lockfile lacks and the registry did not describe.
 */
export function unavailableFindings(tree: ProjectTree, offline: boolean): Finding[] {
  const out: Finding[] = [];
  for (const record of tree.packages) {
    if (record.unavailable) {
      out.push(
        makeFinding(
          'MANIFEST_UNAVAILABLE',
          { package: record.id, location: record.location },
          {
            name: record.name,
            version: record.version,
            code: record.unavailable.code,
            detail: record.unavailable.detail,
            ...(record.unavailable.tarball ? { tarball: record.unavailable.tarball } : {}),
            ...(record.unavailable.notRegistry ? { notRegistry: record.unavailable.notRegistry } : {}),
            offline,
            role: constraintsOf(record.manifest) ? 'platform-package' : 'package',
          },
        ),
      );
    }
    for (const u of record.unlocked ?? []) {
      if (!u.unavailable) continue;
      out.push(
        makeFinding(
          'MANIFEST_UNAVAILABLE',
          { package: record.id, location: record.location },
          {
            name: u.name,
            version: null,
            code: u.unavailable.code,
            detail: u.unavailable.detail,
            ...(u.unavailable.notRegistry ? { notRegistry: u.unavailable.notRegistry } : {}),
            offline,
            role: 'unlocked-platform-package',
          },
        ),
      );
    }
  }
  return out;
}

/** A package whose own manifest could not be had is unknown on every target: never a guess. */
export function isUnknownPackage(record: PackageRecord): boolean {
  return !!record.unavailable && !constraintsOf(record.manifest) && !record.isRoot;
}

export function unknownPredictions(record: PackageRecord, targets: Target[]): Prediction[] {
  return targets.map((t) => ({
    target: t.id,
    outcome: 'unknown' as const,
    strategy: null,
    evidence: [
      {
        kind: 'manifest-unavailable' as const,
        name: record.name,
        version: record.version,
        code: record.unavailable?.code ?? 'EFETCH',
      },
    ],
  }));
}

/**
 * LOCKFILE_LIBC_MISSING: a platform package whose own package.json declares libc while its lockfile
 * entry has none (written by an npm before 10.4), so npm installs the glibc and the musl build alike.
 */
export function lostLibcFindings(
  natives: NativePackage[],
  resolve: (pkg: PackageRecord) => (name: string, spec: string) => PlatformCandidate,
  lockEntries: Map<string, LockEntry>,
): Finding[] {
  const out: Finding[] = [];
  for (const native of natives) {
    const seen = new Set<string>();
    for (const link of native.chain) {
      if (link.strategy !== 'platform-packages') continue;
      for (const name of link.candidates) {
        const cand = resolve(native.pkg)(name, '*');
        // an installed platform package's manifest is its package.json (actual.ts reads it for any os/cpu/libc)
        if (cand.source !== 'installed') continue;
        if (!cand.record.installed && cand.record.manifestSource !== 'package') continue;
        const record = cand.record;
        const entry = lockEntries.get(record.location);
        const libc = record.manifest.libc;
        // an npm lockfile fault (npm before 10.4), worded for npm: not said of another manager's lockfile
        if (!entry || entry.manager || entry.libc !== undefined || !libc?.length || seen.has(record.location))
          continue;
        seen.add(record.location);
        const evidence: Extract<Finding, { code: 'LOCKFILE_LIBC_MISSING' }>['evidence'] = {
          name: record.name,
          version: record.version,
          libc,
        };
        if (entry.os) evidence.os = entry.os;
        if (entry.cpu) evidence.cpu = entry.cpu;
        out.push(
          makeFinding(
            'LOCKFILE_LIBC_MISSING',
            { package: native.pkg.id, location: native.pkg.location },
            evidence,
          ),
        );
      }
    }
  }
  return out;
}

type MissingEntry = Extract<Finding, { code: 'LOCKFILE_ENTRIES_MISSING' }>['evidence']['missing'][number];

/**
 * `npm ci` builds its ideal tree from the lockfile and refuses (EUSAGE, "Missing: <name>@ from lock
 * file") when a locked package's dependency has no entry, on every platform and before any install
 * script runs: a lockfile written against a registry that did not serve some platform packages
 * (npm 11, checked on real lockfiles). Peer edges are left out: whether npm installs a missing peer
 * depends on legacy-peer-deps. A v1 lockfile is upgraded by npm from the manifests, so it is not judged.
 */
export function lockfileRefusal(tree: ProjectTree): { findings: Finding[]; missing: string[] } | null {
  if (tree.mode !== 'lockfile' || (tree.lockfile?.lockfileVersion ?? 2) < 2) return null;
  const findings: Finding[] = [];
  const missing = new Set<string>();
  for (const record of tree.packages) {
    if (record.inBundle) continue;
    const lacking: MissingEntry[] = [];
    for (const dep of record.dependencies) {
      if (dep.location !== null) continue;
      if (dep.type !== 'prod' && dep.type !== 'optional' && dep.type !== 'dev') continue;
      lacking.push({ name: dep.name, spec: dep.spec, type: dep.type });
      missing.add(`${dep.name}@${dep.spec}`);
    }
    if (!lacking.length) continue;
    lacking.sort((a, b) => a.name.localeCompare(b.name));
    findings.push(
      makeFinding(
        'LOCKFILE_ENTRIES_MISSING',
        { package: record.id, location: record.location },
        { missing: lacking },
      ),
    );
  }
  return findings.length ? { findings, missing: [...missing].sort() } : null;
}

/** Under a lockfile `npm ci` refuses, nothing installs: every prediction is `fails`, saying why first. */
export function refusedPrediction(p: Prediction, missing: string[]): Prediction {
  const next: Prediction = {
    target: p.target,
    outcome: 'fails',
    strategy: p.strategy,
    evidence: [{ kind: 'lockfile-refused', missing }, ...p.evidence],
  };
  if (p.installScript) next.installScript = p.installScript;
  return next;
}
