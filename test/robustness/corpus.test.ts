// Every command of the built CLI on every case of the malformed-tree corpus (fixtures/broken,
// described in its README.md): each run ends with findings or a one-line error naming a path in
// the case, never a stack trace, a hang or a silently skipped package.
import { execFile, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusCases, materializeCase, REPO } from './corpus.js';
import { CLI } from '../helpers/build.js';

/** A run that takes longer than this has hung. */
const HARD_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = HARD_TIMEOUT_MS + 30_000;

/** What one command must say about a case. */
interface Expect {
  /** Findings that must be there: a code (or any of several) at a location. */
  findings?: Array<{ code: string | string[]; location: string | string[] }>;
  /** Locations that must be reported as native packages (check) or binaries (verify). */
  packages?: string[];
  /** Codes that must NOT be there (a false alarm the case once produced). */
  absent?: string[];
  /** Exit 2, and the one-line error names this path (relative to the case's project). */
  error?: string;
}

interface CaseSpec {
  /** The project folder inside the case (default: the case folder itself). */
  root?: string;
  /** Needs a user that file permissions apply to (chmod 000 means nothing to root). */
  unprivileged?: boolean;
  check: Expect;
  verify: Expect;
  /** `check --lockfile-only --offline`, for cases with a lockfile. */
  lockfile?: Expect;
  docker?: Expect;
}

const at = (code: string | string[], location: string | string[]) => ({ code, location });
const SAME = (e: Expect): Pick<CaseSpec, 'check' | 'verify'> => ({ check: e, verify: e });

/** The table the corpus README mirrors: what each command must say about each case. */
const CASES: Record<string, CaseSpec> = {
  'bin-dangling': SAME({ packages: ['node_modules/healthy-addon'], absent: ['LINK_BROKEN'] }),
  'binding-gyp-folder': {
    check: { findings: [at('SOURCE_BUILD_REQUIRED', 'node_modules/gyp-dir')] },
    verify: { findings: [at('BINARY_MISSING', 'node_modules/gyp-dir')] },
  },
  'bom-package-json': SAME({ packages: ['node_modules/bom-addon'], absent: ['PACKAGE_JSON_INVALID'] }),
  'case-duplicates': SAME({
    findings: [
      at('INVALID_BINARY', 'node_modules/native-dup'),
      // whichever of the two the file system lists second
      at('PACKAGE_NAME_CASE_CONFLICT', ['node_modules/native-dup', 'node_modules/Native-Dup']),
    ],
    packages: ['node_modules/Native-Dup', 'node_modules/native-dup'],
  }),
  'dangling-link': SAME({
    findings: [at('LINK_BROKEN', 'node_modules/gone')],
    absent: ['PACKAGE_JSON_INVALID'],
  }),
  'deep-nesting': SAME({
    packages: [Array.from({ length: 100 }, (_, i) => `node_modules/deep-${i + 1}`).join('/')],
  }),
  'empty-node': SAME({ findings: [at('INVALID_BINARY', 'node_modules/empty-addon')] }),
  'fifo-node': SAME({
    findings: [
      at('INVALID_BINARY', 'node_modules/fifo-addon'),
      at('INVALID_BINARY', 'node_modules/fifo-prebuild'),
    ],
  }),
  'hidden-lockfile-fifo': SAME({ error: 'node_modules/.package-lock.json' }),
  'html-node': SAME({ findings: [at('INVALID_BINARY', 'node_modules/html-addon')] }),
  'huge-package-json': {
    check: { findings: [at('SOURCE_BUILD_REQUIRED', 'node_modules/huge')] },
    verify: { findings: [at('BINARY_MISSING', 'node_modules/huge')] },
  },
  'json-invalid': SAME({ findings: [at('PACKAGE_JSON_INVALID', 'node_modules/bad-json')] }),
  'lfs-pointer-node': SAME({ findings: [at('INVALID_BINARY', 'node_modules/lfs-addon')] }),
  'link-to-ancestor': SAME({
    findings: [at('LINK_BROKEN', 'node_modules/nm-self'), at('LINK_BROKEN', 'node_modules/file-link')],
    packages: ['node_modules/healthy-addon'],
  }),
  'lockfile-disagrees': {
    ...SAME({ packages: ['node_modules/native-a', 'node_modules/unlocked-extra'] }),
    lockfile: {
      findings: [
        at('MANIFEST_UNAVAILABLE', 'node_modules/native-a'),
        at('MANIFEST_UNAVAILABLE', 'node_modules/locked-only'),
      ],
    },
  },
  'lockfile-fifo': { ...SAME({ error: 'package-lock.json' }), lockfile: { error: 'package-lock.json' } },
  'lockfile-invalid': {
    ...SAME({
      findings: [at('LOCKFILE_INVALID', 'package-lock.json')],
      packages: ['node_modules/healthy-addon'],
    }),
    lockfile: { error: 'package-lock.json' },
  },
  'lockfile-v1': {
    ...SAME({ packages: ['node_modules/v1-addon'] }),
    lockfile: { findings: [at('MANIFEST_UNAVAILABLE', 'node_modules/v1-addon')] },
  },
  'many-files': SAME({ packages: ['node_modules/many-0000', 'node_modules/many-0900'] }),
  'missing-name-version': SAME({ findings: [at('PACKAGE_JSON_INVALID', 'node_modules/nameless')] }),
  'newline-name': SAME({ packages: ['node_modules/new\nline'] }),
  'node-is-folder': SAME({ findings: [at('INVALID_BINARY', 'node_modules/dir-addon')] }),
  'node-modules-file': SAME({ findings: [at('FOLDER_UNREADABLE', 'node_modules')] }),
  'odd-names': SAME({ packages: ['node_modules/with space', 'node_modules/ünïcödé-addon'] }),
  'package-json-fifo': SAME({ findings: [at('PACKAGE_JSON_INVALID', 'node_modules/fifo-pkg')] }),
  'package-json-folder': SAME({ findings: [at('PACKAGE_JSON_INVALID', 'node_modules/pj-dir')] }),
  'prebuilds-dev-zero': SAME({ findings: [at('INVALID_BINARY', 'node_modules/zero-prebuild')] }),
  'prebuilds-file': {
    check: { findings: [at('SOURCE_BUILD_REQUIRED', 'node_modules/pb-file')] },
    verify: { findings: [at('BINARY_MISSING', 'node_modules/pb-file')] },
  },
  'root-package-json-fifo': SAME({ error: 'package.json' }),
  'root-package-json-invalid': SAME({ error: 'package.json' }),
  'scope-is-file': SAME({
    findings: [at('FOLDER_UNREADABLE', 'node_modules/@scope')],
    packages: ['node_modules/healthy-addon'],
  }),
  'symlink-loop': SAME({
    findings: [at('LINK_BROKEN', 'node_modules/loop-a'), at('LINK_BROKEN', 'node_modules/loop-b')],
  }),
  'unreadable-folder': {
    unprivileged: true,
    ...SAME({
      findings: [
        at('FOLDER_UNREADABLE', 'node_modules/locked'),
        at('FOLDER_UNREADABLE', 'node_modules/@locked'),
      ],
      packages: ['node_modules/healthy-addon'],
    }),
    docker: { findings: [at('DOCKER_CONTEXT_INCOMPLETE', '')] },
  },
  'workspace-outside': {
    root: 'app',
    ...SAME({ packages: ['../elsewhere/ws-addon'] }),
    lockfile: { packages: ['../elsewhere/ws-addon'] },
  },
};

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;
/** Why a case that needs an unprivileged user cannot run here, or null. */
const unprivilegedSkip = !isRoot
  ? null
  : !setpriv
    ? 'running as root without setpriv: chmod 000 does not stop root from reading'
    : unprivilegedCannotRun();

/** A checkout under a private folder (`mktemp -d` is 0700) keeps the unprivileged user from the CLI itself. */
function unprivilegedCannotRun(): string | null {
  const probe = spawnSync(
    setpriv!,
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '-e',
      `require('fs').accessSync(${JSON.stringify(CLI)}, 4)`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return probe.status === 0
    ? null
    : `the unprivileged user (uid 65534) cannot read ${CLI}: a folder above the checkout is private to root`;
}

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], options: { unprivileged?: boolean; home: string }): Promise<Run> {
  const env = { ...process.env, NO_COLOR: '1', HOME: options.home };
  const [cmd, argv] =
    options.unprivileged && isRoot
      ? [setpriv!, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args]]
      : [process.execPath, [CLI, ...args]];
  return new Promise((resolve) => {
    execFile(
      cmd,
      argv,
      {
        env,
        timeout: HARD_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
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

/** No trace of a crash: stack frames, uncaught error names, native-guard's own internal-error line. */
function assertNoCrash(run: Run, what: string) {
  expect(run.signal, `${what}: killed after ${HARD_TIMEOUT_MS} ms (hung)`).toBeNull();
  expect([0, 1, 2], `${what}: exit code\n${run.stderr}`).toContain(run.code);
  for (const text of [run.stdout, run.stderr]) {
    expect(text, `${what}: stack trace`).not.toMatch(/^\s+at .+[(:]\d+/m);
    expect(text, `${what}: uncaught error`).not.toMatch(
      /\b(?:TypeError|ReferenceError|RangeError|SyntaxError):|internal error|heap out of memory|FATAL ERROR/,
    );
  }
}

/** Exit 2 is one line on stderr naming `path`; nothing on stdout. */
function assertOneLineError(run: Run, path: string, what: string) {
  expect(run.code, `${what}: expected exit 2, got ${run.code}\n${run.stdout.slice(0, 400)}`).toBe(2);
  const text = run.stderr.replace(/\n$/, '');
  expect(text.split('\n'), `${what}: one line`).toHaveLength(1);
  expect(text, `${what}: names ${path}`).toContain(path);
}

interface JsonFinding {
  code: string;
  location?: string;
  evidence: Record<string, unknown>;
}

/** Findings at `location`, or naming it in their evidence. */
function findingsAt(findings: JsonFinding[], location: string, abs: string): JsonFinding[] {
  return findings.filter(
    (f) =>
      f.location === location ||
      (location !== '' &&
        typeof f.location === 'string' &&
        f.location !== '' &&
        location.startsWith(f.location + '/')) ||
      (typeof f.evidence.path === 'string' &&
        (f.evidence.path === abs || f.evidence.path.startsWith(abs + '/'))) ||
      (typeof f.evidence.file === 'string' && f.evidence.file.startsWith(location + '/')),
  );
}

const NATIVE_DEPS = new Set([
  'bindings',
  'node-gyp-build',
  'node-gyp-build-optional-packages',
  'prebuild-install',
  'node-pre-gyp',
  '@mapbox/node-pre-gyp',
  'nan',
  'node-addon-api',
  'cmake-js',
]);

/**
 * Could this package folder be native, by what it holds? The test's own reading, independent of
 * src/: install scripts, gypfile, a binary block, a .node main, a native toolkit dependency,
 * binding.gyp, prebuilds, a .node at the top. A package.json that cannot be read counts as maybe.
 */
function maybeNative(dir: string): boolean {
  let pkg: Record<string, unknown>;
  try {
    if (!statSync(join(dir, 'package.json')).isFile()) return true;
    const text = readFileSync(join(dir, 'package.json'), 'utf8').replace(/^\uFEFF/, '');
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return true;
  }
  const scripts = (pkg.scripts ?? {}) as Record<string, unknown>;
  const deps = Object.keys({ ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) } as object);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return true;
  }
  return (
    ['preinstall', 'install', 'postinstall'].some((s) => typeof scripts[s] === 'string') ||
    pkg.gypfile === true ||
    !!pkg.binary ||
    (typeof pkg.main === 'string' && pkg.main.endsWith('.node')) ||
    deps.some((d) => NATIVE_DEPS.has(d)) ||
    entries.some((e) => e === 'binding.gyp' || e === 'prebuilds' || e.endsWith('.node'))
  );
}

/**
 * Every package folder of an installed tree, as Node would find them (node_modules/<name>,
 * node_modules/@scope/<name>, nested), links followed once to folders with a package.json.
 * Returns locations relative to the project, by real path.
 */
function packageFolders(project: string): Map<string, string> {
  const out = new Map<string, string>();
  const realRoot = realpathSync(project);
  const seen = new Set<string>([realRoot]);
  const visit = (folder: string, depth: number) => {
    if (depth > 150) return;
    let names: string[];
    try {
      names = readdirSync(join(folder, 'node_modules'));
    } catch {
      return;
    }
    const kids: string[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@')) {
        try {
          for (const s of readdirSync(join(folder, 'node_modules', name)))
            kids.push(join(folder, 'node_modules', name, s));
        } catch {
          // an unreadable or non-folder scope: the command must report it; its packages are not countable
        }
      } else kids.push(join(folder, 'node_modules', name));
    }
    for (const kid of kids) {
      let real: string;
      try {
        real = lstatSync(kid).isSymbolicLink() ? realpathSync(kid) : kid;
        if (!statSync(real).isDirectory()) continue;
        lstatSync(join(real, 'package.json'));
      } catch {
        continue;
      }
      if (seen.has(real)) continue;
      seen.add(real);
      out.set(relative(realRoot, real).split('\\').join('/'), real);
      visit(real, depth + 1);
    }
  };
  visit(realRoot, 0);
  return out;
}

/** Lockfile entries that can be native by what the lockfile says (any entry of a v1 lockfile). */
function lockfileCandidates(project: string): string[] {
  let lock: Record<string, unknown>;
  try {
    lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (lock.packages && typeof lock.packages === 'object') {
    return Object.entries(lock.packages as Record<string, Record<string, unknown>>)
      .filter(([loc, e]) => loc.includes('node_modules/') && !e.link && (e.hasInstallScript || e.os || e.cpu))
      .map(([loc]) => loc);
  }
  return Object.keys((lock.dependencies ?? {}) as object).map((name) => `node_modules/${name}`);
}

let work: string;
const DOCKERFILE =
  'FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "index.js"]\n';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ng-corpus-'));
  // the unprivileged user must reach the cases
  chmodSync(work, 0o755);
  writeFileSync(join(work, 'Dockerfile'), DOCKERFILE);
});

afterAll(() => {
  // give back what chmod 000 took, so the folder can be removed
  const unlock = (dir: string) => {
    let names: string[] = [];
    try {
      chmodSync(dir, 0o755);
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      try {
        if (lstatSync(p).isDirectory()) unlock(p);
      } catch {
        // gone
      }
    }
  };
  if (work) {
    unlock(join(work, 'unreadable-folder'));
    rmSync(work, { recursive: true, force: true });
  }
});

describe('the corpus', () => {
  it('has at least 20 cases, each with a row in the expectations table and in the README', () => {
    const cases = corpusCases();
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(CASES).sort()).toEqual(cases);
    const readme = readFileSync(join(REPO, 'fixtures', 'broken', 'README.md'), 'utf8');
    for (const c of cases) expect(readme, `README row for ${c}`).toContain(`| \`${c}\``);
  });
});

describe.concurrent.each(Object.keys(CASES))('%s', (name) => {
  const spec = CASES[name]!;
  const skip = spec.unprivileged ? unprivilegedSkip : null;
  let dir = '';
  let project = '';
  const opts = () => ({ unprivileged: !!spec.unprivileged, home: join(work, `${name}.home`) });

  beforeAll(() => {
    dir = join(work, name);
    materializeCase(name, dir);
    project = spec.root ? join(dir, spec.root) : dir;
    mkdirSync(opts().home, { recursive: true });
  }, 120_000);

  const judge = (cmd: 'check' | 'verify' | 'lockfile' | 'docker', run: Run, expected: Expect) => {
    const what = `${name}: ${cmd}`;
    assertNoCrash(run, what);
    if (expected.error) {
      assertOneLineError(run, join(project, expected.error), what);
      return null;
    }
    expect(run.code, `${what}: ${run.stderr}`).not.toBe(2);
    const report = JSON.parse(run.stdout) as {
      findings: JsonFinding[];
      packages?: Array<{ location: string }>;
      binaries?: Array<{ location: string | null }>;
    };
    const located = new Set(
      cmd === 'verify'
        ? (report.binaries ?? []).map((b) => b.location)
        : (report.packages ?? []).map((p) => p.location),
    );
    for (const want of expected.findings ?? []) {
      const codes = Array.isArray(want.code) ? want.code : [want.code];
      const locations = Array.isArray(want.location) ? want.location : [want.location];
      const hit = report.findings.some(
        (f) =>
          codes.includes(f.code) &&
          (locations.includes(f.location ?? '') || (locations.includes('') && cmd === 'docker')),
      );
      expect(
        hit,
        `${what}: ${codes.join('|')} at ${locations.join('|')}; got ${JSON.stringify(report.findings.map((f) => [f.code, f.location]))}`,
      ).toBe(true);
    }
    for (const loc of expected.packages ?? [])
      expect(
        located.has(loc),
        `${what}: ${JSON.stringify(loc)} reported; got ${JSON.stringify([...located])}`,
      ).toBe(true);
    for (const code of expected.absent ?? [])
      expect(
        report.findings.map((f) => f.code),
        `${what}: no ${code}`,
      ).not.toContain(code);
    return { report, located };
  };

  /** No package that can be native goes unmentioned: reported, or named by a finding. */
  const assertNoneSkipped = (cmd: string, located: Set<string | null>, findings: JsonFinding[]) => {
    const skipped: string[] = [];
    for (const [location, abs] of packageFolders(project)) {
      if (located.has(location) || !maybeNative(abs)) continue;
      if (findingsAt(findings, location, abs).length) continue;
      skipped.push(location);
    }
    expect(skipped, `${name}: ${cmd} silently skipped`).toEqual([]);
  };

  it.skipIf(!!skip)(
    `check${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const run = await runCli(['check', '--json', '-C', project], opts());
      const judged = judge('check', run, spec.check);
      if (judged) assertNoneSkipped('check', judged.located, judged.report.findings);
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!!skip)(
    `verify${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const run = await runCli(['verify', '--json', '--timeout', '5000', '-C', project], opts());
      const judged = judge('verify', run, spec.verify);
      if (judged) assertNoneSkipped('verify', judged.located, judged.report.findings);
    },
    TEST_TIMEOUT_MS,
  );

  // only for the cases that have a lockfile: no test at all for the others
  if (spec.lockfile) {
    it.skipIf(!!skip)(
      `check --lockfile-only --offline${skip ? ` (skipped: ${skip})` : ''}`,
      async () => {
        const run = await runCli(['check', '--lockfile-only', '--offline', '--json', '-C', project], opts());
        const judged = judge('lockfile', run, spec.lockfile!);
        if (!judged) return;
        const missing = lockfileCandidates(project).filter(
          (loc) =>
            !judged.located.has(loc) && !findingsAt(judged.report.findings, loc, join(project, loc)).length,
        );
        expect(missing, `${name}: lockfile entries silently skipped`).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  }

  it.skipIf(!!skip)(
    `docker (the case as a build context)${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const run = await runCli(
        ['docker', '--json', '--dockerfile', join(work, 'Dockerfile'), '-C', project],
        opts(),
      );
      const expected: Expect = spec.docker ?? {};
      assertNoCrash(run, `${name}: docker`);
      if (run.code !== 2) judge('docker', run, expected);
      else assertOneLineError(run, project, `${name}: docker`);
    },
    TEST_TIMEOUT_MS,
  );

  it.skipIf(!!skip)(
    `inspect on every .node path in the case${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const paths: string[] = [];
      const walk = (d: string, depth: number) => {
        if (depth > 250) return;
        let entries;
        try {
          entries = readdirSync(d, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const p = join(d, e.name);
          if (e.name.endsWith('.node')) paths.push(p);
          else if (e.isDirectory()) walk(p, depth + 1);
        }
      };
      walk(dir, 0);
      if (!paths.length) return;
      const run = await runCli(['inspect', '--json', ...paths], opts());
      assertNoCrash(run, `${name}: inspect`);
      expect(run.code, run.stderr).not.toBe(2);
      const report = JSON.parse(run.stdout) as {
        files: Array<{ file: string; format: string | null; reason: string | null }>;
      };
      expect(report.files.map((f) => f.file)).toEqual(paths);
      for (const f of report.files) if (!f.format) expect(f.reason, `${f.file}: a reason`).toBeTruthy();
    },
    TEST_TIMEOUT_MS,
  );
});
