import type { Finding } from '../findings.js';
import type { Evidence, InstallScriptVerdict } from '../strategies/types.js';

export interface Words {
  message: string;
  /** What to do about it; empty when nothing needs doing. */
  fix: string;
}

const nameOf = (id: string | undefined): string => {
  if (!id) return '';
  const at = id.lastIndexOf('@');
  return at > 0 ? id.slice(0, at) : id;
};

const list = (xs: string[]) => xs.join(', ');

const TOOL_NAMES = { python: 'python3', make: 'make', cxx: 'a C++ compiler (g++)' } as const;

/** Install commands per image family, for the toolchain fix. */
function toolchainFix(target: string | undefined): string {
  if (target?.includes('alpine'))
    return 'add `RUN apk add --no-cache python3 make g++` before `npm ci` (or use a build stage)';
  if (target?.startsWith('node:') || target?.includes(':'))
    return 'add `RUN apt-get update && apt-get install -y python3 make g++` before `npm ci`, or build in a full `node:<version>` stage and copy node_modules';
  return 'install python3, make and a C++ compiler (Debian: `apt-get install python3 make g++`; Alpine: `apk add python3 make g++`)';
}

export function describeEvidence(e: Evidence): string {
  switch (e.kind) {
    case 'install-script':
      return `${e.event} script: ${e.script}`;
    case 'binding-gyp':
      return 'has binding.gyp';
    case 'prebuild-match':
      return `matched prebuild ${e.file}`;
    case 'prebuilds-none-for-target':
      return e.available.length ? `prebuilds only for ${list(e.available)}` : 'no prebuilds/ folder';
    case 'prebuild-tags-rejected':
      return `${e.dir} has ${e.files.length ? list(e.files) : 'no .node files'}, none tagged for this target`;
    case 'build-dir-ignored':
      return `${e.file} exists from an earlier build; a fresh install starts without it`;
    case 'download':
      return e.url
        ? `${e.tool} would download ${e.url}${e.cached ? ` (in npm's cache: ${e.cached})` : ''}${e.local ? ` (local prebuild: ${e.local})` : ''}`
        : `${e.tool} cannot compute a download URL${e.problem ? `: ${e.problem}` : ''}`;
    case 'platform-package':
      return `platform package ${e.name}@${e.version ?? '?'} (${[e.os, e.cpu, e.libc]
        .filter(Boolean)
        .map((x) => x!.join('|'))
        .join(
          ' ',
        )}) from the ${e.source === 'installed' ? 'installed tree' : 'lockfile'}${e.binary ? `: ${e.binary}` : ''}`;
    case 'platform-packages-unmatched':
      return `no platform package for this target among ${list(e.candidates.map((c) => c.name))}`;
    case 'platform-packages-unresolved':
      return `not in the tree or lockfile: ${list(e.names)}`;
    case 'platform-package-not-installed':
      return `${e.name} is in the lockfile for this machine but not installed`;
    case 'toolchain':
      return e.known
        ? `toolchain: python3 ${e.python ? 'yes' : 'no'}, make ${e.make ? 'yes' : 'no'}, C++ ${e.cxx ? 'yes' : 'no'}`
        : 'toolchain: unknown for this target';
    case 'shipped-binary':
      return `ships ${e.file}`;
    case 'binary-facts':
      return `${e.file}: ${e.format ?? 'unknown format'} ${list(e.arches)} ${e.libc ?? ''} ${e.module}${e.abi ? ` abi ${e.abi}` : ''}`.trim();
    case 'opt-in-script':
      return `install script only builds when asked (${e.script})`;
    case 'platform-package-not-in-lockfile':
      return `${e.name}@${e.version ?? '?'} (${constraintWords(e)}) is the platform package for this target, and the lockfile has no entry for it`;
    case 'manifest-unavailable':
      return `${e.name}${e.version ? `@${e.version}` : ''}: manifest/tarball not available (${e.code})`;
    case 'platform-package-name-hint':
      return `${e.name} is named like this target's platform package (its manifest could not be checked)`;
    case 'url-check':
      return `--online: ${e.method} ${e.url} → ${e.status}${e.httpStatus !== null ? ` (HTTP ${e.httpStatus})` : ''}${e.finalUrl && e.finalUrl !== e.url ? ` via ${e.finalUrl}` : ''}${e.error ? `: ${e.error}` : ''}`;
    case 'install-script-policy':
      return `${e.tool} install-script policy: ${VERDICT_WORDS[e.verdict]}; the binary ${e.needed === 'yes' ? 'needs' : e.needed === 'no' ? 'does not need' : 'may need'} the script`;
  }
}

const constraintWords = (c: { os?: string[]; cpu?: string[]; libc?: string[] }): string =>
  [c.os, c.cpu, c.libc]
    .filter((x): x is string[] => !!x)
    .map((x) => x.join('|'))
    .join(' ') || 'no os/cpu/libc';

const VERDICT_WORDS: Record<InstallScriptVerdict, string> = {
  allowed: 'allowed',
  denied: 'denied',
  ignored: 'all scripts ignored (ignore-scripts)',
  'not-allowed': 'not on the allowlist, so it does not run',
  unreviewed: 'not reviewed (it runs, with a warning)',
  'unreviewed-strict': 'not reviewed, and --strict-allow-scripts fails the install',
};

/** The npm flags that make a lockfile entry's os/cpu/libc install on a machine that isn't the target. */
function platformFlags(e: { os?: string[]; cpu?: string[]; libc?: string[] }): string {
  const flags: string[] = [];
  if (e.os?.length === 1) flags.push(`--os=${e.os[0]}`);
  if (e.cpu?.length === 1) flags.push(`--cpu=${e.cpu[0]}`);
  if (e.libc?.length === 1) flags.push(`--libc=${e.libc[0]}`);
  return flags.join(' ');
}

/** The words for one finding: what is wrong, with the numbers, and what to do. */
export function describe(f: Finding): Words {
  const pkg = f.package ?? f.location ?? '';
  const name = nameOf(f.package);
  const on = f.target ? ` on ${f.target}` : '';
  switch (f.code) {
    case 'NO_PREBUILD_FOR_TARGET': {
      const why = f.evidence.details.map(describeEvidence).filter(Boolean);
      return {
        message: `${pkg} has no binary for${on.replace(' on', '')}: ${why.length ? why.join('; ') : 'nothing matched'}`,
        fix: `use a version of ${name} that ships a binary for this target, or add a build step (python3, make, g++) and an install script that compiles it`,
      };
    }
    case 'TOOLCHAIN_MISSING': {
      const missing = f.evidence.missing.map((m) => TOOL_NAMES[m]);
      return {
        message: f.evidence.certain
          ? `${pkg} must compile from source${on}, which lacks ${list(missing)}: the install fails`
          : `${pkg} compiles from source${on} if its prebuilt download fails, and the target lacks ${list(missing)}`,
        fix: toolchainFix(f.target),
      };
    }
    case 'SOURCE_BUILD_REQUIRED':
      return {
        message: `${pkg} compiles from source${on} (${f.evidence.builder === 'cmake-js' ? 'cmake-js' : 'node-gyp'})${f.evidence.toolchainKnown ? '' : '; the target does not say whether python3/make/g++ are present'}`,
        fix: `expect a slow install that needs python3, make and g++; to accept it, add "${name}" to nativeGuard.allowSourceBuild`,
      };
    case 'PREBUILD_DOWNLOAD_UNVERIFIED':
      return {
        message: `${pkg}${on}: ${f.evidence.tool} would download ${f.evidence.url ?? 'a prebuilt binary'}; not checked offline${
          f.evidence.fallback === 'source-build'
            ? ', and a source build would follow if it is missing'
            : f.evidence.fallback === 'fails'
              ? ', and the source-build fallback cannot run there'
              : ', with no fallback if it is missing'
        }`,
        fix: 'run `native-guard check --online` to check that the download exists',
      };
    case 'INSTALL_SCRIPT_UNKNOWN':
      return {
        message: `${pkg}${on}: its ${f.evidence.event} script is not one native-guard can read: ${f.evidence.script}`,
        fix: `check what it does on this target, or add "${name}" to nativeGuard.ignore once you have`,
      };
    case 'PLATFORM_PACKAGE_MISSING':
      return {
        message: `${pkg}${on}: ${f.evidence.name} is the platform package this machine needs, and it is not installed`,
        fix: `reinstall without --no-optional/--omit=optional: \`rm -rf node_modules && npm install\` (npm/cli#4828)`,
      };
    case 'PLATFORM_PACKAGES_UNRESOLVED':
      return {
        message: `${pkg}${on}: cannot tell which platform package applies; not in the tree or lockfile: ${list(f.evidence.names)}`,
        fix: 'commit a lockfile made with npm 7+ that records every platform, or run the lockfile-only check with registry access',
      };
    case 'NODE_HEADERS_UNAVAILABLE':
      return {
        message: `${pkg}${on}: node-gyp would download Node ${f.evidence.nodeVersion} headers for the build${f.evidence.besideNode ? `; headers exist at ${f.evidence.besideNode} but node-gyp does not use them by itself` : ''}`,
        fix: f.evidence.besideNode
          ? `set npm_config_nodedir=${f.evidence.besideNode.replace(/[\\/]include[\\/]node$/, '')} (or \`npm config set nodedir …\`) so builds work offline`
          : 'allow access to nodejs.org during install, or run `npx node-gyp install` once while online',
      };
    case 'PYTHON_DISTUTILS_MISSING':
      return {
        message: `${pkg}${on}: python ${f.evidence.pythonVersion ?? '≥ 3.12'} has no distutils, which node-gyp ${f.evidence.nodeGyp ?? '< 10'} needs`,
        fix: 'use node-gyp 10 or newer (update the package or npm), or point npm_config_python at a python 3.11',
      };
    case 'LIBC_MISMATCH':
      return {
        message: `${pkg}${on}: ${f.evidence.file} is linked against ${f.evidence.binaryLibc}, the target uses ${f.evidence.targetLibc ?? 'no libc'}${fallbackNote(f.evidence.fallback)}`,
        fix:
          f.evidence.fallback === 'source-build'
            ? 'ship python3, make and g++ in the image so the build succeeds, or use a package version with a musl prebuild'
            : `use a version of ${name} with a ${f.evidence.targetLibc ?? ''} build, or a ${f.evidence.binaryLibc}-based image`,
      };
    case 'ARCH_MISMATCH':
      return {
        message: `${pkg}${on}: ${f.evidence.file} is built for ${list(f.evidence.binaryArches)}, the target is ${f.evidence.targetArch}${fallbackNote(f.evidence.fallback)}`,
        fix: `reinstall on the target architecture (\`npm rebuild ${name}\` inside the image)`,
      };
    case 'PLATFORM_MISMATCH':
      return {
        message: `${pkg}${on}: ${f.evidence.file} is a ${f.evidence.binaryPlatform} binary, the target is ${f.evidence.targetPlatform}${fallbackNote(f.evidence.fallback)}`,
        fix: `reinstall on the target (\`npm ci\` inside the image), don't copy node_modules across systems`,
      };
    case 'GLIBC_TOO_OLD':
      return {
        message: `${pkg}${on}: ${f.evidence.file} needs GLIBC_${f.evidence.needed}, the target has glibc ${f.evidence.available}${fallbackNote(f.evidence.fallback)}`,
        fix: 'use a newer base image (bookworm: 2.36, trixie: 2.41) or a package version built against an older glibc',
      };
    case 'NAPI_VERSION_TOO_HIGH':
      return {
        message: `${pkg}${on}: ${f.evidence.file} declares Node-API ${f.evidence.declared}, the target's Node supports ${f.evidence.available}${fallbackNote(f.evidence.fallback)}`,
        fix: `upgrade Node on the target, or pin an older ${name}`,
      };
    case 'ABI_MISMATCH':
      return {
        message: `${pkg}${on}: ${f.evidence.file} is built for NODE_MODULE_VERSION ${f.evidence.binaryAbi}, the target needs ${f.evidence.targetAbi}${fallbackNote(f.evidence.fallback)}`,
        fix: `\`npm rebuild ${name}\` with the target's Node, or reinstall inside the image`,
      };
    case 'INVALID_BINARY':
      return {
        message: `${pkg}${on}: ${f.evidence.file} is not a loadable binary (${f.evidence.reason})${fallbackNote(f.evidence.fallback)}`,
        fix: `reinstall ${name} (\`rm -rf\` its folder, then \`npm install\`); if the published file is broken, pin another version`,
      };
    case 'PACKAGE_JSON_INVALID':
      return {
        message: `${f.evidence.path}: package.json cannot be read (${f.evidence.errorCode ?? 'error'}: ${f.evidence.detail})`,
        fix: 'reinstall the package (`rm -rf` the folder, then `npm install`)',
      };
    case 'LINK_BROKEN':
      return {
        message: `${f.evidence.path}: ${f.evidence.errorCode === 'ELOOP' ? 'symbolic link cycle' : f.evidence.detail}`,
        fix: 'remove the link and reinstall (`npm install`)',
      };
    case 'FOLDER_UNREADABLE':
      return {
        message: `${f.evidence.path}: cannot be read (${f.evidence.errorCode ?? 'error'})`,
        fix: 'fix the permissions or reinstall as the user that runs the app',
      };
    case 'LOCKFILE_INVALID':
      return {
        message: `${f.evidence.path}: lockfile cannot be read (${f.evidence.errorCode ?? 'error'}: ${f.evidence.detail})`,
        fix: 'regenerate it with `npm install --package-lock-only`',
      };
    case 'MANIFEST_UNAVAILABLE': {
      const e = f.evidence;
      const what = `${e.name}${e.version ? `@${e.version}` : ''}`;
      const role =
        e.role === 'package'
          ? 'its outcome is unknown on every target'
          : e.role === 'platform-package'
            ? 'the outcome of the package that picks it is unknown where a target needs it'
            : 'native-guard cannot tell whether a target needs it';
      return {
        message: `${what}: could not get its manifest or tarball (${e.code}${e.detail ? `: ${e.detail}` : ''}); ${role}`,
        fix: e.offline
          ? "fill npm's cache first (`npm ci` once on this machine, or `npm cache add " +
            what +
            '`), or run without --offline'
          : 'check the registry settings (registry, scoped registries, proxy, auth in .npmrc) and that the registry is reachable',
      };
    }
    case 'PLATFORM_PACKAGE_NOT_IN_LOCKFILE': {
      const e = f.evidence;
      const flags = platformFlags(e);
      return {
        message: `${pkg}${on}: needs ${e.name}@${e.version ?? '?'} (${constraintWords(e)}), which the lockfile has no entry for; ${
          e.listedInLockfile
            ? `\`npm ci\` refuses this lockfile on every platform ("Missing: ${e.name} from lock file")`
            : `\`npm ci\` installs without it, and ${name} fails to load there`
        }`,
        fix: e.listedInLockfile
          ? `run \`npm install --package-lock-only\` (npm 7+ records every platform's entry) and commit package-lock.json (npm/cli#4828)`
          : `the lockfile entry for ${name} lost the reference too, so \`npm install\` keeps trusting it (even with ${flags || '--os/--cpu/--libc'}): regenerate it, \`rm package-lock.json && npm install --package-lock-only\` (or \`rm -rf node_modules package-lock.json && npm install\`), and commit it (npm/cli#4828)`,
      };
    }
    case 'LOCKFILE_LIBC_MISSING': {
      const e = f.evidence;
      return {
        message: `${pkg}: the lockfile entry of ${e.name}@${e.version ?? '?'} has no libc field, but its package.json says libc ${list(e.libc)}: npm installs it on ${e.libc.includes('musl') ? 'glibc' : 'musl'} systems too, next to the right one`,
        fix: 'regenerate the lockfile with npm 11.11.0 or newer, which records libc (npm/cli#8514): `rm package-lock.json && npm install --package-lock-only`',
      };
    }
    case 'INSTALL_SCRIPT_DENIED': {
      const e = f.evidence;
      const source = e.policySource ? ` (${e.policySource})` : '';
      const why =
        e.needed === 'unknown'
          ? 'an install script native-guard cannot read, which may be what provides the binary'
          : `its binary comes from its install script (${e.strategy ?? 'install script'})`;
      const verdict =
        e.verdict === 'unreviewed'
          ? `not reviewed by the ${e.tool} allowScripts policy${source}: it runs today with a warning, and breaks as soon as the policy denies it`
          : e.verdict === 'unreviewed-strict'
            ? `not reviewed by allowScripts${source}, and --strict-allow-scripts makes the whole install fail`
            : e.verdict === 'ignored'
              ? 'ignore-scripts is set, so no install script runs'
              : e.verdict === 'not-allowed'
                ? `${e.tool === 'pnpm' ? 'pnpm' : e.tool} does not run it: it is not on the allowlist${source}`
                : `the ${e.tool} policy denies it${source}`;
      return {
        message: `${pkg} on ${list(e.targets)}: ${why}; ${verdict}`,
        fix:
          e.tool === 'pnpm'
            ? `allow it: \`allowBuilds: { "${name}": true }\` in pnpm-workspace.yaml (pnpm 10: onlyBuiltDependencies), or \`pnpm approve-builds\``
            : e.verdict === 'ignored'
              ? `drop ignore-scripts for this install, or run \`npm rebuild ${name}\` after it with scripts allowed`
              : `allow it: "allowScripts": { "${name}": true } in package.json (\`npm install-scripts approve ${name}\`); \`native-guard check --suggest-allow-scripts\` prints the whole block`,
      };
    }
    case 'INSTALL_SCRIPT_NOT_NEEDED': {
      const e = f.evidence;
      return {
        message: `${pkg}: its install script is not needed on ${list(e.targets)}${e.strategies.length ? ` (the binary comes from ${list(e.strategies)})` : ''}; it is ${VERDICT_WORDS[e.verdict]}`,
        fix:
          e.verdict === 'denied' || e.verdict === 'not-allowed' || e.verdict === 'ignored'
            ? ''
            : e.tool === 'pnpm'
              ? `safe to deny: \`allowBuilds: { "${name}": false }\``
              : `safe to deny: "allowScripts": { "${name}": false } (\`npm install-scripts deny ${name}\`)`,
      };
    }
    case 'DOWNLOAD_HOST_UNREACHABLE': {
      const e = f.evidence;
      return {
        message: `${pkg}${on}: ${e.tool} would download ${e.url}, and the host ${e.status === 'timeout' ? 'did not answer in time' : 'could not be reached'}${e.error ? ` (${e.error})` : ''}; an install from this network falls back as if the file were missing`,
        fix: `check the host from the network the install runs on, or point the download at a mirror: ${
          e.tool === 'prebuild-install'
            ? `npm_config_${name.replace(/[^a-zA-Z0-9]/g, '_').replace(/^_/, '')}_binary_host_mirror`
            : 'npm_config_<module_name>_binary_host_mirror (module_name from its package.json "binary")'
        }`,
      };
    }
  }
}

function fallbackNote(fallback: 'source-build' | 'none'): string {
  return fallback === 'source-build' ? '; the install load-tests it and compiles from source instead' : '';
}
