// INSTALL_SCRIPT_DENIED in the words of the manager whose policy it is (npm by version, pnpm, Yarn, Bun).
import type { Finding } from '../model/findings.js';
import { list } from './words.js';
import type { Words } from './words.js';

export function scriptDeniedWords(
  f: Extract<Finding, { code: 'INSTALL_SCRIPT_DENIED' }>,
  pkg: string,
  name: string,
): Words {
  const e = f.evidence;
  const source = e.policySource ? ` (${e.policySource})` : '';
  const why =
    e.needed === 'unknown'
      ? 'an install script native-guard cannot read, which may be what provides the binary'
      : `its binary comes from its install script (${e.strategy ?? 'install script'})`;
  const npmName = e.toolVersion ? `npm ${e.toolVersion}` : 'npm';
  const npmBlocks = e.tool === 'npm' && e.verdict === 'not-allowed';
  const verdict =
    e.verdict === 'unreviewed'
      ? `not reviewed by the ${e.tool} allowScripts policy${source}: it runs today with a warning, and breaks as soon as the policy denies it`
      : e.verdict === 'unreviewed-strict'
        ? `not reviewed by allowScripts${source}, and --strict-allow-scripts makes the whole install fail`
        : e.verdict === 'ignored'
          ? 'ignore-scripts is set, so no install script runs'
          : npmBlocks
            ? `${npmName} will not run it: it is not in allowScripts${source}, and npm 12 blocks every install script allowScripts does not cover`
            : e.tool === 'yarn'
              ? e.verdict === 'denied'
                ? `Yarn does not build it: dependenciesMeta marks it "built": false${source}`
                : `Yarn does not build it: enableScripts is false${e.toolVersion ? ` (Yarn ${e.toolVersion})` : ''} and dependenciesMeta does not mark it built${source}`
              : e.tool === 'bun'
                ? `Bun does not run it: it is not trusted (${e.policySource ? "not in trustedDependencies, which replaces Bun's default list" : "not on Bun's default trusted list, and package.json has no trustedDependencies"})`
                : e.verdict === 'not-allowed'
                  ? `${e.tool} does not run it: it is not on the allowlist${source}`
                  : `the ${e.tool} policy denies it${source}`;
  return {
    message: `${pkg} on ${list(e.targets)}: ${why}; ${verdict}`,
    fix:
      e.tool === 'pnpm'
        ? `allow it: \`allowBuilds: { "${name}": true }\` in pnpm-workspace.yaml (pnpm 10: onlyBuiltDependencies), or \`pnpm approve-builds\``
        : e.tool === 'yarn'
          ? `build it: "dependenciesMeta": { "${name}": { "built": true } } in the top-level package.json (or \`enableScripts: true\` in .yarnrc.yml for every package), then \`yarn install\``
          : e.tool === 'bun'
            ? `trust it: \`bun pm trust ${name}\` (adds it to trustedDependencies in package.json and runs its script)${e.policySource ? '' : "; a trustedDependencies list replaces Bun's default list, so list every package that must build"}`
            : e.verdict === 'ignored'
              ? `drop ignore-scripts for this install, or run \`npm rebuild ${name}\` after it with scripts allowed`
              : npmBlocks
                ? `approve it: "allowScripts": { "${name}": true } in package.json (\`npm install-scripts approve ${name}\` writes the pinned "${name}@<version>" key), then \`npm rebuild ${name}\`: npm 12 runs a script approved after the install only on a rebuild or a new install; \`native-guard check --suggest-allow-scripts\` prints the whole block`
                : `allow it: "allowScripts": { "${name}": true } in package.json (\`npm install-scripts approve ${name}\`); \`native-guard check --suggest-allow-scripts\` prints the whole block`,
  };
}
