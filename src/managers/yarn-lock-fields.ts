/** Small readers of yarn.lock fields: resolutions as sources, dependenciesMeta, conditions. */
import semver from 'semver';
import { entriesOf, isRecord, own, splitAtVersion } from './shared.js';
import type { DependencyMeta, PackageSource } from './types.js';

export type Target = { kind: 'package'; id: string } | { kind: 'workspace'; path: string };

export const targetKey = (t: Target): string => (t.kind === 'package' ? `p:${t.id}` : `w:${t.path}`);

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export const hasKey = (v: unknown, key: string): boolean => own(v, key) !== undefined;

export function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function readMeta(v: unknown): Record<string, DependencyMeta> {
  const out: Array<[string, DependencyMeta]> = [];
  for (const [name, raw] of entriesOf(v)) {
    if (!isRecord(raw)) continue;
    const meta: DependencyMeta = {};
    for (const field of ['built', 'optional', 'unplugged'] as const) {
      const value = own(raw, field);
      if (value === true || value === 'true') meta[field] = true;
      else if (value === false || value === 'false') meta[field] = false;
    }
    out.push([name, meta]);
  }
  return Object.fromEntries(out);
}

/** dependenciesMeta keys are a name, or `name@version` for one version only. */
export function metaFor(meta: Record<string, DependencyMeta>, name: string): DependencyMeta | undefined {
  return own(meta, name) as DependencyMeta | undefined;
}

export const TARBALL = /\.(tgz|tar\.gz|tar)$/;

export function berrySource(reference: string): { source: PackageSource; patched: boolean } {
  if (reference.startsWith('patch:')) {
    const inner = decode(reference.slice('patch:'.length).split('#')[0] as string);
    const innerRef = inner === null ? null : splitAtVersion(inner);
    return { source: innerRef ? berrySource(innerRef[1]).source : 'other', patched: true };
  }
  const protocol = /^([a-z][a-z0-9+.-]*):/i.exec(reference)?.[1]?.toLowerCase() ?? '';
  const path = reference.replace(/^[a-z][a-z0-9+.-]*:/i, '').split(/#|::/)[0] as string;
  switch (protocol) {
    case 'npm':
      return { source: 'registry', patched: false };
    case 'file':
      return { source: TARBALL.test(path) ? 'file' : 'directory', patched: false };
    case 'link':
    case 'portal':
      return { source: 'link', patched: false };
    case 'git':
    case 'git+ssh':
    case 'git+https':
    case 'git+http':
    case 'git+file':
    case 'github':
    case 'gitlab':
    case 'bitbucket':
    case 'ssh':
      return { source: 'git', patched: false };
    case 'http':
    case 'https':
      return { source: /\.git(#|$)/.test(reference) ? 'git' : 'tarball', patched: false };
    default:
      return { source: 'other', patched: false };
  }
}

export function classicSource(range: string, resolved: string | undefined, version: string): PackageSource {
  const where = resolved ?? range;
  if (range.startsWith('file:') || where.startsWith('file:')) {
    return TARBALL.test(where.split('#')[0] as string) ? 'file' : 'directory';
  }
  if (range.startsWith('link:')) return 'link';
  if (
    /^(git\+|git:|github:|gitlab:|bitbucket:|ssh:)/.test(range) ||
    /^(git\+|git:|ssh:)/.test(where) ||
    /^https:\/\/codeload\.github\.com\//.test(where) ||
    /\.git(#|$)/.test(where)
  ) {
    return 'git';
  }
  if (resolved === undefined) return semver.valid(version) ? 'registry' : 'other';
  // registry tarballs are `<registry>/<name>/-/<file>.tgz`; anything else is a plain URL
  if (/^https?:\/\//.test(resolved)) return /\/-\/[^/]+\.tgz(#|$)/.test(resolved) ? 'registry' : 'tarball';
  return 'other';
}

/**
 * Berry's `conditions`, as Yarn writes it from os/cpu/libc: `field=value` tokens, `!field=value`
 * for a negated value, several values of one field as `(a | b)`, fields joined by ` & `.
 * Negated values come back in npm's own form (`!win32`). null when a token is not of that form.
 */
export function parseConditions(text: string): { os?: string[]; cpu?: string[]; libc?: string[] } | null {
  const fields: { os?: string[]; cpu?: string[]; libc?: string[] } = {};
  for (const part of text.split('&')) {
    const inner = part.trim().replace(/^\((.*)\)$/, '$1');
    for (const token of inner.split('|')) {
      const m = /^(!?)(os|cpu|libc)=([^\s()&|]+)$/.exec(token.trim());
      if (!m) return null;
      const field = m[2] as 'os' | 'cpu' | 'libc';
      (fields[field] ??= []).push(`${m[1]}${m[3]}`);
    }
  }
  return fields;
}
