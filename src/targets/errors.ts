/** Valid forms, shown in every TargetError so a typo is fixed without opening the docs. */
export const TARGET_EXAMPLES = [
  'host',
  'node22-linux-x64-musl',
  'node@22.15.0/linux/arm64/glibc',
  'electron@33',
  'node:22-alpine',
  'node:lts-slim',
  'node:24-bookworm',
] as const;

export type TargetErrorReason =
  | 'empty'
  | 'unknown-form'
  | 'not-node-image'
  | 'unknown-version'
  | 'unknown-platform'
  | 'unknown-arch'
  | 'unknown-libc'
  | 'unknown-variant'
  | 'no-image-for-line'
  | 'arch-not-published';

/**
 * A target the user wrote that we can't resolve. Bad input, so it is thrown (STYLE.md #6); the message is
 * one line ending in examples so the CLI can print it as is.
 */
export class TargetError extends Error {
  readonly code = 'ETARGET';
  readonly spec: string;
  readonly reason: TargetErrorReason;

  constructor(spec: string, reason: TargetErrorReason, detail: string) {
    // JSON.stringify escapes control characters, so even a pasted newline can't split the line.
    super(
      `Unknown target ${JSON.stringify(spec)}: ${detail}. Valid targets look like: ${TARGET_EXAMPLES.join(', ')}`,
    );
    this.name = 'TargetError';
    this.spec = spec;
    this.reason = reason;
  }
}
