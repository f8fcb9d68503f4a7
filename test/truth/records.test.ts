import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERE, makeSlimBin, recordKey } from '../../bench/truth/lib.mjs';
import { extract, grade, truthOf } from '../../bench/truth/truth.mjs';
import type { Prediction } from '../../bench/truth/truth.mjs';
import { ensureBuilt, REPO } from '../helpers/build.js';

/**
 * A fixed subset of the truth harness's records (bench/truth/README.md): for each package, the
 * committed lockfile goes through the built CLI's `check --lockfile-only --json` in the environment
 * of two recorded runs — `host` (this machine's PATH, toolchain there) and `slim` (a PATH without
 * python3, make, cc, g++) — and the prediction must match what a real `npm ci` and a real call did.
 * One package per convention.
 */
const SUBSET: { name: string; version: string; convention: string }[] = [
  {
    name: 'bufferutil',
    version: '4.1.0',
    convention: 'node-gyp-build, prebuilds/<platform>-<arch>/ in the tarball',
  },
  {
    name: 'sharp',
    version: '0.35.6',
    convention: 'platform packages (optionalDependencies with os/cpu/libc)',
  },
  { name: '@swc/core', version: '1.16.22', convention: 'napi-rs platform packages' },
  {
    name: 'better-sqlite3',
    version: '12.11.1',
    convention: 'prebuild-install || node-gyp rebuild (download unreachable)',
  },
  {
    name: 'ssh2',
    version: '1.17.0',
    convention: 'native package reached through an optional dependency (cpu-features)',
  },
  {
    name: 'bunyan',
    version: '2.0.5',
    convention: 'optional dtrace-provider whose build produces nothing on Linux',
  },
  { name: 'node-hid', version: '3.4.0', convention: 'pkg-prebuilds: prebuilds/<name>-<platform>-<arch>/' },
  {
    name: '@datadog/native-metrics',
    version: '4.0.0',
    convention: 'prebuilds/linuxglibc-x64/node-napi.node, own loader',
  },
  { name: 'sqlite-vec', version: '0.1.9', convention: 'SQLite extension in a platform package' },
  {
    name: 'node-unix-socket',
    version: '0.2.7',
    convention: 'napi-rs platform packages the registry does not all serve: npm ci refuses the lockfile',
  },
];

/**
 * Cells wrong today, each naming its failure class (docs/accuracy.md, bench/truth/causes.json).
 * They run as expected failures: a fix in src/ makes the prediction right, `it.fails` then fails,
 * and the entry goes from this list.
 */
const KNOWN_WRONG: Record<string, string> = {};

const CLI = join(REPO, 'dist', 'bin.js');
const KINDS = ['host', 'slim'] as const;

interface Cell {
  node?: string;
}
interface TruthRecord {
  name: string;
  version: string;
  via: { name: string } | null;
  extraDependencies?: Record<string, string> | null;
  lockfile: string;
  runs: Record<string, Cell>;
}

const records = SUBSET.map(
  (p) =>
    JSON.parse(
      readFileSync(join(HERE, 'records', `${recordKey(p.name, p.version)}.json`), 'utf8'),
    ) as TruthRecord,
);

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
/** The records' host cells were made on Node 20, linux x64, with python3, make and g++: judge only there. */
const recordedMajor = /^v(\d+)\./.exec(records[0]?.runs.host?.node ?? '')?.[1];
const hostMatches =
  process.platform === 'linux' &&
  process.arch === 'x64' &&
  process.versions.node.split('.')[0] === recordedMajor &&
  ['python3', 'make', 'g++'].every(onPath);

const predictions = new Map<string, Prediction>();
let work = '';

beforeAll(() => {
  if (!hostMatches) return;
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'ng-truth-'));
  const slim = makeSlimBin(join(work, 'slim-bin'));
  for (const r of records) {
    const project = join(work, recordKey(r.name, r.version));
    mkdirSync(project);
    const lockText = readFileSync(join(HERE, r.lockfile), 'utf8');
    const lock = JSON.parse(lockText) as {
      packages: Record<string, { dependencies?: Record<string, string> }>;
    };
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'truth-project',
        version: '1.0.0',
        private: true,
        dependencies: lock.packages['']?.dependencies,
      }),
    );
    writeFileSync(join(project, 'package-lock.json'), lockText);
    const subjects = [...new Set([r.via?.name, r.name].filter((s): s is string => Boolean(s)))];
    for (const kind of KINDS) {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NO_COLOR: '1',
        PATH: kind === 'slim' ? slim : process.env.PATH,
      };
      delete env.PYTHON;
      const run = spawnSync(
        process.execPath,
        [CLI, 'check', '--lockfile-only', '--json', '--no-dockerfile', '-C', project, '--target', 'host'],
        { cwd: project, env, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL' },
      );
      // exit 1 (an error finding) is an answer too; 2 or a signal is not
      if (run.status !== 0 && run.status !== 1)
        throw new Error(`check on ${r.name} (${kind}) exited ${run.status ?? run.signal}: ${run.stderr}`);
      predictions.set(`${r.name} ${kind}`, extract(JSON.parse(run.stdout), subjects, ['host']).host!);
    }
  }
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hostMatches)(
  `check --lockfile-only against recorded truth (needs the recorded host: Node ${recordedMajor}, linux x64, python3/make/g++)`,
  () => {
    for (const [i, r] of records.entries()) {
      for (const kind of KINDS) {
        const cell = r.runs[kind];
        if (!cell) continue;
        const truth = truthOf(
          cell,
          [r.via?.name, r.name].filter((s): s is string => Boolean(s)),
          Object.keys(r.extraDependencies ?? {}),
        );
        const id = `${r.name} ${kind}`;
        const title = `${r.name}@${r.version} ${kind} (${SUBSET[i]!.convention}): really ${truth.label}`;
        const check = () => {
          const p = predictions.get(id);
          const g = grade(truth, p ?? null, cell);
          expect({ prediction: p?.outcome, grade: g.grade, why: g.why }).toMatchObject({ grade: 'right' });
        };
        if (truth.label === 'timeout' || truth.label === 'not-graded') continue;
        if (KNOWN_WRONG[id]) it.fails(`${title} — known wrong: ${KNOWN_WRONG[id]}`, check);
        else it(title, check);
      }
    }
  },
);
