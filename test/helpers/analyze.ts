import { existsSync } from 'node:fs';
import { inspectFile } from '../../src/binary/facts.js';
import { analyze } from '../../src/check/analyze.js';
import type { CheckReport } from '../../src/model/reports.js';
import type { Target } from '../../src/model/target.js';
import type { FactsReader } from '../../src/io/files.js';
import type { ProjectTree } from '../../src/model/package.js';
import { fakeHost, targets } from './targets.js';

/**
 * `analyze()` on a fixture tree for target specs, as `check` runs it but with a deterministic host,
 * no environment and no npm cache. Binary facts are read from the files unless told otherwise.
 */
export function analyzeTree(
  tree: ProjectTree,
  specs: string[],
  options: { host?: Target; readFacts?: FactsReader } = {},
): CheckReport {
  return analyze({
    tree,
    targets: targets(specs, options.host ?? fakeHost()),
    config: {},
    env: {},
    npmCache: '/nonexistent-npm-cache',
    readFacts: options.readFacts ?? inspectFile,
    cacheHas: (p) => existsSync(p),
  });
}
