import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoaderPool } from '../../src/probe/pool.js';
import type { LoadResult } from '../../src/probe/jobs.js';
import { addon } from '../binary/paths.js';

/**
 * The loader pool with the real fixture addons, in real child processes: each misbehaving addon
 * gets its own outcome, and every other addon in the same run still loads.
 */
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const runnable =
  process.platform === 'linux' && process.arch === 'x64' && !!report?.header?.glibcVersionRuntime;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ng-pool-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pool(options: Partial<ConstructorParameters<typeof LoaderPool>[0]> = {}) {
  return new LoaderPool({
    nodePath: process.execPath,
    size: 2,
    timeoutMs: 1500,
    cwd: dir,
    env: { ...process.env },
    ...options,
  });
}

/** Copies napi-ok under distinct paths, as separate packages' binaries would be. */
function napiCopies(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const file = join(dir, `ok-${i}.node`);
    copyFileSync(addon('napi-ok'), file);
    return file;
  });
}

describe.skipIf(!runnable)('LoaderPool with the fixture addons (linux-x64 glibc)', () => {
  it('reports the Node that runs the loaders', async () => {
    const p = pool();
    try {
      const facts = await p.start();
      expect(facts.versions.node).toBe(process.versions.node);
      expect(facts.versions.modules).toBe(process.versions.modules);
      expect(facts.arch).toBe(process.arch);
    } finally {
      p.close();
    }
  });

  it('gives each misbehaving addon its own outcome and loses no other result', async () => {
    const p = pool();
    const ok = napiCopies(12);
    const bad = ['crash-segv', 'crash-abort', 'hang', 'exit-in-init', 'throw-in-init', 'truncated', 'arm64'];
    // interleave so that every bad addon has good ones queued around it
    const files: string[] = [];
    for (let i = 0; i < ok.length; i++) {
      files.push(ok[i]!);
      if (i < bad.length) files.push(addon(bad[i]!));
    }
    try {
      await p.start();
      const results = await Promise.all(files.map((file) => p.load({ kind: 'dlopen', file })));
      const byFile = new Map(files.map((f, i) => [f, results[i]!]));
      for (const f of ok) expect(byFile.get(f), f).toMatchObject({ status: 'loaded', exports: ['hello'] });
      const at = (name: string) => byFile.get(addon(name)) as LoadResult;
      expect(at('crash-segv')).toMatchObject({ status: 'died', signal: 'SIGSEGV', fresh: true });
      expect(at('crash-abort')).toMatchObject({ status: 'died', signal: 'SIGABRT', fresh: true });
      expect(at('truncated')).toMatchObject({ status: 'died', signal: 'SIGBUS', fresh: true });
      expect(at('exit-in-init')).toMatchObject({
        status: 'died',
        signal: null,
        exitCode: 3,
        exitCalled: false,
      });
      expect(at('hang')).toMatchObject({ status: 'timeout', timeoutMs: 1500, fresh: true });
      expect(at('throw-in-init')).toMatchObject({
        status: 'threw',
        error: { code: 'E_FIXTURE_INIT', message: "thrown from the addon's init function" },
        fresh: true,
      });
      expect(at('arm64')).toMatchObject({
        status: 'threw',
        error: { code: 'ERR_DLOPEN_FAILED' },
        fresh: true,
      });
    } finally {
      p.close();
    }
  });

  it('loads an entry point in a fresh loader and reports the binaries it opened', async () => {
    const pkg = join(dir, 'node_modules', 'fallback-pkg');
    mkdirSync(pkg, { recursive: true });
    copyFileSync(addon('musl'), join(pkg, 'binding.node'));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'fallback-pkg', version: '1.0.0' }));
    writeFileSync(
      join(pkg, 'index.js'),
      "try { module.exports = require('./binding.node') } catch (e) { module.exports = { js: true } }\n",
    );
    const p = pool();
    try {
      await p.start();
      const [first] = await Promise.all([p.load({ kind: 'dlopen', file: napiCopies(1)[0]! })]);
      expect(first!.status).toBe('loaded');
      const result = await p.load({ kind: 'entry', dir: pkg, name: 'fallback-pkg', base: dir });
      expect(result).toMatchObject({ status: 'loaded', exports: ['js'], fresh: true });
      expect(result.status === 'loaded' && result.dlopened).toEqual([
        {
          file: join(pkg, 'binding.node'),
          ok: false,
          error: expect.objectContaining({ message: expect.stringContaining('libc.musl-x86_64.so.1') }),
        },
      ]);
    } finally {
      p.close();
    }
  });

  it('attributes a JavaScript process.exit() in an entry point to that job', async () => {
    const pkg = join(dir, 'exiter');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'exiter', version: '1.0.0' }));
    writeFileSync(join(pkg, 'index.js'), 'process.exit(7)\n');
    const p = pool();
    try {
      await p.start();
      const result = await p.load({ kind: 'entry', dir: pkg, name: null, base: null });
      expect(result).toMatchObject({ status: 'died', exitCode: 7, exitCalled: true, signal: null });
    } finally {
      p.close();
    }
  });

  it('fails with ELOADER when the Node binary cannot run', async () => {
    const p = pool({ nodePath: join(dir, 'no-such-node') });
    await expect(p.start()).rejects.toMatchObject({ code: 'ELOADER' });
    p.close();
  });
});

describe('LoaderPool scheduling (a scripted loader, any platform)', () => {
  // A loader speaking the protocol whose jobs fail once it has run a job named "poison": the state
  // an addon can leave behind. The pool must not report those failures as the later jobs' own.
  // It speaks the protocol as loader.cjs does: the key from stdin's first line in every message.
  // A job named "jump" answers for the job after it (with the key, out of turn); one named "noise"
  // writes a line without the key, as an addon writing on fd 3 would.
  const fake = () => {
    const file = join(dir, 'fake-loader.cjs');
    writeFileSync(
      file,
      `const fs = require('fs');
let poisoned = false;
let key = null;
const send = (m) => fs.writeSync(3, JSON.stringify({ k: key, ...m }) + '\\n');
let buf = '';
process.stdin.on('data', (c) => {
  buf += c;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const job = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (key === null) {
      key = job.key;
      send({ t: 'ready', node: { execPath: process.execPath, versions: process.versions, platform: process.platform, arch: process.arch, armVersion: null } });
      continue;
    }
    send({ t: 'start', id: job.id });
    if (job.file.endsWith('jump')) { send({ t: 'done', id: job.id + 1, ok: true, exports: [] }); continue; }
    if (job.file.endsWith('noise')) fs.writeSync(3, JSON.stringify({ t: 'done', id: job.id, ok: true }) + '\\n');
    if (job.file.endsWith('poison')) { poisoned = true; send({ t: 'done', id: job.id, ok: true, exports: [] }); continue; }
    if (poisoned || job.file.endsWith('bad')) send({ t: 'done', id: job.id, ok: false, error: { message: poisoned ? 'poisoned' : 'bad', code: null, name: null } });
    else send({ t: 'done', id: job.id, ok: true, exports: ['x'] });
  }
});
process.stdin.on('end', () => process.exit(0));
`,
    );
    return file;
  };

  it('confirms a failure in a fresh loader before reporting it', async () => {
    const p = pool({ size: 1, loaderScript: fake() });
    try {
      await p.start();
      const files = ['a', 'poison', 'b', 'c', 'bad', 'd'];
      const results = await Promise.all(files.map((file) => p.load({ kind: 'dlopen', file })));
      expect(results.map((r) => r.status)).toEqual([
        'loaded',
        'loaded',
        'loaded',
        'loaded',
        'threw',
        'loaded',
      ]);
      expect(results[4]).toMatchObject({ error: { message: 'bad' }, fresh: true });
    } finally {
      p.close();
    }
  });

  it('a result out of turn, or a line without the key, voids the running job and nothing else', async () => {
    const p = pool({ size: 1, loaderScript: fake() });
    try {
      await p.start();
      const files = ['a', 'jump', 'b', 'noise', 'c'];
      const results = await Promise.all(files.map((file) => p.load({ kind: 'dlopen', file })));
      expect(results.map((r) => r.status)).toEqual(['loaded', 'violation', 'loaded', 'violation', 'loaded']);
      // each confirmed in a fresh loader, where it did the same again
      expect(results[1]).toMatchObject({ reason: 'out-of-order', fresh: true });
      expect(results[3]).toMatchObject({
        reason: 'forged',
        excerpt: expect.stringMatching(/^\{"t":"done","id":1,"ok":true\}$/),
        fresh: true,
      });
      // the job after "jump" ran and reported for itself: the forged answer did not count for it
      expect(results[2]).toMatchObject({ status: 'loaded', exports: ['x'] });
    } finally {
      p.close();
    }
  });
});
