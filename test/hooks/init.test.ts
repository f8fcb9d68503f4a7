import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCommand } from '../../src/commands/init.js';
import type { CommandIo } from '../../src/commands/types.js';
import { initProject } from '../../src/hooks/init.js';
import { applyPlan } from '../../src/hooks/init-write.js';
import { hookScript, InitError, planChanges, planInit, planRemove } from '../../src/hooks/init-plan.js';
import { ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import { rejectedWords, thrownWords } from '../helpers/error-words.js';

const PRE = hookScript('preinstall');
const POST = hookScript('postinstall');

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('ng-init-');
});
afterAll(() => tmp.cleanup());

let n = 0;
/** A fresh project folder holding exactly these package.json bytes. */
function project(text: string): string {
  const dir = join(tmp.dir, `p${++n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), text);
  return dir;
}
const read = (dir: string) => readFileSync(join(dir, 'package.json'), 'utf8');

describe('the script text init writes', () => {
  it.each([
    ['preinstall', PRE],
    ['postinstall', POST],
  ])(
    '%s: one double-quoted node -e argument, none of the characters sh, cmd or PowerShell expand',
    (event, script) => {
      expect(script).toMatch(/^node -e "[^"]+"$/);
      const code = script.slice('node -e "'.length, -1);
      for (const ch of ['"', '$', '`', '\\', '%', '!']) expect(code).not.toContain(ch);
      expect(code).toContain(`import('native-guard/hooks/${event}.js')`);
      // the only error that means "not installed"; any other is named, and the install goes on
      expect(code).toContain("e.code==='ERR_MODULE_NOT_FOUND'");
      expect(code).not.toContain('throw');
    },
  );

  it('run by sh in a project without native-guard: one line, exit 0; the preinstall says the postinstall will check', () => {
    // npm 12, pnpm and Yarn 1 run the root preinstall before they install: native-guard is about to come
    const dir = project('{"name":"x","version":"1.0.0"}\n');
    const pre = spawnSync('sh', ['-c', PRE], { cwd: dir, encoding: 'utf8' });
    expect(pre.status).toBe(0);
    expect(pre.stdout).toBe('native-guard check: not installed yet: the postinstall hook will check\n');
    // --omit=dev (npm exports npm_config_omit): native-guard is not coming, and the preinstall says so
    const omit = { ...process.env, npm_config_omit: 'dev' };
    const omitted = spawnSync('sh', ['-c', PRE], { cwd: dir, encoding: 'utf8', env: omit });
    expect(omitted.stdout).toBe('native-guard check: skipped: native-guard is not installed (--omit=dev)\n');
    const post = spawnSync('sh', ['-c', POST], { cwd: dir, encoding: 'utf8' });
    expect(post.status).toBe(0);
    expect(post.stdout).toBe(
      'native-guard verify: skipped: native-guard is not installed (npm ci --omit=dev?)\n',
    );
  });

  it.each([
    [
      'a native-guard whose exports lack ./hooks/*.js',
      { name: 'native-guard', version: '0.0.1', exports: { '.': './index.js' } },
      null,
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
    ],
    [
      'a hook file that does not parse',
      { name: 'native-guard', version: '0.0.1', type: 'module' },
      'export const = ;\n',
      'SyntaxError',
    ],
  ])('run by sh with %s: fails open in one line naming the error, exit 0', (_, manifest, hook, named) => {
    const dir = project('{"name":"x","version":"1.0.0"}\n');
    const ng = join(dir, 'node_modules', 'native-guard');
    mkdirSync(join(ng, 'hooks'), { recursive: true });
    writeFileSync(join(ng, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(ng, 'index.js'), '');
    if (hook !== null) {
      writeFileSync(join(ng, 'hooks', 'preinstall.js'), hook);
      writeFileSync(join(ng, 'hooks', 'postinstall.js'), hook);
    }
    for (const [command, script] of [
      ['check', PRE],
      ['verify', POST],
    ] as const) {
      const r = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`native-guard ${command}: skipped: cannot load its hook (${named})\n`);
      expect(r.status).toBe(0);
    }
  });

  it('run by sh where native-guard is installed: the bare specifier reaches the hook through "exports"', () => {
    ensureBuilt();
    const dir = project('{"name":"x","version":"1.0.0"}\n');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'native-guard'), 'dir');
    const env = { ...process.env, npm_lifecycle_event: 'preinstall', NATIVE_GUARD: '0' };
    const pre = spawnSync('sh', ['-c', PRE], { cwd: dir, encoding: 'utf8', env });
    expect(pre.stdout).toBe('native-guard check: skipped (NATIVE_GUARD=0)\n');
    expect(pre.status).toBe(0);
    const post = spawnSync('sh', ['-c', POST], { cwd: dir, encoding: 'utf8', env });
    expect(post.stdout).toBe('native-guard verify: skipped (NATIVE_GUARD=0)\n');
  });

  it('chained after a failing user script, the hook does not run and the failure stays', () => {
    const dir = project('{"name":"x","version":"1.0.0"}\n');
    const r = spawnSync('sh', ['-c', `exit 3 && ${PRE}`], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
  });
});

describe('planInit / planRemove', () => {
  it('adds both hooks to a manifest without scripts, and nothing else without options', () => {
    const plan = planInit({ name: 'a' }, {});
    expect(plan.scripts).toEqual({ preinstall: PRE, postinstall: POST });
    expect(plan.nativeGuard).toBeUndefined();
    expect(plan.changes.map((c) => c.kind)).toEqual(['script-added', 'script-added']);
  });

  it('chains onto existing scripts and keeps the other scripts and their order', () => {
    const manifest = {
      scripts: { build: 'tsc', postinstall: 'patch-package', test: 'vitest', preinstall: 'x' },
    };
    const plan = planInit(manifest, {});
    expect(Object.keys(plan.scripts!)).toEqual(['build', 'postinstall', 'test', 'preinstall']);
    expect(plan.scripts).toMatchObject({
      build: 'tsc',
      postinstall: `patch-package && ${POST}`,
      preinstall: `x && ${PRE}`,
    });
    expect(plan.changes).toContainEqual({
      kind: 'script-chained',
      event: 'postinstall',
      before: 'patch-package',
      after: `patch-package && ${POST}`,
      wrapped: false,
    });
  });

  it('is idempotent: a wired manifest plans nothing', () => {
    for (const start of [
      {},
      { scripts: { preinstall: 'a', postinstall: 'b' } },
      { scripts: { test: 't' } },
    ]) {
      const once = applyPlan(start, planInit(start, { strict: true, targets: ['host'] }));
      const twice = planInit(once, { strict: true, targets: ['host'] });
      expect(planChanges(twice)).toBe(false);
      expect(twice.changes.map((c) => c.kind).sort()).toEqual([
        'config-present',
        'script-present',
        'script-present',
      ]);
    }
  });

  it('remove gives back every script it chained onto, deletes those it added, and an emptied "scripts"', () => {
    const cases: Array<Record<string, unknown>> = [
      {},
      { scripts: {} },
      { scripts: { test: 't' } },
      { scripts: { preinstall: 'only-before' } },
      { scripts: { preinstall: 'a && b', postinstall: 'node x.js || true' } },
    ];
    for (const start of cases) {
      const wired = applyPlan(start, planInit(start, {}));
      const back = applyPlan(wired, planRemove(wired, {}));
      // an empty "scripts": {} cannot be told from one init created: it goes too (documented)
      const expected = { ...start };
      if (JSON.stringify(expected.scripts) === '{}') delete expected.scripts;
      expect(back).toEqual(expected);
      expect(JSON.stringify(back)).toBe(JSON.stringify(expected));
    }
  });

  it('remove takes the hook out of the middle of a chain the user extended after init', () => {
    const plan = planRemove({ scripts: { preinstall: `a && ${PRE} && b`, postinstall: `${POST} && c` } }, {});
    expect(plan.scripts).toEqual({ preinstall: 'a && b', postinstall: 'c' });
  });

  it('updates, and removes, the hook text an earlier version of init wrote', () => {
    const older = `node -e "import('native-guard/hooks/preinstall.js').catch(e=>{console.log('old words')})"`;
    const manifest = { scripts: { preinstall: `lint && ${older}`, postinstall: POST } };
    const plan = planInit(manifest, {});
    expect(plan.scripts).toEqual({ preinstall: `lint && ${PRE}`, postinstall: POST });
    expect(plan.changes[0]).toEqual({
      kind: 'script-updated',
      event: 'preinstall',
      before: `lint && ${older}`,
      after: `lint && ${PRE}`,
    });
    expect(planRemove(manifest, {}).scripts).toEqual({ preinstall: 'lint' });
    expect(planRemove({ scripts: { preinstall: older } }, {}).scripts).toBeNull();
  });

  it('rewires a chain an earlier init made onto shell text it could not follow, with this version’s hook text too', () => {
    for (const [start, hook] of [
      ['touch a;', PRE],
      ['touch a # note', PRE],
      ['exit 0', `node -e "import('native-guard/hooks/preinstall.js').catch(e=>{console.log('old words')})"`],
    ] as const) {
      const manifest = { scripts: { preinstall: `${start} && ${hook}`, postinstall: POST } };
      const plan = planInit(manifest, {});
      expect(plan.scripts!.preinstall).toBe(`sh -c '${start}' && ${PRE}`);
      expect(plan.changes[0]).toMatchObject({ kind: 'script-updated', event: 'preinstall' });
      const wired = applyPlan(manifest, plan);
      expect(planChanges(planInit(wired, {}))).toBe(false);
      expect(planRemove(wired, {}).scripts).toEqual({ preinstall: start });
    }
    // a plain chain, and one already wrapped, are left as they are
    for (const preinstall of [`a && ${PRE}`, `sh -c 'a;' && ${PRE}`]) {
      expect(planChanges(planInit({ scripts: { preinstall, postinstall: POST } }, {}))).toBe(false);
    }
  });

  it('leaves a hook wired by hand in other words alone, both ways', () => {
    const custom = 'node node_modules/native-guard/hooks/preinstall.js';
    const manifest = { scripts: { preinstall: custom } };
    const plan = planInit(manifest, {});
    expect(plan.scripts!.preinstall).toBe(custom);
    expect(plan.changes).toContainEqual({ kind: 'script-custom', event: 'preinstall', script: custom });
    expect(planRemove(manifest, {}).scripts).toBeUndefined();
  });

  it('writes a nativeGuard block only when options are given, keys in the documented order', () => {
    const plan = planInit({}, { strict: true, targets: ['node:22-alpine', 'host'] });
    expect(JSON.stringify(plan.nativeGuard)).toBe('{"targets":["node:22-alpine","host"],"strict":true}');
    expect(planInit({}, { targets: ['host'] }).nativeGuard).toEqual({ targets: ['host'] });
  });

  it('never alters an existing block: the same values are fine, others are refused naming the key', () => {
    const manifest = { nativeGuard: { targets: ['host'], ignore: ['x'] } };
    expect(planInit(manifest, { targets: ['host'] }).nativeGuard).toBeUndefined();
    expect(() => planInit(manifest, { strict: true })).toThrow(InitError);
    expect(thrownWords(() => planInit(manifest, { strict: true }))).toMatch(/"strict": true in it by hand/);
    expect(thrownWords(() => planInit(manifest, { targets: ['node:22-alpine'] }))).toMatch(
      /"targets": \["node:22-alpine"\]/,
    );
  });

  it('remove deletes the block only when it is exactly what init writes for the options given', () => {
    const block = { targets: ['host'], strict: true };
    expect(planRemove({ nativeGuard: block }, { strict: true, targets: ['host'] }).nativeGuard).toBeNull();
    for (const options of [{}, { strict: true }, { targets: ['host'] }]) {
      const plan = planRemove({ nativeGuard: block }, options);
      expect(plan.nativeGuard).toBeUndefined();
      expect(plan.changes).toContainEqual({ kind: 'config-kept', config: block });
    }
    // same keys in another order: the user wrote it
    expect(
      planRemove({ nativeGuard: { strict: true, targets: ['host'] } }, { strict: true, targets: ['host'] })
        .nativeGuard,
    ).toBeUndefined();
  });

  it('refuses what it cannot chain onto or give back', () => {
    expect(thrownWords(() => planInit({ scripts: { preinstall: '' } }, {}))).toMatch(
      /"scripts.preinstall" is an empty string/,
    );
    expect(thrownWords(() => planInit({ scripts: { postinstall: 3 } }, {}))).toMatch(
      /"scripts.postinstall" must be a string/,
    );
    expect(thrownWords(() => planInit({ scripts: ['a'] }, {}))).toMatch(/"scripts" must be an object/);
  });
});

/** package.json files as people have them. */
const SHAPES: Record<string, string> = {
  'two spaces, no scripts':
    '{\n  "name": "app",\n  "version": "1.0.0",\n  "private": true,\n  "dependencies": {\n    "bufferutil": "^4.0.9"\n  }\n}\n',
  'four spaces, scripts without hooks':
    '{\n    "name": "app",\n    "version": "1.0.0",\n    "scripts": {\n        "build": "tsc",\n        "test": "vitest"\n    },\n    "devDependencies": {\n        "native-guard": "^0.1.0"\n    }\n}\n',
  'tabs, existing preinstall':
    '{\n\t"name": "app",\n\t"scripts": {\n\t\t"preinstall": "npx only-allow npm",\n\t\t"start": "node ."\n\t}\n}\n',
  'CRLF, existing pre- and postinstall':
    '{\r\n  "name": "app",\r\n  "scripts": {\r\n    "postinstall": "patch-package",\r\n    "preinstall": "node check.js"\r\n  },\r\n  "license": "MIT"\r\n}\r\n',
  'no trailing newline': '{\n  "name": "app",\n  "version": "1.0.0"\n}',
  'CRLF without a trailing newline': '{\r\n  "name": "app",\r\n  "scripts": {\r\n    "test": "x"\r\n  }\r\n}',
  'one line': '{"name":"app","version":"1.0.0","scripts":{"test":"jest"}}\n',
  'byte-order mark': '\uFEFF{\n  "name": "app",\n  "version": "1.0.0"\n}\n',
  'existing nativeGuard block, unicode and escapes':
    '{\n  "name": "app",\n  "description": "caf\u00e9 \\"quoted\\" tab\\t",\n  "nativeGuard": {\n    "targets": [\n      "node:22-alpine"\n    ]\n  },\n  "workspaces": []\n}\n',
  'empty object': '{}\n',
};

describe('initProject on real package.json files: idempotent, and --remove gives the bytes back', () => {
  it.each(Object.entries(SHAPES))('%s', async (_name, original) => {
    const dir = project(original);
    const first = await initProject({ cwd: dir });
    expect(first.changed).toBe(true);
    const wired = read(dir);
    const manifest = JSON.parse(wired.replace(/^\uFEFF/, '')) as { scripts: Record<string, string> };
    expect(manifest.scripts.preinstall.endsWith(PRE)).toBe(true);
    expect(manifest.scripts.postinstall.endsWith(POST)).toBe(true);
    // npm's writer kept the style: the line ending, and the indentation of the lines it added
    if (original.includes('\r\n')) expect(wired.replace(/\r\n/g, '')).not.toContain('\n');
    if (original.includes('\n\t')) expect(wired).toContain('\n\t\t"postinstall"');
    if (original.includes('\n    "name"')) expect(wired).toContain('\n        "postinstall"');

    const second = await initProject({ cwd: dir });
    expect(second.changed).toBe(false);
    expect(read(dir)).toBe(wired);

    const removed = await initProject({ cwd: dir, remove: true });
    expect(removed.changed).toBe(true);
    expect(read(dir)).toBe(original);
    expect((await initProject({ cwd: dir, remove: true })).changed).toBe(false);
    expect(read(dir)).toBe(original);
  });

  it('with --strict and --target: the block is added, and removed again by --remove with the same options', async () => {
    const original = SHAPES['four spaces, scripts without hooks']!;
    const dir = project(original);
    await initProject({ cwd: dir, strict: true, targets: ['node:22-alpine'] });
    const wired = read(dir);
    expect(wired).toContain(
      '    "nativeGuard": {\n        "targets": [\n            "node:22-alpine"\n        ],\n        "strict": true\n    }\n}\n',
    );
    expect((await initProject({ cwd: dir, strict: true, targets: ['node:22-alpine'] })).changed).toBe(false);
    // without the options, --remove cannot tell the block from one the user wrote: it stays
    const partly = await initProject({ cwd: dir, remove: true });
    expect(partly.changes).toContainEqual({
      kind: 'config-kept',
      config: { targets: ['node:22-alpine'], strict: true },
    });
    expect(read(dir)).not.toBe(original);
    await initProject({ cwd: dir, remove: true, strict: true, targets: ['node:22-alpine'] });
    expect(read(dir)).toBe(original);
  });

  it('a file npm would lay out differently keeps its layout: only the hook entries are added', async () => {
    const original = '{\n  "name": "app",\n  "files": ["dist", "hooks"],\n  "scripts": {"test": "x"}\n}\n';
    const dir = project(original);
    await initProject({ cwd: dir });
    const wired = read(dir);
    expect(wired).toContain('"files": ["dist", "hooks"]');
    expect(wired).toBe(
      original.replace(
        '"test": "x"',
        `"test": "x","preinstall": ${JSON.stringify(PRE)},"postinstall": ${JSON.stringify(POST)}`,
      ),
    );
    await initProject({ cwd: dir, remove: true });
    expect(read(dir)).toBe(original);
  });

  it('reports whether native-guard is a dependency', async () => {
    expect((await initProject({ cwd: project(SHAPES['two spaces, no scripts']!) })).dependency).toBe(false);
    expect(
      (await initProject({ cwd: project(SHAPES['four spaces, scripts without hooks']!) })).dependency,
    ).toBe(true);
  });

  it('fails with one line for a missing or broken package.json', async () => {
    await expect(initProject({ cwd: join(tmp.dir, 'nowhere') })).rejects.toMatchObject({
      code: 'ENOPACKAGEJSON',
    });
    expect(await rejectedWords(initProject({ cwd: join(tmp.dir, 'nowhere') }))).toContain(
      'no package.json in',
    );
    await expect(initProject({ cwd: project('{"name": "a",}\n') })).rejects.toMatchObject({ code: 'EINIT' });
  });
});

describe('workspaces', () => {
  let root: string;
  beforeAll(() => {
    root = project('{\n  "name": "mono",\n  "private": true,\n  "workspaces": [\n    "packages/*"\n  ]\n}\n');
    for (const name of ['api', 'web']) {
      mkdirSync(join(root, 'packages', name), { recursive: true });
      writeFileSync(
        join(root, 'packages', name, 'package.json'),
        `{\n  "name": "@mono/${name}",\n  "version": "1.0.0"\n}\n`,
      );
    }
  });

  it('in the root: the hooks go into the root package.json, covering every workspace', async () => {
    const result = await initProject({ cwd: root });
    expect(result.workspaces.sort()).toEqual(['@mono/api', '@mono/web']);
    expect(read(root)).toContain('"preinstall"');
    expect(readFileSync(join(root, 'packages', 'api', 'package.json'), 'utf8')).not.toContain('native-guard');
    const text = (await initCommand.run([], io(root))).stdout;
    expect(text).toContain("The root's hooks cover its 2 workspaces (@mono/api, @mono/web).");
  });

  it('in a workspace: refused, naming the root', async () => {
    const member = join(root, 'packages', 'web');
    const before = readFileSync(join(member, 'package.json'), 'utf8');
    expect(await rejectedWords(initProject({ cwd: member }))).toMatch(
      new RegExp(
        `is a workspace of ${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the hooks belong in the root`,
      ),
    );
    expect(readFileSync(join(member, 'package.json'), 'utf8')).toBe(before);
  });
});

const io = (cwd: string, env: Record<string, string | undefined> = {}): CommandIo => ({
  isTTY: false,
  env: { ...process.env, NO_COLOR: '1', ...env },
  cwd,
});

describe('native-guard init (command)', () => {
  it('prints its help', async () => {
    const r = await initCommand.run(['--help'], io(tmp.dir));
    for (const flag of ['--strict', '--target <spec>', '--remove', '--json'])
      expect(r.stdout).toContain(flag);
  });

  it('says what it changed, then that nothing changed', async () => {
    const dir = project('{\n  "name": "app",\n  "scripts": {\n    "preinstall": "echo hi"\n  }\n}\n');
    const first = await initCommand.run(['--strict', '-t', 'host'], io(dir));
    expect(first.exitCode).toBe(0);
    expect(first.stdout.replace(dir, '<dir>')).toBe(
      [
        'native-guard init <dir>/package.json',
        '  ~ scripts.preinstall   "echo hi" && <native-guard check hook>',
        '  + scripts.postinstall  <native-guard verify hook>',
        '  + nativeGuard          {"targets":["host"],"strict":true}',
        'note: native-guard is not in this package.json\'s dependencies: the hooks skip until "npm install --save-dev native-guard"',
        'The hooks run on "npm install" and "npm ci" (not "npm install <pkg>"); NATIVE_GUARD=0 skips them.',
        '',
      ].join('\n'),
    );
    const again = await initCommand.run(['--strict', '--target', 'host'], io(dir));
    expect(again.stdout).toContain('Already wired; package.json unchanged.');
    const removed = await initCommand.run(['--remove', '--strict', '-t', 'host'], io(dir));
    expect(removed.stdout).toContain('~ scripts.preinstall   back to "echo hi"');
    expect(removed.stdout).toContain('- nativeGuard          {"targets":["host"],"strict":true}');
  });

  it('says when a script now runs in sh -c, and what that needs', async () => {
    const dir = project(
      '{\n  "name": "app",\n  "scripts": {\n    "postinstall": "patch-package; echo done"\n  }\n}\n',
    );
    const r = await initCommand.run([], io(dir));
    expect(r.stdout).toContain(
      `  ~ scripts.postinstall  "patch-package; echo done" in sh -c '…' && <native-guard verify hook>\n`,
    );
    expect(r.stdout).toContain("note: a script that is not a plain command now runs whole in sh -c '…'");
    expect(r.stdout).toContain('That needs sh, which npm uses everywhere but Windows (cmd.exe)');
    const json = JSON.parse((await initCommand.run(['--remove', '--json'], io(dir))).stdout) as {
      changes: unknown[];
    };
    expect(json.changes).toContainEqual({
      kind: 'script-unchained',
      event: 'postinstall',
      before: `sh -c 'patch-package; echo done' && ${POST}`,
      after: 'patch-package; echo done',
    });
  });

  it('--json lists the changes, with every schemaVersion 1 field', async () => {
    const dir = project('{"name":"app"}\n');
    const r = await initCommand.run(['--json'], io(dir));
    const json = JSON.parse(r.stdout) as {
      changed: boolean;
      changes: Array<{ kind: string; script?: string }>;
    };
    expect(Object.keys(json).sort()).toEqual(
      [
        'changed',
        'changes',
        'dependency',
        'file',
        'reformatted',
        'remove',
        'schemaVersion',
        'workspaces',
      ].sort(),
    );
    expect(json).toMatchObject({ schemaVersion: 1, reformatted: false });
    expect(json.changed).toBe(true);
    expect(json.changes).toEqual([
      { kind: 'script-added', event: 'preinstall', script: PRE },
      { kind: 'script-added', event: 'postinstall', script: POST },
    ]);
  });

  it('refuses a target that does not resolve before writing anything, and positional arguments', async () => {
    const dir = project('{"name":"app"}\n');
    await expect(initCommand.run(['--target', 'node:99-alpine'], io(dir))).rejects.toMatchObject({
      code: 'ETARGET',
    });
    expect(read(dir)).toBe('{"name":"app"}\n');
    await expect(initCommand.run(['here'], io(dir))).rejects.toMatchObject({ code: 'EUSAGE' });
  });
});
