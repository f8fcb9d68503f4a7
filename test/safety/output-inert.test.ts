// Terminal and CI-log injection: every value a package controls reaches the text reports inert.
// The built CLI and the lifecycle hooks run against fixtures/trees/hostile-output (see its README).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_VALUE_LENGTH } from '../../src/report/inert.js';
import { CLI } from '../helpers/build.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(REPO, 'fixtures/trees/hostile-output');
const ADDONS = join(REPO, 'fixtures/addons/bin');

/** What the fixture's packages carry, and what the test puts into file names (no `/` there). */
const HOSTILE =
  '\n::error::pwned \u001b[2J\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007\r\u202egnp.exe\u009b31m';
const IN_NAME = HOSTILE.replaceAll('/', '_');

/** Our own colour codes (src/report/style.ts): the only escape sequences output may hold. */
// eslint-disable-next-line no-control-regex -- matching our own ANSI escapes is the point
const OUR_SGR = /\u001b\[(?:1|2|22|31|32|33|36|39)m/g;
/** Controls, format characters (bidi), separators, lone surrogates: none may reach a terminal. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
/** Our workflow commands (src/report/github.ts, src/hooks/run.ts): the only lines that may start with `::`. */
const OUR_ANNOTATION = /^::(?:error|warning|notice) (?:file=[^,:\s]+,)?title=(?:[A-Z][A-Z_]+|native-guard)::/;

let project: string;

/**
 * The committed tree in a temporary folder, plus what git cannot hold on every system: prebuilds,
 * a stray binary and a package folder with hostile names, and a real ELF whose DT_NEEDED names a
 * hostile library (musl.node's `libc.musl-x86_64.so.1`, patched in place: same length).
 */
function hostileProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ng-hostile-output-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const napiOk = readFileSync(join(ADDONS, 'napi-ok.node'));
  const prebuilds = join(dir, 'node_modules/evil-files/prebuilds');
  mkdirSync(join(prebuilds, 'linux-x64'), { recursive: true });
  writeFileSync(join(prebuilds, 'linux-x64', `evil${IN_NAME}.napi.node`), napiOk);
  mkdirSync(join(prebuilds, 'darwin\u001b[2J-x64'), { recursive: true });
  writeFileSync(join(prebuilds, 'darwin\u001b[2J-x64', `x${IN_NAME}.node`), napiOk);

  const musl = readFileSync(join(ADDONS, 'musl.node'));
  const needed = Buffer.from('libc.musl-x86_64.so.1');
  const evilLib = Buffer.from('\n::error::l\u001b[2J\r\u202eso');
  const at = musl.indexOf(needed);
  if (at < 0 || evilLib.length !== needed.length) throw new Error('musl.node changed: update the patch');
  evilLib.copy(musl, at);
  writeFileSync(join(dir, 'node_modules/evil-stray', `stray${IN_NAME}.node`), musl);

  const evilDir = join(dir, 'node_modules', `evil-dir${IN_NAME}`);
  mkdirSync(join(evilDir, 'prebuilds/linux-x64'), { recursive: true });
  writeFileSync(
    join(evilDir, 'package.json'),
    JSON.stringify({ name: 'evil-dir', version: '1.0.0', dependencies: { 'node-gyp-build': '^4.8.4' } }),
  );
  writeFileSync(join(evilDir, 'prebuilds/linux-x64/evil-dir.napi.node'), napiOk);

  // a nested project: verify loads its binary (an arm64 build: it fails), docker sees it in the context
  const nested = join(dir, `tools${IN_NAME}`);
  mkdirSync(join(nested, 'node_modules/evil-nested'), { recursive: true });
  writeFileSync(
    join(nested, 'package.json'),
    JSON.stringify({ name: 'tools', version: '1.0.0', dependencies: { 'evil-nested': '1.0.0' } }),
  );
  writeFileSync(
    join(nested, 'node_modules/evil-nested/package.json'),
    JSON.stringify({ name: 'evil-nested', version: '1.0.0' }),
  );
  writeFileSync(
    join(nested, `node_modules/evil-nested/arm${IN_NAME}.node`),
    readFileSync(join(ADDONS, 'arm64.node')),
  );
  return dir;
}

beforeAll(() => {
  project = hostileProject();
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

/**
 * Node on a script, in the project. The timeout is a kill timer: a killed run has no status, and
 * every test below expects one.
 */
function node(script: string, args: string[], env: Record<string, string | undefined> = {}): Run {
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', NATIVE_GUARD_TODAY: '2026-11-25', ...env },
    timeout: 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const cli = (args: string[], env?: Record<string, string | undefined>) => node(CLI, args, env);

/** Every line one line of ours: no control or bidi character but our colours, no forged `::`. */
function expectInert(out: string): void {
  const lines = out.replace(OUR_SGR, '').split('\n');
  for (const line of lines) {
    const bad = UNSAFE.exec(line);
    expect(
      bad,
      `raw U+${bad?.[0].codePointAt(0)?.toString(16)} in ${JSON.stringify(line.slice(0, 200))}`,
    ).toBe(null);
    if (line.startsWith('::')) expect(line).toMatch(OUR_ANNOTATION);
    // the 5000-character script and loader message, the 3000-character version: cut, with an ellipsis
    expect(line).not.toMatch(new RegExp(`[AV]{${MAX_VALUE_LENGTH}}`));
  }
}

/** The hostile values were printed, escaped, rather than left out. */
function expectShownEscaped(out: string): void {
  expect(out).toContain('\\n::error::pwned \\x1b[2J\\x1b]8;;');
  expect(out).toContain('\\x07click\\x1b]8;;\\x07\\r\\u202egnp.exe\\x9b31m');
}

const TARGETS = ['-t', 'host', '-t', 'node:22-alpine', '-t', 'node22-darwin-arm64'];

describe('hostile package text in text output', () => {
  it('check: matrix, findings and the Dockerfile summary', () => {
    const r = cli(['check', ...TARGETS]);
    expect(r.status).toBe(1);
    expectInert(r.stdout + r.stderr);
    expectShownEscaped(r.stdout);
    // the names of the matrix are there, escaped, with the ellipsis of a cut value
    expect(r.stdout).toMatch(/^evil-download@1\.0\.0-x\\n::error::pwned /m);
    expect(r.stdout).toMatch(/evil-entry@1\.0\.0-V+…/);
  });

  it('check --verbose in colour: binaries, URLs and locations inert; our colours still there', () => {
    const r = cli(['check', '--verbose', ...TARGETS], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(r.status).toBe(1);
    expect(r.stdout.match(OUR_SGR)?.length).toBeGreaterThan(10);
    expectInert(r.stdout + r.stderr);
    expectShownEscaped(r.stdout);
    expect(r.stdout).toContain(`prebuilds/linux-x64/evil\\n::error::pwned \\x1b[2J`);
    expect(r.stdout).toContain('node_modules/evil-dir\\n::error::pwned');
  });

  it('verify: the table, loader errors and what a crash left on stderr', () => {
    const r = cli(['verify']);
    expect(r.status).toBe(1);
    expectInert(r.stdout + r.stderr);
    expectShownEscaped(r.stdout);
    expect(r.stdout).toMatch(/LOAD_FAILED .*entry failed \\x1b\[2J/);
    expect(r.stdout).toMatch(/LOAD_CRASHED .*entry crashed \\x1b\[2J/);
    expect(r.stdout).toMatch(/SHARED_LIBRARY_MISSING .*needs ::error::l\\x1b\[2J\\r\\u202eso/);
    expect(r.stdout).toMatch(/ARCH_MISMATCH {2}evil-nested@1\.0\.0: tools\\n::error::pwned /);
  });

  it('inspect: file names and the libraries a binary names', () => {
    const files = [
      `node_modules/evil-stray/stray${IN_NAME}.node`,
      `node_modules/evil-files/prebuilds/darwin\u001b[2J-x64/x${IN_NAME}.node`,
    ];
    const r = cli(['inspect', ...files, '-t', 'node22-darwin-arm64']);
    expect(r.status).toBe(1);
    expectInert(r.stdout + r.stderr);
    expectShownEscaped(r.stdout);
    expect(r.stdout).toContain('needs: \\n::error::l\\x1b[2J\\r');
  });

  it('docker: folders and binaries the build context sends', () => {
    const r = cli(['docker']);
    expect(r.status).toBe(1);
    expectInert(r.stdout + r.stderr);
    expectShownEscaped(r.stdout);
    expect(r.stdout).toMatch(/STRAY_BINARY_IN_CONTEXT {2}tools\\n::error::pwned /);
    expect(r.stdout).toMatch(/DOCKERIGNORE_MISSES_NESTED_NODE_MODULES {2}tools\\n::error::pwned /);
  });

  for (const event of ['preinstall', 'postinstall'] as const) {
    const hook = join(REPO, 'hooks', `${event}.js`);
    const github = { GITHUB_ACTIONS: 'true' };

    it(`${event} hook in a GitHub Actions install: compact lines and annotations, no forged command`, () => {
      const r = node(hook, [], { ...github, GITHUB_WORKSPACE: project, npm_lifecycle_event: event });
      expect(r.status).toBe(0);
      expectInert(r.stdout + r.stderr);
      expectShownEscaped(r.stdout);
      const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
      expect(annotations.length).toBeGreaterThan(2);
      // a package folder named to break out of `file=` is left out of the property, not escaped into it
      expect(annotations.filter((l) => l.includes('file=node_modules/evil-dir'))).toEqual([]);
    });

    it(`${event} hook run by hand with GitHub annotations: the full report`, () => {
      const r = node(hook, [], { ...github, GITHUB_WORKSPACE: project, npm_lifecycle_event: undefined });
      // by hand, a hook exits like the CLI: 1 for error findings (the nested arm64 binary, at least)
      expect(r.status).toBe(1);
      expectInert(r.stdout + r.stderr);
      expectShownEscaped(r.stdout);
    });
  }
});

describe('JSON stays raw-valued', () => {
  it('check --json: the evidence holds the package text exactly as written', () => {
    const r = cli(['check', '--json', '-t', 'host']);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as {
      packages: Array<{ name: string; version: string }>;
      findings: Array<{ code: string; evidence: { script?: string } }>;
    };
    expect(json.packages.find((p) => p.name === 'evil-download')?.version).toBe(`1.0.0-x${HOSTILE}`);
    const unknown = json.findings.find(
      (f) => f.code === 'INSTALL_SCRIPT_UNKNOWN' && f.evidence.script?.startsWith('node build.js'),
    );
    expect(unknown?.evidence.script).toBe(`node build.js${HOSTILE} ${'A'.repeat(5000)}`);
  });
});
