import type { LinkResult, PredictContext } from '../model/prediction.js';

/**
 * A `.node` that comes in the tarball with no loader convention around it: whatever the file is,
 * that is what every target gets. Binary facts decide whether it fits.
 */
export function predictShippedBinary(ctx: PredictContext, files: string[]): LinkResult {
  const file = files[0] ?? null;
  return {
    kind: 'binary',
    strategy: 'shipped-binary',
    binary: file,
    facts: file ? ctx.files.facts(file) : null,
    evidence: files.map((f) => ({ kind: 'shipped-binary' as const, file: f })),
  };
}
