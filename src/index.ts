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
export { parseProjectConfig, ConfigError } from './config.js';
export type { ProjectConfig } from './config.js';
export type { CheckStepOptions } from './check-steps.js';
export type { ScriptPolicySummary } from './install-policy.js';
export type { UrlCheck } from './net/url-check.js';
export type { InstallScriptVerdict } from './strategies/types.js';
