#!/usr/bin/env node
// node scripts/fetch-node.mjs <major>: a real Node binary of that major for this platform, from the
// npm registry package node-<platform>-<arch> (the official build, repackaged), unpacked into
// .cache/node/<version>/ and reused from there. Prints the path of its bin/node. Its headers come
// along in include/node/, so that <version>/ works as node-gyp's --nodedir for that Node.
//
// Safe to run from several processes at once (a lock per major; unpacking happens in a private
// folder renamed into place only when complete), and after an interrupted run (incomplete
// folders have no .complete marker and are removed).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../.cache/node/', import.meta.url));
const LOCK_STALE_MS = 15 * 60_000;

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function fail(message) {
  process.stderr.write(`fetch-node: ${message}\n`);
  process.exit(2);
}

function packageName() {
  const platform = { linux: 'linux', darwin: 'darwin' }[process.platform];
  if (!platform) fail(`no node-<platform>-<arch> package for ${process.platform}`);
  return `node-${platform}-${process.arch}`;
}

/** The newest complete copy of a major in the cache, or null. */
function cached(major) {
  if (!existsSync(CACHE)) return null;
  const versions = readdirSync(CACHE)
    .filter(
      (d) =>
        d.startsWith(`${major}.`) &&
        existsSync(join(CACHE, d, '.complete')) &&
        // copies made before the headers came along are fetched again
        existsSync(join(CACHE, d, 'include', 'node', 'common.gypi')),
    )
    .sort((a, b) => {
      const [x, y] = [a, b].map((v) => v.split('.').map(Number));
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
  const newest = versions.at(-1);
  return newest ? join(CACHE, newest, 'bin', 'node') : null;
}

function withLock(name, fn) {
  const lock = join(CACHE, `.lock-${name}`);
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (waited > LOCK_STALE_MS) fail(`timed out waiting for ${lock}`);
      sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Removes folders an interrupted run left behind (no .complete marker). */
function sweep() {
  for (const d of readdirSync(CACHE)) {
    if (d.startsWith('.tmp-') || (/^\d+\./.test(d) && !existsSync(join(CACHE, d, '.complete')))) {
      const path = join(CACHE, d);
      try {
        // a .tmp- folder younger than the lock's staleness may belong to a live run of another major
        if (d.startsWith('.tmp-') && Date.now() - statSync(path).mtimeMs < LOCK_STALE_MS) continue;
        rmSync(path, { recursive: true, force: true });
      } catch {
        // another process got there first
      }
    }
  }
}

function fetchNode(major) {
  const hit = cached(major);
  if (hit) return hit;
  mkdirSync(CACHE, { recursive: true });
  return withLock(major, () => {
    const again = cached(major);
    if (again) return again;
    sweep();
    const tmp = mkdtempSync(join(CACHE, '.tmp-'));
    try {
      const spec = `${packageName()}@${major}`;
      const out = execFileSync(
        'npm',
        ['pack', spec, '--json', '--pack-destination', tmp, '--loglevel=error'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 10 * 60_000,
        },
      );
      const [packed] = JSON.parse(out);
      if (!packed?.filename || !packed.version) fail(`npm pack ${spec} gave no tarball`);
      const unpacked = join(tmp, 'unpacked');
      mkdirSync(unpacked);
      execFileSync(
        'tar',
        ['-xzf', join(tmp, packed.filename), '-C', unpacked, 'package/bin/node', 'package/include'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const dest = join(CACHE, packed.version);
      const staged = join(tmp, 'staged');
      mkdirSync(join(staged, 'bin'), { recursive: true });
      renameSync(join(unpacked, 'package', 'bin', 'node'), join(staged, 'bin', 'node'));
      renameSync(join(unpacked, 'package', 'include'), join(staged, 'include'));
      // the binary must run before the copy counts as complete
      const version = execFileSync(join(staged, 'bin', 'node'), ['-p', 'process.versions.node'], {
        encoding: 'utf8',
      }).trim();
      if (version !== packed.version) fail(`${spec} unpacked a Node ${version}, expected ${packed.version}`);
      writeFileSync(join(staged, '.complete'), `${packed.id}\n`);
      rmSync(dest, { recursive: true, force: true });
      renameSync(staged, dest);
      return join(dest, 'bin', 'node');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

const major = process.argv[2];
if (!major || !/^\d+$/.test(major)) fail('usage: node scripts/fetch-node.mjs <major>');
try {
  process.stdout.write(fetchNode(major) + '\n');
} catch (err) {
  fail(err.stderr?.toString().trim() || err.message);
}
