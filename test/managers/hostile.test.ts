import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBunLock } from '../../src/managers/bun-lock.js';
import { readPnpmLock } from '../../src/managers/pnpm-lock.js';
import type { LockfileReadResult, ReadOptions } from '../../src/managers/types.js';
import { readYarnLock } from '../../src/managers/yarn-lock.js';
import { fixtureText } from './fixtures.js';

type Reader = (text: string, options?: ReadOptions) => LockfileReadResult;

const READERS: Array<[string, Reader, string]> = [
  ['pnpm', readPnpmLock, 'pnpm/v9-peers/pnpm-lock.yaml'],
  ['yarn v1', readYarnLock, 'yarn-classic/workspace/yarn.lock'],
  ['yarn berry', readYarnLock, 'yarn-berry/protocols/yarn.lock'],
  ['bun', readBunLock, 'bun/nested/bun.lock'],
];

/** What every answer must be, however bad the input: plain data, serialisable, coded problems. */
function expectWellFormed(result: LockfileReadResult): void {
  expect(Array.isArray(result.problems)).toBe(true);
  for (const p of result.problems) expect(typeof p.code).toBe('string');
  expect(Array.isArray(result.packages)).toBe(true);
  for (const p of result.packages) {
    expect(typeof p.id).toBe('string');
    expect(typeof p.name).toBe('string');
    expect(Array.isArray(p.importers)).toBe(true);
  }
  expect(() => JSON.stringify(result)).not.toThrow();
}

const SEED = 1515;

describe('any input, never a throw', () => {
  for (const [label, read] of READERS) {
    it(`${label}: any string`, () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
          expectWellFormed(read(text));
        }),
        { seed: SEED, numRuns: 300 },
      );
    });
  }

  for (const [label, read, file] of READERS) {
    it(`${label}: the real lockfile with random cuts, copies and junk`, () => {
      const original = fixtureText(file);
      const edit = fc.record({
        at: fc.nat({ max: original.length }),
        length: fc.nat({ max: 200 }),
        kind: fc.constantFrom('delete', 'duplicate', 'insert'),
        junk: fc.string({ unit: 'binary', maxLength: 20 }),
      });
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
          let text = original;
          for (const { at, length, kind, junk } of edits) {
            const i = Math.min(at, text.length);
            if (kind === 'delete') text = text.slice(0, i) + text.slice(i + length);
            else if (kind === 'duplicate')
              text = text.slice(0, i) + text.slice(i, i + length) + text.slice(i);
            else text = text.slice(0, i) + junk + text.slice(i);
          }
          expectWellFormed(read(text));
        }),
        { seed: SEED, numRuns: 40 },
      );
    });
  }

  it('pnpm, Berry and Bun: well-formed syntax with arbitrary values where sections belong', () => {
    const section = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 }), {
      maxKeys: 6,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('9.0', '6.0', '5.4', '12.0'),
        section,
        section,
        section,
        (version, importers, packages, snapshots) => {
          // JSON is YAML: one document for the two YAML readers, the same for Bun
          expectWellFormed(
            readPnpmLock(JSON.stringify({ lockfileVersion: version, importers, packages, snapshots })),
          );
          expectWellFormed(readYarnLock(JSON.stringify({ __metadata: { version: '10' }, ...packages })));
          expectWellFormed(
            readBunLock(
              JSON.stringify({
                lockfileVersion: 2,
                workspaces: importers,
                packages,
                trustedDependencies: snapshots,
              }),
            ),
          );
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('malformed and wrong-typed input gives coded problems', () => {
  it('syntax errors carry a position', () => {
    expect(readPnpmLock("lockfileVersion: '9.0'\nimporters:\n  .: [\n").problems).toMatchObject([
      { code: 'syntax', line: 4, parserCode: null },
    ]);
    expect(readYarnLock('# yarn lockfile v1\n\nfoo@^1:\n  version "1\n').problems).toMatchObject([
      { code: 'syntax', line: 4 },
    ]);
    expect(readYarnLock('__metadata:\n  version: 10\n"a@npm:1":\n  - x\n  y: z\n').problems).toMatchObject([
      { code: 'syntax' },
    ]);
    expect(readBunLock('{\n  "lockfileVersion": 2,\n  "packages": { "a": [ }\n}').problems).toEqual([
      { code: 'syntax', line: 3, column: 24, parserCode: 'ValueExpected' },
    ]);
  });

  it('an empty or non-mapping document is not a lockfile', () => {
    for (const text of ['', '\n\n', '[1, 2]', '"text"', '42']) {
      expect(readPnpmLock(text).problems).toEqual([{ code: 'not-a-lockfile' }]);
      expect(readBunLock(text).problems.map((p) => p.code)).toEqual([
        text.trim() === '' ? 'syntax' : 'not-a-lockfile',
      ]);
    }
    expect(readYarnLock('- a\n- b\n').problems).toMatchObject([{ code: 'syntax' }]);
  });

  it('sections and entries of the wrong type are skipped and named', () => {
    const pnpm = readPnpmLock("lockfileVersion: '9.0'\nimporters: nope\npackages: [1, 2]\nsnapshots: 5\n");
    expect(pnpm.problems).toEqual([
      { code: 'section-invalid', section: 'packages' },
      { code: 'section-invalid', section: 'snapshots' },
      { code: 'section-invalid', section: 'importers' },
    ]);
    const entries = readPnpmLock(
      [
        "lockfileVersion: '9.0'",
        'importers:',
        '  .:',
        '    dependencies:',
        '      a: {specifier: ^1.0.0, version: 1.0.0}',
        '      b: [oops]',
        'packages:',
        '  a@1.0.0: {resolution: {integrity: sha512-A}}',
        '  noversion: {resolution: {integrity: sha512-B}}',
        'snapshots:',
        '  a@1.0.0:',
        '    dependencies: {c: {deep: map}}',
        '  noversion: {}',
        '  orphan@1.0.0: {}',
      ].join('\n'),
    );
    expect(entries.problems).toEqual([
      { code: 'entry-invalid', key: 'orphan@1.0.0', field: 'packages' },
      { code: 'entry-invalid', key: 'noversion', field: 'name' },
      { code: 'entry-invalid', key: 'a@1.0.0', field: 'dependencies' },
      { code: 'entry-invalid', key: '.', field: 'dependencies.b' },
    ]);
    expect(entries.packages.map((p) => p.id)).toEqual(['a@1.0.0']);

    expect(readPnpmLock('lockfileVersion: {a: b}\n').problems).toEqual([
      { code: 'unsupported-version', found: '' },
    ]);

    const bun = readBunLock(
      JSON.stringify({
        lockfileVersion: 2,
        workspaces: { '': { dependencies: { a: '^1' } }, bad: 7 },
        packages: {
          a: ['a@1.0.0', '', { os: 5, cpu: ['x64', 3] }, 'sha512-A'],
          b: 'not a tuple',
          c: [42],
          '': ['x@1.0.0', '', {}, 'sha512-X'],
        },
      }),
    );
    expect(bun.problems).toEqual([
      { code: 'entry-invalid', key: 'b', field: null },
      { code: 'entry-invalid', key: 'c', field: null },
      { code: 'entry-invalid', key: '', field: null },
      { code: 'entry-invalid', key: 'a', field: 'os' },
      { code: 'entry-invalid', key: 'a', field: 'cpu' },
      { code: 'entry-invalid', key: 'bad', field: null },
    ]);
    // no entry records libc either: a package that may be Linux's has it unknown too
    expect(bun.packages.map((p) => [p.id, p.os, p.unknownPlatform])).toEqual([
      ['a@1.0.0', undefined, ['os', 'cpu', 'libc']],
    ]);

    const berry = readYarnLock('__metadata:\n  version: 10\n"a@npm:1": text\n"b@npm:1":\n  version: 1.0.0\n');
    expect(berry.problems).toEqual([
      { code: 'entry-invalid', key: 'a@npm:1', field: null },
      { code: 'entry-invalid', key: 'b@npm:1', field: 'resolution' },
    ]);
  });

  it('keys like __proto__ and constructor stay data', () => {
    const yaml = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      __proto__: {specifier: ^1.0.0, version: 1.0.0}',
      '      constructor: {specifier: ^1.0.0, version: 1.0.0}',
      'packages:',
      '  __proto__@1.0.0: {resolution: {integrity: sha512-P}}',
      '  constructor@1.0.0: {resolution: {integrity: sha512-C}}',
      'snapshots:',
      '  __proto__@1.0.0:',
      '    dependencies: {__proto__: 1.0.0, constructor: 1.0.0}',
      '  constructor@1.0.0: {}',
    ].join('\n');
    const pnpm = readPnpmLock(yaml);
    expect(pnpm.problems).toEqual([]);
    const proto = pnpm.packages.find((p) => p.name === '__proto__')!;
    expect(Object.keys(proto.dependencyIds).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(proto.dependencies)).toBe(Object.prototype);
    expect(pnpm.importers['']!.dependencies.map((d) => d.id)).toEqual([
      '__proto__@1.0.0',
      'constructor@1.0.0',
    ]);

    // jsonc-parser turns a `__proto__` key into the object's prototype (no npm name can start with
    // `_`): what it hides that way is never read, since only own keys are
    const bun = readBunLock(
      '{"lockfileVersion": 2, "workspaces": {"": {"dependencies": {"__proto__": {"hidden": "^1"}, "toString": "^1"}}},' +
        ' "packages": {"toString": ["toString@1.0.0", "", {"dependencies": {"constructor": "^1"}}, "sha512-T"]}}',
    );
    expect(bun.importers['']!.dependencies.map((d) => d.name)).toEqual(['toString']);
    // constructor is not a locked package: unresolved, not Object.prototype.constructor
    expect(bun.problems).toEqual([
      {
        code: 'dependency-unresolved',
        from: 'toString@1.0.0',
        fromImporter: false,
        name: 'constructor',
        spec: '^1',
      },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a YAML anchor that refers to itself is read once, not followed', () => {
    const text = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies: {a: {specifier: ^1.0.0, version: 1.0.0}}',
      'packages:',
      '  a@1.0.0: &loop',
      '    resolution: {integrity: sha512-A}',
      '    self: *loop',
      'snapshots:',
      '  a@1.0.0: {}',
    ].join('\n');
    const result = readPnpmLock(text);
    expect(result.problems).toEqual([]);
    expectWellFormed(result);
  });
});

describe('budgets: work is bounded, the answer says it is partial', () => {
  it('pnpm: one aliased dependency map shared by thousands of snapshots stops at the edge budget', () => {
    const n = 1500;
    const lines = ["lockfileVersion: '9.0'", 'importers:', '  .:', '    dependencies:'];
    lines.push('      p0: {specifier: 1.0.0, version: 1.0.0}', 'packages:');
    for (let i = 0; i < n; i++) lines.push(`  p${i}@1.0.0: {resolution: {integrity: sha512-X}}`);
    lines.push('snapshots:', '  p0@1.0.0:', '    dependencies: &all');
    for (let i = 0; i < n; i++) lines.push(`      p${i}: 1.0.0`);
    for (let i = 1; i < n; i++) lines.push(`  p${i}@1.0.0:`, '    dependencies: *all');
    const text = lines.join('\n');
    expect(text.length).toBeLessThan(200_000);
    // 1500 × 1500 = 2.25 million edges from a 160 KB file; the default budget is 2 million
    const result = readPnpmLock(text);
    expect(result.problems).toContainEqual({ code: 'too-large', what: 'edges', limit: 2_000_000 });
    expect(result.packages).toHaveLength(n);
    expectWellFormed(result);
  });

  it('Berry: the same trick through parseSyml', () => {
    const n = 300;
    const lines = ['__metadata:', '  version: 10', ''];
    for (let i = 0; i < n; i++) {
      lines.push(`"p${i}@npm:1.0.0":`, '  version: 1.0.0', `  resolution: "p${i}@npm:1.0.0"`);
      if (i === 0) {
        lines.push('  dependencies: &all');
        for (let j = 0; j < n; j++) lines.push(`    p${j}: "npm:1.0.0"`);
      } else lines.push('  dependencies: *all');
    }
    const result = readYarnLock(lines.join('\n'), { limits: { edges: 10_000 } });
    expect(result.problems).toContainEqual({ code: 'too-large', what: 'edges', limit: 10_000 });
    expect(result.packages).toHaveLength(n);
  });

  it('entries over the budget are left out, with one problem', () => {
    const result = readPnpmLock(fixtureText('pnpm/v9-single/pnpm-lock.yaml'), { limits: { entries: 10 } });
    expect(result.problems[0]).toEqual({ code: 'too-large', what: 'entries', limit: 10 });
    expect(result.packages.length).toBeLessThanOrEqual(10);
  });

  it('many problems: the first ones are kept, the rest counted', () => {
    const packages: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) packages[`p${i}`] = i;
    const result = readBunLock(JSON.stringify({ lockfileVersion: 2, packages }));
    expect(result.problems).toHaveLength(101);
    expect(result.problems[100]).toEqual({ code: 'problems-truncated', omitted: 900 });
  });

  it('deep nesting is a syntax problem, not a stack overflow', () => {
    const depth = 100_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    for (const read of [readPnpmLock, readBunLock] as Reader[]) {
      const result = read(read === readBunLock ? deep : `lockfileVersion: ${deep}\n`);
      expect(result.packages).toEqual([]);
      expect(result.problems.length).toBeGreaterThan(0);
    }
    const v1 = ['# yarn lockfile v1', ''];
    for (let i = 0; i < 1500; i++) v1.push(`${'  '.repeat(i)}k${i}:`);
    const result = readYarnLock(v1.join('\n'));
    expectWellFormed(result);
  });
});
