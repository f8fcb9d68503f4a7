/** What a command needs from the outside world; commands return text, only cli.ts writes it. */
export interface CommandIo {
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface CommandResult {
  stdout: string;
  stderr?: string;
  exitCode: number;
}

export interface Command {
  name: string;
  help: string;
  run(args: string[], io: CommandIo): Promise<CommandResult>;
}

/** Exit codes: 0 nothing at error severity, 1 error findings, 2 usage or operational error. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  readonly code = 'EUSAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
