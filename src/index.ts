// The public API. Everything the CLI does is available here without printing or exiting.
export { check, analyze } from './check.js';
export type { CheckOptions, CheckReport, PackageReport, AnalyzeInput } from './check.js';
export {
  parseTarget,
  resolveTargets,
  TargetError,
  detectHost,
  currentHostEnvironment,
  listTargetAliases,
} from './target/index.js';
export type { Target, Toolchain, ImageProfile, HostEnvironment } from './target/index.js';
export { FINDINGS, findingDocsAnchor } from './findings.js';
export type { Finding, FindingCode, FindingEvidence, Severity } from './findings.js';
export type { Outcome, Prediction, StrategyName, Evidence } from './strategies/types.js';
export { verify, VerifyError, DEFAULT_TIMEOUT_MS } from './verify.js';
export type { VerifyOptions, VerifyReport, VerifiedBinary } from './verify.js';
export type { LoadClassification } from './probe/classify.js';
export type { RuntimeLoader } from './strategies/runtime.js';
export { parseProjectConfig, ConfigError } from './config.js';
export type { ProjectConfig } from './config.js';
export { inspect } from './inspect.js';
export type { InspectReport, InspectedFile } from './inspect.js';
export type { BinaryFacts, ModuleKind } from './binary/types.js';
export { analyzeDockerBuild, DockerfileError } from './docker/analyze.js';
export type { DockerOptions, DockerAnalysis, BinarySent, StageSummary } from './docker/analyze.js';
export type { DockerSummary } from './docker/summary.js';
export type { DockerCheckOptions } from './docker/for-check.js';
export type { CheckStepOptions } from './check-steps.js';
export type { ScriptPolicySummary } from './install-policy.js';
export type { UrlCheck } from './net/url-check.js';
export type { InstallScriptVerdict } from './strategies/types.js';
export { initProject, planInit, planRemove, hookScript, InitError } from './init.js';
export type { InitOptions, InitProjectOptions, InitResult, InitChange, InitPlan, HookEvent } from './init.js';
