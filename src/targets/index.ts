// The target module's public surface: where code will run (parse), what this machine is (host,
// toolchain) and what every accepted form means today (aliases).
export {
  parseTarget,
  resolveTargets,
  TargetError,
  TARGET_EXAMPLES,
  NODE_PLATFORMS,
  NODE_ARCHES,
} from './parse.js';
export type { TargetContext, TargetErrorFact, TargetErrorReason } from './parse.js';
export { currentHostEnvironment, detectHost } from './host.js';
export type { DetectHostOptions } from './host.js';
export { detectToolchain } from './toolchain.js';
export type { NpmToolConfig } from './toolchain.js';
export { findOnPath } from './exec.js';
export { listTargetAliases } from './aliases.js';
export type { AliasContext, TargetAliasRow, TargetForm } from './aliases.js';
export { loadNodeReleases } from './releases.js';
export type { NodeRelease, NodeReleaseData } from './releases.js';
export type * from '../model/target.js';
