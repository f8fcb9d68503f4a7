import type { Target } from '../model/target.js';
import type { Evidence, LinkResult } from '../model/prediction.js';

export const toolchainComplete = (target: Target): boolean =>
  target.toolchain.python && target.toolchain.make && target.toolchain.cxx;

export function toolchainEvidence(target: Target): Evidence {
  const t = target.toolchain;
  return { kind: 'toolchain', python: t.python, make: t.make, cxx: t.cxx, known: t.known !== false };
}

/** A source build happens when the target has what node-gyp needs; the outcome step decides what that means. */
export function predictSourceBuild(): LinkResult {
  return { kind: 'build', strategy: 'source-build', evidence: [] };
}
