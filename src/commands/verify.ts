import { resolve } from 'node:path';
import { renderVerifyJson } from '../report/verify-json.js';
import { renderVerifyText } from '../report/verify-text.js';
import { wantsColor } from '../report/style.js';
import { DEFAULT_TIMEOUT_MS, verify } from '../verify/run.js';
import type { VerifyOptions } from '../verify/run.js';
import { parseCommandArgs } from './args.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types.js';
import type { Command } from './types.js';

const HELP = `Usage: native-guard verify [--node <path>] [options]

Loads every native binary the installed tree will load (workspaces and every independent project
below the root included, e.g. skills/*/ with its own node_modules), plus every stray .node file, each
in an isolated child process, and explains every failure: which Node ABI, which libc or library,
which glibc, which architecture, and the fix. Run it after install, in a Dockerfile RUN, or at boot.

Options:
      --node <path>    load with this Node binary (or a folder holding bin/node) instead of the one
                       running native-guard: "will this tree survive the Node upgrade?"
      --timeout <ms>   per binary, before it counts as hung (default ${DEFAULT_TIMEOUT_MS})
      --jobs <n>       loader processes at once (default: min(CPUs, 4))
      --no-nested      only the root project and its workspaces
  -C, --cwd <dir>      project folder (default: the current directory)
      --json           JSON report (schemaVersion 1)
      --debug          print stack traces for unexpected errors

Exit codes: 0 every binary the app loads loaded (warnings allowed), 1 one of them failed, 2 usage or
operational error. Every finding code is explained in docs/findings.md.`;

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} takes a positive integer (got "${value}")`);
  return Number(value);
}

export const verifyCommand: Command = {
  name: 'verify',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      node: { type: 'string' },
      timeout: { type: 'string' },
      jobs: { type: 'string' },
      'no-nested': { type: 'boolean' },
    });
    if (values.help) return { stdout: HELP + '\n', exitCode: EXIT_OK };
    if (positionals.length)
      throw new UsageError(`verify takes no positional arguments (got "${positionals[0]}")`);
    const options: VerifyOptions = { cwd: resolve(io.cwd, values.cwd ?? '.'), env: io.env };
    if (values.node) options.node = resolve(io.cwd, values.node);
    const timeoutMs = positiveInteger('timeout', values.timeout);
    if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
    const jobs = positiveInteger('jobs', values.jobs);
    if (jobs !== undefined) options.jobs = jobs;
    if (values['no-nested']) options.nested = false;
    const report = await verify(options);
    const stdout = values.json
      ? renderVerifyJson(report)
      : renderVerifyText(report, { color: wantsColor(io.isTTY, io.env) });
    return {
      stdout,
      exitCode: report.findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK,
    };
  },
};
