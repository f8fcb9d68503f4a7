import { existsSync } from 'node:fs';
import { checkFactsAgainstTarget, uncheckedLibraries } from '../binary/compat.js';
import type { BinaryFacts } from '../model/binary.js';
import { makeFinding } from '../model/findings.js';
import type { Finding } from '../model/findings.js';
import { predictCmakeTs } from './cmake-ts.js';
import { predictDownload } from './download-link.js';
import type {
  UrlStatus,
  ChainLink,
  Evidence,
  LinkResult,
  Mismatch,
  NodeGypRunner,
  Prediction,
  PredictContext,
  StrategyName,
} from '../model/prediction.js';
import { predictNodeGypBuild } from './node-gyp-build.js';
import { predictPlatformPackages } from './platform-packages.js';
import { predictNamedBinaries } from './named-binaries.js';
import { predictPkgPrebuilds } from './pkg-prebuilds.js';
import { predictRequireAddon } from './require-addon.js';
import { predictShippedBinary } from './shipped-binary.js';
import { buildRunnerFindings } from './build-runner.js';
import { gypStandardFindings } from './gyp-flags.js';
import { mismatchFinding } from './mismatch-finding.js';
import { predictSourceBuild, toolchainComplete, toolchainEvidence } from './source-build.js';

export interface EvaluateOptions {
  /** `--online` answers about download URLs; unchecked URLs stay unknown. */
  urlStatus?: (url: string) => UrlStatus | undefined;
  /** Host-only source-build checks (headers, python/node-gyp compatibility). */
  sourceBuildFindings?: (
    ctx: PredictContext,
    link: Extract<ChainLink, { strategy: 'source-build' }>,
  ) => Finding[];
  /** The node-gyp the project's manager runs for builds, when it is not npm's own (Yarn 2+, Bun). */
  nodeGyp?: NodeGypRunner;
}

/** The run-time loaders that care (cmake-ts, require-addon, pkg-prebuilds) ask this file, not the C library, whether they run on musl. */
const alpineRelease = () => existsSync('/etc/alpine-release');

function runLink(ctx: PredictContext, link: ChainLink, opts: EvaluateOptions): LinkResult {
  switch (link.strategy) {
    case 'node-gyp-build':
      return predictNodeGypBuild(ctx, link.optionalPackages);
    case 'platform-packages':
      return predictPlatformPackages(ctx, link.candidates);
    case 'pkg-prebuilds':
      return predictPkgPrebuilds(ctx, link.options, alpineRelease);
    case 'source-build':
      return predictSourceBuild();
    case 'shipped-binary':
      switch (link.loader?.kind) {
        case 'cmake-ts':
          return predictCmakeTs(ctx, link.loader.dir, alpineRelease);
        case 'require-addon':
          return predictRequireAddon(ctx, alpineRelease);
        case 'named':
          return predictNamedBinaries(ctx, link.files);
        default:
          return predictShippedBinary(ctx, link.files);
      }
    case 'unknown-script': {
      const evidence: Evidence[] = [
        { kind: 'install-script', event: link.script.event, script: link.script.text },
      ];
      if (link.optIn) {
        // it only builds when asked to (npm_config_build_from_source): nothing happens by default
        return { kind: 'miss', strategy: 'unknown-script', evidence };
      }
      return { kind: 'unknown', strategy: 'unknown-script', reason: 'script', evidence };
    }
    case 'script-download':
      // the package's own downloader: where it fetches from is named, whether it answers is not known offline
      return {
        kind: 'unknown',
        strategy: 'script-download',
        reason: 'download-unverified',
        evidence: [
          { kind: 'install-script', event: link.script.event, script: link.script.text },
          { kind: 'script-download', file: link.file, hosts: link.hosts },
        ],
      };
    case 'no-binary':
      return {
        kind: 'miss',
        strategy: 'no-binary',
        evidence: [{ kind: 'tolerated-failure', tail: link.tail }],
      };
    case 'prebuild-install':
    case 'node-pre-gyp':
      return predictDownload(ctx, link, opts.urlStatus);
  }
}

/** node-gyp-build's install bin load-tests the prebuild and compiles when that fails. */
const loadTested = (link: ChainLink) => link.strategy === 'node-gyp-build' && link.script !== null;

export interface ChainVerdict {
  prediction: Prediction;
  findings: Finding[];
}

/**
 * Walks a package's chain for one target the way its install would run: the first link that yields
 * a binary that fits wins; a build runs when the target can compile; an unverifiable step keeps
 * the outcome `unknown` while the links after it say how bad a failure would be.
 */
export function evaluateChain(ctx: PredictContext, opts: EvaluateOptions = {}): ChainVerdict {
  const { native, target } = ctx;
  const where = { package: native.pkg.id, location: native.pkg.location, target: target.id };
  const findings: Finding[] = [];
  const evidence: Evidence[] = [];
  let pending: Extract<LinkResult, { kind: 'unknown' }> | null = null;
  let pendingIndex = -1;
  const strategies: StrategyName[] = [];
  const done = (
    outcome: Prediction['outcome'],
    strategy: StrategyName | null,
    extra: Partial<Prediction> = {},
  ) => {
    if (pending) findings.push(...pendingFindings(pending, outcome));
    // an unverified download that still decides the outcome: its URL is the answer to check
    const url = outcome === 'unknown' && !extra.url && pending?.url ? { url: pending.url } : {};
    return { prediction: { target: target.id, outcome, strategy, ...url, ...extra, evidence }, findings };
  };

  const chain = native.chain;
  // a failure the script lets pass (`|| exit 0`), or an optional dependency npm drops when it fails
  let failed: 'build' | 'no-binary' = 'no-binary';
  // npm drops an optional dependency whose install fails. Arborist leaves an extraneous package
  // (nothing depends on it) flagged optional and dev, so only a non-dev optional one counts here.
  const droppedWhenFails = native.pkg.optional && !native.pkg.dev;
  const tolerated = (i: number) => chain.slice(i + 1).some((l) => l.strategy === 'no-binary' && !l.gate);
  const withoutBinary = (cause: 'script' | 'optional', tail: string | null) => {
    findings.push(makeFinding('INSTALLED_WITHOUT_BINARY', where, { cause, tail, failed }));
    evidence.push(
      cause === 'script' ? { kind: 'tolerated-failure', tail: tail ?? '' } : { kind: 'optional-dependency' },
    );
    return done('no-binary', null);
  };
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i]!;
    if (link.strategy === 'unknown-script' && link.advisory) {
      // a phase beside a recognised install: said, but the recognised phase decides
      findings.push(
        makeFinding('INSTALL_SCRIPT_UNKNOWN', where, { event: link.script.event, script: link.script.text }),
      );
      continue;
    }
    if (link.strategy === 'no-binary' && link.gate) {
      // `node skip.js || node-gyp-build`: where the gate fails, what follows it runs
      if (link.gate.platforms.includes(target.platform) !== link.gate.negate) continue;
      findings.push(
        makeFinding('NO_BUILD_ON_PLATFORM', where, {
          event: link.script.event,
          script: link.script.text,
          file: link.tail,
          platform: target.platform,
        }),
      );
      evidence.push({ kind: 'install-script', event: link.script.event, script: link.script.text });
      // the script runs nothing that needs a binary here: denying it changes nothing (scriptNeed `no`)
      return done('no-binary', 'no-binary');
    }
    if (link.strategy === 'no-binary') {
      if (pending) return done('unknown', pending.strategy, pending.url ? { url: pending.url } : {});
      return withoutBinary('script', link.tail);
    }
    const result = runLink(ctx, link, opts);
    strategies.push(result.strategy);
    evidence.push(...result.evidence);
    switch (result.kind) {
      case 'binary': {
        if (result.facts && result.binary) evidence.push(factsEvidence(result.binary, result.facts));
        const mismatches: Mismatch[] = !result.facts
          ? []
          : result.facts.format === null
            ? [{ code: 'INVALID_BINARY', notes: result.facts.notes }]
            : checkFactsAgainstTarget(result.facts, target);
        if (mismatches.length) {
          const fallsBack = loadTested(link) && chain.slice(i + 1).some((l) => l.strategy === 'source-build');
          for (const m of mismatches) {
            findings.push(mismatchFinding(m, where, result, fallsBack));
          }
          if (fallsBack) {
            evidence.push({
              kind: 'prebuild-rejected',
              file: result.binary ?? '',
              reasons: mismatches.map((m) => m.code),
            });
            continue;
          }
          return done('fails', result.strategy, binaryFields(result));
        }
        // libraries the binary needs that no list says the target has: the answer is the target's
        const unchecked = result.facts ? uncheckedLibraries(result.facts, target) : [];
        if (unchecked.length) {
          const args = { file: result.binary ?? '', libraries: unchecked };
          findings.push(makeFinding('SHARED_LIBRARY_UNCHECKED', where, args));
          return done('unknown', result.strategy, binaryFields(result));
        }
        // a download that may or may not work, followed by a prebuilt that does: prebuilt either way
        if (pending && pending.reason !== 'download-unverified')
          return done('unknown', result.strategy, binaryFields(result));
        pending = null;
        return done('prebuilt', result.strategy, binaryFields(result));
      }
      case 'build': {
        const buildLink = link as Extract<ChainLink, { strategy: 'source-build' }>;
        evidence.push(toolchainEvidence(target));
        const known = target.toolchain.known !== false;
        if (!known || toolchainComplete(target)) {
          const extra = [
            ...(opts.sourceBuildFindings?.(ctx, buildLink) ?? []),
            ...buildRunnerFindings(ctx, buildLink, opts.nodeGyp),
            ...gypStandardFindings(ctx, buildLink),
          ];
          findings.push(...extra);
          const blocked = extra.some((f) => f.severity === 'error');
          // after an unverifiable download the outcome stays unknown either way
          if (pending) return done('unknown', 'source-build');
          if (blocked && tolerated(i)) {
            failed = 'build';
            continue;
          }
          if (blocked && droppedWhenFails) {
            failed = 'build';
            return withoutBinary('optional', null);
          }
          if (blocked) return done('fails', 'source-build');
          // engines.node excludes this Node: the build is not promised (it may still work)
          if (extra.some((f) => f.code === 'ENGINES_EXCLUDE_NODE')) return done('unknown', 'source-build');
          findings.push(
            makeFinding('SOURCE_BUILD_REQUIRED', where, {
              builder: buildLink.builder,
              toolchainKnown: known,
              details: evidence.slice(),
            }),
          );
          return done('source-build', 'source-build');
        }
        const missing = (['python', 'make', 'cxx'] as const).filter((k) => !target.toolchain[k]);
        // the install goes on without the build: a warning, and the outcome says what is left
        const survives = !pending && (tolerated(i) || droppedWhenFails);
        findings.push(
          makeFinding(
            'TOOLCHAIN_MISSING',
            { ...where, severity: pending || survives ? 'warning' : 'error' },
            {
              missing: [...missing],
              certain: !pending,
              ...(survives ? { installGoesOn: true } : {}),
              details: evidence.slice(),
            },
          ),
        );
        if (survives) {
          failed = 'build';
          if (tolerated(i)) continue;
          return withoutBinary('optional', null);
        }
        return done(pending ? 'unknown' : 'fails', 'source-build');
      }
      case 'miss':
        if (result.evidence.some((e) => e.kind === 'platform-package-not-in-lockfile')) {
          for (const e of result.evidence) {
            if (e.kind !== 'platform-package-not-in-lockfile') continue;
            const { kind: _kind, ...fields } = e;
            findings.push(makeFinding('PLATFORM_PACKAGE_NOT_IN_LOCKFILE', where, fields));
          }
          return done('fails', result.strategy);
        }
        if (result.evidence.some((e) => e.kind === 'platform-package-not-installed')) {
          for (const e of result.evidence) {
            if (e.kind === 'platform-package-not-installed') {
              findings.push(
                makeFinding('PLATFORM_PACKAGE_MISSING', where, { name: e.name, location: e.location }),
              );
            }
          }
          return done('fails', result.strategy);
        }
        continue;
      case 'unknown':
        if (!pending) {
          pending = result;
          pendingIndex = i;
        }
        continue;
    }
  }
  if (pending) return done('unknown', pending.strategy, pending.url ? { url: pending.url } : {});
  findings.push(
    makeFinding('NO_PREBUILD_FOR_TARGET', where, {
      strategies: unique(strategies),
      details: evidence.slice(),
    }),
  );
  return done('fails', null);

  function pendingFindings(
    p: Extract<LinkResult, { kind: 'unknown' }>,
    outcome: Prediction['outcome'],
  ): Finding[] {
    if (p.reason === 'download-unverified') {
      const download = p.evidence.find((e) => e.kind === 'download');
      const buildAfter = chain.slice(pendingIndex + 1).some((l) => l.strategy === 'source-build');
      const fallback =
        outcome === 'unknown' && findings.some((f) => f.code === 'TOOLCHAIN_MISSING')
          ? 'fails'
          : buildAfter
            ? 'source-build'
            : 'none';
      return [
        makeFinding(
          'PREBUILD_DOWNLOAD_UNVERIFIED',
          { ...where, severity: fallback === 'source-build' ? 'info' : 'warning' },
          p.strategy === 'script-download'
            ? {
                tool: 'install-script',
                url: null,
                fallback,
                ...scriptDownloadOf(p.evidence),
              }
            : {
                tool: p.strategy === 'node-pre-gyp' ? 'node-pre-gyp' : 'prebuild-install',
                url: download?.kind === 'download' ? download.url : (p.url ?? null),
                fallback,
                ...unknownValues(download),
              },
        ),
      ];
    }
    if (p.reason === 'options-unread') {
      const lookup = p.evidence.find((e) => e.kind === 'pkg-prebuilds-lookup');
      const buildAfter = chain.slice(pendingIndex + 1).some((l) => l.strategy === 'source-build');
      return lookup?.kind === 'pkg-prebuilds-lookup'
        ? [
            makeFinding('PKG_PREBUILDS_OPTIONS_UNREAD', where, {
              file: lookup.options,
              fallback: buildAfter ? 'source-build' : 'none',
            }),
          ]
        : [];
    }
    if (p.reason === 'script') {
      const script = p.evidence.find((e) => e.kind === 'install-script');
      return script?.kind === 'install-script'
        ? [makeFinding('INSTALL_SCRIPT_UNKNOWN', where, { event: script.event, script: script.script })]
        : [];
    }
    const names = p.evidence.flatMap((e) => (e.kind === 'platform-packages-unresolved' ? e.names : []));
    if (names.length) return [makeFinding('PLATFORM_PACKAGES_UNRESOLVED', where, { names })];
    // node-gyp-build-optional-packages: the platform package is only a lockfile entry here
    return p.evidence.flatMap((e) =>
      e.kind === 'platform-package' && e.source === 'lockfile' && e.binary === null
        ? [makeFinding('PLATFORM_PACKAGE_NOT_READ', where, { name: e.name, version: e.version })]
        : [],
    );
  }
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

function scriptDownloadOf(evidence: Evidence[]): { file?: string; hosts?: string[] } {
  const e = evidence.find((x) => x.kind === 'script-download');
  return e?.kind === 'script-download' ? { file: e.file, hosts: e.hosts } : {};
}

function factsEvidence(file: string, f: BinaryFacts): Evidence {
  return {
    kind: 'binary-facts',
    file,
    format: f.format,
    arches: f.arches,
    platform: f.platform,
    libc: f.libc,
    glibcVersion: f.glibcVersion,
    module: f.module.kind,
    abi: f.module.kind === 'abi' ? f.module.abi : null,
    napiVersion: f.napiVersion,
  };
}

function binaryFields(r: Extract<LinkResult, { kind: 'binary' }>): Partial<Prediction> {
  const out: Partial<Prediction> = {};
  if (r.binary) out.binary = r.binary;
  if (r.fromPackage) out.fromPackage = r.fromPackage;
  if (r.url) out.url = r.url;
  if (r.facts?.format) out.facts = r.facts;
  return out;
}

/** The template variables a download URL needs and the target does not tell (download.problem's words). */
function unknownValues(download: Evidence | undefined): { unknown?: string[] } {
  if (download?.kind !== 'download' || download.problem?.reason.why !== 'template-value-unknown') return {};
  return { unknown: download.problem.reason.words };
}
