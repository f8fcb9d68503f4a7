// argv -> command -> renderer -> exit code. Importing this module does nothing: bin.ts calls main().
import { readFileSync } from 'node:fs';
import { EXIT_OK, EXIT_USAGE } from './commands/types.js';
import type { Command, CommandIo } from './commands/types.js';
import { errorMessage } from './report/error-words.js';

interface CommandEntry {
  name: string;
  /** One line for the main help. */
  summary: string;
  /** Commands load on use: `--help`, `--version` and `inspect` should not pay for Arborist and pacote. */
  load(): Promise<Command>;
}

/** Every command, in the order the help lists them. */
const COMMANDS: CommandEntry[] = [
  {
    name: 'check',
    summary:
      'predict, per native package and target, what a fresh install gives: prebuilt | source-build | fails | unknown',
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
  {
    name: 'verify',
    summary: 'load every native binary the installed tree will load, in isolation, and explain each failure',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    name: 'inspect',
    summary: 'read binary facts of .node files (ELF, Mach-O, PE) without running them',
    load: async () => (await import('./commands/inspect.js')).inspectCommand,
  },
  {
    name: 'targets',
    summary: 'list the target forms native-guard understands, and what they mean today',
    load: async () => (await import('./commands/targets.js')).targetsCommand,
  },
  {
    name: 'docker',
    summary: 'read a Dockerfile and its build context: image target, npm ci stage, binaries that leak in',
    load: async () => (await import('./commands/docker.js')).dockerCommand,
  },
  {
    name: 'init',
    summary: 'wire check (preinstall) and verify (postinstall) into package.json; --remove takes them out',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
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
    ? `native-guard: ${errorMessage(err)}\n`
    : `native-guard: internal error: ${errorMessage(err)} (run with --debug for details)\n`;
}

async function run(argv: string[], io: CommandIo, out: Output): Promise<number> {
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
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    out.stderr(
      `native-guard: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see --help)\n`,
    );
    return EXIT_USAGE;
  }
  try {
    const command = await entry.load();
    const result = await command.run(rest, io);
    if (result.stdout) out.stdout(result.stdout);
    if (result.stderr) out.stderr(result.stderr);
    return result.exitCode;
  } catch (err) {
    out.stderr(errorText(err, debug));
    return EXIT_USAGE;
  }
}

const processOutput: Output = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/**
 * The whole CLI: runs the command argv names and returns the exit code. What it prints goes to
 * `out` (this process's stdout and stderr by default); it never throws and never exits.
 */
export async function main(
  argv: string[] = process.argv.slice(2),
  io: CommandIo = { isTTY: !!process.stdout.isTTY, env: process.env, cwd: process.cwd() },
  out: Output = processOutput,
): Promise<number> {
  try {
    return await run(argv, io, out);
  } catch (err) {
    out.stderr(errorText(err, argv.includes('--debug')));
    return EXIT_USAGE;
  }
}
