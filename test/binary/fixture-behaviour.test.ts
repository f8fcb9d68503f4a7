import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { abiAddon, HOST_ABI, NO_BUILD_FOR_HOST, otherAbi } from '../helpers/abi-addons.js';
import { addon } from './paths.js';

/**
 * The fixture addons exist for the loader tests; this checks they do what fixtures/addons/README.md
 * says when Node loads them, each in its own child process. They are linux-x64 glibc builds,
 * so elsewhere there is nothing to check.
 */
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const glibc = report?.header?.glibcVersionRuntime;
const runnable = process.platform === 'linux' && process.arch === 'x64' && glibc !== undefined;
const nodeApiLevel = Number(process.versions.napi);

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  result?: { loaded: boolean; code?: string; keys?: string[]; hello?: string };
}

/** Loads a fixture addon by name (fixtures/addons/bin), or any file by its absolute path. */
function load(name: string, timeout = 10_000): Outcome {
  const file = name.startsWith('/') ? name : addon(name);
  const script = `
    let out;
    try {
      const m = require(${JSON.stringify(file)});
      out = { loaded: true, keys: Object.keys(m), hello: typeof m.hello === 'function' ? m.hello() : undefined };
    } catch (e) {
      out = { loaded: false, code: e.code };
    }
    process.stdout.write(JSON.stringify(out));`;
  const child = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
  });
  return {
    status: child.status,
    signal: child.signal,
    timedOut: (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
    ...(child.stdout ? { result: JSON.parse(child.stdout) as Outcome['result'] } : {}),
  };
}

describe.skipIf(!runnable)('fixture addons behave as documented (linux-x64 glibc hosts only)', () => {
  it('napi-ok loads and works', () => {
    expect(load('napi-ok').result).toEqual({ loaded: true, keys: ['hello'], hello: 'world' });
  });

  it('napi-experimental and hybrid load', () => {
    expect(load('napi-experimental').result?.loaded).toBe(true);
    expect(load('hybrid').result).toMatchObject({ loaded: true, keys: ['hasIsolate'] });
  });

  it.skipIf(nodeApiLevel >= 10)('napi-v10 does not load where Node-API 10 is missing', () => {
    // Node 20.20 crashes in the error path instead of throwing; either way it does not load.
    const outcome = load('napi-v10');
    expect(outcome.result?.loaded === true && outcome.status === 0).toBe(false);
  });

  it.skipIf(nodeApiLevel < 10)('napi-v10 loads where Node-API 10 exists', () => {
    expect(load('napi-v10').result).toMatchObject({ loaded: true, keys: ['declared'] });
  });

  it.skipIf(!!NO_BUILD_FOR_HOST)(
    `legacy-abi and abi-init built for this Node (ABI ${HOST_ABI}) load; built for ABI ${otherAbi()} they do not${NO_BUILD_FOR_HOST ? ` (skipped: ${NO_BUILD_FOR_HOST})` : ''}`,
    () => {
      for (const name of ['legacy-abi', 'abi-init'] as const) {
        expect(load(abiAddon(name)).result, name).toMatchObject({ loaded: true, hello: 'world' });
        expect(load(abiAddon(name, otherAbi())).result, name).toEqual({
          loaded: false,
          code: 'ERR_DLOPEN_FAILED',
        });
      }
    },
  );

  it.skipIf(glibc === undefined || Number(glibc.split('.')[1]) < 36)(
    'glibc-new loads on glibc >= 2.36',
    () => {
      expect(load('glibc-new').result).toMatchObject({ loaded: true, keys: ['random'] });
    },
  );

  it.skipIf(glibc === undefined || Number(glibc.split('.')[1]) < 33)(
    'fortify, lfs64 (stat64 needs glibc >= 2.33) and glibc-tls load on glibc',
    () => {
      expect(load('fortify').result).toMatchObject({ loaded: true, keys: ['greet'] });
      expect(load('lfs64').result).toMatchObject({ loaded: true, keys: ['size'] });
      expect(load('glibc-tls').result).toMatchObject({ loaded: true, keys: ['count'] });
    },
  );

  it('musl, arm64, empty and text files fail to open', () => {
    for (const name of ['musl', 'musl-libc-so', 'arm64', 'empty', 'lfs-pointer']) {
      expect(load(name).result, name).toEqual({ loaded: false, code: 'ERR_DLOPEN_FAILED' });
    }
  });

  it('a truncated file kills the process: glibc maps segments past the end of the file (SIGBUS)', () => {
    expect(load('truncated')).toMatchObject({ signal: 'SIGBUS' });
  });

  it('crashers: SIGSEGV, SIGABRT, exit status 3, a thrown error, a hang', () => {
    expect(load('crash-segv').signal).toBe('SIGSEGV');
    expect(load('crash-abort').signal).toBe('SIGABRT');
    expect(load('exit-in-init')).toMatchObject({ status: 3, signal: null });
    expect(load('throw-in-init')).toMatchObject({
      status: 0,
      result: { loaded: false, code: 'E_FIXTURE_INIT' },
    });
    expect(load('hang', 1500)).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });
});
