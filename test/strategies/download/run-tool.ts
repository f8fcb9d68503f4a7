import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HARNESS = fileURLToPath(new URL('./harness/run-tool.mjs', import.meta.url));
const resolvePackage = createRequire(import.meta.url);

/** The real tools, installed as devDependencies. */
export const TOOLS = {
  'prebuild-install@7': { kind: 'prebuild-install', dir: 'prebuild-install' },
  'prebuild-install@6': { kind: 'prebuild-install', dir: 'prebuild-install-v6' },
  '@mapbox/node-pre-gyp@1': { kind: 'node-pre-gyp', dir: '@mapbox/node-pre-gyp' },
  '@mapbox/node-pre-gyp@2': { kind: 'node-pre-gyp', dir: 'node-pre-gyp-v2' },
  'node-pre-gyp@0.17': { kind: 'node-pre-gyp-legacy', dir: 'node-pre-gyp' },
  '@discordjs/node-pre-gyp@0.4': { kind: 'node-pre-gyp', dir: '@discordjs/node-pre-gyp' },
} as const;
export type ToolName = keyof typeof TOOLS;

export const toolDir = (name: ToolName): string =>
  path.dirname(resolvePackage.resolve(`${TOOLS[name].dir}/package.json`));
export const toolVersion = (name: ToolName): string =>
  (JSON.parse(readFileSync(path.join(toolDir(name), 'package.json'), 'utf8')) as { version: string }).version;

export interface ToolRun {
  /** URLs the tool requested (all answered 404). */
  requested: string[];
  /** argv of the source build it started, when it did. */
  built: string[] | null;
  error: string | null;
  exitCode: number;
  cachePath: string | null;
  localPrebuild: string | null;
  /** node-pre-gyp: module (the .node path) relative to the package folder. */
  module: string | null;
  /** What the npm cache folder was for this run (HOME/.npm). */
  npmCache: string;
}

/**
 * Runs the tool's CLI the way npm runs an install script: in a fresh folder holding only the
 * package.json, with a clean environment (nothing inherited from the test runner's npm).
 */
export async function runTool(
  tool: ToolName,
  pkg: object,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<ToolRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'native-guard-download-'));
  try {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg));
    const out = path.join(dir, 'result.json');
    const childEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      USERPROFILE: dir,
      HARNESS_TOOL: toolDir(tool),
      HARNESS_KIND: TOOLS[tool].kind,
      HARNESS_OUT: out,
    };
    for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
    const stderr = await new Promise<string>((resolve) => {
      // a non-zero exit is an outcome to compare, not a failure of the run
      execFile(
        process.execPath,
        [HARNESS, ...args],
        { cwd: dir, env: childEnv, timeout: 30_000 },
        (_err, _stdout, err) => resolve(String(err)),
      );
    });
    let result: Omit<ToolRun, 'npmCache'>;
    try {
      result = JSON.parse(await readFile(out, 'utf8')) as Omit<ToolRun, 'npmCache'>;
    } catch {
      throw new Error(`harness for ${tool} wrote no result: ${stderr}`);
    }
    return { ...result, npmCache: path.join(dir, '.npm') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs every job, as many at a time as there are CPUs: each run is a Node process start-up. */
export async function runAll<T, R>(jobs: readonly T[], run: (job: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await run(jobs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  return results;
}
