#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { checkCommand } from './commands/check.js';
import { dockerCommand } from './commands/docker.js';
import { initCommand } from './commands/init.js';
import { inspectCommand } from './commands/inspect.js';
import { targetsCommand } from './commands/targets.js';
import { verifyCommand } from './commands/verify.js';
import { EXIT_OK, EXIT_USAGE } from './commands/types.js';
import type { Command, CommandIo } from './commands/types.js';

/** Every command, in the order the help lists them. */
const COMMANDS: Command[] = [
  checkCommand,
  verifyCommand,
  inspectCommand,
  targetsCommand,
  dockerCommand,
  initCommand,
];

const VERSION = (() => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
})();

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `native-guard ${VERSION}: will every native addon in this tree get a binary and load where it runs?

Usage: native-guard <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Common options:
  -C, --cwd <dir>   project folder (default: the current directory)
      --json        machine-readable output
      --debug       print stack traces for unexpected errors
  -h, --help        help for a command
  -v, --version     print the version

Exit codes: 0 no error findings, 1 error findings, 2 usage or operational error.
Run "native-guard <command> --help" for a command's options.
`;
}

export interface Output {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** One line for errors we expect (bad target, bad config, unreadable tree); a stack only with --debug. */
function errorText(err: unknown, debug: boolean): string {
  const e = err as (Error & { code?: unknown }) | undefined;
  if (debug) return `native-guard: ${e?.stack ?? String(err)}\n`;
  const known = typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code);
  return known
    ? `native-guard: ${e.message}\n`
    : `native-guard: internal error: ${e?.message ?? String(err)} (run with --debug for details)\n`;
}

export async function main(argv: string[], io: CommandIo, out: Output): Promise<number> {
  const [name, ...rest] = argv;
  const debug = argv.includes('--debug');
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    out.stdout(mainHelp());
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '-v' || name === '--version') {
    out.stdout(VERSION + '\n');
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    out.stderr(
      `native-guard: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see --help)\n`,
    );
    return EXIT_USAGE;
  }
  try {
    const result = await command.run(rest, io);
    if (result.stdout) out.stdout(result.stdout);
    if (result.stderr) out.stderr(result.stderr);
    return result.exitCode;
  } catch (err) {
    out.stderr(errorText(err, debug));
    return EXIT_USAGE;
  }
}

const out: Output = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
main(
  process.argv.slice(2),
  { isTTY: !!process.stdout.isTTY, env: process.env, cwd: process.cwd() },
  out,
).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    out.stderr(errorText(err, process.argv.includes('--debug')));
    process.exitCode = EXIT_USAGE;
  },
);
