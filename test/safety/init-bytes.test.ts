import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject } from '../../src/hooks/init.js';
import { applyPlan, editPackageText } from '../../src/hooks/init-write.js';
import {
  chainHook,
  hookScript,
  InitError,
  planChanges,
  planInit,
  planRemove,
  sameJsonValue,
} from '../../src/hooks/init-plan.js';
import type { InitOptions } from '../../src/hooks/init-plan.js';
import { tempDir } from '../helpers/fixture-project.js';
import { rejectedWords } from '../helpers/error-words.js';

/**
 * init changes nothing it does not own: numbers, escapes, duplicate keys and layouts stay as
 * written, a key init must edit that is written twice is refused, and --remove gives the bytes back.
 * Then the same promises over generated package.json files and generated shell text (seeded, so a
 * failure names a case that reproduces).
 */
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-init-bytes-');
});
afterAll(() => tmp.cleanup());

let n = 0;
function project(text: string): string {
  const dir = join(tmp.dir, `p${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), text);
  return dir;
}
const read = (dir: string) => readFileSync(join(dir, 'package.json'), 'utf8');

const KEPT: Record<string, { text: string; spellings: string[] }> = {
  'number spellings': {
    text: '{\n  "name": "a",\n  "x": 1.0,\n  "y": 1e3,\n  "z": -0,\n  "w": 1E+2,\n  "f": 0.10000000000000000555\n}\n',
    spellings: ['1.0', '1e3', '-0', '1E+2', '0.10000000000000000555'],
  },
  'integers past 2^53': {
    text: '{"name":"a","id":123456789012345678901234567890,"n":9007199254740993}\n',
    spellings: ['123456789012345678901234567890', '9007199254740993'],
  },
  'escapes in values and keys': {
    text: '{\n  "name": "a",\n  "d": "caf\\u00e9 \\/ \\u00E9 \\ud83d\\ude00 \\t",\n  "\\u0076ersion": "1.0.0"\n}\n',
    spellings: ['caf\\u00e9 \\/ \\u00E9 \\ud83d\\ude00 \\t', '"\\u0076ersion"'],
  },
  'the scripts key and an existing script spelled with escapes': {
    text: '{\n  "name": "a",\n  "\\u0073cripts": {\n    "preinstall": "echo \\u0041\\/b"\n  }\n}\n',
    spellings: ['"\\u0073cripts"', '"echo \\u0041\\/b && node -e '],
  },
  'a duplicate key init does not edit': {
    text: '{\n  "name": "first",\n  "name": "second",\n  "scripts": {\n    "test": "a",\n    "test": "b"\n  }\n}\n',
    spellings: ['"name": "first",\n  "name": "second"', '"test": "a",\n    "test": "b"'],
  },
  'arrays on one line, odd spacing, blank lines': {
    text: '{\n  "name" : "a",\n\n  "files" : [ "dist", "hooks" ],\n  "scripts" : { "test" : "x" }\n}\n\n',
    spellings: ['"files" : [ "dist", "hooks" ]', '"scripts" : { "test" : "x", "preinstall" : '],
  },
  'deep nesting': {
    text: `{"name":"a","deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    spellings: [`${'['.repeat(20_000)}${']'.repeat(20_000)}`],
  },
};

describe('init keeps what it does not own as written', () => {
  it.each(Object.entries(KEPT))('%s', async (_name, { text, spellings }) => {
    const dir = project(text);
    await initProject({ cwd: dir, strict: true });
    const wired = read(dir);
    for (const s of spellings) expect(wired).toContain(s);
    await initProject({ cwd: dir, remove: true, strict: true });
    expect(read(dir)).toBe(text);
  });

  it.each([
    [
      '"scripts"',
      '{"name":"a","scripts":{"test":"x"},"scripts":{"build":"y"}}\n',
      /"scripts" is written 2 times/,
    ],
    [
      '"scripts.preinstall"',
      '{"scripts":{"preinstall":"a","preinstall":"b"}}\n',
      /"scripts.preinstall" is written 2 times/,
    ],
    [
      '"scripts.postinstall", on remove',
      `{"scripts":{"postinstall":"a","postinstall":${JSON.stringify(chainHook('b', hookScript('postinstall')).script)}}}\n`,
      /"scripts.postinstall" is written 2 times/,
    ],
  ])(
    'a key init edits written twice, %s: refused, naming it, file unchanged',
    async (_name, text, message) => {
      const dir = project(text);
      const remove = _name.includes('remove');
      const result = initProject({ cwd: dir, remove });
      await expect(result).rejects.toThrow(InitError);
      const words = await rejectedWords(result);
      expect(words).toMatch(message);
      expect(words).toMatch(/npm reads only the last.*keep one, then run init again/);
      expect(read(dir)).toBe(text);
    },
  );

  it('a nativeGuard written twice is refused only when init edits it', async () => {
    const text = '{"name":"a","nativeGuard":{"strict":true},"nativeGuard":{"strict":true}}\n';
    const dir = project(text);
    await initProject({ cwd: dir });
    expect(await rejectedWords(initProject({ cwd: dir, remove: true, strict: true }))).toMatch(
      /"nativeGuard" is written 2 times/,
    );
    await initProject({ cwd: dir, remove: true });
    expect(read(dir)).toBe(text);
  });

  it('refuses a package.json that is not UTF-8 rather than rewrite its bytes', async () => {
    const dir = project('');
    const bytes = Buffer.concat([
      Buffer.from('{"name":"a","description":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}\n'),
    ]);
    writeFileSync(join(dir, 'package.json'), bytes);
    expect(await rejectedWords(initProject({ cwd: dir }))).toMatch(/not valid UTF-8/);
    expect(readFileSync(join(dir, 'package.json')).equals(bytes)).toBe(true);
  });
});

// ---- generated package.json files ----

/** mulberry32: a small seeded generator, so every case reproduces. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (k: number) => Math.floor(next() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const NUMBERS = [
  '0',
  '-0',
  '1',
  '1.0',
  '1e3',
  '1E+2',
  '2.50',
  '-1.5e-7',
  '123456789012345678901234567890',
  '0.1',
];
const SHELL = [
  'touch a',
  'echo "x y"',
  "echo 'q'",
  ';',
  ' && ',
  ' || ',
  ' | ',
  ' & ',
  ' # c',
  '\\',
  '\n',
  '\t',
  'exit 0',
  'cd sub',
  'cat <<E\nx\nE',
  '$HOME',
  '`id`',
  ' > f',
  '(',
  ')',
  'é',
  '"',
  "'",
  '/',
];

/** A string literal's content for s, each character spelled plainly or as an escape at random. */
function spell(r: Rng, s: string): string {
  let out = '';
  for (const ch of s) {
    const plain = JSON.stringify(ch).slice(1, -1);
    const code = ch.codePointAt(0)!;
    if (code > 0xffff || r.next() < 0.7) out += plain;
    else if (ch === '/' && r.next() < 0.5) out += '\\/';
    else {
      const hex = code.toString(16).padStart(4, '0');
      out += `\\u${r.next() < 0.5 ? hex : hex.toUpperCase()}`;
    }
  }
  return `"${out}"`;
}

interface Layout {
  unit: string;
  nl: string;
  colon: string;
}

function genValue(r: Rng, depth: number, layout: Layout, indent: string): string {
  const kind = depth > 2 ? r.int(3) : r.int(6);
  if (kind === 0) return r.pick(NUMBERS);
  if (kind === 1) return spell(r, r.pick(['x', 'café', 'a/b', 'q"uote', 'back\\slash', '😀', '']));
  if (kind === 2) return r.pick(['true', 'false', 'null']);
  const isArray = kind === 3;
  const count = r.int(4);
  const items = Array.from(
    { length: count },
    (_, i) =>
      (isArray ? '' : `${spell(r, `k${i}`)}${layout.colon}`) +
      genValue(r, depth + 1, layout, indent + layout.unit),
  );
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (!count) return open + (r.next() < 0.2 ? ' ' : '') + close;
  if (!layout.unit || r.next() < 0.3) return open + items.join(r.pick([',', ', '])) + close;
  const inner = indent + layout.unit;
  return open + layout.nl + items.map((i) => inner + i).join(',' + layout.nl) + layout.nl + indent + close;
}

function genPackage(r: Rng): string {
  const multi = r.next() < 0.8;
  const layout: Layout = {
    unit: multi ? r.pick(['  ', '    ', '\t', ' ']) : '',
    nl: r.pick(['\n', '\r\n']),
    colon: multi ? r.pick([': ', ': ', ' : ', ':']) : r.pick([':', ': ']),
  };
  const members: string[] = [];
  const member = (key: string, value: string) => `${spell(r, key)}${layout.colon}${value}`;
  for (const key of ['name', 'version', 'description', 'files', 'config']) {
    if (r.next() < 0.6) members.push(member(key, genValue(r, 1, layout, layout.unit)));
  }
  if (r.next() < 0.8) {
    const scripts: string[] = [];
    for (const key of ['build', 'preinstall', 'test', 'postinstall']) {
      if (r.next() < 0.5) {
        const script = Array.from({ length: 1 + r.int(4) }, () => r.pick(SHELL)).join('');
        scripts.push(member(key, spell(r, script.trim() ? script : 'x')));
      }
    }
    if (!scripts.length) scripts.push(member('build', spell(r, 'tsc')));
    const inner = layout.unit + layout.unit;
    const body =
      layout.unit && r.next() < 0.8
        ? `{${layout.nl}${scripts.map((s) => inner + s).join(',' + layout.nl)}${layout.nl}${layout.unit}}`
        : `{${scripts.join(',')}}`;
    members.splice(r.int(members.length + 1), 0, member('scripts', body));
  }
  const bom = r.next() < 0.1 ? '\uFEFF' : '';
  const end = r.pick(['', layout.nl, layout.nl + layout.nl]);
  if (!members.length) return `${bom}{}${end}`;
  if (!layout.unit) return `${bom}{${members.join(',')}}${end}`;
  return `${bom}{${layout.nl}${members.map((m) => layout.unit + m).join(',' + layout.nl)}${layout.nl}}${end}`;
}

const FUZZ_FILES = 3000;

describe('generated package.json files', () => {
  it(`${FUZZ_FILES} files: init means exactly its plan, is idempotent, and --remove gives the bytes back`, () => {
    const r = rng(12);
    let wiredCount = 0;
    for (let i = 0; i < FUZZ_FILES; i++) {
      const text = genPackage(r);
      const options: InitOptions = r.pick([{}, { strict: true }, { targets: ['host'], strict: true }]);
      const manifest = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
      const plan = planInit(manifest, options);
      // editPackageText itself refuses text that does not parse back to applyPlan(manifest, plan)
      const wired = editPackageText(text, manifest, plan);
      const wiredManifest = JSON.parse(wired.replace(/^\uFEFF/, '')) as Record<string, unknown>;
      expect(
        sameJsonValue(wiredManifest, applyPlan(manifest, plan)),
        `case ${i}: ${JSON.stringify(text)}`,
      ).toBe(true);
      expect(planChanges(planInit(wiredManifest, options)), `case ${i}`).toBe(false);
      const back = editPackageText(wired, wiredManifest, planRemove(wiredManifest, options));
      expect(back, `case ${i}: ${JSON.stringify(text)}`).toBe(text);
      wiredCount++;
    }
    expect(wiredCount).toBe(FUZZ_FILES);
  });
});

// ---- generated shell text, run by the real sh ----

const FUZZ_SCRIPTS = 400;
const HOOK = 'echo "HOOK:$PWD"';
const SCRIPT_TOKENS = [
  'echo a',
  'printf b',
  'true',
  'false',
  'exit 0',
  'exit 3',
  ';',
  ' && ',
  ' || ',
  ' | ',
  ' ',
  ' #',
  "'",
  '"',
  '\\',
  '\n',
  'cd ..',
  'cat <<E\nx\nE\n',
  'cat <<E\n',
  '(',
  ')',
  '{ ',
  ' }',
  'echo $0',
  'x=1',
  'echo "$x"',
  'exec echo e',
  'trap "echo T" EXIT',
];

describe.skipIf(process.platform === 'win32')(
  'generated shell text, run by sh alone and as init chains it',
  () => {
    it(`${FUZZ_SCRIPTS} scripts: the script's output and exit status are kept, and the hook runs after exactly when it exits 0`, () => {
      const r = rng(6);
      const cwd = join(tmp.dir, 'sh');
      mkdirSync(cwd);
      const sh = (script: string) => {
        const p = spawnSync('sh', ['-c', script], {
          cwd,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 30_000,
        });
        return { stdout: p.stdout, status: p.status };
      };
      const statuses = new Set<number | null>();
      let wrapped = 0;
      for (let i = 0; i < FUZZ_SCRIPTS; i++) {
        const script = Array.from({ length: 1 + r.int(6) }, () => r.pick(SCRIPT_TOKENS)).join('');
        if (!script.trim()) continue;
        const chained = chainHook(script, HOOK);
        if (chained.wrapped) wrapped++;
        const alone = sh(script);
        const wired = sh(chained.script);
        statuses.add(alone.status);
        const expected = alone.status === 0 ? { stdout: `${alone.stdout}HOOK:${cwd}\n`, status: 0 } : alone;
        expect(wired, `case ${i}: ${JSON.stringify(script)} → ${JSON.stringify(chained.script)}`).toEqual(
          expected,
        );
      }
      // the generator reaches both forms and success, failure and syntax errors
      expect(wrapped).toBeGreaterThan(FUZZ_SCRIPTS / 2);
      expect(wrapped).toBeLessThan(FUZZ_SCRIPTS);
      expect([...statuses].sort()).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    });
  },
);
