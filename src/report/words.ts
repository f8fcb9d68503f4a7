// Words shared by the finding messages: names, lists, evidence and binary-facts mismatches.
import { invalidBinaryWords } from './binary-words.js';
import { downloadProblemSentence } from './download-words.js';
import type { Evidence, InstallScriptVerdict, Mismatch } from '../model/prediction.js';

export interface Words {
  message: string;
  /** What to do about it; empty when nothing needs doing. */
  fix: string;
}

export const nameOf = (id: string | undefined): string => {
  if (!id) return '';
  const at = id.lastIndexOf('@');
  return at > 0 ? id.slice(0, at) : id;
};

export const list = (xs: string[]) => xs.join(', ');

export function describeEvidence(e: Evidence): string {
  switch (e.kind) {
    case 'install-script':
      return `${e.event} script: ${e.script}`;
    case 'binding-gyp':
      return 'has binding.gyp';
    case 'prebuild-match':
      return `matched prebuild ${e.file}`;
    case 'pkg-prebuilds-lookup':
      switch (e.problem) {
        case 'options-missing':
          return e.options
            ? `pkg-prebuilds-verify cannot load ${e.options} (not in the package), so it exits 1`
            : 'pkg-prebuilds-verify is given no options file, so it exits 1';
        case 'build-from-source':
          return 'npm_config_build_from_source is set: pkg-prebuilds-verify exits 1 without looking';
        case 'not-node-api':
          return `${e.options} has no napi_versions: pkg-prebuilds looks only for Node-API builds and throws`;
        case 'options-unread':
          return `${e.options} is code, not a literal: the prebuild name it gives is not read`;
        case null:
          return `pkg-prebuilds (name ${e.name ?? '?'} from ${e.options}) looks for ${list(e.tried)}`;
      }
      break;
    case 'prebuilds-none-for-target':
      return e.available.length ? `prebuilds only for ${list(e.available)}` : 'no prebuilds/ folder';
    case 'prebuild-tags-rejected':
      return `${e.dir} has ${e.files.length ? list(e.files) : 'no .node files'}, none tagged for this target`;
    case 'prebuild-rejected':
      return `node-gyp-build's install-time load test rejects ${e.file} (${list(e.reasons)}), so the install compiles`;
    case 'build-dir-ignored':
      return `${e.file} exists from an earlier build; a fresh install starts without it`;
    case 'download':
      return e.url
        ? `${e.tool} would download ${e.url}${e.cached ? ` (in npm's cache: ${e.cached})` : ''}${e.local ? ` (local prebuild: ${e.local})` : ''}`
        : `${e.tool} cannot compute a download URL${e.problem ? `: ${downloadProblemSentence(e.problem)}` : ''}`;
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
    case 'script-download':
      return `${e.file} downloads${e.hosts.length ? ` from ${list(e.hosts)}` : ''}`;
    case 'tolerated-failure':
      return `a failure ends in \`${e.tail}\`, which exits 0`;
    case 'optional-dependency':
      return 'an optional dependency: npm removes it when its install fails';
    case 'addon-lookup':
      return `${e.loader} looks for ${e.tried.join(', ')}`;
    case 'cmake-ts-manifest':
      if (e.libc === null) return `${e.file} cannot be read`;
      if (!e.candidates.length)
        return `${e.file} lists no build for this target's os, arch and libc (${e.libc})`;
      return e.rejected.length
        ? `${e.file}: ${e.rejected.map((r) => `${r.file} (${r.reason})`).join(', ')} would not load here`
        : `${e.file} lists ${e.candidates.length} build${e.candidates.length === 1 ? '' : 's'} for this target, tried highest ABI first`;
    case 'binary-facts':
      return `${e.file}: ${e.format ?? 'unknown format'} ${list(e.arches)} ${e.libc ?? ''} ${e.module}${e.abi ? ` abi ${e.abi}` : ''}`.trim();
    case 'opt-in-script':
      return `install script only builds when asked (${e.script})`;
    case 'platform-package-not-in-lockfile':
      return `${e.name}@${e.version ?? '?'} (${constraintWords(e)}) is the platform package for this target, and the lockfile has no entry for it`;
    case 'manifest-unavailable':
      return `${e.name}${e.version ? `@${e.version}` : ''}: manifest/tarball not available (${e.code})`;
    case 'lockfile-refused':
      return `npm ci refuses the lockfile: it has no entry for ${list(e.missing)}`;
    case 'platform-package-name-hint':
      return `${e.name} is named like this target's platform package (its manifest could not be checked)`;
    case 'url-check':
      return `--online: ${e.method} ${e.url} → ${e.status}${e.httpStatus !== null ? ` (HTTP ${e.httpStatus})` : ''}${e.finalUrl && e.finalUrl !== e.url ? ` via ${e.finalUrl}` : ''}${e.error ? `: ${e.error}` : ''}`;
    case 'install-script-policy':
      return `${e.tool} install-script policy: ${VERDICT_WORDS[e.verdict]}; the binary ${e.needed === 'yes' ? 'needs' : e.needed === 'no' ? 'does not need' : 'may need'} the script`;
  }
}

export const constraintWords = (c: { os?: string[]; cpu?: string[]; libc?: string[] }): string =>
  [c.os, c.cpu, c.libc]
    .filter((x): x is string[] => !!x)
    .map((x) => x.join('|'))
    .join(' ') || 'no os/cpu/libc';

export const VERDICT_WORDS: Record<InstallScriptVerdict, string> = {
  allowed: 'allowed',
  denied: 'denied',
  ignored: 'all scripts ignored (ignore-scripts)',
  'not-allowed': 'not on the allowlist, so it does not run',
  unreviewed: 'not reviewed (it runs, with a warning)',
  'unreviewed-strict': 'not reviewed, and --strict-allow-scripts fails the install',
};

/** One binary-facts mismatch in words, against the target named `where`. */
export function describeMismatch(m: Mismatch, where: string): string {
  switch (m.code) {
    case 'ABI_MISMATCH':
      return `is built for NODE_MODULE_VERSION ${m.binaryAbi}; ${where} needs ${m.targetAbi}`;
    case 'LIBC_MISMATCH':
      return `is linked against ${m.binaryLibc}; ${where} uses ${m.targetLibc}${libcGaps(m)}`;
    case 'ARCH_MISMATCH':
      return `is built for ${list(m.binaryArches)}; ${where} is ${m.targetArch}`;
    case 'PLATFORM_MISMATCH':
      return `is a ${m.binaryPlatform} binary; ${where} is ${m.targetPlatform}`;
    case 'GLIBC_TOO_OLD':
      return `needs GLIBC_${m.needed}; ${where} has glibc ${m.available}`;
    case 'SHARED_LIBRARY_MISSING':
      return `needs ${list(m.libraries)}, which ${where} does not have`;
    case 'GLIBCXX_TOO_OLD':
      return `needs GLIBCXX_${m.needed}; ${where}'s libstdc++ stops at GLIBCXX_${m.available}`;
    case 'NAPI_VERSION_TOO_HIGH':
      return `declares Node-API ${m.declared}; ${where} supports ${m.available}`;
    case 'INVALID_BINARY':
      return `is not a loadable binary (${invalidBinaryWords(m)})`;
  }
}

/** What the target's libc lacks: the libraries, then the symbols (the first few, and how many in all). */
export function libcGaps(e: {
  targetLibc: string | null;
  missingLibraries?: string[];
  missingSymbols?: string[];
  missingSymbolCount?: number;
}): string {
  const parts: string[] = [];
  const libs = e.missingLibraries ?? [];
  const syms = e.missingSymbols ?? [];
  const count = e.missingSymbolCount ?? syms.length;
  if (libs.length > 0) parts.push(`needs ${list(libs)}, which ${e.targetLibc ?? 'the target'} does not have`);
  if (syms.length > 0) {
    const more = count > syms.length ? ` and ${count - syms.length} more` : '';
    parts.push(`imports ${list(syms)}${more}, which ${e.targetLibc ?? 'the target'} does not export`);
  }
  return parts.length > 0 ? `: it ${parts.join(' and ')}` : '';
}
