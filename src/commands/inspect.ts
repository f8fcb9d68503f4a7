import { inspect } from '../inspect.js';
import { renderInspectJson, renderInspectText } from '../report/inspect-text.js';
import { wantsColor } from '../report/style.js';
import { currentHostEnvironment, detectHost, resolveTargets } from '../targets/index.js';
import { parseCommandArgs } from './args.js';
import { today } from '../targets/releases.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types.js';
import type { Command } from './types.js';

const HELP = `Usage: native-guard inspect <file.node>... [--target <spec>]... [--json]

Reads what each .node file is from its headers, without loading it: format (ELF, Mach-O, PE), arch,
platform, libc (musl or glibc), needed libraries, highest GLIBC_/GLIBCXX_ version, whether it is a
Node-API addon or tied to one Node ABI (NODE_MODULE_VERSION), and its declared Node-API version.

Options:
  -t, --target <spec>  also say whether each file can load on these targets (see "native-guard targets")
      --arch <arch>    override the arch of host, image and version targets
      --json           { "schemaVersion": 1, "files": [...] }, one entry per file given, in order

Exit codes: 0 every file read (and fits every --target), 1 a file is not a readable binary or does not
fit a target, 2 usage error.`;

export const inspectCommand: Command = {
  name: 'inspect',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      target: { type: 'string', short: 't', multiple: true },
      arch: { type: 'string' },
    });
    if (values.help) return { stdout: HELP + '\n', exitCode: EXIT_OK };
    if (positionals.length === 0)
      throw new UsageError('inspect needs at least one file (native-guard inspect <file.node>...)');
    const options: Parameters<typeof inspect>[1] = { cwd: values.cwd ?? io.cwd };
    if (values.target) {
      const host = await detectHost(currentHostEnvironment());
      const ctx: Parameters<typeof resolveTargets>[1] = { host, today: today(io.env) };
      if (values.arch) ctx.arch = values.arch;
      options.targets = resolveTargets(values.target, ctx);
    }
    const report = inspect(positionals, options);
    const bad = report.files.some((f) => !f.format || (f.mismatches?.length ?? 0) > 0);
    const stdout = values.json
      ? renderInspectJson(report)
      : renderInspectText(report, { color: wantsColor(io.isTTY, io.env) });
    return { stdout, exitCode: bad ? EXIT_FINDINGS : EXIT_OK };
  },
};
