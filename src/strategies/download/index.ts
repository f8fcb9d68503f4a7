export { planPrebuildInstall } from './prebuild-install.js';
export type {
  DownloadPackage,
  DownloadPlan,
  DownloadPlanInput,
  DownloadProblem,
  DownloadProblemCode,
  DownloadTool,
} from './types.js';
