import { familySync, versionSync } from 'detect-libc';
import { fromNodeVersion } from 'node-api-version';
import { describe, expect, it } from 'vitest';
import { currentHostEnvironment, detectHost } from '../../src/targets/host.js';
import type { HostEnvironment } from '../../src/model/target.js';
import { parseTarget } from '../../src/targets/parse.js';

function fakeEnv(overrides: Partial<HostEnvironment> = {}): HostEnvironment {
  return {
    platform: 'linux',
    arch: 'x64',
    versions: { node: '22.15.0', modules: '127', napi: '10', uv: '1.50.0' },
    execPath: '/nonexistent/bin/node',
    // An empty PATH keeps toolchain detection from finding anything: these tests are about the target.
    env: { PATH: '' },
    homedir: '/nonexistent-home',
    ...overrides,
  };
}

const musl = async () => ({ family: 'musl' as const, version: '1.2.5' });

describe('detectHost', () => {
  it.runIf(process.platform === 'linux')(
    'describes this machine with detect-libc and the running Node',
    async () => {
      const env = currentHostEnvironment();
      const host = await detectHost(env, { nodedir: '/usr' });
      expect(host).toMatchObject({
        id: 'host',
        runtime: 'node',
        version: process.versions.node,
        abi: process.versions.modules,
        napi: Number(process.versions.napi),
        platform: 'linux',
        arch: process.arch,
        libc: familySync(),
        libcVersion: versionSync(),
        uv: process.versions.uv!.split('.')[0],
        isHost: true,
      });
      expect(host.toolchain.known).toBe(true);
      expect(host.toolchain.details?.headers?.source).toBe('nodedir');
    },
  );

  it('takes libc from the probe it is given', async () => {
    const host = await detectHost(fakeEnv(), {}, { detectLibc: musl });
    expect(host).toMatchObject({ libc: 'musl', libcVersion: '1.2.5', abi: '127', napi: 10, uv: '1' });
    expect(host.toolchain).toMatchObject({ python: false, make: false, cxx: false, known: true });
  });

  it('has no libc off Linux and does not ask for one', async () => {
    let asked = false;
    const detectLibc = async () => {
      asked = true;
      return { family: 'glibc' as const, version: '2.36' };
    };
    const host = await detectHost(fakeEnv({ platform: 'darwin', arch: 'arm64' }), {}, { detectLibc });
    expect(host).toMatchObject({ platform: 'darwin', libc: null, libcVersion: null, armv: '8' });
    expect(asked).toBe(false);
  });

  it('derives N-API from the version when the runtime does not say', async () => {
    const env = fakeEnv({ versions: { node: '20.10.0', modules: '115' } });
    const host = await detectHost(env, {}, { detectLibc: musl });
    expect(host.napi).toBe(fromNodeVersion('20.10.0'));
    expect(host.uv).toBe('1');
  });

  it("reads armv the way node-gyp-build does: ARM_VERSION, then Node's arm_version", async () => {
    const arm = fakeEnv({ arch: 'arm', nodeConfig: { armVersion: '6' } });
    expect((await detectHost(arm, {}, { detectLibc: musl })).armv).toBe('6');
    const forced = fakeEnv({
      arch: 'arm',
      env: { PATH: '', ARM_VERSION: '7' },
      nodeConfig: { armVersion: '6' },
    });
    expect((await detectHost(forced, {}, { detectLibc: musl })).armv).toBe('7');
    expect((await detectHost(fakeEnv(), {}, { detectLibc: musl })).armv).toBeNull();
  });

  it('feeds parseTarget', async () => {
    const host = await detectHost(fakeEnv(), {}, { detectLibc: musl });
    expect(parseTarget('node24', { host })).toMatchObject({
      libc: 'musl',
      libcVersion: '1.2.5',
      platform: 'linux',
    });
  });
});

describe('currentHostEnvironment', () => {
  it('copies the process, so later changes to process.env do not leak in', () => {
    const env = currentHostEnvironment();
    expect(env).toMatchObject({ platform: process.platform, arch: process.arch, execPath: process.execPath });
    expect(env.versions.modules).toBe(process.versions.modules);
    expect(env.env).not.toBe(process.env);
  });
});
