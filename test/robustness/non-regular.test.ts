// Files every command reads whole, replaced by what cannot be read whole: a FIFO (a plain read waits
// for a writer forever), a link to /dev/zero (a plain read never ends), a sparse file over the size
// limit, and a Dockerfile whose ARGs double on every line. Each runs through the built CLI in a child
// process; a kill timer fails the test (a hang is never a pass). Each must end in a one-line error
// naming the file (exit 2) or in findings, with no stack trace.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../helpers/build.js';

/** A run still going after this has hung: the child is killed and the test fails. */
const KILL_AFTER_MS = 45_000;
const runnable = process.platform === 'linux';

const BASE = join(REPO, 'fixtures', 'broken', 'bom-package-json');
const CMAKE_TS = join(REPO, 'fixtures', 'trees', 'cmake-ts');
const DOCKERFILE = 'FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n';

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1' },
        timeout: KILL_AFTER_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; signal?: string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

let work: string;
beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'ng-non-regular-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

type Kind = 'fifo' | 'dev-zero' | 'too-big';

/** A copy of `base` with `rel` replaced by a FIFO, a link to /dev/zero or a sparse file of `bytes`. */
function project(kind: Kind, rel: string, base = BASE, bytes = 0): string {
  const dir = mkdtempSync(join(work, 'p-'));
  cpSync(base, dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  const file = join(dir, ...rel.split('/'));
  mkdirSync(dirname(file), { recursive: true });
  rmSync(file, { force: true });
  if (kind === 'fifo') execFileSync('mkfifo', [file]);
  else if (kind === 'dev-zero') symlinkSync('/dev/zero', file);
  else {
    writeFileSync(file, '');
    truncateSync(file, bytes);
  }
  return dir;
}

function assertEnded(run: Run, what: string) {
  expect(run.signal, `${what}: killed after ${KILL_AFTER_MS} ms (hung)\n${run.stderr}`).toBeNull();
  for (const text of [run.stdout, run.stderr]) {
    expect(text, `${what}: stack trace`).not.toMatch(/^\s+at .+[(:]\d+/m);
    expect(text, `${what}: crash`).not.toMatch(/internal error|Invalid string length|heap out of memory/);
  }
}

/** Exit 2, one line on stderr naming the file and saying what is wrong with it. */
function assertOneLineError(run: Run, file: string, words: RegExp, what: string) {
  assertEnded(run, what);
  expect(run.code, `${what}: exit code\n${run.stdout.slice(0, 300)}${run.stderr}`).toBe(2);
  const lines = run.stderr.replace(/\n$/, '').split('\n');
  expect(lines, `${what}: one line`).toHaveLength(1);
  expect(lines[0], what).toContain(file);
  expect(lines[0], what).toMatch(words);
}

const NOT_REGULAR = /not a regular file/;

/** [file, command args] that must stop with a one-line error when the file cannot be read whole. */
const STOPS: Array<[string, string[]]> = [
  ['Dockerfile', ['check', '--json']],
  ['Dockerfile', ['check', '--dockerfile', 'Dockerfile', '--json']],
  ['Dockerfile', ['docker', '--json']],
  ['.dockerignore', ['check', '--json']],
  ['.dockerignore', ['docker', '--json']],
  ['Dockerfile.dockerignore', ['check', '--dockerfile', 'Dockerfile', '--json']],
  ['node_modules/.package-lock.json', ['check', '--json']],
  ['node_modules/.package-lock.json', ['verify', '--json']],
  ['package-lock.json', ['check', '--json']],
  ['package-lock.json', ['check', '--lockfile-only', '--offline', '--json']],
  ['package.json', ['check', '--json']],
  ['.npmrc', ['check', '--json']],
  ['pnpm-workspace.yaml', ['check', '--json']],
];

describe.skipIf(!runnable)('a FIFO or a link to /dev/zero where a file is read whole', () => {
  for (const kind of ['fifo', 'dev-zero'] as const) {
    it.each(STOPS)(`${kind} as %s: native-guard %j stops with one line naming it`, async (rel, args) => {
      const dir = project(kind, rel);
      const run = await cli(dir, args);
      assertOneLineError(run, join(dir, rel), NOT_REGULAR, `${kind} ${rel} ${args.join(' ')}`);
    });

    it(`${kind} as a dependency's package.json: PACKAGE_JSON_INVALID, the rest checked`, async () => {
      const dir = project(kind, 'node_modules/healthy-addon/package.json');
      const run = await cli(dir, ['check', '--json']);
      assertEnded(run, kind);
      const report = JSON.parse(run.stdout) as {
        findings: Array<{ code: string; location?: string }>;
        packages: Array<{ location: string }>;
      };
      expect(report.findings).toContainEqual(
        expect.objectContaining({ code: 'PACKAGE_JSON_INVALID', location: 'node_modules/healthy-addon' }),
      );
      expect(report.packages.map((p) => p.location)).toContain('node_modules/bom-addon');
    });

    it(`${kind} as a cmake-ts build/manifest.json: read as no manifest, no hang`, async () => {
      const dir = project(kind, 'node_modules/cmts-addon/build/manifest.json', CMAKE_TS);
      const run = await cli(dir, ['check', '--json', '--no-dockerfile']);
      assertEnded(run, kind);
      expect([0, 1]).toContain(run.code);
      const report = JSON.parse(run.stdout) as { packages: Array<{ location: string }> };
      expect(report.packages.map((p) => p.location)).toContain('node_modules/cmts-addon');
    });
  }
});

describe.skipIf(!runnable)('files over the size limit (sparse, so nothing is written)', () => {
  it.each([
    ['package-lock.json', 300 * 1024 * 1024, /larger than 256 MiB/],
    ['node_modules/.package-lock.json', 300 * 1024 * 1024, /larger than 256 MiB/],
    ['package.json', 70 * 1024 * 1024, /larger than 64 MiB/],
    ['Dockerfile', 5 * 1024 * 1024, /larger than 4 MiB/],
    ['.dockerignore', 5 * 1024 * 1024, /larger than 4 MiB/],
  ] as const)('%s of %d bytes: one line naming it', async (rel, bytes, words) => {
    const dir = project('too-big', rel, BASE, bytes);
    const run = await cli(dir, ['check', '--json']);
    assertOneLineError(run, join(dir, rel), words, `${rel} ${bytes}`);
  });
});

describe.skipIf(!runnable)('a Dockerfile whose ARGs expand without bound', () => {
  it('ARG values that grow tenfold per line: DOCKERFILE_PROBLEM, and the check goes on', async () => {
    const dir = mkdtempSync(join(work, 'args-'));
    cpSync(BASE, dir, { recursive: true });
    const lines = ['FROM node:22-bookworm-slim', `ARG A0=${'x'.repeat(100)}`];
    for (let i = 1; i <= 12; i++) lines.push(`ARG A${i}=${`$A${i - 1}`.repeat(10)}`);
    lines.push('WORKDIR /app/$A12', 'COPY . .', 'RUN npm ci');
    writeFileSync(join(dir, 'Dockerfile'), lines.join('\n') + '\n');
    const run = await cli(dir, ['check', '--json']);
    assertEnded(run, 'ARG bomb');
    expect([0, 1]).toContain(run.code);
    const report = JSON.parse(run.stdout) as {
      findings: Array<{ code: string; evidence: { reason?: string; line?: number } }>;
    };
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'DOCKERFILE_PROBLEM',
        // A2 (line 4) is the first value past 4096 characters
        evidence: expect.objectContaining({ reason: 'value-too-long', line: 4 }),
      }),
    );
  });
});
