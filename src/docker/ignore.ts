// `.dockerignore` as Docker applies it: moby/patternmatcher (`MatchesOrParentMatches`, what BuildKit
// applies through tonistiigi/fsutil), read here without a backtracking regular expression.
//
// patternmatcher turns each pattern into a Go regular expression (RE2: linear time). The same
// expression in a JavaScript RegExp backtracks: `**/*-*-*-*-*-*.log` against a 150-character name
// took over a minute. So a pattern is compiled to moby's match type (exact, prefix, suffix) or to
// moby's regexp pieces, run as a set-of-states automaton: time linear in the path for a given
// pattern, whatever the pattern. One pass over a path also answers for every parent folder (the
// prefixes before each `/`), which `MatchesOrParentMatches` asks for one by one.
//
// Semantics kept from moby: `*` and `?` stop at `/`; `**` (with the `/` after it) is `(.*/)?`, so it
// can be empty and is not tied to segment boundaries (`a**b` matches `ab` and `a/x/b`); a trailing
// `**` matches the rest; `.` in that regexp does not match a newline, as in Go; `[...]` classes with
// ranges and `^`; `\x` is x (`\d`, `\s`, `\w` and their capitals are Go's classes; other escaped
// letters and digits are reported, as Go's regexp rejects most of them); `+ ( ) { } | $ .` are
// literal; case-sensitive. A pattern Go's `filepath.Match` rejects (`[` unclosed, a trailing `\`) is
// reported as a problem, as is `!` alone. Inside `[...]`, `*`, `?` and `[` are literal characters
// (filepath.Match's reading; moby's regexp gives them an accidental meaning there). The file is read
// as moby's `ignorefile.ReadAll` does: a UTF-8 BOM is dropped and `#` starts a comment only in the
// first column.
//
// `mayReinclude` is BuildKit's rule (tonistiigi/fsutil `filter.go`) for when an excluded folder must
// still be walked because an exception (`!pattern`) can bring back something inside it.
// Pure; never throws: a pattern that cannot compile is returned as a problem.

import type { IgnorePatternProblem } from '../model/findings.js';

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
  problems: Array<{ line: number; pattern: string; problem: IgnorePatternProblem; char?: string }>;
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

const SLASH = 0x2f;
const NEWLINE = 0x0a;

/** One piece of moby's regexp for a pattern. */
type Piece =
  /** One code point the test accepts (a literal, `?` = `[^/]`, a `[...]` class, `\d`). */
  | { kind: 'one'; test: (cp: number) => boolean; literal?: string }
  /** `*`: `[^/]*`. */
  | { kind: 'star' }
  /** A trailing `**` after other pieces: `.*`. */
  | { kind: 'rest' }
  /** `**` (and the `/` after it) before more pattern: any text ending in `/`, or none. */
  | { kind: 'globstar' };

/** How moby matches a pattern (patternmatcher `matchType`), with what it needs. */
type Compiled =
  | { type: 'exact'; text: string }
  | { type: 'prefix'; text: string }
  | { type: 'suffix'; text: string }
  | { type: 'pieces'; run: (path: string) => boolean };

/** A pattern Docker rejects or native-guard cannot read as Docker does: a code (report/ words it). */
class PatternError extends Error {
  constructor(
    readonly problem: IgnorePatternProblem,
    readonly char?: string,
  ) {
    super(problem);
  }
}

const isAlnum = (cp: number) =>
  (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const isWord = (cp: number) => isAlnum(cp) || cp === 0x5f;
const isSpace = (cp: number) => cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
const isDigit = (cp: number) => cp >= 0x30 && cp <= 0x39;

/** Go regexp's Perl classes; null for any other escaped letter or digit. */
function perlClass(ch: string): ((cp: number) => boolean) | null {
  switch (ch) {
    case 'd':
      return isDigit;
    case 'D':
      return (cp) => !isDigit(cp);
    case 's':
      return isSpace;
    case 'S':
      return (cp) => !isSpace(cp);
    case 'w':
      return isWord;
    case 'W':
      return (cp) => !isWord(cp);
    default:
      return null;
  }
}

/** `\x` in moby's regexp: x itself for ASCII punctuation, Go's class for `\d` `\s` `\w` and capitals. */
function escaped(ch: string): (cp: number) => boolean {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x80) throw new PatternError('escape-rejected', ch);
  // Go's regexp: "escaped non-word characters are always themselves" (its test is ASCII alnum)
  if (!isAlnum(cp)) return (c) => c === cp;
  const perl = perlClass(ch);
  if (perl) return perl;
  throw new PatternError('escape-unread', ch);
}

/**
 * `[...]` starting at `chars[at]` (the `[`), as filepath.Match reads it: optional `^`, then characters,
 * `\x` and `lo-hi` ranges, at least one, up to `]`. Returns the test and the index after the `]`.
 */
function readClass(chars: string[], at: number): { test: (cp: number) => boolean; next: number } {
  let i = at + 1;
  let negated = false;
  if (chars[i] === '^') {
    negated = true;
    i++;
  }
  const ranges: Array<[number, number]> = [];
  const tests: Array<(cp: number) => boolean> = [];
  const bad = () => new PatternError('syntax');
  /** filepath.Match's getEsc: one character of a class, `\x` taken as x. */
  const char = (): { cp: number; perl: ((cp: number) => boolean) | null } => {
    const ch = chars[i];
    if (ch === undefined || ch === '-' || ch === ']') throw bad();
    if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw bad();
      i += 2;
      if (chars[i] === undefined) throw bad();
      const cp = next.codePointAt(0)!;
      if (cp >= 0x80) throw new PatternError('escape-rejected', next);
      if (isAlnum(cp)) {
        const perl = perlClass(next);
        if (!perl) throw new PatternError('escape-unread', next);
        return { cp, perl };
      }
      return { cp, perl: null };
    }
    i++;
    if (chars[i] === undefined) throw bad();
    return { cp: ch.codePointAt(0)!, perl: null };
  };
  for (;;) {
    if (chars[i] === ']' && ranges.length + tests.length > 0) {
      i++;
      break;
    }
    const lo = char();
    if (chars[i] === '-') {
      i++;
      const hi = char();
      if (lo.perl || hi.perl) throw new PatternError('class-range-perl');
      // Go's regexp rejects a range that runs backwards; filepath.Match alone would accept it
      if (hi.cp < lo.cp) throw new PatternError('class-range-order');
      ranges.push([lo.cp, hi.cp]);
    } else if (lo.perl) tests.push(lo.perl);
    else ranges.push([lo.cp, lo.cp]);
  }
  const inClass = (cp: number) => ranges.some(([a, b]) => cp >= a && cp <= b) || tests.some((t) => t(cp));
  return { test: negated ? (cp) => !inClass(cp) : inClass, next: i };
}

/**
 * filepath.Match's syntax check (what patternmatcher.New runs on every pattern): a trailing `\`
 * and a malformed `[...]` are errors. Classes are checked where `compile` reads them.
 */
function checkTrailingEscape(chars: string[]): void {
  let inClass = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '\\') {
      if (i + 1 >= chars.length) throw new PatternError('syntax');
      i++;
    } else if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
  }
  if (inClass) throw new PatternError('syntax');
}

/** patternmatcher `Pattern.compile` for `/`, into pieces instead of a regexp string. */
function compile(pattern: string): Compiled {
  const chars = [...pattern];
  checkTrailingEscape(chars);
  const pieces: Piece[] = [];
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  let literal = '';
  for (let i = 0, step = 0; i < chars.length; step++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i += 2;
        if (chars[i] === '/') i++;
        if (i >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            pieces.push({ kind: 'rest' });
            type = 'regexp';
          }
        } else {
          pieces.push({ kind: 'globstar' });
          type = 'regexp';
        }
        if (step === 0) type = 'suffix';
      } else {
        i++;
        pieces.push({ kind: 'star' });
        type = 'regexp';
      }
    } else if (ch === '?') {
      i++;
      pieces.push({ kind: 'one', test: (cp) => cp !== SLASH });
      type = 'regexp';
    } else if (ch === '\\') {
      const test = escaped(chars[i + 1]!);
      i += 2;
      pieces.push({ kind: 'one', test });
      type = 'regexp';
    } else if (ch === '[') {
      const { test, next } = readClass(chars, i);
      i = next;
      pieces.push({ kind: 'one', test });
      type = 'regexp';
    } else if (ch === ']') {
      // a `]` outside a class: Go's regexp reads it as itself
      i++;
      pieces.push({ kind: 'one', test: (cp) => cp === 0x5d });
      type = 'regexp';
    } else {
      i++;
      const cp = ch.codePointAt(0)!;
      pieces.push({ kind: 'one', test: (c) => c === cp, literal: ch });
      literal += ch;
    }
  }
  if (type === 'exact') return { type, text: pattern };
  // moby strips the trailing `**` / the leading `**` from the cleaned pattern
  if (type === 'prefix') return { type, text: pattern.slice(0, -2) };
  if (type === 'suffix') return { type, text: pattern.slice(2) };
  return literal === pattern ? { type: 'exact', text: pattern } : { type: 'pieces', run: automaton(pieces) };
}

const STAR = 1;
const REST = 2;
const GLOBSTAR = 3;

/**
 * Whether the pieces match a path or a parent of it (the part before a `/`), anchored at both ends,
 * in one pass over the path: state k is "the first k pieces matched", state n + 1 + k is "inside
 * globstar k". Literal text the pattern starts or ends with is checked first, which answers most
 * paths without the automaton.
 */
function automaton(pieces: Piece[]): (path: string) => boolean {
  const n = pieces.length;
  const kinds = Int8Array.from(pieces, (p) =>
    p.kind === 'star' ? STAR : p.kind === 'rest' ? REST : p.kind === 'globstar' ? GLOBSTAR : 0,
  );
  const tests = pieces.map((p) => (p.kind === 'one' ? p.test : null));
  const literalRun = (from: number, step: 1 | -1): string => {
    let text = '';
    for (let k = from; k >= 0 && k < n; k += step) {
      const lit = (pieces[k] as { literal?: string }).literal;
      if (lit === undefined) break;
      text = step === 1 ? text + lit : lit + text;
    }
    return text;
  };
  const head = literalRun(0, 1);
  const tail = literalRun(n - 1, -1);
  let current = new Uint8Array(2 * n + 1);
  let next = new Uint8Array(2 * n + 1);
  // every ε-move goes forward: one pass in piece order is the closure
  const close = (set: Uint8Array) => {
    for (let k = 0; k < n; k++) {
      if (set[k] && kinds[k] !== 0) {
        set[k + 1] = 1;
        if (kinds[k] === GLOBSTAR) set[n + 1 + k] = 1;
      }
    }
  };
  return (path) => {
    if (!path.startsWith(head)) return false;
    if (tail !== '' && !path.endsWith(tail) && !path.includes(`${tail}/`)) return false;
    current.fill(0);
    current[0] = 1;
    close(current);
    for (let i = 0; i < path.length; i++) {
      const cp = path.codePointAt(i)!;
      if (cp > 0xffff) i++;
      // a parent folder ends here: does the pattern match it?
      if (cp === SLASH && current[n]) return true;
      next.fill(0);
      let alive = 0;
      for (let k = 0; k < n; k++) {
        const kind = kinds[k];
        if (current[k]) {
          if (kind === 0) {
            if (tests[k]!(cp)) alive = next[k + 1] = 1;
          } else if (kind === STAR) {
            if (cp !== SLASH) alive = next[k] = 1;
          } else if (kind === REST) {
            if (cp !== NEWLINE) alive = next[k] = 1;
          }
        }
        if (kind === GLOBSTAR && current[n + 1 + k]) {
          if (cp !== NEWLINE) alive = next[n + 1 + k] = 1;
          if (cp === SLASH) alive = next[k + 1] = 1;
        }
      }
      if (!alive) return false;
      close(next);
      [current, next] = [next, current];
    }
    return current[n] === 1;
  };
}

/** patternmatcher's `match` on `path`, or on any parent folder of it (`MatchesOrParentMatches`). */
function matchesOrParent(compiled: Compiled, path: string): boolean {
  switch (compiled.type) {
    case 'pieces':
      return compiled.run(path);
    case 'exact':
      return path === compiled.text || path.startsWith(`${compiled.text}/`);
    case 'prefix':
      // the path itself is the longest of its parents
      return path.startsWith(compiled.text);
    case 'suffix': {
      const suffix = compiled.text;
      if (path.endsWith(suffix) || path.includes(`${suffix}/`)) return true;
      // a pattern `**` then `/foo` also matches `foo` itself
      const bare = suffix.slice(1);
      return suffix.startsWith('/') && (path === bare || path.startsWith(`${bare}/`));
    }
  }
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
  const compiled: Array<{ exclusion: boolean; matcher: Compiled }> = [];
  for (const { raw, line } of lines) {
    const exclusion = raw.startsWith('!');
    const pattern = exclusion ? raw.slice(1) : raw;
    if (pattern === '') {
      problems.push({ line, pattern: raw, problem: 'lone-exclusion' });
      continue;
    }
    try {
      compiled.push({ exclusion, matcher: compile(pattern) });
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      problems.push({
        line,
        pattern: raw,
        problem: err.problem,
        ...(err.char !== undefined ? { char: err.char } : {}),
      });
      continue;
    }
    patterns.push({ pattern, exclusion, line });
  }
  const exceptions = patterns.filter((p) => p.exclusion);
  const prefixOnly = exceptions.every((p) => !PATTERN_CHARS.test(withoutTrailingGlob(p.pattern)));
  return {
    patterns,
    problems,
    ignores(path) {
      if (path === '' || path === '.') return false;
      let matched = false;
      for (const { exclusion, matcher } of compiled) {
        // moby: an inclusion cannot change a match, an exclusion cannot change a non-match
        if (exclusion !== matched) continue;
        if (matchesOrParent(matcher, path)) matched = !exclusion;
      }
      return matched;
    },
    mayReinclude(dir) {
      if (exceptions.length === 0) return false;
      if (!prefixOnly) return true;
      const dirSlash = `${dir}/`;
      return exceptions.some((p) => `${withoutTrailingGlob(p.pattern)}/`.startsWith(dirSlash));
    },
  };
}
