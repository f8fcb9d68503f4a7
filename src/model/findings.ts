import type { FactsMismatch } from './binary.js';
import type { LoadClassification } from './load.js';
import type { TarballProblem } from './package.js';
import type {
  DownloadTool,
  Evidence,
  InstallScriptVerdict,
  Mismatch,
  Outcome,
  PlatformPackageNotInLockfile,
  ScriptTool,
  StrategyName,
} from './prediction.js';

import type {
  BaseImageProblem,
  DockerfileProblemReason,
  DockerInstructionEvidence,
  LoadEvidence,
  LoadEvidenceBase,
  MismatchEvidence,
  NodeModulesLeakEvidence,
  TreeProblemEvidence,
} from './evidence.js';

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

export type Severity = 'error' | 'warning' | 'info';

export interface FindingEvidence {
  NO_PREBUILD_FOR_TARGET: { strategies: StrategyName[]; details: Evidence[] };
  TOOLCHAIN_MISSING: {
    missing: Array<'python' | 'make' | 'cxx'>;
    /** False when the build is only the fallback of a download that could not be checked offline. */
    certain: boolean;
    /** The failed build does not fail the install (a `|| exit 0` tail, an optional dependency): INSTALLED_WITHOUT_BINARY says what is left. */
    installGoesOn?: boolean;
    details: Evidence[];
  };
  SOURCE_BUILD_REQUIRED: { builder: string; toolchainKnown: boolean; details: Evidence[] };
  PREBUILD_DOWNLOAD_UNVERIFIED: {
    tool: DownloadTool;
    url: string | null;
    fallback: 'source-build' | 'fails' | 'none';
    /** tool `install-script`: the package's own file that downloads, and the hosts it names. */
    file?: string;
    hosts?: string[];
  };
  INSTALLED_WITHOUT_BINARY: {
    /** `script`: a tail such as `|| echo …` lets the failed step pass; `optional`: npm drops the package. */
    cause: 'script' | 'optional';
    tail: string | null;
    /** What failed before it: the build (no toolchain) or no binary for the target. */
    failed: 'build' | 'no-binary';
  };
  INSTALL_SCRIPT_UNKNOWN: { event: string; script: string };
  /** The install script's head (`node skip.js` of `node skip.js || node-gyp-build`) succeeds on this platform: nothing is built, by design. */
  NO_BUILD_ON_PLATFORM: { event: string; script: string; file: string; platform: string };
  PLATFORM_PACKAGE_MISSING: { name: string; location: string | null };
  PLATFORM_PACKAGES_UNRESOLVED: { names: string[] };
  PLATFORM_PACKAGE_NOT_READ: { name: string; version: string | null };
  NODE_HEADERS_UNAVAILABLE: { nodeVersion: string; besideNode: string | null };
  BUILD_LIBRARY_MISSING: {
    /** `-l<name>` names the Linux build links that this machine has neither `lib<name>.so` nor `.a` of. */
    libraries: string[];
    file: string;
  };
  PYTHON_DISTUTILS_MISSING: { python: string | null; pythonVersion: string | null; nodeGyp: string | null };
  LIBC_MISMATCH: MismatchEvidence<'LIBC_MISMATCH'> | LoadEvidence<'LIBC_MISMATCH'>;
  ARCH_MISMATCH: MismatchEvidence<'ARCH_MISMATCH'> | LoadEvidence<'ARCH_MISMATCH'>;
  PLATFORM_MISMATCH: MismatchEvidence<'PLATFORM_MISMATCH'> | LoadEvidence<'PLATFORM_MISMATCH'>;
  GLIBC_TOO_OLD: MismatchEvidence<'GLIBC_TOO_OLD'> | LoadEvidence<'GLIBC_TOO_OLD'>;
  GLIBCXX_TOO_OLD: MismatchEvidence<'GLIBCXX_TOO_OLD'>;
  NAPI_VERSION_TOO_HIGH: MismatchEvidence<'NAPI_VERSION_TOO_HIGH'> | LoadEvidence<'NAPI_VERSION_TOO_HIGH'>;
  ABI_MISMATCH: MismatchEvidence<'ABI_MISMATCH'> | LoadEvidence<'ABI_MISMATCH'>;
  INVALID_BINARY: MismatchEvidence<'INVALID_BINARY'> | LoadEvidence<'INVALID_BINARY'>;
  PACKAGE_JSON_INVALID: TreeProblemEvidence;
  LINK_BROKEN: TreeProblemEvidence;
  FOLDER_UNREADABLE: TreeProblemEvidence;
  LOCKFILE_INVALID: TreeProblemEvidence;
  PACKAGE_NAME_CASE_CONFLICT: TreeProblemEvidence;
  LAYOUT_UNREADABLE: TreeProblemEvidence;
  DOCKERIGNORE_MISSES_NESTED_NODE_MODULES: NodeModulesLeakEvidence;
  DOCKERIGNORE_MISSES_NODE_MODULES: NodeModulesLeakEvidence;
  STRAY_BINARY_IN_CONTEXT: {
    /** Context-relative `.node` file. */
    file: string;
    imagePath: string;
    via: DockerInstructionEvidence;
    dockerignore: string | null;
    /** Why it cannot load in the final image (binary facts against the image target). */
    mismatches: Mismatch[];
    /** The line to add to the ignore file. */
    add: string;
  };
  DOCKER_BASE_IMAGE_UNKNOWN: {
    dockerfile: string;
    stage: string;
    line: number;
    image: string;
    /** The stage is the image (`final`) or where node_modules are installed (`install`). */
    role: 'final' | 'install';
    /** A `--target` that would describe a Node image of this platform. */
    hint: string;
  } & BaseImageProblem;
  DOCKER_STAGE_MISMATCH: {
    dockerfile: string;
    /** The stage that runs `npm ci`, and its target id. */
    installStage: string;
    installTarget: string;
    /** The COPY --from that brings node_modules into the final stage. */
    via: DockerInstructionEvidence;
    binary: string | null;
    outcome: Outcome;
    mismatches: FactsMismatch[];
    /** node-gyp-build picks its prebuild again when the addon loads in the final image. */
    repickedAtLoad: boolean;
  };
  DOCKERFILE_PROBLEM: {
    /** The Dockerfile or ignore file, relative to the project. */
    file: string;
    line: number | null;
  } & DockerfileProblemReason;
  DOCKER_CONTEXT_INCOMPLETE: {
    context: string;
    /** Entry limit reached (the walk stopped), if so. */
    limit: number | null;
    unreadable: Array<{ path: string; code: string }>;
  };
  SHARED_LIBRARY_MISSING: LoadEvidence<'SHARED_LIBRARY_MISSING'> | MismatchEvidence<'SHARED_LIBRARY_MISSING'>;
  BINARY_MISSING: LoadEvidence<'BINARY_MISSING'> & {
    /** Paths (relative to the root) or platform packages the loader tries, in order. */
    tried: string[];
    /** node-gyp-build: the `prebuilds/<platform>-<arch>` folders this version ships (none fits). */
    prebuilds: string[];
    /** The entry point loads without the binary: the package loads it on first use. */
    lazy: boolean;
  };
  LOAD_CRASHED: LoadEvidence<'LOAD_CRASHED'>;
  LOAD_TIMEOUT: LoadEvidence<'LOAD_TIMEOUT'>;
  LOAD_FAILED: LoadEvidence<'LOAD_FAILED'> & {
    /** The failure came from requiring the package's entry point, with no binary involved. */
    entryPoint: boolean;
  };
  LOAD_PROTOCOL_VIOLATION: LoadEvidence<'LOAD_PROTOCOL_VIOLATION'>;
  NO_BINARY_BY_DESIGN: LoadEvidenceBase & {
    /** The install script that lets the install finish with no binary (`node-gyp rebuild || node suppress-error.js`). */
    event: 'preinstall' | 'install' | 'postinstall';
    script: string;
    /** Paths (relative to the root) the loader would look in. */
    tried: string[];
  };
  JS_FALLBACK_IN_USE: LoadEvidenceBase & {
    /** Why the binary did not load (BINARY_MISSING when there was none). */
    failure: LoadClassification;
  };
  STRAY_BINARY: LoadEvidenceBase & {
    /** Whether it loaded in isolation with the verifying Node. */
    loaded: boolean;
    /** Why it did not load, when it did not. */
    failure: LoadClassification | null;
    /** What its binary facts say against the verifying Node. */
    mismatches: FactsMismatch[];
  };
  MANIFEST_UNAVAILABLE: {
    name: string;
    version: string | null;
    /** npm's error code (`ENOTCACHED` offline with a cold cache, `E404`, `ECONNREFUSED`…). */
    code: string;
    /** npm's or the network's own error text ('' when `tarball` or `notRegistry` says what was wrong). */
    detail: string;
    /** The tarball was had but not read whole: what, as a code and its numbers. */
    tarball?: TarballProblem;
    /** `ENOTREGISTRY`: the package as the lockfile names it (`name@spec`). */
    notRegistry?: string;
    offline: boolean;
    /** A package of its own, a platform package some target needs, or one the lockfile lacks. */
    role: 'package' | 'platform-package' | 'unlocked-platform-package';
  };
  PLATFORM_PACKAGE_NOT_IN_LOCKFILE: PlatformPackageNotInLockfile;
  LOCKFILE_ENTRIES_MISSING: {
    /** Dependencies of this package that the lockfile has no entry for, as its entry names them. */
    missing: Array<{ name: string; spec: string; type: 'prod' | 'optional' | 'dev' }>;
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
    tool: ScriptTool;
    verdict: InstallScriptVerdict;
    /** `unknown`: an install script native-guard cannot read, treated as needed. */
    needed: 'yes' | 'unknown';
    /** The targets whose binary needs the script. */
    targets: string[];
    strategy: StrategyName | null;
    scripts: string[];
    /** Where the policy came from (`package.json`, `.npmrc`, `pnpm-workspace.yaml`…), null for defaults. */
    policySource: string | null;
    /** The tool's version the verdict assumes (e.g. `12.2.3`), when known. */
    toolVersion?: string;
  };
  NPM_SHRINKWRAP_IGNORED: {
    /** The npm (12 or later) that will ignore it. */
    npmVersion: string;
    /** Whether a package-lock.json sits beside it (npm 12 installs from that one). */
    packageLock: boolean;
  };
  INSTALL_SCRIPT_NOT_NEEDED: {
    tool: ScriptTool;
    verdict: InstallScriptVerdict;
    targets: string[];
    strategies: StrategyName[];
    scripts: string[];
    policySource: string | null;
    toolVersion?: string;
  };
  DOWNLOAD_HOST_UNREACHABLE: {
    tool: DownloadTool;
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
  PYTHON_DISTUTILS_MISSING: { title: 'Python 3.12+ with a node-gyp that needs distutils', severity: 'error' },
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
