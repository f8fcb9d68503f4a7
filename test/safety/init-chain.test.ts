import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject } from '../../src/hooks/init.js';
import { tempDir } from '../helpers/fixture-project.js';

/**
 * `init` onto hostile existing scripts, proven with the real npm lifecycle. For each script, two copies
 * of one project run `npm install`: the script as the user wrote it (the oracle: what npm does with it
 * alone), and the same after `init`. The wired copy must do everything the oracle did (same files,
 * same contents, same exit status), plus run the hook exactly once when the script succeeded and not
 * at all when it failed. Then `init --remove` must give back the original package.json bytes.
 *
 * The hook is a stand-in native-guard (a `file:` dependency with the same "exports") that appends a
 * line to hook-<event> in its working folder: a hook that did not run, ran twice, or ran in another
 * folder all show. The shell is the machine's sh (dash here), npm's default script shell off Windows.
 */
const runnable = process.platform !== 'win32';

interface Case {
  name: string;
  event: 'preinstall' | 'postinstall';
  /** The script as written in package.json: the content of the JSON string literal, escapes and all. */
  raw: string;
  /** What npm install exits with for the script alone (checked on the oracle, so the case means what it says). */
  status: number;
  /** The script leaves a file named orig. */
  orig: boolean;
  /** orig is written by a background process: wait for it before comparing. */
  background?: boolean;
}

const json = (s: string) => JSON.stringify(s).slice(1, -1);

const CASES: Case[] = [
  // plain command lists: chained with " && ", which cmd.exe reads the same way
  { name: 'a plain command', event: 'preinstall', raw: 'touch orig', status: 0, orig: true },
  {
    name: 'double quotes holding single quotes',
    event: 'preinstall',
    raw: json(`node -e "require('fs').writeFileSync('orig', 'from node')"`),
    status: 0,
    orig: true,
  },
  { name: 'a plain list that fails', event: 'preinstall', raw: 'touch orig && false', status: 1, orig: true },
  { name: 'a plain || list', event: 'preinstall', raw: 'false || touch orig', status: 0, orig: true },
  // shell text that swallows, skips or breaks an appended " && hook"
  { name: 'ends in ;', event: 'preinstall', raw: 'touch orig;', status: 0, orig: true },
  { name: 'ends in &', event: 'preinstall', raw: 'touch orig &', status: 0, orig: true, background: true },
  {
    name: 'ends in a # comment',
    event: 'preinstall',
    raw: 'touch orig # the hook must not join this comment',
    status: 0,
    orig: true,
  },
  { name: 'ends in a backslash', event: 'preinstall', raw: json('touch orig \\'), status: 0, orig: true },
  {
    name: 'an unclosed quote',
    event: 'preinstall',
    raw: json("touch orig; echo 'unclosed"),
    status: 2,
    orig: false,
  },
  {
    name: 'a heredoc',
    event: 'preinstall',
    raw: json('cat > orig <<EOF\nline one\nEOF'),
    status: 0,
    orig: true,
  },
  {
    name: 'a heredoc without its end line',
    event: 'preinstall',
    raw: json('cat > orig <<EOF\nline one'),
    status: 0,
    orig: true,
  },
  { name: 'exit 0', event: 'preinstall', raw: 'touch orig; exit 0', status: 0, orig: true },
  {
    name: 'a plain-looking list ending in exit 0',
    event: 'preinstall',
    raw: 'touch orig && exit 0',
    status: 0,
    orig: true,
  },
  { name: 'exit 4', event: 'preinstall', raw: 'touch orig; exit 4', status: 4, orig: true },
  { name: 'exec', event: 'preinstall', raw: 'exec touch orig', status: 0, orig: true },
  {
    name: 'cd into a subfolder',
    event: 'preinstall',
    raw: 'mkdir -p sub && cd sub && touch ../orig',
    status: 0,
    orig: true,
  },
  { name: 'ends in &&', event: 'preinstall', raw: 'touch orig &&', status: 2, orig: false },
  { name: 'ends in |', event: 'preinstall', raw: 'touch orig |', status: 2, orig: false },
  {
    name: 'a list whose last command fails',
    event: 'preinstall',
    raw: 'touch orig ; false',
    status: 1,
    orig: true,
  },
  {
    name: 'single quotes, escapes and variables',
    event: 'preinstall',
    raw: json(`printf '%s|%s|%s\\n' "it's" 'a\\b' "$npm_lifecycle_event" > orig`),
    status: 0,
    orig: true,
  },
  {
    // the quote is spelled \u0027 in package.json, é as \u00e9 and / as \/: all kept as written
    name: 'JSON escapes in the script text',
    event: 'preinstall',
    raw: 'echo \\"caf\\u00e9\\" \\u0027\\/tmp\\u0027 > orig',
    status: 0,
    orig: true,
  },
  {
    name: 'a newline inside',
    event: 'preinstall',
    raw: json('touch orig\necho second >> orig'),
    status: 0,
    orig: true,
  },
  { name: 'a tab', event: 'preinstall', raw: json('touch\torig'), status: 0, orig: true },
  { name: 'postinstall ending in ;', event: 'postinstall', raw: 'touch orig;', status: 0, orig: true },
  {
    name: 'postinstall ending in a comment',
    event: 'postinstall',
    raw: 'touch orig #',
    status: 0,
    orig: true,
  },
  { name: 'postinstall with exit 4', event: 'postinstall', raw: 'touch orig; exit 4', status: 4, orig: true },
];

const MINUTE = 60_000;
let tmp: ReturnType<typeof tempDir>;
let fake: string;

/** The environment of a user's shell: nothing from an npm (or CI) process running these tests. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function npmInstall(cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-update-notifier'], {
      cwd,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // a generous kill timer that makes the test fail, never pass
    const timer = setTimeout(() => child.kill('SIGKILL'), 4 * MINUTE);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(file: string): Promise<void> {
  // a background command of the script writes it; give up (and fail on the comparison) after a minute
  for (let i = 0; i < 600 && !existsSync(file); i++) await sleep(100);
}

/** What the script left in the project: every file outside node_modules but the manifests and the root hook markers. */
function leftovers(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const rel = relative(dir, path);
      if (
        ['node_modules', 'package.json', 'package-lock.json', 'hook-preinstall', 'hook-postinstall'].includes(
          rel,
        )
      )
        continue;
      if (statSync(path).isDirectory()) walk(path);
      else out[rel] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const marker = (dir: string, event: string) => {
  const file = join(dir, `hook-${event}`);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
};

beforeAll(() => {
  tmp = tempDir('ng-init-chain-');
  fake = join(tmp.dir, 'fake-native-guard');
  mkdirSync(join(fake, 'hooks'), { recursive: true });
  writeFileSync(
    join(fake, 'package.json'),
    JSON.stringify({
      name: 'native-guard',
      version: '0.0.0-fake',
      exports: {
        './hooks/preinstall.js': './hooks/preinstall.js',
        './hooks/postinstall.js': './hooks/postinstall.js',
      },
    }),
  );
  for (const event of ['preinstall', 'postinstall'])
    writeFileSync(
      join(fake, 'hooks', `${event}.js`),
      `require('fs').appendFileSync('hook-${event}', 'ran\\n');\n`,
    );
});
afterAll(() => tmp?.cleanup());

describe.skipIf(!runnable)('init onto hostile existing scripts, then the real npm install', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))(
    '%s',
    async (_name, c, i) => {
      const original =
        '{\n  "name": "hostile",\n  "version": "1.0.0",\n  "private": true,\n  "scripts": {\n' +
        `    "${c.event}": "${c.raw}"\n  },\n` +
        `  "dependencies": {\n    "native-guard": "file:${json(fake)}"\n  }\n}\n`;
      const oracle = join(tmp.dir, `case${i}-alone`);
      const wired = join(tmp.dir, `case${i}-wired`);
      for (const dir of [oracle, wired]) {
        mkdirSync(dir);
        writeFileSync(join(dir, 'package.json'), original);
      }
      await initProject({ cwd: wired });
      const wiredText = readFileSync(join(wired, 'package.json'), 'utf8');
      expect((await initProject({ cwd: wired })).changed).toBe(false);

      const [alone, withHook] = await Promise.all([npmInstall(oracle), npmInstall(wired)]);
      if (c.background) await Promise.all([waitFor(join(oracle, 'orig')), waitFor(join(wired, 'orig'))]);

      // the case means what it says: npm alone gives this status and these files
      expect(alone.status, alone.output).toBe(c.status);
      expect(existsSync(join(oracle, 'orig'))).toBe(c.orig);
      expect(marker(oracle, 'preinstall')).toBeNull();

      // with the hook: the script did exactly what it does alone, with the same exit status…
      expect(withHook.status, withHook.output).toBe(alone.status);
      expect(leftovers(wired)).toEqual(leftovers(oracle));
      // …and the hook ran once, in the project folder, exactly when the script succeeded
      const hookRan = c.status === 0 ? 'ran\n' : null;
      expect(marker(wired, c.event), withHook.output).toBe(hookRan);
      if (c.event === 'postinstall') expect(marker(wired, 'preinstall')).toBe('ran\n');
      else expect(marker(wired, 'postinstall')).toBe(hookRan);

      // npm install leaves package.json alone; init --remove gives back the original bytes
      expect(readFileSync(join(wired, 'package.json'), 'utf8')).toBe(wiredText);
      await initProject({ cwd: wired, remove: true });
      expect(readFileSync(join(wired, 'package.json'), 'utf8')).toBe(original);
    },
    5 * MINUTE,
  );
});

describe.skipIf(!runnable)('an earlier init’s broken chain is repaired on update', () => {
  it(
    '"foo; && <old hook>" becomes the wrapped form, and --remove gives back "foo;"',
    async () => {
      const older = `node -e "import('native-guard/hooks/preinstall.js').catch(e=>{console.log('old words')})"`;
      const dir = join(tmp.dir, 'older');
      mkdirSync(dir);
      const text = `{\n  "name": "older",\n  "version": "1.0.0",\n  "scripts": {\n    "preinstall": ${JSON.stringify(
        `touch orig; && ${older}`,
      )}\n  },\n  "dependencies": {\n    "native-guard": "file:${json(fake)}"\n  }\n}\n`;
      writeFileSync(join(dir, 'package.json'), text);
      await initProject({ cwd: dir });
      const r = await npmInstall(dir);
      expect(r.status, r.output).toBe(0);
      expect(existsSync(join(dir, 'orig'))).toBe(true);
      expect(marker(dir, 'preinstall')).toBe('ran\n');
      await initProject({ cwd: dir, remove: true });
      const scripts = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: object })
        .scripts;
      expect(scripts).toEqual({ preinstall: 'touch orig;' });
    },
    5 * MINUTE,
  );
});
