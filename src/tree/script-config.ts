import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isExactVersionDisjunction, isScriptAllowed } from '@npmcli/arborist/lib/script-allowed.js';
import { load as loadYaml } from 'js-yaml';
import npa from 'npm-package-arg';
import type { InstallScriptPolicy } from '../model/prediction.js';
import { FILE_LIMITS, readBounded } from '../io/files.js';
import { DETECT_CANDIDATES, detectManager } from '../managers/detect.js';
import type { Detection } from '../managers/detect.js';
import { BUN_DEFAULT_TRUSTED } from './bun-trusted.js';
import type { NpmConfigView } from './npm-config.js';
import type { PackageManagerInfo, PackageRecord } from '../model/package.js';
import { hasPnpmConfig, isObject, pnpmScriptPolicy, readJson, strings } from './pnpm-policy.js';
import type { PnpmContext } from './pnpm-policy.js';

export { pnpmScriptPolicy } from './pnpm-policy.js';

/**
 * npm's validatePolicy: keys it would drop with a warning (dist-tags, semver ranges other than exact
 * versions joined by `||`, unparseable specs) are dropped here too.
 */
function validNpmPolicy(entries: Record<string, unknown>): Record<string, boolean> | null {
  const out: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (typeof value !== 'boolean') continue;
    let parsed: { type: string; rawSpec?: string; fetchSpec?: string };
    try {
      parsed = npa(key) as unknown as { type: string; rawSpec?: string; fetchSpec?: string };
    } catch {
      continue;
    }
    if (parsed.type === 'tag') continue;
    if (parsed.type === 'range') {
      const nameOnly = parsed.fetchSpec === '*' || parsed.rawSpec === '' || parsed.rawSpec === '*';
      if (!nameOnly && !isExactVersionDisjunction(parsed.fetchSpec ?? '')) continue;
    }
    out[key] = value;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * npm's install-script policy as `npm install`/`npm ci` apply it (RFC npm/rfcs#868): the root
 * package.json `allowScripts` wins over `.npmrc`'s `allow-scripts`; `ignore-scripts` blocks every
 * script, `dangerously-allow-all-scripts` runs every one. A package no entry matches is
 * unreviewed: npm 11 runs its scripts with a warning, npm 12 does not run them at all (checked
 * with npm 12.2.3: "N packages had install scripts blocked because they are not covered by
 * allowScripts"), and `strict-allow-scripts` fails the install in both. Which npm: `npm.npm`
 * (detectNpmVersion); when none is known, npm 11's rule.
 * Matching is Arborist's own `isScriptAllowed`, so it trusts what npm trusts: the lockfile's
 * resolved URL and incoming edge specs (a pinned `name@version` entry cannot match when the
 * lockfile has no resolved URLs, as with omit-lockfile-registry-resolved).
 */
export function npmScriptPolicy(root: string, npm: NpmConfigView): InstallScriptPolicy {
  const pkg = readJson(join(root, 'package.json'));
  let policy: Record<string, boolean> | null = null;
  let source: string | null = null;
  if (pkg && isObject(pkg.allowScripts)) {
    policy = validNpmPolicy(pkg.allowScripts);
    if (policy) source = 'package.json';
  }
  if (!policy && npm.allowScripts) {
    policy = validNpmPolicy(Object.fromEntries(npm.allowScripts.entries.map((e) => [e, true])));
    if (policy) source = npm.allowScripts.source;
  }
  if (npm.ignoreScripts) source = 'ignore-scripts';
  const blocksUnreviewed = (npm.npm?.major ?? 0) >= 12;
  return {
    tool: 'npm',
    source,
    allowSetting: { manager: 'npm', file: 'package.json', key: 'allowScripts' },
    ...(npm.npm ? { toolVersion: npm.npm.version } : {}),
    verdict(record) {
      if (npm.ignoreScripts) return 'ignored';
      if (npm.dangerouslyAllowAllScripts) return 'allowed';
      const verdict = isScriptAllowed(policyNode(record, root), policy);
      if (verdict === true) return 'allowed';
      if (verdict === false) return 'denied';
      if (npm.strictAllowScripts) return 'unreviewed-strict';
      return blocksUnreviewed ? 'not-allowed' : 'unreviewed';
    },
  };
}

/** The node shape Arborist's matcher reads, rebuilt from the record's plain identity. */
function policyNode(record: PackageRecord, root: string) {
  const id = record.scriptIdentity;
  return {
    name: record.name,
    version: record.version,
    resolved: id?.resolved ?? null,
    isRegistryDependency: id?.registry ?? true,
    edgesIn: new Set(id?.edgesIn ?? [{ name: record.name, spec: '*' }]),
    linksIn: new Set(),
    inBundle: record.inBundle,
    path: id?.path ?? record.path,
    realpath: id?.realpath ?? record.path,
    root: { path: root, realpath: root },
  };
}

/**
 * Yarn Berry's build policy: `enableScripts` (.yarnrc.yml; default true up to Yarn 4.13, false from
 * 4.14, checked with 4.18.1: "lists build scripts, but all build scripts have been disabled") and the
 * top-level package.json's `dependenciesMeta.<name>.built` (or `<name>@<version>`), which opts a
 * package in (true) or out (false) whatever enableScripts says.
 */
export function yarnBerryScriptPolicy(root: string, version: string | undefined): InstallScriptPolicy {
  const pkg = readJson(join(root, 'package.json'));
  let enableScripts: boolean | null = null;
  const rc = readBounded(join(root, '.yarnrc.yml'), FILE_LIMITS.config);
  if (rc !== null) {
    try {
      const doc = loadYaml(rc);
      if (isObject(doc) && typeof doc.enableScripts === 'boolean') enableScripts = doc.enableScripts;
    } catch {
      // an unreadable .yarnrc.yml stops Yarn itself
    }
  }
  const [major, minor] = (version ?? '').split('.').map(Number);
  // unknown version: today's Yarn (4.14+) runs no dependency build by default
  const defaultOn = major !== undefined && minor !== undefined && (major < 4 || (major === 4 && minor <= 13));
  const enabled = enableScripts ?? defaultOn;
  const meta = isObject(pkg?.dependenciesMeta) ? pkg.dependenciesMeta : {};
  const builtOf = (key: string): boolean | undefined => {
    const m = meta[key];
    return isObject(m) && typeof m.built === 'boolean' ? m.built : undefined;
  };
  const sources = [
    enableScripts !== null ? '.yarnrc.yml' : null,
    Object.keys(meta).length ? 'package.json' : null,
  ];
  return {
    tool: 'yarn',
    allowSetting: { manager: 'yarn-berry', file: 'package.json', key: 'dependenciesMeta' },
    source: sources.filter((x) => x !== null).join(', ') || null,
    ...(version ? { toolVersion: version } : {}),
    verdict(record) {
      const built = builtOf(`${record.name}@${record.version}`) ?? builtOf(record.name);
      if (built === false) return 'denied';
      if (built === true || enabled) return 'allowed';
      return 'not-allowed';
    },
  };
}

/**
 * Bun's: only trusted packages run lifecycle scripts. package.json `trustedDependencies` REPLACES
 * Bun's default trusted list (checked with Bun 1.4.5: with ["@parcel/watcher"], esbuild's script was
 * blocked); without it, the default list applies.
 */
export function bunScriptPolicy(root: string, version: string | undefined): InstallScriptPolicy {
  const pkg = readJson(join(root, 'package.json'));
  const listed = Array.isArray(pkg?.trustedDependencies) ? new Set(strings(pkg.trustedDependencies)) : null;
  const trusted = listed ?? BUN_DEFAULT_TRUSTED;
  return {
    tool: 'bun',
    allowSetting: { manager: 'bun', file: 'package.json', key: 'trustedDependencies' },
    source: listed ? 'package.json trustedDependencies' : null,
    ...(version ? { toolVersion: version } : {}),
    verdict: (record) => (trusted.has(record.name) ? 'allowed' : 'not-allowed'),
  };
}

/** Which manager installs the project, from its files (lockfile, markers, packageManager). */
export function detectProjectManager(root: string): Detection {
  return detectManager({
    present: DETECT_CANDIDATES.filter((p) => existsSync(join(root, p))),
    read: (path, maxBytes) => readBounded(join(root, path), maxBytes),
  });
}

/**
 * The install-script policy of the one manager that installs the project (never npm's words for a
 * pnpm project, and never both): npm, pnpm, Yarn 1 (runs every script), Yarn Berry or Bun.
 */
export function readScriptPolicies(
  root: string,
  npm: NpmConfigView,
  ctx: Omit<PnpmContext, 'version'> & { tree?: PackageManagerInfo } = {},
): InstallScriptPolicy[] {
  const detected = detectProjectManager(root);
  // nothing named a manager, but pnpm's own settings file or build keys are there: a pnpm project
  const manager =
    detected.evidence.manager.source === 'default' && hasPnpmConfig(root) ? 'pnpm' : detected.manager;
  switch (manager) {
    case 'pnpm': {
      // the tree's reading of the version (the running pnpm's user agent, .modules.yaml) comes first
      const version = (ctx.tree?.name === 'pnpm' ? ctx.tree.version : undefined) ?? detected.version;
      return [pnpmScriptPolicy(root, npm, { ...ctx, ...(version ? { version } : {}) })];
    }
    case 'yarn-classic':
      return [
        {
          tool: 'yarn',
          source: null,
          allowSetting: { manager: 'yarn-classic', file: null, key: null },
          verdict: () => 'allowed',
        },
      ];
    case 'yarn-berry':
      return [yarnBerryScriptPolicy(root, detected.version)];
    case 'bun':
      return [bunScriptPolicy(root, detected.version)];
    default:
      return [npmScriptPolicy(root, npm)];
  }
}
