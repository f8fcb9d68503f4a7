/**
 * The reports the commands return and the renderers read: plain data, so report/ depends on these
 * shapes and never on the code that builds them (check/, verify/, docker/).
 */
import type { BinaryFacts, FactsMismatch } from './binary.js';
import type { DockerInstructionEvidence, Finding, FindingCode } from './findings.js';
import type { RuntimeLoader } from './load.js';
import type { PackageManagerInfo, ProjectTree } from './package.js';
import type { AllowSetting, Mismatch, NpmVersion, Prediction, ScriptTool, UrlCheck } from './prediction.js';
import type { Target } from './target.js';

export interface PackageReport {
  name: string;
  version: string;
  location: string;
  strategies: string[];
  predictions: Prediction[];
}

export interface CheckReport {
  schemaVersion: 1;
  root: string;
  mode: ProjectTree['mode'];
  /** The package manager that laid out the tree (installed mode). */
  packageManager?: PackageManagerInfo;
  targets: Target[];
  packages: PackageReport[];
  findings: Finding[];
  /** Findings dropped by the `ignore` config, counted so the output can say so. */
  ignored: number;
  /** The Dockerfile check, when a Dockerfile was given or found. */
  docker?: DockerSummary;
  /** Lockfile mode: what was read from the registry (npm's cache first). */
  fetched?: {
    tarballs: number;
    manifests: number;
    unavailable: number;
    offline: boolean;
    /**
     * Packages with no install script whose tarball was looked at, from npm's cache only, for a
     * binding.gyp (npm's implicit `node-gyp rebuild`); `gypUncached` of them npm's cache did not hold.
     */
    gypScanned?: number;
    gypUncached?: number;
  };
  /** `--online`: every download URL checked, with what answered. */
  online?: { checks: UrlCheck[] };
  /** Install-script policies applied, and the allowScripts block that keeps every target working. */
  scriptPolicy?: ScriptPolicySummary;
  /** The npm the verdicts assume (the one running the hook, else the npm on PATH); null when none was found. */
  npm?: NpmVersion | null;
}

/** The `allowScripts` block that keeps every target working, and the tools' policies it was checked against. */
export interface ScriptPolicySummary {
  /** `strict`: an unapproved script fails the whole install (pnpm strictDepBuilds). */
  tools: Array<{ tool: ScriptTool; source: string | null; version?: string; strict?: boolean }>;
  /** Name-only entries: a pinned `name@version` cannot match a lockfile without resolved URLs. */
  allowScripts: Record<string, true>;
  /** Packages no target needs the script of that a strict policy fails the install on: deny them (pnpm `allowBuilds: false`). */
  deny?: string[];
  /** The detected manager's setting for the same names (what --suggest-allow-scripts prints). */
  allowSetting: AllowSetting;
}

/** One `.node` file verify loaded (or a package whose binary it looked for). */
export interface VerifiedBinary {
  /** `name@version` of the package that loads it (the owner of a stray file). */
  package: string | null;
  /** That package's folder, relative to the root. */
  location: string | null;
  /** The independent project it belongs to, relative to the root (`''`: the root). */
  project: string;
  /** The file relative to the root; null when the package has none where it looks. */
  file: string | null;
  /** How the package finds it at run time, or `stray` when no package does. */
  resolvedBy: RuntimeLoader | 'stray';
  /** The binary's package, when it comes from a platform package. */
  fromPackage: string | null;
  loaded: boolean;
  /** The finding code when it did not load (or loads only through a fallback). */
  code?: FindingCode;
  /** That finding, kept here even when the `ignore` config drops it from the findings: renderers word it. */
  finding?: Finding;
}

export interface VerifyReport {
  schemaVersion: 1;
  root: string;
  /** The package manager that laid out the root project's tree. */
  packageManager?: PackageManagerInfo;
  /** The Node every binary was loaded with. */
  node: {
    path: string;
    version: string;
    abi: string;
    napi: number | null;
    platform: string;
    arch: string;
    libc: string | null;
    libcVersion: string | null;
  };
  target: Target;
  /** The root ('') and every independent project below it that was verified. */
  projects: string[];
  binaries: VerifiedBinary[];
  findings: Finding[];
  /** Findings dropped by the `ignore` config. */
  ignored: number;
}

/** What the Dockerfile check found, as plain data for the reports (text and JSON). */
export interface DockerSummary {
  dockerfile: string;
  /** Whether `--dockerfile` asked for it (image target added) or a Dockerfile was found (leak check only). */
  explicit: boolean;
  context: string;
  dockerignore: string | null;
  stages: StageSummary[];
  final: { stage: string; image: string; target: string | null } | null;
  install: {
    stage: string;
    line: number;
    command: string;
    target: string | null;
    /** Line of the `COPY --from` that brings node_modules into the final stage (multi-stage builds). */
    copiedAt: number | null;
  } | null;
  /** Line of a `RUN … native-guard verify` in the final stage chain. */
  verifyGate: number | null;
  scan: {
    entries: number;
    truncated: boolean;
    nodeModules: Array<{ path: string; files: number }>;
    binaries: BinarySent[];
  } | null;
}

export interface StageSummary {
  index: number;
  name: string | null;
  line: number;
  image: string;
  platform: string | null;
}

export interface BinarySent {
  file: string;
  /** Where COPY/ADD puts it in the final image; null when no instruction does. */
  imagePath: string | null;
  via: DockerInstructionEvidence | null;
  mismatches: Mismatch[];
}

export interface InspectedFile extends BinaryFacts {
  /** The path as given. */
  file: string;
  /** Per target given, why the file would not load there (empty: nothing rules it out). */
  mismatches?: Array<{ target: string } & FactsMismatch>;
}

export interface InspectReport {
  schemaVersion: 1;
  files: InspectedFile[];
}
