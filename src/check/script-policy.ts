// The install-script policy pass: for each native package with install scripts and each target,
// whether the binary needs the script and what the package manager's policy does with it.
import { applyIgnore } from '../config.js';
import type { ProjectConfig } from '../config.js';
import type { CheckReport, PackageReport, ScriptPolicySummary } from '../model/reports.js';
import { makeFinding, sortFindings } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type {
  InstallScriptVerdict,
  Prediction,
  ScriptNeed,
  InstallScriptPolicy,
  StrategyName,
} from '../model/prediction.js';
import type { PackageRecord, ProjectTree } from '../model/package.js';

const BLOCKING: ReadonlySet<InstallScriptVerdict> = new Set([
  'denied',
  'ignored',
  'not-allowed',
  'unreviewed-strict',
]);
const SCRIPT_STRATEGIES: ReadonlySet<StrategyName> = new Set([
  'prebuild-install',
  'node-pre-gyp',
  'source-build',
  'script-download',
]);

/** The install scripts npm would run for the package, implicit `node-gyp rebuild` included. */
export function installScriptsOf(record: PackageRecord): string[] {
  const s = record.manifest.scripts;
  const out: string[] = [];
  for (const event of ['preinstall', 'install', 'postinstall'] as const) {
    const text = s[event];
    if (text !== undefined && text.trim() !== '') out.push(`${event}: ${text}`);
  }
  const gyp =
    (record.rootEntries ?? []).includes('binding.gyp') &&
    record.manifest.gypfile !== false &&
    s.install === undefined &&
    s.preinstall === undefined;
  if (gyp) out.push('install: node-gyp rebuild');
  if (!out.length && record.hasInstallScript) out.push('(install scripts present)');
  return out;
}

/**
 * Does this target's binary depend on the install script running? The link that decided the
 * prediction says: a bundled prebuild node-gyp-build picks at run time, a platform package or a
 * shipped binary need no script; a download (prebuild-install, node-pre-gyp) or a compile does; a
 * script native-guard cannot read may (treated as needed).
 */
export function scriptNeed(pred: Prediction, pkg: PackageReport): ScriptNeed {
  const s = pred.strategy;
  if (s === 'unknown-script') return 'unknown';
  if (s && SCRIPT_STRATEGIES.has(s)) return 'yes';
  if (s) return 'no';
  // nothing gave a binary: whatever could still try is a script
  if (pkg.strategies.includes('unknown-script')) return 'unknown';
  return pkg.strategies.some((x) => SCRIPT_STRATEGIES.has(x as StrategyName)) ? 'yes' : 'no';
}

/**
 * A strict policy (pnpm strictDepBuilds) fails the whole install on this package's build: it is
 * neither allowed nor denied, or (pnpm 10) denied since a failed install that recorded skipping it.
 */
function failsInstall(policy: InstallScriptPolicy, record: PackageRecord): boolean {
  if (!policy.strict) return false;
  const verdict = policy.verdict(record);
  if (verdict === 'unreviewed-strict') return true;
  return (
    verdict === 'denied' && !!policy.strict.keepsIgnoredBuilds && !!policy.ignoredAtLastInstall?.(record)
  );
}

/**
 * The install-script policy pass over a report: for each native package with install scripts and
 * each target, whether the binary needs the script and what the policy does with it.
 * INSTALL_SCRIPT_DENIED where a needed script is blocked (error; the outcome becomes `fails`) or
 * merely unreviewed (warning); INSTALL_SCRIPT_NOT_NEEDED where no target needs it.
 */
export function applyInstallScriptPolicy(
  report: CheckReport,
  tree: ProjectTree,
  policies: InstallScriptPolicy[],
): { report: CheckReport; summary: ScriptPolicySummary } {
  const byLocation = new Map(tree.packages.map((p) => [p.location, p]));
  const findings: Finding[] = [];
  const allow = new Set<string>();
  // not needed anywhere, but a strict policy fails the install unless it is decided: deny it quietly
  const deny = new Set<string>();
  const packages = report.packages.map((pkg) => {
    const record = byLocation.get(pkg.location);
    // a package whose manifest could not be had: nothing is known of its scripts (MANIFEST_UNAVAILABLE says so)
    if (!record || record.isRoot || record.isWorkspace || record.unavailable) return pkg;
    const scripts = installScriptsOf(record);
    if (!scripts.length) return pkg;
    const where = { package: `${pkg.name}@${pkg.version}`, location: pkg.location };
    const needs = pkg.predictions.map((p) => scriptNeed(p, pkg));
    if (needs.some((n) => n !== 'no')) allow.add(pkg.name);
    const neededOn = pkg.predictions.filter((_, i) => needs[i] !== 'no').map((p) => p.target);
    const predictions = pkg.predictions.map((pred, i) => {
      const needed = needs[i]!;
      let next: Prediction = pred;
      policies.forEach((policy, index) => {
        const verdict = policy.verdict(record);
        if (index === 0) next = { ...next, installScript: { needed, tool: policy.tool, verdict } };
        // the script a target's binary needs will not run: the package breaks there, quietly
        if (needed === 'yes' && BLOCKING.has(verdict) && next.outcome !== 'fails') {
          next = {
            ...next,
            outcome: 'fails',
            evidence: [
              ...next.evidence,
              { kind: 'install-script-policy', tool: policy.tool, verdict, needed },
            ],
          };
        }
      });
      return next;
    });
    const strategies = pkg.predictions.filter((_, i) => needs[i] !== 'no').map((p) => p.strategy);
    const lastInstall = (policy: InstallScriptPolicy) =>
      policy.ignoredAtLastInstall?.(record) ? { ignoredAtLastInstall: true } : {};
    // pnpm's strictDepBuilds: an unapproved build fails the whole install, needed or not
    const failing = policies.filter((p) => failsInstall(p, record));
    for (const policy of failing) {
      const verdict = policy.verdict(record);
      if (!neededOn.length && verdict !== 'denied') deny.add(pkg.name);
      findings.push(
        makeFinding('INSTALL_FAILS_IGNORED_BUILD', where, {
          tool: policy.tool,
          verdict,
          needed: needs.includes('yes') ? 'yes' : needs.includes('unknown') ? 'unknown' : 'no',
          targets: neededOn,
          strategy: strategies.find((s) => s !== null) ?? null,
          scripts,
          policySource: policy.source,
          strictSource: policy.strict?.source ?? null,
          ...(policy.toolVersion ? { toolVersion: policy.toolVersion } : {}),
          ...lastInstall(policy),
        }),
      );
    }
    const judged = policies.filter((p) => !failing.includes(p));
    if (neededOn.length) {
      for (const policy of judged) {
        const verdict = policy.verdict(record);
        // allowed now, but the last install skipped it: the installed tree lacks what it builds
        if (verdict === 'allowed' && !policy.ignoredAtLastInstall?.(record)) continue;
        const blocks = BLOCKING.has(verdict);
        findings.push(
          makeFinding(
            'INSTALL_SCRIPT_DENIED',
            { ...where, ...(blocks ? {} : { severity: 'warning' as const }) },
            {
              tool: policy.tool,
              verdict,
              needed: needs.includes('yes') ? 'yes' : 'unknown',
              targets: neededOn,
              strategy: strategies.find((s) => s !== null) ?? null,
              scripts,
              policySource: policy.source,
              ...(policy.toolVersion ? { toolVersion: policy.toolVersion } : {}),
              ...lastInstall(policy),
            },
          ),
        );
      }
    }
    if (needs.length && needs.every((n) => n === 'no')) {
      for (const policy of judged) {
        findings.push(
          makeFinding('INSTALL_SCRIPT_NOT_NEEDED', where, {
            tool: policy.tool,
            verdict: policy.verdict(record),
            targets: pkg.predictions.map((p) => p.target),
            strategies: [
              ...new Set(pkg.predictions.map((p) => p.strategy).filter((s): s is StrategyName => !!s)),
            ],
            scripts,
            policySource: policy.source,
            ...(policy.toolVersion ? { toolVersion: policy.toolVersion } : {}),
            ...lastInstall(policy),
          }),
        );
      }
    }
    return { ...pkg, predictions };
  });
  // packages native-guard makes no prediction for, whose build the last install recorded skipping:
  // under a strict policy they fail the install just the same (whether they need it is not judged)
  const judgedHere = new Set(report.packages.map((p) => p.location));
  for (const record of tree.packages) {
    if (judgedHere.has(record.location) || record.isRoot || record.isWorkspace) continue;
    for (const policy of policies) {
      if (!policy.ignoredAtLastInstall?.(record) || !failsInstall(policy, record)) continue;
      findings.push(
        makeFinding(
          'INSTALL_FAILS_IGNORED_BUILD',
          { package: `${record.name}@${record.version}`, location: record.location },
          {
            tool: policy.tool,
            verdict: policy.verdict(record),
            needed: 'unknown',
            native: false,
            targets: [],
            strategy: null,
            scripts: installScriptsOf(record),
            policySource: policy.source,
            strictSource: policy.strict?.source ?? null,
            ...(policy.toolVersion ? { toolVersion: policy.toolVersion } : {}),
            ignoredAtLastInstall: true,
          },
        ),
      );
    }
  }
  const allowScripts: Record<string, true> = {};
  for (const name of [...allow].sort()) allowScripts[name] = true;
  return {
    report: { ...report, packages, findings: sortFindings([...report.findings, ...findings]) },
    summary: {
      tools: policies.map((p) => ({
        tool: p.tool,
        source: p.source,
        ...(p.toolVersion ? { version: p.toolVersion } : {}),
        ...(p.strict ? { strict: true } : {}),
      })),
      allowScripts,
      ...(deny.size ? { deny: [...deny].sort() } : {}),
      allowSetting: policies[0]?.allowSetting ?? {
        manager: 'npm',
        file: 'package.json',
        key: 'allowScripts',
      },
    },
  };
}

/** The install-script policy pass, with the project's `ignore` config applied to what it adds. */
export function applyScriptPolicies(
  report: CheckReport,
  tree: ProjectTree,
  policies: InstallScriptPolicy[],
  config: ProjectConfig,
): CheckReport {
  if (!policies.length) return report;
  const before = new Set(report.findings);
  const { report: next, summary } = applyInstallScriptPolicy(report, tree, policies);
  const added = next.findings.filter((f) => !before.has(f));
  const { kept, ignored } = applyIgnore(added, config);
  return {
    ...next,
    findings: sortFindings([...report.findings, ...kept]),
    ignored: report.ignored + ignored,
    scriptPolicy: summary,
  };
}
