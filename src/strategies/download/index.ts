export { planNodePreGyp } from './node-pre-gyp.js';
export { planPrebuildInstall } from './prebuild-install.js';
export type {
  DownloadPackage,
  DownloadPlan,
  DownloadPlanInput,
  DownloadProblem,
  DownloadProblemCode,
} from './types.js';
