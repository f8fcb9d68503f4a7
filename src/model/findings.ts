import type { FindingEvidence } from './finding-evidence.js';

export type {
  BaseImageProblem,
  DockerfileProblemReason,
  DockerInstructionEvidence,
  IgnorePatternProblem,
  LoadEvidence,
  LoadEvidenceBase,
  NodeModulesLeakEvidence,
  TreeProblemEvidence,
} from './evidence.js';

export type { FindingEvidence } from './finding-evidence.js';

export type Severity = 'error' | 'warning' | 'info';

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
  PKG_PREBUILDS_OPTIONS_UNREAD: {
    title: "pkg-prebuilds' options file is code native-guard does not run",
    severity: 'warning',
  },
  INSTALLED_WITHOUT_BINARY: {
    title: 'Installs without its binary: works only if its JavaScript falls back',
    severity: 'warning',
  },
  PLATFORM_PACKAGE_MISSING: { title: 'Platform package missing from the installed tree', severity: 'error' },
  PLATFORM_PACKAGES_UNRESOLVED: {
    title: 'Platform packages not in the tree or lockfile',
    severity: 'warning',
  },
  PLATFORM_PACKAGE_NOT_READ: {
    title: 'Platform package for the target is only in the lockfile; its files were not read',
    severity: 'info',
  },
  NODE_HEADERS_UNAVAILABLE: {
    title: 'Node headers would be downloaded for a source build',
    severity: 'warning',
  },
  BUILD_LIBRARY_MISSING: {
    title: 'The source build links a system library this machine lacks',
    severity: 'error',
  },
  BUILD_PKG_CONFIG_MISSING: {
    title: 'The source build asks pkg-config for a library this machine has no .pc file of',
    severity: 'error',
  },
  BUILD_CXX_STANDARD_TOO_OLD: {
    title: "The build's C++ standard is older than the target Node's headers need",
    severity: 'error',
  },
  PYTHON_DISTUTILS_MISSING: { title: 'Python 3.12+ with a node-gyp that needs distutils', severity: 'error' },
  SHARED_LIBRARY_UNCHECKED: {
    title: 'The binary needs a shared library the target may not have',
    severity: 'warning',
  },
  ENGINES_EXCLUDE_NODE: {
    title: "The package's engines.node leaves out the target's Node: its build is not promised",
    severity: 'warning',
  },
  NODE_GYP_NOT_FOUND: { title: 'Yarn finds no node-gyp to run the source build', severity: 'error' },
  NODE_GYP_UNSUPPORTED_NODE: {
    title: "The node-gyp the package manager runs needs a newer Node than the target's",
    severity: 'error',
  },
  LIBC_MISMATCH: { title: 'Binary linked against the other libc', severity: 'error' },
  ARCH_MISMATCH: { title: 'Binary built for another CPU architecture', severity: 'error' },
  PLATFORM_MISMATCH: { title: 'Binary built for another operating system', severity: 'error' },
  GLIBC_TOO_OLD: { title: "Binary needs a newer glibc than the target's", severity: 'error' },
  GLIBCXX_TOO_OLD: { title: "Binary needs a newer libstdc++ than the target's", severity: 'error' },
  NAPI_VERSION_TOO_HIGH: { title: 'Binary needs a newer Node-API than the target has', severity: 'error' },
  ABI_MISMATCH: { title: 'Binary built for another Node ABI', severity: 'error' },
  INVALID_BINARY: { title: 'Not a loadable binary (empty, truncated or corrupt)', severity: 'error' },
  PACKAGE_JSON_INVALID: { title: 'Unreadable package.json', severity: 'warning' },
  LINK_BROKEN: { title: 'Broken symbolic link in node_modules', severity: 'warning' },
  FOLDER_UNREADABLE: { title: 'Folder native-guard could not read', severity: 'warning' },
  LOCKFILE_INVALID: { title: 'Unreadable lockfile', severity: 'warning' },
  LAYOUT_UNREADABLE: {
    title: 'An installed layout native-guard cannot read (its packages are not checked)',
    severity: 'warning',
  },
  PACKAGE_NAME_CASE_CONFLICT: {
    title: 'Two package folders whose names differ only in case',
    severity: 'warning',
  },
  DOCKERIGNORE_MISSES_NESTED_NODE_MODULES: {
    title: 'A nested node_modules from the build context is copied into the image',
    severity: 'warning',
  },
  DOCKERIGNORE_MISSES_NODE_MODULES: {
    title: "The host's node_modules is copied into the image",
    severity: 'warning',
  },
  STRAY_BINARY_IN_CONTEXT: {
    title: 'A .node file from the build context that cannot load in the image',
    severity: 'error',
  },
  DOCKER_BASE_IMAGE_UNKNOWN: { title: 'Base image is not one native-guard knows', severity: 'warning' },
  DOCKER_STAGE_MISMATCH: {
    title: 'node_modules built in one stage cannot load in the final stage',
    severity: 'error',
  },
  DOCKERFILE_PROBLEM: {
    title: 'Dockerfile or .dockerignore native-guard cannot fully read',
    severity: 'warning',
  },
  DOCKER_CONTEXT_INCOMPLETE: { title: 'Build context only partly read', severity: 'info' },
  SHARED_LIBRARY_MISSING: { title: 'A shared library the binary needs is not installed', severity: 'error' },
  BINARY_MISSING: { title: 'No binary where the package looks for it', severity: 'error' },
  LOAD_CRASHED: { title: 'Loading the binary ended the process', severity: 'error' },
  LOAD_TIMEOUT: { title: 'Loading the binary did not finish in time', severity: 'error' },
  LOAD_FAILED: { title: 'Loading the binary threw an error', severity: 'error' },
  LOAD_PROTOCOL_VIOLATION: {
    title: "Loading the binary wrote on native-guard's result channel",
    severity: 'error',
  },
  NO_BUILD_ON_PLATFORM: {
    title: 'Builds nothing on this platform, by design',
    severity: 'info',
  },
  NO_BINARY_BY_DESIGN: {
    title: 'No binary, and the package works without one here',
    severity: 'info',
  },
  JS_FALLBACK_IN_USE: {
    title: 'Binary failed; the package runs its slower JavaScript fallback',
    severity: 'warning',
  },
  STRAY_BINARY: { title: 'A .node file no package loads, and it would not load here', severity: 'warning' },
  MANIFEST_UNAVAILABLE: { title: 'Package manifest or tarball could not be fetched', severity: 'warning' },
  PLATFORM_PACKAGE_NOT_IN_LOCKFILE: {
    title: 'Platform package the target needs is not in the lockfile',
    severity: 'error',
  },
  LOCKFILE_ENTRIES_MISSING: {
    title: 'The lockfile lacks entries its packages depend on: npm ci refuses it',
    severity: 'error',
  },
  LOCKFILE_LIBC_MISSING: {
    title: 'Lockfile entry lost the libc field of a platform package',
    severity: 'warning',
  },
  INSTALL_SCRIPT_DENIED: { title: 'Needed install script is denied or not allowed', severity: 'error' },
  INSTALL_SCRIPT_NOT_NEEDED: { title: 'Install script not needed for any target', severity: 'info' },
  INSTALL_FAILS_IGNORED_BUILD: { title: 'Unapproved build fails the whole install', severity: 'error' },
  NPM_SHRINKWRAP_IGNORED: { title: 'npm 12 ignores npm-shrinkwrap.json', severity: 'error' },
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
