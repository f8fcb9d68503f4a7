import { planNodePreGyp, planPrebuildInstall } from './download/index.js';
import type { DownloadPackage, DownloadPlan } from './download/index.js';
import { NODE_PRE_GYP_PACKAGES } from './download/node-pre-gyp-forks.js';
import type { ChainLink, Evidence, LinkResult, PredictContext, UrlStatus } from '../model/prediction.js';

/** The whole manifest: github-from-package scans every field for a repository URL. */
function wholeManifest(ctx: PredictContext): DownloadPackage {
  const pkg = ctx.native.pkg;
  const text = ctx.files.readText('package.json');
  if (text !== null) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      if (parsed && typeof parsed === 'object') return { ...parsed, name: pkg.name, version: pkg.version };
    } catch {
      // fall back to the fields the tree kept
    }
  }
  const m = pkg.manifest;
  const out: DownloadPackage = { name: pkg.name, version: pkg.version };
  if (m.main !== undefined) out.main = m.main;
  if (m.binary) out.binary = m.binary;
  if (m.repository !== undefined) out.repository = m.repository;
  if (m.config) out.config = m.config;
  return out;
}

/** The tool package the package would run and its version, as installed or locked next to it. */
function toolRelease(ctx: PredictContext, names: string[]): { name: string; version: string } | undefined {
  for (const name of names) {
    const cand = ctx.resolvePlatformCandidate(name, '*');
    if (cand.source === 'installed') return { name, version: cand.record.version };
    if (cand.source === 'lockfile' && cand.entry.version) return { name, version: cand.entry.version };
  }
  return undefined;
}

export function planFor(
  ctx: PredictContext,
  link: Extract<ChainLink, { strategy: 'prebuild-install' | 'node-pre-gyp' }>,
): DownloadPlan {
  const input = {
    pkg: wholeManifest(ctx),
    args: link.args,
    target: ctx.target,
    env: ctx.env,
    npmCache: ctx.npmCache,
  };
  if (link.strategy === 'prebuild-install') {
    const release = toolRelease(ctx, ['prebuild-install']);
    return planPrebuildInstall(release ? { ...input, toolVersion: release.version } : input);
  }
  // every fork installs a `node-pre-gyp` bin: the one the package depends on is the one it runs
  const deps = Object.keys(ctx.native.pkg.manifest.dependencies);
  const declared = NODE_PRE_GYP_PACKAGES.filter((n) => deps.includes(n));
  const release = toolRelease(ctx, declared.concat(NODE_PRE_GYP_PACKAGES));
  if (release) return planNodePreGyp({ ...input, toolPackage: release.name, toolVersion: release.version });
  return planNodePreGyp(declared[0] ? { ...input, toolPackage: declared[0] } : input);
}

/**
 * A download link for one target: the exact URL the tool would fetch, answered from a local
 * prebuild, npm's `_prebuilds` cache or an `--online` check; otherwise unknown.
 */
export function predictDownload(
  ctx: PredictContext,
  link: Extract<ChainLink, { strategy: 'prebuild-install' | 'node-pre-gyp' }>,
  urlStatus?: (url: string) => UrlStatus | undefined,
): LinkResult {
  const plan = planFor(ctx, link);
  const local = plan.localPrebuild && ctx.files.exists(plan.localPrebuild) ? plan.localPrebuild : null;
  const cached = plan.cachePath && ctx.cacheHas(plan.cachePath) ? plan.cachePath : null;
  const evidence: Evidence[] = [
    {
      kind: 'download',
      tool: plan.tool,
      url: plan.url,
      cached,
      local,
      problem: plan.problem ?? null,
    },
  ];
  const strategy = link.strategy;
  if (plan.buildFromSource) return { kind: 'miss', strategy, evidence };
  // the URL names a value of the install machine that the target does not tell: it may exist
  if (plan.problem?.code === 'TEMPLATE_VALUE_UNKNOWN')
    return { kind: 'unknown', strategy, reason: 'download-unverified', evidence };
  // a URL that can't be the right binary (no Node-API version fits, no repository, a template
  // variable the tool leaves as written) is a miss
  if (!plan.url || plan.problem) return { kind: 'miss', strategy, evidence };
  const binary = plan.modulePath ?? null;
  if (local || cached) return { kind: 'binary', strategy, binary, url: plan.url, evidence };
  switch (urlStatus?.(plan.url)) {
    case 'present':
      return { kind: 'binary', strategy, binary, url: plan.url, evidence };
    case 'missing':
    case 'unreachable':
    case 'timeout':
      // what the install would meet from here: no binary, so the chain goes on
      return { kind: 'miss', strategy, evidence };
    default:
      return { kind: 'unknown', strategy, reason: 'download-unverified', url: plan.url, evidence };
  }
}
