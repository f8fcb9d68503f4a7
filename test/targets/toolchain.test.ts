import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/targets/exec.js';
import { currentHostEnvironment } from '../../src/targets/host.js';
import type { HostEnvironment } from '../../src/model/target.js';
import { detectToolchain } from '../../src/targets/toolchain.js';

// These run real tools on the machine the tests run on (Linux with python3, make and g++).
const linux = process.platform === 'linux';
const real = currentHostEnvironment();
const realPath = real.env['PATH'] ?? '';
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'native-guard-toolchain-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function dir(name: string): Promise<string> {
  const d = path.join(tmp, name);
  await mkdir(d, { recursive: true });
  return d;
}

async function script(file: string, body: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/**
 * A clean environment: only what the test gives, so npm's own `npm_config_*` (set when the tests run
 * under `npm test`) can't leak in. HOME is a fresh dir so no real node-gyp cache is found.
 */
async function envWith(
  vars: Record<string, string>,
  overrides: Partial<HostEnvironment> = {},
): Promise<HostEnvironment> {
  const home = await dir(`home-${Math.random().toString(36).slice(2)}`);
  return { ...real, env: { HOME: home, ...vars }, homedir: home, nodeConfig: {}, ...overrides };
}

/** A bin dir holding only node and npm, as in a slim image. */
async function nodeOnlyBin(): Promise<string> {
  const bin = await dir('node-only-bin');
  const npm = await findOnPath('npm', real);
  await symlink(process.execPath, path.join(bin, 'node')).catch(() => undefined);
  if (npm) await symlink(npm, path.join(bin, 'npm')).catch(() => undefined);
  return bin;
}

/** A fake npm whose bundled node-gyp has the given version. */
async function fakeNpm(name: string, nodeGypVersion: string): Promise<string> {
  const root = await dir(name);
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'npm', version: '8.19.4' }));
  await mkdir(path.join(root, 'bin'), { recursive: true });
  await writeFile(path.join(root, 'bin', 'npm-cli.js'), '');
  const gyp = path.join(root, 'node_modules', 'node-gyp');
  await mkdir(gyp, { recursive: true });
  await writeFile(
    path.join(gyp, 'package.json'),
    JSON.stringify({ name: 'node-gyp', version: nodeGypVersion, installVersion: 11 }),
  );
  return path.join(root, 'bin', 'npm-cli.js');
}

async function fakeHeaders(root: string, version: string): Promise<string> {
  const include = path.join(root, 'include', 'node');
  await mkdir(include, { recursive: true });
  const [major, minor, patch] = version.split('.');
  await writeFile(path.join(include, 'node.h'), '');
  await writeFile(path.join(include, 'common.gypi'), '{}');
  await writeFile(
    path.join(include, 'node_version.h'),
    `#define NODE_MAJOR_VERSION ${major}\n#define NODE_MINOR_VERSION ${minor}\n#define NODE_PATCH_VERSION ${patch}\n`,
  );
  return include;
}

describe.runIf(linux)('on this machine', () => {
  it('finds python3, make and g++ and the headers npm config nodedir names', async () => {
    const env = await envWith({ PATH: realPath });
    // the running Node's own prefix (/usr here; .cache/node/<version> in the Node matrix), so that
    // the headers found are this Node's on every Node the suite runs on
    const prefix = path.dirname(path.dirname(process.execPath));
    const t = await detectToolchain(env, { nodedir: prefix });
    expect(t).toMatchObject({ python: true, make: true, cxx: true, known: true });
    expect(t.details?.python?.version).toMatch(/^3\.\d+\.\d+$/);
    expect(t.details?.python?.source).toBe('PATH');
    expect(t.details?.make?.path).toMatch(/make$/);
    expect(t.details?.cxx).toMatchObject({ source: 'PATH' });
    expect(t.details?.cxx?.path).toMatch(/g\+\+$/);
    expect(t.details?.cc?.path).toMatch(/cc$/);
    expect(t.details?.headers).toMatchObject({
      path: path.join(prefix, 'include', 'node'),
      source: 'nodedir',
    });
    expect(t.details?.headers?.version).toBe(process.versions.node);
    expect(t.details?.distutilsTrap).toBe(false);
  });

  it('reports headers beside node when nothing points node-gyp at them', async () => {
    const beside = path.join(path.dirname(path.dirname(process.execPath)), 'include', 'node');
    const env = await envWith({ PATH: realPath });
    const t = await detectToolchain(env, {});
    expect(t.details?.headers).toEqual({
      path: beside,
      version: process.versions.node,
      source: 'beside-node',
    });
  });

  it("finds npm's bundled node-gyp through the npm on PATH", async () => {
    const env = await envWith({ PATH: await nodeOnlyBin() });
    const t = await detectToolchain(env, {});
    expect(t.details?.nodeGyp).toMatchObject({ source: 'PATH' });
    expect(t.details?.nodeGyp?.path).toMatch(/node_modules[/\\]npm[/\\]node_modules[/\\]node-gyp$/);
    expect(t.details?.nodeGyp?.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe.runIf(linux)('a PATH holding only node and npm (a slim image)', () => {
  it('has no python, make or compilers, and says what it tried', async () => {
    const env = await envWith({ PATH: await nodeOnlyBin() });
    const t = await detectToolchain(env, {});
    expect(t).toMatchObject({ python: false, make: false, cxx: false, known: true });
    expect(t.details).toMatchObject({ python: null, make: null, cc: null, cxx: null });
    expect(t.details?.rejected).toEqual(
      expect.arrayContaining([
        { tool: 'python', candidate: 'python3', source: 'PATH', reason: 'not-found' },
        { tool: 'python', candidate: 'python', source: 'PATH', reason: 'not-found' },
        { tool: 'make', candidate: 'make', source: 'PATH', reason: 'not-found' },
        { tool: 'cxx', candidate: 'g++', source: 'PATH', reason: 'not-found' },
      ]),
    );
  });

  it('treats PYTHON pointing at a missing file as not found, without throwing', async () => {
    const env = await envWith({ PATH: await nodeOnlyBin(), PYTHON: path.join(tmp, 'no', 'python3') });
    const t = await detectToolchain(env, {});
    expect(t.python).toBe(false);
    expect(t.details?.rejected).toContainEqual({
      tool: 'python',
      candidate: path.join(tmp, 'no', 'python3'),
      source: 'PYTHON',
      reason: 'not-found',
    });
  });
});

describe.runIf(linux)('python lookup like node-gyp', () => {
  it('falls back to python3 on PATH when PYTHON is missing, as node-gyp does', async () => {
    const env = await envWith({ PATH: realPath, PYTHON: '/nonexistent/python' });
    const t = await detectToolchain(env, {});
    expect(t.python).toBe(true);
    expect(t.details?.python?.source).toBe('PATH');
    expect(t.details?.rejected?.[0]).toMatchObject({ candidate: '/nonexistent/python', source: 'PYTHON' });
  });

  it('prefers npm config python over PYTHON and PATH', async () => {
    const fake = await script(path.join(tmp, 'config-python', 'python3.13'), 'echo "$0"; echo 3.13.1');
    const env = await envWith({ PATH: realPath, PYTHON: '/nonexistent/python' });
    const t = await detectToolchain(env, { python: fake });
    expect(t.details?.python).toEqual({ path: fake, version: '3.13.1', source: 'npm_config_python' });
  });

  it('skips a python older than 3.6', async () => {
    const bin = path.join(tmp, 'old-python');
    await script(path.join(bin, 'python3'), 'echo "$0"; echo 2.7.18');
    const env = await envWith({ PATH: bin });
    const t = await detectToolchain(env, {});
    expect(t.python).toBe(false);
    expect(t.details?.rejected).toContainEqual({
      tool: 'python',
      candidate: path.join(bin, 'python3'),
      source: 'PATH',
      reason: 'unsupported-version',
      version: '2.7.18',
    });
  });

  it('gives up on a python that hangs instead of hanging itself', async () => {
    const bin = path.join(tmp, 'hung-python');
    // sleeps far past the test's own timeout: detection returning at all is the proof
    await script(path.join(bin, 'python3'), 'exec /bin/sleep 600');
    const env = await envWith({ PATH: bin });
    const t = await detectToolchain(env, {});
    expect(t.python).toBe(false);
    expect(t.details?.rejected).toContainEqual(
      expect.objectContaining({ candidate: path.join(bin, 'python3'), reason: 'failed' }),
    );
  });
});

describe.runIf(linux)('distutils trap', () => {
  it('is set for python 3.12 with node-gyp 9', async () => {
    const bin = path.join(tmp, 'py312');
    await script(path.join(bin, 'python3'), 'echo "$0"; echo 3.12.1');
    const env = await envWith({ PATH: bin, npm_execpath: await fakeNpm('npm-gyp9', '9.4.1') });
    const t = await detectToolchain(env, {});
    expect(t.details?.python?.version).toBe('3.12.1');
    expect(t.details?.nodeGyp).toMatchObject({ version: '9.4.1', source: 'npm_execpath' });
    expect(t.details?.distutilsTrap).toBe(true);
  });

  it('is not set for node-gyp 10, which no longer imports distutils', async () => {
    const bin = path.join(tmp, 'py312');
    const env = await envWith({ PATH: bin, npm_execpath: await fakeNpm('npm-gyp10', '10.0.0') });
    expect((await detectToolchain(env, {})).details?.distutilsTrap).toBe(false);
  });

  it('follows npm_config_node_gyp inside a lifecycle script', async () => {
    const npmCli = await fakeNpm('npm-lifecycle', '9.0.0');
    const gypBin = path.join(
      path.dirname(path.dirname(npmCli)),
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    );
    const env = await envWith({ PATH: path.join(tmp, 'py312'), npm_config_node_gyp: gypBin });
    const t = await detectToolchain(env, {});
    expect(t.details?.nodeGyp).toMatchObject({ version: '9.0.0', source: 'npm_config_node_gyp' });
    expect(t.details?.distutilsTrap).toBe(true);
  });
});

describe.runIf(linux)('compilers and make', () => {
  it('uses CXX and MAKE when set, and does not fall back from a broken one', async () => {
    const env = await envWith({ PATH: realPath, CXX: 'clang++-does-not-exist', MAKE: 'gmake-missing' });
    const t = await detectToolchain(env, {});
    expect(t.cxx).toBe(false);
    expect(t.make).toBe(false);
    expect(t.details?.rejected).toEqual(
      expect.arrayContaining([
        { tool: 'cxx', candidate: 'clang++-does-not-exist', source: 'CXX', reason: 'not-found' },
        { tool: 'make', candidate: 'gmake-missing', source: 'MAKE', reason: 'not-found' },
        // g++ is there, but make uses CXX: the report can say "unset CXX" or "set CXX=g++".
        expect.objectContaining({ tool: 'cxx', reason: 'not-default', source: 'PATH' }),
      ]),
    );
  });

  it('takes the first word of a CXX such as "ccache g++"', async () => {
    const bin = path.join(tmp, 'ccache-bin');
    await script(path.join(bin, 'ccache'), 'echo "ccache version 4.8"');
    const env = await envWith({ PATH: bin, CXX: 'ccache g++' });
    const t = await detectToolchain(env, {});
    expect(t.details?.cxx).toEqual({
      path: path.join(bin, 'ccache'),
      version: 'ccache version 4.8',
      source: 'CXX',
    });
  });

  it('counts a compiler that fails to run as absent', async () => {
    const bin = path.join(tmp, 'broken-gxx');
    await script(path.join(bin, 'g++'), 'exit 1');
    const env = await envWith({ PATH: bin });
    const t = await detectToolchain(env, {});
    expect(t.cxx).toBe(false);
    expect(t.details?.rejected).toContainEqual(
      expect.objectContaining({ tool: 'cxx', candidate: path.join(bin, 'g++'), reason: 'failed' }),
    );
  });
});

describe.runIf(linux)('node headers in node-gyp order', () => {
  const version = process.versions.node;

  it('takes npm_config_nodedir from the environment', async () => {
    const root = await dir('nodedir-env');
    const include = await fakeHeaders(root, version);
    const env = await envWith({ PATH: '', npm_config_nodedir: root });
    const t = await detectToolchain(env, {});
    expect(t.details?.headers).toEqual({ path: include, version, source: 'npm_config_nodedir' });
  });

  it('reports a nodedir without headers and does not look further, as node-gyp would not', async () => {
    const env = await envWith({ PATH: '' });
    const t = await detectToolchain(env, { nodedir: path.join(tmp, 'empty-nodedir') });
    expect(t.details?.headers).toBeNull();
    expect(t.details?.rejected).toContainEqual({
      tool: 'headers',
      candidate: path.join(tmp, 'empty-nodedir'),
      source: 'nodedir',
      reason: 'not-found',
    });
  });

  it('uses the install prefix when node was configured to', async () => {
    const root = await dir('prefix');
    const include = await fakeHeaders(root, version);
    const env = await envWith(
      { PATH: '' },
      { nodeConfig: { usePrefixToFindHeaders: true, nodePrefix: root } },
    );
    expect((await detectToolchain(env, {})).details?.headers).toEqual({
      path: include,
      version,
      source: 'prefix',
    });
  });

  it("finds node-gyp's cache under XDG_CACHE_HOME, or the devdir npm config names", async () => {
    const cache = await dir('xdg-cache');
    const devDir = path.join(cache, 'node-gyp', version);
    const include = await fakeHeaders(devDir, version);
    await writeFile(path.join(devDir, 'installVersion'), '11\n');
    const env = await envWith({ PATH: '', XDG_CACHE_HOME: cache });
    expect((await detectToolchain(env, {})).details?.headers).toEqual({
      path: include,
      version,
      source: 'devdir',
    });
    const other = await envWith({ PATH: '' });
    expect((await detectToolchain(other, { devdir: path.join(cache, 'node-gyp') })).details?.headers).toEqual(
      {
        path: include,
        version,
        source: 'devdir',
      },
    );
  });

  it('skips a cache entry older than node-gyp wants, as node-gyp downloads it again', async () => {
    const cache = await dir('stale-cache');
    const devDir = path.join(cache, 'node-gyp', version);
    await fakeHeaders(devDir, version);
    await writeFile(path.join(devDir, 'installVersion'), '1\n');
    const env = await envWith({
      PATH: '',
      XDG_CACHE_HOME: cache,
      npm_execpath: await fakeNpm('npm-stale', '11.0.0'),
    });
    const t = await detectToolchain(env, {});
    expect(t.details?.headers?.source).not.toBe('devdir');
    expect(t.details?.rejected).toContainEqual({
      tool: 'headers',
      candidate: devDir,
      source: 'devdir',
      reason: 'outdated',
    });
  });

  it('finds the headers beside a node install', async () => {
    const prefix = await dir('node-install');
    const include = await fakeHeaders(prefix, version);
    const env = await envWith({ PATH: '' }, { execPath: path.join(prefix, 'bin', 'node') });
    expect((await detectToolchain(env, {})).details?.headers).toEqual({
      path: include,
      version,
      source: 'beside-node',
    });
  });
});

describe('other platforms', () => {
  it('does not crash on Windows and promises no compiler it did not probe', async () => {
    const env = await envWith(
      { Path: 'C:\\nothing', PATHEXT: '.EXE' },
      { platform: 'win32', execPath: 'C:\\node\\node.exe' },
    );
    const t = await detectToolchain(env, {});
    expect(t).toMatchObject({ make: false, cxx: false, known: true });
  });
});

describe.runIf(linux)('findOnPath', () => {
  it('honours PATH order and skips files that are not executable', async () => {
    const a = await dir('path-a');
    const b = await dir('path-b');
    await writeFile(path.join(a, 'tool'), 'not executable');
    await script(path.join(b, 'tool'), 'true');
    const env = { platform: 'linux', env: { PATH: [a, b].join(path.delimiter) } };
    expect(await findOnPath('tool', env)).toBe(path.join(b, 'tool'));
    expect(await findOnPath('missing-tool', env)).toBeNull();
    expect(await findOnPath(path.join(b, 'tool'), { platform: 'linux', env: {} })).toBe(path.join(b, 'tool'));
  });
});
