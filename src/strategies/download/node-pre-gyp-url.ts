/** How node-pre-gyp turns its `binary` templates into URLs and paths (eval_template, url.resolve), with its own errors. */
import { js, ToolStop } from './shared.js';

/** eval_template: every `{key}` of every option, in the options' insertion order, with String.replace semantics. */
export function evalTemplate(template: unknown, opts: ReadonlyMap<string, unknown>): string {
  if (typeof template !== 'string')
    throw new ToolStop('BAD_BINARY_CONFIG', `template ${js(template)} is not a string`);
  let out = template;
  for (const [key, value] of opts) {
    const pattern = '{' + key + '}';
    // the tool loops until the pattern is gone: a value that contains its own pattern never ends
    for (let n = 0; out.includes(pattern); n++) {
      if (n > 1000) throw new ToolStop('BAD_BINARY_CONFIG', `{${key}} expands to itself`);
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
    throw new ToolStop('BAD_BINARY_CONFIG', `binary.host ${base} is not an absolute URL`);
  }
}

/** url.parse(host).protocol === 'http:' — node-pre-gyp refuses plain http hosts. */
export const isHttp = (host: string): boolean =>
  /^[a-z0-9.+-]+:/i.exec(host.trim())?.[0].toLowerCase() === 'http:';

/** Stands in for a template value the tool sets but the target does not tell (`{libc_version}` of a Linux target with no libc version). */
export const unknownValue = (name: string): string => `\uE000${name}\uE000`;

/**
 * Neither the tool's stop nor its URL: the templates evaluated to a URL that is not known (a value
 * the target does not tell) or cannot exist (a `{word}` the fork does not set, which eval_template
 * leaves as written, so the tool asks for a name with braces in it). The tool would request it and
 * go on to its fallback; the plan has no URL to give or to probe.
 */
export class NotComputable extends ToolStop {}

const UNKNOWN = /\uE000([^\uE000]*)\uE000/g;
const UNSET = /\{[A-Za-z_][A-Za-z0-9_]*\}/g;

/** Throws NotComputable when an evaluated URL part still holds an unknown value or an unset `{word}`. */
export function checkExpanded(parts: readonly string[]): void {
  const text = parts.join('\n');
  const unknown = [...new Set([...text.matchAll(UNKNOWN)].map((m) => `{${m[1]}}`))];
  if (unknown.length) throw new NotComputable('TEMPLATE_VALUE_UNKNOWN', unknown.join(' '));
  const unset = [...new Set(text.match(UNSET) ?? [])];
  if (unset.length) throw new NotComputable('TEMPLATE_UNSET', unset.join(' '));
}
