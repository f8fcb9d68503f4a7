// What `init` and `init --remove` change in package.json, planned on the parsed manifest: the hook
// script text, how it chains onto a script already there, and the nativeGuard block. Pure.
import { CodedError } from '../model/errors.js';
import type { InitErrorFact } from '../model/errors.js';
import type { ProjectConfig } from '../config.js';
import { shWrap } from './init-text.js';

export type HookEvent = 'preinstall' | 'postinstall';
export const HOOK_EVENTS: readonly HookEvent[] = ['preinstall', 'postinstall'];

/** The command each hook runs, for the skip line when native-guard is not installed. */
const HOOK_COMMAND: Record<HookEvent, string> = { preinstall: 'check', postinstall: 'verify' };

/**
 * What each hook says when native-guard is not installed. npm 12, pnpm and Yarn 1 run the root
 * preinstall before they install, so a missing native-guard there is usually one about to be
 * installed (the postinstall then checks as well as verifies: src/hooks/run.ts); by the
 * postinstall, a missing native-guard was left out (`--omit=dev`, `NODE_ENV=production`).
 */
const NOT_INSTALLED: Record<HookEvent, string> = {
  preinstall: 'not installed yet: the postinstall hook will check',
  postinstall: 'skipped: native-guard is not installed (npm ci --omit=dev?)',
};

/** `--omit=dev` exports npm_config_omit (npm 11 and 12): then native-guard is not coming, and the preinstall says so. */
const OMITTED = 'skipped: native-guard is not installed (--omit=dev)';

/**
 * The exact script text `init` writes. It must survive a missing native-guard (`npm ci --omit=dev`,
 * or a root preinstall that runs before dependencies exist), so it is not a call of the bin: `node -e`
 * imports the hook by its package path (a bare specifier resolves from the cwd, the package root).
 * It fails open: "module not found" is the one-line NOT_INSTALLED text, any other failure to load
 * the hook (a native-guard without `./hooks/*.js` in its exports, a hook file that does not parse)
 * one line naming the error's code, exit 0 either way. Shell-neutral for sh, cmd and PowerShell: the
 * code sits in one pair of double quotes and uses none of `"`, `$`, `` ` ``, `\`, `%` or `!` (single
 * quotes inside double quotes are plain characters for all three).
 */
export function hookScript(event: HookEvent): string {
  const label = `native-guard ${HOOK_COMMAND[event]}`;
  const notInstalled =
    event === 'preinstall'
      ? `(String(process.env.npm_config_omit).includes('dev')?'${label}: ${OMITTED}':'${label}: ${NOT_INSTALLED[event]}')`
      : `'${label}: ${NOT_INSTALLED[event]}'`;
  return (
    `node -e "import('native-guard/hooks/${event}.js').catch(e=>console.log(` +
    `e&&e.code==='ERR_MODULE_NOT_FOUND'?${notInstalled}` +
    `:'${label}: skipped: cannot load its hook ('+(e&&(e.code||e.name))+')'))"`
  );
}

/** Between a user's own script and ours: runs ours only when theirs succeeded, in sh and in cmd. */
const CHAIN = ' && ';

/**
 * Command words that change the shell a later command runs in, or never return to it (sh, bash and
 * cmd.exe; compared in lower case): after `cd sub`, `exit 0`, `exec x`, `export NATIVE_GUARD=0` or
 * cmd's `rem`, an appended hook would run elsewhere, differently, or not at all.
 */
const SHELL_STATE_WORDS = new Set(
  (
    '. ! { } [[ ]] alias append bg bind break builtin call caller cd chdir command compgen complete ' +
    'continue coproc declare dirs disown do done dpath elif else enable endlocal esac eval exec exit ' +
    'export fc fg fi for function getopts goto hash history if in jobs kill let local logout mapfile path ' +
    'popd prompt pushd read readarray readonly rem return select set setlocal shift shopt source suspend ' +
    'then time times trap typeset ulimit umask unalias unset until wait while'
  ).split(' '),
);

/**
 * True when `<script> && <hook>` means "run the script as npm would, then the hook if it exited 0"
 * in sh and in cmd.exe alike. Deliberately narrow, since anything else is wrapped (sh only): words of
 * ASCII letters, digits and `_-./:=@,+%~*?[]`, double-quoted text free of `$`, backquote, backslash
 * and control characters, commands joined by `&&`, `||` or `|`, and no command word that changes the shell
 * (SHELL_STATE_WORDS, an assignment, a `:` label). Not plain: `;`, a lone `&`, `#`, `\`, `'`, `$`,
 * redirections, parentheses, braces, newlines, and an operator at either end.
 */
export function chainsPlainly(script: string): boolean {
  const commands: string[][] = [[]];
  let word: string | null = null;
  const endWord = () => {
    if (word !== null) commands[commands.length - 1]!.push(word);
    word = null;
  };
  for (let i = 0; i < script.length;) {
    const c = script[i]!;
    if (c === ' ') {
      endWord();
      i++;
    } else if (c === '"') {
      const close = script.indexOf('"', i + 1);
      if (close === -1) return false;
      const quoted = script.slice(i + 1, close);
      // eslint-disable-next-line no-control-regex -- control characters are what it refuses
      if (/[$`\\\x00-\x1f\x7f]/.test(quoted)) return false;
      word = (word ?? '') + quoted;
      i = close + 1;
    } else if (c === '&' || c === '|') {
      const pair = script.slice(i, i + 2);
      const length = pair === '&&' || pair === '||' ? 2 : c === '|' ? 1 : 0;
      // a lone `&` puts the command in the background (sh) or is a separator (cmd)
      if (!length) return false;
      endWord();
      if (!commands[commands.length - 1]!.length) return false;
      commands.push([]);
      i += length;
    } else if (/[A-Za-z0-9_\-./:=@,+%~*?[\]]/.test(c)) {
      word = (word ?? '') + c;
      i++;
    } else {
      return false;
    }
  }
  endWord();
  return commands.every((words) => {
    const first = words[0]?.replace(/^@+/, '').toLowerCase();
    if (!first || first.includes('=') || first.startsWith(':')) return false;
    // cmd reads `exit/b`, `cd..` as exit and cd
    return !SHELL_STATE_WORDS.has(first) && !SHELL_STATE_WORDS.has(first.split(/[/.:,+[]/)[0]!);
  });
}

/** The text of `shWrap(s)` given back, or null when `wrapped` is not exactly that. */
export function unwrapSh(wrapped: string): string | null {
  const m = /^sh -c '((?:[^']|'\\'')*)'$/.exec(wrapped);
  return m ? m[1]!.replace(/'\\''/g, "'") : null;
}

/**
 * An existing script with the hook after it. A plain script (chainsPlainly) gets `<script> && <hook>`,
 * which every shell npm uses reads the same. Any other shell text could swallow or skip an appended
 * hook (`foo;`, `foo &`, `foo # note`, a heredoc, `exit 0`, `cd sub`): it runs whole, as npm would
 * run it, in `sh -c '<script>'`, single-quoted so sh never looks inside, and its exit status decides
 * whether the hook runs. That form needs sh, npm's script shell everywhere but Windows.
 */
export function chainHook(existing: string, hook: string): { script: string; wrapped: boolean } {
  return chainsPlainly(existing)
    ? { script: existing + CHAIN + hook, wrapped: false }
    : { script: shWrap(existing) + CHAIN + hook, wrapped: true };
}

/**
 * The hook script as any version of init writes it: the import of the hook file, then code without
 * a double quote up to the closing one. Lets a newer init update, and --remove take out, older text.
 */
const hookPattern = (event: HookEvent) =>
  new RegExp(`node -e "import\\('native-guard/hooks/${event}\\.js'\\)[^"]*"`);

/** The user's script before `" && " + <init's hook>` at the end of `existing`, or null. */
function wiredAfter(existing: string, event: HookEvent): string | null {
  const hook = hookPattern(event).exec(existing)?.[0];
  return hook !== undefined && existing.endsWith(CHAIN + hook)
    ? existing.slice(0, -(CHAIN + hook).length)
    : null;
}

export interface InitOptions {
  /** Write `"strict": true` into the nativeGuard block. */
  strict?: boolean;
  /** Write `"targets"` into the nativeGuard block. */
  targets?: string[];
}

/** What `init` or `init --remove` changes (or leaves) in package.json. Data only: the command words it. */
export type InitChange =
  | { kind: 'script-added'; event: HookEvent; script: string }
  /** `wrapped`: the existing script now runs in `sh -c '…'` (see chainHook). */
  | { kind: 'script-chained'; event: HookEvent; before: string; after: string; wrapped: boolean }
  | { kind: 'script-present'; event: HookEvent }
  /** An earlier version's hook text, replaced by this version's. */
  | { kind: 'script-updated'; event: HookEvent; before: string; after: string }
  /** The script mentions the hook file but is not the text init writes: someone wired it by hand. */
  | { kind: 'script-custom'; event: HookEvent; script: string }
  | { kind: 'script-removed'; event: HookEvent; before: string }
  | { kind: 'script-unchained'; event: HookEvent; before: string; after: string }
  | { kind: 'scripts-removed' }
  | { kind: 'config-added'; config: ProjectConfig }
  | { kind: 'config-present'; config: ProjectConfig }
  | { kind: 'config-removed'; config: ProjectConfig }
  /** `--remove` keeps a block it cannot prove init wrote (it differs from what the given options write). */
  | { kind: 'config-kept'; config: unknown };

/** New values for the two top-level keys init touches: undefined leaves a key alone, null deletes it. */
export interface InitPlan {
  scripts?: Record<string, string> | null;
  nativeGuard?: ProjectConfig | null;
  changes: InitChange[];
}

/** Why init leaves package.json as it is; report/error-words.ts words it. */
export class InitError extends CodedError<'init'> {
  constructor(fact: InitErrorFact, code = 'EINIT') {
    super('init', fact, code);
    this.name = 'InitError';
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

function scriptsOf(manifest: Record<string, unknown>, file: string): Record<string, unknown> | undefined {
  const scripts = manifest.scripts;
  if (scripts === undefined) return undefined;
  if (!isPlainObject(scripts)) throw new InitError({ why: 'scripts-not-object', file });
  return scripts;
}

/** The block init writes for these options, keys in the README's order; null when there is nothing to write. */
export function configBlockFor(options: InitOptions): ProjectConfig | null {
  const block: ProjectConfig = {};
  if (options.targets?.length) block.targets = [...options.targets];
  if (options.strict) block.strict = true;
  return Object.keys(block).length ? block : null;
}

/**
 * Plans `init`: chains each hook onto an existing script (chainHook: `foo` → `foo && <hook>`, or
 * `sh -c '<script>' && <hook>` for shell text a hook cannot follow plainly), adds it where there is
 * none, and adds a nativeGuard block when options are given. Idempotent: a manifest init already
 * wired plans no change. It never alters an existing nativeGuard block, so `--remove` has nothing to
 * restore there.
 */
export function planInit(
  manifest: Record<string, unknown>,
  options: InitOptions,
  file = 'package.json',
): InitPlan {
  const changes: InitChange[] = [];
  const current = scriptsOf(manifest, file);
  const scripts: Record<string, unknown> = { ...current };
  let scriptsChanged = false;
  for (const event of HOOK_EVENTS) {
    const ours = hookScript(event);
    const existing = scripts[event];
    if (existing === undefined) {
      scripts[event] = ours;
      scriptsChanged = true;
      changes.push({ kind: 'script-added', event, script: ours });
    } else if (typeof existing !== 'string') {
      throw new InitError({ why: 'script-not-string', file, event });
    } else if (wiredAfter(existing, event) !== null) {
      // init's hook (this version's text or an earlier one's) after the user's script: chain that
      // script again, so an earlier init's " && " onto text it could not chain onto gets wrapped
      const before = wiredAfter(existing, event)!;
      const after = unwrapSh(before) !== null ? before + CHAIN + ours : chainHook(before, ours).script;
      if (after === existing) {
        changes.push({ kind: 'script-present', event });
      } else {
        scripts[event] = after;
        scriptsChanged = true;
        changes.push({ kind: 'script-updated', event, before: existing, after });
      }
    } else if (existing.includes(ours)) {
      changes.push({ kind: 'script-present', event });
    } else if (hookPattern(event).test(existing)) {
      const after = existing.replace(hookPattern(event), () => ours);
      scripts[event] = after;
      scriptsChanged = true;
      changes.push({ kind: 'script-updated', event, before: existing, after });
    } else if (existing.includes(`native-guard/hooks/${event}.js`)) {
      changes.push({ kind: 'script-custom', event, script: existing });
    } else if (existing.trim() === '') {
      // `"" && hook` is a shell syntax error, and replacing "" could not be undone exactly
      throw new InitError({ why: 'script-empty', file, event });
    } else {
      const { script: after, wrapped } = chainHook(existing, ours);
      scripts[event] = after;
      scriptsChanged = true;
      changes.push({ kind: 'script-chained', event, before: existing, after, wrapped });
    }
  }

  const plan: InitPlan = { changes };
  if (scriptsChanged) plan.scripts = scripts as Record<string, string>;

  const wanted = configBlockFor(options);
  if (wanted) {
    const existing = manifest.nativeGuard;
    if (existing === undefined) {
      plan.nativeGuard = wanted;
      changes.push({ kind: 'config-added', config: wanted });
    } else {
      const block = isPlainObject(existing) ? existing : {};
      const differs = (Object.keys(wanted) as Array<keyof ProjectConfig>).filter(
        (key) => !sameJsonValue(block[key], wanted[key]),
      );
      if (differs.length) {
        // init writes only a new block, so that "init --remove" never has an old one to rebuild
        const settings = differs.map((k): [string, unknown] => [k, wanted[k]]);
        throw new InitError({ why: 'config-differs', file, settings });
      }
      changes.push({ kind: 'config-present', config: wanted });
    }
  }
  return plan;
}

/**
 * Plans `init --remove`: takes out exactly the text init added (a hook script init created is
 * deleted, a chained one gets its old command back) and deletes a `"scripts"` object left empty.
 * The nativeGuard block goes only when it is exactly the block init writes for the given options:
 * nothing else in package.json says whether init wrote it or the user did.
 */
export function planRemove(
  manifest: Record<string, unknown>,
  options: InitOptions,
  file = 'package.json',
): InitPlan {
  const changes: InitChange[] = [];
  const current = scriptsOf(manifest, file);
  const plan: InitPlan = { changes };
  if (current) {
    const scripts: Record<string, unknown> = { ...current };
    let changed = false;
    for (const event of HOOK_EVENTS) {
      const existing = scripts[event];
      if (typeof existing !== 'string') continue;
      // this version's text, or an earlier version's
      const ours = hookPattern(event).exec(existing)?.[0] ?? hookScript(event);
      if (existing === ours) {
        delete scripts[event];
        changed = true;
        changes.push({ kind: 'script-removed', event, before: existing });
        continue;
      }
      let after: string | null = null;
      if (existing.endsWith(CHAIN + ours)) {
        const before = existing.slice(0, -(CHAIN + ours).length);
        after = unwrapSh(before) ?? before;
      } else if (existing.includes(CHAIN + ours)) after = existing.replace(CHAIN + ours, () => '');
      else if (existing.startsWith(ours + CHAIN)) after = existing.slice((ours + CHAIN).length);
      if (after !== null) {
        scripts[event] = after;
        changed = true;
        changes.push({ kind: 'script-unchained', event, before: existing, after });
      } else if (existing.includes(`native-guard/hooks/${event}.js`)) {
        changes.push({ kind: 'script-custom', event, script: existing });
      }
    }
    if (changed) {
      if (Object.keys(scripts).length === 0) {
        plan.scripts = null;
        changes.push({ kind: 'scripts-removed' });
      } else {
        plan.scripts = scripts as Record<string, string>;
      }
    }
  }
  if (manifest.nativeGuard !== undefined) {
    const written = configBlockFor(options);
    if (written && sameJsonValue(manifest.nativeGuard, written)) {
      plan.nativeGuard = null;
      changes.push({ kind: 'config-removed', config: written });
    } else {
      changes.push({ kind: 'config-kept', config: manifest.nativeGuard });
    }
  }
  return plan;
}

/** True when the plan writes anything. */
export const planChanges = (plan: InitPlan): boolean =>
  plan.scripts !== undefined || plan.nativeGuard !== undefined;

/**
 * Deep equality of parsed JSON, keys in order. Iterative: JSON.parse accepts nesting thousands of
 * levels deep that a recursive walk (JSON.stringify included) cannot follow.
 */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  const pending: Array<[unknown, unknown]> = [[a, b]];
  for (let pair = pending.pop(); pair; pair = pending.pop()) {
    const [x, y] = pair;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length || kx.some((k, i) => k !== ky[i])) return false;
    for (const k of kx) pending.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
  }
  return true;
}
