import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cleanPath, compileIgnore, readIgnoreLines } from '../../src/docker/ignore.js';
import { ensureBuilt, REPO } from '../helpers/build.js';

/**
 * moby/patternmatcher's own TestMatches table (patternmatcher_test.go at 5a6d8429, 2026-03),
 * as MatchesOrParentMatches answers it: the semantics BuildKit applies to .dockerignore. Rows whose
 * path ends in `/` are left out: a context walk never produces such a path.
 */
const MOBY_MATCHES: Array<[string, string, boolean]> = [
  ['**', 'file', true],
  ['**/', 'file', true],
  ['**', 'dir/file', true],
  ['**/', 'dir/file', true],
  ['**/**', 'dir/file', true],
  ['dir/**', 'dir/file', true],
  ['dir/**', 'dir/dir2/file', true],
  ['**/dir', 'dir', true],
  ['**/dir', 'dir/file', true],
  ['**/dir2/*', 'dir/dir2/file', true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true],
  ['**file', 'file', true],
  ['**file', 'dir/file', true],
  ['**/file', 'dir/file', true],
  ['**file', 'dir/dir/file', true],
  ['**/file', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/file*.txt', 'dir/dir/file.txt', true],
  ['**/file*.txt*', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false],
  ['**/*.txt', 'file.txt', true],
  ['**/**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true],
  ['a**/*.txt', 'a/dir/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false],
  ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false],
  ['a[b-d]e', 'ace', true],
  ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true],
  ['.*', 'foo', false],
  ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false],
  ['abc?def', 'abcZdef', true],
  ['abc?def', 'abcdef', false],
  ['a\\\\', 'a\\', true],
  ['**/foo/bar', 'foo/bar', true],
  ['**/foo/bar', 'dir/foo/bar', true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false],
  ['abc/**', 'abc/def', true],
  ['abc/**', 'abc/def/ghi', true],
  ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false],
  ['a(b)c/def', 'a(b)c/def', true],
  ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  [
    'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl',
    'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl',
    true,
  ],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['a\\*b', 'a*b', true],
];

const MOBY_MULTI: Array<[string[], string, boolean]> = [
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [
    ['**', '!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'],
    'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl',
    false,
  ],
  [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
];

describe('.dockerignore matching agrees with moby/patternmatcher', () => {
  it.each(MOBY_MATCHES)('%s vs %s → %s', (pattern, path, excluded) => {
    const rules = compileIgnore(pattern);
    expect(rules.problems).toEqual([]);
    expect(rules.ignores(path)).toBe(excluded);
  });

  it.each(MOBY_MULTI)('%j vs %s → %s', (patterns, path, excluded) => {
    expect(compileIgnore(patterns.join('\n')).ignores(path)).toBe(excluded);
  });
});

describe('the node_modules rules the leak check relies on', () => {
  const nested = 'skills/db/node_modules/better-sqlite3/build/Release/better_sqlite3.node';

  it('`node_modules` matches only the root folder', () => {
    const rules = compileIgnore('node_modules\n');
    expect(rules.ignores('node_modules')).toBe(true);
    expect(rules.ignores('node_modules/a/b.node')).toBe(true);
    expect(rules.ignores('skills/db/node_modules')).toBe(false);
    expect(rules.ignores(nested)).toBe(false);
  });

  it('`**/node_modules` matches every one', () => {
    const rules = compileIgnore('**/node_modules');
    expect(rules.ignores('node_modules/x')).toBe(true);
    expect(rules.ignores('skills/db/node_modules')).toBe(true);
    expect(rules.ignores(nested)).toBe(true);
  });

  it('a leading `/` and `./` mean the context root', () => {
    expect(compileIgnore('/node_modules').ignores('node_modules/a')).toBe(true);
    expect(compileIgnore('/node_modules').ignores('x/node_modules/a')).toBe(false);
    expect(compileIgnore('./node_modules').ignores('node_modules/a')).toBe(true);
    expect(compileIgnore('node_modules/').ignores('node_modules/a')).toBe(true);
  });

  it('`*.node` matches the root only, `**/*.node` everywhere', () => {
    expect(compileIgnore('*.node').ignores('a.node')).toBe(true);
    expect(compileIgnore('*.node').ignores('build/a.node')).toBe(false);
    expect(compileIgnore('**/*.node').ignores('build/Release/a.node')).toBe(true);
    expect(compileIgnore('**/*.node').ignores('build/Release/a.nodex')).toBe(false);
  });

  it('the last matching pattern wins, and `!` re-includes inside an excluded folder', () => {
    const rules = compileIgnore('**/node_modules\n!skills/db/node_modules/keep/**\n');
    expect(rules.ignores('skills/db/node_modules/keep/x.node')).toBe(false);
    expect(rules.ignores('skills/db/node_modules/other/x.node')).toBe(true);
  });

  it('is case-sensitive, as Docker is on Linux (the library defaults to ignoring case)', () => {
    const rules = compileIgnore('Node_Modules');
    expect(rules.ignores('Node_Modules/x')).toBe(true);
    expect(rules.ignores('node_modules/x')).toBe(false);
  });

  it('reads the file like ignorefile.ReadAll: BOM, comments in column 1, spaces trimmed', () => {
    const text = '\uFEFFnode_modules\n# comment\n  # not a comment\n   \n! keep \n';
    expect(readIgnoreLines(text)).toEqual([
      { raw: 'node_modules', line: 1 },
      { raw: '# not a comment', line: 3 },
      { raw: '!keep', line: 5 },
    ]);
    expect(compileIgnore(text).ignores('node_modules/a')).toBe(true);
  });

  it('an empty file or none ignores nothing', () => {
    expect(compileIgnore('').ignores('node_modules/x')).toBe(false);
  });

  it('reports patterns Docker rejects instead of throwing', () => {
    const rules = compileIgnore('node_modules\n!\n[unclosed\n');
    expect(rules.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(rules.ignores('node_modules/a')).toBe(true);
  });

  it('cleans paths like Go', () => {
    expect(cleanPath('./a//b/../c/')).toBe('a/c');
    expect(cleanPath('/a/../..')).toBe('/');
    expect(cleanPath('')).toBe('.');
  });
});

describe('which excluded folders BuildKit still walks (fsutil filter.go)', () => {
  it('none without exceptions', () => {
    expect(compileIgnore('node_modules').mayReinclude('node_modules')).toBe(false);
  });

  it('only folders an exception without wildcards points into', () => {
    const rules = compileIgnore('node_modules\n!node_modules/keep/**');
    expect(rules.mayReinclude('node_modules')).toBe(true);
    expect(rules.mayReinclude('node_modules/keep')).toBe(true);
    expect(rules.mayReinclude('node_modules/other')).toBe(false);
  });

  it('every folder once an exception has a wildcard', () => {
    const rules = compileIgnore('**/node_modules\n!**/*.node');
    expect(rules.mayReinclude('a/node_modules')).toBe(true);
    expect(rules.ignores('a/node_modules/x/y.node')).toBe(false);
  });
});

// What moby/patternmatcher answers, worked out from its code (patternmatcher.go: `compile` builds
// `^…$` from the pattern, `**` + `/` is `(.*/)?`, a trailing `**` is a prefix match or `.*`, `*` is
// `[^/]*`, `?` is `[^/]`, Go's `.` stops at a newline; `MatchesOrParentMatches` also tries every
// parent folder). Each row says which rule decides it.
const PARITY: Array<[string, string, boolean, string]> = [
  ['a**b', 'ab', true, '(.*/)? may be empty'],
  ['a**b', 'a/x/b', true, '(.*/)? spans folders'],
  ['a**b', 'axb', false, '(.*/)? must end in /'],
  ['a**/b', 'a/b', true, '** eats the / after it'],
  ['**/x', 'x', true, 'suffix /x: the path is x'],
  ['**/x', 'yx', false, 'suffix /x'],
  ['**x', 'yx', true, 'suffix x, not tied to a folder'],
  ['**/a/**/b', 'a/b', true, 'both ** empty'],
  ['**/a/**/b', 'x/a/y/z/b', true, 'both ** span'],
  ['**/a/**/b', 'xa/b', false, '(.*/)? before a must end in /'],
  ['x/**/*.log', 'x/y.log', true, 'middle ** empty'],
  ['*.log', 'a.log', true, '* within a name'],
  ['*.log', 'd/a.log', false, '* stops at /'],
  ['d/*', 'd/a/b', true, 'the parent d/a matches'],
  ['*', 'any/thing', true, 'the parent any matches'],
  ['?', 'ab', false, '? is one character'],
  ['?', 'a/b', true, 'the parent a matches'],
  ['a/**', 'a', false, 'prefix a/'],
  ['a/**', 'a/b', true, 'prefix a/'],
  ['ab**', 'abc/d', true, 'prefix ab, not tied to a folder'],
  ['a**', 'a\nb', true, 'a prefix match knows no newline'],
  ['a**/c', 'a\nb/c', false, ".* does not match a newline (Go's default)"],
  ['x*a**', 'xya\nb', false, 'a trailing ** after * is .*, which stops at a newline'],
  ['*/c', 'a\nb/c', true, '[^/]* matches a newline'],
  ['**', 'a\nb', true, 'suffix "" matches anything'],
  ['[a-c]x', 'bx', true, 'a range'],
  ['[^a-c]x', 'bx', false, 'a negated range'],
  ['[^a-c]x', 'dx', true, 'a negated range'],
  ['[\\]]', ']', true, 'an escaped ] in a class'],
  ['\\d.log', '5.log', true, "\\d is Go's digit class"],
  ['\\d.log', 'd.log', false, "\\d is Go's digit class"],
  ['a\\_b', 'a_b', true, 'an escaped non-alphanumeric is itself'],
  ['$x', '$x', true, '$ is literal'],
  ['{a,b}', 'a', false, 'no brace expansion'],
  ['{a,b}', '{a,b}', true, 'braces are literal'],
  ['a|b', 'a', false, '| is literal'],
  ['ä*/ö', 'äx/ö', true, 'code points, not bytes'],
  ['?.txt', '😀.txt', true, '? is one code point'],
];

const PARITY_MULTI: Array<[string[], string, boolean, string]> = [
  [['*.log', '!keep.log'], 'keep.log', false, 'a later exception wins'],
  [['*.log', '!keep.log'], 'other.log', true, 'the exception does not match'],
  [['dir', '!dir/keep'], 'dir/keep/x', false, 'the exception matches a parent'],
  [['dir', '!dir/keep'], 'dir/other', true, 'excluded through the parent dir'],
  [['!a', 'a'], 'a', true, 'the last matching pattern wins'],
  [['a', '!a', 'a/b'], 'a/b', true, 'excluded again'],
];

describe('.dockerignore parity with patternmatcher, rule by rule', () => {
  it.each(PARITY)('%j vs %j → %s (%s)', (pattern, path, excluded) => {
    const rules = compileIgnore(pattern);
    expect(rules.problems).toEqual([]);
    expect(rules.ignores(path)).toBe(excluded);
  });

  it.each(PARITY_MULTI)('%j vs %j → %s (%s)', (patterns, path, excluded) => {
    expect(compileIgnore(patterns.join('\n')).ignores(path)).toBe(excluded);
  });

  it('reports what filepath.Match or Go regexp reject, and escapes it does not read, as problems', () => {
    const rules = compileIgnore(['a[', '[]', '[z-a]', '[a-]', 'x\\', 'a\\q', 'ok'].join('\n'));
    expect(rules.problems.map((p) => p.pattern)).toEqual(['a[', '[]', '[z-a]', '[a-]', 'x\\', 'a\\q']);
    expect(rules.ignores('ok')).toBe(true);
  });
});

// Patterns and names that make a backtracking matcher (a JavaScript RegExp built like moby's Go
// regexp) take minutes or more; moby's RE2 answers at once. Finishing at all is the proof: they run
// through the built module in a worker that a generous kill timer ends, failing the test, instead
// of blocking the test process.
const PATHOLOGICAL: Array<[string, string, boolean]> = [
  ['**/*-*-*-*-*-*.log', `dir/${'-'.repeat(250)}`, false],
  ['**/*-*-*-*-*-*.log', `dir/${'a-'.repeat(120)}x.txt`, false],
  ['**/*-*-*-*-*-*.log', `dir/${'a-'.repeat(6)}.log`, true],
  ['**/*-*-*-*-*-*.log', `x/${'-'.repeat(250)}.log`, true],
  ['*a*a*a*a*a*a*a*b', 'a'.repeat(255), false],
  ['?*?*?*?*?*?*?*?*z', 'y'.repeat(255), false],
  [`${'**/'.repeat(12)}x`, `${'a/'.repeat(120)}y`, false],
  [`${'**/'.repeat(12)}x`, `${'a/'.repeat(120)}x`, true],
  ['a**a**a**a**a**b', `a${'/a'.repeat(200)}`, false],
];

function matchInWorker(cases: Array<[string, string, boolean]>, killAfterMs: number): Promise<boolean[]> {
  const module = pathToFileURL(join(REPO, 'dist', 'docker', 'ignore.js')).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.module).then(({ compileIgnore }) => {
      parentPort.postMessage(workerData.cases.map(([p, path]) => compileIgnore(p).ignores(path)));
    });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { module, cases } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`still matching after ${killAfterMs} ms: the matcher backtracks`));
    }, killAfterMs);
    worker.once('message', (results: boolean[]) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(results);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('.dockerignore matching does not backtrack', () => {
  it("pathological patterns against long names give moby's answers", async () => {
    ensureBuilt();
    const results = await matchInWorker(PATHOLOGICAL, 45_000);
    expect(results).toEqual(PATHOLOGICAL.map(([, , excluded]) => excluded));
  });
});
