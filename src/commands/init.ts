import { resolve } from 'node:path';
import { initProject } from '../hooks/init.js';
import type { InitProjectOptions, InitResult } from '../hooks/init.js';
import type { InitChange } from '../hooks/init-plan.js';
import { makeStyle, wantsColor } from '../report/style.js';
import type { Style } from '../report/style.js';
import { currentHostEnvironment, detectHost, resolveTargets } from '../targets/index.js';
import { parseCommandArgs } from './args.js';
import { today } from '../targets/releases.js';
import { EXIT_OK, UsageError } from './types.js';
import type { Command } from './types.js';

const HELP = `Usage: native-guard init [--strict] [--target <spec>]... [options]
       native-guard init --remove [--strict] [--target <spec>]...

Wires native-guard into this project's npm install. package.json gets two scripts:
  "preinstall"   native-guard check (the installed tree, every configured target)
  "postinstall"  native-guard verify (loads every native binary in isolation)
Each is chained after a script that is already there ("foo" becomes "foo && <hook>"; a script that is
not a plain command, such as "foo; bar #note", runs whole in sh -c '…' before the hook). Running init
again changes nothing; only these entries are edited, every other byte of package.json stays as written. The scripts skip with one line when native-guard is not installed
(npm ci --omit=dev). In a workspace root they cover every workspace; a workspace is refused.

Options:
      --strict           also write "nativeGuard": { "strict": true }: an error finding fails the install
  -t, --target <spec>    also write "nativeGuard": { "targets": [...] } (repeat or comma-separate; see
                         "native-guard targets")
      --remove           take out what init added: its scripts (a chained one gets its old command
                         back), and the "nativeGuard" block when it is exactly what init writes for the
                         --strict/--target given here
  -C, --cwd <dir>        project folder (default: the current directory)
      --json             the changes as JSON
      --debug            print stack traces for unexpected errors

The hooks run on "npm install" (no package names) and "npm ci"; NATIVE_GUARD=0 skips them, and
NATIVE_GUARD_VERBOSE=1 prints the full reports. See "Install hooks" in the README.`;

const HOOK_NAME = {
  preinstall: '<native-guard check hook>',
  postinstall: '<native-guard verify hook>',
} as const;

function changeLine(s: Style, c: InitChange): string {
  const q = (t: string) => JSON.stringify(t);
  const at = (key: string) => key.padEnd(20);
  switch (c.kind) {
    case 'script-added':
      return `  ${s.green('+')} ${at(`scripts.${c.event}`)} ${HOOK_NAME[c.event]}`;
    case 'script-chained':
      return c.wrapped
        ? `  ${s.yellow('~')} ${at(`scripts.${c.event}`)} ${q(c.before)} in sh -c '…' && ${HOOK_NAME[c.event]}`
        : `  ${s.yellow('~')} ${at(`scripts.${c.event}`)} ${q(c.before)} && ${HOOK_NAME[c.event]}`;
    case 'script-updated':
      return `  ${s.yellow('~')} ${at(`scripts.${c.event}`)} ${HOOK_NAME[c.event]} updated to this version's text`;
    case 'script-present':
      return `  ${s.dim('=')} ${at(`scripts.${c.event}`)} already wired`;
    case 'script-custom':
      return `  ${s.dim('=')} ${at(`scripts.${c.event}`)} calls the native-guard hook in its own words; left as it is`;
    case 'script-removed':
      return `  ${s.red('-')} ${at(`scripts.${c.event}`)} ${HOOK_NAME[c.event]}`;
    case 'script-unchained':
      return `  ${s.yellow('~')} ${at(`scripts.${c.event}`)} back to ${q(c.after)}`;
    case 'scripts-removed':
      return `  ${s.red('-')} ${at('scripts')} (left empty)`;
    case 'config-added':
      return `  ${s.green('+')} ${at('nativeGuard')} ${JSON.stringify(c.config)}`;
    case 'config-present':
      return `  ${s.dim('=')} ${at('nativeGuard')} already says ${JSON.stringify(c.config)}`;
    case 'config-removed':
      return `  ${s.red('-')} ${at('nativeGuard')} ${JSON.stringify(c.config)}`;
    case 'config-kept':
      return (
        `  ${s.dim('=')} ${at('nativeGuard')} kept ${JSON.stringify(c.config)}: init cannot tell whether it wrote it ` +
        `(give --remove the --strict/--target you gave init, or delete it by hand)`
      );
  }
}

export function renderInitText(result: InitResult, color: boolean): string {
  const s = makeStyle(color);
  const out: string[] = [];
  const verb = result.remove ? 'init --remove' : 'init';
  out.push(`${s.bold(`native-guard ${verb}`)} ${result.file}`);
  for (const c of result.changes) out.push(changeLine(s, c));
  if (!result.changed) {
    out.push(
      result.remove
        ? 'Nothing of init to take out; package.json unchanged.'
        : 'Already wired; package.json unchanged.',
    );
  }
  if (result.changes.some((c) => c.kind === 'script-chained' && c.wrapped)) {
    out.push(
      "note: a script that is not a plain command now runs whole in sh -c '…', so that the hook after it always gets its turn " +
        '(its exit status decides, as before). That needs sh, which npm uses everywhere but Windows (cmd.exe)',
    );
  }
  if (!result.remove) {
    if (result.workspaces.length) {
      out.push(
        `The root's hooks cover its ${result.workspaces.length} workspace${result.workspaces.length === 1 ? '' : 's'} (${result.workspaces.join(', ')}).`,
      );
    }
    if (!result.dependency) {
      out.push(
        'note: native-guard is not in this package.json\'s dependencies: the hooks skip until "npm install --save-dev native-guard"',
      );
    }
    if (result.changed) {
      out.push(
        'The hooks run on "npm install" and "npm ci" (not "npm install <pkg>"); NATIVE_GUARD=0 skips them.',
      );
    }
  }
  return out.join('\n') + '\n';
}

export const initCommand: Command = {
  name: 'init',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      strict: { type: 'boolean' },
      target: { type: 'string', short: 't', multiple: true },
      remove: { type: 'boolean' },
    });
    if (values.help) return { stdout: HELP + '\n', exitCode: EXIT_OK };
    if (positionals.length)
      throw new UsageError(`init takes no positional arguments (got "${positionals[0]}")`);
    const options: InitProjectOptions = { cwd: resolve(io.cwd, values.cwd ?? '.') };
    if (values.remove) options.remove = true;
    if (values.strict) options.strict = true;
    if (values.target) {
      const specs = values.target.flatMap((t) => t.split(',').map((x) => x.trim())).filter(Boolean);
      if (!specs.length) throw new UsageError('--target needs a target (see "native-guard targets")');
      // a target that does not resolve would make every install print the same error: refuse it now
      const host = await detectHost(currentHostEnvironment());
      resolveTargets(specs, { host, today: today(io.env) });
      options.targets = specs;
    }
    const result = await initProject(options);
    const stdout = values.json
      ? JSON.stringify(
          {
            schemaVersion: 1,
            file: result.file,
            remove: result.remove,
            changed: result.changed,
            changes: result.changes,
            workspaces: result.workspaces,
            dependency: result.dependency,
            // kept for readers of schemaVersion 1: init edits the text in place and never lays the file out again
            reformatted: false,
          },
          null,
          2,
        ) + '\n'
      : renderInitText(result, wantsColor(io.isTTY, io.env));
    return { stdout, exitCode: EXIT_OK };
  },
};
