'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script: require is how it loads code */
// The loader that `native-guard verify` runs in child processes: it loads addons one job at a
// time, as the parent asks, and reports on fd 3. Plain CommonJS with no dependencies, because the
// Node that runs it may be any Node >= 18 (`verify --node <path>`), not the one running native-guard.
//
// Protocol: the parent writes a key on stdin's first line, then one JSON job per line; the loader
// writes one JSON message per line on fd 3 with writeSync, so that "start" is in the pipe before the
// addon's constructor runs: if the addon kills the process, the parent knows which job did it.
// Every message carries the key. An addon can write on fd 3 too, but it cannot know the key (it was
// read before any addon ran, and lives only in this module's scope): the parent rejects a line
// without it. The functions the loader relies on are taken before any package code runs (an addon
// can run JavaScript and replace fs.writeSync to read what goes out, process.dlopen to fake a load,
// JSON.parse to change the next job); the key itself is never inside an object JSON.stringify walks,
// where a toJSON added to Object.prototype would see it.

const fs = require('fs');
const path = require('path');
const Module = require('module');

const writeSync = fs.writeSync;
const stringify = JSON.stringify;
const parse = JSON.parse;
const dlopen = process.dlopen;
const OUT = 3;
const MAX_TEXT = 4000;
/** At most this many dlopen calls and loader errors in one report, and export names this long. */
const MAX_CALLS = 128;
const MAX_NAME = 200;
let key = null;
let current = null;
let stopping = false;
/** Whether the last job succeeded. */
let lastOk = true;

function send(message) {
  if (message.t === 'done') lastOk = message.ok === true;
  try {
    const body = stringify(message);
    writeSync(OUT, '{"k":' + stringify(key) + ',' + body.slice(1) + '\n');
  } catch {
    // the parent is gone: nothing left to report to
    process.exit(0);
  }
}

const clip = (s) => (typeof s === 'string' && s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s);

function errorInfo(err) {
  const e = err && typeof err === 'object' ? err : { message: String(err) };
  return {
    message: clip(typeof e.message === 'string' ? e.message : String(err)),
    code: typeof e.code === 'string' ? e.code : null,
    name: typeof e.name === 'string' ? e.name : null,
  };
}

function nodeFacts() {
  const vars = (process.config && process.config.variables) || {};
  return {
    execPath: process.execPath,
    versions: {
      node: process.versions.node,
      modules: process.versions.modules,
      napi: process.versions.napi || null,
      uv: process.versions.uv || null,
      electron: process.versions.electron || null,
    },
    platform: process.platform,
    arch: process.arch,
    armVersion: vars.arm_version !== undefined ? String(vars.arm_version) : null,
  };
}

// A JavaScript process.exit() during a job (from a package's entry point): report the job it
// ended before the process goes. _exit() in native code bypasses this; the parent then sees the
// exit status alone.
process.on('exit', (code) => {
  if (current !== null) send({ t: 'exit', id: current, code });
});
process.on('uncaughtException', (err) => {
  send({ t: 'uncaught', id: current, error: errorInfo(err) });
  process.exit(70);
});
process.on('unhandledRejection', (err) => {
  send({ t: 'uncaught', id: current, error: errorInfo(err) });
  process.exit(70);
});

/** process.dlopen, recording each call so that an entry-point job can say which binaries it loaded. */
function watchDlopen(calls) {
  const original = dlopen;
  process.dlopen = function (module, filename, flags) {
    const file = String(filename);
    send({ t: 'dlopen', id: current, file });
    try {
      const result =
        flags === undefined
          ? original.call(this, module, filename)
          : original.call(this, module, filename, flags);
      calls.push({ file, ok: true });
      return result;
    } catch (err) {
      calls.push({ file, ok: false, error: errorInfo(err) });
      throw err;
    }
  };
}

/**
 * Wraps the node-gyp-build loader the package will require, recording the errors it throws: a
 * package that catches "No native build was found" and carries on is running its JavaScript
 * fallback. (bindings is not wrapped: it finds the package from its caller's stack frame.)
 */
function watchLoaders(dir, thrown) {
  const req = Module.createRequire(path.join(dir, 'package.json'));
  for (const name of ['node-gyp-build', 'node-gyp-build-optional-packages']) {
    let resolved;
    let exported;
    try {
      resolved = req.resolve(name);
      exported = req(name);
    } catch {
      continue;
    }
    const cached = require.cache[resolved];
    if (typeof exported !== 'function' || !cached) continue;
    const wrapped = function () {
      try {
        return exported.apply(this, arguments);
      } catch (err) {
        thrown.push({ loader: name, error: errorInfo(err) });
        throw err;
      }
    };
    Object.assign(wrapped, exported);
    cached.exports = wrapped;
  }
}

function exportKeys(value) {
  try {
    return value && (typeof value === 'object' || typeof value === 'function')
      ? Object.keys(value)
          .slice(0, 20)
          .map((k) => k.slice(0, MAX_NAME))
      : [];
  } catch {
    return [];
  }
}

/**
 * A require that finds a package the way the app would: by name from the folder whose
 * node_modules holds it (so `exports` applies), or by its folder for a workspace or the root.
 */
function entryRequire(job) {
  const req = Module.createRequire(path.join(job.base || job.dir, '__native_guard_verify__.js'));
  const request = job.base && job.name ? job.name : job.dir;
  return { load: () => req(request), resolve: () => req.resolve(request) };
}

/**
 * Runs one job. The parent may queue several; after a failure, or after an entry point (which runs
 * package JavaScript), this process may be in a state that changes later results, so it exits
 * and the parent gives the jobs it had not started to a fresh loader.
 */
async function run(job) {
  if (stopping) return;
  current = job.id;
  send({ t: 'start', id: job.id });
  const started = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
  if (job.kind === 'dlopen') {
    const module = { exports: {} };
    try {
      dlopen.call(process, module, job.file);
      send({ t: 'done', id: job.id, ok: true, exports: exportKeys(module.exports), ms: ms() });
    } catch (err) {
      send({ t: 'done', id: job.id, ok: false, error: errorInfo(err), ms: ms() });
    }
  } else if (job.kind === 'entry') {
    const calls = [];
    const thrown = [];
    watchDlopen(calls);
    try {
      watchLoaders(job.dir, thrown);
    } catch {
      // watching is a bonus: the entry point still loads without it
    }
    try {
      const entry = entryRequire(job);
      let value;
      try {
        value = entry.load();
      } catch (err) {
        // an ES module entry point on a Node without require(esm)
        if (!err || err.code !== 'ERR_REQUIRE_ESM') throw err;
        value = await import(require('url').pathToFileURL(entry.resolve()).href);
      }
      send({
        t: 'done',
        id: job.id,
        ok: true,
        exports: exportKeys(value),
        dlopened: calls.slice(0, MAX_CALLS),
        thrown: thrown.slice(0, MAX_CALLS),
        ms: ms(),
      });
    } catch (err) {
      send({
        t: 'done',
        id: job.id,
        ok: false,
        error: errorInfo(err),
        dlopened: calls.slice(0, MAX_CALLS),
        thrown: thrown.slice(0, MAX_CALLS),
        ms: ms(),
      });
    }
  } else {
    send({
      t: 'done',
      id: job.id,
      ok: false,
      error: { message: 'unknown job kind', code: null, name: null },
      ms: 0,
    });
  }
  current = null;
  if (!lastOk || job.kind !== 'dlopen') {
    stopping = true;
    process.exit(0);
  }
}

let buffer = '';
let queue = Promise.resolve();
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let newline;
  while ((newline = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, newline);
    buffer = buffer.slice(newline + 1);
    if (!line.trim()) continue;
    let job;
    try {
      job = parse(line);
    } catch {
      continue;
    }
    if (key === null) {
      // the first line is the key, and only then is this loader ready
      if (job && typeof job.key === 'string') {
        key = job.key;
        send({ t: 'ready', pid: process.pid, node: nodeFacts() });
      }
      continue;
    }
    queue = queue.then(() => run(job));
  }
});
process.stdin.on('end', () => {
  queue.then(() => process.exit(0));
});
