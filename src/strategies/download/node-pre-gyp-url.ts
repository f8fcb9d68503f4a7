/** How node-pre-gyp turns its `binary` templates into URLs and paths (eval_template, url.resolve), with its own errors. */
import { js, ToolStop } from './shared.js';
import type { DownloadProblem } from './types.js';

/** eval_template: every `{key}` of every option, in the options' insertion order, with String.replace semantics. */
export function evalTemplate(template: unknown, opts: ReadonlyMap<string, unknown>): string {
  if (typeof template !== 'string')
    throw new ToolStop('BAD_BINARY_CONFIG', { why: 'template-not-string', template: js(template) });
  let out = template;
  for (const [key, value] of opts) {
    const pattern = '{' + key + '}';
    // the tool loops until the pattern is gone: a value that contains its own pattern never ends
    for (let n = 0; out.includes(pattern); n++) {
      if (n > 1000) throw new ToolStop('BAD_BINARY_CONFIG', { why: 'template-loop', key });
      out = out.replace(pattern, js(value));
    }
  }
  return out;
}

export const fixSlashes = (s: string): string => (s.endsWith('/') ? s : s + '/');
export const dropDoubleSlashes = (s: string): string => s.replace(/\/\//g, '/');

/**
 * url.resolve for the URLs node-pre-gyp builds. The WHATWG resolver gives the same result for
 * an absolute base and a relative path; it escapes fewer characters than the legacy parser
 * (`'` and `|` stay as they are), which no real binary template uses.
 */
export function resolveUrl(base: string, relative: string): string {
  try {
    return new URL(relative, base).href;
  } catch {
    throw new ToolStop('BAD_BINARY_CONFIG', { why: 'host-not-absolute', host: base });
  }
}

/** url.parse(host).protocol === 'http:' — node-pre-gyp refuses plain http hosts. */
export const isHttp = (host: string): boolean =>
  /^[a-z0-9.+-]+:/i.exec(host.trim())?.[0].toLowerCase() === 'http:';

/** Stands in for a template value the tool sets but the target does not tell (`{libc_version}` of a Linux target with no libc version). */
export const unknownValue = (name: string): string => `\uE000${name}\uE000`;

/**
 * Why the evaluated URL parts give no URL, if they don't: a value the target does not tell
 * (TEMPLATE_VALUE_UNKNOWN), or a `{word}` the fork does not set (TEMPLATE_UNSET), which
 * eval_template leaves as written, so the tool asks for a name with braces in it, which cannot
 * exist. The tool would request it and go on to its fallback; the plan has no URL to give or probe.
 */
export function notComputable(parts: readonly string[]): DownloadProblem | undefined {
  const text = parts.join('\n');
  const unknown = [...new Set([...text.matchAll(UNKNOWN)].map((m) => `{${m[1]}}`))];
  if (unknown.length)
    return { code: 'TEMPLATE_VALUE_UNKNOWN', reason: { why: 'template-value-unknown', words: unknown } };
  const unset = [...new Set(text.match(UNSET) ?? [])];
  if (unset.length) return { code: 'TEMPLATE_UNSET', reason: { why: 'template-unset', words: unset } };
  return undefined;
}

/** Whether an evaluated template holds a value the target does not tell. */
export const hasUnknownValue = (text: string): boolean => text.includes('\uE000');

const UNKNOWN = /\uE000([^\uE000]*)\uE000/g;
const UNSET = /\{[A-Za-z_][A-Za-z0-9_]*\}/g;
