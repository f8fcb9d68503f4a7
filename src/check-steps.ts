// The steps of `check` around the pure analysis: which tree to read (installed, or the lockfile
// with registry tarballs), `--online` download checks, and the install-script policy pass.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyzeInput } from './check.js';
import type { CheckReport } from './model/reports.js';
import type { ProjectConfig } from './config.js';
import { makeFinding, sortFindings } from './model/findings.js';
import type { Finding } from './model/findings.js';
import { applyInstallScriptPolicy } from './install-policy.js';
import type { InstallScriptPolicy } from './install-policy.js';
import { checkUrls, proxySettings } from './net/url-check.js';
import type { UrlCheck, Evidence } from './model/prediction.js';
import type { Target } from './model/target.js';
import { loadInstalledTree } from './tree/actual.js';
import { fetchLockfilePackages } from './tree/fetch-lockfile.js';
import { parseJsonText, readRegularFile } from './io/files.js';
import { folderIndexCache } from './tree/index-cache.js';
import type { TarballIndexCache } from './tree/index-cache.js';
import type { NpmConfigView } from './tree/npm-config.js';
import { pacoteFetcher } from './tree/registry.js';
import type { PackageFetcher } from './tree/registry.js';
import type { ProjectTree } from './model/package.js';
import { loadLockfileTree } from './tree/virtual.js';

export interface CheckStepOptions {
  /** Read package-lock.json even when node_modules exists (default: only when there is none). */
  lockfileOnly?: boolean;
  /** npm's offline: lockfile mode reads npm's cache only. */
  offline?: boolean;
  /** Check every prebuilt-download URL (HEAD, falling back to a ranged GET). */
  online?: boolean;
  /** Per-URL timeout for `online`, in ms (default 10,000). */
  onlineTimeoutMs?: number;
  /** URLs checked at once (default 8). */
  onlineConcurrency?: number;
  /** Lockfile mode: where manifests and tarballs come from (default: pacote with npm's config). */
  fetcher?: PackageFetcher;
  /**
   * Lockfile mode: what earlier runs read out of tarballs, by integrity (default: a folder in npm's
   * cache, `<cache>/_native-guard/tarball-index`); null to read every tarball again.
   */
  indexCache?: TarballIndexCache | null;
}

type LoadedInput = Pick<AnalyzeInput, 'tree' | 'filesOf' | 'offline'>;

/** A tree load started before the targets are known (host detection runs meanwhile). */
export interface TreeLoad {
  mode: 'installed' | 'lockfile';
  tree: Promise<ProjectTree>;
}

/**
 * Starts reading the installed tree when there is one; otherwise (or with `lockfileOnly`) the
 * lockfile's tree. Nothing here needs the targets, so it overlaps with host detection.
 */
export function beginTreeLoad(root: string, options: CheckStepOptions): TreeLoad {
  const installed =
    !options.lockfileOnly && (existsSync(join(root, 'node_modules')) || nothingToInstall(root));
  const tree = installed ? loadInstalledTree(root) : loadLockfileTree(root);
  // awaited in loadTreeForCheck; an error must not surface as unhandled before then
  tree.catch(() => {});
  return { mode: installed ? 'installed' : 'lockfile', tree };
}

/**
 * The tree to analyse: the installed tree as read, or the lockfile's tree with the tarballs of the
 * packages that can be native read through npm's cache (those the targets need).
 */
export async function loadTreeForCheck(
  load: TreeLoad,
  npm: NpmConfigView,
  targets: Target[],
  options: CheckStepOptions,
): Promise<{ input: LoadedInput; fetched?: NonNullable<CheckReport['fetched']> }> {
  if (load.mode === 'installed') return { input: { tree: await load.tree } };
  const offline = options.offline === true || npm.offline;
  const fetcher = options.fetcher ?? pacoteFetcher(npm, { offline });
  const indexCache =
    options.indexCache === undefined
      ? folderIndexCache(join(npm.cache, '_native-guard', 'tarball-index'))
      : options.indexCache;
  const result = await fetchLockfilePackages(await load.tree, { targets, fetcher, indexCache });
  return {
    input: { tree: result.tree, filesOf: (record) => result.files.get(record.location) ?? null, offline },
    fetched: {
      tarballs: result.fetched.tarballs.length,
      manifests: result.fetched.manifests.length,
      unavailable: result.tree.packages.reduce(
        (n, p) => n + (p.unavailable ? 1 : 0) + (p.unlocked ?? []).filter((u) => u.unavailable).length,
        0,
      ),
      offline,
    },
  };
}

/** Every download URL the predictions evaluated and could not answer from a local file or npm's cache. */
function uncheckedUrls(report: CheckReport, known: Map<string, UrlCheck>): string[] {
  const urls = new Set<string>();
  for (const pkg of report.packages)
    for (const pred of pkg.predictions)
      for (const e of pred.evidence)
        if (e.kind === 'download' && e.url && !e.cached && !e.local && !known.has(e.url)) urls.add(e.url);
  return [...urls];
}

/**
 * `--online`: checks the URLs prebuild-install / node-pre-gyp would fetch (mirror variables applied
 * by the planners), then re-runs the analysis with the answers, so `unknown` becomes `prebuilt` or
 * the chain goes on to its fallback. A fallback may name another URL, hence the rounds.
 */
export async function settleDownloads(
  input: AnalyzeInput,
  report: CheckReport,
  npm: NpmConfigView,
  env: Record<string, string | undefined>,
  options: CheckStepOptions,
  analyze: (input: AnalyzeInput) => CheckReport,
  applyIgnore: (findings: Finding[], config: ProjectConfig) => { kept: Finding[]; ignored: number },
): Promise<CheckReport> {
  const checks = new Map<string, UrlCheck>();
  const netOptions = {
    timeoutMs: options.onlineTimeoutMs ?? 10_000,
    concurrency: options.onlineConcurrency ?? 8,
    ...proxySettings(npm.flat, env),
    strictSSL: npm.flat.strictSSL !== false,
    ...(npm.flat.ca ? { ca: npm.flat.ca } : {}),
  };
  let current = report;
  for (let round = 0; round < 4; round++) {
    const urls = uncheckedUrls(current, checks);
    if (!urls.length) break;
    for (const [url, result] of await checkUrls(urls, netOptions)) checks.set(url, result);
    current = analyze({
      ...input,
      evaluate: { ...input.evaluate, urlStatus: (url) => checks.get(url)?.status },
    });
    if (report.fetched) current.fetched = report.fetched;
  }
  const next = withUrlEvidence(current, checks);
  // what the URL checks add is subject to the project's `ignore` config like everything else
  const before = new Set(current.findings);
  const added = next.findings.filter((f) => !before.has(f));
  const { kept, ignored } = applyIgnore(added, input.config);
  return {
    ...next,
    findings: sortFindings([...current.findings, ...kept]),
    ignored: current.ignored + ignored,
  };
}

/** Adds each URL check to the evidence after its download, and DOWNLOAD_HOST_UNREACHABLE where no answer came. */
function withUrlEvidence(report: CheckReport, checks: Map<string, UrlCheck>): CheckReport {
  const findings: Finding[] = [];
  const packages = report.packages.map((pkg) => ({
    ...pkg,
    predictions: pkg.predictions.map((pred) => {
      const evidence: Evidence[] = [];
      for (const e of pred.evidence) {
        evidence.push(e);
        if (e.kind !== 'download' || !e.url) continue;
        const c = checks.get(e.url);
        if (!c) continue;
        evidence.push({
          kind: 'url-check',
          url: c.url,
          status: c.status,
          httpStatus: c.httpStatus,
          finalUrl: c.finalUrl,
          method: c.method,
          error: c.error,
        });
        if (c.status === 'unreachable' || c.status === 'timeout' || c.status === 'error') {
          findings.push(
            makeFinding(
              'DOWNLOAD_HOST_UNREACHABLE',
              { package: `${pkg.name}@${pkg.version}`, location: pkg.location, target: pred.target },
              {
                tool: e.tool,
                url: c.url,
                status: c.status,
                error: c.error ?? (c.httpStatus ? `HTTP ${c.httpStatus}` : null),
              },
            ),
          );
        }
      }
      return { ...pred, evidence };
    }),
  }));
  return {
    ...report,
    packages,
    findings: sortFindings([...report.findings, ...findings]),
    online: { checks: [...checks.values()].sort((a, b) => a.url.localeCompare(b.url)) },
  };
}

/** The install-script policy pass, with the project's `ignore` config applied to what it adds. */
export function applyScriptPolicies(
  report: CheckReport,
  tree: AnalyzeInput['tree'],
  policies: InstallScriptPolicy[],
  config: ProjectConfig,
  applyIgnore: (findings: Finding[], config: ProjectConfig) => { kept: Finding[]; ignored: number },
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

/**
 * A project with no node_modules and no lockfile whose package.json declares no dependency and no
 * workspace has nothing to install: its tree is just itself, which the installed-tree loader reads.
 */
function nothingToInstall(root: string): boolean {
  if (['package-lock.json', 'npm-shrinkwrap.json'].some((f) => existsSync(join(root, f)))) return false;
  let pkg: Record<string, unknown>;
  try {
    pkg = parseJsonText(readRegularFile(join(root, 'package.json'))) as Record<string, unknown>;
  } catch {
    // the tree loader reports a missing or broken package.json in its own words
    return true;
  }
  const declares = (field: string) => {
    const v = pkg[field];
    return !!v && typeof v === 'object' && Object.keys(v).length > 0;
  };
  return !['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'workspaces'].some(
    declares,
  );
}
