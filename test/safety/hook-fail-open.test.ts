import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeProject } from '../helpers/fixture-project.js';
import { cleanEnv, PACKAGE, runToExit } from './run-to-exit.js';

/**
 * The lifecycle hook fails open on every fault of native-guard's own: whatever is wrong with the
 * installed copy of native-guard, or however its run goes wrong, the install goes on with one line
 * on stderr (exit 0), or stops when the project says "strict": true (exit 1). Each case is a copy
 * of the real hooks/ folder beside a dist/hooks/run.js broken in one way, run as npm runs it.
 */
const KILL_AFTER_MS = 60_000;

let tmp: ReturnType<typeof tempDir>;
let project: string;
let strictProject: string;
beforeAll(() => {
  tmp = tempDir('ng-safety-hook-');
  project = writeProject(join(tmp.dir, 'project'), {});
  strictProject = writeProject(join(tmp.dir, 'strict-project'), { root: { nativeGuard: { strict: true } } });
});
afterAll(() => tmp?.cleanup());

/**
 * The built modules the hook entry (dist/hooks/entry.js: the answer cache) imports, followed through
 * their relative imports, without dist/hooks/run.js (the part each case breaks): read from dist, so a
 * new import on the cache path is copied without a list to keep up to date.
 */
function cachePathModules(): string[] {
  const seen = new Set<string>();
  const queue = ['hooks/entry.js'];
  while (queue.length) {
    const f = queue.pop()!;
    if (seen.has(f) || f === 'hooks/run.js') continue;
    seen.add(f);
    const text = readFileSync(join(PACKAGE, 'dist', f), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g))
      queue.push(posix.normalize(posix.join(posix.dirname(f), m[1]!)));
  }
  return [...seen];
}

/** A copy of native-guard's hooks/ with this text as dist/hooks/run.js (null: no dist at all). */
function brokenPackage(name: string, hookJs: string | null, runJs?: string): string {
  const pkg = join(tmp.dir, name);
  mkdirSync(join(pkg, 'hooks'), { recursive: true });
  for (const f of ['run.js', 'preinstall.js', 'postinstall.js'])
    copyFileSync(join(PACKAGE, 'hooks', f), join(pkg, 'hooks', f));
  if (runJs !== undefined) writeFileSync(join(pkg, 'hooks', 'run.js'), runJs);
  writeFileSync(join(pkg, 'package.json'), '{"name":"native-guard","type":"module"}\n');
  if (hookJs !== null) {
    mkdirSync(join(pkg, 'dist', 'hooks'), { recursive: true });
    writeFileSync(join(pkg, 'dist', 'hooks', 'run.js'), hookJs);
    // the real entry hooks/run.js imports first (the answer cache), which imports run.js on a miss
    for (const f of cachePathModules()) {
      mkdirSync(dirname(join(pkg, 'dist', f)), { recursive: true });
      copyFileSync(join(PACKAGE, 'dist', f), join(pkg, 'dist', f));
    }
  }
  return pkg;
}

function postinstall(pkg: string, cwd = project, env: Record<string, string> = {}) {
  return runToExit(process.execPath, [join(pkg, 'hooks', 'postinstall.js')], {
    cwd,
    env: cleanEnv({ npm_lifecycle_event: 'postinstall', ...env }),
    killAfterMs: KILL_AFTER_MS,
  });
}

const CASES: Array<{ name: string; hookJs: string | null; runJs?: string; says: RegExp }> = [
  {
    name: 'no dist folder',
    hookJs: null,
    says: /internal error: Cannot find module .*dist\/hooks\/(entry|run)\.js/,
  },
  {
    name: 'dist/hooks/run.js with a syntax error',
    hookJs: 'export async function runHook( {\n',
    says: /internal error: .*(Unexpected|SyntaxError)/,
  },
  {
    name: 'dist/hooks/run.js that throws at import',
    hookJs: "throw new Error('broken at import');\n",
    says: /internal error: broken at import/,
  },
  {
    name: 'dist/hooks/run.js without runHook (another version of the API)',
    hookJs: 'export const somethingElse = 1;\n',
    says: /internal error: dist\/hooks\/run\.js does not export runHook/,
  },
  {
    name: 'an error thrown later, from a timer (uncaught exception)',
    hookJs:
      "export function runHook() {\n  setTimeout(() => { throw new Error('thrown later'); }, 10);\n  return new Promise(() => {});\n}\n",
    says: /internal error: thrown later/,
  },
  {
    name: 'a rejected promise nobody awaits (unhandled rejection)',
    hookJs:
      "export function runHook() {\n  Promise.reject(new Error('rejected, unawaited'));\n  return new Promise(() => {});\n}\n",
    says: /internal error: rejected, unawaited/,
  },
  {
    name: 'a hooks/run.js that does not parse',
    hookJs: null,
    runJs: 'export async function run( {\n',
    says: /internal error: .*(Unexpected|SyntaxError)/,
  },
];

describe('the hook fails open on faults of its own', () => {
  for (const c of CASES) {
    it(
      `${c.name}: one line, the install goes on; with "strict": true it stops`,
      async () => {
        const pkg = brokenPackage(c.name.replace(/\W+/g, '-'), c.hookJs, c.runJs);
        const r = await postinstall(pkg);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(
          new RegExp(`^native-guard verify: ${c.says.source}.*; the install goes on\\n$`),
        );
        expect(r.status).toBe(0);
        const strict = await postinstall(pkg, strictProject);
        expect(strict.stderr).toMatch(/; failing the install \("strict": true\)\n$/);
        expect(strict.status).toBe(1);
      },
      2 * KILL_AFTER_MS + 10_000,
    );
  }

  it(
    'a run that never settles and holds nothing open: stopped at the deadline, not left to exit with an unsettled await',
    async () => {
      const pkg = brokenPackage(
        'never-settles',
        'export function runHook() {\n  return new Promise(() => {});\n}\n',
      );
      const r = await postinstall(pkg, project, { NATIVE_GUARD_HOOK_TIMEOUT: '0.5' });
      expect(r.stderr).toBe(
        'native-guard verify: did not finish within 0.5 s (NATIVE_GUARD_HOOK_TIMEOUT): stopped; the install goes on\n',
      );
      expect(r.status).toBe(0);
    },
    KILL_AFTER_MS + 10_000,
  );

  it(
    'a run that never settles and keeps a timer alive: stopped at the deadline all the same',
    async () => {
      const pkg = brokenPackage(
        'hangs',
        'export function runHook() {\n  setInterval(() => {}, 1000);\n  return new Promise(() => {});\n}\n',
      );
      const r = await postinstall(pkg, project, { NATIVE_GUARD_HOOK_TIMEOUT: '0.5' });
      expect(r.stderr).toMatch(/^native-guard verify: did not finish within 0\.5 s/);
      expect(r.status).toBe(0);
    },
    KILL_AFTER_MS + 10_000,
  );

  it(
    'a result, then something left open: the hook prints it and exits without waiting',
    async () => {
      const pkg = brokenPackage(
        'leaves-a-handle',
        "export async function runHook() {\n  setInterval(() => {}, 1000);\n  return { stdout: 'native-guard verify: all good\\n', stderr: '', exitCode: 0 };\n}\n",
      );
      const r = await postinstall(pkg);
      expect(r).toMatchObject({ stdout: 'native-guard verify: all good\n', stderr: '', status: 0 });
    },
    KILL_AFTER_MS + 10_000,
  );
});
