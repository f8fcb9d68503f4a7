import { invalidBinaryWords } from './binary-words.js';
import type { Finding } from '../model/findings.js';
import type { Target } from '../model/target.js';
import { inertValues } from './inert.js';
import { baseImageWords, dockerfileProblemWords, fetchDetailWords, treeProblemWords } from './reasons.js';
import { describeLoad, firstLine } from './load-words.js';
import { LAYOUT_WORDS } from './manager-words.js';
import type { LoadFinding } from './load-words.js';
import { constraintWords, describeEvidence, describeMismatch, libcGaps, list, nameOf } from './words.js';
import type { Words } from './words.js';
import {
  fallbackNote,
  ignoreFileName,
  platformFlags,
  TOOL_NAMES,
  toolchainFix,
  UNREADABLE_TARBALL,
} from './message-parts.js';
import { ignoredBuildWords, scriptDeniedWords, scriptNotNeededWords } from './script-denied-words.js';
import { buildRunnerWords } from './build-runner-words.js';
import { buildGypWords } from './build-gyp-words.js';

/**
 * The finding with every string in it made inert (one line, controls escaped, bounded): names,
 * versions, scripts, paths and loader messages come from packages, and the words below put them
 * into lines a terminal or a CI log reads. A loader's message keeps only its first line, which is
 * all the words quote.
 */
function inertFinding(f: Finding): Finding {
  const e = f.evidence;
  const evidence = 'source' in e && e.source === 'load' ? { ...e, message: firstLine(e.message) } : e;
  return inertValues({ ...f, evidence } as Finding);
}

/** The words for one finding: what is wrong, with the numbers, and what to do. */
/** A finding in words, with the report's target it names (found by id) for the fix. */
export function describeIn(finding: Finding, targets: readonly Target[]): Words {
  return describe(
    finding,
    targets.find((t) => t.id === finding.target),
  );
}

/**
 * A finding in words. `target` is the Target the finding names (its image data words the fixes);
 * without it the fixes are the ones that fit any machine.
 */
export function describe(finding: Finding, target?: Target): Words {
  const f = inertFinding(finding);
  const pkg = f.package ?? f.location ?? '';
  const name = nameOf(f.package);
  const on = f.target ? ` on ${f.target}` : '';
  switch (f.code) {
    case 'NO_PREBUILD_FOR_TARGET': {
      const why = f.evidence.details.map(describeEvidence).filter(Boolean);
      const lookup = f.evidence.details.find((e) => e.kind === 'addon-lookup');
      const installStep = f.evidence.strategies.some(
        (x) =>
          x === 'source-build' || x === 'prebuild-install' || x === 'node-pre-gyp' || x === 'unknown-script',
      );
      let fix = `use a version of ${name} that ships a binary for this target, or add a build step (python3, make, g++) and an install script that compiles it`;
      if (lookup?.kind === 'addon-lookup' && lookup.host.endsWith('-musl')) {
        // require-addon on Alpine looks only in the -musl folder
        fix = `use a glibc-based image (\`node:<version>-slim\`), where ${name} loads prebuilds/${lookup.host.slice(0, -5)}/, or a version of ${name} that ships prebuilds/${lookup.host}/`;
      } else if (!installStep) {
        fix = `use a version of ${name} that ships a binary for this target (it has no install step that could build one), or run on a platform it ships a binary for`;
      }
      return {
        message: `${pkg} has no binary for${on.replace(' on', '')}: ${why.length ? why.join('; ') : 'nothing matched'}`,
        fix,
      };
    }
    case 'TOOLCHAIN_MISSING': {
      const missing = f.evidence.missing.map((m) => TOOL_NAMES[m]);
      return {
        message: f.evidence.installGoesOn
          ? `${pkg}'s source build fails${on}, which lacks ${list(missing)}; the install goes on without it`
          : f.evidence.certain
            ? `${pkg} must compile from source${on}, which lacks ${list(missing)}: the install fails`
            : `${pkg} compiles from source${on} if its prebuilt download fails, and the target lacks ${list(missing)}`,
        fix: toolchainFix(target),
      };
    }
    case 'SOURCE_BUILD_REQUIRED':
      return {
        message: `${pkg} compiles from source${on} (${f.evidence.builder === 'cmake-js' || f.evidence.builder === 'cmake-ts' ? f.evidence.builder : 'node-gyp'})${f.evidence.toolchainKnown ? '' : '; the target does not say whether python3/make/g++ are present'}`,
        fix: `expect a slow install that needs python3, make and g++; to accept it, add "${name}" to nativeGuard.allowSourceBuild`,
      };
    case 'PREBUILD_DOWNLOAD_UNVERIFIED':
      return {
        message: `${pkg}${on}: ${
          f.evidence.tool === 'install-script'
            ? `its install script ${f.evidence.file ?? ''} would download${f.evidence.hosts?.length ? ` from ${list(f.evidence.hosts)}` : ''}`
            : f.evidence.unknown
              ? `${f.evidence.tool} would download a prebuilt binary whose URL names ${list(f.evidence.unknown)}, the libc version of the machine the install runs on, which the target does not say`
              : `${f.evidence.tool} would download ${f.evidence.url ?? 'a prebuilt binary'}`
        }; not checked${f.evidence.unknown ? '' : ' offline'}${
          f.evidence.fallback === 'source-build'
            ? ', and a source build would follow if it is missing'
            : f.evidence.fallback === 'fails'
              ? ', and the source-build fallback cannot run there'
              : ', with no fallback if it is missing'
        }`,
        fix:
          f.evidence.tool === 'install-script'
            ? 'make sure the target can reach the hosts named (native-guard reads the script without running it, so it has no URL to check), or that the fallback can run'
            : f.evidence.unknown
              ? 'name the libc version in the target (e.g. `node22-linux-x64-glibc2.36`, or an image such as `node:22-bookworm`), so the URL is known and `--online` can check it'
              : 'run `native-guard check --online` to check that the download exists',
      };
    case 'INSTALLED_WITHOUT_BINARY':
      return {
        message: `${pkg}${on}: ${
          f.evidence.failed === 'build' ? 'its source build fails' : 'no binary fits'
        }, yet the install succeeds ${
          f.evidence.cause === 'optional'
            ? '(an optional dependency: npm removes it and goes on)'
            : `(the script ends in \`${f.evidence.tail ?? ''}\`)`
        }; it works only if its JavaScript falls back to code without the binary`,
        fix: `check that ${name || 'the package'} works without its binary on this target (\`native-guard verify\` after install says whether a binary loads), or give the target what the build needs`,
      };
    case 'NO_BUILD_ON_PLATFORM':
      return {
        message: `${pkg}${on}: its ${f.evidence.event} script \`${f.evidence.script}\` stops at \`${f.evidence.file}\`, which succeeds on ${f.evidence.platform}: no binary is built or needed there`,
        fix: 'nothing to do; `native-guard verify` after install confirms the package loads without one',
      };
    case 'INSTALL_SCRIPT_UNKNOWN':
      return {
        message: `${pkg}${on}: its ${f.evidence.event} script is not one native-guard can read: ${f.evidence.script}`,
        fix: `check what it does on this target, or add "${name}" to nativeGuard.ignore once you have`,
      };
    case 'PKG_PREBUILDS_OPTIONS_UNREAD':
      return {
        message: `${pkg}${on}: its install runs \`pkg-prebuilds-verify ${f.evidence.file}\`, which keeps the prebuild named in ${f.evidence.file}; that file is code, not a plain \`module.exports = { name: '…', napi_versions: [N] }\`, so which prebuild it names is not known${f.evidence.fallback === 'source-build' ? ' (without one, the install compiles)' : ''}`,
        fix: `read ${f.evidence.file} for its \`name\`: the target needs prebuilds/<name>-<platform>-<arch>[-musl]/node-napi-v<N>.node in the package; \`native-guard verify\` after an install on the target loads what the package really loads`,
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
    case 'PLATFORM_PACKAGE_NOT_READ':
      return {
        message: `${pkg}${on}: its binary would come from ${f.evidence.name}${f.evidence.version ? `@${f.evidence.version}` : ''}, which the lockfile lists and this machine did not install; which file it holds (and for which libc and ABI) is only in its tarball`,
        fix: "`native-guard check --lockfile-only` reads it (from npm's cache, else the registry)",
      };
    case 'NODE_HEADERS_UNAVAILABLE':
      return {
        message: `${pkg}${on}: node-gyp would download Node ${f.evidence.nodeVersion} headers for the build${f.evidence.besideNode ? `; headers exist at ${f.evidence.besideNode} but node-gyp does not use them by itself` : ''}`,
        fix: f.evidence.besideNode
          ? `set npm_config_nodedir=${f.evidence.besideNode.replace(/[\\/]include[\\/]node$/, '')} (or \`npm config set nodedir …\`) so builds work offline`
          : 'allow access to nodejs.org during install, or run `npx node-gyp install` once while online',
      };
    case 'SHARED_LIBRARY_UNCHECKED':
    case 'ENGINES_EXCLUDE_NODE':
    case 'NODE_GYP_NOT_FOUND':
    case 'NODE_GYP_UNSUPPORTED_NODE':
      return buildRunnerWords(f, pkg, on, name);
    case 'BUILD_PKG_CONFIG_MISSING':
    case 'BUILD_CXX_STANDARD_TOO_OLD':
      return buildGypWords(f, pkg, on, name);
    case 'PYTHON_DISTUTILS_MISSING':
      return {
        message: `${pkg}${on}: python ${f.evidence.pythonVersion ?? '≥ 3.12'} has no distutils, which node-gyp ${f.evidence.nodeGyp ?? '< 10'} needs`,
        fix: 'use node-gyp 10 or newer (update the package or npm), or point npm_config_python at a python 3.11',
      };
    case 'LIBC_MISMATCH':
      if ('source' in f.evidence) return describeLoad(f as LoadFinding);
      return {
        message: `${pkg}${on}: ${f.evidence.file} is linked against ${f.evidence.binaryLibc}, the target uses ${f.evidence.targetLibc ?? 'no libc'}${libcGaps(f.evidence)}${fallbackNote(f.evidence.fallback)}`,
        fix:
          f.evidence.fallback === 'source-build'
            ? 'ship python3, make and g++ in the image so the build succeeds, or use a package version with a musl prebuild'
            : `use a version of ${name} with a ${f.evidence.targetLibc ?? ''} build, or a ${f.evidence.binaryLibc}-based image`,
      };
    case 'ARCH_MISMATCH':
      if ('source' in f.evidence) return describeLoad(f as LoadFinding);
      return {
        message: `${pkg}${on}: ${f.evidence.file} is built for ${list(f.evidence.binaryArches)}, the target is ${f.evidence.targetArch}${fallbackNote(f.evidence.fallback)}`,
        fix: `reinstall on the target architecture (\`npm rebuild ${name}\` inside the image)`,
      };
    case 'PLATFORM_MISMATCH':
      if ('source' in f.evidence) return describeLoad(f as LoadFinding);
      return {
        message: `${pkg}${on}: ${f.evidence.file} is a ${f.evidence.binaryPlatform} binary, the target is ${f.evidence.targetPlatform}${fallbackNote(f.evidence.fallback)}`,
        fix: `reinstall on the target (\`npm ci\` inside the image), don't copy node_modules across systems`,
      };
    case 'GLIBC_TOO_OLD':
      if ('source' in f.evidence) return describeLoad(f as LoadFinding);
      return {
        message: `${pkg}${on}: ${f.evidence.file} needs GLIBC_${f.evidence.needed}, the target has glibc ${f.evidence.available}${fallbackNote(f.evidence.fallback)}`,
        fix: 'use a newer base image (bookworm: 2.36, trixie: 2.41) or a package version built against an older glibc',
      };
    case 'GLIBCXX_TOO_OLD':
      return {
        message: `${pkg}${on}: ${f.evidence.file} needs GLIBCXX_${f.evidence.needed}, the target's libstdc++.so.6 provides up to GLIBCXX_${f.evidence.available}${fallbackNote(f.evidence.fallback)}`,
        fix: 'use a base image with a newer libstdc++ (bookworm: GLIBCXX_3.4.30, trixie: 3.4.33), a package version built with an older GCC, or let it compile from source (python3, make, g++ in the install stage)',
      };
    case 'NAPI_VERSION_TOO_HIGH':
      if ('source' in f.evidence) return describeLoad(f as LoadFinding);
      return {
        message: `${pkg}${on}: ${f.evidence.file} declares Node-API ${f.evidence.declared}, the target's Node supports ${f.evidence.available}${fallbackNote(f.evidence.fallback)}`,
        fix: `upgrade Node on the target, or pin an older ${name}`,
      };
    case 'ABI_MISMATCH':
      if ('source' in f.evidence) return describeLoad(f as LoadFinding);
      return {
        message: `${pkg}${on}: ${f.evidence.file} is built for NODE_MODULE_VERSION ${f.evidence.binaryAbi}, the target needs ${f.evidence.targetAbi}${fallbackNote(f.evidence.fallback)}`,
        fix: `\`npm rebuild ${name}\` with the target's Node, or reinstall inside the image`,
      };
    case 'INVALID_BINARY':
      if ('source' in f.evidence) return describeLoad(f as LoadFinding);
      return {
        message: `${pkg}${on}: ${f.evidence.file} is not a loadable binary (${invalidBinaryWords(f.evidence)})${fallbackNote(f.evidence.fallback)}`,
        fix: `reinstall ${name} (\`rm -rf\` its folder, then \`npm install\`); if the published file is broken, pin another version`,
      };
    case 'PACKAGE_JSON_INVALID':
      return {
        message: `${f.evidence.path}: package.json cannot be read (${f.evidence.errorCode ?? 'error'}: ${treeProblemWords(f.evidence)})`,
        fix: 'reinstall the package (`rm -rf` the folder, then `npm install`)',
      };
    case 'LINK_BROKEN':
      return {
        message: `${f.evidence.path}: ${f.evidence.errorCode === 'ELOOP' ? 'symbolic link cycle' : treeProblemWords(f.evidence)}`,
        fix: 'remove the link and reinstall (`npm install`)',
      };
    case 'FOLDER_UNREADABLE':
      return {
        message: `${f.evidence.path}: cannot be read (${f.evidence.errorCode ?? 'error'})`,
        fix: 'fix the permissions or reinstall as the user that runs the app',
      };
    case 'LOCKFILE_INVALID':
      return {
        message: `${f.evidence.path}: lockfile cannot be read (${f.evidence.errorCode ?? 'error'}: ${treeProblemWords(f.evidence)})`,
        fix: 'regenerate it with `npm install --package-lock-only`',
      };
    case 'LAYOUT_UNREADABLE':
      return {
        message: `${f.evidence.path}: ${(f.evidence.reason === 'layout-unreadable' && LAYOUT_WORDS[f.evidence.detail]) || 'cannot be read'}; the packages it installs are not checked`,
        fix: "reinstall with the project's package manager (`yarn install`, `pnpm install`), or check from the lockfile with `--lockfile-only`",
      };
    case 'PACKAGE_NAME_CASE_CONFLICT':
      return {
        message: `${f.evidence.path}: ${treeProblemWords(f.evidence)}`,
        fix: 'remove both folders and reinstall (`npm install`); rename the dependency that uses the wrong case',
      };
    case 'DOCKERIGNORE_MISSES_NESTED_NODE_MODULES':
    case 'DOCKERIGNORE_MISSES_NODE_MODULES': {
      const e = f.evidence;
      const ignore = e.dockerignore ? `${e.dockerignore} does not exclude it` : 'there is no .dockerignore';
      const what = e.binaries
        ? `${e.files} ${e.files === 1 ? 'file' : 'files'}, ${e.binaries} of them .node ${e.binaries === 1 ? 'binary' : 'binaries'}`
        : `${e.files} ${e.files === 1 ? 'file' : 'files'}`;
      return {
        message: `${e.folder} (${what}) is sent in the build context and copied to ${e.imagePath} by \`${e.via.text}\` (${e.via.dockerfile}:${e.via.line}); ${ignore}`,
        fix:
          f.code === 'DOCKERIGNORE_MISSES_NODE_MODULES'
            ? `add the line \`${e.add}\` to ${ignoreFileName(e.dockerignore)}, so the image only has what \`npm ci\` installs there`
            : `add the line \`${e.add}\` to ${ignoreFileName(e.dockerignore)} (\`node_modules\` alone matches only the root one) and install ${e.folder.replace(/\/node_modules$/, '')}'s dependencies inside the image (\`RUN npm ci --prefix ${e.folder.replace(/\/node_modules$/, '')}\`, or make it a workspace)`,
      };
    }
    case 'STRAY_BINARY_IN_CONTEXT': {
      const e = f.evidence;
      const where = f.target ?? 'the image';
      return {
        message: `${e.file} ${e.mismatches.map((m) => describeMismatch(m, where)).join('; ')} (copied to ${e.imagePath} by \`${e.via.text}\`, ${e.via.dockerfile}:${e.via.line})`,
        fix: `add the line \`${e.add}\` to ${ignoreFileName(e.dockerignore)} and let \`npm ci\` in the image install or build it`,
      };
    }
    case 'DOCKER_BASE_IMAGE_UNKNOWN': {
      const e = f.evidence;
      const why =
        e.reason === 'not-node-image'
          ? 'not the official node image'
          : e.reason === 'scratch'
            ? 'FROM scratch has no Node'
            : baseImageWords(e);
      return {
        message: `${e.dockerfile}:${e.line}: stage ${e.stage} is based on ${e.image || '(unresolved)'}: ${why}; native-guard cannot tell which Node, libc and tools it has${e.role === 'final' ? ', so binaries copied into it are not checked' : ''}`,
        fix: `describe it with a target, e.g. \`native-guard check ${e.hint}\` (or glibc2.36, musl), or base the stage on node:<version>[-slim|-alpine]`,
      };
    }
    case 'DOCKER_STAGE_MISMATCH': {
      const e = f.evidence;
      const what = e.binary ?? (e.outcome === 'source-build' ? 'the binary it compiles' : 'its binary');
      const words = e.mismatches.map((m) => describeMismatch(m, f.target ?? 'the final stage')).join('; ');
      return {
        message: `${pkg} is installed in stage ${e.installStage} (${e.installTarget}) and copied into ${f.target ?? 'the final stage'} by \`${e.via.text}\` (${e.via.dockerfile}:${e.via.line}): ${what} ${words}${e.repickedAtLoad ? '; its loader (node-gyp-build, pkg-prebuilds) picks again when it loads, so this only works if the package ships a prebuild for the final image' : ''}${e.outcome === 'source-build' && f.severity === 'warning' ? '; a build made against one libc loads on the other only if it uses nothing specific to the one it was built against' : ''}`,
        fix: `build in a stage with the same base as the final one (same libc, arch and Node version: e.g. \`FROM node:<version>-alpine AS build\` for an alpine image), or install in the final stage`,
      };
    }
    case 'DOCKERFILE_PROBLEM': {
      const e = f.evidence;
      const at = e.line !== null ? `${e.file}:${e.line}` : e.file;
      return {
        message: `${at}: ${dockerfileProblemWords(e)}`,
        fix:
          e.reason === 'unresolved-variable'
            ? 'give the ARG a default, or pass `--build-arg NAME=value` as you do to `docker build`'
            : e.reason === 'bad-ignore-pattern'
              ? 'fix or remove the pattern: `docker build` rejects it too'
              : e.reason === 'value-too-long'
                ? 'an ARG or ENV that grows this large (each line repeating the last) is almost surely a mistake: shorten it'
                : 'fix the Dockerfile so `docker build` accepts it',
      };
    }
    case 'DOCKER_CONTEXT_INCOMPLETE': {
      const e = f.evidence;
      const parts: string[] = [];
      if (e.limit !== null) parts.push(`stopped after ${e.limit} entries`);
      if (e.unreadable.length)
        parts.push(`could not read ${e.unreadable.map((u) => `${u.path} (${u.code})`).join(', ')}`);
      return {
        message: `build context ${e.context}: ${parts.join('; ')}; binaries there were not checked`,
        fix: 'exclude large or private folders in .dockerignore (Docker sends them too), or fix their permissions',
      };
    }
    case 'SHARED_LIBRARY_MISSING':
      if (!('source' in f.evidence)) {
        const e = f.evidence;
        return {
          message: `${pkg}${on}: ${e.file} needs ${list(e.libraries)}, which the target's dynamic loader cannot find${fallbackNote(e.fallback)}`,
          fix: `install the system package that provides ${list(e.libraries)} before \`npm ci\` (and where the package runs), or use a version of ${name} that does not need it`,
        };
      }
      return describeLoad(f as LoadFinding);
    case 'BINARY_MISSING':
    case 'LOAD_CRASHED':
    case 'LOAD_TIMEOUT':
    case 'LOAD_FAILED':
    case 'LOAD_PROTOCOL_VIOLATION':
    case 'JS_FALLBACK_IN_USE':
    case 'NO_BINARY_BY_DESIGN':
    case 'STRAY_BINARY':
      return describeLoad(f);
    case 'MANIFEST_UNAVAILABLE': {
      const e = f.evidence;
      const what = `${e.name}${e.version ? `@${e.version}` : ''}`;
      const detail = fetchDetailWords(e);
      const role =
        e.role === 'package'
          ? 'its outcome is unknown on every target'
          : e.role === 'platform-package'
            ? 'the outcome of the package that picks it is unknown where a target needs it'
            : 'native-guard cannot tell whether a target needs it';
      return {
        message: `${what}: could not get its manifest or tarball (${e.code}${detail ? `: ${detail}` : ''}); ${role}`,
        fix:
          e.code === 'ENOTREGISTRY'
            ? 'lockfile mode reads registry packages only (a git, file or folder dependency is never fetched or packed, so nothing of it runs); check the installed tree instead (`npm ci`, then `native-guard check`)'
            : UNREADABLE_TARBALL.has(e.code)
              ? `look at the package itself (\`npm pack ${what}\`), or check the installed tree instead (\`npm ci\`, then \`native-guard check\`)`
              : e.offline
                ? "fill npm's cache first (`npm ci` once on this machine, or `npm cache add " +
                  what +
                  '`), or run without --offline'
                : 'check the registry settings (registry, scoped registries, proxy, auth, fetch-timeout in .npmrc) and that the registry is reachable',
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
    case 'BUILD_LIBRARY_MISSING': {
      const e = f.evidence;
      const libs = e.libraries.map((l) => `-l${l}`);
      return {
        message: `${pkg}${on}: its ${e.file} links ${list(libs)}, and this machine has no ${list(e.libraries.map((l) => `lib${l}.so`))}: the source build fails (its development package, with the headers, is not installed)`,
        fix: `install the development package of ${list(e.libraries.map((l) => `lib${l}`))} before \`npm ci\` (Debian: the \`lib…-dev\` package that ships lib${e.libraries[0]}.so; Alpine: \`…-dev\`)`,
      };
    }
    case 'LOCKFILE_ENTRIES_MISSING': {
      const e = f.evidence;
      return {
        message: `${pkg}: the lockfile has no entry for ${list(e.missing.map((m) => `${m.name}@${m.spec}`))}, which it depends on; \`npm ci\` refuses the whole lockfile on every platform ("Missing: … from lock file") and installs nothing`,
        fix: 'run `npm install --package-lock-only` against a registry that serves every one of them and commit package-lock.json; a name the registry does not serve (a platform package never published there) has to be published or mirrored first, or the dependency dropped',
      };
    }
    case 'LOCKFILE_LIBC_MISSING': {
      const e = f.evidence;
      return {
        message: `${pkg}: the lockfile entry of ${e.name}@${e.version ?? '?'} has no libc field, but its package.json says libc ${list(e.libc)}: npm installs it on ${e.libc.includes('musl') ? 'glibc' : 'musl'} systems too, next to the right one`,
        fix: 'regenerate the lockfile with npm 11.11.0 or newer, which records libc (npm/cli#8514): `rm package-lock.json && npm install --package-lock-only`',
      };
    }
    case 'INSTALL_SCRIPT_DENIED':
      return scriptDeniedWords(f, pkg, name);
    case 'NPM_SHRINKWRAP_IGNORED': {
      const e = f.evidence;
      return {
        message: e.packageLock
          ? `npm ${e.npmVersion} ignores npm-shrinkwrap.json and installs from package-lock.json; native-guard's lockfile-only check reads npm-shrinkwrap.json first, so the two can disagree`
          : `npm ${e.npmVersion} ignores npm-shrinkwrap.json: \`npm ci\` fails ("can only install with an existing package-lock.json"), and \`npm install\` resolves every version afresh`,
        fix: e.packageLock
          ? 'delete npm-shrinkwrap.json (or make sure package-lock.json holds the versions you mean to ship)'
          : 'rename it: `git mv npm-shrinkwrap.json package-lock.json` (npm 12 reads package-lock.json only)',
      };
    }
    case 'INSTALL_SCRIPT_NOT_NEEDED':
      return scriptNotNeededWords(f, pkg, name);
    case 'INSTALL_FAILS_IGNORED_BUILD':
      return ignoredBuildWords(f, pkg, name);
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
