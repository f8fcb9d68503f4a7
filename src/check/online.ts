// `--online`: the download URLs the predictions name are checked, and the analysis re-run with the
// answers.
import { applyIgnore } from '../config.js';
import { makeFinding, sortFindings } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import type { Evidence, UrlCheck } from '../model/prediction.js';
import type { CheckReport } from '../model/reports.js';
import { checkUrls, proxySettings } from '../net/url-check.js';
import type { NpmConfigView } from '../tree/npm-config.js';
import { analyze } from './analyze.js';
import type { AnalyzeInput } from './analyze.js';
import type { CheckStepOptions } from './tree-load.js';

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
export function withUrlEvidence(report: CheckReport, checks: Map<string, UrlCheck>): CheckReport {
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
