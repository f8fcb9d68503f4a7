import type { PlatformCandidate, PredictContext } from '../../src/model/prediction.js';
import { packageFiles } from './package-files.js';

/**
 * The context a strategy predicts in, as the strategy tests build it by hand: beside the package,
 * its files and the target, nothing resolves (every platform package and tool is missing), no other
 * package has files, the environment is empty and the npm cache holds nothing. A test gives only
 * what it changes.
 */
export function predictContext(
  given: Pick<PredictContext, 'native' | 'files' | 'target'> & Partial<PredictContext>,
): PredictContext {
  return {
    resolvePlatformCandidate: (name, spec): PlatformCandidate => ({ source: 'missing', name, spec }),
    filesOf: () => packageFiles([]),
    env: {},
    npmCache: '/nonexistent',
    cacheHas: () => false,
    ...given,
  };
}
