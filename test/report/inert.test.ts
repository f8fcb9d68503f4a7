import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inert, inertValues, MAX_VALUE_LENGTH } from '../../src/report/inert.js';

/** What must never reach a terminal or CI log from a package: controls, separators, format characters, lone surrogates. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const codePoints = (s: string) => Array.from(s).length;

describe('inert: package text made safe to print', () => {
  it('shows controls, separators and bidi characters as escapes', () => {
    expect(inert('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(inert('\u001b[2J')).toBe('\\x1b[2J');
    expect(inert('\u001b]8;;https://evil.example\u0007x')).toBe('\\x1b]8;;https://evil.example\\x07x');
    expect(inert('\u009b31m\u007f\u0000')).toBe('\\x9b31m\\x7f\\x00');
    expect(inert('\u202egnp.exe\u2066\u200b\ufeff')).toBe('\\u202egnp.exe\\u2066\\u200b\\ufeff');
    expect(inert('x\u2028y\u2029z')).toBe('x\\u2028y\\u2029z');
    expect(inert('\u{e0041}tag')).toBe('\\u{e0041}tag');
    expect(inert('lone \ud800 surrogate')).toBe('lone \\ud800 surrogate');
  });

  it('leaves ordinary text alone: unicode, spaces, backslashes (Windows paths)', () => {
    for (const s of ['better-sqlite3@12.4.1', 'ünïcödé 名前 😀', 'C:\\Users\\me\\app', 'a b  c', ''])
      expect(inert(s)).toBe(s);
  });

  it('cuts a long value to the limit and ends it in an ellipsis, never inside an escape', () => {
    const long = inert('x'.repeat(10_000));
    expect(codePoints(long)).toBe(MAX_VALUE_LENGTH);
    expect(long.endsWith('x…')).toBe(true);
    expect(inert('abcdef', 4)).toBe('abc…');
    expect(inert('abcd', 4)).toBe('abcd');
    // `ab\x1bcd` is 8 characters: with room for 6, the escape goes whole
    expect(inert('ab\u001bcd', 6)).toBe('ab…');
    expect(inert('ab\u001bcd', 7)).toBe('ab\\x1b…');
    expect(codePoints(inert('😀'.repeat(400)))).toBe(MAX_VALUE_LENGTH);
  });

  it('is idempotent: a value printed twice reads the same', () => {
    const once = inert('a\u001b[31mb\nc' + 'y'.repeat(500));
    expect(inert(once)).toBe(once);
  });

  it('inertValues reaches every string at any depth, and nothing else', () => {
    const v = inertValues({ a: 'x\ny', n: 1, b: null, list: ['\u001b', { deep: '\u202e' }], ok: true });
    expect(v).toEqual({ a: 'x\\ny', n: 1, b: null, list: ['\\x1b', { deep: '\\u202e' }], ok: true });
  });

  // fast-check, seeded so a failure reproduces; fullUnicode strings reach the astral planes and
  // the mixed arbitrary makes the hostile characters common rather than rare
  const hostile = fc.constantFrom(
    '\n',
    '\r',
    '\u001b',
    '\u001b[2J',
    '\u001b]8;;',
    '\u0007',
    '\u009b',
    '\u202e',
    '\u2028',
    '::error::',
    '\ud800',
    '\udfff',
    '\\',
    '…',
  );
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400 }),
    fc
      .array(fc.oneof(hostile, fc.string({ unit: 'grapheme-ascii', maxLength: 8 })), { maxLength: 120 })
      .map((parts) => parts.join('')),
  );

  it('any string: one line, no control or format character, at most the limit', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 500 }), (s, max) => {
        const out = inert(s, max);
        expect(UNSAFE.test(out)).toBe(false);
        expect(out.split(/\r\n|\r|\n/)).toHaveLength(1);
        expect(codePoints(out)).toBeLessThanOrEqual(max);
        expect(inert(out, max)).toBe(out);
      }),
      { numRuns: 5000, seed: 12 },
    );
  });

  it('any string short enough: nothing is lost, only escaped (unescaping gives it back)', () => {
    const unescape = (s: string) =>
      s.replace(/\\(n|r|t|x[0-9a-f]{2}|u\{[0-9a-f]+\}|u[0-9a-f]{4})/g, (_match, e: string) =>
        e === 'n'
          ? '\n'
          : e === 'r'
            ? '\r'
            : e === 't'
              ? '\t'
              : String.fromCodePoint(parseInt(e.replace(/^[xu]\{?|\}$/g, ''), 16)),
      );
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('\\')),
        (s) => {
          expect(unescape(inert(s, 10_000))).toBe(s);
        },
      ),
      { numRuns: 2000, seed: 12 },
    );
  });
});
