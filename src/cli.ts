#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { check } from './check.js';
import { renderCheckJson } from './report/json.js';
import { renderCheckText, describeTarget } from './report/check-text.js';
import { wantsColor, makeStyle, pad } from './report/style.js';
import { currentHostEnvironment, detectHost, listTargetAliases } from './target/index.js';

/** Exit codes: 0 nothing at error severity, 1 error findings, 2 usage or operational error. */
const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

class UsageError extends Error {
  readonly code = 'EUSAGE';
}

const VERSION = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
})();

const MAIN_HELP = `native-guard ${VERSION}: will every native addon in this tree get a binary and load where it runs?

Usage: native-guard <command> [options]

Commands:
  check      predict, for every native package and each target, what a fresh install gives:
             prebuilt | source-build | fails | unknown, with the evidence and the fix
  targets    list the target forms native-guard understands, and what they mean today

Common options:
  -C, --cwd <dir>   project folder (default: the current directory)
      --json        machine-readable output
      --debug       print stack traces for unexpected errors
  -h, --help        help for a command
  -v, --version     print the version

Exit codes: 0 no error findings, 1 error findings, 2 usage or operational error.
Run "native-guard <command> --help" for a command's options.`;

const CHECK_HELP = `Usage: native-guard check [--target <spec>]... [options]

Predicts, for every native package in the installed tree (workspaces included) and every target,
what a fresh \`npm ci\` there would give: prebuilt, source-build, fails or unknown.

Options:
  -t, --target <spec>  where the code will run; repeat or comma-separate. Default: nativeGuard.targets
                       in package.json, else "host". Examples: host, node:22-alpine, node:24-slim,
                       node22-linux-arm64-glibc, node20-darwin-arm64, electron@33 (see "native-guard targets")
      --arch <arch>    override the arch of host, image and version targets (images are multi-arch)
  -C, --cwd <dir>      project folder (default: the current directory)
      --json           JSON report (schemaVersion 1)
      --verbose        per-package strategies, binaries and URLs
      --debug          print stack traces for unexpected errors

Configuration (package.json): "nativeGuard": { "targets": [...], "ignore": [package or CODE], "allowSourceBuild": [package] }
Every finding code is explained in docs/findings.md.`;

const TARGETS_HELP = `Usage: native-guard targets [--arch <arch>] [--json]

Lists the target forms native-guard accepts, with an example of each and what it resolves to today
(Node version, ABI, Node-API level, libc, whether python3/make/g++ are present).`;

const COMMON_OPTIONS = {
  cwd: { type: 'string', short: 'C' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function runCheck(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    target: { type: 'string', short: 't', multiple: true },
    arch: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(CHECK_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length)
    throw new UsageError(`check takes no positional arguments (got "${positionals[0]}")`);
  const options: Parameters<typeof check>[0] = {};
  if (values.cwd) options.cwd = values.cwd;
  if (values.target) options.targets = values.target;
  if (values.arch) options.arch = values.arch;
  const report = await check(options);
  io.stdout(
    values.json
      ? renderCheckJson(report)
      : renderCheckText(report, { color: wantsColor(io.isTTY, io.env), verbose: !!values.verbose }),
  );
  return report.findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

async function runTargets(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { arch: { type: 'string' } });
  if (values.help) {
    io.stdout(TARGETS_HELP + '\n');
    return EXIT_OK;
  }
  const hostEnv = currentHostEnvironment();
  const host = await detectHost(hostEnv);
  const ctx: Parameters<typeof listTargetAliases>[0] = { host, today: new Date().toISOString().slice(0, 10) };
  if (values.arch) ctx.arch = values.arch;
  const rows = listTargetAliases(ctx);
  if (values.json) {
    io.stdout(JSON.stringify({ schemaVersion: 1, targets: rows }, null, 2) + '\n');
    return EXIT_OK;
  }
  const s = makeStyle(wantsColor(io.isTTY, io.env));
  const width = Math.max(...rows.map((r) => r.example.length));
  let form = '';
  const out: string[] = [];
  for (const row of rows) {
    if (row.pattern !== form) {
      form = row.pattern;
      out.push('', s.bold(row.pattern));
    }
    const what = row.target
      ? describeTarget(row.target)
      : s.dim(`not available here${row.unavailable ? ` (${row.unavailable})` : ''}`);
    out.push(`  ${pad(row.example, width)}  ${what}`);
  }
  io.stdout(out.join('\n').replace(/^\n/, '') + '\n');
  return EXIT_OK;
}

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  check: runCheck,
  targets: runTargets,
};

/** One line for errors we expect (bad target, bad config, unreadable tree); a stack only with --debug. */
function reportError(err: unknown, io: Io, debug: boolean): number {
  const e = err as Error & { code?: string };
  const known = typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code);
  if (known && !debug) {
    io.stderr(`native-guard: ${e.message}\n`);
    return EXIT_USAGE;
  }
  io.stderr(
    `native-guard: ${debug ? (e?.stack ?? String(err)) : `internal error: ${e?.message ?? String(err)} (run with --debug for details)`}\n`,
  );
  return EXIT_USAGE;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  const debug = rest.includes('--debug') || argv.includes('--debug');
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(MAIN_HELP + '\n');
    return command ? EXIT_OK : EXIT_USAGE;
  }
  if (command === '-v' || command === '--version') {
    io.stdout(VERSION + '\n');
    return EXIT_OK;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(
      `native-guard: unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')}; see --help)\n`,
    );
    return EXIT_USAGE;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    return reportError(err, io, debug);
  }
}

const io: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stdout.isTTY,
  env: process.env,
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err, io, process.argv.includes('--debug'));
  },
);
