// INSTALL_SCRIPT_DENIED, INSTALL_SCRIPT_NOT_NEEDED and INSTALL_FAILS_IGNORED_BUILD in the words of
// the manager whose policy it is (npm by version, pnpm, Yarn, Bun).
import type { Finding } from '../model/findings.js';
import { list, VERDICT_WORDS } from './words.js';
import type { Words } from './words.js';

/** pnpm before 10.26 has no allowBuilds: its allowlist and its quiet denylist. */
const oldPnpm = (version: string | undefined): boolean => {
  const [major, minor] = (version ?? '').split('.').map(Number);
  return major === 10 && minor !== undefined && minor < 26;
};
const pnpmAllow = (name: string, version: string | undefined) =>
  oldPnpm(version)
    ? `\`onlyBuiltDependencies: ["${name}"]\` in pnpm-workspace.yaml`
    : `\`allowBuilds: { "${name}": true }\` in pnpm-workspace.yaml${version ? '' : ' (pnpm before 10.26: onlyBuiltDependencies)'}`;
const pnpmDeny = (name: string, version: string | undefined) =>
  oldPnpm(version)
    ? `\`ignoredBuiltDependencies: ["${name}"]\` in pnpm-workspace.yaml`
    : `\`allowBuilds: { "${name}": false }\` in pnpm-workspace.yaml${version ? '' : ' (pnpm before 10.26: ignoredBuiltDependencies)'}`;
const SKIPPED = 'the last install skipped its build (node_modules/.modules.yaml ignoredBuilds)';

/** pnpm's strictDepBuilds: an unapproved build fails the whole install (ERR_PNPM_IGNORED_BUILDS). */
export function ignoredBuildWords(
  f: Extract<Finding, { code: 'INSTALL_FAILS_IGNORED_BUILD' }>,
  pkg: string,
  name: string,
): Words {
  const e = f.evidence;
  const pnpm = e.toolVersion ? `pnpm ${e.toolVersion}` : 'pnpm';
  const strict = e.strictSource
    ? `strictDepBuilds is on (${e.strictSource})`
    : 'strictDepBuilds is on (the pnpm 11 default)';
  const need =
    e.needed === 'no'
      ? 'no checked target needs its build'
      : e.needed === 'yes'
        ? `its binary on ${list(e.targets)} comes from that build (${e.strategy ?? 'install script'})`
        : `its install script, which native-guard cannot read, may be what provides the binary on ${list(e.targets)}`;
  if (e.native === false && e.verdict !== 'denied') {
    return {
      message: `${pkg}: ${pnpm} fails the whole install on its build (ERR_PNPM_IGNORED_BUILDS), which is neither allowed nor denied${e.policySource ? ` in ${e.policySource}` : ''}, and ${strict}; ${SKIPPED}. It is not a native package: whether it needs its build is outside native-guard's view`,
      fix: `review what its script does, then allow it (${pnpmAllow(name, e.toolVersion)}) or deny it (${pnpmDeny(name, e.toolVersion)}); \`pnpm approve-builds\` asks for each`,
    };
  }
  if (e.verdict === 'denied') {
    return {
      message: `${pkg}: it is denied now${e.policySource ? ` (${e.policySource})` : ''}, but ${SKIPPED}, and ${pnpm} keeps that record: the next \`pnpm install\` fails on it again (ERR_PNPM_IGNORED_BUILDS), as strictDepBuilds is on${e.strictSource ? ` (${e.strictSource})` : ''}`,
      fix: 'remove node_modules and install again: `rm -rf node_modules && pnpm install` (pnpm 11 clears the record itself)',
    };
  }
  return {
    message: `${pkg}: ${pnpm} fails the whole install on it (ERR_PNPM_IGNORED_BUILDS "Ignored build scripts: ${pkg}"): its build is neither allowed nor denied${e.policySource ? ` in ${e.policySource}` : ''}, and ${strict}; ${need}${e.ignoredAtLastInstall ? `; ${SKIPPED}` : ''}`,
    fix:
      e.needed === 'no'
        ? `deny it, which pnpm does quietly: ${pnpmDeny(name, e.toolVersion)}; \`native-guard check --suggest-allow-scripts\` prints the whole block`
        : `approve it: ${pnpmAllow(name, e.toolVersion)}, or \`pnpm approve-builds\`; \`native-guard check --suggest-allow-scripts\` prints the whole block`,
  };
}

export function scriptNotNeededWords(
  f: Extract<Finding, { code: 'INSTALL_SCRIPT_NOT_NEEDED' }>,
  pkg: string,
  name: string,
): Words {
  const e = f.evidence;
  // `no-binary`: a target where the script builds nothing by design (NO_BUILD_ON_PLATFORM)
  const sources = (strategies: string[]) => {
    const from = strategies.filter((x) => x !== 'no-binary');
    const none = from.length < strategies.length ? 'none is needed on some' : '';
    if (!from.length) return none ? ` (${none})` : '';
    return ` (the binary comes from ${list(from)}${none ? `; ${none}` : ''})`;
  };
  return {
    message: `${pkg}: its install script is not needed on ${list(e.targets)}${sources(e.strategies)}; it is ${VERDICT_WORDS[e.verdict]}${e.ignoredAtLastInstall ? `; ${SKIPPED}` : ''}`,
    fix:
      e.verdict === 'denied' || e.verdict === 'not-allowed' || e.verdict === 'ignored'
        ? ''
        : e.tool === 'pnpm'
          ? `safe to deny: ${pnpmDeny(name, e.toolVersion)}`
          : e.tool === 'yarn'
            ? `safe to deny: "dependenciesMeta": { "${name}": { "built": false } } in the top-level package.json`
            : e.tool === 'bun'
              ? `safe to leave untrusted: drop it from trustedDependencies${e.policySource ? '' : ' (Bun trusts it by default; a trustedDependencies list without it stops that)'}`
              : `safe to deny: "allowScripts": { "${name}": false } (\`npm install-scripts deny ${name}\`)`,
  };
}

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
  if (e.verdict === 'allowed') {
    // allowed in the settings now, but the last install skipped it (pnpm's ignoredBuilds)
    return {
      message: `${pkg} on ${list(e.targets)}: ${why}; it is allowed now${source}, but ${SKIPPED}, so this node_modules has nothing from it`,
      fix: `run \`${e.tool} install\` again (or \`${e.tool} rebuild ${name}\`): the build runs now that it is allowed`,
    };
  }
  const pnpmNote =
    e.tool === 'pnpm' && !e.toolVersion && e.verdict === 'not-allowed'
      ? ' (pnpm 10; pnpm 11, whose strictDepBuilds is on by default, fails the whole install instead: set packageManager to say which)'
      : '';
  return {
    message: `${pkg} on ${list(e.targets)}: ${why}; ${verdict}${pnpmNote}${e.ignoredAtLastInstall ? `; ${SKIPPED}` : ''}`,
    fix:
      e.tool === 'pnpm'
        ? `allow it: ${pnpmAllow(name, e.toolVersion)}, or \`pnpm approve-builds\``
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
