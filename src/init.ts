import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import mapWorkspaces from '@npmcli/map-workspaces';
import type { ProjectConfig } from './config.js';
import {
  applyEdits,
  carryRaw,
  fileStyle,
  insertMembers,
  isScanError,
  removeMembers,
  scanObject,
  scanTopObject,
  shWrap,
} from './init-text.js';
import type { ObjectText, TextEdit } from './init-text.js';
import { parseJsonText, readRegularFile } from './io/files.js';

export type HookEvent = 'preinstall' | 'postinstall';
export const HOOK_EVENTS: readonly HookEvent[] = ['preinstall', 'postinstall'];

/** The command each hook runs, for the skip line when native-guard is not installed. */
const HOOK_COMMAND: Record<HookEvent, string> = { preinstall: 'check', postinstall: 'verify' };

/**
 * The exact script text `init` writes. It must survive a missing native-guard (`npm ci --omit=dev`,
 * or a root preinstall that runs before dependencies exist), so it is not a call of the bin: `node -e`
 * imports the hook by its package path (a bare specifier resolves from the cwd, the package root) and
 * only "module not found" becomes a one-line skip. Shell-neutral for sh, cmd and PowerShell: the code
 * sits in one pair of double quotes and uses none of `"`, `$`, `` ` ``, `\`, `%` or `!` (single quotes
 * inside double quotes are plain characters for all three).
 */
export function hookScript(event: HookEvent): string {
  return (
    `node -e "import('native-guard/hooks/${event}.js').catch(e=>{if(e.code==='ERR_MODULE_NOT_FOUND')` +
    `console.log('native-guard ${HOOK_COMMAND[event]}: skipped: native-guard is not installed (npm ci --omit=dev?)');` +
    `else throw e})"`
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

export class InitError extends Error {
  readonly code: string;
  constructor(message: string, code = 'EINIT') {
    super(message);
    this.name = 'InitError';
    this.code = code;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

function scriptsOf(manifest: Record<string, unknown>, file: string): Record<string, unknown> | undefined {
  const scripts = manifest.scripts;
  if (scripts === undefined) return undefined;
  if (!isPlainObject(scripts)) throw new InitError(`${file}: "scripts" must be an object`);
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
      throw new InitError(`${file}: "scripts.${event}" must be a string`);
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
      throw new InitError(
        `${file}: "scripts.${event}" is an empty string: delete it or give it a command, then run init again`,
      );
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
        const settings = differs.map((k) => `"${k}": ${JSON.stringify(wanted[k])}`).join(', ');
        throw new InitError(
          `${file} already has a "nativeGuard" block: set ${settings} in it by hand ` +
            `(init writes only a new block, so that "init --remove" never has an old one to rebuild)`,
        );
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

/** The manifest after the plan: what package.json must parse to once init has written it. */
export function applyPlan(manifest: Record<string, unknown>, plan: InitPlan): Record<string, unknown> {
  const next: Record<string, unknown> = { ...manifest };
  if (plan.scripts === null) delete next.scripts;
  else if (plan.scripts) next.scripts = plan.scripts;
  if (plan.nativeGuard === null) delete next.nativeGuard;
  else if (plan.nativeGuard) next.nativeGuard = plan.nativeGuard;
  return next;
}

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

/** The one member named `key`, its index or -1; a key written twice is refused (npm reads only the last). */
function memberIndex(obj: ObjectText, key: string, label: string, file: string): number {
  const found = obj.members.flatMap((m, i) => (m.key === key ? [i] : []));
  if (found.length > 1) {
    throw new InitError(
      `${file}: "${label}" is written ${found.length} times (npm reads only the last): ` +
        'keep one, then run init again',
    );
  }
  return found[0] ?? -1;
}

/**
 * package.json text with the plan applied by editing only init's own members (see init-text.ts):
 * everything else keeps its bytes. The result is parsed again and must mean exactly the plan.
 */
export function editPackageText(
  text: string,
  manifest: Record<string, unknown>,
  plan: InitPlan,
  file = 'package.json',
): string {
  const edits: TextEdit[] = [];
  let out: string;
  try {
    const style = fileStyle(text);
    const top = scanTopObject(text);
    const topRemove = new Set<number>();
    const topAdd: Array<[string, unknown]> = [];
    // a key written twice matters only where init edits: npm reads the last, and so does the plan
    const scriptsAt = plan.scripts === undefined ? -1 : memberIndex(top, 'scripts', 'scripts', file);
    if (plan.scripts === null) {
      topRemove.add(scriptsAt);
    } else if (plan.scripts && scriptsAt === -1) {
      topAdd.push(['scripts', plan.scripts]);
    } else if (plan.scripts) {
      const scripts = scanObject(text, top.members[scriptsAt]!.valueStart);
      const remove = new Set<number>();
      const add: Array<[string, unknown]> = [];
      for (const event of HOOK_EVENTS) {
        const at = memberIndex(scripts, event, `scripts.${event}`, file);
        const want = plan.scripts[event];
        if (at === -1) {
          if (want !== undefined) add.push([event, want]);
          continue;
        }
        if (want === undefined) {
          remove.add(at);
          continue;
        }
        const { valueStart, valueEnd } = scripts.members[at]!;
        const current: unknown = JSON.parse(text.slice(valueStart, valueEnd));
        if (typeof current === 'string' && current !== want) {
          const raw = carryRaw(text.slice(valueStart + 1, valueEnd - 1), want);
          edits.push({ start: valueStart, end: valueEnd, text: `"${raw}"` });
        }
      }
      if (remove.size) edits.push(...removeMembers(scripts, remove));
      if (add.length) edits.push(insertMembers(text, scripts, add, style));
    }
    if (plan.nativeGuard === null) topRemove.add(memberIndex(top, 'nativeGuard', 'nativeGuard', file));
    // planInit writes a block only where there is none
    else if (plan.nativeGuard) topAdd.push(['nativeGuard', plan.nativeGuard]);
    topRemove.delete(-1);
    if (topRemove.size) edits.push(...removeMembers(top, topRemove));
    if (topAdd.length) edits.push(insertMembers(text, top, topAdd, style));
    out = applyEdits(text, edits);
  } catch (err) {
    if (!isScanError(err)) throw err;
    out = '';
  }
  let means: unknown;
  try {
    means = parseJsonText(out);
  } catch {
    means = undefined;
  }
  if (!sameJsonValue(means, applyPlan(manifest, plan))) {
    throw new InitError(
      `${file}: init could not edit this file safely, so it left it unchanged (a bug: please report it)`,
    );
  }
  return out;
}

/**
 * Replaces a file without a moment where it is partly written: the new text goes to a temporary
 * file in the same folder (same file system, same mode and, where allowed, owner), is flushed to
 * disk, and is renamed over the old one. Any failure removes the temporary file and leaves the old
 * one as it was. A symlinked package.json is written where it points, and stays a symlink.
 */
export function replaceFileAtomically(file: string, text: string): void {
  let target: string;
  try {
    target = realpathSync(file);
  } catch {
    target = file;
  }
  const tmp = join(
    dirname(target),
    `.${basename(target)}.native-guard-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  let fd: number | undefined;
  let made = false;
  try {
    const before = statSync(target);
    fd = openSync(tmp, 'wx', before.mode & 0o777);
    made = true;
    const data = Buffer.from(text, 'utf8');
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
    fchmodSync(fd, before.mode & 0o777);
    try {
      fchownSync(fd, before.uid, before.gid);
    } catch {
      // only root may give a file away; anyone else keeps owning what they write
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
    made = false;
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // the write failed already; that is the error to report
      }
    }
    if (made) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing more to do: the old file is untouched either way
      }
    }
    const e = err as NodeJS.ErrnoException;
    throw new InitError(`cannot write ${file} (${e.code ?? e.message}): it is unchanged`, 'EWRITE');
  }
  try {
    // the rename is on disk once the folder is: best effort, as a folder cannot be opened on Windows
    const dir = openSync(dirname(target), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // the new file is in place; only its durability across a power cut is not proven
  }
}

export interface InitProjectOptions extends InitOptions {
  /** Project folder (default: the current directory). */
  cwd?: string;
  /** Take out what init added instead. */
  remove?: boolean;
}

export interface InitResult {
  /** The package.json init read (and wrote, when `changed`). */
  file: string;
  remove: boolean;
  changed: boolean;
  changes: InitChange[];
  /** Workspace members the root hooks cover (0 outside a workspace root). */
  workspaces: string[];
  /** native-guard is in dependencies, devDependencies or optionalDependencies. */
  dependency: boolean;
}

async function workspaceMembers(
  root: string,
  manifest: Record<string, unknown>,
): Promise<Map<string, string>> {
  if (manifest.workspaces === undefined) return new Map();
  try {
    return await mapWorkspaces({ cwd: root, pkg: manifest });
  } catch (err) {
    throw new InitError(`${join(root, 'package.json')}: cannot read "workspaces": ${(err as Error).message}`);
  }
}

const realpath = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** The workspace root that lists `dir` as a member, if any (looked for in every folder above it, as npm does). */
export async function owningWorkspaceRoot(dir: string): Promise<string | null> {
  const self = realpath(dir);
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    let manifest: unknown;
    try {
      // a regular file only: a FIFO named package.json above the project must not hang init
      manifest = parseJsonText(readRegularFile(join(parent, 'package.json')));
    } catch {
      manifest = null;
    }
    if (isPlainObject(manifest) && manifest.workspaces !== undefined) {
      const members = await mapWorkspaces({ cwd: parent, pkg: manifest }).catch(
        () => new Map<string, string>(),
      );
      for (const path of members.values()) if (realpath(path) === self) return parent;
    }
    if (dirname(parent) === parent) return null;
  }
}

/** package.json as text, refusing what init could not write back byte for byte. */
function readPackageText(root: string, file: string): string {
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new InitError(`no package.json in ${root}`, 'ENOPACKAGEJSON');
    throw new InitError(`${file}: cannot read it (${e.code ?? e.message})`);
  }
  // bytes that are not UTF-8 read as U+FFFD, and writing the text back would change them
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(readFileSync(file))) {
    throw new InitError(
      `${file}: not valid UTF-8 (npm reads it as UTF-8 too): fix its encoding, then run init again`,
    );
  }
  return text;
}

/**
 * `native-guard init` as a function: reads package.json, plans, and writes back only init's own
 * members (editPackageText), replacing the file atomically. Refuses a workspace member: the root's
 * hooks run once per install and check every member.
 */
export async function initProject(options: InitProjectOptions = {}): Promise<InitResult> {
  const root = resolve(options.cwd ?? process.cwd());
  const file = join(root, 'package.json');
  const original = readPackageText(root, file);
  let manifest: unknown;
  try {
    manifest = parseJsonText(original);
  } catch (err) {
    throw new InitError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isPlainObject(manifest)) throw new InitError(`${file}: not a JSON object`);

  if (!options.remove) {
    const owner = await owningWorkspaceRoot(root);
    if (owner) {
      throw new InitError(
        `${root} is a workspace of ${owner}: the hooks belong in the root, whose install checks every workspace. ` +
          `Run "native-guard init" there (-C ${owner})`,
      );
    }
  }
  const members = await workspaceMembers(root, manifest);

  const plan = options.remove ? planRemove(manifest, options, file) : planInit(manifest, options, file);
  const changed = planChanges(plan);
  if (changed) replaceFileAtomically(file, editPackageText(original, manifest, plan, file));
  const deps = ['dependencies', 'devDependencies', 'optionalDependencies'].map((k) => manifest[k]);
  return {
    file,
    remove: !!options.remove,
    changed,
    changes: plan.changes,
    workspaces: [...members.keys()],
    dependency: deps.some((d) => isPlainObject(d) && 'native-guard' in d),
  };
}
