// `native-guard init` as a function: read package.json, plan (init-plan.ts), write back (init-write.ts).
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import mapWorkspaces from '@npmcli/map-workspaces';
import { parseJsonText, readRegularFile } from '../io/files.js';
import { InitError, isPlainObject, planChanges, planInit, planRemove } from './init-plan.js';
import type { InitChange, InitOptions } from './init-plan.js';
import { editPackageText, replaceFileAtomically } from './init-write.js';

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
    const file = join(root, 'package.json');
    throw new InitError({ why: 'workspaces-unreadable', file, error: (err as Error).message });
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
    if (e.code === 'ENOENT') throw new InitError({ why: 'no-package-json', root }, 'ENOPACKAGEJSON');
    throw new InitError({ why: 'cannot-read', file, error: e.code ?? e.message });
  }
  // bytes that are not UTF-8 read as U+FFFD, and writing the text back would change them
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(readFileSync(file))) {
    throw new InitError({ why: 'not-utf8', file });
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
    throw new InitError({ why: 'invalid-json', file, error: (err as Error).message.split('\n')[0] ?? '' });
  }
  if (!isPlainObject(manifest)) throw new InitError({ why: 'not-an-object', file });

  if (!options.remove) {
    const owner = await owningWorkspaceRoot(root);
    if (owner) {
      // the hooks belong in the root, whose install checks every workspace
      throw new InitError({ why: 'workspace-member', root, owner });
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
