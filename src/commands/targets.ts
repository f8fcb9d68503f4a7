import { describeTarget } from '../report/check-text.js';
import { makeStyle, pad, wantsColor } from '../report/style.js';
import { currentHostEnvironment, detectHost, listTargetAliases } from '../targets/index.js';
import type { AliasContext } from '../targets/index.js';
import { parseCommandArgs } from './args.js';
import { today } from '../targets/releases.js';
import { EXIT_OK } from './types.js';
import type { Command } from './types.js';

const HELP = `Usage: native-guard targets [--arch <arch>] [--json]

Lists the target forms native-guard accepts, with an example of each and what it resolves to today
(Node version, ABI, Node-API level, libc, whether python3/make/g++ are present).`;

export const targetsCommand: Command = {
  name: 'targets',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { arch: { type: 'string' } });
    if (values.help) return { stdout: HELP + '\n', exitCode: EXIT_OK };
    const host = await detectHost(currentHostEnvironment());
    const ctx: AliasContext = { host, today: today(io.env) };
    if (values.arch) ctx.arch = values.arch;
    const rows = listTargetAliases(ctx);
    if (values.json)
      return {
        stdout: JSON.stringify({ schemaVersion: 1, targets: rows }, null, 2) + '\n',
        exitCode: EXIT_OK,
      };
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
    return { stdout: out.join('\n').replace(/^\n/, '') + '\n', exitCode: EXIT_OK };
  },
};
