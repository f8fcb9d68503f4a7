/**
 * Package-derived text (names, versions, install scripts, file names, URLs, loader messages) is
 * hostile: a newline or `::error::` at the start of a line forges CI annotations, ESC sequences clear
 * the screen or hide a link, a bidi override reverses what a reader sees. Text reports print every
 * such value through `inert`, which keeps it on one line and shows each of those characters as an
 * escape (`\n`, `\x1b`, `\u202e`). Our own colour codes are added after, by `Style`. JSON output
 * stays raw-valued: JSON encoding already makes it safe.
 */

/** The longest value a text report prints, in characters; a longer one is cut and ends in `…`. */
export const MAX_VALUE_LENGTH = 300;

// Controls (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates, zero-width
// characters, BOM, tag characters), line and paragraph separators, and lone surrogates.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const cp = c.codePointAt(0)!;
  if (cp <= 0xff) return `\\x${hex(cp, 2)}`;
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  return `\\u{${hex(cp, 1)}}`;
}

/**
 * One line, no control or invisible formatting character, at most `max` characters (code points:
 * a cut never splits a surrogate pair). Backslashes are left alone, so Windows paths read as they
 * are, and a value that is already inert comes back unchanged.
 */
export function inert(value: string, max = MAX_VALUE_LENGTH): string {
  const pieces: string[] = [];
  const widths: number[] = [];
  let length = 0;
  // a value is read only as far as the limit: a 100 MB install script costs no more than a name
  for (const c of value) {
    const escaped = UNSAFE.test(c);
    const piece = escaped ? escapeChar(c) : c;
    const width = escaped ? piece.length : 1;
    if (length + width > max) {
      // drop whole pieces to make room for the ellipsis: half an escape would read as another character
      while (pieces.length && length + 1 > max) {
        pieces.pop();
        length -= widths.pop()!;
      }
      return pieces.join('') + '…';
    }
    pieces.push(piece);
    widths.push(width);
    length += width;
  }
  return pieces.join('');
}

/**
 * A copy of `value` with every string in it (at any depth, keys aside) made inert: for data whose
 * strings are all printed as values, such as a finding's evidence.
 */
export function inertValues<T>(value: T, max = MAX_VALUE_LENGTH): T {
  if (typeof value === 'string') return inert(value, max) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => inertValues(v, max)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = inertValues(v, max);
    return out as T;
  }
  return value;
}
