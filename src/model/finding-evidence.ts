// The evidence each finding code carries: the arguments its words are made of (report/ words them).
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
    /**
     * node-pre-gyp: template variables the URL needs whose value is the install machine's and the
     * target does not tell (`{libc_version}`): url is null, and `--online` has nothing to check.
     */
    unknown?: string[];
  };
  INSTALLED_WITHOUT_BINARY: {
    /** `script`: a tail such as `|| echo …` lets the failed step pass; `optional`: npm drops the package. */
    cause: 'script' | 'optional';
    tail: string | null;
    /** What failed before it: the build (no toolchain) or no binary for the target. */
    failed: 'build' | 'no-binary';
  };
  INSTALL_SCRIPT_UNKNOWN: { event: string; script: string };
  /**
   * `pkg-prebuilds-verify <file>`: the prebuild's name is in `file`, which is code rather than a
   * literal; `fallback` is what runs when the prebuild is not there.
   */
  PKG_PREBUILDS_OPTIONS_UNREAD: { file: string; fallback: 'source-build' | 'none' };
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
  BUILD_PKG_CONFIG_MISSING: {
    /** pkg-config modules (`xkbfile`) binding.gyp's Linux commands ask for, with no `<module>.pc` in pkg-config's folders here. */
    modules: string[];
    file: string;
  };
  BUILD_CXX_STANDARD_TOO_OLD: {
    /** The `-std=` binding.gyp's Linux `cflags_cc` sets after node-gyp's own (`c++11`). */
    standard: string;
    /** The C++ year the target Node's headers need at least (`17`). */
    needs: number;
    nodeVersion: string;
    file: string;
  };
  PYTHON_DISTUTILS_MISSING: { python: string | null; pythonVersion: string | null; nodeGyp: string | null };
  /** The binary needs libraries beyond every glibc image's base, and the target has no library list. */
  SHARED_LIBRARY_UNCHECKED: { file: string; libraries: string[] };
  /** The package's `engines.node` leaves out the target's Node: its source build is not promised. */
  ENGINES_EXCLUDE_NODE: { engines: string; nodeVersion: string };
  /** Yarn 2+ runs only a node-gyp the package or the top-level workspace depends on: there is none. */
  NODE_GYP_NOT_FOUND: { manager: 'yarn-berry' };
  /** The node-gyp the manager runs cannot run on the target's Node (its engines exclude it). */
  NODE_GYP_UNSUPPORTED_NODE: {
    manager: 'yarn-berry' | 'bun';
    nodeGyp: string;
    /** Whose node-gyp: the package's own dependency, the project's top level, or `bun x`'s latest. */
    source: 'package' | 'top-level' | 'latest';
    engines: string;
    nodeVersion: string;
  };
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
    /** The last install recorded skipping it (pnpm: node_modules/.modules.yaml `ignoredBuilds`). */
    ignoredAtLastInstall?: boolean;
  };
  INSTALL_FAILS_IGNORED_BUILD: {
    tool: ScriptTool;
    /** `unreviewed-strict`: neither allowed nor denied; `denied`: denied since the failed install, which pnpm 10 still fails on. */
    verdict: InstallScriptVerdict;
    /** Whether a target's binary needs the script; the install fails either way. */
    needed: 'yes' | 'unknown' | 'no';
    /** false: a package native-guard makes no prediction for, found in the last install's ignoredBuilds. */
    native?: false;
    /** The targets whose binary needs the script (empty: none does). */
    targets: string[];
    strategy: StrategyName | null;
    scripts: string[];
    policySource: string | null;
    /** Where the strict setting came from (`pnpm-workspace.yaml`, `.npmrc`, an env variable); null: the tool's default. */
    strictSource: string | null;
    toolVersion?: string;
    ignoredAtLastInstall?: boolean;
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
    ignoredAtLastInstall?: boolean;
  };
  DOWNLOAD_HOST_UNREACHABLE: {
    tool: DownloadTool;
    url: string;
    status: 'unreachable' | 'timeout' | 'error';
    error: string | null;
  };
}
