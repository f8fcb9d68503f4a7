import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, REPO } from '../helpers/build.js';
import { tempDir } from '../helpers/fixture-project.js';
import { realManager } from '../managers/real-managers.js';

/**
 * The node-gyp Yarn 4 and Bun run for a source build, graded against the real install: iconv 3.0.1
 * (a binding.gyp and no install script, so every manager runs `node-gyp rebuild`) installed by the
 * real manager with scripts allowed, then a real call into it. Yarn runs only a top-level node-gyp
 * (none: the build stops); Bun fetches node-gyp@latest (13.x, whose engines leave out Node 20 and
 * early 22/24). With node-gyp 12 at the top level both build. `check` on the installed tree must say
 * `fails` exactly where the install or the call really failed, with the finding that says why.
 */
const runnable = process.platform === 'linux' && process.arch === 'x64';
const MINUTES = 60_000;
const HOME = join(REPO, '.cache', 'managers', 'home');
// node-gyp finds Node's headers through nodedir (the environment's reaches every manager); the
// machine's Node ships them beside it (include/node), as Debian's and the official builds do
const NODEDIR = dirname(dirname(process.execPath));

let tmp: ReturnType<typeof tempDir>;

function env(extraPath: string | null, headers: boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NATIVE_GUARD|GITHUB_|INIT_CWD$|NODE_OPTIONS$|VITEST|CI$|YARN_|PNPM_|BUN_)/i.test(k)) continue;
    out[k] = v;
  }
  return {
    ...out,
    HOME,
    NO_COLOR: '1',
    YARN_ENABLE_TELEMETRY: '0',
    COREPACK_ENABLE_STRICT: '0',
    ...(headers ? { npm_config_nodedir: NODEDIR } : {}),
    // Bun's node-gyp shim runs `bun x node-gyp`: bun must be on PATH, as it is for its users
    // (and no node_modules/.bin of this repository, which `npm test` puts on PATH with a node-gyp in it)
    PATH: [extraPath, ...(process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules'))]
      .filter(Boolean)
      .join(':'),
  };
}

function run(cwd: string, command: string[], extraPath: string | null = null, headers = true) {
  const r = spawnSync(command[0]!, command.slice(1), {
    cwd,
    env: env(extraPath, headers),
    encoding: 'utf8',
    timeout: 10 * MINUTES,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

const CALL =
  "const { Iconv } = require('iconv'); const out = new Iconv('UTF-8', 'ISO-8859-1').convert('caf\\u00e9'); if (out.length !== 4) process.exit(3)";

interface Graded {
  installStatus: number | null;
  callWorks: boolean;
  outcome: string;
  codes: string[];
  output: string;
}

const results = new Map<string, Graded>();

function project(label: string, files: Record<string, string>, pkg: Record<string, unknown>): string {
  const dir = join(tmp.dir, label);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: label, version: '1.0.0', private: true, ...pkg }),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function grade(
  dir: string,
  install: string[],
  extraPath: string | null,
  headers: boolean,
  lockfileOnly: boolean,
): Graded {
  let check: ReturnType<typeof run> | null = null;
  if (lockfileOnly) {
    // the lockfile first (`--lockfile-only` installs nothing), checked before the real install
    run(dir, [...install, '--lockfile-only'], extraPath, headers);
    check = run(dir, [process.execPath, CLI, 'check', '--json', '--lockfile-only'], extraPath, headers);
  }
  const installed = run(dir, install, extraPath, headers);
  const call = run(dir, [process.execPath, '-e', CALL], extraPath, headers);
  check ??= run(dir, [process.execPath, CLI, 'check', '--json'], extraPath, headers);
  const report = JSON.parse(check.stdout) as {
    packages: Array<{ name: string; predictions: Array<{ target: string; outcome: string }> }>;
    findings: Array<{ code: string; package?: string }>;
  };
  const iconv = report.packages.find((p) => p.name === 'iconv');
  return {
    installStatus: installed.status,
    callWorks: call.status === 0,
    outcome: iconv?.predictions.find((p) => p.target === 'host')?.outcome ?? 'not found',
    codes: report.findings.filter((f) => f.package === 'iconv@3.0.1').map((f) => f.code),
    output: installed.output.slice(-2000),
  };
}

beforeAll(() => {
  if (!runnable) return;
  ensureBuilt();
  // the positive cases build against these headers: without them the comparison would be of nothing
  if (!existsSync(join(NODEDIR, 'include', 'node', 'node_api.h')))
    throw new Error(`no Node headers under ${NODEDIR}/include/node: the builds below need them`);
  tmp = tempDir('ng-node-gyp-');
  const yarn = realManager('yarn4');
  const bun = realManager('bun');
  if (!yarn.manager) throw new Error(yarn.reason);
  if (!bun.manager) throw new Error(bun.reason);
  const bunDir = dirname(bun.manager.command[0]!);
  const yarnrc = { '.yarnrc.yml': 'nodeLinker: node-modules\nenableScripts: true\n', 'yarn.lock': '' };
  const deps = { dependencies: { iconv: '3.0.1' } };
  const withGyp = { ...deps, devDependencies: { 'node-gyp': '12.4.0' } };
  const trusted = { trustedDependencies: ['iconv'] };
  // Bun removes a package whose install script failed (and saves no lockfile): that case is checked
  // in lockfile mode, from a bun.lock written first (lockfile mode reads iconv's tarball)
  const cases: Array<{ label: string; yarn: boolean; pkg: Record<string, unknown>; headers: boolean }> = [
    { label: 'yarn-bare', yarn: true, pkg: deps, headers: true },
    { label: 'yarn-gyp12', yarn: true, pkg: withGyp, headers: true },
    { label: 'bun-bare', yarn: false, pkg: { ...deps, ...trusted }, headers: true },
    { label: 'bun-bare-no-headers', yarn: false, pkg: { ...deps, ...trusted }, headers: false },
    { label: 'bun-gyp12', yarn: false, pkg: { ...withGyp, ...trusted }, headers: true },
  ];
  for (const c of cases) {
    const dir = project(c.label, c.yarn ? yarnrc : {}, c.pkg);
    const command = [...(c.yarn ? yarn.manager : bun.manager).command, 'install'];
    results.set(c.label, grade(dir, command, c.yarn ? null : bunDir, c.headers, !c.headers));
  }
}, 40 * MINUTES);

afterAll(() => tmp?.cleanup());

describe.runIf(runnable)('the node-gyp Yarn 4 and Bun run, against the real install', () => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  // node-gyp 13's engines: ^22.22.2 || ^24.15.0 || >=26
  const latestRuns = major >= 26 || (major === 24 && minor >= 15) || (major === 22 && minor >= 22);

  it('Yarn with no node-gyp at the top level: the build fails, and check says so', () => {
    const r = results.get('yarn-bare')!;
    expect(r.installStatus, r.output).not.toBe(0);
    expect(r.callWorks).toBe(false);
    expect(r.outcome).toBe('fails');
    expect(r.codes).toContain('NODE_GYP_NOT_FOUND');
  });

  it('Bun with no node-gyp in the tree runs node-gyp@latest: it builds against local headers', () => {
    const r = results.get('bun-bare')!;
    expect(r.callWorks, r.output).toBe(true);
    expect(r.outcome).toBe('source-build');
    expect(r.codes.filter((c) => c.startsWith('NODE_GYP'))).toEqual([]);
  });

  it("…and where it must download Node's headers, crashes on a Node its engines leave out", () => {
    const r = results.get('bun-bare-no-headers')!;
    if (latestRuns) {
      // node-gyp 13 runs here: the download itself decides (nodejs.org may be out of reach)
      expect(r.outcome).toBe('source-build');
      expect(r.codes).toContain('NODE_HEADERS_UNAVAILABLE');
    } else {
      expect(r.installStatus, r.output).not.toBe(0);
      expect(r.callWorks).toBe(false);
      expect(r.outcome).toBe('fails');
      expect(r.codes).toContain('NODE_GYP_UNSUPPORTED_NODE');
    }
  });

  it('node-gyp 12 at the top level: both build, and check promises the build', () => {
    for (const label of ['yarn-gyp12', 'bun-gyp12']) {
      const r = results.get(label)!;
      expect(r.installStatus, `${label}: ${r.output}`).toBe(0);
      expect(r.callWorks, label).toBe(true);
      expect(r.outcome, label).toBe('source-build');
      expect(
        r.codes.filter((c) => c.startsWith('NODE_GYP')),
        label,
      ).toEqual([]);
    }
  });
});
