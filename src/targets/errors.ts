import { CodedError, TARGET_ERROR_REASON } from '../model/errors.js';
import type { TargetErrorFact, TargetErrorReason } from '../model/errors.js';

export { TARGET_EXAMPLES } from '../model/errors.js';
export type { TargetErrorFact, TargetErrorReason } from '../model/errors.js';

/**
 * A target the user wrote that we can't resolve. Bad input, so it is thrown (STYLE.md #6). It carries
 * what was written and what would have been accepted (model/errors.ts); report/target-error-words.ts
 * words it as one line ending in examples, which the CLI prints as is.
 */
export class TargetError extends CodedError<'target'> {
  override readonly code = 'ETARGET';
  readonly spec: string;
  readonly reason: TargetErrorReason;

  constructor(fact: TargetErrorFact) {
    super('target', fact, 'ETARGET');
    this.name = 'TargetError';
    this.spec = fact.spec;
    this.reason = TARGET_ERROR_REASON[fact.why];
  }
}
