// The words for what loading a binary found (`verify`): why it did not load, and what to do.
import { invalidBinaryWords } from './binary-words.js';
import type { Finding, FindingCode, FindingEvidence, LoadEvidenceBase } from '../model/findings.js';
import type { LoadClassification } from '../model/load.js';
import { list, nameOf } from './words.js';
import type { Words } from './words.js';

/** A finding from loading a binary (`verify`): the load variant of each code's evidence. */
export type LoadFinding = {
  [C in FindingCode]: Omit<Extract<Finding, { code: C }>, 'evidence'> & {
    code: C;
    evidence: Extract<FindingEvidence[C], LoadEvidenceBase>;
  };
}[FindingCode];

/** The first line of a loader message, without the path it repeats. */
export const firstLine = (message: string) =>
  message
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim() ?? '';

/** `npm rebuild` for a package, in the nested project it belongs to. */
export const rebuild = (name: string, e: LoadEvidenceBase) =>
  e.project ? `\`npm rebuild ${name} --prefix ${e.project}\`` : `\`npm rebuild ${name}\``;

/** For a binary inside a nested project: how it gets into images, and the .dockerignore line that stops it. */
const nestedNote = (e: LoadEvidenceBase) =>
  e.project
    ? `; ${e.project}/node_modules was installed on another machine or Node: add \`**/node_modules\` to .dockerignore and install inside the image`
    : '';

const LIBRARY_PACKAGES: Record<string, string> = {
  'libstdc++.so.6': 'Alpine: `apk add libstdc++`; Debian: `apt-get install libstdc++6`',
  'libgcc_s.so.1': 'Alpine: `apk add libgcc`; Debian: `apt-get install libgcc-s1`',
  'libgomp.so.1': 'Alpine: `apk add libgomp`; Debian: `apt-get install libgomp1`',
  'libssl.so.3': 'Alpine: `apk add libssl3`; Debian: `apt-get install libssl3`',
  'libcrypto.so.3': 'Alpine: `apk add libcrypto3`; Debian: `apt-get install libssl3`',
  'libz.so.1': 'Alpine: `apk add zlib`; Debian: `apt-get install zlib1g`',
};

/** Who looks for a binary, as the BINARY_MISSING message names it. */
const LOADER_WORDS: Record<LoadEvidenceBase['resolvedBy'], string> = {
  'node-gyp-build': 'node-gyp-build',
  bindings: 'bindings',
  'node-pre-gyp': "node-pre-gyp's module_path",
  'pkg-prebuilds': 'pkg-prebuilds',
  'platform-package': 'its platform packages',
  'shipped-binary': 'its main',
  'build-output': 'its source build',
  'entry-point': 'its entry point',
  stray: 'nothing',
};

/** A short account of why a binary did not load, for findings that mention it in passing. */
export function describeFailure(c: LoadClassification, node: string): string {
  switch (c.code) {
    case 'ABI_MISMATCH':
      return `built for NODE_MODULE_VERSION ${c.binaryAbi ?? '?'}, Node ${node} requires ${c.targetAbi}`;
    case 'LIBC_MISMATCH':
      return `linked against ${c.binaryLibc ?? 'another libc'}${c.library ? ` (needs ${c.library})` : ''}, this system uses ${c.targetLibc ?? 'another libc'}`;
    case 'SHARED_LIBRARY_MISSING':
      return `needs ${c.library ?? 'a shared library'}, which is not installed`;
    case 'GLIBC_TOO_OLD':
      return `needs ${c.symbolVersion}${c.library ? ` from ${c.library}` : ''}${c.available ? `, this system has glibc ${c.available}` : ''}`;
    case 'ARCH_MISMATCH':
      return `built for ${c.binaryArches.length ? list(c.binaryArches) : 'another architecture'}, this Node is ${c.targetArch}`;
    case 'PLATFORM_MISMATCH':
      return `a ${c.binaryPlatform} binary, this system is ${c.targetPlatform}`;
    case 'INVALID_BINARY':
      return `not a loadable binary (${invalidBinaryWords(c)})`;
    case 'NAPI_VERSION_TOO_HIGH':
      return `needs Node-API ${c.declared ?? 'newer'}${c.symbol ? ` (calls ${c.symbol})` : ''}, Node ${node} supports ${c.available ?? '?'}`;
    case 'BINARY_MISSING':
      return 'no binary where the package looks for it';
    case 'LOAD_CRASHED':
      return c.signal
        ? `loading it killed the process (${c.signal})`
        : `loading it ended the process with exit status ${c.exitCode ?? '?'}${c.exitCalled ? ' (process.exit())' : ''}`;
    case 'LOAD_TIMEOUT':
      return `loading it did not finish within ${c.timeoutMs} ms`;
    case 'LOAD_FAILED':
      return c.symbol ? `undefined symbol ${c.symbol}` : 'loading it threw';
    case 'LOAD_PROTOCOL_VIOLATION':
      return `loading it wrote ${VIOLATION_WORDS[c.reason]} on native-guard's result channel`;
  }
}

/** What an addon wrote on the loader's result channel, by the reason the parent rejected it. */
const VIOLATION_WORDS: Record<
  Extract<LoadClassification, { code: 'LOAD_PROTOCOL_VIOLATION' }>['reason'],
  string
> = {
  forged: 'a result the loader did not write',
  garbled: 'a line that is no loader message',
  'out-of-order': 'a result out of turn',
  'too-long': 'more than any loader message holds',
};

/** Package-made text as one inert quoted line: JSON escapes, and the C1 and line-separator characters too. */
const quoted = (text: string) =>
  JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

export function describeLoad(f: LoadFinding): Words {
  const pkg = f.package ?? f.location ?? '';
  const name = nameOf(f.package) || 'the package';
  const e = f.evidence;
  const file = e.file ?? 'its binary';
  const said = firstLine(e.message);
  switch (f.code) {
    case 'ABI_MISMATCH':
      return {
        message: `${pkg}: ${file} is built for NODE_MODULE_VERSION ${f.evidence.binaryAbi ?? '?'}, Node ${e.node} requires ${f.evidence.targetAbi}`,
        fix: `${rebuild(name, e)} with Node ${e.node} (after a Node upgrade, and inside the image rather than copying node_modules)${nestedNote(e)}`,
      };
    case 'LIBC_MISMATCH':
      return {
        message: `${pkg}: ${file} is ${describeFailure({ code: 'LIBC_MISMATCH', ...f.evidence }, e.node)}`,
        fix: `install inside the image (\`npm ci\` there) so npm picks or builds the ${f.evidence.targetLibc ?? 'matching'} binary, or use a version of ${name} that ships a ${f.evidence.targetLibc ?? 'matching'} prebuild${nestedNote(e)}`,
      };
    case 'SHARED_LIBRARY_MISSING': {
      const lib = f.evidence.library;
      const how = lib ? LIBRARY_PACKAGES[lib] : undefined;
      return {
        message: `${pkg}: ${file} needs ${lib ?? 'a shared library'}, which this system does not have${said && !lib ? ` (${said})` : ''}`,
        fix: how
          ? `install it (${how})`
          : `install the system package that provides ${lib ?? 'it'}, or reinstall ${name} (\`npm install\` with optional dependencies) if the package ships its own copy`,
      };
    }
    case 'GLIBC_TOO_OLD':
      return {
        message: `${pkg}: ${file} needs ${f.evidence.symbolVersion}${f.evidence.library ? ` from ${f.evidence.library}` : ''}, which this system lacks${f.evidence.available ? ` (glibc ${f.evidence.available})` : ''}`,
        fix: `${rebuild(name, e)} on this system, or use a newer base image (bookworm: glibc 2.36, trixie: 2.41) or a version of ${name} built against an older glibc`,
      };
    case 'ARCH_MISMATCH':
      return {
        message: `${pkg}: ${file} is ${describeFailure({ code: 'ARCH_MISMATCH', ...f.evidence }, e.node)}`,
        fix: `${rebuild(name, e)} on this machine (build images for the platform they run on; never copy node_modules across architectures)${nestedNote(e)}`,
      };
    case 'PLATFORM_MISMATCH':
      return {
        message: `${pkg}: ${file} is a ${f.evidence.binaryPlatform} binary, this system is ${f.evidence.targetPlatform}`,
        fix: `reinstall here (\`npm ci\`${e.project ? ` --prefix ${e.project}` : ''}); keep node_modules out of the build context (\`**/node_modules\` in .dockerignore)`,
      };
    case 'NAPI_VERSION_TOO_HIGH':
      return {
        message: `${pkg}: ${file} ${describeFailure({ code: 'NAPI_VERSION_TOO_HIGH', ...f.evidence }, e.node)}`,
        fix: `use a newer Node, or pin a version of ${name} that targets Node-API ${f.evidence.available ?? 'this level'}`,
      };
    case 'INVALID_BINARY':
      return {
        message: `${pkg}: ${file} is not a loadable binary (${invalidBinaryWords(f.evidence)})`,
        fix: `reinstall ${name} (\`rm -rf\` its folder, then \`npm install\`); if the published file is broken, pin another version`,
      };
    case 'BINARY_MISSING': {
      const tried = f.evidence.tried;
      const where = said
        ? `: ${said}`
        : tried.length
          ? ` (tried ${list(tried.slice(0, 3))}${tried.length > 3 ? `, and ${tried.length - 3} more` : ''})`
          : '';
      const shipped = f.evidence.prebuilds;
      return {
        message: `${pkg}: ${e.resolvedBy === 'build-output' ? 'no binary in build/Release, where its source build puts it' : `no binary where ${LOADER_WORDS[e.resolvedBy]} looks for it`}${f.evidence.lazy ? ' (the package loads it on first use, which will throw)' : ''}${where}${shipped.length ? `; this version ships prebuilds only for ${list(shipped)}` : ''}`,
        fix: shipped.length
          ? `use a version of ${name} that ships a prebuild for this platform, or compile it: ${rebuild(name, e)} with python3, make and g++ present${nestedNote(e)}`
          : `${rebuild(name, e)} runs its install script, which downloads or compiles the binary (was the install run with --ignore-scripts?); if no prebuild exists for Node ${e.node} on this platform, the build needs python3, make and g++${nestedNote(e)}`,
      };
    }
    case 'LOAD_CRASHED':
      return {
        message: `${pkg}: ${describeFailure({ code: 'LOAD_CRASHED', ...f.evidence }, e.node).replace('loading it', `loading ${file}`)}${said ? `: ${said}` : ''}`,
        fix: `${rebuild(name, e)} with Node ${e.node}; if it still crashes, report it to the package with this Node version and the message above`,
      };
    case 'LOAD_TIMEOUT':
      return {
        message: `${pkg}: loading ${file} did not finish within ${f.evidence.timeoutMs} ms`,
        fix: 'find what its initialisation waits for (network, a lock, a device); if it is only slow, raise the limit with --timeout <ms>',
      };
    case 'LOAD_FAILED':
      return f.evidence.entryPoint
        ? {
            message: `${pkg}: its entry point could not be loaded, for a reason other than a binary: ${said}`,
            fix: 'nothing native to fix here; check what the package needs to load (configuration, peer dependencies)',
          }
        : {
            message: `${pkg}: loading ${file} threw${e.errorCode ? ` ${e.errorCode}` : ''}: ${said}${f.evidence.symbol ? ` (undefined symbol ${f.evidence.symbol})` : ''}`,
            fix: `${rebuild(name, e)} with Node ${e.node}; if the error persists it is the addon's own: see the package's documentation`,
          };
    case 'LOAD_PROTOCOL_VIOLATION':
      return {
        message: `${pkg}: loading ${file} wrote ${VIOLATION_WORDS[f.evidence.reason]} on native-guard's result channel (file descriptor 3), starting ${quoted(f.evidence.excerpt.slice(0, 60))}; whether it loads is unknown`,
        fix: `an addon has no business writing on a descriptor it did not open: find out why ${name} does (report it to the package), and do not load it where you keep secrets until you know`,
      };
    case 'NO_BINARY_BY_DESIGN':
      return {
        message: `${pkg}: no binary, and its entry point loads without one: its ${f.evidence.event} script \`${f.evidence.script}\` lets the install finish with none on this platform`,
        fix: `nothing to do: ${name} runs without its native code here; if you expected it, \`npm rebuild ${name}\` with python3, make and g++ present shows why its build made none`,
      };
    case 'JS_FALLBACK_IN_USE':
      return {
        message: `${pkg}: ${e.file ? `${e.file} ${describeFailure(f.evidence.failure, e.node)}` : 'no binary'}, so the package runs its JavaScript fallback: it works, more slowly`,
        fix: `${rebuild(name, e)} with Node ${e.node} to get the native code back${nestedNote(e)}`,
      };
    case 'STRAY_BINARY': {
      const why = f.evidence.failure ? `: ${describeFailure(f.evidence.failure, e.node)}` : '';
      return {
        message: `${file} is loaded by no package${f.evidence.loaded ? `, and its facts do not fit Node ${e.node}` : `, and does not load with Node ${e.node}`}${why}`,
        fix: e.project
          ? `keep it out of images: add \`**/node_modules\` (or \`**/*.node\`) to .dockerignore; or rebuild that project with \`npm rebuild --prefix ${e.project}\``
          : f.location === '.'
            ? `remove it if nothing uses it (\`rm ${file}\`); add \`**/*.node\` to .dockerignore if it is a local build output`
            : `remove it if nothing uses it (\`rm ${file}\`), or ${rebuild(name, e)} to replace it`,
      };
    }
    default:
      return { message: `${pkg}: ${said}`, fix: '' };
  }
}
