/**
 * package.json edited as text. `init` inserts, replaces and removes only its own members (two
 * scripts, the "scripts" object when it makes one, the "nativeGuard" block), so every other byte
 * stays as written: number spellings (`1.0`, `1e3`, integers past 2^53), escapes (`\u00e9`, `\/`),
 * key order, indentation, line endings, a byte-order mark. A parse and re-serialise would change
 * those, and `init --remove` could not give back the original bytes.
 *
 * Pure: text in, text out. The offsets come from a scanner that expects text JSON.parse accepted.
 */

export interface MemberText {
  key: string;
  /** Offset of the key's opening quote. */
  start: number;
  /** Offset just past the key's closing quote. */
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface ObjectText {
  start: number;
  /** Offset just past the closing brace. */
  end: number;
  members: MemberText[];
}

/** One replacement of [start, end) by text; an insertion has start === end. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

class ScanError extends Error {}

const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

function skipWs(text: string, i: number): number {
  while (isWs(text[i])) i++;
  return i;
}

/** Offset just past the string literal whose opening quote is at i. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  throw new ScanError(`unterminated string at ${i}`);
}

/** Offset just past the value at i. Iterative, so nesting depth cannot overflow the stack. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = skipString(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) return j + 1;
      }
    }
    throw new ScanError(`unterminated ${c} at ${i}`);
  }
  let j = i;
  while (j < text.length && !isWs(text[j]) && text[j] !== ',' && text[j] !== '}' && text[j] !== ']') j++;
  if (j === i) throw new ScanError(`no value at ${i}`);
  return j;
}

/** The members of the object whose opening brace is at i (their values are skipped, not read). */
export function scanObject(text: string, i: number): ObjectText {
  if (text[i] !== '{') throw new ScanError(`no object at ${i}`);
  const members: MemberText[] = [];
  let j = skipWs(text, i + 1);
  if (text[j] === '}') return { start: i, end: j + 1, members };
  for (;;) {
    if (text[j] !== '"') throw new ScanError(`no key at ${j}`);
    const keyEnd = skipString(text, j);
    const key = JSON.parse(text.slice(j, keyEnd)) as string;
    const colon = skipWs(text, keyEnd);
    if (text[colon] !== ':') throw new ScanError(`no colon at ${colon}`);
    const valueStart = skipWs(text, colon + 1);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, start: j, keyEnd, valueStart, valueEnd });
    const next = skipWs(text, valueEnd);
    if (text[next] === '}') return { start: i, end: next + 1, members };
    if (text[next] !== ',') throw new ScanError(`no comma at ${next}`);
    j = skipWs(text, next + 1);
  }
}

/** The top-level object of a package.json text (after a byte-order mark and whitespace). */
export function scanTopObject(text: string): ObjectText {
  return scanObject(text, skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0));
}

export const isScanError = (err: unknown): boolean => err instanceof ScanError;

// ---- string values, one raw token per UTF-16 unit ----

/**
 * The raw JSON spelling of each UTF-16 unit of a string literal's content: `é`, `\u00e9`, `\/`, `\n`.
 * Every escape stands for exactly one unit, so the decoded string and the token list line up
 * index for index, and an edit of the decoded string can keep the spelling of every unit it keeps.
 */
export function rawUnits(inner: string): string[] {
  const units: string[] = [];
  for (let i = 0; i < inner.length;) {
    const n = inner[i] !== '\\' ? 1 : inner[i + 1] === 'u' ? 6 : 2;
    units.push(inner.slice(i, i + n));
    i += n;
  }
  return units;
}

const decodeUnit = (unit: string): string => (unit.length === 1 ? unit : (JSON.parse(`"${unit}"`) as string));
const decodeUnits = (units: string[]): string => units.map(decodeUnit).join('');
const canonicalUnits = (s: string): string[] => rawUnits(JSON.stringify(s).slice(1, -1));

/** `sh -c '<s>'`: the one quoting sh never looks inside; a `'` in s becomes `'\''`. */
export const shWrap = (s: string): string => `sh -c '${s.replace(/'/g, "'\\''")}'`;
const WRAP_HEAD = "sh -c '";

/**
 * The raw content of a string literal for `value`, given the raw content the literal had before
 * (`oldInner`): every unit carried over from the old value keeps its spelling, through a plain
 * edit (a suffix added or taken off, a piece replaced) and through `shWrap` / its inverse. New
 * units are spelled as JSON.stringify spells them.
 */
export function carryRaw(oldInner: string, value: string): string {
  const units = rawUnits(oldInner);
  const old = decodeUnits(units);
  let out: string[];
  const wrapped = shWrap(old);
  const unwrapped = shWrap(value);
  if (value.startsWith(wrapped)) {
    out = [
      ...canonicalUnits(WRAP_HEAD),
      // `'` → `'\''`, each quote spelled as the user spelled that one
      ...units.flatMap((u) => (decodeUnit(u) === "'" ? [u, '\\\\', u, u] : [u])),
      ...canonicalUnits(value.slice(wrapped.length - 1)),
    ];
  } else if (old.startsWith(unwrapped)) {
    out = [];
    let p = WRAP_HEAD.length;
    for (const ch of value) {
      for (let k = 0; k < ch.length; k++) out.push(units[p + k]!);
      p += ch === "'" ? 4 : ch.length;
    }
  } else {
    let a = 0;
    while (a < old.length && a < value.length && old[a] === value[a]) a++;
    let b = 0;
    while (
      b < old.length - a &&
      b < value.length - a &&
      old[old.length - 1 - b] === value[value.length - 1 - b]
    )
      b++;
    out = [
      ...units.slice(0, a),
      ...canonicalUnits(value.slice(a, value.length - b)),
      ...units.slice(old.length - b),
    ];
  }
  const raw = out.join('');
  // the decoded value is what counts; the spelling is a courtesy
  return decodeUnits(rawUnits(raw)) === value ? raw : JSON.stringify(value).slice(1, -1);
}

// ---- layout of new members ----

export interface FileStyle {
  /** Line ending. */
  nl: string;
  /** One level of indentation; '' for a file written on one line. */
  unit: string;
}

/** The file's line ending and indentation, read the way npm reads them (json-parse-even-better-errors). */
export function fileStyle(text: string): FileStyle {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (/^\s*\{\s*\}\s*$/.test(body)) return { nl: body.includes('\r\n') ? '\r\n' : '\n', unit: '  ' };
  const m = /^\s*\{(\r?\n)+([ \t]*)/.exec(body);
  return m ? { nl: m[1]!, unit: m[2] || '  ' } : { nl: body.includes('\r\n') ? '\r\n' : '\n', unit: '' };
}

/** The indentation of the line that holds `pos`. */
function lineIndent(text: string, pos: number): string {
  const from = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(from, pos))![0];
}

interface Layout {
  /** Between members (with the comma); has a newline for a multi-line object. */
  sep: string;
  colon: string;
  /** Indentation of the members, or null on one line. */
  indent: string | null;
  nl: string;
  unit: string;
}

function serialize(value: unknown, layout: Layout, indent: string | null): string {
  const open = (v: unknown) => typeof v === 'object' && v !== null;
  if (!open(value)) return JSON.stringify(value);
  const entries: Array<[string | null, unknown]> = Array.isArray(value)
    ? value.map((v) => [null, v])
    : Object.entries(value as Record<string, unknown>);
  const [l, r] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (!entries.length) return l + r;
  const inner = indent === null ? null : indent + layout.unit;
  const item = ([k, v]: [string | null, unknown]) =>
    (k === null ? '' : JSON.stringify(k) + layout.colon) + serialize(v, layout, inner);
  if (inner === null) return l + entries.map(item).join(layout.sep) + r;
  const nl = layout.nl;
  return l + nl + entries.map((e) => inner + item(e)).join(',' + nl) + nl + indent + r;
}

/** Inserts members after the last member of an object (or into an empty one), in its layout. */
export function insertMembers(
  text: string,
  obj: ObjectText,
  entries: Array<[string, unknown]>,
  style: FileStyle,
): TextEdit {
  const { members } = obj;
  const last = members[members.length - 1];
  if (!last) {
    // an empty object: laid out as the file is, members one level deeper than the object's line
    const indent = style.unit ? lineIndent(text, obj.start) : null;
    const layout: Layout = {
      sep: indent === null ? ',' : ',' + style.nl,
      colon: indent === null ? ':' : ': ',
      indent,
      nl: style.nl,
      unit: style.unit,
    };
    return { start: obj.start, end: obj.end, text: serialize(Object.fromEntries(entries), layout, indent) };
  }
  const sep =
    members.length >= 2
      ? text.slice(members[members.length - 2]!.valueEnd, last.start)
      : ',' + text.slice(obj.start + 1, last.start);
  const newline = /\r?\n/.exec(sep)?.[0];
  const indent = newline ? sep.slice(sep.lastIndexOf('\n') + 1) : null;
  const layout: Layout = {
    sep,
    colon: text.slice(last.keyEnd, last.valueStart),
    indent,
    nl: newline ?? style.nl,
    unit: style.unit || '  ',
  };
  const added = entries.map(
    ([k, v]) => sep + JSON.stringify(k) + layout.colon + serialize(v, layout, indent),
  );
  return { start: last.valueEnd, end: last.valueEnd, text: added.join('') };
}

/**
 * Takes members out of an object with the separator that came with each, so that taking out
 * what insertMembers put in gives back the text before; an object left empty becomes `{}`.
 */
export function removeMembers(obj: ObjectText, remove: ReadonlySet<number>): TextEdit[] {
  const { members } = obj;
  const firstKept = members.findIndex((_, i) => !remove.has(i));
  if (firstKept === -1) return [{ start: obj.start, end: obj.end, text: '{}' }];
  const edits: TextEdit[] = [];
  if (firstKept > 0) edits.push({ start: members[0]!.start, end: members[firstKept]!.start, text: '' });
  for (let i = firstKept + 1; i < members.length; i++) {
    if (remove.has(i)) edits.push({ start: members[i - 1]!.valueEnd, end: members[i]!.valueEnd, text: '' });
  }
  return edits;
}

/** Applies edits that do not overlap (they may touch). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new ScanError(`overlapping edits at ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}
