import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import mapWorkspaces from '@npmcli/map-workspaces';
import PackageJson from '@npmcli/package-json';
import type { ProjectConfig } from './config.js';

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
 * The hook script as any version of init writes it: the import of the hook file, then code without
 * a double quote up to the closing one. Lets a newer init update, and --remove take out, older text.
 */
const hookPattern = (event: HookEvent) =>
  new RegExp(`node -e "import\\('native-guard/hooks/${event}\\.js'\\)[^"]*"`);

export interface InitOptions {
  /** Write `"strict": true` into the nativeGuard block. */
  strict?: boolean;
  /** Write `"targets"` into the nativeGuard block. */
  targets?: string[];
}

/** What `init` or `init --remove` changes (or leaves) in package.json. Data only: the command words it. */
export type InitChange =
  | { kind: 'script-added'; event: HookEvent; script: string }
  | { kind: 'script-chained'; event: HookEvent; before: string; after: string }
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

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Plans `init`: chains each hook onto an existing script (`foo` → `foo && <hook>`), adds it where there
 * is none, and adds a nativeGuard block when options are given. Idempotent: a manifest init already
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
      const after = existing + CHAIN + ours;
      scripts[event] = after;
      scriptsChanged = true;
      changes.push({ kind: 'script-chained', event, before: existing, after });
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
        (key) => !sameJson(block[key], wanted[key]),
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
      if (existing.includes(CHAIN + ours)) after = existing.replace(CHAIN + ours, () => '');
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
    if (written && sameJson(manifest.nativeGuard, written)) {
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

/** Exactly what @npmcli/package-json's save() writes for this content (its indent and newline symbols). */
export function npmFormat(content: Record<string | symbol, unknown>): string {
  const indent = content[Symbol.for('indent')];
  const newline = content[Symbol.for('newline')];
  const format = typeof indent === 'string' ? indent : '  ';
  const eol = typeof newline === 'string' ? newline : '\n';
  return `${JSON.stringify(content, null, format)}\n`.replace(/\n/g, eol);
}

const BOM = '\uFEFF';
const finalNewline = (text: string) => /\r?\n$/.exec(text)?.[0] ?? '';

/**
 * npm's writer always ends the file with its newline and drops a byte-order mark; a file that had
 * neither a final newline nor that newline (a one-line package.json ending in "\n") gets its own
 * edges back, so `init --remove` can return the original bytes.
 */
export function keepEdges(written: string, original: string): string {
  let body = written.startsWith(BOM) ? written.slice(BOM.length) : written;
  body = body.slice(0, body.length - finalNewline(body).length) + finalNewline(original);
  return (original.startsWith(BOM) ? BOM : '') + body;
}

/** True when npm's writer gives back these exact bytes (after its edges): init then changes only its own keys. */
export function isNpmFormatted(text: string, content: Record<string | symbol, unknown>): boolean {
  return keepEdges(npmFormat(content), text) === text;
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
  /** The file was not laid out the way npm writes package.json, and init rewrote it that way. */
  reformatted: boolean;
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
      manifest = JSON.parse(readFileSync(join(parent, 'package.json'), 'utf8'));
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

/**
 * `native-guard init` as a function: reads package.json with @npmcli/package-json, plans, and saves
 * with npm's own writer (indentation and newline style kept). Refuses a workspace member: the root's
 * hooks run once per install and check every member.
 */
export async function initProject(options: InitProjectOptions = {}): Promise<InitResult> {
  const root = resolve(options.cwd ?? process.cwd());
  const file = join(root, 'package.json');
  let original: string;
  try {
    original = readFileSync(file, 'utf8');
  } catch {
    throw new InitError(`no package.json in ${root}`, 'ENOPACKAGEJSON');
  }
  let pkg: PackageJson;
  try {
    pkg = await PackageJson.load(root);
  } catch (err) {
    throw new InitError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const manifest = pkg.content as Record<string, unknown>;
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
  const reformatted = changed && !isNpmFormatted(original, pkg.content);
  if (changed) {
    if (plan.scripts === null) delete manifest.scripts;
    else if (plan.scripts) pkg.update({ scripts: plan.scripts });
    if (plan.nativeGuard === null) delete manifest.nativeGuard;
    else if (plan.nativeGuard) pkg.update({ nativeGuard: plan.nativeGuard });
    await pkg.save();
    const written = readFileSync(file, 'utf8');
    const edged = keepEdges(written, original);
    if (edged !== written) writeFileSync(file, edged);
  }
  const deps = ['dependencies', 'devDependencies', 'optionalDependencies'].map((k) => manifest[k]);
  return {
    file,
    remove: !!options.remove,
    changed,
    changes: plan.changes,
    reformatted,
    workspaces: [...members.keys()],
    dependency: deps.some((d) => isPlainObject(d) && 'native-guard' in d),
  };
}
