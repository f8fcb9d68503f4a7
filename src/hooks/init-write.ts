// Writing an init plan back: package.json edited member by member so every other byte stays, checked
// to mean exactly the plan, and replaced without a moment where it is partly written.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseJsonText } from '../io/files.js';
import { HOOK_EVENTS, InitError, sameJsonValue } from './init-plan.js';
import type { InitPlan } from './init-plan.js';
import {
  applyEdits,
  carryRaw,
  fileStyle,
  insertMembers,
  isScanError,
  removeMembers,
  scanObject,
  scanTopObject,
} from './init-text.js';
import type { ObjectText, TextEdit } from './init-text.js';

/** The manifest after the plan: what package.json must parse to once init has written it. */
export function applyPlan(manifest: Record<string, unknown>, plan: InitPlan): Record<string, unknown> {
  const next: Record<string, unknown> = { ...manifest };
  if (plan.scripts === null) delete next.scripts;
  else if (plan.scripts) next.scripts = plan.scripts;
  if (plan.nativeGuard === null) delete next.nativeGuard;
  else if (plan.nativeGuard) next.nativeGuard = plan.nativeGuard;
  return next;
}

/** The one member named `key`, its index or -1; a key written twice is refused (npm reads only the last). */
function memberIndex(obj: ObjectText, key: string, label: string, file: string): number {
  const found = obj.members.flatMap((m, i) => (m.key === key ? [i] : []));
  if (found.length > 1) {
    throw new InitError({ why: 'duplicate-key', file, label, count: found.length });
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
    throw new InitError({ why: 'edit-unsafe', file });
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
    throw new InitError({ why: 'cannot-write', file, error: e.code ?? e.message }, 'EWRITE');
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
