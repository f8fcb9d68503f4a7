import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HERE, makeSlimBin, recordKey } from '../../bench/truth/lib.mjs';
import { ensureBuilt, REPO } from '../helpers/build.js';

export interface TruthCell {
  node?: string;
}
export interface TruthRecordFile {
  lockfile: string;
  runs: Record<string, TruthCell>;
}

export function readRecord(name: string, version: string): TruthRecordFile {
  return JSON.parse(
    readFileSync(join(HERE, 'records', `${recordKey(name, version)}.json`), 'utf8'),
  ) as TruthRecordFile;
}

/**
 * `check --lockfile-only --json` of the built bin on a record's committed lockfile, with the
 * truth harness's slim PATH (no python3, make, cc, g++) or this machine's, as bench/truth/grade.mjs
 * runs it for the `*-slim` and the toolchain cells. Returns the parsed report.
 */
export function checkRecordSlim(
  record: TruthRecordFile,
  targetArgs: string[],
  path: 'slim' | 'host' = 'slim',
): unknown {
  ensureBuilt();
  const work = mkdtempSync(join(tmpdir(), 'ng-truth-slim-'));
  try {
    const project = join(work, 'project');
    mkdirSync(project);
    const lockText = readFileSync(join(HERE, record.lockfile), 'utf8');
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
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      PATH: path === 'slim' ? makeSlimBin(join(work, 'slim-bin')) : process.env.PATH,
    };
    if (path === 'slim') delete env.PYTHON;
    const run = spawnSync(
      process.execPath,
      [
        join(REPO, 'dist', 'bin.js'),
        'check',
        '--lockfile-only',
        '--json',
        '--no-dockerfile',
        '-C',
        project,
        ...targetArgs,
      ],
      { cwd: project, env, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL' },
    );
    // exit 1 (an error finding) is an answer too; 2 or a signal is not
    if (run.status !== 0 && run.status !== 1)
      throw new Error(`check exited ${run.status ?? run.signal}: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
