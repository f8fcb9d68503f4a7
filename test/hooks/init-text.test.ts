import { describe, expect, it } from 'vitest';
import { chainHook, chainsPlainly, unwrapSh } from '../../src/hooks/init-plan.js';
import {
  applyEdits,
  carryRaw,
  fileStyle,
  insertMembers,
  rawUnits,
  removeMembers,
  scanTopObject,
  shWrap,
} from '../../src/hooks/init-text.js';

describe('chainsPlainly: when "<script> && <hook>" is safe in sh and cmd.exe', () => {
  it.each([
    'patch-package',
    'npx only-allow npm',
    'node scripts/postinstall.js',
    'husky install',
    'node-gyp rebuild',
    'prebuild-install || node-gyp rebuild',
    'tsc -p . && node dist/x.js',
    'a | b',
    `node -e "require('fs').writeFileSync('x', '')"`,
    'rimraf build/* --glob',
    'echo %npm_package_name%',
    'node --max-old-space-size=4096 x.js',
    '@npx something',
  ])('plain: %s', (script) => {
    expect(chainsPlainly(script)).toBe(true);
    expect(chainHook(script, 'HOOK')).toEqual({ script: `${script} && HOOK`, wrapped: false });
  });

  it.each([
    ['ends in ;', 'a;'],
    ['a ; list', 'a; b'],
    ['a lone &', 'a &'],
    ['& in the middle', 'a & b'],
    ['ends in &&', 'a &&'],
    ['starts with ||', '|| a'],
    ['ends in |', 'a |'],
    ['a comment', 'a # note'],
    ['a backslash', 'a \\'],
    ['a single quote', "echo 'x'"],
    ['an unclosed double quote', 'echo "x'],
    ['$ inside double quotes', 'echo "$HOME"'],
    ['a backquote', 'echo `id`'],
    ['a backslash inside double quotes', 'echo "a\\"b"'],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['a redirection', 'a > out.txt'],
    ['a heredoc', 'cat <<EOF'],
    ['a subshell', '(a)'],
    ['braces', '{ a; }'],
    ['exit', 'a && exit 0'],
    ['exit in capitals (cmd)', 'a || EXIT /B 0'],
    ['exit/b run together (cmd)', 'a || exit/b'],
    ['exec', 'exec a'],
    ['cd', 'cd sub && a'],
    ['cd.. (cmd)', 'cd.. && a'],
    ['an export', 'export NATIVE_GUARD=0'],
    ['an assignment alone', 'NATIVE_GUARD=0'],
    ['an assignment before a command', 'FOO=1 node x.js'],
    ['rem (cmd comment)', 'rem a note'],
    ['a cmd label', ':: a note'],
    ['set', 'set -e'],
    ['source', '. ./env.sh'],
    ['non-ASCII outside quotes', 'echo café'],
    ['whitespace only', '   '],
  ])('not plain: %s', (_name, script) => {
    expect(chainsPlainly(script)).toBe(false);
    expect(chainHook(script, 'HOOK')).toEqual({ script: `${shWrap(script)} && HOOK`, wrapped: true });
  });
});

describe('shWrap / unwrapSh', () => {
  it.each(["a'b", "'", "''", "'\\''", 'plain', '', 'new\nline', 'it\'s "quoted" \\ $x `y`'])(
    'round trip: %j',
    (s) => {
      expect(unwrapSh(shWrap(s))).toBe(s);
    },
  );

  it('gives null for anything that is not exactly one wrapped script', () => {
    expect(unwrapSh("sh -c 'a' && b")).toBeNull();
    expect(unwrapSh("sh -c 'a'b'")).toBeNull();
    expect(unwrapSh('sh -c "a"')).toBeNull();
    expect(unwrapSh("bash -c 'a'")).toBeNull();
  });
});

describe('carryRaw: a string edit keeps the spelling of every character it keeps', () => {
  it('rawUnits lines up one token per UTF-16 unit', () => {
    expect(rawUnits('a\\u00e9\\/\\n😀')).toEqual(['a', '\\u00e9', '\\/', '\\n', '\ud83d', '\ude00']);
  });

  it.each([
    ['a suffix added', 'caf\\u00e9 \\/x', 'café /x && HOOK', 'caf\\u00e9 \\/x && HOOK'],
    ['a suffix taken off', 'caf\\u00e9 \\/x && HOOK', 'café /x', 'caf\\u00e9 \\/x'],
    ['a middle taken out', '\\u0061 && HOOK && \\u0062', 'a && b', '\\u0061 && \\u0062'],
    [
      'wrapped, quotes spelled as written',
      'echo \\u0027\\u00e9\\u0027;',
      `${shWrap("echo 'é';")} && H`,
      "sh -c 'echo \\u0027\\\\\\u0027\\u0027\\u00e9\\u0027\\\\\\u0027\\u0027;' && H",
    ],
  ])('%s', (_name, oldInner, value, expected) => {
    const raw = carryRaw(oldInner, value);
    expect(raw).toBe(expected);
    expect(JSON.parse(`"${raw}"`)).toBe(value);
  });

  it('unwrapping gives back the spelling the wrap kept', () => {
    const original = 'echo \\u0027\\u00e9\\u0027; x\\/y';
    const decoded = JSON.parse(`"${original}"`) as string;
    const wired = carryRaw(original, `${shWrap(decoded)} && H`);
    expect(carryRaw(wired, decoded)).toBe(original);
  });
});

describe('inserting and removing members in the layout of the file', () => {
  const roundTrip = (text: string, entries: Array<[string, unknown]>) => {
    const top = scanTopObject(text);
    const added = applyEdits(text, [insertMembers(text, top, entries, fileStyle(text))]);
    const after = scanTopObject(added);
    const remove = new Set(after.members.flatMap((m, i) => (entries.some(([k]) => k === m.key) ? [i] : [])));
    return { added, removed: applyEdits(added, removeMembers(after, remove)) };
  };

  it.each([
    ['two spaces', '{\n  "a": 1\n}\n', '{\n  "a": 1,\n  "n": {\n    "x": [\n      1\n    ]\n  }\n}\n'],
    [
      'tabs, CRLF',
      '{\r\n\t"a": 1\r\n}',
      '{\r\n\t"a": 1,\r\n\t"n": {\r\n\t\t"x": [\r\n\t\t\t1\r\n\t\t]\r\n\t}\r\n}',
    ],
    ['one line', '{"a":1}', '{"a":1,"n":{"x":[1]}}'],
    ['one line with spaces', '{ "a": 1, "b": 2 }', '{ "a": 1, "b": 2, "n": {"x": [1]} }'],
    ['empty', '{}\n', '{\n  "n": {\n    "x": [\n      1\n    ]\n  }\n}\n'],
  ])('%s', (_name, text, expected) => {
    const { added, removed } = roundTrip(text, [['n', { x: [1] }]]);
    expect(added).toBe(expected);
    expect(removed).toBe(text);
  });

  it('removes a first member with the separator after it, a later one with the separator before it', () => {
    const text = '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}';
    const top = scanTopObject(text);
    expect(applyEdits(text, removeMembers(top, new Set([0])))).toBe('{\n  "b": 2,\n  "c": 3\n}');
    expect(applyEdits(text, removeMembers(top, new Set([1, 2])))).toBe('{\n  "a": 1\n}');
    expect(applyEdits(text, removeMembers(top, new Set([0, 2])))).toBe('{\n  "b": 2\n}');
    expect(applyEdits(text, removeMembers(top, new Set([0, 1, 2])))).toBe('{}');
  });

  it('scans past strings holding braces, quotes and backslashes, and nesting a recursive walk could not follow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const text = `{"s": "}{\\"\\\\", "d": ${deep}, "t": 1}`;
    expect(scanTopObject(text).members.map((m) => m.key)).toEqual(['s', 'd', 't']);
  });
});
