// The public API. Everything the CLI does is available here without printing or exiting.
export { analyze } from './check/analyze.js';
export { check } from './check/run.js';
export type { AnalyzeInput } from './check/analyze.js';
export type { CheckOptions } from './check/run.js';
export type { CheckReport, PackageReport } from './model/reports.js';
export {
  parseTarget,
  resolveTargets,
  TargetError,
  detectHost,
  currentHostEnvironment,
  listTargetAliases,
} from './targets/index.js';
export type { Target, Toolchain, ImageProfile, HostEnvironment } from './targets/index.js';
export { FINDINGS, findingDocsAnchor } from './model/findings.js';
export type { Finding, FindingCode, FindingEvidence, Severity } from './model/findings.js';
export type { Outcome, Prediction, StrategyName, Evidence, DownloadProblem } from './model/prediction.js';
export { verify, DEFAULT_TIMEOUT_MS } from './verify/run.js';
export { VerifyError } from './verify/node.js';
export type { VerifyOptions } from './verify/run.js';
export type { VerifyReport, VerifiedBinary } from './model/reports.js';
export type { LoadClassification } from './model/load.js';
export type { RuntimeLoader } from './model/load.js';
export { parseProjectConfig, ConfigError } from './config.js';
export type { ProjectConfig } from './config.js';
export { inspect } from './inspect.js';
export { errorWords } from './report/error-words.js';
export { CodedError } from './model/errors.js';
export type { ErrorFamily, ErrorFacts } from './model/errors.js';
export type { InspectReport, InspectedFile } from './model/reports.js';
export type { BinaryFacts, BinaryNote, ModuleKind } from './model/binary.js';
export { analyzeDockerBuild, DockerfileError } from './docker/analyze.js';
export type { DockerOptions, DockerAnalysis } from './docker/analyze.js';
export type { BinarySent, StageSummary } from './model/reports.js';
export type { DockerSummary } from './model/reports.js';
export type { DockerCheckOptions } from './docker/for-check.js';
export type { CheckStepOptions } from './check/tree-load.js';
export type { ScriptPolicySummary } from './model/reports.js';
export type { UrlCheck } from './model/prediction.js';
export type { InstallScriptVerdict } from './model/prediction.js';
export { initProject } from './hooks/init.js';
export { planInit, planRemove, hookScript, InitError } from './hooks/init-plan.js';
export type { InitProjectOptions, InitResult } from './hooks/init.js';
export type { InitOptions, InitChange, InitPlan, HookEvent } from './hooks/init-plan.js';
