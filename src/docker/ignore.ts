/**
 * `.dockerignore` as Docker applies it. Matching is @balena/dockerignore (a port of moby's
 * fileutils/patternmatcher, used by dockerode to pack build contexts), with three corrections so it
 * agrees with moby/patternmatcher as BuildKit uses it today:
 *
 * - case-sensitive (the library defaults to ignoring case; Docker on Linux does not);
 * - `+ ( ) { } |` are literal characters, as patternmatcher escapes them (the library passes them into
 *   its regular expression, so `c++` fails to compile and `a(b)` never matches);
 * - file reading per `ignorefile.ReadAll`: a UTF-8 BOM is dropped and `#` starts a comment only in the
 *   first column.
 *
 * `mayReinclude` is BuildKit's rule (tonistiigi/fsutil `filter.go`) for when an excluded folder must
 * still be walked because an exception (`!pattern`) can bring back something inside it.
 * Pure; never throws: a pattern that cannot compile is returned as a problem.
 */
import dockerignore from '@balena/dockerignore';

export interface IgnorePattern {
  /** As Docker keeps it: cleaned, leading `/` dropped, without the `!`. */
  pattern: string;
  exclusion: boolean;
  line: number;
}

export interface IgnoreRules {
  patterns: IgnorePattern[];
  /** Whether `path` (context-relative, `/`-separated) is left out of the build context. */
  ignores(path: string): boolean;
  /** Whether an exception could re-include something inside the excluded folder `dir`. */
  mayReinclude(dir: string): boolean;
  problems: Array<{ line: number; pattern: string; detail: string }>;
}

/** moby ignorefile.ReadAll: patterns in order, each cleaned, `!` kept as the exclusion marker. */
export function readIgnoreLines(text: string): Array<{ raw: string; line: number }> {
  const out: Array<{ raw: string; line: number }> = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((rawLine, i) => {
      if (rawLine.startsWith('#')) return;
      let pattern = rawLine.trim();
      if (pattern === '') return;
      const invert = pattern.startsWith('!');
      if (invert) pattern = pattern.slice(1).trim();
      if (pattern.length > 0) {
        pattern = cleanPath(pattern);
        if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
      }
      out.push({ raw: (invert ? '!' : '') + pattern, line: i + 1 });
    });
  return out;
}

/** Go's path.Clean for `/`-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** Escapes what patternmatcher treats as literal but a JavaScript RegExp would not. */
function escapeLiterals(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
    } else if ('+(){}|'.includes(ch)) {
      out += `\\${ch}`;
    } else out += ch;
  }
  return out;
}

/** Pattern characters that make BuildKit give up skipping excluded folders (fsutil `patternChars`). */
const PATTERN_CHARS = /[*[\]?^\\]/;

function withoutTrailingGlob(pattern: string): string {
  return pattern.endsWith('/**')
    ? pattern.slice(0, -3)
    : pattern.endsWith('**')
      ? pattern.slice(0, -2)
      : pattern;
}

export function compileIgnore(text: string): IgnoreRules {
  const lines = readIgnoreLines(text);
  const problems: IgnoreRules['problems'] = [];
  const patterns: IgnorePattern[] = [];
  const matcher = dockerignore.default({ ignorecase: false });
  for (const { raw, line } of lines) {
    const exclusion = raw.startsWith('!');
    const pattern = exclusion ? raw.slice(1) : raw;
    if (pattern === '') {
      problems.push({ line, pattern: raw, detail: 'illegal exclusion pattern "!"' });
      continue;
    }
    const entry = (exclusion ? '!' : '') + escapeLiterals(pattern);
    try {
      // compile now: the library compiles lazily and would throw in the middle of a walk
      dockerignore.default({ ignorecase: false }).add(entry).ignores('x');
    } catch (err) {
      problems.push({ line, pattern: raw, detail: (err as Error).message });
      continue;
    }
    matcher.add(entry);
    patterns.push({ pattern, exclusion, line });
  }
  const exceptions = patterns.filter((p) => p.exclusion);
  const prefixOnly = exceptions.every((p) => !PATTERN_CHARS.test(withoutTrailingGlob(p.pattern)));
  return {
    patterns,
    problems,
    ignores: (path) => path !== '' && path !== '.' && patterns.length > 0 && matcher.ignores(path),
    mayReinclude(dir) {
      if (exceptions.length === 0) return false;
      if (!prefixOnly) return true;
      const dirSlash = `${dir}/`;
      return exceptions.some((p) => `${withoutTrailingGlob(p.pattern)}/`.startsWith(dirSlash));
    },
  };
}
