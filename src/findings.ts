import type { Evidence, InstallScriptVerdict, Mismatch, StrategyName } from './strategies/types.js';

export type Severity = 'error' | 'warning' | 'info';

/** Binary-facts mismatches share one evidence shape: the file and the numbers that disagree. */
type MismatchEvidence<C extends Mismatch['code']> = Omit<Extract<Mismatch, { code: C }>, 'code'> & {
  file: string;
  /** The link whose binary it is, and whether the install would fall back to something else. */
  strategy: StrategyName;
  fallback: 'source-build' | 'none';
};

/** The evidence each finding code carries. Data only: the renderers put it into words. */
export interface FindingEvidence {
  NO_PREBUILD_FOR_TARGET: { strategies: StrategyName[]; details: Evidence[] };
  TOOLCHAIN_MISSING: {
    missing: Array<'python' | 'make' | 'cxx'>;
    /** False when the build is only the fallback of a download that could not be checked offline. */
    certain: boolean;
    details: Evidence[];
  };
  SOURCE_BUILD_REQUIRED: { builder: string; toolchainKnown: boolean; details: Evidence[] };
  PREBUILD_DOWNLOAD_UNVERIFIED: {
    tool: 'prebuild-install' | 'node-pre-gyp';
    url: string | null;
    fallback: 'source-build' | 'fails' | 'none';
  };
  INSTALL_SCRIPT_UNKNOWN: { event: string; script: string };
  PLATFORM_PACKAGE_MISSING: { name: string; location: string | null };
  PLATFORM_PACKAGES_UNRESOLVED: { names: string[] };
  NODE_HEADERS_UNAVAILABLE: { nodeVersion: string; besideNode: string | null };
  PYTHON_DISTUTILS_MISSING: { python: string | null; pythonVersion: string | null; nodeGyp: string | null };
  LIBC_MISMATCH: MismatchEvidence<'LIBC_MISMATCH'>;
  ARCH_MISMATCH: MismatchEvidence<'ARCH_MISMATCH'>;
  PLATFORM_MISMATCH: MismatchEvidence<'PLATFORM_MISMATCH'>;
  GLIBC_TOO_OLD: MismatchEvidence<'GLIBC_TOO_OLD'>;
  NAPI_VERSION_TOO_HIGH: MismatchEvidence<'NAPI_VERSION_TOO_HIGH'>;
  ABI_MISMATCH: MismatchEvidence<'ABI_MISMATCH'>;
  INVALID_BINARY: MismatchEvidence<'INVALID_BINARY'>;
  PACKAGE_JSON_INVALID: { path: string; errorCode: string | null; detail: string };
  LINK_BROKEN: { path: string; errorCode: string | null; detail: string };
  FOLDER_UNREADABLE: { path: string; errorCode: string | null; detail: string };
  LOCKFILE_INVALID: { path: string; errorCode: string | null; detail: string };
  MANIFEST_UNAVAILABLE: {
    name: string;
    version: string | null;
    /** npm's error code (`ENOTCACHED` offline with a cold cache, `E404`, `ECONNREFUSED`…). */
    code: string;
    detail: string;
    offline: boolean;
    /** A package of its own, a platform package some target needs, or one the lockfile lacks. */
    role: 'package' | 'platform-package' | 'unlocked-platform-package';
  };
  PLATFORM_PACKAGE_NOT_IN_LOCKFILE: {
    name: string;
    version: string | null;
    os?: string[];
    cpu?: string[];
    libc?: string[];
    /** The parent's lockfile entry still lists it, so `npm ci` refuses the lockfile everywhere. */
    listedInLockfile: boolean;
  };
  LOCKFILE_LIBC_MISSING: {
    name: string;
    version: string | null;
    os?: string[];
    cpu?: string[];
    /** The libc the package's own manifest declares, which its lockfile entry lost. */
    libc: string[];
  };
  INSTALL_SCRIPT_DENIED: {
    tool: 'npm' | 'pnpm';
    verdict: InstallScriptVerdict;
    /** `unknown`: an install script native-guard cannot read, treated as needed. */
    needed: 'yes' | 'unknown';
    /** The targets whose binary needs the script. */
    targets: string[];
    strategy: StrategyName | null;
    scripts: string[];
    /** Where the policy came from (`package.json`, `.npmrc`, `pnpm-workspace.yaml`…), null for defaults. */
    policySource: string | null;
  };
  INSTALL_SCRIPT_NOT_NEEDED: {
    tool: 'npm' | 'pnpm';
    verdict: InstallScriptVerdict;
    targets: string[];
    strategies: StrategyName[];
    scripts: string[];
    policySource: string | null;
  };
  DOWNLOAD_HOST_UNREACHABLE: {
    tool: 'prebuild-install' | 'node-pre-gyp';
    url: string;
    status: 'unreachable' | 'timeout' | 'error';
    error: string | null;
  };
}

export type FindingCode = keyof FindingEvidence;

export type Finding = {
  [C in FindingCode]: {
    code: C;
    severity: Severity;
    /** `name@version` of the package the finding is about. */
    package?: string;
    /** Folder relative to the project root. */
    location?: string;
    /** Target id as the user wrote it. */
    target?: string;
    evidence: FindingEvidence[C];
  };
}[FindingCode];

export interface FindingMeta {
  title: string;
  severity: Severity;
}

/** Every code, its default severity and a short title. A new code can't be half-added: this is exhaustive. */
export const FINDINGS: Record<FindingCode, FindingMeta> = {
  NO_PREBUILD_FOR_TARGET: { title: 'No prebuilt binary for this target', severity: 'error' },
  TOOLCHAIN_MISSING: { title: 'Source build needs a compiler toolchain the target lacks', severity: 'error' },
  SOURCE_BUILD_REQUIRED: { title: 'Installs by compiling from source', severity: 'warning' },
  PREBUILD_DOWNLOAD_UNVERIFIED: { title: 'Prebuilt download not checked (offline)', severity: 'info' },
  INSTALL_SCRIPT_UNKNOWN: { title: 'Install script native-guard cannot read', severity: 'warning' },
  PLATFORM_PACKAGE_MISSING: { title: 'Platform package missing from the installed tree', severity: 'error' },
  PLATFORM_PACKAGES_UNRESOLVED: {
    title: 'Platform packages not in the tree or lockfile',
    severity: 'warning',
  },
  NODE_HEADERS_UNAVAILABLE: {
    title: 'Node headers would be downloaded for a source build',
    severity: 'warning',
  },
  PYTHON_DISTUTILS_MISSING: { title: 'Python 3.12+ with a node-gyp that needs distutils', severity: 'error' },
  LIBC_MISMATCH: { title: 'Binary linked against the other libc', severity: 'error' },
  ARCH_MISMATCH: { title: 'Binary built for another CPU architecture', severity: 'error' },
  PLATFORM_MISMATCH: { title: 'Binary built for another operating system', severity: 'error' },
  GLIBC_TOO_OLD: { title: "Binary needs a newer glibc than the target's", severity: 'error' },
  NAPI_VERSION_TOO_HIGH: { title: 'Binary needs a newer Node-API than the target has', severity: 'error' },
  ABI_MISMATCH: { title: 'Binary built for another Node ABI', severity: 'error' },
  INVALID_BINARY: { title: 'Not a loadable binary (empty, truncated or corrupt)', severity: 'error' },
  PACKAGE_JSON_INVALID: { title: 'Unreadable package.json', severity: 'warning' },
  LINK_BROKEN: { title: 'Broken symbolic link in node_modules', severity: 'warning' },
  FOLDER_UNREADABLE: { title: 'Folder native-guard could not read', severity: 'warning' },
  LOCKFILE_INVALID: { title: 'Unreadable lockfile', severity: 'warning' },
  MANIFEST_UNAVAILABLE: { title: 'Package manifest or tarball could not be fetched', severity: 'warning' },
  PLATFORM_PACKAGE_NOT_IN_LOCKFILE: {
    title: 'Platform package the target needs is not in the lockfile',
    severity: 'error',
  },
  LOCKFILE_LIBC_MISSING: {
    title: 'Lockfile entry lost the libc field of a platform package',
    severity: 'warning',
  },
  INSTALL_SCRIPT_DENIED: { title: 'Needed install script is denied or not allowed', severity: 'error' },
  INSTALL_SCRIPT_NOT_NEEDED: { title: 'Install script not needed for any target', severity: 'info' },
  DOWNLOAD_HOST_UNREACHABLE: { title: 'Prebuilt download host could not be reached', severity: 'warning' },
};

export const findingDocsAnchor = (code: FindingCode): string => `docs/findings.md#${code.toLowerCase()}`;

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Stable order so that output and snapshots do not depend on walk order. */
export function sortFindings<F extends Finding>(findings: F[]): F[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (a.location ?? '').localeCompare(b.location ?? '') ||
      a.code.localeCompare(b.code) ||
      (a.target ?? '').localeCompare(b.target ?? ''),
  );
}

export function makeFinding<C extends FindingCode>(
  code: C,
  fields: { package?: string; location?: string; target?: string; severity?: Severity },
  evidence: FindingEvidence[C],
): Extract<Finding, { code: C }> {
  const f = { code, severity: fields.severity ?? FINDINGS[code].severity, evidence } as Extract<
    Finding,
    { code: C }
  >;
  if (fields.package !== undefined) f.package = fields.package;
  if (fields.location !== undefined) f.location = fields.location;
  if (fields.target !== undefined) f.target = fields.target;
  return f;
}
