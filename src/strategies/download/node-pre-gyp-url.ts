/** How node-pre-gyp turns its `binary` templates into URLs and paths (eval_template, url.resolve), with its own errors. */
import { js, ToolStop } from './shared.js';

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
